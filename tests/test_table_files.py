"""The published table files written from pieces of a table (pipelines/publish/files.py
`write_table_files`, fed by pipelines/publish/build.py `table_pieces`) are byte for byte those
of writing the whole table at once, and the readers that go through a file a batch at a
time (the SQLite writer, the round trip) see every row in order."""

from __future__ import annotations

import datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pyarrow.csv as pa_csv
import pytest

from pipelines.core.database import connect, store_table
from pipelines.core.tables import read_table
from pipelines.publish.build import table_pieces
from pipelines.publish.files import (BatchCursor, CSV_OPTIONS, PARQUET_OPTIONS, empty_text_as_null,
                                     write_table_files)
from pipelines.publish.roundtrip import compare_csv
from pipelines.schemas import load_tables

TEXTS = ["", None, "x", 'a "quoted", word', "two\nlines", "nan"]


def synthetic(schema: pa.Schema, rows: int) -> pa.Table:
    """rows of every type the table declares, with nulls and empty strings where allowed."""
    columns = []
    for field in schema:
        if pa.types.is_string(field.type):
            values = [f"{field.name}-{i}" if not field.nullable or i % 7 else TEXTS[i % len(TEXTS)]
                      for i in range(rows)]
            if field.nullable:
                values = [TEXTS[i % len(TEXTS)] if i % 5 == 0 else v for i, v in enumerate(values)]
        elif pa.types.is_date(field.type):
            values = [datetime.date(2020, 1, 1) + datetime.timedelta(days=i % 2000) for i in range(rows)]
        elif pa.types.is_floating(field.type):
            values = [None if field.nullable and i % 11 == 0 else i / 4 for i in range(rows)]
        elif pa.types.is_integer(field.type):
            values = [None if field.nullable and i % 13 == 0 else i for i in range(rows)]
        elif pa.types.is_boolean(field.type):
            values = [i % 3 == 0 for i in range(rows)]
        else:
            raise AssertionError(f"no synthetic values for {field.type}")
        columns.append(pa.array(values, field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def whole_table_files(table: pa.Table, tmp_path, row_group_size: int):
    """The files pyarrow writes from the whole table at once (as the build wrote them before
    it wrote them a batch at a time), with the given row group size."""
    parquet, csv = tmp_path / "whole.parquet", tmp_path / "whole.csv"
    pq.write_table(empty_text_as_null(table), parquet, **{**PARQUET_OPTIONS, "row_group_size": row_group_size})
    pa_csv.write_csv(empty_text_as_null(table), csv, pa_csv.WriteOptions(**CSV_OPTIONS))
    return parquet, csv


@pytest.mark.parametrize("piece_rows", [1_000, 777, 4_000, 10_000])
def test_pieces_written_as_files_are_the_bytes_of_the_whole_table(tmp_path, piece_rows):
    schema = load_tables()["crossings"].to_arrow()
    rows = 2_500
    pieces = [synthetic(schema, rows).slice(start, piece_rows) for start in range(0, rows, piece_rows)]
    whole = pa.concat_tables(pieces)  # chunked as the pieces are, as a table read from DuckDB is
    parquet, csv = whole_table_files(whole, tmp_path, row_group_size=1_000)
    written = write_table_files(iter(pieces), schema, tmp_path / "p" / "t.parquet", tmp_path / "c" / "t.csv",
                                row_group_size=1_000)
    assert written == rows
    assert pq.read_metadata(tmp_path / "p" / "t.parquet").num_row_groups == 3
    assert (tmp_path / "p" / "t.parquet").read_bytes() == parquet.read_bytes()
    assert (tmp_path / "c" / "t.csv").read_bytes() == csv.read_bytes()


def test_an_empty_table_gives_the_files_of_an_empty_table(tmp_path):
    schema = load_tables()["crossings"].to_arrow()
    parquet, csv = whole_table_files(schema.empty_table(), tmp_path, row_group_size=1_000)
    assert write_table_files(iter([]), schema, tmp_path / "t.parquet", tmp_path / "t.csv") == 0
    assert (tmp_path / "t.parquet").read_bytes() == parquet.read_bytes()
    assert (tmp_path / "t.csv").read_bytes() == csv.read_bytes()


def test_a_stored_table_streamed_from_duckdb_gives_the_files_of_read_table(tmp_path):
    """More rows than DuckDB gives in one batch (122,880), row groups cut across its batches."""
    spec = load_tables()["crossings"]
    con = connect(":memory:")
    try:
        store_table(con, "crossings", pa.concat_tables([synthetic(spec.to_arrow(), 1_000)] * 300))
        parquet, csv = whole_table_files(read_table(con, "crossings"), tmp_path, row_group_size=100_000)
        pieces = list(table_pieces(con, "crossings"))
        assert len(pieces) > 1
        write_table_files(iter(pieces), spec.to_arrow(), tmp_path / "t.parquet", tmp_path / "t.csv",
                          row_group_size=100_000)
    finally:
        con.close()
    assert (tmp_path / "t.parquet").read_bytes() == parquet.read_bytes()
    assert (tmp_path / "t.csv").read_bytes() == csv.read_bytes()


def test_the_batch_cursor_gives_each_run_of_rows_across_batches():
    sizes, batches, first = (3, 10, 0, 1, 30, 6), [], 0
    for size in sizes:
        batches.append(pa.record_batch({"n": pa.array(range(first, first + size), pa.int64())}))
        first += size
    cursor = BatchCursor(batches)
    for start, length in [(0, 2), (2, 0), (4, 12), (20, 1), (21, 25), (48, None)]:
        got = [n for batch in cursor.rows(start, length) for n in batch.column(0).to_pylist()]
        assert got == list(range(start, 50 if length is None else start + length)), (start, length)
    assert list(cursor.rows(50, None)) == []


def test_the_round_trip_reads_both_files_in_step_and_names_the_row_that_differs(tmp_path):
    """Parquet batches (65,536 rows) and CSV blocks end at different rows: a change in the
    last rows is found, at its row."""
    schema = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("text", pa.string())])
    rows = 150_000
    table = pa.table({"id": range(rows), "text": [f"row {i}" for i in range(rows)]}, schema=schema)
    write_table_files(iter([table]), schema, tmp_path / "t.parquet", tmp_path / "t.csv")
    assert compare_csv(tmp_path / "t.parquet", tmp_path / "t.csv", schema) == ""
    changed = table.set_column(1, schema.field("text"),
                               pa.array([f"row {i}" if i != 140_000 else "other" for i in range(rows)]))
    write_table_files(iter([changed]), schema, tmp_path / "u.parquet", tmp_path / "u.csv")
    assert compare_csv(tmp_path / "t.parquet", tmp_path / "u.csv", schema) == \
        "column text, row 140001: 'row 140000' against 'other'"
    short = table.slice(0, rows - 1)
    write_table_files(iter([short]), schema, tmp_path / "v.parquet", tmp_path / "v.csv")
    assert compare_csv(tmp_path / "t.parquet", tmp_path / "v.csv", schema) == f"{rows - 1} rows against {rows}"
    assert compare_csv(tmp_path / "v.parquet", tmp_path / "t.csv", schema) == f"more than {rows - 1} rows"


def test_a_table_that_cannot_be_written_fails_the_build_with_its_own_error(tmp_path, monkeypatch):
    """A write that fails with a table's rows still coming from DuckDB (a full disk, say) is
    the error reported, not a DuckDB complaint about the open result; nothing is left staged."""
    import pipelines.publish.build as build

    def disk_full(pieces, schema, parquet_path, csv_path):
        next(iter(pieces))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build, "write_table_files", disk_full)
    con = connect(":memory:")
    try:
        store_table(con, "crossings", pa.concat_tables([synthetic(load_tables()["crossings"].to_arrow(), 1_000)] * 300))
        with pytest.raises(OSError, match="No space left"):
            build.stage_build(con, ["crossings"], tmp_path / "build" / "data", tmp_path)
    finally:
        con.close()
    assert list((tmp_path / "build").iterdir()) == []


def test_a_table_whose_writing_fails_lets_go_of_the_database_file_while_the_error_is_kept(tmp_path, monkeypatch):
    # Dagster keeps a failed step's error; the unfinished result it reached used to keep
    # DuckDB's instance, and so the file, until a garbage collection: the next build in the
    # same process waited for ever to open it.
    import subprocess
    import sys

    from pipelines.publish import build

    database = tmp_path / "b.duckdb"
    spec = load_tables()["crossings"]
    con = connect(database)
    store_table(con, "crossings", pa.concat_tables([synthetic(spec.to_arrow(), 1_000)] * 300))

    def failing(pieces, *args, **kwargs):
        next(iter(pieces))  # one batch of several read, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build, "write_table_files", failing)
    with pytest.raises(OSError) as kept:
        build.stage_build(con, ["crossings"], tmp_path / "data", tmp_path)
    con.close()
    opens = subprocess.run([sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1]).close()",
                            str(database)], capture_output=True, timeout=60)
    assert opens.returncode == 0, opens.stderr.decode()
    assert kept.value.errno == 28
