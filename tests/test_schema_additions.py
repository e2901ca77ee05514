"""What real texts report fits the schema (issue 12): a meeting's venue, the agreement events
real texts report, and multilateral processes and programmes.

- A venue is a place of place_type venue in the places registry, inside a city
  (parent_place_id). A meeting names it in venue_id; a source that names only the venue
  gives the meeting its city. validate refuses a venue outside the meeting's city, a city
  given as a venue, and a venue without its city in the registry.
- A process (the Rome Process) or a programme (a co-funded returns project) is an
  agreement of agreement_type process or programme; the states taking part are its
  parties (role participant or funder), and when each joined or pledged is an event
  (joined, funds_committed) naming that state in country, which must be a party.
- Each new value is accepted by validate, and a misspelled one is refused with a
  did-you-mean. The invented readout in tests/fixtures/readout/ (the issue's two sentences
  and a meeting at Palazzo Chigi) validates and builds into the published tables.
"""

import json
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import FIXTURE, TESTS, edit, line_of, only
from pipelines.cli import main
from pipelines.contribute.diff import diff_builds
from pipelines.schemas import load_tables

READOUT = TESTS / "fixtures" / "readout"
READOUT_SOURCE = "2023-12-16-fixture-readout-palazzo-chigi"
READOUT_ANNOTATIONS = f"sources/news/{READOUT_SOURCE}/annotations.yaml"
PLACES = "sources/registry/places.yaml"
FIXTURE_ANNOTATIONS = "sources/news/2024-03-04-fixture-strait-talks/annotations.yaml"
FIXTURE_EVENT = "{event_type: signed, date: last year}"


def validate(capsys, root):
    code = main(["--root", str(root), "validate", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)["problems"]


@pytest.fixture
def readout(tmp_path):
    """A copy of the readout corpus, to change."""
    root = tmp_path / "readout"
    shutil.copytree(READOUT, root)
    return root


# --- the issue's examples ---------------------------------------------------------------------

def test_the_readout_of_the_issue_validates(capsys):
    text = (READOUT / "sources" / "news" / READOUT_SOURCE / "readout.txt").read_text(encoding="utf-8")
    assert "the UK will take part in the Rome Process" in text
    assert "leaders committed to co-fund a project for the voluntary return of migrants from Tunisia" in text
    assert validate(capsys, READOUT) == (0, [])


@pytest.fixture(scope="module")
def readout_tables(tmp_path_factory):
    """The readout corpus built through Dagster, as the published Parquet files read back."""
    from conftest import _built

    built = _built(READOUT, tmp_path_factory.mktemp("readout-build"))
    parquet = built.path / "data" / "parquet"
    return {name: pq.read_table(parquet / f"{name}.parquet").to_pylist()
            for name in ("meetings", "places", "agreements", "agreement_parties", "agreement_events", "evidence")}


def test_a_meeting_at_a_venue_is_in_the_venue_city(readout_tables):
    [meeting] = readout_tables["meetings"]
    # The annotation names only the venue ("at Palazzo Chigi"); the city is the registry's.
    assert {k: meeting[k] for k in ("place_id", "city", "country", "venue_id", "venue", "status")} == {
        "place_id": "rome", "city": "Rome", "country": "IT", "venue_id": "palazzo-chigi", "venue": "Palazzo Chigi",
        "status": "held"}
    chigi = next(p for p in readout_tables["places"] if p["place_id"] == "palazzo-chigi")
    assert (chigi["place_type"], chigi["parent_place_id"]) == ("venue", "rome")


def test_a_state_taking_part_in_a_process_and_leaders_co_funding_a_project(readout_tables):
    types = {a["agreement_id"]: a["agreement_type"] for a in readout_tables["agreements"]}
    assert types == {"rome-process": "process", "fixture-tunisia-voluntary-returns-project": "programme"}
    parties = {(p["agreement_id"], p["country"], p["role"]) for p in readout_tables["agreement_parties"]}
    assert parties == {("rome-process", "GB", "participant"),
                       ("fixture-tunisia-voluntary-returns-project", "GB", "funder"),
                       ("fixture-tunisia-voluntary-returns-project", "IT", "funder")}
    events = {(e["agreement_id"], e["event_type"], e["country"], e["date"], e["is_planned"])
              for e in readout_tables["agreement_events"]}
    # "will take part": planned, no date stated; "committed to co-fund": one row per state, no date stated.
    assert events == {("rome-process", "joined", "GB", None, True),
                      ("fixture-tunisia-voluntary-returns-project", "funds_committed", "GB", None, False),
                      ("fixture-tunisia-voluntary-returns-project", "funds_committed", "IT", None, False)}
    quotes = {(e["record_id"], e["quote"]) for e in readout_tables["evidence"] if e["table_name"] == "agreements"}
    assert ("rome-process", "the UK will take part in the Rome Process") in quotes
    assert ("fixture-tunisia-voluntary-returns-project",
            "leaders committed to co-fund a project for the voluntary return of migrants from Tunisia") in quotes


# --- each new value is accepted, and a misspelling is refused with a did-you-mean -------------

NEW_EVENTS = ["agreed", "joined", "funds_committed", "amended", "entered_into_force", "first_transfer"]


@pytest.mark.parametrize("event_type", NEW_EVENTS)
def test_a_new_event_type_is_accepted(corpus, capsys, event_type):
    edit(corpus, FIXTURE_ANNOTATIONS, FIXTURE_EVENT, f"{{event_type: {event_type}, country: GB, date: last year}}")
    assert validate(capsys, corpus) == (0, [])
    assert event_type in load_tables()["agreement_events"].field("event_type").labels


@pytest.mark.parametrize("old, new", [
    ("agreement_type: returns", "agreement_type: process"),
    ("agreement_type: returns", "agreement_type: programme"),
    ("- {country: GB}", "- {country: GB, role: participant}"),
])
def test_a_new_agreement_type_or_role_is_accepted(corpus, capsys, old, new):
    edit(corpus, FIXTURE_ANNOTATIONS, old, new)
    assert validate(capsys, corpus) == (0, [])


@pytest.mark.parametrize("old, typo, field, suggestion", [
    (FIXTURE_EVENT, "{event_type: joind, country: GB}", "event_type", "joined"),
    (FIXTURE_EVENT, "{event_type: fund_committed, country: GB}", "event_type", "funds_committed"),
    (FIXTURE_EVENT, "{event_type: first_transfers}", "event_type", "first_transfer"),
    (FIXTURE_EVENT, "{event_type: entered_in_force}", "event_type", "entered_into_force"),
    ("agreement_type: returns", "agreement_type: programe", "agreement_type", "programme"),
    ("agreement_type: returns", "agreement_type: proces", "agreement_type", "process"),
    ("- {country: GB}", "- {country: GB, role: participnt}", "role", "participant"),
])
def test_a_misspelled_new_value_is_refused_with_a_did_you_mean(corpus, capsys, old, typo, field, suggestion):
    edit(corpus, FIXTURE_ANNOTATIONS, old, typo)
    code, problems = validate(capsys, corpus)
    problem = only(problems, "bad-value")
    assert code == 1 and len(problems) == 1
    assert problem["path"] == FIXTURE_ANNOTATIONS
    assert problem["line"] == line_of(corpus, FIXTURE_ANNOTATIONS, typo)
    assert problem["message"].startswith(f"{field} ") and "is not one of the allowed values" in problem["message"]
    assert f"did you mean {suggestion!r}?" in problem["hint"]


# --- events of one state ----------------------------------------------------------------------

def test_several_states_joining_in_one_source_are_one_event_each(corpus, capsys):
    edit(corpus, FIXTURE_ANNOTATIONS, FIXTURE_EVENT,
         "{event_type: joined, country: GB, date: last year}\n      - {event_type: joined, country: FR, date: last year}")
    assert validate(capsys, corpus) == (0, [])


def test_the_same_state_joining_twice_in_one_source_is_refused(corpus, capsys):
    edit(corpus, FIXTURE_ANNOTATIONS, FIXTURE_EVENT,
         "{event_type: joined, country: GB}\n      - {event_type: joined, country: GB, date: last year}")
    code, problems = validate(capsys, corpus)
    problem = only(problems, "duplicate-record")
    assert code == 1 and len(problems) == 1
    assert "lists joined, GB twice" in problem["message"]


def test_an_event_of_a_state_that_is_not_a_party_is_refused(corpus, capsys):
    edit(corpus, FIXTURE_ANNOTATIONS, FIXTURE_EVENT, "{event_type: joined, country: DE, date: last year}")
    code, problems = validate(capsys, corpus)
    problem = only(problems, "not-a-party")
    assert code == 1 and len(problems) == 1
    assert problem["path"] == FIXTURE_ANNOTATIONS
    assert problem["line"] == line_of(corpus, FIXTURE_ANNOTATIONS, "country: DE")
    assert problem["message"] == "agreements[1].events[1] concerns DE, which is not among this record's parties"
    assert "add {country: DE} to parties" in problem["hint"]


# --- a meeting's venue ------------------------------------------------------------------------

def test_a_venue_with_its_own_city_is_accepted(readout, capsys):
    edit(readout, READOUT_ANNOTATIONS, "    venue_id: palazzo-chigi", "    place_id: rome\n    venue_id: palazzo-chigi")
    assert validate(capsys, readout) == (0, [])


def test_a_venue_in_another_city_is_refused(readout, capsys):
    edit(readout, PLACES, "- place_id: palazzo-chigi", "- place_id: calais\n  name: Calais\n  place_type: city\n"
         "  country: FR\n- place_id: palazzo-chigi")
    edit(readout, READOUT_ANNOTATIONS, "    venue_id: palazzo-chigi", "    place_id: calais\n    venue_id: palazzo-chigi")
    code, problems = validate(capsys, readout)
    problem = only(problems, "venue-mismatch")
    assert code == 1 and len(problems) == 1
    assert problem["line"] == line_of(readout, READOUT_ANNOTATIONS, "place_id: calais")
    assert "is at venue_id 'palazzo-chigi', which is in 'rome'" in problem["message"]
    assert "its place_id is 'calais'" in problem["message"]


def test_a_city_given_as_a_venue_is_refused(readout, capsys):
    edit(readout, READOUT_ANNOTATIONS, "venue_id: palazzo-chigi", "venue_id: rome")
    code, problems = validate(capsys, readout)
    problem = only(problems, "bad-value")
    assert code == 1 and len(problems) == 1
    assert problem["line"] == line_of(readout, READOUT_ANNOTATIONS, "venue_id: rome")
    assert problem["message"] == "venue_id 'rome' is not a venue in sources/registry/places.yaml"
    assert "place_id" in problem["hint"]


def test_a_misspelled_venue_is_refused_with_a_did_you_mean(readout, capsys):
    edit(readout, READOUT_ANNOTATIONS, "venue_id: palazzo-chigi", "venue_id: palazzo-chigy")
    code, problems = validate(capsys, readout)
    problem = only(problems, "unknown-id")
    assert code == 1 and len(problems) == 1
    assert problem["line"] == line_of(readout, READOUT_ANNOTATIONS, "venue_id: palazzo-chigy")
    assert "did you mean 'palazzo-chigi'?" in problem["hint"]


def test_a_country_beside_a_venue_is_refused(readout, capsys):
    edit(readout, READOUT_ANNOTATIONS, "    status: held", "    country: IT\n    status: held")
    code, problems = validate(capsys, readout)
    problem = only(problems, "bad-value")
    assert code == 1 and len(problems) == 1
    assert problem["message"] == "meetings[1] has both venue_id and country"


def test_a_misspelled_place_type_is_refused_with_a_did_you_mean(readout, capsys):
    edit(readout, PLACES, "place_type: venue", "place_type: venu")
    code, problems = validate(capsys, readout)
    problem = only(problems, "bad-value")
    assert code == 1 and len(problems) == 1  # the meeting at the venue is not refused as well
    assert problem["path"] == PLACES and problem["line"] == line_of(readout, PLACES, "place_type: venu")
    assert "did you mean 'venue'?" in problem["hint"]


@pytest.mark.parametrize("old, new, code, needle, message", [
    ("  parent_place_id: rome\n", "", "missing-field", "place_id: palazzo-chigi",
     "venue 'palazzo-chigi' has no parent_place_id"),
    ("parent_place_id: rome", "parent_place_id: rom", "unknown-id", "parent_place_id: rom",
     "parent_place_id 'rom' is not in the places registry"),
    ("parent_place_id: rome", "parent_place_id: palazzo-chigi", "bad-value", "parent_place_id: palazzo-chigi",
     "parent_place_id 'palazzo-chigi' of 'palazzo-chigi' is not the city it is in"),
])
def test_a_venue_without_its_city_in_the_registry_is_refused(readout, capsys, old, new, code, needle, message):
    edit(readout, PLACES, old, new)
    exit_code, problems = validate(capsys, readout)
    problem = only(problems, code)
    assert exit_code == 1 and len(problems) == 1
    assert (problem["path"], problem["line"], problem["message"]) == (PLACES, line_of(readout, PLACES, needle), message)
    if code == "unknown-id":
        assert "did you mean 'rome'?" in problem["hint"]


# --- declared once, in the codebook, and compared with earlier releases -----------------------

def test_each_addition_is_declared_once_and_in_the_codebook():
    tables = load_tables()
    codebook = (TESTS.parent / "datasets" / "CODEBOOK.md").read_text(encoding="utf-8")
    additions = [("meetings", "venue_id", None), ("places", "place_type", "venue"),
                 ("places", "parent_place_id", None), ("agreements", "agreement_type", "process"),
                 ("agreements", "agreement_type", "programme"), ("agreement_parties", "role", "participant"),
                 ("agreement_events", "country", None)]
    additions += [("agreement_events", "event_type", value) for value in NEW_EVENTS]
    for table, field, value in additions:
        spec = tables[table].field(field)
        assert value is None or value in spec.enum, (table, field, value)
        assert f"`{value or field}`" in codebook, (table, field, value)
    assert tables["agreement_events"].primary_key == ("agreement_id", "event_type", "country", "source_id")


def test_diff_against_a_release_without_the_event_country(tmp_path):
    """A release made before agreement_events had its country still compares, row by row."""
    schema = load_tables()["agreement_events"].to_arrow()
    row = {"agreement_id": "a", "event_type": "signed", "country": None, "date": None, "date_precision": None,
           "is_planned": False, "source_id": "s"}
    joined = {**row, "event_type": "joined", "country": "GB"}
    ended = {**row, "event_type": "ended"}  # in the release only
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    old = pa.Table.from_pylist([row, ended], schema=schema).drop_columns(["country"])
    pq.write_table(old, tmp_path / "old" / "agreement_events.parquet")
    pq.write_table(pa.Table.from_pylist([row, joined], schema=schema), tmp_path / "new" / "agreement_events.parquet")
    out = diff_builds(tmp_path / "old", tmp_path / "new", "0.0.1")
    assert "| agreement_events | 2 | 2 | 1 | 1 | 0 |" in out
    assert "columns added: country" in out
    assert "`agreement_id=a, event_type=joined, country=GB, source_id=s`" in out
    assert "`agreement_id=a, event_type=ended, country=null, source_id=s`" in out
