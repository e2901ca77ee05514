"""Charts of the release: an official daily series with the news figures checked against it.

Each chart draws the series' daily values and, coloured by the verdict of their claim
check, the figures news sources report for the same series:
- a figure for one day is a dot at that day and the reported value;
- a figure for a longer period is a horizontal segment over the period at the reported
  value divided by the days of the period (a daily mean), beside a dotted segment at the
  official daily mean of the same period, so that "28,000 in a year" can sit on a chart
  of days;
- changes, ratios and ranks are not drawn (they have no place on this axis).
The window runs from 1 January of the earliest figure's year (or the series' start) to
the series' end. Same inputs, same bytes: the SVG carries no date, its ids come from a
fixed salt, and text stays text (no font outlines).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipelines.publish.files import file_resource
from pipelines.reference.attribution import credit, resource_attribution
from pipelines.schemas import load_tables

VERDICT_COLOURS = {  # ColorBrewer Dark2, readable by most colour-blind readers
    "consistent": "#1b9e77",
    "inconsistent": "#d95f02",
    "different_measure": "#7570b3",
    "not_checkable": "#7f7f7f",
}
SVG_SALT = "borderlines"


@dataclass(frozen=True)
class ChartSpec:
    name: str  # file name without .svg; the resource is <name>_chart
    series: str  # reference table
    date_field: str
    value_field: str
    measure: str  # crossings.measure of the figures drawn
    title: str
    ylabel: str
    credit: str  # the attribution line the series' licence asks for


CHARTS = [
    ChartSpec("channel_arrivals", "uk_small_boat_arrivals_daily", "date", "migrants_arrived", "people",
              "People arriving in the UK in small boats per day, and the figures news sources report",
              "people per day",
              "Official series: UK Home Office, Migrants detected crossing the English Channel in small boats.\n"
              "Contains public sector information licensed under the Open Government Licence v3.0."),
    ChartSpec("italy_sea_arrivals", "italy_sea_arrivals_daily", "date", "arrivals", "people",
              "People arriving in Italy by sea per day, and the figures news sources report",
              "people per day",
              "Official series: Ministero dell'Interno, cruscotto statistico giornaliero.\n"
              "Fonte: Liberiamoli tutti! (datibenecomune.substack.com), CC BY 4.0."),
]


def chart_data(con: duckdb.DuckDBPyConnection, spec: ChartSpec) -> tuple[list, list[dict]]:
    """(daily rows (date, value), marks): the checked figures of the series' measure."""
    days = con.execute(f"SELECT {spec.date_field}, {spec.value_field} FROM {spec.series} "
                       f"WHERE {spec.value_field} IS NOT NULL ORDER BY 1").fetchall()
    marks = con.execute(
        """SELECT record_id, period_start, period_end, reported_value, official_value, verdict
           FROM claim_checks
           WHERE table_name = 'crossings' AND field = 'value' AND series = ? AND series_field = ?
             AND measure = ? AND reported_value IS NOT NULL
           ORDER BY record_id""", [spec.series, spec.value_field, spec.measure]).fetchall()
    keys = ["record_id", "period_start", "period_end", "reported", "official", "verdict"]
    return days, [dict(zip(keys, row)) for row in marks]


def render(spec: ChartSpec, days: list, marks: list[dict], path: Path) -> None:
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    first_mark = min((m["period_start"] for m in marks), default=days[0][0])
    start = max(days[0][0], dt.date(first_mark.year, 1, 1))
    shown = [(d, v) for d, v in days if d >= start]
    with matplotlib.rc_context({"svg.hashsalt": SVG_SALT, "svg.fonttype": "none", "font.size": 9}):
        fig = Figure(figsize=(10, 5.6))
        ax = fig.add_axes((0.07, 0.28, 0.9, 0.65))
        ax.plot([d for d, _ in shown], [v for _, v in shown], color="#9ecae1", linewidth=0.6)
        _draw_marks(ax, marks)
        ax.set_xlim(start, days[-1][0])
        ax.set_ylim(bottom=0)
        ax.set_ylabel(spec.ylabel)
        ax.set_title(spec.title, loc="left", fontsize=10)
        ax.grid(axis="y", color="#dddddd", linewidth=0.5)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        handles = [Line2D([], [], color="#9ecae1", linewidth=1.5, label="official daily value"),
                   Line2D([], [], marker="o", linestyle="", color="#cccccc", markeredgecolor="black",
                          markeredgewidth=0.5, label="news figure for one day"),
                   Line2D([], [], color="#cccccc", linewidth=2.5, marker="|", markersize=9, markeredgewidth=2,
                          label="news figure for a period, per day"),
                   Line2D([], [], color="black", linewidth=1, linestyle=":", label="official, per day, same period")]
        handles += [Line2D([], [], marker="s", linestyle="", color=colour, label=verdict.replace("_", " "))
                    for verdict, colour in VERDICT_COLOURS.items()]
        fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.065, 0.105), ncols=4, fontsize=7.5,
                   frameon=False)
        fig.text(0.07, 0.012, spec.credit + "\nNews figures and verdicts: Borderlines, table claim_checks (CC BY 4.0).",
                 fontsize=7, color="#444444", va="bottom", linespacing=1.5)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="svg", metadata={"Date": None, "Title": spec.title})


def _draw_marks(ax, marks: list[dict]) -> None:
    """The news figures: one line artist per verdict and kind of mark, its segments split by
    NaN, rather than one per figure. Each figure looks the same; a large corpus has tens of
    thousands of figures, which took 30 s to draw one by one (benchmarks/RESULTS.md)."""
    from matplotlib.dates import date2num

    nan = float("nan")
    for verdict, colour in VERDICT_COLOURS.items():
        mine = [m for m in marks if m["verdict"] == verdict]
        dots = [m for m in mine if m["period_end"] == m["period_start"]]
        spans = [m for m in mine if m["period_end"] != m["period_start"]]
        if spans:
            xs, ys, official_xs, official_ys = [], [], [], []
            for m in spans:
                length = (m["period_end"] - m["period_start"]).days + 1
                span = [date2num(m["period_start"]), date2num(m["period_end"]), nan]
                xs += span
                ys += [m["reported"] / length] * 2 + [nan]
                if m["official"] is not None:
                    official_xs += span
                    official_ys += [m["official"] / length] * 2 + [nan]
            # end ticks keep a period of a few days visible on a multi-year axis
            ax.plot(xs, ys, color=colour, linewidth=2.5, marker="|", markersize=9, markeredgewidth=2, zorder=3)
            if official_xs:
                ax.plot(official_xs, official_ys, color="black", linewidth=1, linestyle=":", zorder=3)
        if dots:
            ax.plot([date2num(m["period_start"]) for m in dots], [m["reported"] for m in dots], "o", color=colour,
                    markersize=6, markeredgecolor="black", markeredgewidth=0.5, zorder=3)


def write_charts(con: duckdb.DuckDBPyConnection, folder: Path, draw=None) -> list[Path]:
    """Render every chart whose series has data into folder; returns the files written.
    draw: what draws a file from its data (`pipelines.publish.build.Drawings.draw`), when not
    simply `render`."""
    written = []
    for spec in CHARTS:
        days, marks = chart_data(con, spec)
        if not days:  # a corpus without official statistics has nothing to draw
            continue
        path = folder / f"{spec.name}.svg"
        if draw is None:
            render(spec, days, marks, path)
        else:
            draw(path, [spec.name, days, marks],
                 lambda out, spec=spec, days=days, marks=marks: render(spec, days, marks, out))
        written.append(path)
    return written


def chart_entries(out_dir: Path, root: Path, prefix: str = "") -> list[dict[str, Any]]:
    """datapackage.json resources for the charts present in out_dir/charts/, crediting the
    series' reference folder in the corpus at root."""
    entries = []
    for spec in CHARTS:
        entry = file_resource(
            out_dir, f"charts/{spec.name}.svg", prefix, name=f"{spec.name}_chart", mediatype="image/svg+xml",
            title=spec.title,
            description=(f"Chart of {spec.series}.{spec.value_field} with the news figures of claim_checks "
                         "for that series marked and coloured by verdict (see pipelines/publish/chart.py)."))
        if entry is None:
            continue
        entries.append({
            **entry,
            # The chart draws claim_checks' figures over an official series: it is published
            # under claim_checks' licence (its declaration), crediting the series' files.
            "licenses": resource_attribution(load_tables()["claim_checks"], root)["licenses"],
            **credit(root, [load_tables()[spec.series].build["folder"]], with_licences=False),
        })
    return entries
