"""People's offices (sources/registry/offices.yaml): a participant named only by office must
have held it on the meeting's date; the registry's own entries are checked with file:line."""

import datetime as dt
import json

import pytest

from pipelines.cli import main
from pipelines.ingest.offices import Offices, office_mentions
from pipelines.ingest.problems import ProblemList
from pipelines.ingest.registry import load_registries

from conftest import REPO, TESTS, edit, line_of, only  # noqa: E402 (shared: conftest.py)

READOUT = TESTS / "fixtures" / "offices" / "readout.txt"
SOURCE_ID = "2024-03-05-pm-meets-french-minister-london"
ANNOTATIONS = f"sources/news/{SOURCE_ID}/annotations.yaml"
OFFICES = "sources/registry/offices.yaml"

# Invented terms: ben-example until 2024-03-01, carl-sample from that day (the handover day
# is in both terms).
TERMS = """\
- office_term_id: gb-prime-minister-ben-example
  person_id: ben-example
  office: prime_minister
  country: GB
  start_date: 2020-01-01
  start_source_url: https://example.org/offices/ben
  start_quote: Ben Example became Prime Minister on 1 January 2020.
  end_date: 2024-03-01
  end_source_url: https://example.org/offices/carl
  end_quote: Carl Sample succeeded Ben Example on 1 March 2024.
- office_term_id: gb-prime-minister-carl-sample
  person_id: carl-sample
  office: prime_minister
  country: GB
  start_date: 2024-03-01
  start_source_url: https://example.org/offices/carl
  start_quote: Carl Sample succeeded Ben Example on 1 March 2024.
"""

MEETING = """\
meetings:
  - meeting_id: 2024-03-04-london-readout
    date: on Monday
    place_id: london
    status: held
    meeting_type: bilateral
    participants:
      - {person_id: HOST, role: host}
      - {person_id: anna-fixture, role: participant}
    evidence:
      - The Prime Minister met Anna Fixture in London on Monday
"""


@pytest.fixture
def readout(corpus, capsys):
    """The hand-made corpus with a third person, the invented terms, and a readout (published
    Tuesday 2024-03-05) whose meeting's host is HOST, to be replaced by a test."""
    (corpus / OFFICES).write_text(TERMS, encoding="utf-8")
    people = corpus / "sources/registry/people.yaml"
    people.write_text(people.read_text(encoding="utf-8") + "- person_id: carl-sample\n  name: Carl Sample\n"
                      "  country: GB\n", encoding="utf-8")
    assert main(["--root", str(corpus), "new-source", str(READOUT), "--url", "https://example.org/readout",
                 "--publisher", "Prime Minister's Office", "--published", "2024-03-05",
                 "--title", "PM meets French minister in London"]) == 0
    (corpus / ANNOTATIONS).write_text(f"source_id: {SOURCE_ID}\n{MEETING}", encoding="utf-8")
    capsys.readouterr()
    return corpus


def validate(capsys, root):
    code = main(["--root", str(root), "validate", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)["problems"]


def test_the_prime_minister_is_whoever_held_the_office_on_the_meetings_date(readout, capsys):
    edit(readout, ANNOTATIONS, "HOST", "carl-sample")
    code, problems = validate(capsys, readout)
    assert problems == []
    assert code == 0


def test_a_person_who_did_not_hold_the_office_then_is_rejected_with_file_and_line(readout, capsys):
    edit(readout, ANNOTATIONS, "HOST", "ben-example")
    code, problems = validate(capsys, readout)
    problem = only(problems, "office-not-held")
    assert code == 1
    assert (problem["path"], problem["line"]) == (ANNOTATIONS, line_of(readout, ANNOTATIONS, "ben-example"))
    assert "only as 'Prime Minister' (GB prime minister)" in problem["message"] and "2024-03-04" in problem["message"]
    assert "held by carl-sample, not ben-example" in problem["message"]
    assert "2020-01-01 to 2024-03-01" in problem["hint"]


def test_an_office_with_no_holder_on_the_date_is_an_error(readout, capsys):
    edit(readout, ANNOTATIONS, "HOST", "carl-sample")
    edit(readout, OFFICES, "  start_date: 2024-03-01", "  start_date: 2024-03-10")
    code, problems = validate(capsys, readout)
    problem = only(problems, "office-no-holder")
    assert code == 1
    assert (problem["path"], problem["line"]) == (ANNOTATIONS, line_of(readout, ANNOTATIONS, "carl-sample"))
    assert "has no holder of that office on 2024-03-04" in problem["message"]


def test_a_position_that_names_an_office_the_person_did_not_hold_is_rejected(readout, capsys):
    edit(readout, ANNOTATIONS, "{person_id: HOST, role: host}", "{person_id: carl-sample, role: host}")
    edit(readout, ANNOTATIONS, "{person_id: anna-fixture, role: participant}",
         "{person_id: ben-example, role: accompanying, position: British Prime Minister}")
    edit(readout, ANNOTATIONS, "      - The Prime Minister met Anna Fixture in London on Monday",
         "      - The Prime Minister met Anna Fixture in London on Monday\n"
         "      - quote: The Prime Minister and Ms Fixture agreed\n        fields: [participants]")
    code, problems = validate(capsys, readout)
    problem = only(problems, "office-not-held")
    assert problem["line"] == line_of(readout, ANNOTATIONS, "position: British Prime Minister")
    assert problem["message"].startswith("position is 'Prime Minister' (GB prime minister)")


def test_incomplete_participants_do_not_crash_the_check(readout, capsys):
    edit(readout, ANNOTATIONS, "{person_id: HOST, role: host}", "{role: host}")
    edit(readout, ANNOTATIONS, "    date: on Monday\n", "")
    code, problems = validate(capsys, readout)
    assert code == 1
    assert {p["code"] for p in problems} == {"missing-field"}


@pytest.mark.parametrize("old, new, code, needle", [
    ("  start_quote: Carl Sample succeeded Ben Example on 1 March 2024.\n", "", "missing-field",
     "start_date: 2024-03-01\n  start_source_url: https://example.org/offices/carl\n"),
    ("  end_date: 2024-03-01", "  end_date: 2019-03-01", "bad-value", "end_date: 2019-03-01"),
    ("  start_date: 2024-03-01", "  start_date: 1 March 2024", "bad-date", "start_date: 1 March 2024"),
    ("  start_date: 2024-03-01", "  start_date: 2024-02-01", "overlapping-terms",
     "office_term_id: gb-prime-minister-carl-sample"),
    ("  person_id: carl-sample", "  person_id: carl-sampel", "unknown-id", "office_term_id: gb-prime-minister-carl"),
])
def test_the_offices_registry_is_checked_with_file_and_line(readout, capsys, old, new, code, needle):
    edit(readout, ANNOTATIONS, "HOST", "carl-sample")
    edit(readout, OFFICES, old, new)
    exit_code, problems = validate(capsys, readout)
    problem = only(problems, code)
    assert exit_code == 1
    assert problem["path"] == OFFICES
    first_line = needle.splitlines()[0]
    assert problem["line"] == line_of(readout, OFFICES, first_line)


def test_a_corpus_without_an_offices_registry_is_valid(corpus, capsys):
    assert not (corpus / OFFICES).exists()
    assert validate(capsys, corpus) == (0, [])


def test_the_registrys_prime_ministers_by_date():
    """The repository's own registry: who was the UK's Prime Minister on the days of the
    meetings in the dataset (2023-12-16: Sunak; 2024-09-16: Starmer; both on the handover day)."""
    problems = ProblemList()
    registries = load_registries(REPO, problems)
    assert not list(problems)
    offices = Offices(registries["person_offices"], registries["people"])
    assert offices.holders("prime_minister", "GB", dt.date(2023, 12, 16)) == ["rishi-sunak"]
    assert offices.holders("prime_minister", "GB", dt.date(2024, 9, 16)) == ["keir-starmer"]
    assert offices.holders("prime_minister", "GB", dt.date(2024, 7, 5)) == ["keir-starmer", "rishi-sunak"]
    assert offices.holders("prime_minister", "GB", dt.date(2022, 10, 24)) == []
    assert offices.holders("prime_minister", "IT", dt.date(2023, 12, 16)) == ["giorgia-meloni"]
    for term in registries["person_offices"]:  # every date has its page and its words
        for end in ("start", "end"):
            if term.get(f"{end}_date"):
                assert term[f"{end}_source_url"].startswith("https://") and term[f"{end}_quote"]


def test_office_mentions_say_whose_office_when_the_words_do():
    found = office_mentions("The Prime Minister met Italian Prime Minister Giorgia Meloni and Albania's premier; "
                            "the Deputy Prime Minister and former PM stayed home.")
    assert [(m.office, m.country, m.words) for m in found] == [
        ("prime_minister", None, "Prime Minister"), ("prime_minister", "IT", "Prime Minister"),
        ("prime_minister", "AL", "premier")]
    assert office_mentions("the pm said") == []  # "PM" only in capitals
