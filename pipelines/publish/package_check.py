"""The blocking check of a build or a release: is the data package what it says it is?

1. The descriptor against the Data Package v2 profile (frictionless).
2. Every file's size and sha256 against the descriptor (`verify_files`).
3. The rows of every table, once. frictionless reads the CSV resource with its descriptor:
   every cell parsed to its declared type, constraints, primary and foreign keys. The
   Parquet twin is then held to that CSV by `roundtrip.verify_round_trip`, vectorised: the
   declared Arrow types, and the same rows, value for value. Validating each table a
   second time as Parquet in frictionless doubled the cost of the check (measured: 2.6 s
   against 1.3 s on the real sources) and could find nothing these two do not.

frictionless reads every cell in Python (about 90 microseconds a row of iom_incidents), so a
resource of more than FULL_ROWS rows is read up to that row, without its foreign keys into
other such resources (a key check reads the whole target); its every row was checked
before writing by the Pandera schema and the foreign-key checks of the core assets, and the
round trip holds every row of both files to the declared types.

Every check reads the package afresh: nothing is kept between builds (a verdict kept in a
cache could vouch for what was not checked, and a release must prove what it publishes).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipelines.publish.datapackage import verify_files
from pipelines.publish.roundtrip import verify_round_trip

FULL_ROWS = 10_000


def validate_package(descriptor_path: Path) -> list[str]:
    """Problems with the package at descriptor_path, one line each ([] when it is valid)."""
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    file_problems = verify_files(descriptor_path)
    problems = _descriptor_problems(descriptor, descriptor_path.parent)
    if problems:
        return problems + file_problems
    problems = _validate_csv(descriptor, descriptor_path.parent)
    _give_back_memory()
    return problems + file_problems + verify_round_trip(descriptor_path)


def _descriptor_problems(descriptor: dict[str, Any], basepath: Path) -> list[str]:
    """The descriptor against the Data Package profile (whatever the files hold)."""
    from frictionless import Package

    report = Package.validate_descriptor(descriptor, basepath=str(basepath))
    return [f"datapackage.json: {error.type}: {error.note}" for error in report.errors]


def csv_resources(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in descriptor["resources"] if r.get("type") == "table" and r.get("format") == "csv"]


def _validate_csv(descriptor: dict[str, Any], basepath: Path) -> list[str]:
    """frictionless on each CSV resource; the problems found, one line each."""
    resources = csv_resources(descriptor)
    by_name = {r["name"]: r for r in descriptor["resources"]}
    large = {r["name"] for r in resources if _rows(basepath, by_name.get(r["name"].removesuffix("_csv"))) > FULL_ROWS}
    for resource in resources:  # see the module docstring
        schema = resource.get("schema") or {}
        if resource["name"] in large:
            schema["foreignKeys"] = [fk for fk in schema.get("foreignKeys", [])
                                     if (fk["reference"].get("resource") or resource["name"]) not in large]
    if not resources:
        return []
    from frictionless import Package

    package = Package({"resources": resources}, basepath=str(basepath))
    problems = []
    for resource in resources:
        name = resource["name"]
        report = package.get_resource(name).validate(limit_rows=FULL_ROWS if name in large else None)
        errors = [error for task in report.tasks for error in task.errors] + list(report.errors)
        problems += [f"{name}: row {getattr(error, 'row_number', '-')}: {error.type}: {error.note}" for error in errors]
    return problems


def _rows(basepath: Path, parquet: dict[str, Any] | None) -> int:
    """Rows of a table, from the footer of its Parquet resource (the CSV twin of the same name
    without "_csv"; the round trip checks that both hold the same rows)."""
    import pyarrow.parquet as pq

    path = basepath / parquet["path"] if parquet else None
    return pq.read_metadata(path).num_rows if path and path.is_file() else 0


def _give_back_memory() -> None:
    """frictionless leaves reference cycles behind for the rows it reads, and Arrow's
    allocator keeps the pages of freed tables. In the build process, which holds millions of
    long-lived objects, CPython postpones full collections, so both piled up (0.7 GB on a
    10,000-source build): return them before the next step (benchmarks/RESULTS.md)."""
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
