"""Data-quality issues found while reading reference files, in one shape for every reader.

An issue names the cell it is about (dataset, file, row, column), keeps the raw text of
that cell, says what is wrong and what the reader did about it. Readers never crash on a
bad cell: they log an issue and go on, so the published `reference_data_quality` table
lists every value that was changed (set to null, recomputed, or only trimmed of whitespace:
`trimmed`) and every row that was left out.

`row` is text so that one column can locate a cell in a CSV file and in a workbook:
- CSV: the physical line number in the file, header = line 1 (e.g. "3315");
- spreadsheet: sheet name and 1-based row number, e.g. "SB_01:2176".
`column` is the column header as written in the file; "*" means the whole row.
The issues of all readers are published as the table `reference_data_quality`.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

import pandas as pd

from pipelines.schemas import load_tables

ISSUES_TABLE = "reference_data_quality"
WHOLE_ROW = "*"

ROW_SKIPPED = "row skipped"
SET_TO_NULL = "value set to null"
WHITESPACE_TRIMMED = "whitespace trimmed"


@dataclass(frozen=True)
class Issue:
    dataset: str  # folder id under sources/reference/
    file: str  # file name inside that folder
    row: str  # "3315" (CSV line) or "SB_01:2176" (sheet:row)
    column: str  # column header as written in the file, "*" for the whole row
    value: str | None  # raw text of the cell
    problem: str  # a sentence: what is wrong
    action: str  # what the reader did: "row skipped", "value set to null", ...


@dataclass
class IssueLog:
    """Collects the issues of one file; `records()` gives them as plain dicts."""

    dataset: str
    file: str
    issues: list[Issue] = field(default_factory=list)

    def add(self, row: int | str, column: str, value, problem: str, action: str) -> None:
        text = None if value is None else str(value)
        self.issues.append(Issue(self.dataset, self.file, str(row), column, text, problem, action))

    def records(self) -> list[dict]:
        return [asdict(issue) for issue in self.issues]

    def __len__(self) -> int:
        return len(self.issues)


def trimmed(raw: str, row: int | str, column: str, log: IssueLog) -> str:
    """The cell's text without leading or trailing whitespace. Trimming changes an official
    value (IOM's cells end in no-break spaces, for example), so it is logged when it changes
    a value that is published; a cell of whitespace only is empty and left to the caller."""
    text = raw.strip()
    if text and text != raw:
        cut = [("leading", raw[: len(raw) - len(raw.lstrip())]), ("trailing", raw[len(raw.rstrip()):])]
        found = "; ".join(f"{side} {', '.join(_character_names(chars))}" for side, chars in cut if chars)
        log.add(row, column, raw, f"whitespace around the value ({found})", WHITESPACE_TRIMMED)
    return text


def _character_names(chars: str) -> list[str]:
    return [f"U+{ord(c):04X} {unicodedata.name(c, 'control character')}" for c in chars]


def issues_frame(issues: list[dict]) -> pd.DataFrame:
    """Issues as a DataFrame with the declared columns of the reference_data_quality table."""
    frame = pd.DataFrame(issues, columns=load_tables()[ISSUES_TABLE].field_names)
    return frame.astype(pd.StringDtype())


def csv_records(path: Path, log: IssueLog, required: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, {header: raw text}) for each record of a UTF-8 CSV file.

    The line number is the physical line the record starts on (header = line 1), also
    when a quoted field spans lines. A record with the wrong number of fields is logged
    and skipped. A header without every `required` column raises ValueError: that is a
    change of format, not a bad cell.
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise ValueError(f"{log.file}: the file is empty")
        missing = [name for name in required if name not in header]
        if missing:
            raise ValueError(f"{log.file}: header lacks column(s) {missing}; it has {header}")
        start = reader.line_num + 1
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not fields:
                continue  # a blank line holds no record
            if len(fields) != len(header):
                log.add(line, WHOLE_ROW, ",".join(fields),
                        f"the record has {len(fields)} fields where the header has {len(header)}",
                        ROW_SKIPPED)
                continue
            yield line, dict(zip(header, fields))
