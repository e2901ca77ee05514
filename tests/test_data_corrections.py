"""The rules behind the data corrections of issue 13, and the corrected data itself.

- A figure's period is what the source states: null (both ends) only for a figure the
  source attributes to a body (reported_by), and the keys must be written. validate says
  so with file:line; the Pandera checks of the built table hold the same rule.
- `bill_approved` is an agreement event ("MPs approved a new bill"), distinct from
  `legislation_passed` (a law).
- A meeting without a place may state its country; a meeting with a place takes the
  place's country, and validate refuses both.
- The real sources, built: the corrections are in the published tables.
"""

import datetime as dt
import json

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from conftest import edit, line_of, only
from pipelines.cli import main
from pipelines.core.tables import check_schema
from pipelines.schemas import load_tables

ANNOTATIONS = "sources/news/2024-03-04-fixture-strait-talks/annotations.yaml"
# The fixture's Home Office figure (reported_by: uk-home-office) and its boats figure (no reported_by).
ATTRIBUTED = "    period_start: last month\n    period_end: last month\n"
UNATTRIBUTED = "    period_start: on Saturday\n    period_end: on Saturday\n"
NULL_PERIOD = "    period_start: null\n    period_end: null\n"


def validate(capsys, root):
    code = main(["--root", str(root), "validate", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)["problems"]


# --- a period the source does not state ---------------------------------------------------

def test_null_period_is_accepted_for_a_figure_attributed_to_a_body(corpus, capsys):
    edit(corpus, ANNOTATIONS, ATTRIBUTED, NULL_PERIOD)
    code, problems = validate(capsys, corpus)
    assert (code, problems) == (0, [])


def test_null_period_is_refused_without_reported_by(corpus, capsys):
    edit(corpus, ANNOTATIONS, UNATTRIBUTED, NULL_PERIOD)
    code, problems = validate(capsys, corpus)
    problem = only(problems, "missing-field")
    assert code == 1 and len(problems) == 1
    assert problem["path"] == ANNOTATIONS
    assert problem["line"] == line_of(corpus, ANNOTATIONS, "crossing_id: fixture-channel-boats") + 2
    assert "crossings[2] has no period (period_start and period_end are null) and no reported_by" in problem["message"]
    assert "say which in reported_by" in problem["hint"]


def test_a_period_with_one_null_end_is_refused(corpus, capsys):
    edit(corpus, ANNOTATIONS, ATTRIBUTED, "    period_start: null\n    period_end: last month\n")
    code, problems = validate(capsys, corpus)
    problem = only(problems, "missing-field")
    assert code == 1 and len(problems) == 1
    assert problem["message"] == "crossings[1] has period_end but period_start is null"
    assert problem["line"] == line_of(corpus, ANNOTATIONS, "period_start: null")


def test_the_period_keys_must_be_written(corpus, capsys):
    # Leaving the key out is not saying "not stated": it is forgetting it.
    edit(corpus, ANNOTATIONS, ATTRIBUTED, "    period_end: null\n")
    code, problems = validate(capsys, corpus)
    problem = only(problems, "missing-field")
    assert code == 1 and len(problems) == 1
    assert problem["message"] == "crossings[1] has no period_start"
    assert problem["line"] == line_of(corpus, ANNOTATIONS, "crossing_id: fixture-channel-people")


def crossings_frame(**changes) -> pa.Table:
    row = {"crossing_id": "x-1", "source_id": "2024-01-01-x", "route": "western_balkans", "period_start": None,
           "period_end": None, "measure": "people_pct_change", "value": -77.0, "qualifier": "exact",
           "value_low": -77.0, "value_high": -77.0, "reported_by": "frontex"}
    row.update(changes)
    return pa.Table.from_pylist([row], schema=load_tables()["crossings"].to_arrow())


def test_the_built_table_holds_the_same_period_rule():
    crossings = load_tables()["crossings"]
    assert check_schema(crossings_frame(), crossings).passed
    unattributed = check_schema(crossings_frame(reported_by=None), crossings)
    assert not unattributed.passed
    assert {f["check"] for f in unattributed.failures} == {"period_start may be null only where reported_by is set"}
    half = check_schema(crossings_frame(period_start=dt.date(2024, 1, 1)), crossings)
    assert {f["check"] for f in half.failures} == {"period_start and period_end must be null together"}


# --- a vote on a bill is not a law ---------------------------------------------------------

def test_bill_approved_is_an_agreement_event(corpus, capsys):
    edit(corpus, ANNOTATIONS, "{event_type: signed, date: last year}", "{event_type: bill_approved, date: last year}")
    assert validate(capsys, corpus) == (0, [])
    labels = load_tables()["agreement_events"].field("event_type").labels
    assert "not say the bill became law" in labels["bill_approved"]


def test_an_undeclared_event_type_is_refused(corpus, capsys):
    edit(corpus, ANNOTATIONS, "{event_type: signed, date: last year}", "{event_type: vote_won, date: last year}")
    code, problems = validate(capsys, corpus)
    problem = only(problems, "bad-value")
    assert code == 1
    assert problem["message"] == "event_type 'vote_won' is not one of the allowed values"
    assert "bill_approved" in problem["hint"]


# --- a meeting's country -------------------------------------------------------------------

def test_a_meeting_without_a_place_may_state_its_country(corpus, capsys):
    edit(corpus, ANNOTATIONS, "    place_id: london\n", "    country: GB\n")
    assert validate(capsys, corpus) == (0, [])


def test_a_country_beside_a_place_is_refused(corpus, capsys):
    edit(corpus, ANNOTATIONS, "    place_id: london\n", "    place_id: london\n    country: FR\n")
    code, problems = validate(capsys, corpus)
    problem = only(problems, "bad-value")
    assert code == 1 and len(problems) == 1
    assert problem["message"] == "meetings[1] has both place_id and country"
    assert problem["line"] == line_of(corpus, ANNOTATIONS, "place_id: london") + 1


# --- the corrected data, as built from sources/ -----------------------------------------------

@pytest.fixture(scope="module")
def published(real_build):
    parquet = real_build / "data" / "parquet"
    return {name: pd.read_parquet(parquet / f"{name}.parquet")
            for name in ("crossings", "meetings", "meeting_participants", "agreements", "agreement_events", "people")}


def test_frontex_figures_without_a_stated_period_have_none(published):
    frontex = published["crossings"].set_index("crossing_id")
    frontex = frontex[frontex["reported_by"] == "frontex"]
    unstated = frontex.drop("2024-09-16-frontex-channel-pct-change-2024-to-date")  # "this year" is stated
    assert len(unstated) == 5
    assert unstated["period_start"].isna().all() and unstated["period_end"].isna().all()
    channel = frontex.loc["2024-09-16-frontex-channel-pct-change-2024-to-date"]
    assert (channel["period_start"], channel["period_end"]) == (dt.date(2024, 1, 1), dt.date(2024, 9, 16))


def test_meetings_are_about_migration_with_the_people_the_text_puts_there(published):
    meetings = published["meetings"].set_index("meeting_id")
    assert "2023-12-16-rome-atreju" not in meetings.index
    assert "elon-musk" not in set(published["people"]["person_id"])
    assert meetings.loc["2024-09-16-national-coordination-centre-for-migration-visit", "country"] == "IT"
    assert pd.isna(meetings.loc["2024-09-16-national-coordination-centre-for-migration-visit", "city"])
    participants = published["meeting_participants"].groupby("meeting_id")["person_id"].apply(set)
    assert participants["2024-09-16-rome-starmer-meloni"] == {"giorgia-meloni", "keir-starmer"}
    assert "martin-hewitt" in participants["2024-09-16-national-coordination-centre-for-migration-visit"]


# The two articles the corrections were about; later sources state statuses and events of their own.
CORRECTED = ("2023-12-16-sunak-rome-meloni-rama", "2024-09-16-starmer-meloni-rome")


def test_agreement_statuses_and_events_say_what_the_text_says(published, real_build):
    con = duckdb.connect(str(real_build / "borderlines.duckdb"), read_only=True)
    status = {}  # agreement -> the statuses those two articles give it
    for agreement_id, value in con.execute("SELECT agreement_id, status FROM stg_agreements WHERE source_id IN (?, ?)",
                                           list(CORRECTED)).fetchall():
        status.setdefault(agreement_id, set()).add(value)
    for unstated in ("uk-rwanda-partnership", "uk-albania-returns-agreement", "italy-tunisia-migration-deal"):
        assert status[unstated] == {None}, unstated
    assert status["italy-albania-protocol"] == {"signed"} and status["italy-libya-migration-deal"] == {"in_force"}
    events = published["agreement_events"]
    events = events[events["source_id"].isin(CORRECTED)]
    rwanda = events[events["agreement_id"] == "uk-rwanda-partnership"]
    assert list(rwanda["event_type"]) == ["bill_approved"]
    assert "legislation_passed" not in set(events["event_type"])
