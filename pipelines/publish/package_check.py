"""The blocking check of a build or a release: is the data package what it says it is?

1. The descriptor against the Data Package v2 profile (frictionless).
2. Every file's size and sha256 against the descriptor (`verify_files`).
3. The rows of every table, once. frictionless reads the CSV resource with its descriptor:
   every cell parsed to its declared type, constraints, primary and foreign keys. The
   Parquet twin is then held to that CSV by `roundtrip.verify_round_trip`, vectorised: the
   declared Arrow types, and the same rows, value for value. Validating each table a
   second time as Parquet in frictionless doubled the cost of the check (measured: 2.6 s
   against 1.3 s on the real sources) and could find nothing these two do not.

frictionless reads every cell in Python (about 90 microseconds a row of iom_incidents).
Two things keep that from dominating a build:
- a resource of more than FULL_ROWS rows is read up to that row, without its foreign keys
  into other such resources (a key check reads the whole target); its every row was
  checked before writing by the Pandera schema and the foreign-key checks of the core
  assets, and the round trip holds every row of both files to the declared types;
- with `cache_dir` (builds; never releases), a resource whose check passed before is not
  read again while its bytes, its descriptor entry, the entries of the resources its
  foreign keys point to, the row limit and the frictionless version are all unchanged: the
  result could not differ. The official statistics, most of the rows, rarely change. The
  descriptor's own verdict is kept the same way, so an unchanged build never imports
  frictionless. Files are checked against their hashes first, every time.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pipelines.publish.datapackage import verify_files
from pipelines.publish.roundtrip import verify_round_trip

FULL_ROWS = 10_000
CACHE_FILE = "frictionless-passed.json"
DESCRIPTOR = "datapackage.json"  # the cache's name for the descriptor's own verdict


def validate_package(descriptor_path: Path, cache_dir: Path | None = None) -> list[str]:
    """Problems with the package at descriptor_path, one line each ([] when it is valid)."""
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    file_problems = verify_files(descriptor_path)
    # A cached pass vouches for the bytes its key names: only trust it once they are verified.
    passed = _read_cache(cache_dir) if cache_dir and not file_problems else {}
    frictionless = version("frictionless")  # part of every cache key: a new release may judge differently
    descriptor_key = _digest({"descriptor": descriptor, "frictionless": frictionless})
    if passed.get(descriptor_key) != DESCRIPTOR:
        problems = _descriptor_problems(descriptor, descriptor_path.parent)
        if problems:
            return problems + file_problems
    passed, problems = _validate_csv(descriptor, descriptor_path.parent, passed, frictionless)
    if cache_dir and not file_problems:
        _write_cache(cache_dir, {**passed, descriptor_key: DESCRIPTOR})
    _give_back_memory()
    return problems + file_problems + verify_round_trip(descriptor_path)


def _descriptor_problems(descriptor: dict[str, Any], basepath: Path) -> list[str]:
    """The descriptor against the Data Package profile (whatever the files hold)."""
    from frictionless import Package

    report = Package.validate_descriptor(descriptor, basepath=str(basepath))
    return [f"datapackage.json: {error.type}: {error.note}" for error in report.errors]


def csv_resources(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in descriptor["resources"] if r.get("type") == "table" and r.get("format") == "csv"]


def _validate_csv(descriptor: dict[str, Any], basepath: Path, passed: dict[str, str],
                  frictionless: str) -> tuple[dict[str, str], list[str]]:
    """frictionless on each CSV resource not already passed; returns the keys of the resources
    that pass now (cached or checked) and the problems of the others."""
    resources = csv_resources(descriptor)
    by_name = {r["name"]: r for r in descriptor["resources"]}
    large = {r["name"] for r in resources if _rows(basepath, by_name.get(r["name"].removesuffix("_csv"))) > FULL_ROWS}
    for resource in resources:  # see the module docstring
        schema = resource.get("schema") or {}
        if resource["name"] in large:
            schema["foreignKeys"] = [fk for fk in schema.get("foreignKeys", [])
                                     if (fk["reference"].get("resource") or resource["name"]) not in large]
    keys = {r["name"]: cache_key(r, resources, frictionless) for r in resources}
    still = {key: name for name, key in keys.items() if passed.get(key) == name}
    todo = [name for name, key in keys.items() if key not in still]
    if not todo:
        return still, []
    from frictionless import Package

    package = Package({"resources": resources}, basepath=str(basepath))
    problems = []
    for name in todo:
        report = package.get_resource(name).validate(limit_rows=FULL_ROWS if name in large else None)
        errors = [error for task in report.tasks for error in task.errors] + list(report.errors)
        if not errors:
            still[keys[name]] = name
        problems += [f"{name}: row {getattr(error, 'row_number', '-')}: {error.type}: {error.note}" for error in errors]
    return still, problems


def cache_key(resource: dict[str, Any], resources: list[dict[str, Any]], frictionless: str) -> str:
    """What frictionless' verdict on a resource depends on: its entry (file hash, schema),
    the entries its foreign keys point to, the row limit and frictionless' version."""
    by_name = {r["name"]: r for r in resources}
    targets = sorted({fk["reference"].get("resource") or resource["name"]
                      for fk in (resource.get("schema") or {}).get("foreignKeys", [])})
    return _digest({"resource": resource, "targets": [by_name.get(name) for name in targets],
                    "full_rows": FULL_ROWS, "frictionless": frictionless})


def _digest(material: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def _rows(basepath: Path, parquet: dict[str, Any] | None) -> int:
    """Rows of a table, from the footer of its Parquet resource (the CSV twin of the same name
    without "_csv"; the round trip checks that both hold the same rows)."""
    import pyarrow.parquet as pq

    path = basepath / parquet["path"] if parquet else None
    return pq.read_metadata(path).num_rows if path and path.is_file() else 0


def _read_cache(cache_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((cache_dir / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # absent or damaged: validate everything
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(cache_dir: Path, passed: dict[str, str]) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / (CACHE_FILE + ".tmp")
    tmp.write_text(json.dumps(passed, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(cache_dir / CACHE_FILE)


def _give_back_memory() -> None:
    """frictionless leaves reference cycles behind for the rows it reads, and Arrow's
    allocator keeps the pages of freed tables. In the build process, which holds millions of
    long-lived objects, CPython postpones full collections, so both piled up (0.7 GB on a
    10,000-source build): return them before the next step (benchmarks/RESULTS.md)."""
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
