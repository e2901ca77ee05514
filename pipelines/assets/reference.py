"""Group `reference`: the official statistics. One asset per table declared with a
`reader`, with blocking checks of the file's sha256 and of the Pandera schema, and one
for the table that gathers every reader's data-quality issues."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines.assets.checks import schema_spec, table_check_result
from pipelines.assets.metadata import OWNERS, code_version, definition_metadata, module_file, observed_files, table_files, table_metadata
from pipelines.assets.resources import BorderlinesPaths
from pipelines.core.database import connect, store_table
from pipelines.core.tables import check_schema, read_table
from pipelines.hashing import tree_digest
from pipelines.reference import REFERENCE_DIR
from pipelines.reference.load import gather_issues_sql, issues_gatherers, issues_table_name, read_reference, reader_tables
from pipelines.schemas import TableSpec, load_tables

GROUP = "reference"
# The code that reads every official file: part of each reference asset's code version.
RUNNER_FILES = [module_file("pipelines.reference.load"), module_file("pipelines.reference.quality"),
                module_file("pipelines.reference.provenance"), Path(__file__)]


def file_asset_name(folder: str) -> str:
    return folder.replace("-", "_") + "_files"


def reference_files(folder: str) -> dg.AssetsDefinition:
    """The official file and its provenance.yaml in sources/reference/<folder>/, observed:
    its data version is a sha256 of their paths and contents."""
    return observed_files(
        file_asset_name(folder), GROUP, f"{REFERENCE_DIR}/{folder}", kinds={"yaml"},
        description=f"The files in {REFERENCE_DIR}/{folder}/ (the official file and its provenance.yaml); data "
                    "version: a sha256 of their paths and contents.",
        version=lambda paths: tree_digest(paths.corpus() / REFERENCE_DIR / folder))


def reference_asset(table: TableSpec, quality: TableSpec) -> dg.AssetsDefinition:
    specs = [dg.AssetCheckSpec("file_hash", asset=table.name, blocking=True,
                               description=f"The file in {REFERENCE_DIR}/{table.build['folder']}/ has the sha256 "
                                           "its provenance.yaml records."),
             schema_spec(table.name)]

    @dg.asset(name=table.name, group_name=GROUP, description=table.description, check_specs=specs,
              deps=[file_asset_name(table.build["folder"])],
              kinds={"python", "duckdb"}, owners=OWNERS, tags={"borderlines/layer": GROUP},
              code_version=code_version(*table_files(table), *RUNNER_FILES),
              metadata={**definition_metadata(table), "folder": f"{REFERENCE_DIR}/{table.build['folder']}"})
    def _load(paths: BorderlinesPaths) -> dg.MaterializeResult:
        read = read_reference(paths.corpus(), table, quality)
        con = connect(paths.database())
        try:
            store_table(con, table.name, read.table, list(table.primary_key))
            store_table(con, issues_table_name(table.name), read.issues)  # ordered when gathered
        finally:
            con.close()
        hash_result = dg.AssetCheckResult(asset_key=table.name, check_name="file_hash", passed=read.hash_problem is None,
                                          metadata={"report": read.hash_problem or "the file is unchanged", **read.about})
        return dg.MaterializeResult(
            metadata={**table_metadata(read.table, table), **read.about},
            check_results=[hash_result, table_check_result(table.name, "schema", check_schema(read.table, table))])

    return _load


def issues_asset(quality: TableSpec, readers: list[str]) -> dg.AssetsDefinition:
    @dg.asset(name=quality.name, group_name=GROUP, deps=readers, check_specs=[schema_spec(quality.name)],
              description=quality.description, kinds={"duckdb"}, owners=OWNERS, tags={"borderlines/layer": GROUP},
              code_version=code_version(*table_files(quality), *RUNNER_FILES),
              metadata=definition_metadata(quality))
    def _gather(paths: BorderlinesPaths) -> dg.MaterializeResult:
        con = connect(paths.database())
        try:
            con.execute(gather_issues_sql(quality.name, readers))
            arrow = read_table(con, quality.name)
        finally:
            con.close()
        by_dataset = arrow.group_by("dataset").aggregate([("row", "count")]).to_pylist()
        return dg.MaterializeResult(
            metadata={**table_metadata(arrow, quality), **{f"{r['dataset']}_issues": r["row_count"] for r in by_dataset}},
            check_results=[table_check_result(quality.name, "schema", check_schema(arrow, quality))])

    return _gather


def _assets() -> list[dg.AssetsDefinition]:
    tables = load_tables()
    [quality] = [tables[name] for name in issues_gatherers(tables)]
    readers = reader_tables(tables)
    return [*(reference_asset(tables[name], quality) for name in readers), issues_asset(quality, readers)]


ASSETS = _assets()
SOURCE_FILES = [reference_files(folder) for folder in sorted({load_tables()[name].build["folder"]
                                                              for name in reader_tables()})]
