"""The identity guard of validate (pipelines/ingest/identity.py): look-alikes under other
ids, distinct_from, reused ids that do not fit, and the same checks with --changed-since.

Each test writes a small corpus at run time: the repository's registries and a few
invented one-paragraph articles, each with its annotations.
"""

import datetime as dt
import hashlib
import re
import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.ingest.corpus import load_corpus
from pipelines.ingest.identity import Identity, _candidates, look_alikes, looks_alike

from conftest import REPO, line_of  # noqa: E402 (shared: conftest.py)

TRILATERAL = """\
Rishi Sunak met Giorgia Meloni and Edi Rama in Rome on Saturday to discuss illegal migration.
Later that day a boat capsized 8km off Calais and one person died, with 60 people aboard.
"""
BILATERAL = """\
The Prime Minister Rishi Sunak met Prime Minister Giorgia Meloni at Palazzo Chigi in Rome today.
A small boat capsized off Calais yesterday: one person died. It carried 60 people.
Another boat with 45 people was rescued off Calais.
"""
RAMA_MEETING = """\
  - meeting_id: {id}
    date: on Saturday
    place_id: rome
    status: held
    meeting_type: multilateral
    participants:
      - {{person_id: rishi-sunak, role: participant}}
      - {{person_id: giorgia-meloni, role: host}}
      - {{person_id: edi-rama, role: participant}}
    evidence:
      - Rishi Sunak met Giorgia Meloni and Edi Rama in Rome on Saturday
"""
PAIR_MEETING = """\
  - meeting_id: {id}
    date: today
    place_id: rome
    status: held
    meeting_type: bilateral{extra}
    participants:
      - {{person_id: rishi-sunak, role: participant}}
      - {{person_id: giorgia-meloni, role: host}}
    evidence:
      - Rishi Sunak met Prime Minister Giorgia Meloni at Palazzo Chigi in Rome today
"""


def write_source(root: Path, source_id: str, published: str, text: str, annotations: str) -> str:
    folder = root / "sources" / "news" / source_id
    folder.mkdir(parents=True)
    raw = text.encode("utf-8")
    (folder / "article.txt").write_bytes(raw)
    (folder / "source.yaml").write_text(textwrap.dedent(f"""\
        source_id: {source_id}
        title: null
        publisher: Test Wire
        url: null
        published_date: {published}
        published_date_method: stated
        language: en
        retrieved_date: null
        rights: Invented text for tests.
        raw_file: article.txt
        raw_format: text
        raw_sha256: {hashlib.sha256(raw).hexdigest()}
        """), encoding="utf-8")
    (folder / "annotations.yaml").write_text(f"source_id: {source_id}\n\n{annotations}", encoding="utf-8")
    return f"sources/news/{source_id}/annotations.yaml"


@pytest.fixture
def root(tmp_path) -> Path:
    """The repository's registries and a first source: the trilateral meeting in Rome."""
    shutil.copytree(REPO / "sources" / "registry", tmp_path / "sources" / "registry")
    write_source(tmp_path, "2023-12-16-downing-street-rome", "2023-12-16", TRILATERAL,
                 "meetings:\n" + RAMA_MEETING.format(id="2023-12-16-rome-sunak-meloni-rama"))
    return tmp_path


def validate(capsys, root, *args, fmt="json"):
    code = main(["--root", str(root), "validate", "--format", fmt, *args])
    out = capsys.readouterr().out
    return code, (json.loads(out) if fmt == "json" else out)


def add_bilateral(root, meeting_id="2023-12-16-rome-sunak-meloni", extra=""):
    return write_source(root, "2023-12-16-readout-rome", "2023-12-16", BILATERAL,
                        "meetings:\n" + PAIR_MEETING.format(id=meeting_id, extra=extra))


def test_a_near_miss_id_is_flagged_with_both_places_and_what_to_do(root, capsys):
    assert validate(capsys, root)[0] == 0
    new = add_bilateral(root)
    code, report = validate(capsys, root)
    assert code == 1
    [problem] = report["problems"]
    assert problem["code"] == "look-alike"
    assert (problem["path"], problem["line"]) == (new, line_of(root, new, "meeting_id:"))
    old = "sources/news/2023-12-16-downing-street-rome/annotations.yaml"
    assert f"'2023-12-16-rome-sunak-meloni-rama' ({old}:{line_of(root, old, 'meeting_id:')})" in problem["message"]
    assert "same place rome" in problem["message"] and "giorgia-meloni, rishi-sunak" in problem["message"]
    assert "use the id 2023-12-16-rome-sunak-meloni-rama" in problem["hint"]
    assert "distinct_from: [2023-12-16-rome-sunak-meloni-rama]" in problem["hint"]


def test_distinct_from_resolves_the_pair(root, capsys):
    add_bilateral(root, extra="\n    distinct_from: [2023-12-16-rome-sunak-meloni-rama]")
    code, report = validate(capsys, root)
    assert (code, report["problems"], report["warnings"]) == (0, [], [])


def test_distinct_from_an_unknown_id_is_an_error_on_its_line(root, capsys):
    new = add_bilateral(root, extra="\n    distinct_from: [2023-12-16-rome-sunak-meloni-rana]")
    code, report = validate(capsys, root)
    assert code == 1
    unknown = [p for p in report["problems"] if p["code"] == "unknown-id"]
    assert len(unknown) == 1 and unknown[0]["line"] == line_of(root, new, "distinct_from")
    assert "'2023-12-16-rome-sunak-meloni-rana'" in unknown[0]["message"] and "borderlines find" in unknown[0]["hint"]
    # the look-alike is still there: the misspelt id resolves nothing
    assert [p["code"] for p in report["problems"] if p["code"] != "unknown-id"] == ["look-alike"]


def test_distinct_from_that_is_not_a_list_of_ids_is_refused(root, capsys):
    new = add_bilateral(root, extra="\n    distinct_from: {id: x}")
    code, report = validate(capsys, root)
    assert code == 1 and any(p["code"] == "wrong-type" and p["path"] == new for p in report["problems"])


def test_another_meeting_in_the_same_city_with_other_people_is_not_flagged(root, capsys):
    text = "Keir Starmer met Martin Hewitt in Rome today.\n"
    write_source(root, "2023-12-16-other-rome", "2023-12-16", text, "meetings:\n" + textwrap.indent(
        textwrap.dedent("""\
        - meeting_id: 2023-12-16-rome-starmer-hewitt
          date: today
          place_id: rome
          status: held
          participants:
            - {person_id: keir-starmer, role: participant}
            - {person_id: martin-hewitt, role: participant}
          evidence:
            - Keir Starmer met Martin Hewitt in Rome today
        """), "  "))
    code, report = validate(capsys, root)
    assert (code, report["problems"]) == (0, [])


def test_a_reused_id_of_another_type_is_a_warning_that_fails_nothing(root, capsys):
    new = add_bilateral(root, meeting_id="2023-12-16-rome-sunak-meloni-rama")
    code, report = validate(capsys, root)
    assert code == 0 and report["problems"] == []
    [warning] = report["warnings"]
    assert warning["code"] == "reused-id-differs" and warning["severity"] == "warning"
    assert (warning["path"], warning["line"]) == (new, line_of(root, new, "meeting_id"))
    assert "type bilateral where the first has multilateral" in warning["message"]
    # naming fewer of the same people is what a shorter report does: not a disagreement
    assert "participants" not in warning["message"]


def test_a_reused_id_whose_people_disagree_is_reported_with_the_first_record(root, capsys):
    text = "Keir Starmer met Giorgia Meloni in Rome on Saturday.\n"
    new = write_source(root, "2023-12-17-wire-rome", "2023-12-17", text, "meetings:\n" + textwrap.indent(
        textwrap.dedent("""\
        - meeting_id: 2023-12-16-rome-sunak-meloni-rama
          date: on Saturday
          place_id: rome
          status: held
          meeting_type: bilateral
          participants:
            - {person_id: keir-starmer, role: participant}
            - {person_id: giorgia-meloni, role: host}
          evidence:
            - Keir Starmer met Giorgia Meloni in Rome on Saturday
        """), "  "))
    code, text_out = validate(capsys, root, fmt="text")
    assert code == 0
    assert f"{new}:{line_of(root, new, 'meeting_id')}:1: warning reused-id-differs" in text_out
    assert "participants giorgia-meloni, keir-starmer where the first has edi-rama, giorgia-meloni, rishi-sunak" \
        in text_out
    assert "1 warning(s) for a person to confirm" in text_out


def test_github_format_fails_on_a_look_alike_and_prints_warnings_as_warnings(root, capsys):
    add_bilateral(root)
    code, out = validate(capsys, root, fmt="github")
    assert code == 1 and "::error file=sources/news/2023-12-16-readout-rome/annotations.yaml" in out
    assert "title=look-alike::" in out
    shutil.rmtree(root / "sources/news/2023-12-16-readout-rome")
    add_bilateral(root, meeting_id="2023-12-16-rome-sunak-meloni-rama")
    code, out = validate(capsys, root, fmt="github")
    assert code == 0 and "::warning file=" in out and "title=reused-id-differs" in out and "::error" not in out


INCOMPLETE = """\
meetings:
  - meeting_id: 2023-12-16-no-date
    date: next week
    status: planned
    evidence:
      - They will meet again next week
  - meeting_id: 2023-12-16-no-place-no-people
    date: on Saturday
    status: held
    evidence:
      - Rishi Sunak met Giorgia Meloni and Edi Rama in Rome on Saturday
incidents:
  - incident_id: 2023-12-15-no-route-no-place
    date: yesterday
    evidence:
      - A small boat capsized off Calais yesterday
  - incident_id: 2023-12-no-day
    date: 2023-12
    route: english_channel
    place_id: calais
    evidence:
      - A small boat capsized off Calais yesterday
agreements:
  - agreement_id: uk-albania-returns-agreement
    evidence:
      - Rishi Sunak met Giorgia Meloni and Edi Rama in Rome on Saturday
  - agreement_id: uk-rwanda-partnership
    agreement_type: returns
    parties: []
    evidence:
      - Rishi Sunak met Giorgia Meloni and Edi Rama in Rome on Saturday
"""


def test_incomplete_records_are_compared_with_nothing_and_nothing_crashes(root, capsys):
    write_source(root, "2023-12-16-incomplete", "2023-12-16", TRILATERAL + BILATERAL + "They will meet again next week.\n",
                 INCOMPLETE)
    code, report = validate(capsys, root)
    # "next week" is no day for a meeting (refused by its own check): the guard goes on
    assert [p["code"] for p in report["problems"]] == ["date-not-a-day"], report["problems"]
    # and a missing date (refused by its own check) does not stop the guard either
    path = root / "sources/news/2023-12-16-incomplete/annotations.yaml"
    path.write_text(path.read_text().replace("    date: on Saturday\n", ""), encoding="utf-8")
    code, report = validate(capsys, root)
    assert [p["code"] for p in report["problems"]] == ["date-not-a-day", "missing-field"]


def test_incidents_alike_by_place_and_counts_unless_a_count_differs(root, capsys):
    path = root / "sources/news/2023-12-16-downing-street-rome/annotations.yaml"
    path.write_text(path.read_text() + textwrap.dedent("""\
        incidents:
          - incident_id: 2023-12-16-calais-capsize
            date: 2023-12-16
            route: english_channel
            place_id: calais
            dead: 1
            people_aboard: 60
            evidence:
              - a boat capsized 8km off Calais and one person died, with 60 people aboard
        """), encoding="utf-8")
    second = textwrap.dedent("""\
        incidents:
          - incident_id: 2023-12-15-calais-small-boat
            date: yesterday
            route: english_channel
            place_id: calais
            dead: 1
            evidence:
              - "A small boat capsized off Calais yesterday: one person died"
        """)
    new = write_source(root, "2023-12-16-readout-rome", "2023-12-16", BILATERAL, second)
    code, report = validate(capsys, root)
    [problem] = report["problems"]
    assert problem["code"] == "look-alike" and problem["path"] == new and code == 1
    assert "dates a day apart" in problem["message"] and "same place calais" in problem["message"]
    assert "same dead 1" in problem["message"]
    # a count both give exactly, and different: another incident
    (root / new).write_text("source_id: 2023-12-16-readout-rome\n" + second.replace("dead: 1", "dead: 1\n    people_aboard: 45") +
                            "      - Another boat with 45 people\n", encoding="utf-8")
    code, report = validate(capsys, root)
    assert (code, report["problems"]) == (0, [])


def test_rules_directly():
    import datetime as dt

    day = dt.date(2024, 9, 15)
    a = Identity("incidents", "a", "x", 1, day, None, None, frozenset(), "english_channel", (("dead", 8, True),))
    same_counts = Identity("incidents", "b", "y", 1, day + dt.timedelta(days=1), None, None, frozenset(),
                           "english_channel", (("dead", 8, True),))
    other_route = Identity("incidents", "c", "y", 1, day, None, None, frozenset(), "central_mediterranean",
                           (("dead", 8, True),))
    two_days = Identity("incidents", "d", "y", 1, day + dt.timedelta(days=2), None, None, frozenset(),
                        "english_channel", (("dead", 8, True),))
    assert looks_alike(a, same_counts) == ["dates a day apart (2024-09-15 and 2024-09-16)", "same route english_channel",
                                           "same dead 8"]
    assert looks_alike(a, other_route) is None and looks_alike(a, two_days) is None
    # two towns are two incidents, unless coordinates put them close; a town and a sea area are not
    at_calais = Identity("incidents", "e", "x", 1, day, "calais", None, frozenset(), "english_channel", (("dead", 8, True),))
    at_dover = Identity("incidents", "f", "y", 1, day, "dover", None, frozenset(), "english_channel", (("dead", 8, True),))
    in_channel = Identity("incidents", "g", "y", 1, day, "english-channel", None, frozenset(), "english_channel",
                          (("dead", 8, True),))
    towns = frozenset({"calais", "dover"})
    assert looks_alike(at_calais, at_dover, towns) is None
    assert looks_alike(at_calais, at_dover) is not None  # not known to be towns: the equal count decides
    assert looks_alike(at_calais, in_channel, towns) == ["same day 2024-09-15", "same route english_channel", "same dead 8"]
    g1 = Identity("agreements", "g1", "x", 1, kind="returns", parties=frozenset({"GB", "AL"}))
    g2 = Identity("agreements", "g2", "y", 1, kind="returns", parties=frozenset({"AL", "GB"}))
    g3 = Identity("agreements", "g3", "y", 1, kind="transfer", parties=frozenset({"AL", "GB"}))
    assert looks_alike(g1, g2) == ["same type returns", "same parties AL, GB"] and looks_alike(g1, g3) is None


def test_look_alikes_for_a_draft(root):
    corpus = load_corpus(root)
    draft = {"date": "2023-12-16", "place_id": "rome",
             "participants": [{"person_id": "rishi-sunak"}, {"person_id": "giorgia-meloni"}]}
    [match] = look_alikes("meetings", draft, corpus)
    assert match.record_id == "2023-12-16-rome-sunak-meloni-rama"
    assert match.location() == f"sources/news/2023-12-16-downing-street-rome/annotations.yaml:{line_of(root, 'sources/news/2023-12-16-downing-street-rome/annotations.yaml', 'meeting_id')}"
    assert look_alikes("meetings", {**draft, "date": "2023-12-19"}, corpus) == []
    assert look_alikes("meetings", {**draft, "meeting_id": "2023-12-16-rome-sunak-meloni-rama"}, corpus) == []


# --- validate --changed-since --------------------------------------------------------------------

def git(root, *args):
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false",
                    *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def repo(root):
    # an unrelated source, so that the search has something to leave out
    write_source(root, "2020-01-01-elsewhere", "2020-01-01", "Keir Starmer met Martin Hewitt in Rome today.\n",
                 "meetings:\n" + textwrap.indent(textwrap.dedent("""\
                 - meeting_id: 2020-01-01-rome
                   date: today
                   place_id: rome
                   status: held
                   evidence:
                     - Keir Starmer met Martin Hewitt in Rome today
                 """), "  "))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "corpus")
    return root


def test_changed_since_finds_a_look_alike_in_an_unchanged_source(repo, capsys):
    new = add_bilateral(repo)
    code, report = validate(capsys, repo, "--changed-since", "HEAD")
    assert report["sources"] == 1 and code == 1
    [problem] = report["problems"]
    assert problem["code"] == "look-alike" and problem["path"] == new
    assert "2023-12-16-rome-sunak-meloni-rama" in problem["message"]
    # the same as the full run says
    assert validate(capsys, repo)[1]["problems"] == report["problems"]


def test_changed_since_accepts_distinct_from_an_id_of_an_unchanged_source(repo, capsys):
    add_bilateral(repo, extra="\n    distinct_from: [2023-12-16-rome-sunak-meloni-rama]")
    code, report = validate(capsys, repo, "--changed-since", "HEAD")
    assert (code, report["problems"]) == (0, [])
    # an unknown one is still unknown
    add = repo / "sources/news/2023-12-16-readout-rome/annotations.yaml"
    add.write_text(add.read_text().replace("meloni-rama]", "meloni-rama, 2023-12-16-nowhere]"), encoding="utf-8")
    code, report = validate(capsys, repo, "--changed-since", "HEAD")
    assert code == 1 and [p["code"] for p in report["problems"]] == ["unknown-id"]


def test_changed_since_reports_a_reused_id_that_does_not_fit(repo, capsys):
    new = add_bilateral(repo, meeting_id="2023-12-16-rome-sunak-meloni-rama")
    code, report = validate(capsys, repo, "--changed-since", "HEAD")
    assert code == 0 and report["problems"] == []
    assert [(w["code"], w["path"]) for w in report["warnings"]] == [("reused-id-differs", new)]
    assert report["warnings"] == validate(capsys, repo)[1]["warnings"]


def test_the_byte_search_reads_only_files_that_can_hold_a_look_alike(repo):
    from pipelines.ingest.changes import _scan_folders
    from pipelines.ingest.identity import probes

    corpus = load_corpus(repo, [repo / "sources/news/2023-12-16-downing-street-rome"], keep_records=True)
    elsewhere = repo / "sources/news/2020-01-01-elsewhere"  # in Rome too, but years before
    assert _scan_folders(probes(corpus.identities), [], [elsewhere]) == []
    add_bilateral(repo)
    readout = repo / "sources/news/2023-12-16-readout-rome"
    assert _scan_folders(probes(corpus.identities), [], [readout, elsewhere]) == [(readout, True, (), False)]
    # the id named, as a whole id only
    ids = [b"2020-01-01-rome", b"2020-01-01-ro"]
    assert _scan_folders([], ids, [readout, elsewhere]) == [(elsewhere, False, (0,), False)]
    # a day in words: with its year, whatever the publication date; without, from a source
    # published within a year of it
    path = elsewhere / "annotations.yaml"
    text = path.read_text()
    for date, found in (("Dec. 16th 2023", True), ("16 December 2023", True), ("16 December", False),
                        ("16 December 2019", False), ("17th of December, 2023", True)):
        path.write_text(text.replace("date: today", f"date: {date}"), encoding="utf-8")
        assert bool(_scan_folders(probes(corpus.identities), [], [elsewhere])) is found, date


# --- --changed-since and the full run agree, on a generated corpus -------------------------------

def _concerning(report: dict, path: str) -> set:
    """The look-alikes and reused ids that concern the file at `path`, as pairs of records
    (file:line of both) with what the report says of them: the full run reports a pair on
    the later record, --changed-since on the checked one, in the same words."""
    out = set()
    for problem in report["problems"] + report["warnings"]:
        if problem["code"] not in ("look-alike", "reused-id-differs"):
            continue
        other = re.search(r"\((sources/[^():]+):(\d+)\)", problem["message"])
        ends = frozenset({(problem["path"], problem["line"]), (other[1], int(other[2]))})
        if problem["code"] == "look-alike":
            said = problem["message"].split("): ", 1)[1]  # the reasons, whichever record is named first
        else:
            said = problem["message"].split("reused here with ", 1)[1].rsplit(" (sources/", 1)[0]
        if any(end_path == path for end_path, _ in ends):
            out.add((problem["code"], ends, said))
    return out


def _copy_source(news: Path, source_id: str, new_id: str, edit=lambda text: text) -> str:
    """A new source with the article and records of another, under new ids: each of its
    meetings and incidents is a look-alike of the other's."""
    shutil.copytree(news / source_id, news / new_id)
    for name in ("source.yaml", "annotations.yaml"):
        path = news / new_id / name
        path.write_text(edit(path.read_text(encoding="utf-8").replace(source_id, new_id)), encoding="utf-8")
    return f"sources/news/{new_id}/annotations.yaml"


def test_changed_since_reports_what_the_full_run_reports_on_a_generated_corpus(tmp_path, capsys):
    from benchmarks.corpus import generate_corpus

    generate_corpus(tmp_path, 300, seed=12, workers=1)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "corpus")
    news = tmp_path / "sources" / "news"
    folders = sorted(f.name for f in news.iterdir())
    with_meetings = [name for name in folders if "meeting_id" in (news / name / "annotations.yaml").read_text()]
    first, second, third = with_meetings[10], with_meetings[150], with_meetings[200]
    day = first[:10]
    planted = [
        _copy_source(news, first, f"{day}-a-copy"),  # before the original in folder order
        _copy_source(news, second, f"{second}-copy"),  # after it
        # the same meeting ids, of another type: reused ids that do not fit
        _copy_source(news, third, f"{third}-reused", lambda text: re.sub(
            rf"meeting_id: {third}-reused-(meeting-\d+)", rf"meeting_id: {third}-\1", text).replace(
            "meeting_type: bilateral", "meeting_type: multilateral")),
    ]
    # A meeting of another day's source, dated there by a phrase ("on Tuesday") days before
    # its publication: only that publication date (not an ISO date in the file) puts it close.
    corpus = load_corpus(tmp_path)
    published = {source.source_id: source.metadata["published_date"] for source in corpus.sources.values()}

    def dated_only_by_publication(r) -> bool:
        text = (tmp_path / r.path).read_text().lower()
        return (published[r.source_id] - r.values["date"]).days >= 3 and r.values["date"].isoformat()[:7] not in text \
            and r.values["date"].strftime("%b").lower() not in text

    target = next(r for r in corpus.records if r.table == "meetings" and r.resolutions and r.values.get("place_id")
                  and r.children["participants"] and dated_only_by_publication(r))
    weekday = target.values["date"].strftime("%A")
    people = "".join(f"\n      - {{person_id: {p['person_id']}, role: participant}}"
                     for p in target.children["participants"])
    planted.append(write_source(
        tmp_path, "2030-01-01-planted", str(target.values["date"] + dt.timedelta(days=2)),
        f"Ministers met on {weekday} to discuss returns.\n",
        f"meetings:\n  - meeting_id: 2030-01-01-planted-meeting\n    date: on {weekday}\n"
        f"    place_id: {target.values['place_id']}\n    status: held\n"
        f"    meeting_type: {target.values['meeting_type']}\n    participants:{people}\n"
        f"    evidence:\n      - Ministers met on {weekday} to discuss returns\n"))
    edited = f"sources/news/{folders[100]}/annotations.yaml"  # an ordinary change, as benchmarks/run.py makes
    text = (tmp_path / edited).read_text()
    (tmp_path / edited).write_text(text.replace("\n    route: ", "\n    notes: checked again\n    route: ", 1))

    code, full = validate(capsys, tmp_path)
    code_since, since = validate(capsys, tmp_path, "--changed-since", "HEAD")
    assert since["sources"] == 5
    for path in [*planted, edited]:
        assert _concerning(since, path) == _concerning(full, path), path
    # what was planted was found: each meeting and incident of a copy under its own id, the
    # reused ids, and the meeting dated by a phrase
    own_ids = re.findall(rf"(?:meeting|incident)_id: {day}-a-copy-", (tmp_path / planted[0]).read_text())
    assert sum(code == "look-alike" for code, _, _ in _concerning(since, planted[0])) >= len(own_ids) > 0
    reused = {ends for code, ends, said in _concerning(since, planted[2])
              if code == "reused-id-differs" and said in ("type multilateral where the first has bilateral",
                                                          "type bilateral where the first has multilateral")}
    assert f"sources/news/{third}/annotations.yaml" in {path for ends in reused for path, _ in ends}
    assert {path for _, ends, _ in _concerning(since, planted[3]) for path, _ in ends} == {planted[3], target.path}
    assert code == code_since == 1


def test_changed_since_knows_the_city_of_a_venue_in_an_unchanged_source(root, capsys):
    # The other source names only the venue; its meeting is in the venue's city (Rome), as in
    # the full run, so a meeting of the same people in Calais that day is another meeting.
    with open(root / "sources/registry/places.yaml", "a", encoding="utf-8") as places:
        places.write("- place_id: palazzo-chigi\n  name: Palazzo Chigi\n  place_type: venue\n"
                     "  parent_place_id: rome\n  country: IT\n")
    quoted = "Rishi Sunak met Prime Minister Giorgia Meloni at Palazzo Chigi in Rome today"
    at_venue = PAIR_MEETING.format(id="2023-12-16-palazzo-chigi", extra="").replace(
        "place_id: rome", "venue_id: palazzo-chigi").replace(quoted, "Rishi Sunak met Giorgia Meloni at Palazzo Chigi today")
    write_source(root, "2023-12-16-at-the-venue", "2023-12-16", "Rishi Sunak met Giorgia Meloni at Palazzo Chigi today.\n",
                 "meetings:\n" + at_venue)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "corpus")
    in_calais = PAIR_MEETING.format(id="2023-12-16-calais", extra="").replace(
        "place_id: rome", "place_id: calais").replace(quoted, "Rishi Sunak met Giorgia Meloni in Calais today")
    new = write_source(root, "2023-12-16-in-calais", "2023-12-16", "Rishi Sunak met Giorgia Meloni in Calais today.\n",
                       "meetings:\n" + in_calais)

    def look_alikes_on_new(*args) -> list:
        report = validate(capsys, root, *args)[1]
        return [p["message"] for p in report["problems"] if p["code"] == "look-alike" and p["path"] == new]

    assert look_alikes_on_new("--changed-since", "HEAD") == look_alikes_on_new() == []
    # the same meeting in Rome is the venue's meeting
    (root / new).write_text((root / new).read_text().replace("place_id: calais", "place_id: rome"), encoding="utf-8")
    [message] = [m for m in look_alikes_on_new("--changed-since", "HEAD") if "2023-12-16-palazzo-chigi" in m]
    assert message in look_alikes_on_new()


def test_versions_of_one_id_are_never_a_pair_however_many_sources_report_it():
    def agreement(record_id, path):
        return Identity("agreements", record_id, path, 1, kind="readmission", parties=frozenset({"GB", "FR"}))

    versions = [agreement("uk-france-2023", f"s{n}/annotations.yaml") for n in range(50)]
    other = agreement("uk-france-deal", "t/annotations.yaml")
    pairs = list(_candidates([*versions[:25], other, *versions[25:]]))
    # the other id with each version, once; no version with another version of its own id
    assert len(pairs) == 50
    assert all({a.record_id, b.record_id} == {"uk-france-2023", "uk-france-deal"} for a, b in pairs)
    assert {b.path if a is other else a.path for a, b in pairs} == {v.path for v in versions}
    assert list(_candidates(versions)) == []
