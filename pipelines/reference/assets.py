"""Dagster assets of the `reference` group: the official statistics, loaded into DuckDB.

One asset per published reference table. Each calls its reader (the same functions the
tests exercise), conforms the result to its declaration in schemas/, stores it in DuckDB
under the resource's name, and reports two blocking checks: `file_hash` (the file is
still the one provenance.yaml describes) and `schema` (the Pandera schema derived from
schemas/). Every reader's data-quality issues are kept in a staging table
(`ref_issues_<table>`) that `reference_data_quality` gathers: a defect in a file is a
row there, never a failed build.

A corpus without a sources/reference/ folder (the hand-made test corpus) has no official
statistics: its reference tables are empty and every claim check is not_checkable. If
the folder exists, each reference file must be in it, unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import dagster as dg
import pandas as pd
import pyarrow as pa

from pipelines.core.staging import connect
from pipelines.core.tables import TableCheck, check_schema, conform
from pipelines.reference import iom_missing_migrants, italy_arrivals, uk_small_boats
from pipelines.reference.attribution import IOM, ITALY, REFERENCE_DIR, UK
from pipelines.reference.provenance import check_file_hash, load_provenance
from pipelines.reference.quality import issues_frame
from pipelines.schemas import TableSpec, arrow_schema, load_tables

Reader = Callable[[Path], tuple[pd.DataFrame, list[dict]]]


def _uk_daily(path: Path):
    issues: list[dict] = []
    return uk_small_boats.read_daily(path, issues), issues


def _uk_weekly(path: Path):
    issues: list[dict] = []
    return uk_small_boats.read_weekly(path, issues), issues


# Published table -> (folder under sources/reference/, reader of its file).
READERS: dict[str, tuple[str, Reader]] = {
    "uk_small_boat_arrivals_daily": (UK, _uk_daily),
    "uk_small_boat_arrivals_weekly": (UK, _uk_weekly),
    "iom_incidents": (IOM, iom_missing_migrants.read_incidents),
    "italy_sea_arrivals_daily": (ITALY, italy_arrivals.read_daily),
}
QUALITY_TABLE = "reference_data_quality"
REFERENCE_TABLES = [*READERS, QUALITY_TABLE]


def issues_table_name(name: str) -> str:
    return f"ref_issues_{name}"


def read_reference(root: Path, name: str) -> tuple[pa.Table, pa.Table, str | None, dict]:
    """(table, its issues, file-hash problem or None, metadata) for one reference table."""
    folder_id, reader = READERS[name]
    table = load_tables()[name]
    quality = load_tables()[QUALITY_TABLE]
    reference = Path(root) / REFERENCE_DIR
    if not reference.is_dir():
        return (arrow_schema(table).empty_table(), arrow_schema(quality).empty_table(), None,
                {"file": f"none: this corpus has no {REFERENCE_DIR}/ folder, so the table is empty"})
    folder = reference / folder_id
    if not (folder / "provenance.yaml").is_file():
        problem = f"{REFERENCE_DIR}/{folder_id}/provenance.yaml is missing"
        return arrow_schema(table).empty_table(), arrow_schema(quality).empty_table(), problem, {}
    problem = check_file_hash(folder)
    provenance = load_provenance(folder)
    path = folder / provenance["file"]
    if not path.is_file():
        return arrow_schema(table).empty_table(), arrow_schema(quality).empty_table(), problem, {}
    frame, issues = reader(path)
    arrow = conform(pa.Table.from_pandas(frame, schema=arrow_schema(table), preserve_index=False), table)
    issue_rows = conform(pa.Table.from_pandas(issues_frame(issues), schema=arrow_schema(quality),
                                              preserve_index=False), quality)
    return arrow, issue_rows, problem, {"file": f"{REFERENCE_DIR}/{folder_id}/{provenance['file']}",
                                        "sha256": provenance["sha256"], "issues": issue_rows.num_rows}


def store(con, name: str, table: pa.Table, order_by: list[str] | None = None) -> None:
    """Replace the DuckDB table `name`, its rows ordered by `order_by` (the published order)."""
    order = " ORDER BY " + ", ".join(f'"{column}"' for column in order_by) if order_by else ""
    con.register("_incoming", table)
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _incoming{order}")
    con.unregister("_incoming")


def _results(name: str, table: TableSpec, arrow: pa.Table, schema: TableCheck):
    # definitions.py imports this module to list its assets, so its helpers are imported
    # when an asset runs rather than at import time.
    from pipelines.definitions import _check_result, _table_metadata

    return _table_metadata(arrow, table), _check_result(name, "schema", schema)


def _schema_spec(name: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec("schema", asset=name, blocking=True,
                             description="Pandera schema derived from schemas/: types, ranges, keys.")


def reference_asset(name: str) -> dg.AssetsDefinition:
    table = load_tables()[name]
    folder_id = READERS[name][0]
    specs = [dg.AssetCheckSpec("file_hash", asset=name, blocking=True,
                               description=f"The file in {REFERENCE_DIR}/{folder_id}/ has the sha256 its provenance.yaml records."),
             _schema_spec(name)]

    @dg.asset(name=name, group_name="reference", description=table.description, check_specs=specs,
              required_resource_keys={"paths"})
    def _load(context) -> dg.MaterializeResult:
        paths = context.resources.paths
        arrow, issues, problem, about = read_reference(Path(paths.root), name)
        con = connect(paths.database())
        try:
            store(con, name, arrow, list(table.primary_key))
            store(con, issues_table_name(name), issues)  # ordered when gathered
        finally:
            con.close()
        metadata, schema_result = _results(name, table, arrow, check_schema(arrow, table))
        hash_result = dg.AssetCheckResult(asset_key=name, check_name="file_hash", passed=problem is None,
                                          metadata={"report": problem or "the file is unchanged", **about})
        return dg.MaterializeResult(metadata={**metadata, **about}, check_results=[hash_result, schema_result])

    return _load


@dg.asset(name=QUALITY_TABLE, group_name="reference", deps=list(READERS), check_specs=[_schema_spec(QUALITY_TABLE)],
          required_resource_keys={"paths"}, description=load_tables()[QUALITY_TABLE].description)
def reference_data_quality(context) -> dg.MaterializeResult:
    table = load_tables()[QUALITY_TABLE]
    con = connect(context.resources.paths.database())
    try:
        union = " UNION ALL ".join(f"SELECT * FROM {issues_table_name(name)}" for name in READERS)
        # Natural order of locations: line 9 before line 10, SB_01:9 before SB_01:10.
        con.execute(f"""CREATE OR REPLACE TABLE {QUALITY_TABLE} AS SELECT * FROM ({union})
                        ORDER BY dataset, file, regexp_replace("row", '[0-9]+$', ''),
                                 TRY_CAST(regexp_extract("row", '[0-9]+$') AS BIGINT), "row", "column" """)
        arrow = conform(con.sql(f"SELECT * FROM {QUALITY_TABLE}").to_arrow_table(), table)
    finally:
        con.close()
    metadata, schema_result = _results(QUALITY_TABLE, table, arrow, check_schema(arrow, table))
    by_dataset = arrow.group_by("dataset").aggregate([("row", "count")]).to_pylist()
    return dg.MaterializeResult(
        metadata={**metadata, **{f"{r['dataset']}_issues": r["row_count"] for r in by_dataset}},
        check_results=[schema_result])


REFERENCE_ASSETS = [*(reference_asset(name) for name in READERS), reference_data_quality]
