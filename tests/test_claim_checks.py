"""claim_checks: the verdict rules on small hand-made series, and the seed articles end to end."""

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from pipelines.assets.definitions import PUBLISHED_TABLES
from pipelines.assets.reference import reference_asset
from pipelines.core.tables import build_table, read_table
from pipelines.publish.datapackage import verify_files
from pipelines.publish.release import release
from pipelines.reference.countries import country_names
from pipelines.reference.load import reader_tables
from pipelines.schemas import REPO_ROOT, load_tables

D = dt.date


# --- small hand-made cases ---------------------------------------------------------------

def _create(con, name, rows):
    table = pa.Table.from_pylist(rows, schema=load_tables()[name].to_arrow())
    con.register("_rows", table)
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM _rows")
    con.unregister("_rows")


def crossing(crossing_id, value, qualifier="exact", day="2024-01-10", **changes):
    row = {"crossing_id": crossing_id, "source_id": "s", "route": "english_channel", "destination_country": "GB",
           "period_start": D.fromisoformat(day), "period_end": D.fromisoformat(day), "measure": "people",
           "value": float(value), "qualifier": qualifier}
    row.update(changes)
    return row


def run_checks(crossings=(), uk_days=None, incidents=(), iom=(), frontex=(), published=D(2024, 2, 1)):
    """claim_checks of hand-made records against a hand-made Home Office series.

    uk_days: {date: migrants}; the series covers 2024-01-01 to 2024-01-31, 10 a day
    elsewhere, and its boats are a tenth of its people. Every record's source "s" was
    published on `published`; frontex: rows of frontex_detections.
    """
    con = duckdb.connect()
    _create(con, "crossings", list(crossings))
    _create(con, "sources", [{"source_id": "s", "published_date": published}])
    _create(con, "frontex_detections", list(frontex))
    _create(con, "incidents", list(incidents))
    con.execute("CREATE TABLE stg_incidents AS SELECT incident_id, dead, missing, survivors, 's' AS source_id, "
                "DATE '2024-02-01' AS published_date FROM incidents")
    _create(con, "value_sources", [])  # every incident has one source: no value is listed
    days = {D(2024, 1, 1) + dt.timedelta(n): 10 for n in range(31)}
    days.update({D.fromisoformat(k): v for k, v in (uk_days or {}).items()})
    _create(con, "uk_small_boat_arrivals_daily",
            [{"date": d, "migrants_arrived": v, "boats_arrived": v // 10} for d, v in sorted(days.items())])
    _create(con, "italy_sea_arrivals_daily", [])
    _create(con, "iom_incidents", list(iom))
    con.register("_names", country_names())  # staged with the annotations in a build
    con.execute("CREATE TABLE country_names AS SELECT * FROM _names")
    build_table(con, load_tables()["claim_checks"])
    rows = read_table(con, "claim_checks").to_pylist()  # with its macros, claim_rules.sql
    return {(r["record_id"], r["field"]): r for r in rows}


def verdicts(uk_days, *figures):
    checks = run_checks([crossing(f"c{n}", value, qualifier, **extra) for n, (value, qualifier, extra)
                         in enumerate(figures)], uk_days)
    return [checks[(f"c{n}", "value")]["verdict"] for n in range(len(figures))]


def test_more_than_and_at_least():
    # official 300 on 2024-01-10
    assert verdicts({"2024-01-10": 300}, (250, "more_than", {}), (300, "more_than", {}), (300, "at_least", {}),
                    (301, "at_least", {})) == ["consistent", "inconsistent", "consistent", "inconsistent"]


def test_about_within_and_outside_ten_per_cent():
    assert verdicts({"2024-01-10": 330}, (300, "about", {}), (299, "about", {}), (366, "about", {}),
                    (367, "about", {})) == ["consistent", "inconsistent", "consistent", "inconsistent"]


def test_nearly_is_below_and_close():
    assert verdicts({"2024-01-10": 292}, (300, "nearly", {}), (292, "nearly", {}), (330, "nearly", {})) == \
        ["consistent", "inconsistent", "inconsistent"]


def test_less_than_and_up_to():
    assert verdicts({"2024-01-10": 300}, (301, "less_than", {}), (300, "less_than", {}), (300, "up_to", {})) == \
        ["consistent", "inconsistent", "consistent"]


def test_exact_allows_rounding_of_round_figures_only():
    checks = run_checks([crossing("a", 292, day="2024-01-10"), crossing("b", 293, day="2024-01-10"),
                         crossing("c", 300, day="2024-01-11"), crossing("d", 300, day="2024-01-12")],
                        {"2024-01-10": 292, "2024-01-11": 314, "2024-01-12": 316})
    assert [checks[(k, "value")]["verdict"] for k in "abcd"] == ["consistent", "inconsistent", "consistent",
                                                                 "inconsistent"]
    assert checks[("a", "value")]["rule"] == "official = 292"
    assert checks[("c", "value")]["rule"] == "285 <= official <= 315"
    assert checks[("b", "value")]["difference"] == -1


def test_sums_over_the_period_and_percentage_changes():
    jan_1_to_10 = {f"2024-01-{d:02d}": 20 for d in range(1, 11)}  # 200; 11 to 20: 10 a day = 100
    checks = run_checks([
        crossing("sum", 200, period_start=D(2024, 1, 1), period_end=D(2024, 1, 10)),
        crossing("drop", -50, period_start=D(2024, 1, 11), period_end=D(2024, 1, 20), measure="people_pct_change",
                 baseline_start=D(2024, 1, 1), baseline_end=D(2024, 1, 10)),
        crossing("drop-2", -48, period_start=D(2024, 1, 11), period_end=D(2024, 1, 20), measure="people_pct_change",
                 baseline_start=D(2024, 1, 1), baseline_end=D(2024, 1, 10)),
        crossing("bigger-drop", -40, "more_than", period_start=D(2024, 1, 11), period_end=D(2024, 1, 20),
                 measure="people_pct_change", baseline_start=D(2024, 1, 1), baseline_end=D(2024, 1, 10)),
        crossing("half", 0.5, period_start=D(2024, 1, 11), period_end=D(2024, 1, 20), measure="people_ratio",
                 baseline_start=D(2024, 1, 1), baseline_end=D(2024, 1, 10)),
        crossing("boats", 20, period_start=D(2024, 1, 1), period_end=D(2024, 1, 10), measure="boats"),
    ], jan_1_to_10)
    assert checks[("sum", "value")]["official_value"] == 200
    assert checks[("sum", "value")]["series_field"] == "migrants_arrived"
    assert checks[("drop", "value")]["official_value"] == -50 and checks[("drop", "value")]["verdict"] == "consistent"
    assert checks[("drop-2", "value")]["verdict"] == "inconsistent"  # 2 points off; exact allows 1
    # "a drop of more than 40 per cent": -50 is a bigger drop, so the claim holds
    assert checks[("bigger-drop", "value")]["verdict"] == "consistent"
    assert checks[("bigger-drop", "value")]["rule"] == "official < -40"
    assert checks[("half", "value")]["official_value"] == 0.5 and checks[("half", "value")]["verdict"] == "consistent"
    assert checks[("boats", "value")]["official_value"] == 20


def test_different_measure_and_not_checkable():
    checks = run_checks([
        crossing("frontex", 300, reported_by="frontex"),
        crossing("balkans", 300, route="western_balkans", destination_country=None),
        crossing("no-baseline", 13, measure="people_pct_change", period_start=D(2024, 1, 1)),
        crossing("outside", 300, day="2024-02-10"),
        crossing("partly-outside", 300, period_start=D(2024, 1, 30), period_end=D(2024, 2, 2)),
    ], {"2024-01-10": 300})
    verdict = {k: checks[(k, "value")]["verdict"] for k, _ in checks}
    assert verdict == {"frontex": "different_measure", "balkans": "not_checkable", "no-baseline": "not_checkable",
                       "outside": "not_checkable", "partly-outside": "not_checkable"}
    assert "Frontex counts detections" in checks[("frontex", "value")]["note"]
    assert checks[("balkans", "value")]["series"] is None
    assert "baseline of the change is unknown" in checks[("no-baseline", "value")]["note"]
    assert "covers 2024-01-01 to 2024-01-31" in checks[("partly-outside", "value")]["note"]
    assert checks[("outside", "value")]["official_value"] is None


def test_rank_claims_with_and_without_ties():
    days = {"2024-01-05": 900, "2024-01-10": 800, "2024-01-11": 800}
    checks = run_checks([
        crossing("second", 800, "about", rank=2, rank_period_start=D(2024, 1, 1), rank_period_end=D(2024, 1, 31)),
        crossing("third", 800, "about", day="2024-01-11", rank=3, rank_period_start=D(2024, 1, 1),
                 rank_period_end=D(2024, 1, 31)),
        crossing("highest", 800, "about", rank=1, rank_period_start=D(2024, 1, 1), rank_period_end=D(2024, 1, 31)),
        crossing("beyond", 800, "about", rank=1, rank_period_start=D(2024, 1, 1), rank_period_end=D(2024, 2, 5)),
    ], days)
    assert checks[("second", "rank")]["verdict"] == "consistent"
    assert checks[("third", "rank")]["verdict"] == "consistent"  # tied with 2024-01-10: ranks 2 and 3
    assert checks[("third", "rank")]["rule"] == "2 <= rank <= 3 (tied days)"
    assert checks[("highest", "rank")]["verdict"] == "inconsistent"
    assert checks[("highest", "rank")]["official_value"] == 2
    assert "2024-01-05 (900)" in checks[("highest", "rank")]["note"]
    assert checks[("beyond", "rank")]["verdict"] == "not_checkable"
    assert checks[("second", "value")]["verdict"] == "consistent"  # the value has its own row


def iom_record(incident_id, day, dead, country="France", **changes):
    row = {"incident_id": incident_id, "main_id": incident_id, "split_parts": 1, "incident_date": day,
           "route": "english_channel", "country_of_incident": country, "dead": dead,
           "location_of_death": f"Off {country} - English Channel crossing"}
    row.update(changes)
    return row


def incident(incident_id, day, dead, **changes):
    row = {"incident_id": incident_id, "date": day, "date_precision": "day", "route": "english_channel",
           "country": "FR", "dead": dead, "number_of_sources": 1}
    row.update(changes)
    return row


def test_incidents_match_iom_by_route_date_and_country():
    checks = run_checks(incidents=[
        incident("one-day-off", D(2024, 1, 10), 3, survivors=40),
        incident("wrong-count", D(2024, 1, 20), 2),
        incident("nowhere", D(2024, 1, 25), 1),
        incident("ambiguous", D(2024, 1, 28), 1),
        incident("month-only", D(2024, 1, 1), 1, date_precision="month"),
    ], iom=[
        iom_record("i1", D(2024, 1, 11), 3, survivors=43),
        iom_record("i2", D(2024, 1, 20), 5),
        iom_record("i3", D(2024, 1, 25), 1, country="United Kingdom of Great Britain and Northern Ireland"),
        iom_record("i4", D(2024, 1, 28), 1), iom_record("i5", D(2024, 1, 28), 2),
    ])
    assert checks[("one-day-off", "dead")]["verdict"] == "consistent"
    assert checks[("one-day-off", "dead")]["series_records"] == "i1"
    assert checks[("one-day-off", "survivors")]["verdict"] == "inconsistent"  # 40 allows 38 to 42
    assert checks[("wrong-count", "dead")]["verdict"] == "inconsistent"
    assert checks[("wrong-count", "dead")]["difference"] == 3
    assert checks[("nowhere", "dead")]["verdict"] == "not_checkable"  # IOM's record is in the UK, not FR
    assert checks[("ambiguous", "dead")]["verdict"] == "ambiguous"  # two IOM incidents, whatever their counts
    assert "2 IOM records match (i4; i5)" in checks[("ambiguous", "dead")]["note"]
    assert checks[("month-only", "dead")]["note"] == "The date is known only to the month."


def test_channel_deaths_count_only_the_crossing():
    checks = run_checks(
        [crossing("deaths", 3, measure="deaths", period_start=D(2024, 1, 1), period_end=D(2024, 1, 31))],
        iom=[iom_record("sea", D(2024, 1, 5), 3),
             iom_record("road", D(2024, 1, 6), 2, location_of_death="A16 motorway near Calais, France"),
             # the IOM file's span is the series' span: these make it cover January
             iom_record("first", D(2024, 1, 1), 4, route="central_mediterranean", country="Libya"),
             iom_record("last", D(2024, 1, 31), 4, route="central_mediterranean", country="Libya")])
    check = checks[("deaths", "value")]
    assert check["official_value"] == 3 and check["verdict"] == "consistent"
    assert "IOM records 5 deaths on the route" in check["note"]


# --- the seed articles, end to end ----------------------------------------------------

# real_build: the repository's sources, built once per session (conftest.py); the build's
# own checks are asserted in test_pipeline.py::test_real_sources_build.

@pytest.fixture(scope="module")
def seed_checks(real_build):
    frame = pd.read_parquet(real_build / "data" / "parquet" / "claim_checks.parquet")
    return {(r["record_id"], r["field"]): r for r in frame.to_dict("records")}


@pytest.mark.parametrize("record_id, field, reported, official, verdict", [
    ("2023-12-16-channel-people-2023-12-15-292", "value", 292, 292, "consistent"),
    ("2023-12-16-channel-people-2023-12-15-nearly-300", "value", 300, 292, "consistent"),
    ("2023-12-16-channel-boats-2023-12-15", "value", 7, 7, "consistent"),
    ("2023-12-16-channel-people-2023-to-date", "value", 28000, 29437, "consistent"),
    ("2023-12-16-channel-people-2022", "value", 46000, 45755, "consistent"),
    ("2024-09-16-channel-people-2024-09-14", "value", 800, 801, "consistent"),
    ("2024-09-16-channel-people-2024-09-14", "rank", 2, 2, "consistent"),
    ("2024-09-16-channel-people-weekend-2024-09-14", "value", 1000, 1093, "consistent"),
    ("2024-09-16-channel-deaths-2024-to-date", "value", 46, 45, "inconsistent"),
    ("2023-12-16-central-mediterranean-italy-people-2023-to-september", "value", 130000, 131685, "consistent"),
    ("2023-12-16-central-mediterranean-italy-people-2022-to-september", "value", 70000, 69327, "consistent"),
    ("2023-12-16-central-mediterranean-italy-ratio-2023-vs-2022", "value", 2, 1.899, "consistent"),
    ("2024-09-16-italy-sea-arrivals-pct-change-since-2022", "value", -60, -33.96, "inconsistent"),
    ("2024-09-16-frontex-channel-pct-change-2024-to-date", "value", 13, None, "different_measure"),
    ("2024-09-16-frontex-all-eu-borders-pct-change", "value", -39, -38.17, "consistent"),
    ("2024-09-16-frontex-eastern-land-borders-pct-change", "value", 193, 204.01, "inconsistent"),
    ("2023-12-15-calais-capsize", "dead", 1, None, "ambiguous"),
    ("2024-09-15-channel-capsize", "dead", 8, 8, "consistent"),
])
def test_seed_claims(seed_checks, record_id, field, reported, official, verdict):
    check = seed_checks[(record_id, field)]
    assert check["reported_value"] == reported
    assert (pd.isna(check["official_value"]) if official is None else check["official_value"] == official)
    assert check["verdict"] == verdict


def test_every_news_figure_and_incident_has_a_check(real_build, seed_checks):
    parquet = real_build / "data" / "parquet"
    crossings = set(pd.read_parquet(parquet / "crossings.parquet")["crossing_id"])
    incidents = set(pd.read_parquet(parquet / "incidents.parquet")["incident_id"])
    assert {r for r, f in seed_checks if f == "value"} == crossings
    assert {r for r, f in seed_checks if f == "dead"} == incidents
    assert seed_checks[("2024-09-16-channel-people-2024-09-14", "rank")]["series_period_start"] == D(2024, 1, 1)
    assert seed_checks[("2024-09-15-channel-capsize", "dead")]["series_records"].startswith("2024.MMP1189")


def test_reference_tables_are_published_with_attribution(real_build):
    descriptor_path = real_build / "data" / "datapackage.json"
    resources = {r["name"]: r for r in json.loads(descriptor_path.read_text())["resources"]}
    assert set(PUBLISHED_TABLES) <= set(resources)
    licences = {"uk_small_boat_arrivals_daily": ["OGL-UK-3.0"], "uk_small_boat_arrivals_weekly": ["OGL-UK-3.0"],
                "iom_incidents": ["CC-BY-4.0"], "italy_sea_arrivals_daily_csv": ["CC-BY-4.0"],
                "reference_data_quality": ["OGL-UK-3.0", "CC-BY-4.0"]}
    for name, expected in licences.items():
        assert sorted(lic["name"] for lic in resources[name]["licenses"]) == sorted(expected), name
        assert resources[name]["sources"] and all(s["title"] and s["path"] for s in resources[name]["sources"])
    assert "github.com/thenationalnews-datavis/uk_small_boats/blob/c442171984c6b185c29cea9eebf8d8e31fdb93ee" in \
        resources["uk_small_boat_arrivals_daily"]["sources"][0]["path"]
    assert [lic["name"] for lic in resources["claim_checks"]["licenses"]] == ["CC-BY-4.0"]  # the project's work (issue 13)
    assert len(resources["claim_checks"]["sources"]) == 4  # UK, IOM, Italy and Frontex
    daily = pd.read_parquet(real_build / "data" / "parquet" / "uk_small_boat_arrivals_daily.parquet")
    assert daily.set_index("date").loc[D(2023, 12, 15), "migrants_arrived"] == 292


def test_italian_defects_are_in_reference_data_quality(real_build):
    quality = pd.read_csv(real_build / "data" / "csv" / "reference_data_quality.csv", dtype=str,
                          keep_default_na=False)
    italy = quality[quality["dataset"] == "italy-interior-ministry-arrivals"]
    assert {"0[VALORE]0", "2024-04-31", "2025-02-30"} <= set(italy["value"])
    assert (italy["value"] == "").sum() >= 3  # the empty values
    assert len(italy) == 26 and len(quality) == 56 + 26  # as the readers report them (test_reference.py)


CHART_AGAIN = """
import sys
from pathlib import Path
import duckdb
from pipelines.publish.chart import write_charts
write_charts(duckdb.connect(sys.argv[1], read_only=True), Path(sys.argv[2]))
"""


def test_charts_are_listed_and_byte_identical_when_drawn_again(real_build, tmp_path):
    charts = real_build / "data" / "charts"
    descriptor = json.loads((real_build / "data" / "datapackage.json").read_text())
    listed = {r["path"]: r for r in descriptor["resources"] if r["format"] == "svg"}
    assert set(listed) == {"charts/channel_arrivals.svg", "charts/italy_sea_arrivals.svg",
                           "charts/agreements_timeline.svg"}  # the timeline: tests/test_timeline.py
    assert all(r["bytes"] and r["hash"].startswith("sha256:") for r in listed.values())
    svg = (charts / "channel_arrivals.svg").read_text()
    assert "Open Government Licence v3.0" in svg and "different measure" in svg
    # a fresh process, as a second build would be: same database, same bytes
    subprocess.run([sys.executable, "-c", CHART_AGAIN, str(real_build / "borderlines.duckdb"), str(tmp_path)],
                   check=True, cwd=REPO_ROOT)
    for name in ("channel_arrivals.svg", "italy_sea_arrivals.svg"):
        assert (tmp_path / name).read_bytes() == (charts / name).read_bytes(), name


def test_release_includes_the_charts(real_build, tmp_path):
    shutil.copytree(real_build / "data", tmp_path / "build" / "data")
    from pipelines.publish.manifest import MANIFEST, build_manifest, write_manifest

    # the code as it is now, should pipelines/ change during the session (the release checks it)
    write_manifest(build_manifest(REPO_ROOT), tmp_path / "build" / "data" / MANIFEST)
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "CHANGELOG.md").write_text("## 0.2.0 - 2026-11-24\n")
    release("0.2.0", tmp_path / "build" / "data", tmp_path / "datasets", tmp_path / "datapackage.json",
            release_date="2026-11-24", root=REPO_ROOT)  # built from the repository's sources
    published = tmp_path / "datasets" / "0.2.0"
    assert (published / "charts" / "channel_arrivals.svg").is_file()
    assert verify_files(published / "datapackage.json") == []


def test_a_changed_reference_file_fails_its_blocking_hash_check(tmp_path):
    folder = tmp_path / "sources" / "reference" / "italy-interior-ministry-arrivals"
    shutil.copytree(REPO_ROOT / "sources" / "reference" / "italy-interior-ministry-arrivals", folder)
    data = folder / "sbarchi-per-giorno.csv"
    data.chmod(0o644)
    data.write_bytes(data.read_bytes() + b"2025-09-30,1,,,2025-09-30\n")
    from pipelines.assets.resources import BorderlinesPaths

    tables = load_tables()
    asset = reference_asset(tables["italy_sea_arrivals_daily"], tables["reference_data_quality"])
    assert next(s for s in asset.check_specs if s.name == "file_hash").blocking
    result = dg.materialize([asset], resources={"paths": BorderlinesPaths(root=str(tmp_path))},
                            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    evaluation = next(e for e in result.get_asset_check_evaluations() if e.check_name == "file_hash")
    assert not evaluation.passed
    assert "the file was changed after it was copied" in evaluation.metadata["report"].value
    assert set(reader_tables()) == {"uk_small_boat_arrivals_daily", "uk_small_boat_arrivals_weekly", "iom_incidents",
                            "italy_sea_arrivals_daily", "frontex_detections"}
