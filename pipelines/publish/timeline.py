"""The timeline chart of the release: agreements, their events, and the meetings around them.

One row per agreement or process (table agreements), earliest first. On each row:
- its events (agreement_events) as circles coloured by event type, one mark per event
  type, date, date precision and planned flag (two sources giving the same date make one
  mark; sources giving different dates make one each). A planned event (is_planned: not
  yet happened when the source was published) is hollow. A date known only to its month or year is
  drawn at the middle of that month or year, with a pale bar over the whole of it;
- its related meetings (table meetings) as diamonds, hollow when planned, a cross when
  cancelled. There is no field linking a meeting to an agreement, so the rule is the
  simplest honest one: a meeting is related to an agreement when a source that reports
  the meeting also reports the agreement (the source has quotes in evidence for both).
  A meeting can so be drawn on several rows; a meeting no source links to an agreement is
  not drawn, and the caption says how many.
Events without a date cannot be placed: they are listed under the agreement's name.
No agreements, no chart (as the series charts without official data): the release then
has no charts/agreements_timeline.svg and its datapackage.json lists none. Same inputs,
same bytes (the SVG conventions of chart.py).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
import textwrap
from pathlib import Path
from typing import Any

import duckdb

from pipelines.publish.files import file_resource
from pipelines.publish.chart import SVG_SALT
from pipelines.reference.attribution import resource_attribution
from pipelines.schemas import load_tables

NAME = "agreements_timeline"
TITLE = "Migration agreements: their events, and the meetings reported with them"
# One colour per event type (agreement_events.event_type); a type added later is drawn grey
# until it is given one here.
EVENT_COLOURS = {
    "agreed": "#17becf", "signed": "#1f77b4", "joined": "#9467bd", "funds_committed": "#bcbd22",
    "amended": "#8c564b", "renewed": "#2ca02c", "legislation_passed": "#e377c2", "bill_approved": "#f4a6cf",
    "entered_into_force": "#ff7f0e", "operations_started": "#d62728", "first_transfer": "#7f0000",
    "suspended": "#7f7f7f", "ended": "#000000", "court_ruling": "#e6b800",
}
OTHER_COLOUR = "#b0b0b0"
MEETING_COLOUR = "#3a3a3a"
RELATED_RULE = ("a meeting is drawn on an agreement's row when a source that reports the meeting also reports "
                "the agreement (it has quotes in evidence for both)")

# The agreements that a source reporting each meeting also reports.
RELATED_MEETINGS = """
SELECT DISTINCT on_agreement.record_id AS agreement_id, m.meeting_id, m.date, m.status
FROM evidence AS on_meeting
JOIN evidence AS on_agreement
  ON on_agreement.source_id = on_meeting.source_id AND on_agreement.table_name = 'agreements'
JOIN meetings AS m ON m.meeting_id = on_meeting.record_id
WHERE on_meeting.table_name = 'meetings'
ORDER BY agreement_id, m.date, m.meeting_id
"""


def timeline_data(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the chart draws, from the tables: rows (agreements, earliest dated mark first),
    dated events, related meetings, and how many meetings are related to no agreement."""
    # Ordered by every column selected: rows alike but for their precision would otherwise come
    # in the order the table happens to store them, and the same tables draw different bytes.
    events = [dict(zip(("agreement_id", "event_type", "date", "date_precision", "is_planned"), row))
              for row in con.execute(
                  """SELECT DISTINCT agreement_id, event_type, date, coalesce(date_precision, 'day') AS precision,
                            is_planned
                     FROM agreement_events WHERE date IS NOT NULL
                     ORDER BY agreement_id, date, event_type, is_planned, precision""").fetchall()]
    undated = con.execute(
        """SELECT agreement_id, list(DISTINCT event_type || CASE WHEN is_planned THEN ' (planned)' ELSE '' END
                                     ORDER BY event_type || CASE WHEN is_planned THEN ' (planned)' ELSE '' END)
           FROM agreement_events WHERE date IS NULL GROUP BY agreement_id""").fetchall()
    meetings = [dict(zip(("agreement_id", "meeting_id", "date", "status"), row))
                for row in con.execute(RELATED_MEETINGS).fetchall()]
    unrelated = con.execute(
        f"SELECT count(*) FROM meetings WHERE meeting_id NOT IN (SELECT meeting_id FROM ({RELATED_MEETINGS}))"
    ).fetchone()[0]
    first: dict[str, dt.date] = {}
    for mark in events + meetings:
        first[mark["agreement_id"]] = min(first.get(mark["agreement_id"], mark["date"]), mark["date"])
    undated_of = dict(undated)
    rows = [{"agreement_id": agreement_id, "name": name, "undated": [t.replace("_", " ") for t in
                                                                     undated_of.get(agreement_id, [])]}
            for agreement_id, name in con.execute("SELECT agreement_id, name FROM agreements").fetchall()]
    rows.sort(key=lambda r: (r["agreement_id"] not in first, first.get(r["agreement_id"], dt.date.max),
                             r["agreement_id"]))
    return {"rows": rows, "events": events, "meetings": meetings, "unrelated_meetings": unrelated}


def _period(day: dt.date, precision: str) -> tuple[dt.date, dt.date]:
    """The first and last day a date of this precision stands for."""
    if precision == "year":
        return day, dt.date(day.year, 12, 31)
    if precision == "month":
        following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return day, following - dt.timedelta(days=1)
    if precision == "week":
        return day, day + dt.timedelta(days=6)
    return day, day


def timeline_marks(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every mark the chart draws: kind (event or meeting), row (0 = top), the day it is
    drawn at, the period it stands for, its label, colour and fill."""
    row_of = {r["agreement_id"]: i for i, r in enumerate(data["rows"])}
    marks = []
    for e in data["events"]:
        start, end = _period(e["date"], e["date_precision"])
        marks.append({"kind": "event", "row": row_of[e["agreement_id"]], "label": e["event_type"],
                      "day": start + (end - start) / 2, "period": (start, end),
                      "colour": EVENT_COLOURS.get(e["event_type"], OTHER_COLOUR),
                      "hollow": bool(e["is_planned"])})
    for m in data["meetings"]:
        marks.append({"kind": "meeting", "row": row_of[m["agreement_id"]], "label": f"meeting {m['status']}",
                      "day": m["date"], "period": (m["date"], m["date"]), "colour": MEETING_COLOUR,
                      "hollow": m["status"] == "planned", "cancelled": m["status"] == "cancelled"})
    return marks


def caption(data: dict[str, Any]) -> str:
    """The chart's caption: what the marks are, the rule for related meetings, the credit."""
    unrelated = data["unrelated_meetings"]
    text = (f"Rows: table agreements. Circles: agreement_events, coloured by event type; hollow: planned when "
            f"the source was published; a date known only to its month or year sits mid-period on a pale bar.\n"
            f"Diamonds: meetings; {RELATED_RULE}. "
            + (f"{unrelated} meeting{'s' if unrelated != 1 else ''} with no such agreement "
               f"{'are' if unrelated != 1 else 'is'} not drawn. " if unrelated else "")
            + "Events without a date are listed under the agreement's name.\n"
            "Data: Borderlines, tables agreements, agreement_events, meetings and evidence (CC BY 4.0).")
    return "\n".join(line for paragraph in text.split("\n") for line in textwrap.wrap(paragraph, 165))


def render(data: dict[str, Any], path: Path) -> None:
    import matplotlib
    from matplotlib.dates import date2num
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    rows, marks = data["rows"], timeline_marks(data)
    drawn = {m["label"] for m in marks if m["kind"] == "event"}
    # the legend lists the event types drawn, in the declaration's order, then any other
    event_types = [t for t in EVENT_COLOURS if t in drawn] + sorted(drawn - set(EVENT_COLOURS))
    meeting_kinds = [k for k in ("meeting held", "meeting planned", "meeting cancelled")
                     if any(m["label"] == k for m in marks)]
    legend_items = len(event_types) + len(meeting_kinds) + (1 if any(m["hollow"] for m in marks) else 0)
    # heights in inches: title, one band per row, the date axis, the legend, the caption
    top, row_h, axis_h = 0.45, 0.5, 0.4
    legend_h = 0.2 * math.ceil(max(legend_items, 1) / 5)
    caption_h = 0.15 + 0.14 * caption(data).count("\n") + 0.14
    height = top + row_h * len(rows) + axis_h + legend_h + caption_h
    with matplotlib.rc_context({"svg.hashsalt": SVG_SALT, "svg.fonttype": "none", "font.size": 9}):
        fig = Figure(figsize=(10, height))
        bottom = (axis_h + legend_h + caption_h) / height
        ax = fig.add_axes((0.3, bottom, 0.67, row_h * len(rows) / height))
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([_row_label(r) for r in rows], fontsize=8)
        for i in range(len(rows)):
            ax.axhline(i, color="#e5e5e5", linewidth=0.6, zorder=0)
        # One artist per colour of bar and per style of mark, not one per mark: at 10,000
        # sources a chart has tens of thousands of marks, and an artist each took most of a build.
        bars: dict[str, list] = defaultdict(list)
        points: dict[tuple, list] = defaultdict(list)
        for m in sorted(marks, key=lambda m: (m["kind"], m["row"], m["day"], m["label"])):
            y = m["row"] + (-0.12 if m["kind"] == "event" else 0.18)
            if m["period"][0] != m["period"][1] and m["kind"] == "event":
                bars[m["colour"]].append((y, date2num(m["period"][0]), date2num(m["period"][1])))
            style = (m["kind"], m["colour"], m["hollow"], bool(m.get("cancelled")))
            points[style].append((date2num(m["day"]), y))
        for colour, segments in bars.items():
            ys, starts, ends = zip(*segments)
            ax.hlines(ys, starts, ends, colors=colour, linewidth=6, alpha=0.3, capstyle="butt", zorder=1)
        for (kind, colour, hollow, cancelled), xy in points.items():
            xs, ys = zip(*xy)
            ax.plot(xs, ys, marker="o" if kind == "event" else ("X" if cancelled else "D"), linestyle="",
                    markersize=8 if kind == "event" else 7, color=colour,
                    markerfacecolor="white" if hollow else colour, markeredgewidth=1.6 if hollow else 0.5,
                    markeredgecolor=colour if hollow else "black", zorder=3)
        if marks:
            first, last = min(m["period"][0] for m in marks), max(m["period"][1] for m in marks)
            pad = max(dt.timedelta(days=45), (last - first) * 0.04)
            ax.set_xlim(date2num(first - pad), date2num(last + pad))
            ax.xaxis_date()
            ax.grid(axis="x", color="#eeeeee", linewidth=0.5)
        else:
            ax.set_xticks([])
            ax.text(0.5, 0.5, "No event or related meeting has a date", transform=ax.transAxes,
                    ha="center", va="center", color="#555555")
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", length=0)
        fig.text(0.01, 1 - 0.12 / height, TITLE, fontsize=10, va="top")
        handles = [Line2D([], [], marker="o", linestyle="", color=EVENT_COLOURS.get(t, OTHER_COLOUR),
                          markeredgecolor="black", markeredgewidth=0.5, label=t.replace("_", " "))
                   for t in event_types]
        if any(m["hollow"] for m in marks):
            handles.append(Line2D([], [], marker="o", linestyle="", color="#777777", markerfacecolor="white",
                                  markeredgewidth=1.6, label="planned (hollow)"))
        for kind in meeting_kinds:
            handles.append(Line2D([], [], marker="X" if kind.endswith("cancelled") else "D", linestyle="",
                                  color=MEETING_COLOUR, markerfacecolor="white" if kind.endswith("planned")
                                  else MEETING_COLOUR, markeredgewidth=1.6 if kind.endswith("planned") else 0.5,
                                  markeredgecolor=MEETING_COLOUR if kind.endswith("planned") else "black",
                                  label=kind))
        if handles:
            fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.01, (legend_h + caption_h) / height),
                       ncols=5, fontsize=7.5, frameon=False)
        fig.text(0.01, 0.1 / height, caption(data), fontsize=6.5, color="#444444", va="bottom", linespacing=1.5)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format=path.suffix[1:], metadata={"Date": None, "Title": TITLE} if path.suffix == ".svg"
                    else None)


def _row_label(row: dict[str, Any]) -> str:
    label = "\n".join(textwrap.wrap(row["name"], 42))
    if row["undated"]:
        label += "\n" + "\n".join(textwrap.wrap("undated: " + ", ".join(row["undated"]), 50))
    return label


def write_timeline(con: duckdb.DuckDBPyConnection, folder: Path, draw=None) -> list[Path]:
    """Draw the timeline into folder when there are agreements; returns the files written.
    draw: as for `chart.write_charts`."""
    data = timeline_data(con)
    if not data["rows"]:
        return []
    path = folder / f"{NAME}.svg"
    if draw is None:
        render(data, path)
    else:
        draw(path, data, lambda out: render(data, out))
    return [path]


def timeline_entries(out_dir: Path, root: Path, prefix: str = "") -> list[dict[str, Any]]:
    """The datapackage.json resource of the timeline, when the build drew one."""
    entry = file_resource(
        out_dir, f"charts/{NAME}.svg", prefix, name=f"{NAME}_chart", mediatype="image/svg+xml", title=TITLE,
        description=("Timeline of each agreement (table agreements): its dated events (agreement_events) "
                     f"coloured by event type, planned ones hollow, and its related meetings: {RELATED_RULE}. "
                     "See pipelines/publish/timeline.py."))
    if entry is None:
        return []
    # drawn from the project's own tables only: under agreements' licence (the package's)
    return [{**entry, "licenses": resource_attribution(load_tables()["agreements"], root)["licenses"]}]
