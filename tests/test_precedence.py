"""Precedence and conflicts: which source's value is published when sources disagree, and
which disagreements are conflicts (pipelines/core/sql/precedence.sql, value_sources.sql,
conflicts.sql).

The corpus tests/fixtures/precedence/ has three invented sources of one meeting, two
incidents and one agreement (its README says who says what). A test that needs another
corpus copies it and changes one thing, so each rule is seen to decide.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from pipelines.schemas import load_tables

from conftest import TESTS, build, edit, failed_checks, line_of  # noqa: E402 (shared: conftest.py)

PRECEDENCE = TESTS / "fixtures" / "precedence"
NEWS = "sources/news"
PREVIEW = "2024-05-03-fixture-times-summit-preview"  # newspaper, morning of the meeting: planned
READOUT = "2024-05-03-fixture-downing-readout"  # the fixture UK government's readout, same day: held
REPORT = "2024-05-06-fixture-herald-summit-report"  # newspaper, three days later: held
MEETING = "2024-05-03-fixture-london-talks"
CAPSIZE = "2024-05-01-fixture-calais-capsize"
RESCUE = "2024-05-02-fixture-dover-rescue"
DEAL = "fixture-returns-deal"


def _build(root: Path, out: Path) -> duckdb.DuckDBPyConnection:
    result = build(root, out)
    assert result.success, failed_checks(result)
    return duckdb.connect(str(out / "borderlines.duckdb"), read_only=True)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    con = _build(PRECEDENCE, tmp_path_factory.mktemp("precedence-build"))
    yield con
    con.close()


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(PRECEDENCE, root)
    return root


def _conflicts(con, record_id: str, field: str) -> dict[str, tuple]:
    """source_id -> (value, published_value, published_source_id, rule, is_published_value)."""
    rows = con.execute("SELECT source_id, value, published_value, published_source_id, rule, is_published_value "
                       "FROM conflicts WHERE record_id = ? AND field = ?", [record_id, field]).fetchall()
    return {row[0]: row[1:] for row in rows}


def _value_source(con, table: str, record_id: str, field: str) -> tuple:
    return con.execute("SELECT source_id, rule FROM value_sources WHERE table_name = ? AND record_id = ? AND field = ?",
                       [table, record_id, field]).fetchone()


def _meeting(con, field: str):
    return con.execute(f"SELECT {field} FROM meetings WHERE meeting_id = ?", [MEETING]).fetchone()[0]


# --- status follows the event -----------------------------------------------------------------

def test_planned_then_held_publishes_held_and_names_the_rule(db):
    assert _meeting(db, "status") == "held"
    rows = _conflicts(db, MEETING, "status")
    assert rows[PREVIEW][0] == "planned" and rows[PREVIEW][4] is False
    assert rows[READOUT][:4] == ("held", "held", READOUT, "status_after_event")
    assert _value_source(db, "meetings", MEETING, "status") == (READOUT, "status_after_event")


def test_held_beats_a_same_day_announcement_whatever_the_ids(tmp_path):
    """The case of issue 12: an announcement and a readout on the day of the meeting. By id
    order the announcement (…-times-…) would come after the readout (…-downing-…) and win;
    the status rule publishes held. Without a publisher_id the readout is not primary: the
    status rule alone decides."""
    root = _copy(tmp_path)
    shutil.rmtree(root / NEWS / REPORT)
    edit(root, f"{NEWS}/{READOUT}/source.yaml", "publisher_id: fixture-uk-government", "publisher_id: null")
    con = _build(root, tmp_path / "build")
    assert PREVIEW > READOUT  # the announcement's id sorts last: a tie broken by id order would pick it
    assert _meeting(con, "status") == "held"
    assert _value_source(con, "meetings", MEETING, "status") == (READOUT, "status_after_event")
    # the other fields of the same two sources are a true tie, decided by the documented order
    assert _value_source(con, "meetings", MEETING, "purpose") == (READOUT, "tie")

    # a cancellation reported on the day outranks the announcement as a held meeting does
    edit(root, f"{NEWS}/{READOUT}/annotations.yaml", "status: held", "status: cancelled")
    con = _build(root, tmp_path / "build-cancelled")
    assert _meeting(con, "status") == "cancelled"
    assert _conflicts(con, MEETING, "status")[PREVIEW][:4] == ("planned", "cancelled", READOUT, "status_after_event")


# --- a primary source outranks a secondary one ------------------------------------------------

def test_official_readout_outranks_a_later_news_report(db):
    # the readout (UK government, the host is British) says bilateral; the report, three
    # days later, multilateral: the readout is published, by the primary-source rule
    assert _meeting(db, "meeting_type") == "bilateral"
    rows = _conflicts(db, MEETING, "meeting_type")
    assert rows[REPORT][:4] == ("multilateral", "bilateral", READOUT, "primary_source")
    # the UK is a party to the agreement: the readout's capacity, with its own qualifier
    capacity, qualifier = db.execute("SELECT capacity, capacity_qualifier FROM agreements WHERE agreement_id = ?",
                                     [DEAL]).fetchone()
    assert (capacity, qualifier) == (500, "up_to")
    assert _conflicts(db, DEAL, "capacity")[REPORT][:4] == ("600", "500", READOUT, "primary_source")
    assert db.execute("SELECT role FROM meeting_participants WHERE meeting_id = ? AND person_id = 'ben-example'",
                      [MEETING]).fetchone() == ("host",)


def test_without_a_government_publisher_the_later_report_wins(tmp_path):
    root = _copy(tmp_path)
    edit(root, f"{NEWS}/{READOUT}/source.yaml", "publisher_id: fixture-uk-government", "publisher_id: null")
    con = _build(root, tmp_path / "build")
    assert _meeting(con, "meeting_type") == "multilateral"
    assert _conflicts(con, MEETING, "meeting_type")[READOUT][:4] == ("bilateral", "multilateral", REPORT,
                                                                     "later_publication")
    assert con.execute("SELECT capacity, capacity_qualifier FROM agreements").fetchone() == (600, "exact")


def test_a_government_is_primary_only_where_its_country_takes_part(tmp_path):
    root = _copy(tmp_path)
    # the same readout, published by a government none of whose people took part
    edit(root, "sources/registry/organisations.yaml", "country: GB", "country: ES")
    con = _build(root, tmp_path / "build")
    assert _meeting(con, "meeting_type") == "multilateral"
    assert _value_source(con, "meetings", MEETING, "meeting_type") == (REPORT, "later_publication")


# --- otherwise the later publication; a true tie is said to be one ----------------------------

def test_later_publication_and_tie(db):
    assert db.execute("SELECT dead FROM incidents WHERE incident_id = ?", [CAPSIZE]).fetchone() == (5,)
    assert _conflicts(db, CAPSIZE, "dead")[PREVIEW][:4] == ("4", "5", REPORT, "later_publication")
    # two sources of the same day, neither primary for an incident: a tie, published from the
    # source whose id comes first, and the conflict row says it was a tie
    assert db.execute("SELECT survivors FROM incidents WHERE incident_id = ?", [RESCUE]).fetchone() == (14,)
    assert _conflicts(db, RESCUE, "survivors")[PREVIEW][:4] == ("12", "14", READOUT, "tie")


# --- what is a conflict -----------------------------------------------------------------------

def test_wording_is_no_conflict_a_different_count_is(db):
    fields = {row[0] for row in db.execute("SELECT DISTINCT field FROM conflicts").fetchall()}
    # "Prime Minister" / "British Prime Minister", two purposes, "off Calais" / "3km off
    # Calais", "Britain" / no wording: each source's words, never compared
    assert {"position", "purpose", "location", "described_as"}.isdisjoint(fields)
    wordings = db.execute("SELECT DISTINCT position FROM stg_meeting_participants WHERE person_id = 'ben-example'")
    assert len(wordings.fetchall()) == 2  # the sources do word it differently
    assert {"dead", "capacity", "status", "meeting_type", "role"} <= fields
    # the same count from two sources is no conflict: it is published as agreed
    assert not _conflicts(db, CAPSIZE, "survivors")
    assert _value_source(db, "incidents", CAPSIZE, "survivors") == (REPORT, "sources_agree")  # the first-ranked


def test_a_participant_one_source_leaves_out_is_a_presence_conflict(db):
    rows = _conflicts(db, f"{MEETING}/carla-sample", "present")
    assert rows == {PREVIEW: ("false", "true", REPORT, "named_by_any_source", False),
                    READOUT: ("false", "true", REPORT, "named_by_any_source", False),
                    REPORT: ("true", "true", REPORT, "named_by_any_source", True)}
    assert not _conflicts(db, f"{MEETING}/anna-fixture", "present")  # every source names her
    counts = dict(db.execute("SELECT person_id, number_of_sources FROM meeting_participants").fetchall())
    assert counts == {"anna-fixture": 3, "ben-example": 3, "carla-sample": 1}


# --- every published value says where it comes from ------------------------------------------

MERGED = {  # table: (record_id expression, key columns, the staging table and id of the record's sources)
    "incidents": ("incident_id", ["incident_id"], "stg_incidents", "incident_id"),
    "meetings": ("meeting_id", ["meeting_id"], "stg_meetings", "meeting_id"),
    "agreements": ("agreement_id", ["agreement_id"], "stg_agreements", "agreement_id"),
    "meeting_participants": ("meeting_id || '/' || person_id", ["meeting_id", "person_id"], "stg_meetings",
                             "meeting_id"),
    "agreement_parties": ("agreement_id || '/' || country", ["agreement_id", "country"], "stg_agreements",
                          "agreement_id"),
}


def _unexplained(con, value_sources: str = "value_sources") -> list[tuple]:
    """(table, record, field) of published values of records several sources report that
    value_sources does not attribute to a source giving exactly that value."""
    wrong = []
    for table, (record_id, keys, reports, parent_id) in MERGED.items():
        stated = [c for (c,) in con.execute(f"SELECT column_name FROM (DESCRIBE stg_{table})").fetchall()
                  if c not in (*keys, "source_id", "published_date")]
        spec = load_tables()[table]
        for field in stated:
            # a field no source states publishes its declared merged_default (a party's role)
            default = next((f.merged_default for f in spec.fields if f.name == field), None)
            by_default = f"OR (vs.source_id IS NULL AND published.value = '{default}')" if default else ""
            wrong += con.execute(f"""
                SELECT '{table}', published.record_id, '{field}'
                FROM (SELECT {record_id} AS record_id, "{field}"::VARCHAR AS value FROM {table}
                      WHERE {parent_id} IN (SELECT {parent_id} FROM {reports} GROUP BY ALL HAVING count(*) > 1))
                     AS published
                LEFT JOIN {value_sources} AS vs
                  ON vs.table_name = '{table}' AND vs.record_id = published.record_id AND vs.field = '{field}'
                LEFT JOIN (SELECT {record_id} AS record_id, source_id, "{field}"::VARCHAR AS value
                           FROM stg_{table}) AS given
                  ON given.record_id = published.record_id AND given.source_id = vs.source_id
                WHERE NOT (published.value IS NOT DISTINCT FROM given.value {by_default})
                  -- a meeting's country comes from its place, not from a source
                  AND NOT ('{table}' = 'meetings' AND '{field}' = 'country' AND published.record_id IN
                           (SELECT meeting_id FROM meetings WHERE place_id IS NOT NULL))
                  AND NOT ('{table}' = 'incidents' AND '{field}' = 'country' AND given.value IS NULL
                           AND vs.source_id IS NULL)
            """).fetchall()
    return wrong


def test_value_sources_names_the_source_of_every_published_value(db):
    assert _unexplained(db) == []
    rules = {rule for (rule,) in db.execute("SELECT DISTINCT rule FROM value_sources").fetchall()}
    assert rules == {"single_source", "sources_agree", "status_after_event", "primary_source",
                     "later_publication", "tie"}
    # the check can fail: a row naming a source that gave another value
    db.execute("CREATE OR REPLACE TEMP TABLE misattributed AS SELECT * REPLACE (CASE WHEN record_id = ? "
               "AND field = 'dead' THEN ? ELSE source_id END AS source_id) FROM value_sources", [CAPSIZE, PREVIEW])
    assert _unexplained(db, "temp.misattributed") == [("incidents", CAPSIZE, "dead")]


def test_real_sources_publish_the_same_values_and_no_wording_conflict(real_build):
    """uk-rwanda-partnership is reported by several real sources (the two founding newspaper
    articles among them): each published value comes from a source that gives it. Its former
    conflict, how each article words Rwanda ("the Central African country", "the East African
    nation"), is wording: no wording is ever a conflict, and the later article's is published."""
    con = duckdb.connect(str(real_build / "borderlines.duckdb"), read_only=True)
    assert _unexplained(con) == []
    listed = {record for (record,) in con.execute("SELECT DISTINCT record_id FROM value_sources").fetchall()}
    assert {"uk-rwanda-partnership", "uk-rwanda-partnership/GB", "uk-rwanda-partnership/RW"} <= listed
    # records one source reports are not listed: every value is that source's
    single = {record for (record,) in con.execute(
        "SELECT meeting_id FROM meetings WHERE number_of_sources = 1 UNION ALL "
        "SELECT incident_id FROM incidents WHERE number_of_sources = 1 UNION ALL "
        "SELECT agreement_id FROM agreements WHERE number_of_sources = 1").fetchall()}
    assert single and not single & listed
    several = {record for (record,) in con.execute(
        "SELECT agreement_id FROM agreements WHERE number_of_sources > 1 UNION SELECT meeting_id FROM meetings "
        "WHERE number_of_sources > 1 UNION SELECT incident_id FROM incidents WHERE number_of_sources > 1").fetchall()}
    assert {record.split("/")[0] for record in listed} == several
    assert con.execute("SELECT count(*) FROM conflicts WHERE field IN "
                       "('description', 'purpose', 'location', 'position', 'described_as', 'notes')").fetchone() == (0,)
    # Rwanda's wording comes from the first-ranked source that words it (a government's own text
    # outranks the newspapers'), and the newspapers' other wordings are no conflict
    first_wording = con.execute("""
        SELECT reports.source_id FROM stg_agreement_parties AS reports
        JOIN report_precedence() AS ranks ON ranks.table_name = 'agreements'
         AND ranks.record_id = reports.agreement_id AND ranks.source_id = reports.source_id
        WHERE reports.agreement_id = 'uk-rwanda-partnership' AND reports.country = 'RW'
          AND reports.described_as IS NOT NULL
        ORDER BY ranks.precedence DESC LIMIT 1""").fetchone()[0]
    assert con.execute("SELECT source_id FROM value_sources WHERE record_id = 'uk-rwanda-partnership/RW' "
                       "AND field = 'described_as'").fetchone() == (first_wording,)
    assert con.execute("SELECT count(*) FROM stg_agreement_parties WHERE agreement_id = 'uk-rwanda-partnership' "
                       "AND country = 'RW' AND described_as IS NOT NULL").fetchone()[0] >= 2


# --- publisher_id in source.yaml --------------------------------------------------------------

def _validate(capsys, root) -> list[dict]:
    main(["--root", str(root), "validate", "--format", "json"])
    return json.loads(capsys.readouterr().out)["problems"]


def test_publisher_id_must_be_in_the_organisations_registry(tmp_path, capsys):
    root = _copy(tmp_path)
    assert _validate(capsys, root) == []
    metadata = f"{NEWS}/{READOUT}/source.yaml"
    edit(root, metadata, "publisher_id: fixture-uk-government", "publisher_id: fixture-uk-govt")
    problems = _validate(capsys, root)
    assert [(p["code"], p["path"], p["line"]) for p in problems] == [
        ("unknown-id", metadata, line_of(root, metadata, "publisher_id"))]
    assert "fixture-uk-government" in problems[0]["hint"]  # did you mean
    assert "organisations.yaml" in problems[0]["hint"]
