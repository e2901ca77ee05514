"""The Parquet files of a package, held to the CSV files frictionless has validated.

pipelines/publish/package_check.py has frictionless read each table once, as CSV. For
every table resource, `verify_round_trip` then checks, vectorised, that the Parquet file
has the declared columns and Arrow types (the descriptor's: a build's come from schemas/)
and that the CSV file, read back with those types, holds the same rows, value for value.
So the Parquet file is as valid as the
CSV, and a CSV row frictionless did not read (beyond FULL_ROWS of a large table) still
parses to its declared type. Every row was checked before writing too, by the Pandera
schema and the foreign-key checks of the core assets.
"""

from __future__ import annotations

import json
from pathlib import Path


def verify_round_trip(descriptor_path: Path) -> list[str]:
    """Problems, one line each, for files whose content differs from their declaration or twin."""
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    return [problem for name in resources for problem in round_trip_problems(descriptor_path.parent, resources, name)]


def round_trip_problems(basepath: Path, resources: dict[str, dict], name: str) -> list[str]:
    """The problems of one Parquet resource of a package (by name; [] for any other resource):
    its columns and types against the declared ones, its rows against its CSV twin's."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipelines.schemas import FieldSpec, load_tables

    resource = resources[name]
    if resource.get("format") != "parquet" or name not in load_tables():
        return []
    # The columns the package's own descriptor declares: those of schemas/ for a build,
    # those of its day for an earlier release (columns are added between releases).
    declared = pa.schema([FieldSpec(f["name"], f["type"], f.get("description", "")).to_arrow()
                          for f in resource["schema"]["fields"]])
    path = basepath / resource["path"]
    if not path.is_file():
        return []  # reported by verify_files
    found = pq.read_schema(path)
    if [(f.name, f.type) for f in found] != [(f.name, f.type) for f in declared]:
        return [f"{name}: the Parquet columns {found.names} differ from the declared ones"]
    twin = resources.get(f"{name}_csv")
    if twin is None or not (basepath / twin["path"]).is_file():
        return []
    try:
        difference = compare_csv(path, basepath / twin["path"], declared)
    except Exception as err:  # pyarrow says what it could not parse, with the row
        difference = f"does not read back with the declared types: {err}"
    pa.default_memory_pool().release_unused()  # the pages of the last batches, for the work beside
    return [f"{twin['name']}: differs from {name}: {difference}"] if difference else []


def compare_csv(parquet_path: Path, path: Path, schema) -> str:
    """'' when the CSV at path (written by publish.files) holds the rows of the Parquet file
    at parquet_path. Both are read in batches, side by side, so that neither is held
    whole (at 100,000 sources `evidence` is some 3.4 million rows); the CSV is read as the
    package's readers read it: an empty cell and a quoted empty string ("") are both null
    (the descriptor's missingValues, frictionless, pandas and R agree), values may contain
    line breaks. (Read with "" as an empty string, as before issue 13, an empty string in
    Parquet passed here while every other reader of the CSV saw a null.)"""
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    from pipelines.publish.files import PARQUET_READ_ROWS, BatchCursor

    parquet = pq.ParquetFile(parquet_path)
    total = parquet.metadata.num_rows
    reader = pa_csv.open_csv(
        path,
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types={f.name: f.type for f in schema}, null_values=[""], strings_can_be_null=True,
            quoted_strings_can_be_null=True, true_values=["true"], false_values=["false"]),
    )
    if reader.schema.names != schema.names:
        return f"columns {reader.schema.names}, declared {schema.names}"
    rows = BatchCursor(parquet.iter_batches(batch_size=PARQUET_READ_ROWS))
    offset = 0
    for batch in reader:
        if offset + batch.num_rows > total:
            return f"more than {total} rows"
        stored = pa.Table.from_batches(list(rows.rows(offset, batch.num_rows)), schema=parquet.schema_arrow)
        difference = first_difference(stored, pa.Table.from_batches([batch]), offset)
        if difference:
            return difference
        offset += batch.num_rows
    return "" if offset == total else f"{offset} rows against {total}"



def first_difference(left, right, offset: int = 0) -> str:
    """'' when the tables hold the same values (NaN equal to NaN), else where they first differ
    (rows counted from offset)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if left.num_rows != right.num_rows:
        return f"{left.num_rows} rows against {right.num_rows}"
    for name in left.column_names:
        a, b = left[name].combine_chunks(), right[name].combine_chunks()
        if a.equals(b):
            continue
        same = pc.fill_null(pc.equal(a, b), False)
        both_null = pc.and_(pc.is_null(a), pc.is_null(b))
        same = pc.or_(same, both_null)
        if pa.types.is_floating(a.type):
            same = pc.or_(same, pc.fill_null(pc.and_(pc.is_nan(a), pc.is_nan(b)), False))
        if pc.all(same).as_py():
            continue
        row = pc.index(same, False).as_py()
        return f"column {name}, row {offset + row + 1}: {a[row].as_py()!r} against {b[row].as_py()!r}"
    return ""

