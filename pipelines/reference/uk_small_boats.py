"""UK Home Office: migrants detected crossing the English Channel in small boats.

Reads the Home Office's time-series workbook (ODS): sheet SB_01 has one row per day,
SB_02 one row per week (shown on the week's last day).

- Header: the header row is found by its content, not its position: the first row (of
  the first 50) that holds every expected column label. Labels are compared lowercased,
  with whitespace collapsed, dashes unified and "[note N]" markers removed; columns are
  then taken by label, so added, moved or title rows do not shift values.
- Data rows: a row whose first cell is a date. A blank row is passed over; any other row
  (footnote, total, stray text) is logged as an issue and left out.
- Counts: "-" means "not collected" and becomes null, never 0. Text, fractions or
  negative numbers where a count should be become null and are logged. A number stored
  as text ("1,214") is read as that number.
- Notes: kept as written (e.g. "Revised" marks a figure revised since first published),
  trimmed of surrounding whitespace, which is logged.

Both readers return (table, data-quality issues), the issues as dicts in the shape of
pipelines.reference.quality.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from pathlib import Path

import pandas as pd

from pipelines.reference.quality import ROW_SKIPPED, SET_TO_NULL, IssueLog, trimmed

DATASET = "uk-home-office-small-boats"
HEADER_SCAN_ROWS = 50
NOT_COLLECTED = "-"

# Sheet label (normalised) -> output column, in output order. The first is the date.
DAILY_COLUMNS = {
    "date": "date",
    "migrants arrived": "migrants_arrived",
    "boats arrived": "boats_arrived",
    "boats arrived - involved in uncontrolled landings": "boats_uncontrolled_landings",
    "notes": "notes",
}
WEEKLY_COLUMNS = {
    "week ending": "week_ending",
    "migrants arrived": "migrants_arrived",
    "boats arrived": "boats_arrived",
    "boats arrived - involved in uncontrolled landings": "boats_uncontrolled_landings",
    "migrants prevented": "migrants_prevented",
    "events prevented": "events_prevented",
    "notes": "notes",
}
TEXT_COLUMNS = {"notes"}


def read_daily(path: Path) -> tuple[pd.DataFrame, list[dict]]:
    """(daily arrivals, issues) from sheet SB_01: date, migrants_arrived, boats_arrived,
    boats_uncontrolled_landings, notes."""
    return _read(path, "SB_01", DAILY_COLUMNS)


def read_weekly(path: Path) -> tuple[pd.DataFrame, list[dict]]:
    """(weekly arrivals, issues) from sheet SB_02: week_ending, the three arrival counts,
    migrants_prevented, events_prevented, notes."""
    return _read(path, "SB_02", WEEKLY_COLUMNS)


def _read(path: Path, sheet: str, columns: dict[str, str]) -> tuple[pd.DataFrame, list[dict]]:
    # keep_default_na=False: a cell reading "NA", "nan" or "null" is text, not a missing value.
    raw = pd.read_excel(path, sheet_name=sheet, header=None, engine="calamine", dtype=object, keep_default_na=False)
    log = IssueLog(DATASET, path.name)
    return parse_sheet(raw, sheet, columns, log), log.records()


def parse_sheet(raw: pd.DataFrame, sheet: str, columns: dict[str, str], log: IssueLog) -> pd.DataFrame:
    """Turn a sheet read with header=None (row i = sheet row i + 1) into the typed table."""
    header_index, positions = find_header(raw, sheet, list(columns))
    labels = {label: str(raw.iat[header_index, positions[label]]).strip() for label in columns}
    date_label = next(iter(columns))
    out: dict[str, list] = {name: [] for name in columns.values()}
    seen: dict[dt.date, str] = {}
    rows = raw.values.tolist()
    for index in range(header_index + 1, len(rows)):
        cells = rows[index]
        where = f"{sheet}:{index + 1}"
        if all(_blank(cell) for cell in cells):
            continue
        first = cells[positions[date_label]]
        day = _as_date(first)
        if day is None:
            log.add(where, labels[date_label], _raw_text(first),
                    "the first cell is not a date, so the row is not data (a footnote, total or stray text)",
                    ROW_SKIPPED)
            continue
        if day in seen:
            log.add(where, labels[date_label], _raw_text(first),
                    f"the date {day.isoformat()} already appears in row {seen[day]}", ROW_SKIPPED)
            continue
        seen[day] = where
        for label, name in columns.items():
            cell = cells[positions[label]]
            if label == date_label:
                out[name].append(day)
            elif name in TEXT_COLUMNS:
                out[name].append(None if _blank(cell) else trimmed(str(cell), where, labels[label], log))
            else:
                out[name].append(_count(cell, where, labels[label], log))
    frame = pd.DataFrame(out)
    for label, name in columns.items():
        if name in TEXT_COLUMNS:
            frame[name] = frame[name].astype(pd.StringDtype())
        elif label != date_label:
            frame[name] = pd.array(out[name], dtype="Int64")
    return frame


def find_header(raw: pd.DataFrame, sheet: str, labels: list[str]) -> tuple[int, dict[str, int]]:
    """Index of the header row and the column position of each expected label."""
    for index in range(min(len(raw), HEADER_SCAN_ROWS)):
        found = {}
        for position, cell in enumerate(raw.iloc[index].tolist()):
            if isinstance(cell, str):
                found.setdefault(normalise_label(cell), position)
        if all(label in found for label in labels):
            return index, {label: found[label] for label in labels}
    raise ValueError(f"{sheet}: no row among the first {HEADER_SCAN_ROWS} holds all of the labels {labels}")


def normalise_label(text: str) -> str:
    text = re.sub(r"\[[^\]]*\]", " ", text)  # "[note 5]" footnote markers
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)  # hyphen and dash variants
    return " ".join(text.split()).lower()


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, float) and math.isnan(cell)) or (isinstance(cell, str) and not cell.strip())


def _raw_text(cell) -> str:
    return "" if _blank(cell) else str(cell)


def _as_date(cell) -> dt.date | None:
    if isinstance(cell, (pd.Timestamp, dt.datetime)):
        return None if pd.isna(cell) else cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, str):
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(cell.strip(), fmt).date()
            except ValueError:
                pass
    return None


def _count(cell, where: str, column: str, log: IssueLog) -> int | None:
    """A non-negative whole number, or None ('-' = not collected; anything else is logged)."""
    if isinstance(cell, str):
        text = cell.strip()
        if text == NOT_COLLECTED:
            return None
        if re.fullmatch(r"\d{1,3}(,\d{3})*|\d+", text):
            return int(text.replace(",", ""))
        problem = "text where a count should be" if text else "empty cell where a count or '-' should be"
        log.add(where, column, cell, problem, SET_TO_NULL)
        return None
    if _blank(cell):
        log.add(where, column, "", "empty cell where a count or '-' should be", SET_TO_NULL)
        return None
    if isinstance(cell, bool) or not isinstance(cell, numbers.Real):
        log.add(where, column, cell, f"a {type(cell).__name__} where a count should be", SET_TO_NULL)
        return None
    if not math.isfinite(cell) or cell != int(cell) or cell < 0:
        log.add(where, column, cell, "a count must be a whole number of 0 or more", SET_TO_NULL)
        return None
    return int(cell)
