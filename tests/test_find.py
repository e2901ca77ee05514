"""`borderlines find` (pipelines/contribute/find.py) on a corpus written at run time: the
repository's registries and two invented articles, one of them with a meeting, an incident
and an agreement."""

import datetime as dt
import shutil
import textwrap

import pytest

from pipelines.cli import main
from pipelines.contribute.find import find
from pipelines.ingest.corpus import load_corpus

from conftest import REPO, line_of  # noqa: E402 (shared: conftest.py)
from test_identity import write_source  # noqa: E402 (the same way of writing a source)

ROME = "Rishi Sunak met Giorgia Meloni and Edi Rama in Rome on Saturday. A boat capsized off Calais on Friday: one person died.\n"
LONDON = "Keir Starmer met Martin Hewitt in London on Monday. The UK-Albania returns agreement was discussed.\n"
ROME_NOTES = """\
meetings:
  - meeting_id: 2023-12-16-rome-sunak-meloni-rama
    date: on Saturday
    place_id: rome
    status: held
    meeting_type: multilateral
    participants:
      - {person_id: rishi-sunak, role: participant}
      - {person_id: giorgia-meloni, role: host}
      - {person_id: edi-rama, role: participant}
    evidence:
      - Rishi Sunak met Giorgia Meloni and Edi Rama in Rome on Saturday
incidents:
  - incident_id: 2023-12-15-calais-capsize
    date: on Friday
    route: english_channel
    place_id: calais
    dead: 1
    evidence:
      - "A boat capsized off Calais on Friday: one person died"
"""
LONDON_NOTES = """\
meetings:
  - meeting_id: 2024-09-16-london-starmer-hewitt
    date: on Monday
    place_id: london
    status: held
    participants:
      - {person_id: keir-starmer, role: participant}
      - {person_id: martin-hewitt, role: participant}
    evidence:
      - Keir Starmer met Martin Hewitt in London on Monday
agreements:
  - agreement_id: uk-albania-returns-agreement
    agreement_type: returns
    parties:
      - {country: GB}
      - {country: AL}
    evidence:
      - The UK-Albania returns agreement was discussed
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("find")
    shutil.copytree(REPO / "sources" / "registry", root / "sources" / "registry")
    places = root / "sources/registry/places.yaml"
    if "place_id: london" not in places.read_text(encoding="utf-8"):
        places.write_text(places.read_text(encoding="utf-8") + textwrap.dedent("""\
            - place_id: london
              name: London
              place_type: city
              country: GB
              wikidata_id: null
            """), encoding="utf-8")
    write_source(root, "2023-12-16-wire-rome", "2023-12-16", ROME, ROME_NOTES)
    write_source(root, "2024-09-16-wire-london", "2024-09-16", LONDON, LONDON_NOTES)
    return root


@pytest.fixture(scope="module")
def corpus(root):
    corpus = load_corpus(root)
    assert [p for p in corpus.problems if p.severity == "error"] == []  # the test corpus itself is valid
    return corpus


def ids(found):
    return [(f.table, f.record_id) for f in found]


def test_find_by_words_names_records_and_registry_entries(corpus, root):
    found = find(corpus, ["rome"])
    # the real places registry grows: Rome, and any venue in it (parent_place_id rome)
    venues_in_rome = [("places", p["place_id"]) for p in corpus.registries["places"] if p.get("parent_place_id") == "rome"]
    assert ids(found) == [("meetings", "2023-12-16-rome-sunak-meloni-rama"),
                          *sorted([("places", "rome"), *venues_in_rome], key=lambda i: i[1])]
    meeting = found[0]
    assert meeting.date == dt.date(2023, 12, 16) and meeting.sources == ("2023-12-16-wire-rome",)
    rel = "sources/news/2023-12-16-wire-rome/annotations.yaml"
    assert meeting.locations == (f"{rel}:{line_of(root, rel, 'meeting_id')}",)
    assert "Rome (IT)" in meeting.summary and "Edi Rama" in meeting.summary
    # every word must be there, whatever its case
    assert ids(find(corpus, ["Rome", "Starmer"])) == []
    assert ids(find(corpus, ["capsize", "CALAIS"])) == [("incidents", "2023-12-15-calais-capsize")]


def test_find_by_date_range_leaves_out_registry_entries(corpus):
    assert ids(find(corpus, date_from=dt.date(2023, 12, 15), date_to=dt.date(2023, 12, 15))) == [
        ("incidents", "2023-12-15-calais-capsize")]
    assert ids(find(corpus, date_from=dt.date(2024, 1, 1))) == [("meetings", "2024-09-16-london-starmer-hewitt")]
    assert find(corpus, date_to=dt.date(2023, 12, 1)) == []


def test_find_by_country(corpus):
    found = ids(find(corpus, country="al", tables=("agreements", "people")))
    assert found == [("agreements", "uk-albania-returns-agreement"), ("people", "edi-rama")]
    assert ids(find(corpus, country="FR", tables=("incidents",))) == [("incidents", "2023-12-15-calais-capsize")]


def test_find_by_person(corpus):
    assert ids(find(corpus, person="sunak", tables=("meetings",))) == [("meetings", "2023-12-16-rome-sunak-meloni-rama")]
    assert ids(find(corpus, person="keir-starmer")) == [("meetings", "2024-09-16-london-starmer-hewitt"),
                                                        ("people", "keir-starmer")]
    assert find(corpus, person="nobody-at-all") == []


def test_find_command_prints_id_date_summary_sources_and_place(root, capsys):
    assert main(["--root", str(root), "find", "returns", "--country", "GB"]) == 0
    out = capsys.readouterr().out
    assert "uk-albania-returns-agreement  UK-Albania returns agreement; AL - GB; returns" in out
    assert "sources: 2024-09-16-wire-london" in out
    assert "sources/news/2024-09-16-wire-london/annotations.yaml:" in out and out.rstrip().endswith("1 found")


@pytest.mark.parametrize("argv, message", [
    ([], "say what to look for"),
    (["--from", "2023-13-01"], "'2023-13-01' is not a date"),
])
def test_find_bad_input_is_a_message(root, capsys, argv, message):
    assert main(["--root", str(root), "find", *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_call_is_summarised_as_a_call_not_as_a_meeting_with_no_place():
    from pipelines.contribute.find import _summary

    people = [("boris-johnson", "Boris Johnson"), ("paul-kagame", "Paul Kagame")]
    call = _summary("meetings", {"meeting_type": "call", "status": "held"}, {}, people, [], {})
    assert call == "by telephone or video: Boris Johnson, Paul Kagame; call, held"
    assert _summary("meetings", {"status": "held"}, {}, people, [], {}).startswith("place unknown:")
