"""Write a table as Parquet and CSV, byte for byte the same for the same rows.

Rows arrive sorted by primary key (the SQL orders them). Parquet is written by pyarrow
with fixed settings, and keeps each field's description in the Arrow schema metadata;
CSV is UTF-8 with a header, ISO dates, `true`/`false`, and empty cells for nulls.

Empty text is published as null, in both files (`empty_text_as_null`). pyarrow writes an
empty string as a quoted `""` and a null as nothing, but the readers of the package do not
tell the two apart: the descriptor's missingValues ([""]), frictionless, pandas and R read
both as missing. So an empty string in Parquet would be null in every reading of the CSV.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from pipelines.hashing import file_digest

PARQUET_OPTIONS = dict(compression="zstd", compression_level=9, use_dictionary=True,
                       write_statistics=True, row_group_size=1_000_000, data_page_version="2.0")


def write_parquet(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(empty_text_as_null(table), path, **PARQUET_OPTIONS)


def write_csv(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pa_csv.write_csv(empty_text_as_null(table), path, pa_csv.WriteOptions(include_header=True, quoting_style="needed"))


def empty_text_as_null(table: pa.Table) -> pa.Table:
    """The table with every empty string of its text columns made null (see the module docstring)."""
    for index, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            column = table.column(index)
            empty = pc.fill_null(pc.equal(column, ""), False)
            if pc.any(empty).as_py():
                table = table.set_column(index, field, pc.if_else(empty, pa.scalar(None, field.type), column))
    return table


def file_resource(out_dir: Path, rel: str, prefix: str, *, name: str, mediatype: str, title: str,
                  description: str) -> dict | None:
    """The datapackage.json resource of a file the build wrote beside the tables (a chart, the
    SQLite file), with its size and hash; None when the build did not write it. The caller
    adds the licences and credits."""
    path = out_dir / rel
    if not path.is_file():
        return None
    size, sha = file_digest(path)
    return {"name": name, "type": "file", "path": prefix + rel, "format": path.suffix[1:], "mediatype": mediatype,
            "title": title, "description": description, "bytes": size, "hash": f"sha256:{sha}"}
