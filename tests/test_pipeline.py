"""The Dagster graph, end to end, on the hand-made corpus and on the real sources."""

import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from conftest import FIXTURE, REPO, VENV_BIN, build, failed_checks, scratch_dagster_home
from pipelines.assets.definitions import PUBLISHED_TABLES, defs
from pipelines.cli import main
from pipelines.publish.manifest import MANIFEST, build_manifest, write_manifest
from pipelines.publish.release import ReleaseError, release
from pipelines.schemas import load_tables, tables_in_group

CORE_TABLES = tables_in_group("core")


def tree_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def cli_build(tmp_path_factory):
    """`borderlines build` of the hand-made corpus, as `make data` runs it: the instance in
    DAGSTER_HOME, not an ephemeral one. Returns the build folder and what the command printed."""
    tmp = tmp_path_factory.mktemp("cli")
    out = io.StringIO()
    with scratch_dagster_home(tmp / "dagster_home") as home, pytest.MonkeyPatch.context() as patch, \
            contextlib.redirect_stdout(out):
        patch.setenv("DAGSTER_HOME", str(home))
        assert main(["--root", str(FIXTURE), "build", "--build-dir", str(tmp / "b")]) == 0
    return tmp / "b", out.getvalue()


def test_graph_has_four_groups_and_every_asset_is_described():
    graph = defs.resolve_asset_graph()
    groups = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        groups.setdefault(node.group_name, set()).add(key.to_user_string())
        assert node.description, f"{key.to_user_string()} has no description"
    assert set(groups) == {"sources", "core", "reference", "publish"}
    assert groups["core"] == set(CORE_TABLES) | {"claim_checks"}
    assert groups["sources"] == {"news_files", "registry_files", "registries", "annotations", "staging"}
    observed_files = {"uk_home_office_small_boats_files", "iom_missing_migrants_files",
                      "italy_interior_ministry_arrivals_files", "frontex_detections_files"}
    assert groups["reference"] == (set(load_tables()) - groups["core"]) | observed_files  # published or not


def test_every_table_is_built_with_rows_and_checks_pass(fixture_build):
    descriptor = json.loads((fixture_build / "data" / "datapackage.json").read_text())
    names = {r["name"] for r in descriptor["resources"]}
    # no charts of official series (it has no official data); the timeline of its one agreement
    assert names == set(PUBLISHED_TABLES) | {f"{t}_csv" for t in PUBLISHED_TABLES} | {"agreements_timeline_chart",
                                                                                    "borderlines_sqlite"}
    con = duckdb.connect()
    for table in ("crossings", "incidents", "meetings", "agreements", "evidence"):
        rows = con.execute(f"SELECT count(*) FROM '{fixture_build}/data/parquet/{table}.parquet'").fetchone()[0]
        assert rows >= 1, table


def test_parquet_reads_back_with_declared_types(fixture_build):
    for name in CORE_TABLES:
        path = fixture_build / "data" / "parquet" / f"{name}.parquet"
        schema = pq.read_schema(path)
        declared = load_tables()[name].to_arrow()
        assert schema.names == declared.names
        assert [f.type for f in schema] == [f.type for f in declared], name
        assert schema.field(declared.names[0]).metadata[b"description"]
    crossings = pd.read_parquet(fixture_build / "data" / "parquet" / "crossings.parquet")
    row = crossings.set_index("crossing_id").loc["fixture-channel-people-feb-2024"]
    assert str(row["period_start"]) == "2024-02-01" and str(row["period_end"]) == "2024-02-29"
    assert row["value"] == 1200 and row["value_low"] == 1200 and pd.isna(row["value_high"])
    con = duckdb.connect()
    types = dict(con.execute(f"DESCRIBE SELECT * FROM '{fixture_build}/data/parquet/incidents.parquet'").fetchall()
                 [i][:2] for i in range(len(load_tables()["incidents"].fields)))
    assert types["date"] == "DATE" and types["dead"] == "BIGINT" and types["distance_offshore_km"] == "DOUBLE"


def test_csv_reads_back_with_the_frictionless_descriptor(fixture_build):
    from frictionless import Package

    package = Package(str(fixture_build / "data" / "datapackage.json"))
    rows = package.get_resource("incidents_csv").read_rows()
    assert rows[0]["incident_id"] == "2024-02-23-fixture-calais-capsize"
    assert str(rows[0]["date"]) == "2024-02-23" and rows[0]["dead"] == 7 and rows[0]["missing"] is None


def test_evidence_offsets_point_at_the_quotes(fixture_build):
    evidence = pd.read_parquet(fixture_build / "data" / "parquet" / "evidence.parquet")
    from pipelines.ingest.corpus import load_corpus

    texts = {s.source_id: s.text for s in load_corpus(FIXTURE).sources.values()}
    for _, row in evidence.iterrows():
        assert texts[row["source_id"]][row["start"]:row["end"]] == row["quote"]
    resolved = evidence[evidence["record_id"] == "fixture-channel-people-feb-2024"]["date_resolutions"].iloc[0]
    assert "'last month' -> 2024-02-01..2024-02-29" in resolved


def test_same_inputs_give_byte_identical_files(fixture_build, cli_build):
    # two builds of the same corpus: the session's, and `borderlines build` into another folder
    first, second = tree_hashes(fixture_build / "data"), tree_hashes(cli_build[0] / "data")
    assert len(first) == 2 * len(PUBLISHED_TABLES) + 4  # and the SQLite file, datapackage.json, manifest.json, the timeline
    assert first == second


def test_invalid_annotation_stops_the_build_with_the_validate_message(corpus, tmp_path, capsys):
    annotations = corpus / "sources/news/2024-03-04-fixture-strait-talks/annotations.yaml"
    annotations.write_text(annotations.read_text().replace("survivors: 41", "survivors: 42"))
    assert main(["--root", str(corpus), "validate"]) == 1
    validate_message = [line for line in capsys.readouterr().out.splitlines() if "number-not-quoted" in line][0]

    result = build(corpus, tmp_path / "build")
    assert not result.success
    reports = failed_checks(result)
    assert len(reports) == 1 and "check 'valid' on annotations failed" in reports[0]
    assert validate_message in reports[0]
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "annotations" in materialized and "staging" not in materialized and "data_package" not in materialized
    assert not (tmp_path / "build" / "data").exists()


def test_real_sources_build(real_build_result):
    """The session's build of the repository's sources (conftest.py) succeeded, and its
    blocking checks ran: frictionless on the package, sha256 of each reference file."""
    from pipelines.reference.load import reader_tables

    result = real_build_result.result
    passed = {(e.asset_key.to_user_string(), e.check_name) for e in result.get_asset_check_evaluations() if e.passed}
    assert ("data_package", "frictionless") in passed
    assert {(name, "file_hash") for name in reader_tables()} <= passed
    crossings = pd.read_parquet(real_build_result.path / "data" / "parquet" / "crossings.parquet")
    with_figures = {path.parent.name for path in (REPO / "sources" / "news").glob("*/annotations.yaml")
                    if (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("crossings")}
    assert set(crossings["source_id"]) == with_figures


# --- releases ----------------------------------------------------------------------------

CHANGELOG = "# Changelog\n\n## 0.2.0 - 2026-11-24\n\n## 0.1.1 - 2026-11-23\n\n## 0.1.0 - 2026-11-23\n"


@pytest.fixture
def repo(tmp_path, fixture_build):
    """A scratch repository layout holding the fixture build, the sources it was built from
    and a changelog describing the versions the tests release."""
    shutil.copytree(fixture_build / "data", tmp_path / "build" / "data")
    shutil.copytree(FIXTURE / "sources", tmp_path / "sources")
    # the code as it is now, should pipelines/ change during the session (tests/test_build_hardening.py
    # shows that a release refuses a build older than its sources or code)
    write_manifest(build_manifest(tmp_path), tmp_path / "build/data" / MANIFEST)
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "CHANGELOG.md").write_text(CHANGELOG)
    return tmp_path


def do_release(repo, version, date="2026-11-23"):
    return release(version, repo / "build" / "data", repo / "datasets", repo / "datapackage.json", release_date=date)


def test_release_is_published_and_validates_from_the_shell(repo):
    assert do_release(repo, "0.1.0").startswith("published datasets/0.1.0")
    descriptor = json.loads((repo / "datasets/0.1.0/datapackage.json").read_text())
    assert descriptor["version"] == "0.1.0" and descriptor["created"] == "2026-11-23T00:00:00Z"
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    for resource in descriptor["resources"]:
        assert resource["hash"].startswith("sha256:")
        assert ("bytes" in resource) == (resource["format"] != "parquet")  # the CSV, the SQLite file, the timeline
    root = json.loads((repo / "datapackage.json").read_text())
    assert root["resources"][0]["path"].startswith("datasets/0.1.0/")
    for target in ("datapackage.json", "datasets/0.1.0/datapackage.json"):
        shell = subprocess.run([str(VENV_BIN / "frictionless"), "validate", target], cwd=repo,
                               capture_output=True, text=True)
        assert shell.returncode == 0, shell.stdout[-2000:]


def rehash(descriptor_path: Path, paths: list[str]) -> None:
    """Record the current size and sha256 of these files in a build's descriptor."""
    from pipelines.hashing import file_digest

    descriptor = json.loads(descriptor_path.read_text())
    for resource in descriptor["resources"]:
        if resource["path"] in paths:
            size, sha = file_digest(descriptor_path.parent / resource["path"])
            resource["hash"] = f"sha256:{sha}"
            if "bytes" in resource:
                resource["bytes"] = size
    descriptor_path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n")


def test_release_is_immutable(repo):
    do_release(repo, "0.1.0")
    before = tree_hashes(repo / "datasets/0.1.0")
    assert "nothing to do" in do_release(repo, "0.1.0")
    csv = repo / "build/data/csv/people.csv"
    csv.write_text(csv.read_text().replace("Anna Fixture", "Anna Changed"))
    parquet = repo / "build/data/parquet/people.parquet"  # the same change in both formats: a valid build
    people = pq.read_table(parquet)
    renamed = pa.array([name.replace("Anna Fixture", "Anna Changed") for name in people["name"].to_pylist()],
                       type=people.schema.field("name").type)
    pq.write_table(people.set_column(people.schema.get_field_index("name"), people.schema.field("name"), renamed),
                   parquet)
    # The build's descriptor no longer matches its files: a release refuses such a build.
    with pytest.raises(ReleaseError, match="does not validate"):
        do_release(repo, "0.1.1")
    rehash(repo / "build/data/datapackage.json", ["csv/people.csv", "parquet/people.parquet"])
    with pytest.raises(ReleaseError, match="exists with different content; releases are immutable"):
        do_release(repo, "0.1.0")
    assert tree_hashes(repo / "datasets/0.1.0") == before
    with pytest.raises(ReleaseError, match="MAJOR.MINOR.PATCH"):
        do_release(repo, "v1")


KILLER = """
import sys
from pathlib import Path
import pipelines.publish.release as rel
real = rel.write_descriptor
def stuck_write(descriptor, path):
    real(descriptor, path)
    Path(sys.argv[2]).write_text("writing")  # tell the test we are mid-release
    sys.stdin.read()  # and wait there, for as long as it takes the test to kill us
rel.write_descriptor = stuck_write
repo = Path(sys.argv[1])
rel.release("0.2.0", repo / "build/data", repo / "datasets", repo / "datapackage.json", release_date="2026-11-24")
"""


def test_killed_release_leaves_no_partial_folder(repo, tmp_path):
    do_release(repo, "0.1.0")
    before, root_before = tree_hashes(repo / "datasets/0.1.0"), (repo / "datapackage.json").read_bytes()
    signal_file = tmp_path / "mid-write"
    proc = subprocess.Popen([sys.executable, "-c", KILLER, str(repo), str(signal_file)], stdin=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60  # a limit, not a wait: the loop ends when the file appears
        while not signal_file.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        assert signal_file.exists(), "the release never reached the write"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert not (repo / "datasets/0.2.0").exists()
    assert tree_hashes(repo / "datasets/0.1.0") == before
    assert (repo / "datapackage.json").read_bytes() == root_before
    # the next release cleans up what the killed one left and succeeds
    assert do_release(repo, "0.2.0", "2026-11-24").startswith("published")
    assert not list((repo / "datasets").glob(".release-*"))
    assert json.loads((repo / "datapackage.json").read_text())["version"] == "0.2.0"


def test_build_command_prints_summary(cli_build):
    folder, out = cli_build
    assert f"Built {folder / 'data'}" in out
    assert any(line.split()[:3] == ["crossings", "2", "rows"] for line in out.splitlines())


def test_qualifier_bounds_and_falls():
    from pipelines.core.tables import sql_files, sql_text

    *macros, query = sql_files(load_tables()["crossings"])
    con = duckdb.connect()
    for macro in macros:
        con.execute(sql_text(macro))
    con.execute("""CREATE TABLE stg_crossings AS SELECT * FROM (VALUES
        ('a', 'people', 100.0, 'more_than'), ('b', 'people', 100.0, 'nearly'), ('c', 'people', 100.0, 'exact'),
        ('d', 'people_pct_change', -60.0, 'more_than'), ('e', 'people_pct_change', -60.0, 'nearly'),
        ('f', 'people_pct_change', 13.0, 'more_than'), ('g', 'people', 100.0, 'about')
    ) AS t(crossing_id, measure, value, qualifier)""")
    bounds = {row[0]: row[1:] for row in con.execute(
        f"SELECT crossing_id, value_low, value_high FROM ({sql_text(query)})").fetchall()}
    assert bounds == {"a": (100, None), "b": (None, 100), "c": (100, 100),
                      "d": (None, -60),  # a fall of more than 60%: -60 or below
                      "e": (-60, None),  # a fall of nearly 60%: above -60
                      "f": (13, None), "g": (None, None)}
