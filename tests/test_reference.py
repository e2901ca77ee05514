"""Readers of the official reference files: real files in sources/reference/ and small hand-made ones."""

import datetime as dt
import hashlib
import random
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from pipelines.hashing import BLOCK_SIZE, file_digest, file_sha256
from pipelines.reference import iom_missing_migrants, italy_arrivals, uk_small_boats
from pipelines.reference.countries import country_names
from pipelines.reference.provenance import check_file_hash, load_provenance
from pipelines.reference.quality import IssueLog, issues_frame
from pipelines.schemas import load_tables

REFERENCE = Path(__file__).resolve().parent.parent / "sources" / "reference"
UK = REFERENCE / "uk-home-office-small-boats"
IOM = REFERENCE / "iom-missing-migrants"
ITALY = REFERENCE / "italy-interior-ministry-arrivals"
FOLDERS = [UK, IOM, ITALY]


# --- the real files, read once ----------------------------------------------------------

@pytest.fixture(scope="module")
def uk():
    path = UK / "small_boats_time_series.ods"
    daily, daily_issues = uk_small_boats.read_daily(path)
    weekly, weekly_issues = uk_small_boats.read_weekly(path)
    return daily, weekly, daily_issues + weekly_issues


@pytest.fixture(scope="module")
def iom():
    return iom_missing_migrants.read_incidents(IOM / "iom_europe.csv")


@pytest.fixture(scope="module")
def italy():
    stats = {}
    frame, issues = italy_arrivals.read_daily(ITALY / "sbarchi-per-giorno.csv", stats=stats)
    return frame, issues, stats


def _row(frame, column, value):
    match = frame[frame[column] == value]
    assert len(match) == 1, f"{column}={value!r}: {len(match)} rows"
    return match.iloc[0]


# --- provenance -------------------------------------------------------------------------

@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_provenance_matches_file(folder):
    provenance = load_provenance(folder)
    assert provenance["id"] == folder.name
    assert (folder / provenance["file"]).is_file()
    assert len(provenance["retrieved_from"]["commit"]) == 40
    assert provenance["licence_url"] in (
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "https://creativecommons.org/licenses/by/4.0/",
    )
    assert provenance["notes"]
    assert check_file_hash(folder) is None


def test_changed_file_is_reported(tmp_path):
    copy = tmp_path / ITALY.name
    copy.mkdir()
    shutil.copyfile(ITALY / "provenance.yaml", copy / "provenance.yaml")
    shutil.copyfile(ITALY / "sbarchi-per-giorno.csv", copy / "sbarchi-per-giorno.csv")
    assert check_file_hash(copy) is None
    with open(copy / "sbarchi-per-giorno.csv", "a", encoding="utf-8") as handle:
        handle.write("2025-10-01,1,,,2025-10-15\n")
    message = check_file_hash(copy)
    assert message and "sha256" in message and "sbarchi-per-giorno.csv" in message
    (copy / "sbarchi-per-giorno.csv").unlink()
    assert "missing" in check_file_hash(copy)


def test_file_hash(tmp_path):
    path = tmp_path / "abc.txt"
    path.write_bytes(b"abc")
    sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2, example 1
    assert file_sha256(path) == sha256
    assert file_digest(path) == (3, sha256)


@pytest.mark.parametrize("size", [0, 1, BLOCK_SIZE - 1, BLOCK_SIZE, 2 * BLOCK_SIZE + 1])
def test_file_hash_of_every_size_is_that_of_its_bytes(tmp_path, size):
    """Read block by block: the blocks' edges neither lose nor repeat a byte."""
    path = tmp_path / "bytes"
    path.write_bytes(random.Random(size).randbytes(size))
    assert file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


# --- UK Home Office ---------------------------------------------------------------------

def test_uk_daily(uk):
    daily, _, issues = uk
    assert len(daily) == 3154
    assert daily["date"].iloc[0] == dt.date(2018, 1, 1)
    assert daily["date"].iloc[-1] == dt.date(2026, 8, 20)
    assert daily["date"].is_unique
    day = _row(daily, "date", dt.date(2023, 12, 15))
    assert (day.migrants_arrived, day.boats_arrived, day.boats_uncontrolled_landings) == (292, 7, 0)
    day = _row(daily, "date", dt.date(2024, 9, 14))
    assert (day.migrants_arrived, day.boats_arrived, day.boats_uncontrolled_landings) == (801, 14, 0)
    assert _row(daily, "date", dt.date(2025, 9, 6)).notes == "Revised"
    assert (daily["notes"] == "Revised").sum() == 9
    assert issues == []


def test_uk_dash_is_null_not_zero(uk):
    daily, weekly, _ = uk
    day = _row(daily, "date", dt.date(2022, 11, 12))  # "-" in the workbook
    assert day.migrants_arrived == 1214
    assert pd.isna(day.boats_uncontrolled_landings)
    assert daily["boats_uncontrolled_landings"].isna().sum() == 1826  # every "-" of SB_01
    assert weekly["migrants_prevented"].isna().sum() == 330
    assert weekly["events_prevented"].isna().sum() == 330


def test_uk_weekly(uk):
    _, weekly, _ = uk
    assert len(weekly) == 450
    assert weekly["week_ending"].iloc[-1] == dt.date(2026, 8, 16)
    week = _row(weekly, "week_ending", dt.date(2024, 9, 15))
    assert (week.migrants_arrived, week.boats_arrived, week.migrants_prevented, week.events_prevented) == (1093, 20, 857, 22)
    assert (weekly["notes"] == "Revised").sum() == 11


def test_uk_header_found_below_title_rows_and_dirty_cells_logged():
    nan = float("nan")
    raw = pd.DataFrame([
        ["SB_01: Migrants detected crossing the English Channel", nan, nan, nan, nan],
        ["This worksheet contains one table.", nan, nan, nan, nan],
        ["Date", "Migrants arrived [note 3]", "Boats arrived", "Boats arrived \u2013 involved in uncontrolled landings", "Notes"],
        [pd.Timestamp("2024-09-14"), 801, 14, 0, nan],
        [nan, nan, nan, nan, nan],
        [pd.Timestamp("2024-09-15"), "12a", 1.5, "-", "Revised"],
        [pd.Timestamp("2024-09-16"), "1,214", -3, "", nan],
        ["Total", 2015, 15, 0, nan],
        ["Source: Home Office", nan, nan, nan, nan],
    ], dtype=object)
    log = IssueLog("uk-home-office-small-boats", "test.ods")
    frame = uk_small_boats.parse_sheet(raw, "SB_01", uk_small_boats.DAILY_COLUMNS, log)
    assert list(frame.columns) == load_tables()["uk_small_boat_arrivals_daily"].field_names
    assert frame["date"].tolist() == [dt.date(2024, 9, 14), dt.date(2024, 9, 15), dt.date(2024, 9, 16)]
    assert frame["migrants_arrived"].tolist() == [801, pd.NA, 1214]
    assert frame["boats_arrived"].tolist() == [14, pd.NA, pd.NA]
    assert frame["boats_uncontrolled_landings"].tolist() == [0, pd.NA, pd.NA]
    assert frame["notes"].tolist() == [pd.NA, "Revised", pd.NA]
    found = {(i["row"], i["column"], i["value"], i["action"]) for i in log.records()}
    assert found == {
        ("SB_01:6", "Migrants arrived [note 3]", "12a", "value set to null"),
        ("SB_01:6", "Boats arrived", "1.5", "value set to null"),
        ("SB_01:7", "Boats arrived", "-3", "value set to null"),
        ("SB_01:7", "Boats arrived \u2013 involved in uncontrolled landings", "", "value set to null"),
        ("SB_01:8", "Date", "Total", "row skipped"),
        ("SB_01:9", "Date", "Source: Home Office", "row skipped"),
    }


def test_uk_missing_header_is_an_error():
    raw = pd.DataFrame([["Date", "Migrants arrived"], [pd.Timestamp("2024-01-01"), 1]], dtype=object)
    with pytest.raises(ValueError, match="no row"):
        uk_small_boats.parse_sheet(raw, "SB_01", uk_small_boats.DAILY_COLUMNS, IssueLog("x", "y"))


# --- IOM Missing Migrants ---------------------------------------------------------------

def test_iom_rows_and_known_incident(iom):
    frame, _ = iom
    assert len(frame) == 6802
    assert frame["incident_id"].is_unique
    assert frame["incident_date"].min() == dt.date(2014, 1, 19)
    assert frame["incident_date"].max() == dt.date(2026, 5, 3)
    # 24 November 2021: the deadliest Channel capsize, a split incident of 7 parts.
    row = _row(frame, "main_id", "2021.MMP0189")
    assert row.incident_date == dt.date(2021, 11, 24)
    assert (row.iom_route, row.route, row.split_parts) == ("Mainland Europe to the UK", "english_channel", 7)
    assert (row.dead, row.missing, row.dead_or_missing, row.survivors, row.source_quality) == (27, 0, 27, 2, 5)
    assert (frame["route"] == "english_channel").sum() == 220


def test_iom_na_is_null_and_split_parts(iom):
    frame, _ = iom
    assert frame["dead"].isna().sum() == 638  # "NA" in No. dead
    assert frame["survivors"].isna().sum() == 4839 + 2  # "NA" plus two negative counts
    assert (frame["split_parts"] > 1).sum() == 351
    assert frame["main_id"].duplicated(keep=False).sum() == 13  # 2026 parts on separate rows
    first = _row(frame, "incident_id", "2014.MMP00007")
    assert pd.isna(first.survivors) and first.dead == 12 and first.route == "eastern_mediterranean"


def test_iom_issues(iom):
    frame, issues = iom
    counts = Counter((i["column"], i["action"]) for i in issues)
    assert counts == {
        ("Source Quality", "value set to null"): 38,
        ("No. missing", "value set to null"): 4,
        ("No. survivors", "value set to null"): 2,
        ("Country of Incident", "value set to null"): 1,
        # the totals that included a rejected No. missing (issue 13, E7)
        ("No. dead/missing", "value set to null"): 4,
        # cells ending in a no-break space (issue 13, E8)
        ("Link", "whitespace trimmed"): 2,
        ("Location of death", "whitespace trimmed"): 4,
        ("Source", "whitespace trimmed"): 1,
    }
    by_cell = {(i["row"], i["column"]): i for i in issues}
    assert by_cell[("6782", "Country of Incident")]["value"] == "012 52E"
    assert by_cell[("330", "No. missing")]["value"] == "-2"
    assert pd.isna(_row(frame, "main_id", "2015.MMP00513").missing)
    assert by_cell[("2441", "Link")]["value"] == "https://bit.ly/2QG50JN\u00a0"
    assert "U+00A0 NO-BREAK SPACE" in by_cell[("2441", "Link")]["problem"]
    assert _row(frame, "incident_id", "2018.MMP01178").link == "https://bit.ly/2QG50JN"


def test_iom_total_with_a_rejected_part_is_null(iom):
    """No. dead/missing is No. dead plus No. missing; where No. missing is rejected, the sum is unknown."""
    frame, issues = iom
    by_cell = {(i["row"], i["column"]): i for i in issues}
    for line, incident, raw_total in [("330", "2015.MMP00513541", "13"), ("367", "2015.MMP00565596", "56"),
                                      ("4368", "2022.MMP00157", "1"), ("6772", "2026.MMP0190218", "12")]:
        row = frame[frame["incident_id"].str.split(",").str[0] == incident].iloc[0]
        assert pd.isna(row.missing) and pd.isna(row.dead_or_missing) and row.dead > 0
        assert by_cell[(line, "No. dead/missing")]["value"] == raw_total
        assert "No. missing" in by_cell[(line, "No. dead/missing")]["problem"]
    # a rejected No. survivors leaves the total alone (line 597: 1 dead, 56 missing, 57)
    kept = _row(frame, "main_id", "2016.MMP00134")
    assert pd.isna(kept.survivors) and kept.dead_or_missing == 57
    # elsewhere the total is IOM's, and equals dead + missing wherever both are given
    both = frame.dropna(subset=["dead", "missing", "dead_or_missing"])
    assert (both["dead"] + both["missing"] == both["dead_or_missing"]).all()


@pytest.mark.parametrize("name, code", [
    ("Mainland Europe to the UK", "english_channel"),
    ("Central Mediterranean", "central_mediterranean"),
    ("Eastern Mediterranean", "eastern_mediterranean"),
    ("Türkiye-Europe land route", "eastern_mediterranean"),
    ("Western Mediterranean", "western_mediterranean"),
    ("Western Africa / Atlantic route to the Canary Islands", "western_african"),
    ("Western Balkans", "western_balkans"),
    ("Belarus-EU border", "eastern_land_borders"),
    ("Sahara Desert crossing", None),
    ("Italy to France", None),
    ("Ukraine to Europe", None),
    ("Central Mediterranean,Sahara Desert crossing", None),
    ("Central Mediterranean, Central Mediterranean", "central_mediterranean"),
    ("", None),
    (None, None),
])
def test_route_code(name, code):
    assert iom_missing_migrants.route_code(name) == code


IOM_HEADER = (
    "Main ID,Incident ID,Incident Type,Region of Incident,Incident date,Incident year,Incident month,"
    "No. dead,No. missing,No. dead/missing,No. survivors,No. Female,No. Male,No. minors,Country of Origin,"
    "Region of Origin,Cause of death (category),Cause of death (reported),Route,Country of Incident,"
    "Location of death,UNSD region,Source,Link,Source Quality,Latitude,Longitude,incident_date_clean,"
    "incident_date_raw,incident_date_precision,source_dataset"
)


def _iom_line(main_id, incident_id, dead="1", missing="0", total="1", quality="3", lat="50.9", date="2024-01-02",
              location="Off Calais, France"):
    return (f'{main_id},"{incident_id}",Incident,Europe,{date},2024,1,"{dead}","{missing}","{total}",NA,NA,NA,NA,'
            f'Unknown,Unknown,Drowning,Drowning,Mainland Europe to the UK,France,"{location}",Western Europe,'
            f'A source,NA,"{quality}",{lat},1.8,{date},{date},day,IOM')


def test_iom_dirty_csv(tmp_path):
    lines = [
        IOM_HEADER,
        _iom_line("2024.MMP1", "2024.MMP1"),
        _iom_line("2024.MMP2", "2024.MMP21,2024.MMP22", dead="2,3", missing="NA", total="5", quality="4,5"),
        _iom_line("2024.MMP3", "2024.MMP3", dead="many", lat="north", location="Two\nlines"),
        _iom_line("2024.MMP4", "2024.MMP1"),  # Incident ID repeated
        _iom_line("2024.MMP5", "2024.MMP5", date="2024-02-30"),
        "2024.MMP6,2024.MMP6,Incident",  # too few fields
        _iom_line("2024.MMP7", "2024.MMP7", quality="7"),
    ]
    path = tmp_path / "iom.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame, issues = iom_missing_migrants.read_incidents(path)
    assert frame["incident_id"].tolist() == ["2024.MMP1", "2024.MMP21,2024.MMP22", "2024.MMP3", "2024.MMP7"]
    split = _row(frame, "main_id", "2024.MMP2")
    assert (split.dead, split.dead_or_missing, split.split_parts) == (5, 5, 2)
    assert pd.isna(split.missing) and pd.isna(split.source_quality)
    odd = _row(frame, "main_id", "2024.MMP3")
    assert pd.isna(odd.dead) and pd.isna(odd.latitude) and odd.location_of_death == "Two\nlines"
    assert pd.isna(odd.dead_or_missing)
    found = {(i["row"], i["column"], i["action"]) for i in issues}
    assert found == {
        ("3", "No. dead", "values summed into 5"),
        ("3", "Source Quality", "value set to null"),
        ("4", "No. dead", "value set to null"),
        ("4", "Latitude", "value set to null"),
        ("4", "No. dead/missing", "value set to null"),  # its part No. dead was rejected
        ("6", "Incident ID", "row skipped"),  # line numbers count the quoted line break
        ("7", "incident_date_clean", "row skipped"),
        ("8", "*", "row skipped"),
        ("9", "Source Quality", "value set to null"),
    }


# --- country names ----------------------------------------------------------------------

def _codes_named(text, names):
    """The codes with a name that `text` begins with: claim_checks.sql's match of IOM's Country of Incident."""
    return {code for code, name in names if text.startswith(name)}


def test_country_names_table():
    table = country_names()
    assert table.schema == pa.schema([("country", pa.string()), ("name", pa.string())])
    names = list(zip(table["country"].to_pylist(), table["name"].to_pylist()))
    assert names == sorted(set(names))
    assert {("MD", "Republic of Moldova"), ("MD", "Moldova, Republic of"), ("TR", "Türkiye"),
            ("SY", "Syrian Arab Republic"), ("SY", "Syria"), ("IR", "Iran"), ("CV", "Cabo Verde"),
            ("GB", "United Kingdom"), ("GB", "United Kingdom of Great Britain and Northern Ireland")} <= set(names)
    assert {len(code) for code, _ in names} == {2}


@pytest.mark.parametrize("text, codes", [
    ("Libya - presumed departure on 12-14 April", {"LY"}),  # a comment after the name
    ("Morocco (en route to Ceuta)", {"MA"}),
    ("Iran (Islamic Republic of)", {"IR"}),
    ("Republic of Moldova", {"MD"}),
    ("United Kingdom of Great Britain and Northern Ireland", {"GB"}),
    ("Syrian Arab Republic", {"SY"}),  # two names of one code ("Syria" too): one code
    ("Nigeria", {"NG", "NE"}),  # "Niger" begins "Nigeria", as it did with the typed names
    ("012 52E", set()),
])
def test_country_of_incident_codes(text, codes):
    table = country_names()
    assert _codes_named(text, zip(table["country"].to_pylist(), table["name"].to_pylist())) == codes


# The names claim_rules.sql typed (macro iom_country) before country_names replaced them.
TYPED_IOM_NAMES = [
    ("AL", "Albania"), ("AT", "Austria"), ("BA", "Bosnia and Herzegovina"), ("BE", "Belgium"),
    ("BF", "Burkina Faso"), ("BG", "Bulgaria"), ("BJ", "Benin"), ("BY", "Belarus"), ("CV", "Cabo Verde"),
    ("CY", "Cyprus"), ("DZ", "Algeria"), ("EG", "Egypt"), ("EH", "Western Sahara"), ("ER", "Eritrea"),
    ("ES", "Spain"), ("FR", "France"), ("GB", "United Kingdom"), ("GM", "Gambia"), ("GR", "Greece"),
    ("HR", "Croatia"), ("HU", "Hungary"), ("IR", "Iran"), ("IT", "Italy"), ("LB", "Lebanon"),
    ("LT", "Lithuania"), ("LV", "Latvia"), ("LY", "Libya"), ("MA", "Morocco"), ("MD", "Republic of Moldova"),
    ("ME", "Montenegro"), ("MK", "North Macedonia"), ("ML", "Mali"), ("MR", "Mauritania"), ("MT", "Malta"),
    ("NE", "Niger"), ("NG", "Nigeria"), ("NL", "Netherlands"), ("NO", "Norway"), ("PL", "Poland"),
    ("RO", "Romania"), ("RS", "Serbia"), ("SD", "Sudan"), ("SI", "Slovenia"), ("SN", "Senegal"),
    ("SY", "Syrian Arab Republic"), ("TD", "Chad"), ("TN", "Tunisia"), ("TR", "Türkiye"), ("UA", "Ukraine"),
]


def test_iom_countries_match_as_with_the_typed_names(iom):
    frame, _ = iom
    table = country_names()
    names = list(zip(table["country"].to_pylist(), table["name"].to_pylist()))
    values = sorted(set(frame["country_of_incident"].dropna()))
    assert len(values) == 52
    for value in values:
        assert _codes_named(value, TYPED_IOM_NAMES), f"{value!r}: no typed name"
        assert _codes_named(value, names) == _codes_named(value, TYPED_IOM_NAMES), value


# --- Italy ------------------------------------------------------------------------------

def test_italy_counts(italy):
    frame, issues, stats = italy
    assert stats == {"rows_read": 4352, "rows_kept": 2207, "superseded": 2119, "issues": 26}
    assert stats["rows_read"] == stats["rows_kept"] + stats["superseded"] + len(issues)
    assert len(frame) == 2207 and frame["date"].is_unique
    assert frame["date"].iloc[0] == dt.date(2019, 9, 1)
    assert frame["date"].iloc[-1] == dt.date(2025, 9, 15)
    assert (frame["date"] <= frame["report_date"]).all()


def test_italy_latest_report_wins(italy):
    frame, _, _ = italy
    # 2019-10-14: 301 in the report of 2019-10-15 (line 45), 310 in that of 2019-10-31 (line 76).
    day = _row(frame, "date", dt.date(2019, 10, 14))
    assert (day.arrivals, day.report_date) == (310, dt.date(2019, 10, 31))
    # 2019-10-16 is 0 in the mid-month report (not yet counted) and 377 at month end.
    assert _row(frame, "date", dt.date(2019, 10, 16)).arrivals == 377
    assert "24:00" in _row(frame, "date", dt.date(2022, 12, 31)).note


def test_italy_defects_are_issues(italy):
    frame, issues, _ = italy
    by_line = {i["row"]: i for i in issues}
    assert (by_line["3315"]["column"], by_line["3315"]["value"]) == ("Data", "2024-04-31")
    assert by_line["3315"]["problem"] == "no such day in the calendar"
    assert (by_line["3372"]["column"], by_line["3372"]["value"]) == ("Valore", "0[VALORE]0")
    for line in ("2767", "2769", "2829"):  # empty values
        assert (by_line[line]["column"], by_line[line]["value"]) == ("Valore", "")
    assert all(i["action"] == "row skipped" for i in issues)
    kinds = Counter(i["problem"].split(" (")[0] for i in issues)
    assert kinds == {
        "no such day in the calendar": 7,
        "the value is empty": 3,
        "the value is not a whole number of 0 or more": 1,
        "the date is after its report": 15,
    }
    # The build goes on: the neighbours of the bad rows are there.
    assert dt.date(2024, 5, 27) in set(frame["date"]) and dt.date(2024, 4, 30) in set(frame["date"])
    assert dt.date(2025, 9, 16) not in set(frame["date"])  # a 0 the report could not have counted


def test_italy_dirty_csv(tmp_path):
    note, source = "*nota", "Fonte: prova"
    lines = [
        "Data,Valore,Note,Fonte,Data_Report",
        f"2024-05-01,10,{note},{source},2024-05-15",  # 2: superseded by line 9
        f"2024-05-02,abc,{note},{source},2024-05-15",  # 3: bad value
        f"2024-05-31,,{note},{source},2024-05-15",  # 4: empty value
        f"2024-05-20,0,{note},{source},2024-05-15",  # 5: only report predates the day
        f"2024-04-31,0,{note},{source},2024-04-30",  # 6: impossible date
        f"2024-05-03,7,{note},{source},2024-05-31",  # 7: tie, same value: superseded by 8
        f"2024-05-03,7,{note},{source},2024-05-31",  # 8: kept
        f"2024-05-01,12,{note},{source},2024-05-31",  # 9: kept
        f"2024-05-04,5,{note},{source},2024-05-31",  # 10: tie, other value: issue
        f"2024-05-04,6,{note},{source},2024-05-31",  # 11: kept
        "2024-05-05,5",  # 12: too few fields
        f'2024-05-06,3,"two\nlines",{source},31/05/2024',  # 13-14: bad report date
        f"2024-05-07,4,,{source},2024-05-31",  # 15: kept, empty note
    ]
    path = tmp_path / "sbarchi.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stats = {}
    frame, issues = italy_arrivals.read_daily(path, stats=stats)
    assert frame["date"].tolist() == [dt.date(2024, 5, d) for d in (1, 3, 4, 7)]
    assert frame["arrivals"].tolist() == [12, 7, 6, 4]
    assert pd.isna(frame["note"].iloc[-1])
    found = {(i["row"], i["column"], i["action"]) for i in issues}
    assert found == {
        ("3", "Valore", "row skipped"),
        ("4", "Valore", "row skipped"),
        ("5", "Valore", "row skipped"),
        ("6", "Data", "row skipped"),
        ("10", "Valore", "row skipped; line 11 kept"),
        ("12", "*", "row skipped"),
        ("13", "Data_Report", "row skipped"),
    }
    assert stats == {"rows_read": 13, "rows_kept": 4, "superseded": 2, "issues": 7}


# --- declared tables --------------------------------------------------------------------

def _validate(table_name, frame):
    table = load_tables()[table_name]
    assert list(frame.columns) == table.field_names
    arrow_backed = pa.Table.from_pandas(frame, schema=table.to_arrow(), preserve_index=False).to_pandas(
        types_mapper=pd.ArrowDtype)
    table.to_pandera().validate(arrow_backed)


def test_readers_match_declared_tables(uk, iom, italy):
    daily, weekly, uk_issues = uk
    _validate("uk_small_boat_arrivals_daily", daily)
    _validate("uk_small_boat_arrivals_weekly", weekly)
    _validate("iom_incidents", iom[0])
    _validate("italy_sea_arrivals_daily", italy[0])
    all_issues = issues_frame(uk_issues + iom[1] + italy[1])
    assert len(all_issues) == 56 + 26  # IOM 56 (45, and 4 totals and 7 trimmed cells of issue 13), Italy 26
    _validate("reference_data_quality", all_issues)
    for name in ("uk_small_boat_arrivals_daily", "uk_small_boat_arrivals_weekly", "iom_incidents",
                 "italy_sea_arrivals_daily", "reference_data_quality"):
        table = load_tables()[name]
        assert table.group == "reference" and not table.annotation and table.registry is None
