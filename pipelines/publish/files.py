"""Write a table as Parquet and CSV, byte for byte the same for the same rows.

Rows arrive sorted by primary key (the SQL orders them). Parquet is written by pyarrow
with fixed settings, and keeps each field's description in the Arrow schema metadata;
CSV is UTF-8 with a header, ISO dates, `true`/`false`, and empty cells for nulls.
`write_table_files` writes both from a stream of pieces of the table, so that a build holds
at most one row group (ROW_GROUP_ROWS rows) of a table, never the whole of it: at 100,000
sources `evidence` has some 3.4 million rows. The files are byte for byte those pyarrow
writes from the whole table at once (`pq.write_table` with PARQUET_OPTIONS,
`pa_csv.write_csv` with CSV_OPTIONS; tested).

Empty text is published as null, in both files (`empty_text_as_null`). pyarrow writes an
empty string as a quoted `""` and a null as nothing, but the readers of the package do not
tell the two apart: the descriptor's missingValues ([""]), frictionless, pandas and R read
both as missing. So an empty string in Parquet would be null in every reading of the CSV.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from pipelines.hashing import file_digest

ROW_GROUP_ROWS = 1_000_000
# zstd at level 3 (zstd's own default; pyarrow's is 1): level 9 made files a sixth smaller (10,000
# sources: 14.9 MB of Parquet against 18.0 MB, in a package of 250 MB of CSV) for three times the
# CPU (1.30 s against 0.43 s), and every build writes every file.
PARQUET_OPTIONS = dict(compression="zstd", compression_level=3, use_dictionary=True,
                       write_statistics=True, row_group_size=ROW_GROUP_ROWS, data_page_version="2.0")
CSV_OPTIONS = dict(include_header=True, quoting_style="needed")


def write_table_files(pieces: Iterable[pa.Table], schema: pa.Schema, parquet_path: Path, csv_path: Path,
                      row_group_size: int = ROW_GROUP_ROWS) -> int:
    """Write the table made of pieces (consecutive runs of its rows, each with `schema`) as
    Parquet and CSV, the same bytes as pyarrow's writers given the whole table (chunked as
    the pieces are); returns its number of rows. Each Parquet row group is written once it is whole: pyarrow
    starts a row group at every write, so the pieces are gathered (and cut) into runs of
    exactly row_group_size rows, as writing the whole table cuts it."""
    options = {key: value for key, value in PARQUET_OPTIONS.items() if key != "row_group_size"}
    for path in (parquet_path, csv_path):
        path.parent.mkdir(parents=True, exist_ok=True)
    rows, waiting = 0, []  # rows written, and the pieces of the row group being gathered
    with pq.ParquetWriter(parquet_path, schema, **options) as parquet, \
            pa_csv.CSVWriter(csv_path, schema, write_options=pa_csv.WriteOptions(**CSV_OPTIONS)) as csv:
        for piece in pieces:
            piece = empty_text_as_null(piece)
            csv.write_table(piece)
            rows += piece.num_rows
            waiting.append(piece)
            while sum(p.num_rows for p in waiting) >= row_group_size:
                gathered = pa.concat_tables(waiting)
                parquet.write_table(gathered.slice(0, row_group_size), row_group_size=row_group_size)
                rest = gathered.slice(row_group_size)
                waiting = [rest] if rest.num_rows else []
        if waiting or rows == 0:  # the last, shorter row group; an empty table has one of no rows
            parquet.write_table(pa.concat_tables(waiting) if waiting else schema.empty_table(),
                                row_group_size=row_group_size)
    return rows


PARQUET_READ_ROWS = 65_536  # rows read from a Parquet file at a time (pyarrow's default batch): by the
# SQLite writer and the round trip, which never hold a whole table


class BatchCursor:
    """Rows of a stream of record batches, run after run in increasing order, without
    holding more than the batch at hand."""

    def __init__(self, batches):
        self._batches = iter(batches)
        self._batch, self._first = None, 0  # the batch at hand, and the row it starts at

    def rows(self, start: int, length: int | None):
        """The rows start... (length of them, or to the end when None), as slices of the
        batches; start is at or after the end of the previous run asked for."""
        end = None if length is None else start + length
        while end is None or start < end:
            if self._batch is None or start >= self._first + self._batch.num_rows:
                if self._batch is not None:
                    self._first += self._batch.num_rows
                self._batch = next(self._batches, None)
                if self._batch is None:
                    return
                continue
            stop = self._batch.num_rows if end is None else min(end - self._first, self._batch.num_rows)
            yield self._batch.slice(start - self._first, stop - (start - self._first))
            start = self._first + stop


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
