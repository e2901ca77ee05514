"""IOM Missing Migrants Project: incidents on Europe-bound routes (CSV, 31 columns).

One output row per record (CSV line) of the file; `incident_id` (IOM's Incident ID cell,
as written) is the key. "NA" and empty cells are null, as provenance.yaml says of this file
("NA" marks missing values); no other word is (a text "nan" stays text). Unknown counts
stay null, never 0.

Split incidents. IOM records some incidents as several parts ("split incidents") that
share a Main ID. The file carries them in two ways, and both are kept as they are:
- mostly (351 rows, 2014-2026) as one row per Main ID with the parts' Incident IDs
  comma-joined in one cell (Incident Type "Split Incident" or "Incident,Split Incident");
  the row's counts are the incident's. `split_parts` is the number of IDs in the cell.
  Four more rows are typed "Split Incident" but hold one Incident ID; their other parts
  are not in the file. Other comma-joined text cells (route, region) are kept as
  written; such a route maps to a route code only if every part maps to the same code.
- for 4 Main IDs of 2026, as one row per part, each with its own Incident ID and counts
  (13 rows): these stay separate rows, so `main_id` is not unique; group by it to get
  the whole incident.
A count cell with comma-joined numbers (none in the file as retrieved) is summed into the
total and logged with its raw text; a Source Quality cell whose grades are run together
("45", on 38 split incidents) is set to null and logged.

Also logged and set to null: negative or fractional counts, source quality outside 1-5,
coordinates that are not numbers or out of range, a Country of Incident that is not a
name (e.g. a coordinate). A record without a usable Incident ID or incident date, or
repeating an Incident ID, is logged and left out. Whitespace around a text cell (some end
in a no-break space) is trimmed and logged.

No. dead/missing is No. dead plus No. missing: so on every row of the file as written,
negatives included. Where the reader sets No. dead or No. missing to null because the
cell is not a valid count (a negative No. missing on four rows of the file as
retrieved), the total that included it is a sum with an
unknown part, so it is set to null too and logged; it is not recomputed from the other
part, which would publish a total IOM never gave and count the rejected part as 0. A part
that IOM left empty ("NA") is not rejected: its total is kept as IOM gives it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pandas as pd

from pipelines.reference.quality import ROW_SKIPPED, SET_TO_NULL, IssueLog, csv_records, trimmed
from pipelines.schemas import load_tables

DATASET = "iom-missing-migrants"
TABLE = "iom_incidents"  # its columns, in order, are those declared in schemas/tables/iom_incidents.yaml
NULL_TOKENS = {"", "NA"}
DATE_PRECISIONS = {"day", "week", "month", "year"}

# Output column -> CSV column, in output order.
TEXT = {
    "main_id": "Main ID",
    "incident_type": "Incident Type",
    "region_of_incident": "Region of Incident",
    "iom_route": "Route",
    "country_of_incident": "Country of Incident",
    "location_of_death": "Location of death",
    "country_of_origin": "Country of Origin",
    "region_of_origin": "Region of Origin",
    "cause_of_death": "Cause of death (category)",
    "source": "Source",
    "link": "Link",
}
COUNTS = {
    "dead": "No. dead",
    "missing": "No. missing",
    "dead_or_missing": "No. dead/missing",
    "survivors": "No. survivors",
    "females": "No. Female",
    "males": "No. Male",
    "minors": "No. minors",
}
REQUIRED = ["Incident ID", "incident_date_clean", "incident_date_precision", "Source Quality",
            "Latitude", "Longitude", *TEXT.values(), *COUNTS.values()]

# IOM route name (lowercase) -> the dataset's route code (crossings.route). Routes that
# do not reach the EU or the UK across an external border (Sahara Desert crossing, Iran
# to Türkiye, Syria to Türkiye, Italy to France) map to None. "Ukraine to Europe" maps
# to None too: half its records are inside Ukraine or far inside the EU (road deaths in
# Spain and Italy), not border crossings. "Türkiye-Europe land route" (Evros/Meriç,
# Türkiye-Bulgaria) is part of the Eastern Mediterranean route as Frontex counts it.
IOM_ROUTES = {
    "mainland europe to the uk": "english_channel",
    "central mediterranean": "central_mediterranean",
    "eastern mediterranean": "eastern_mediterranean",
    "türkiye-europe land route": "eastern_mediterranean",
    "western mediterranean": "western_mediterranean",
    "western africa / atlantic route to the canary islands": "western_african",
    "atlantic route to the canary islands": "western_african",
    "western balkans": "western_balkans",
    "belarus-eu border": "eastern_land_borders",
}


def route_code(iom_route: str | None) -> str | None:
    """The dataset's route code for an IOM route name; None when there is none.

    A comma-joined value (a split incident) gets a code only when all parts share it.
    """
    if iom_route is None or (isinstance(iom_route, float) and math.isnan(iom_route)):
        return None
    parts = [" ".join(p.split()).lower() for p in str(iom_route).split(",") if p.strip()]
    codes = {IOM_ROUTES.get(p) for p in parts}
    return codes.pop() if len(codes) == 1 else None


def read_incidents(path: Path) -> tuple[pd.DataFrame, list[dict]]:
    """(incidents, issues): one row per IOM record, with the declared columns of iom_incidents."""
    log = IssueLog(DATASET, path.name)
    columns = load_tables()[TABLE].field_names
    out: dict[str, list] = {name: [] for name in columns}
    seen: dict[str, int] = {}
    for line, rec in csv_records(path, log, REQUIRED):
        incident_id = rec["Incident ID"].strip()  # logged with the row's other text cells below
        if incident_id in NULL_TOKENS:
            log.add(line, "Incident ID", rec["Incident ID"], "the record has no Incident ID", ROW_SKIPPED)
            continue
        if incident_id in seen:
            log.add(line, "Incident ID", incident_id,
                    f"Incident ID already used on line {seen[incident_id]}", ROW_SKIPPED)
            continue
        incident_date = _date(rec["incident_date_clean"])
        if incident_date is None:
            log.add(line, "incident_date_clean", rec["incident_date_clean"],
                    "not a valid ISO date (YYYY-MM-DD)", ROW_SKIPPED)
            continue
        seen[incident_id] = line
        row = {name: _text(rec[column], line, column, log) for name, column in TEXT.items()}
        row.update({name: _count(rec[column], line, column, log) for name, column in COUNTS.items()})
        _total_without_rejected_parts(row, rec, line, log)
        row["incident_id"] = _text(rec["Incident ID"], line, "Incident ID", log)
        row["split_parts"] = len([p for p in incident_id.split(",") if p.strip()])
        row["incident_date"] = incident_date
        row["incident_date_precision"] = _precision(rec["incident_date_precision"], line, log)
        row["route"] = route_code(row["iom_route"])
        row["country_of_incident"] = _country(row["country_of_incident"], line, log)
        row["latitude"] = _coordinate(rec["Latitude"], 90, line, "Latitude", log)
        row["longitude"] = _coordinate(rec["Longitude"], 180, line, "Longitude", log)
        row["source_quality"] = _source_quality(rec["Source Quality"], line, log)
        for name in columns:
            out[name].append(row[name])
    return _frame(out), log.records()


def _frame(out: dict[str, list]) -> pd.DataFrame:
    frame = pd.DataFrame(out)
    for name in out:
        if name in COUNTS or name in ("split_parts", "source_quality"):
            frame[name] = pd.array(out[name], dtype="Int64")
        elif name in ("latitude", "longitude"):
            frame[name] = pd.array(out[name], dtype="Float64")
        elif name != "incident_date":
            frame[name] = frame[name].astype(pd.StringDtype())
    return frame


def _text(raw: str, line: int, column: str, log: IssueLog) -> str | None:
    text = raw.strip()
    return None if text in NULL_TOKENS else trimmed(raw, line, column, log)


def _total_without_rejected_parts(row: dict, rec: dict[str, str], line: int, log: IssueLog) -> None:
    """Set dead_or_missing to null when a part of that sum was rejected (see the module docstring)."""
    total = COUNTS["dead_or_missing"]
    rejected = [f"{COUNTS[part]} ({rec[COUNTS[part]].strip()!r})" for part in ("dead", "missing")
                if row[part] is None and rec[COUNTS[part]].strip() not in NULL_TOKENS]
    if rejected and row["dead_or_missing"] is not None:
        log.add(line, total, rec[total],
                f"No. dead/missing is No. dead plus No. missing, and {' and '.join(rejected)} is not a valid "
                "count (set to null on this row): the sum is unknown", SET_TO_NULL)
        row["dead_or_missing"] = None


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None


def _count(raw: str, line: int, column: str, log: IssueLog) -> int | None:
    text = raw.strip()
    if text in NULL_TOKENS:
        return None
    if re.fullmatch(r"\d+", text):
        return int(text)
    parts = [p.strip() for p in text.split(",")]
    if len(parts) > 1 and all(re.fullmatch(r"\d+", p) for p in parts):
        total = sum(int(p) for p in parts)
        log.add(line, column, raw, "several comma-joined counts in one cell (as for the parts of a split incident)",
                f"values summed into {total}")
        return total
    if re.fullmatch(r"-\d+", text):
        problem = "a count cannot be negative"
    else:
        problem = "not a whole number of 0 or more"
    log.add(line, column, raw, problem, SET_TO_NULL)
    return None


def _source_quality(raw: str, line: int, log: IssueLog) -> int | None:
    text = raw.strip()
    if text in NULL_TOKENS:
        return None
    if re.fullmatch(r"[1-5]", text):
        return int(text)
    if re.fullmatch(r"[1-5]{2,}", text) or re.fullmatch(r"[1-5](\s*,\s*[1-5])+", text):
        problem = ("the digits of several grades run together (as on split incidents, e.g. '45'); "
                   "which grade applies to the whole record is unknown")
    else:
        problem = "source quality must be a grade from 1 to 5"
    log.add(line, "Source Quality", raw, problem, SET_TO_NULL)
    return None


def _coordinate(raw: str, limit: float, line: int, column: str, log: IssueLog) -> float | None:
    text = raw.strip()
    if text in NULL_TOKENS:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > limit:
        log.add(line, column, raw, f"not a number between -{limit:g} and {limit:g}", SET_TO_NULL)
        return None
    return value


def _country(text: str | None, line: int, log: IssueLog) -> str | None:
    if text is None or text[0].isalpha():
        return text
    log.add(line, "Country of Incident", text, "not a country name (it looks like a coordinate)", SET_TO_NULL)
    return None


def _precision(raw: str, line: int, log: IssueLog) -> str | None:
    if raw.strip() in NULL_TOKENS:
        return None
    text = raw.strip().lower()
    if text in DATE_PRECISIONS:
        if text != raw:  # "Day " is read as "day": a changed value, so it is logged
            log.add(line, "incident_date_precision", raw, f"not written as the lowercase word {text!r}",
                    f"read as {text!r}")
        return text
    log.add(line, "incident_date_precision", raw, f"not one of {sorted(DATE_PRECISIONS)}", SET_TO_NULL)
    return None
