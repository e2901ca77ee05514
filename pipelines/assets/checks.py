"""The blocking checks of every group, in one place: their specs, and their results as the
UI shows them (validate's report, a table check's failure cases)."""

from __future__ import annotations

import dagster as dg

from pipelines.core.tables import TableCheck
from pipelines.ingest.problems import ProblemList, errors

SCHEMA_CHECK = "Pandera schema derived from schemas/: types, enums, patterns, ranges, keys, cross-field rules."


def valid_spec(asset: str, what: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec("valid", asset=asset, blocking=True,
                             description=f"{what} pass every check of `borderlines validate`.")


def problems_result(asset: str, problems: ProblemList) -> dg.AssetCheckResult:
    """The `valid` check, its metadata listing problems exactly as `validate` prints them."""
    text = "\n".join(p.format_text() for p in sorted(problems))
    return dg.AssetCheckResult(
        asset_key=asset, check_name="valid", passed=not errors(problems),  # warnings are shown, fail nothing
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
