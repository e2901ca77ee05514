"""Group `core`: one asset per table declared with `group: core` in schemas/tables/, built
by its SQL file from the staging tables and the tables it reads, with blocking checks of
its Pandera schema and its foreign keys."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines.assets.checks import schema_spec, table_check_result
from pipelines.assets.metadata import OWNERS, PREVIEW_ROWS, code_version, definition_metadata, module_file, table_files, table_metadata
from pipelines.assets.resources import BorderlinesPaths
from pipelines.core.database import connect
from pipelines.core.tables import build_table, check_foreign_keys, check_table, read_table, tables_read
from pipelines.schemas import TableSpec, load_tables, tables_in_group

GROUP = "core"
# The code that runs every core table's SQL: part of each core asset's code version.
RUNNER_FILES = [module_file("pipelines.core.tables"), module_file("pipelines.core.database"), Path(__file__)]


def core_asset(table: TableSpec) -> dg.AssetsDefinition:
    specs = [schema_spec(table.name)]
    if table.references:
        specs.append(dg.AssetCheckSpec("foreign_keys", asset=table.name, blocking=True,
                                       description="Every foreign key value exists in " + ", ".join(table.references) + "."))

    @dg.asset(name=table.name, group_name=GROUP, description=table.description,
              deps=["staging", *tables_read(table)], check_specs=specs,
              kinds={"duckdb", "sql"}, owners=OWNERS, tags={"borderlines/layer": GROUP},
              code_version=code_version(*table_files(table), *RUNNER_FILES),
              metadata=definition_metadata(table))
    def _build(paths: BorderlinesPaths) -> dg.MaterializeResult:
        con = connect(paths.database())
        try:
            rows = build_table(con, table)
            results = [table_check_result(table.name, "schema", check_table(con, table))]
            if table.references:
                results.append(table_check_result(table.name, "foreign_keys", check_foreign_keys(con, table)))
            preview = read_table(con, table.name, limit=PREVIEW_ROWS)
        finally:
            con.close()
        # The table stays in DuckDB: only its first rows come to Python, for the preview.
        return dg.MaterializeResult(metadata={**table_metadata(preview, table), "dagster/row_count": rows},
                                    check_results=results)

    return _build


ASSETS = [core_asset(load_tables()[name]) for name in tables_in_group(GROUP)]
