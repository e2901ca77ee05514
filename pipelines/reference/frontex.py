"""Frontex: monthly detections of illegal border-crossing at the EU's external borders.

The file is an R data file (`frontex.rda`) holding one data frame, `frontex`, with the
columns route, type, nat, t, n: one row per route, border type (Sea, Land), nationality
(ISO 3166-1 alpha-3 as Frontex writes it) and month; `t` is the first day of the month
as days since 1970-01-01, `n` the number of detections. Detections are not people: a
person detected twice counts twice.

The table is read to check the figures sources attribute to Frontex; it is never
published (its declaration says why). One output row per row of the data frame; `row`
in the data-quality log is "frontex:<1-based row number>". Logged and left out: a row
without route, border type, nationality or month, a `t` that is not the first day of a
month, a row repeating another's route, type, nationality and month. Logged and set to
null: a count that is negative or not whole. A route name Frontex uses that has no code
in the dataset's route vocabulary is kept with a null `route` (it still counts in the
total of all routes); a route name not seen before is logged.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from pipelines.reference.quality import ROW_SKIPPED, SET_TO_NULL, IssueLog
from pipelines.schemas import load_tables

DATASET = "frontex-detections"
TABLE = "frontex_detections"  # its columns, in order, are those declared in schemas/tables/frontex_detections.yaml
FRAME = "frontex"
COLUMNS = ["route", "type", "nat", "t", "n"]
EPOCH = dt.date(1970, 1, 1)
BORDER_TYPES = {"Sea": "sea", "Land": "land"}

# Frontex's route name -> the dataset's route code (crossings.route). The circular route
# from Albania to Greece, the Black Sea route and "Other" have no code of their own: they
# count only in the total of all routes (all_eu_external_borders).
FRONTEX_ROUTES = {
    "Central Mediterranean Route": "central_mediterranean",
    "Eastern Mediterranean Route": "eastern_mediterranean",
    "Western Mediterranean Route": "western_mediterranean",
    "Western African Route": "western_african",
    "Western Balkan Route": "western_balkans",
    "Eastern Borders Route": "eastern_land_borders",
    "Circular Route from Albania to Greece": None,
    "Black Sea Route": None,
    "Other": None,
}


def read_detections(path: Path) -> tuple[pd.DataFrame, list[dict]]:
    """(detections, issues): one row per route, border type, nationality and month."""
    log = IssueLog(DATASET, path.name)
    source = _data_frame(path)
    out: dict[str, list] = {name: [] for name in load_tables()[TABLE].field_names}
    seen: dict[tuple, int] = {}
    unknown_routes: set[str] = set()
    for number, (route, border, nat, t, n) in enumerate(source[COLUMNS].itertuples(index=False, name=None), 1):
        row = f"{FRAME}:{number}"
        route, border, nat = _text(route), _text(border), _text(nat)
        if route is None or border is None or nat is None:
            log.add(row, "*", f"{route}, {border}, {nat}", "the row lacks its route, border type or nationality",
                    ROW_SKIPPED)
            continue
        if border not in BORDER_TYPES:
            log.add(row, "type", border, f"border type must be one of {', '.join(BORDER_TYPES)}", ROW_SKIPPED)
            continue
        month = _month(t)
        if month is None:
            log.add(row, "t", t, "not the first day of a month as days since 1970-01-01", ROW_SKIPPED)
            continue
        key = (route, border, nat, month)
        if key in seen:
            log.add(row, "*", f"{route}, {border}, {nat}, {month}",
                    f"the same route, border type, nationality and month as row {seen[key]}", ROW_SKIPPED)
            continue
        seen[key] = number
        if route not in FRONTEX_ROUTES and route not in unknown_routes:  # logged once, on its first row
            unknown_routes.add(route)
            log.add(row, "route", route, "a route name the reader does not know; its rows count only in the total "
                    "of all routes", "rows kept, route code null")
        out["frontex_route"].append(route)
        out["route"].append(FRONTEX_ROUTES.get(route))
        out["border_type"].append(BORDER_TYPES[border])
        out["nationality"].append(nat)
        out["month"].append(month)
        out["detections"].append(_count(n, row, log))
    return _frame(out), log.records()


def _data_frame(path: Path) -> pd.DataFrame:
    """The data frame `frontex` of the R data file; a clear error if the file is not one."""
    import pyreadr  # imported on first use: only this reader needs it

    try:
        frames = pyreadr.read_r(str(path))
    except Exception as err:  # pyreadr raises its own errors for files it cannot read
        raise ValueError(f"{path.name}: not an R data file pyreadr can read ({err}); "
                         f"copy the file again from the commit its provenance.yaml records") from None
    if FRAME not in frames:
        raise ValueError(f"{path.name}: holds no data frame {FRAME!r} (it holds {', '.join(frames) or 'none'})")
    frame = frames[FRAME]
    missing = [name for name in COLUMNS if name not in frame.columns]
    if missing:
        raise ValueError(f"{path.name}: data frame {FRAME!r} lacks column(s) {missing}; it has {list(frame.columns)}")
    return frame


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _month(t) -> dt.date | None:
    """The month `t` names (days since 1970-01-01), if it is the first day of one."""
    try:
        days = float(t)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(days) or days != int(days):
        return None
    try:
        day = EPOCH + dt.timedelta(days=int(days))
    except OverflowError:
        return None
    return day if day.day == 1 else None


def _count(n, row: str, log: IssueLog) -> int | None:
    try:
        value = float(n)
    except (TypeError, ValueError):
        value = math.nan
    if math.isfinite(value) and value >= 0 and value == int(value):
        return int(value)
    problem = ("the count of detections is missing (NA)" if n is None or (isinstance(n, float) and math.isnan(n))
               else "a count of detections must be a whole number of 0 or more")
    log.add(row, "n", n, problem, SET_TO_NULL)
    return None


def _frame(out: dict[str, list]) -> pd.DataFrame:
    frame = pd.DataFrame(out)
    frame["detections"] = pd.array(out["detections"], dtype="Int64")
    for name in ("frontex_route", "route", "border_type", "nationality"):
        frame[name] = frame[name].astype(pd.StringDtype())
    return frame
