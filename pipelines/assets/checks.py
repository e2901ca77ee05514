"""How checks and tables show in the Dagster UI, for every group: one place for the
check specs, check results and table metadata."""

from __future__ import annotations

import dagster as dg
import pyarrow as pa

from pipelines.core.tables import TableCheck, as_pandas
from pipelines.ingest.problems import ProblemList
from pipelines.schemas import TableSpec

SCHEMA_CHECK = "Pandera schema derived from schemas/: types, enums, patterns, ranges, keys, cross-field rules."


def valid_spec(asset: str, what: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec("valid", asset=asset, blocking=True,
                             description=f"{what} pass every check of `borderlines validate`.")


def problems_result(asset: str, problems: ProblemList) -> dg.AssetCheckResult:
    """The `valid` check, its metadata listing problems exactly as `validate` prints them."""
    text = "\n".join(p.format_text() for p in sorted(problems))
    return dg.AssetCheckResult(
        asset_key=asset, check_name="valid", passed=not problems,
        metadata={"problems": len(problems), "report": dg.MetadataValue.md(f"```\n{text}\n```" if text else "none")},
    )


def schema_spec(asset: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec("schema", asset=asset, blocking=True, description=SCHEMA_CHECK)


def table_check_result(asset: str, name: str, check: TableCheck) -> dg.AssetCheckResult:
    """A table check's result, its failure cases as metadata."""
    return dg.AssetCheckResult(
        asset_key=asset, check_name=name, passed=check.passed,
        metadata={"failures": len(check.failures), "failure_cases": dg.MetadataValue.md(check.summary() or "none")},
    )


def table_metadata(arrow_table: pa.Table, table: TableSpec) -> dict:
    """Row count, column schema and a preview of a built table."""
    frame = as_pandas(arrow_table.slice(0, 10))  # the preview's rows only: the whole table as pandas doubled a step's memory
    return {
        "dagster/row_count": arrow_table.num_rows,
        "dagster/column_schema": dg.TableSchema(columns=[
            dg.TableColumn(f.name, f.type, description=f.description) for f in table.fields
        ]),
        "preview": dg.MetadataValue.md(frame.head(10).to_markdown(index=False) if len(frame) else "(no rows)"),
    }
