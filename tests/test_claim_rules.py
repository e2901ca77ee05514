"""The claim rules of claim_checks (pipelines/core/claim_checks.md) on small hand-made series:
which period and baseline a check uses, who "died crossing the Channel", incidents matched
with several IOM records, and differences without float noise."""

import datetime as dt

import duckdb
import pyarrow as pa

from pipelines.core.tables import build_table, read_table
from pipelines.reference.countries import country_names
from pipelines.schemas import load_tables

D = dt.date


def _create(con, name, rows):
    con.register("_rows", pa.Table.from_pylist(list(rows), schema=load_tables()[name].to_arrow()))
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM _rows")
    con.unregister("_rows")


def _days(first, last, value):
    return {first + dt.timedelta(n): value for n in range((last - first).days + 1)}


def run_checks(crossings=(), italy=None, iom=(), frontex=(), incidents=(), published=D(2024, 9, 16)):
    """claim_checks of hand-made records (all of source "s", published on `published`)
    against hand-made series: italy {date: arrivals}, IOM records, Frontex rows."""
    con = duckdb.connect()
    _create(con, "sources", [{"source_id": "s", "published_date": published}])
    _create(con, "crossings", crossings)
    _create(con, "incidents", incidents)
    con.execute("CREATE TABLE stg_incidents AS SELECT incident_id, dead, missing, survivors, 's' AS source_id, "
                "DATE '2024-02-01' AS published_date FROM incidents")
    _create(con, "value_sources", [])  # every incident has one source: no value is listed
    _create(con, "uk_small_boat_arrivals_daily", [])
    _create(con, "italy_sea_arrivals_daily", [{"date": d, "arrivals": v} for d, v in sorted((italy or {}).items())])
    _create(con, "iom_incidents", iom)
    _create(con, "frontex_detections", frontex)
    con.register("_names", country_names())
    con.execute("CREATE TABLE country_names AS SELECT * FROM _names")
    build_table(con, load_tables()["claim_checks"])
    rows = read_table(con, "claim_checks").to_pylist()
    return {(r["record_id"], r["field"]): r for r in rows}


def crossing(crossing_id, value, route, period=(None, None), baseline=(None, None), measure="people_pct_change",
             **changes):
    row = {"crossing_id": crossing_id, "source_id": "s", "route": route, "measure": measure, "value": float(value),
           "qualifier": "exact", "period_start": period[0], "period_end": period[1],
           "baseline_start": baseline[0], "baseline_end": baseline[1]}
    row.update(changes)
    return row


# --- a change "since YEAR": the same calendar days of the baseline year ----------------

def italy_2022_to_2024():
    """10 a day from 1 January to 16 September 2022 (259 days), 100 a day for the rest of
    2022, 5 a day in 2023 and 2024: 2024-01-01..09-16 (260 days) sums to 1,300."""
    days = _days(D(2022, 1, 1), D(2022, 9, 16), 10)
    days.update(_days(D(2022, 9, 17), D(2022, 12, 31), 100))
    days.update(_days(D(2023, 1, 1), D(2024, 12, 31), 5))
    return days


def test_since_a_year_compares_the_same_calendar_days():
    year_to_date = (D(2024, 1, 1), D(2024, 9, 16))
    whole_2022 = (D(2022, 1, 1), D(2022, 12, 31))
    checks = run_checks([
        # 1,300 against 2,590 (the same days of 2022): -49.81
        crossing("same-days", -50, "sea_arrivals_italy", year_to_date, whole_2022, destination_country="IT"),
        # against the whole of 2022 (12,590) it would be -89.67
        crossing("whole-year-figure", -90, "sea_arrivals_italy", year_to_date, whole_2022, destination_country="IT"),
        # a baseline stated by days is used as stated
        crossing("as-stated", -87, "sea_arrivals_italy", year_to_date, (D(2022, 1, 1), D(2022, 12, 1)),
                 destination_country="IT"),
    ], italy=italy_2022_to_2024())
    same = checks[("same-days", "value")]
    assert same["verdict"] == "consistent" and same["official_value"] == -49.81
    assert same["period_rule"] == "same_days_of_baseline_year"
    assert (same["baseline_start"], same["baseline_end"]) == whole_2022  # what the record says
    assert (same["series_baseline_start"], same["series_baseline_end"]) == (D(2022, 1, 1), D(2022, 9, 16))
    assert "same calendar days" in same["note"]
    assert checks[("whole-year-figure", "value")]["verdict"] == "inconsistent"
    stated = checks[("as-stated", "value")]
    assert stated["period_rule"] == "as_recorded" and stated["series_baseline_end"] == D(2022, 12, 1)


# --- a Frontex figure: the whole months Frontex had published ---------------------------

def frontex_row(route, month, detections, border_type="sea", nationality="SYR"):
    codes = {"Western Balkan Route": "western_balkans", "Central Mediterranean Route": "central_mediterranean"}
    return {"frontex_route": route, "route": codes.get(route), "border_type": border_type,
            "nationality": nationality, "month": month, "detections": detections}


def balkans():
    """100 a month in 2023; 50 a month from January to August 2024, 1,000 in September 2024."""
    rows = [frontex_row("Western Balkan Route", D(2023, m, 1), 100) for m in range(1, 13)]
    rows += [frontex_row("Western Balkan Route", D(2024, m, 1), 50) for m in range(1, 9)]
    rows += [frontex_row("Western Balkan Route", D(2024, 9, 1), 1000)]
    return rows


def test_a_frontex_figure_is_checked_over_the_months_published_whatever_the_period_recorded():
    frontex = {"reported_by": "frontex"}
    checks = run_checks([
        crossing("null-period", -50, "western_balkans", **frontex),
        crossing("article-frame", -50, "western_balkans", (D(2024, 1, 1), D(2024, 9, 16)), **frontex),
        crossing("this-year", -50, "western_balkans", (D(2024, 1, 1), D(2024, 12, 31)), **frontex),
        crossing("wrong", -30, "western_balkans", **frontex),
    ], frontex=balkans())
    for record in ("null-period", "article-frame", "this-year"):
        check = checks[(record, "value")]
        assert check["verdict"] == "consistent" and check["official_value"] == -50, record
        assert check["period_rule"] == "publisher_months"
        assert (check["series_period_start"], check["series_period_end"]) == (D(2024, 1, 1), D(2024, 8, 31))
        assert (check["series_baseline_start"], check["series_baseline_end"]) == (D(2023, 1, 1), D(2023, 8, 31))
        assert "Frontex, migratory map data as of 3 June 2025" in check["note"]
    assert checks[("wrong", "value")]["verdict"] == "inconsistent"


def test_a_month_counts_as_published_from_the_15th_of_the_next_month():
    checks = run_checks([crossing("before", -50, "western_balkans", reported_by="frontex")],
                        frontex=balkans(), published=D(2024, 9, 14))
    check = checks[("before", "value")]
    assert check["series_period_end"] == D(2024, 7, 31) and check["series_baseline_end"] == D(2023, 7, 31)
    # September 2024 (1,000) is never in: it was not published by 16 September
    late = run_checks([crossing("sept", -50, "western_balkans", reported_by="frontex")],
                      frontex=balkans(), published=D(2024, 10, 15))[("sept", "value")]
    assert late["series_period_end"] == D(2024, 9, 30) and late["verdict"] == "inconsistent"


def test_a_frontex_period_of_published_whole_months_is_used_as_recorded():
    check = run_checks([crossing("half-year", -50, "western_balkans", (D(2024, 1, 1), D(2024, 6, 30)),
                                 reported_by="frontex")], frontex=balkans())[("half-year", "value")]
    assert (check["series_period_start"], check["series_period_end"]) == (D(2024, 1, 1), D(2024, 6, 30))
    assert check["series_baseline_end"] == D(2023, 6, 30) and check["verdict"] == "consistent"


def test_all_external_borders_is_the_sum_over_every_frontex_route():
    rows = balkans() + [frontex_row("Other", D(2023, m, 1), 100) for m in range(1, 13)]
    rows += [frontex_row("Central Mediterranean Route", D(2024, m, 1), 150, nationality="TUN") for m in range(1, 10)]
    # Jan-Aug 2024: 8 * (50 + 150) = 1,600; Jan-Aug 2023: 8 * (100 + 100) = 1,600
    checks = run_checks([crossing("all", 0, "all_eu_external_borders", reported_by="frontex"),
                         crossing("all-wrong", -39, "all_eu_external_borders", reported_by="frontex")],
                        frontex=rows)
    assert checks[("all", "value")]["official_value"] == 0 and checks[("all", "value")]["verdict"] == "consistent"
    assert checks[("all-wrong", "value")]["verdict"] == "inconsistent"


def test_a_frontex_figure_without_frontex_series_stays_a_different_measure():
    checks = run_checks([
        crossing("channel", 13, "english_channel", (D(2024, 1, 1), D(2024, 12, 31)), destination_country="GB",
                 reported_by="frontex"),
        crossing("not-frontex", -50, "western_balkans"),  # Frontex's series checks only Frontex's figures
    ], frontex=balkans())
    assert checks[("channel", "value")]["verdict"] == "different_measure"
    assert checks[("not-frontex", "value")]["verdict"] == "not_checkable"
    assert checks[("not-frontex", "value")]["series"] is None


# --- who "died crossing the Channel" -----------------------------------------------------

def iom_record(incident_id, day, dead, cause, location, route="english_channel", country="France", **changes):
    row = {"incident_id": incident_id, "main_id": incident_id, "split_parts": 1, "incident_date": day,
           "route": route, "country_of_incident": country, "dead": dead, "dead_or_missing": dead,
           "cause_of_death": cause, "location_of_death": location}
    row.update(changes)
    return row


TAG = " - English Channel crossing"


def channel_2024(crossing_dead=46):
    """IOM records of January 2024: crossing_dead deaths of the crossing, and 6 deaths on
    the route that are not (a road, sickness and violence at the tagged places)."""
    return [
        iom_record("sea", D(2024, 1, 5), crossing_dead - 4, "Drowning", "Off Wimereux, France" + TAG),
        iom_record("canal", D(2024, 1, 6), 1, "Drowning", "Remains found in a canal near Dunkirk, France"),
        iom_record("boat", D(2024, 1, 7), 3, "Harsh environmental conditions / lack of adequate shelter, food, water",
                   "Off Ambleteuse, France" + TAG),
        iom_record("road", D(2024, 1, 8), 4, "Vehicle accident / death linked to hazardous transport",
                   "A16 motorway near Calais, France"),
        iom_record("charity", D(2024, 1, 9), 1, "Sickness / lack of access to adequate healthcare",
                   "A charity in Calais, France" + TAG),
        iom_record("canal-violence", D(2024, 1, 10), 1, "Violence", "A canal in Calais, France" + TAG),
        iom_record("camp-cold", D(2024, 1, 11), 0, "Harsh environmental conditions / lack of adequate shelter, food, water",
                   "Camp in Loon-Plage, France"),
        # the IOM file's span is the series' span: these make it cover January
        iom_record("first", D(2024, 1, 1), 4, "Drowning", "Off Libya", route="central_mediterranean", country="Libya"),
        iom_record("last", D(2024, 1, 31), 4, "Drowning", "Off Libya", route="central_mediterranean", country="Libya"),
    ]


def deaths(crossing_id, value):
    return crossing(crossing_id, value, "english_channel", (D(2024, 1, 1), D(2024, 1, 31)), measure="deaths",
                    destination_country="GB")


def test_channel_deaths_are_counted_by_iom_cause_and_place_of_death():
    check = run_checks([deaths("deaths", 46)], iom=channel_2024())[("deaths", "value")]
    # 42 + 1 (a canal drowning, untagged) + 3 (in the boat, tagged); not the road, the
    # charity or the canal violence
    assert check["official_value"] == 46 and check["official_route_total"] == 52
    assert check["verdict"] == "consistent"
    assert "IOM records 52 deaths on the route" in check["note"]


def test_the_iom_crossing_tag_is_matched_whatever_its_case_and_the_note_gives_the_tag_count():
    records = channel_2024()
    records[2] = {**records[2], "location_of_death": "Off Ambleteuse, France - English Channel Crossing"}
    check = run_checks([deaths("deaths", 46)], iom=records)[("deaths", "value")]
    assert check["official_value"] == 46  # the three harsh-conditions deaths still count
    # the tag alone, whatever the cause: 42 + 3 + the charity 1 + the canal violence 1
    assert "whatever the cause, gives 47" in check["note"]


def test_a_changed_figure_changes_the_verdict_46_to_52():
    checks = run_checks([deaths("as-reported", 46), deaths("changed", 52)], iom=channel_2024())
    assert checks[("as-reported", "value")]["verdict"] == "consistent"
    assert checks[("changed", "value")]["verdict"] == "inconsistent"
    assert checks[("changed", "value")]["difference"] == -6


# --- incidents matched with several IOM records -----------------------------------------

def incident(incident_id, day, dead):
    return {"incident_id": incident_id, "date": day, "date_precision": "day", "route": "english_channel",
            "country": "FR", "dead": dead, "number_of_sources": 1}


def test_several_matching_records_are_ambiguous_unless_they_agree_on_every_compared_field():
    place = "Off Calais, France" + TAG
    checks = run_checks(incidents=[incident("two-incidents", D(2024, 1, 15), 1),
                                   incident("one-record-twice", D(2024, 1, 20), 2)],
                        iom=[iom_record("a", D(2024, 1, 15), 1, "Drowning", "Off Gravelines, France" + TAG),
                             iom_record("b", D(2024, 1, 15), 1, "Drowning", "Near Sangatte, France" + TAG),
                             iom_record("c", D(2024, 1, 20), 2, "Drowning", place),
                             iom_record("d", D(2024, 1, 20), 2, "Drowning", place)])
    two = checks[("two-incidents", "dead")]
    assert two["verdict"] == "ambiguous" and two["official_value"] is None  # both have one death: still two incidents
    assert two["note"].startswith("2 IOM records match (a; b)") and two["series_records"] == "a; b"
    same = checks[("one-record-twice", "dead")]
    assert same["verdict"] == "consistent" and same["official_value"] == 2
    assert "2 IOM records match (c; d) and agree" in same["note"]


# --- differences ------------------------------------------------------------------------

def test_a_difference_is_rounded_as_the_official_value_is():
    italy = _days(D(2024, 1, 1), D(2024, 1, 10), 100)  # 1,000
    italy.update(_days(D(2024, 1, 11), D(2024, 1, 20), 133))
    italy[D(2024, 1, 20)] = 136  # 1,333: +33.3 per cent
    check = run_checks([crossing("up", 30.1, "sea_arrivals_italy", (D(2024, 1, 11), D(2024, 1, 20)),
                                 (D(2024, 1, 1), D(2024, 1, 10)), destination_country="IT")],
                       italy=italy)[("up", "value")]
    assert check["official_value"] == 33.3
    assert check["difference"] == 3.2 and repr(check["difference"]) == "3.2"  # 33.3 - 30.1 is 3.1999999999999993
    assert check["verdict"] == "inconsistent"
