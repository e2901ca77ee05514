"""Italy, Ministry of the Interior: daily sea arrivals ("sbarchi"), as extracted by ondata.

The file (Data, Valore, Note, Fonte, Data_Report) stacks the reports of the ministry's
daily statistical dashboard: each report, issued mid-month and at month end, lists every
day of its month, so most dates appear twice, and values change as they are consolidated.

Rules, in order:
1. Each record is checked on its own. An impossible or malformed date (2024-04-31,
   2025-02-30), a malformed report date, an empty value or a value that is not a whole
   number ("0[VALORE]0") is logged as an issue and the record is left out.
2. For each date the record from the latest report (greatest Data_Report) is kept; the
   others are superseded and counted. Ties (same date, same Data_Report; none in the file
   as retrieved): the record further down the file wins; the other is counted as
   superseded when the values agree and logged as an issue when they differ.
3. A kept record dated after its own report cannot be a count: mid-month reports fill
   the rest of the month with 0. It is logged and left out (for example 2025-09-16 to
   2025-09-30, which only the report of 2025-09-15 lists).

Note and Fonte are kept as written; on the records kept, whitespace around them is trimmed
and logged (an empty or blank cell is null).

So every input record is either in the output, superseded (counted in `stats`), or an
issue. Pass a dict as the keyword `stats` to get rows_read, rows_kept, superseded and issues.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipelines.reference.quality import ROW_SKIPPED, WHOLE_ROW, IssueLog, csv_records, trimmed
from pipelines.schemas import load_tables

DATASET = "italy-interior-ministry-arrivals"
TABLE = "italy_sea_arrivals_daily"  # its columns, in order, are those declared in schemas/tables/
REQUIRED = ["Data", "Valore", "Note", "Fonte", "Data_Report"]


@dataclass(frozen=True)
class _Record:
    line: int
    date: dt.date
    report_date: dt.date
    arrivals: int
    raw_value: str
    note: str  # raw text of Note
    source: str  # raw text of Fonte


def read_daily(path: Path, *, stats: dict | None = None) -> tuple[pd.DataFrame, list[dict]]:
    """(arrivals by date, issues): one row per date, from the latest report that has it."""
    log = IssueLog(DATASET, path.name)
    by_date: dict[dt.date, list[_Record]] = {}
    rows_read = 0
    for line, rec in csv_records(path, log, REQUIRED):
        rows_read += 1
        record = _check(line, rec, log)
        if record is not None:
            by_date.setdefault(record.date, []).append(record)
    rows_read += sum(1 for issue in log.issues if issue.column == WHOLE_ROW)  # malformed CSV records

    kept: list[_Record] = []
    superseded = 0
    for day in sorted(by_date):
        records = sorted(by_date[day], key=lambda r: (r.report_date, r.line))
        winner = records[-1]
        for other in records[:-1]:
            if other.report_date == winner.report_date and other.arrivals != winner.arrivals:
                log.add(other.line, "Valore", other.raw_value,
                        f"line {winner.line} has the same date and report date but the value {winner.raw_value}",
                        f"row skipped; line {winner.line} kept")
            else:
                superseded += 1
        if winner.date > winner.report_date:
            log.add(winner.line, "Valore", winner.raw_value,
                    f"the date is after its report ({winner.report_date.isoformat()}), which fills days "
                    "not yet counted with 0, and no later report gives this date",
                    ROW_SKIPPED)
            continue
        kept.append(winner)

    frame = pd.DataFrame(
        {
            "date": [r.date for r in kept],
            "arrivals": pd.array([r.arrivals for r in kept], dtype="Int64"),
            "note": pd.array([trimmed(r.note, r.line, "Note", log) or None for r in kept], dtype=pd.StringDtype()),
            "source": pd.array([trimmed(r.source, r.line, "Fonte", log) or None for r in kept],
                               dtype=pd.StringDtype()),
            "report_date": [r.report_date for r in kept],
        }
    )[load_tables()[TABLE].field_names]  # the declared order; a declared column not made here raises KeyError
    if stats is not None:
        stats.update(rows_read=rows_read, rows_kept=len(frame), superseded=superseded, issues=len(log))
    return frame, log.records()


def _check(line: int, rec: dict[str, str], log: IssueLog) -> _Record | None:
    day = _date(rec["Data"], line, "Data", log)
    if day is None:
        return None
    report_date = _date(rec["Data_Report"], line, "Data_Report", log)
    if report_date is None:
        return None
    raw = rec["Valore"]
    if not raw.strip():
        log.add(line, "Valore", raw, "the value is empty", ROW_SKIPPED)
        return None
    if not re.fullmatch(r"\d+", raw.strip()):
        log.add(line, "Valore", raw, "the value is not a whole number of 0 or more", ROW_SKIPPED)
        return None
    return _Record(line, day, report_date, int(raw.strip()), raw,
                   rec["Note"], rec["Fonte"])


def _date(raw: str, line: int, column: str, log: IssueLog) -> dt.date | None:
    text = raw.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        log.add(line, column, raw, "not a date in the form YYYY-MM-DD", ROW_SKIPPED)
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        log.add(line, column, raw, "no such day in the calendar", ROW_SKIPPED)
        return None
