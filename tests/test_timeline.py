"""The timeline chart of agreements, their events and related meetings (pipelines/publish/timeline.py)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import REPO
from pipelines.publish.datapackage import verify_files
from pipelines.publish.timeline import (EVENT_COLOURS, MEETING_COLOUR, timeline_data, timeline_entries,
                                        timeline_marks, write_timeline)

D = dt.date


def tables(agreements=(), events=(), meetings=(), evidence=()) -> duckdb.DuckDBPyConnection:
    """The columns of the published tables that the timeline reads, holding the given rows."""
    con = duckdb.connect()
    con.execute("CREATE TABLE agreements (agreement_id VARCHAR, name VARCHAR)")
    con.execute("CREATE TABLE agreement_events (agreement_id VARCHAR, event_type VARCHAR, country VARCHAR, "
                "date DATE, date_precision VARCHAR, is_planned BOOLEAN, source_id VARCHAR)")
    con.execute("CREATE TABLE meetings (meeting_id VARCHAR, date DATE, status VARCHAR)")
    con.execute("CREATE TABLE evidence (source_id VARCHAR, table_name VARCHAR, record_id VARCHAR)")
    for table, rows in (("agreements", agreements), ("agreement_events", events), ("meetings", meetings),
                        ("evidence", evidence)):
        if rows:
            width = len(rows[0])
            con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * width)})", list(rows))
    return con


def known() -> duckdb.DuckDBPyConnection:
    """One agreement with two events (one planned) and a meeting its source also reports; a
    second agreement with an undated event only; a meeting no agreement's source reports."""
    return tables(
        agreements=[("north-south-deal", "North-South deal"), ("east-west-pact", "East-West pact")],
        events=[("north-south-deal", "signed", None, D(2024, 3, 1), "day", False, "source-a"),
                ("north-south-deal", "signed", None, D(2024, 3, 1), "day", False, "source-b"),  # same event again
                ("north-south-deal", "first_transfer", None, D(2024, 6, 1), "month", True, "source-a"),
                ("east-west-pact", "renewed", None, None, None, False, "source-c")],
        meetings=[("2024-02-10-summit", D(2024, 2, 10), "held"), ("2024-05-05-other-talks", D(2024, 5, 5), "planned")],
        evidence=[("source-a", "agreements", "north-south-deal"), ("source-a", "meetings", "2024-02-10-summit"),
                  ("source-c", "agreements", "east-west-pact"), ("source-d", "meetings", "2024-05-05-other-talks")])


def test_rows_and_marks_come_from_the_tables():
    data = timeline_data(known())
    # the agreement with dated marks first; the undated event is listed under the other's name
    assert [(r["agreement_id"], r["undated"]) for r in data["rows"]] == [("north-south-deal", []),
                                                                         ("east-west-pact", ["renewed"])]
    assert data["unrelated_meetings"] == 1  # source-d reports no agreement
    marks = timeline_marks(data)
    assert [(m["kind"], m["row"], m["label"], m["hollow"], m["colour"]) for m in marks] == [
        ("event", 0, "signed", False, EVENT_COLOURS["signed"]),  # two sources, one date: one mark
        ("event", 0, "first_transfer", True, EVENT_COLOURS["first_transfer"]),  # planned: hollow
        ("meeting", 0, "meeting held", False, MEETING_COLOUR),  # source-a reports both
    ]
    signed, transfer, meeting = marks
    assert signed["day"] == D(2024, 3, 1) and signed["period"] == (D(2024, 3, 1), D(2024, 3, 1))
    assert transfer["period"] == (D(2024, 6, 1), D(2024, 6, 30)) and transfer["day"] == D(2024, 6, 15)
    assert meeting["day"] == D(2024, 2, 10)


def test_a_meeting_is_drawn_on_every_agreement_its_sources_report():
    con = tables(agreements=[("a-deal", "A deal"), ("b-deal", "B deal")],
                 meetings=[("2023-01-01-talks", D(2023, 1, 1), "cancelled")],
                 evidence=[("s1", "agreements", "a-deal"), ("s2", "agreements", "b-deal"),
                           ("s1", "meetings", "2023-01-01-talks"), ("s2", "meetings", "2023-01-01-talks")])
    marks = timeline_marks(timeline_data(con))
    assert [(m["row"], m["label"], m["cancelled"]) for m in marks] == [(0, "meeting cancelled", True),
                                                                       (1, "meeting cancelled", True)]


def test_the_svg_names_rows_legend_and_rule(tmp_path):
    [path] = write_timeline(known(), tmp_path)
    svg = path.read_text(encoding="utf-8")
    for text in ("North-South deal", "East-West pact", "undated: renewed", "signed", "first transfer",
                 "planned (hollow)", "meeting held", "a source that reports the meeting also reports",
                 "1 meeting with no such agreement is not drawn", "(CC BY 4.0)"):
        assert text in svg, text
    assert "meeting planned" not in svg  # the planned meeting is related to no agreement: not drawn


def test_no_agreements_no_chart(tmp_path):
    assert write_timeline(tables(meetings=[("2024-01-01-talks", D(2024, 1, 1), "held")]), tmp_path) == []
    assert not (tmp_path / "agreements_timeline.svg").exists()
    assert timeline_entries(tmp_path.parent, REPO) == []


def test_agreements_without_any_date_say_so(tmp_path):
    con = tables(agreements=[("a-deal", "A deal")], events=[("a-deal", "signed", None, None, None, False, "s1")])
    [path] = write_timeline(con, tmp_path)
    assert "No event or related meeting has a date" in path.read_text(encoding="utf-8")


DRAW_AGAIN = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from test_timeline import known
from pipelines.publish.timeline import write_timeline
write_timeline(known(), Path(sys.argv[1]))
"""


def test_same_tables_same_bytes(tmp_path):
    [first] = write_timeline(known(), tmp_path / "first")
    # a fresh process, as a second build would be
    subprocess.run([sys.executable, "-c", DRAW_AGAIN, str(tmp_path / "second"), str(Path(__file__).parent)],
                   check=True, cwd=REPO)
    assert (tmp_path / "second" / first.name).read_bytes() == first.read_bytes()


def test_the_order_rows_are_stored_in_changes_nothing(tmp_path):
    # two events alike but for the precision of their date: however the table stores them,
    # the chart's data (what decides whether a build draws it again) and its bytes are the same
    rows = [("a-deal", "signed", None, D(2024, 3, 1), "month", False, "s1"),
            ("a-deal", "signed", None, D(2024, 3, 1), "day", False, "s2"),
            ("a-deal", "signed", None, D(2024, 3, 1), "year", False, "s3")]
    agreements = [("a-deal", "A deal")]
    stored = [tables(agreements=agreements, events=order) for order in (rows, rows[::-1], rows[1:] + rows[:1])]
    data = [timeline_data(con) for con in stored]
    assert data[0]["events"] == data[1]["events"] == data[2]["events"]
    assert [e["date_precision"] for e in data[0]["events"]] == ["day", "month", "year"]
    drawn = [write_timeline(con, tmp_path / str(i))[0].read_bytes() for i, con in enumerate(stored)]
    assert drawn[0] == drawn[1] == drawn[2]


def test_the_build_draws_lists_and_credits_the_timeline(fixture_build):
    data = fixture_build / "data"
    svg = (data / "charts" / "agreements_timeline.svg").read_text(encoding="utf-8")
    assert "Fixture returns deal" in svg and "meeting held" in svg  # the fixture's agreement, and its meeting
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    [entry] = [r for r in descriptor["resources"] if r["name"] == "agreements_timeline_chart"]
    assert entry["path"] == "charts/agreements_timeline.svg" and entry["mediatype"] == "image/svg+xml"
    assert [lic["name"] for lic in entry["licenses"]] == ["CC-BY-4.0"]
    assert verify_files(data / "datapackage.json") == []


@pytest.mark.parametrize("needle", ["charts/agreements_timeline.svg", "How to cite"])
def test_readme_shows_the_timeline_and_how_to_cite(needle):
    assert needle in (REPO / "README.md").read_text(encoding="utf-8")
