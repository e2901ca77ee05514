"""Group `publish`: every published table as Parquet and CSV, the charts and
datapackage.json in build/data, with a blocking check of the whole package."""

from __future__ import annotations

import dagster as dg

from pipelines.assets.resources import BorderlinesPaths
from pipelines.core.database import connect
from pipelines.publish.build import write_build
from pipelines.publish.package_check import validate_package
from pipelines.schemas import load_tables

GROUP = "publish"
PUBLISHED_TABLES = list(load_tables())  # every declared table, in declared order


@dg.asset(group_name=GROUP, deps=PUBLISHED_TABLES,
          check_specs=[dg.AssetCheckSpec("frictionless", asset="data_package", blocking=True,
                                         description="The descriptor against the Data Package profile, every file's size and sha256, "
                                                     "frictionless on each table's CSV (types, constraints, keys), and "
                                                     "each Parquet file's types and values against its CSV.")],
          description="Parquet and CSV of every published table, the charts, and datapackage.json, in build/data.")
def data_package(paths: BorderlinesPaths) -> dg.MaterializeResult:
    # build/cache: charts and frictionless verdicts of unchanged content are not redone
    cache = paths.build() / "cache"
    con = connect(paths.database())
    try:
        counts = write_build(con, PUBLISHED_TABLES, paths.data_dir(), paths.corpus(), cache)
    finally:
        con.close()
    problems = validate_package(paths.data_dir() / "datapackage.json", cache_dir=cache)
    return dg.MaterializeResult(
        metadata={"path": str(paths.data_dir()), **{f"{name}_rows": n for name, n in counts.items()}},
        check_results=[dg.AssetCheckResult(
            asset_key="data_package", check_name="frictionless", passed=not problems,
            metadata={"problems": len(problems), "report": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems[:50]) or "none")},
        )],
    )


ASSETS = [data_package]
