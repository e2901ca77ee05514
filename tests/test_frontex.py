"""Frontex's monthly detections: the reader (real file and hand-made dirty ones), the asset's
checks, and a table that is used for checks but never published."""

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.publish.codebook import render_codebook
from pipelines.reference.frontex import read_detections
from pipelines.reference.provenance import check_file_hash, load_provenance
from pipelines.schemas import REPO_ROOT, load_tables

FOLDER = REPO_ROOT / "sources" / "reference" / "frontex-detections"
D = dt.date


@pytest.fixture(scope="module")
def frontex():
    return read_detections(FOLDER / "frontex.rda")


def test_provenance_and_hash():
    provenance = load_provenance(FOLDER)
    assert provenance["id"] == FOLDER.name and provenance["file"] == "frontex.rda"
    assert provenance["attribution"] == "Frontex, migratory map data as of 3 June 2025"
    notes = " ".join(provenance["notes"])
    assert "Detections are not people" in notes and "days since 1970-01-01" in notes
    assert check_file_hash(FOLDER) is None


def test_the_real_file_reads_whole_and_clean(frontex):
    frame, issues = frontex
    assert len(frame) == 34273 and issues == []
    assert list(frame.columns) == load_tables()["frontex_detections"].field_names
    assert frame["month"].min() == D(2009, 1, 1) and frame["month"].max() == D(2025, 4, 1)
    assert set(frame["border_type"]) == {"sea", "land"}
    # the first row of the file: Central Mediterranean, sea, Bangladesh, t = 14245 (2009-01-01), n = 41
    first = frame.iloc[0]
    assert (first["route"], first["nationality"], first["month"], first["detections"]) == \
        ("central_mediterranean", "BGD", D(2009, 1, 1), 41)
    no_code = frame[frame["route"].isna()]["frontex_route"]
    assert set(no_code) == {"Circular Route from Albania to Greece", "Black Sea Route", "Other"}
    load_tables()["frontex_detections"].to_pandera().validate(
        pa.Table.from_pandas(frame, schema=load_tables()["frontex_detections"].to_arrow(),
                             preserve_index=False).to_pandas(types_mapper=pd.ArrowDtype))


def _write_rda(path: Path, rows: list[tuple], name="frontex", columns=("route", "type", "nat", "t", "n")) -> Path:
    import pyreadr

    frame = pd.DataFrame(rows, columns=list(columns))
    pyreadr.write_rdata(str(path), frame, df_name=name)
    return path


def test_dirty_rows_are_issues_not_tracebacks(tmp_path):
    rows = [
        ("Western Balkan Route", "Land", "SYR", 19723.0, 120.0),  # 2024-01-01: fine
        ("Western Balkan Route", "Land", "AFG", 19723.0, -3.0),  # negative count
        ("Western Balkan Route", "Land", "IRQ", 19723.0, 2.5),  # not a whole number
        ("Western Balkan Route", "Land", "TUR", 19723.0, None),  # NA count
        ("Western Balkan Route", "Land", "PAK", 19724.0, 7.0),  # 2024-01-02: not a month's first day
        ("Western Balkan Route", "Land", "SYR", 19723.0, 9.0),  # repeats row 1
        ("Western Balkan Route", "Air", "SYR", 19723.0, 9.0),  # not a border type
        ("Western Balkan Route", "Land", None, 19723.0, 9.0),  # no nationality
        ("Arctic Route", "Sea", "NOR", 19723.0, 1.0),  # a route the reader does not know
        ("Arctic Route", "Sea", "SWE", 19723.0, 2.0),
    ]
    frame, issues = read_detections(_write_rda(tmp_path / "frontex.rda", rows))
    found = {(i["row"], i["column"]): i for i in issues}
    assert found[("frontex:2", "n")]["action"] == "value set to null"
    assert "whole number of 0 or more" in found[("frontex:3", "n")]["problem"]
    assert "missing (NA)" in found[("frontex:4", "n")]["problem"]
    assert found[("frontex:5", "t")]["action"] == "row skipped"
    assert "as row 1" in found[("frontex:6", "*")]["problem"]
    assert found[("frontex:7", "type")]["action"] == "row skipped"
    assert found[("frontex:8", "*")]["action"] == "row skipped"
    assert found[("frontex:9", "route")]["action"] == "rows kept, route code null"
    assert ("frontex:10", "route") not in found  # an unknown route is logged once
    assert len(issues) == 8 and all(i["dataset"] == "frontex-detections" and i["file"] == "frontex.rda"
                                    for i in issues)
    assert len(frame) == 6  # rows 1 to 4, 9 and 10
    assert frame["detections"].isna().sum() == 3
    assert frame[frame["frontex_route"] == "Arctic Route"]["route"].isna().all()


def test_a_file_that_is_not_frontex_data_is_a_clear_error(tmp_path):
    text = tmp_path / "frontex.rda"
    text.write_text("route,type,nat,t,n\n")
    with pytest.raises(ValueError, match=r"frontex\.rda: not an R data file pyreadr can read"):
        read_detections(text)
    other = _write_rda(tmp_path / "other.rda", [("Other", "Sea", "SYR", 19723.0, 1.0)], name="detections")
    with pytest.raises(ValueError, match="holds no data frame 'frontex'"):
        read_detections(other)
    short = _write_rda(tmp_path / "short.rda", [("Other", "Sea", "SYR", 19723.0)], columns=("route", "type", "nat", "t"))
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['n'\]"):
        read_detections(short)


def test_the_asset_has_blocking_hash_and_schema_checks():
    import dagster as dg

    from pipelines.assets.definitions import PUBLISHED_TABLES, defs

    graph = defs.resolve_asset_graph()
    node = graph.get(dg.AssetKey("frontex_detections"))
    assert node.group_name == "reference"
    checks = {key.name for key in graph.asset_check_keys if key.asset_key == dg.AssetKey("frontex_detections")}
    assert checks == {"file_hash", "schema"}
    assert dg.AssetKey("frontex_detections") in graph.get(dg.AssetKey("claim_checks")).parent_keys
    assert "frontex_detections" not in PUBLISHED_TABLES and "claim_checks" in PUBLISHED_TABLES


def test_the_codebook_documents_it_as_used_for_checks():
    codebook = render_codebook()
    section = codebook.split("## `frontex_detections`", 1)[1].split("\n## ", 1)[0]
    assert "**Used for checks, not published**" in section and "Frontex's website terms" in section
    assert "## `claim_checks`" in codebook and "Used for checks, not published**" not in \
        codebook.split("## `claim_checks`", 1)[1].split("\n## ", 1)[0]


# --- the real build and a release of it: comparisons, and no Frontex table -------------

FRONTEX_WORDS = ("Western Balkan Route", "Central Mediterranean Route", "Circular Route from Albania to Greece")


def _no_frontex_data(folder: Path) -> list[str]:
    """Files of a data package that hold a Frontex table or Frontex's row-level data."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if "frontex" in path.name.lower():
            found.append(f"{path.name}: a Frontex file")
        if path.suffix == ".parquet" and {"frontex_route", "detections", "nationality"} & set(pq.read_schema(path).names):
            found.append(f"{path.name}: Frontex's columns")
        if path.suffix == ".csv" and any(word in path.read_text(encoding="utf-8") for word in FRONTEX_WORDS):
            found.append(f"{path.name}: Frontex's route names as written in its file")
    descriptor = json.loads((folder / "datapackage.json").read_text())
    found += [r["name"] for r in descriptor["resources"] if "frontex" in r["name"] or "frontex" in r["path"]]
    return found


def test_no_frontex_table_in_the_build_or_a_release_but_the_comparisons_are(real_build, tmp_path):
    data = real_build / "data"
    assert _no_frontex_data(data) == []
    checks = pd.read_parquet(data / "parquet" / "claim_checks.parquet")
    frontex = checks[checks["series"] == "frontex_detections"]
    assert len(frontex) == 5 and set(frontex["verdict"]) <= {"consistent", "inconsistent"}
    assert frontex["note"].str.contains("Frontex, migratory map data as of 3 June 2025").all()
    descriptor = json.loads((data / "datapackage.json").read_text())
    claim_resource = next(r for r in descriptor["resources"] if r["name"] == "claim_checks")
    assert any("gdidata" in s["path"] for s in claim_resource["sources"])  # credited, not republished

    from pipelines.publish.manifest import MANIFEST, build_manifest, write_manifest
    from pipelines.publish.release import release

    shutil.copytree(data, tmp_path / "build" / "data")
    write_manifest(build_manifest(REPO_ROOT), tmp_path / "build" / "data" / MANIFEST)
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "CHANGELOG.md").write_text("## 9.9.9 - 2026-11-26\n")
    release("9.9.9", tmp_path / "build" / "data", tmp_path / "datasets", tmp_path / "datapackage.json",
            release_date="2026-11-26", root=REPO_ROOT)
    published = tmp_path / "datasets" / "9.9.9"
    assert (published / "parquet" / "claim_checks.parquet").is_file()
    assert _no_frontex_data(published) == []


def test_the_check_finds_frontex_data_where_it_is(tmp_path):
    """The detector of the test above, on a folder that does hold Frontex data."""
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "routes.csv").write_text("frontex_route\nWestern Balkan Route\n", encoding="utf-8")
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": [
        {"name": "frontex_detections", "path": "parquet/frontex_detections.parquet"}]}))
    assert len(_no_frontex_data(tmp_path)) == 2
