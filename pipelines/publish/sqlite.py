"""The whole dataset as one SQLite file, `sqlite/borderlines.sqlite`, for the explorer
(`borderlines explore`, Datasette) and for anyone who prefers one file to twenty.

Every published table is written from its Parquet file (so the values are the published
ones; in a build that replaces one made by the same code, rows unchanged since are copied
from that build's file, which was written from the same values: see `write_sqlite`),
under a CREATE TABLE derived from its declaration (`TableSpec.to_sqlite`: primary
key, foreign keys, each column's description as a comment). On top of the tables:
- full-text search (FTS5, external content, named `<table>_fts` as Datasette expects) over
  the evidence quotes and, when a build publishes it, the open texts in `source_texts`;
- an index for looking up a record's evidence;
- the views of sqlite_views.sql (claims, timeline): the tables joined the way a reader asks.
SQLite has no date or boolean type: dates are ISO text, booleans 0 and 1.

Same rows, same bytes: rows are inserted in the Parquet files' order (by primary key), into
a new file with fixed page size and no journal, and the file carries no date.

A build writes the file in a process of its own (`start_sqlite`), started before the
tables are written: it takes each Parquet file as soon as the build puts it in place, and
goes on beside the charts. The Python calls that hand SQLite some ten million values at
10,000 sources take seconds of one core, and the build's own process has the other work to
do meanwhile.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from pipelines.hashing import is_hashed
from pipelines.schemas import load_tables

SQLITE_PATH = "sqlite/borderlines.sqlite"
VIEWS_SQL = Path(__file__).with_name("sqlite_views.sql")
# Text a reader searches, by table: every table here that the file holds gets a `<table>_fts`.
FULL_TEXT = {"evidence": ["quote"], "source_texts": ["text"]}


def write_sqlite(data_dir: Path, table_names: list[str], previous: tuple[Path, dict[str, str]] | None = None,
                 wait: bool = False) -> Path:
    """Write data_dir/sqlite/borderlines.sqlite from the Parquet files in data_dir; returns its path.

    wait: the Parquet files are being written (a build's `start_sqlite`): each table waits
    for its file to be in place. Otherwise a missing file is an error.

    previous: the folder of a build made by the same code, and the sha256 ("sha256:...", by
    path) its descriptor gives its files (the caller vouches for both). When its SQLite file
    is the one hashed there, the rows that did not change since are copied from it at
    SQLite's speed (`_row_runs`: only tables whose previous Parquet file is the one hashed
    there too), the rest come from the Parquet files. The inserts are the same, in the same
    order, as without it, and so are the bytes (tested). Anything amiss with the previous
    build means writing from Parquet, never a failure."""
    tables = load_tables()
    path = data_dir / SQLITE_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    reused = previous if previous is not None and is_hashed(*previous, SQLITE_PATH) else None
    con = sqlite3.connect(partial, isolation_level=None, uri=True)  # uri: to ATTACH the previous file read-only
    try:
        con.execute("PRAGMA page_size = 4096")
        con.execute("PRAGMA journal_mode = OFF")
        if reused is not None:
            try:  # read only, and as the bytes just hashed (immutable: no journal of its own is read)
                con.execute("ATTACH ? AS previous",
                            [f"{(reused[0] / SQLITE_PATH).resolve().as_uri()}?mode=ro&immutable=1"])
            except sqlite3.Error:
                reused = None
        con.execute("BEGIN")
        for name in table_names:
            spec = tables[name]
            if wait:
                _wait_for(data_dir / "parquet" / f"{name}.parquet")
            con.execute(spec.to_sqlite(set(table_names)))
            runs = _row_runs(data_dir, reused, spec) if reused is not None else None
            _insert_rows(con, data_dir, spec, runs)
        for name, columns in FULL_TEXT.items():
            if name in table_names:
                con.execute(f'CREATE VIRTUAL TABLE "{name}_fts" USING fts5({", ".join(columns)}, content="{name}")')
                con.execute(f"INSERT INTO \"{name}_fts\"(\"{name}_fts\") VALUES ('rebuild')")
        if "evidence" in table_names:
            con.execute("CREATE INDEX evidence_by_record ON evidence (table_name, record_id)")
        con.execute("COMMIT")
        if reused is not None:
            con.execute("DETACH previous")
        if {"claim_checks", "sources", "organisations", "evidence", "meetings", "agreements"} <= set(table_names):
            con.executescript(VIEWS_SQL.read_text(encoding="utf-8"))
        problems = con.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise ValueError(f"{SQLITE_PATH}: rows whose foreign key has no target: {problems[:5]}")
    finally:
        con.close()
    os.replace(partial, path)
    return path


def _wait_for(path: Path) -> None:
    """Until the file is there: a build starts this process before it writes the Parquet
    files, and puts each in place whole (renamed once written), in the order of the tables.
    A build that fails stops this process (`FreshProcess.stop`), so the wait has no limit of
    its own: at 100,000 sources one table takes a minute to write."""
    while not path.exists():
        time.sleep(WAIT_SECONDS)


WAIT_SECONDS = 0.02


def _insert_rows(con: sqlite3.Connection, data_dir: Path, spec, runs: list[tuple[int, int, int | None]] | None) -> None:
    """Insert a table's rows in its Parquet file's order: all from the Parquet file (runs
    None), or run by run, (start, length, first rowid in `previous` or None for rows to
    take from the Parquet file)."""
    import pyarrow.parquet as pq

    from pipelines.publish.files import PARQUET_READ_ROWS, BatchCursor

    columns = ", ".join(f'"{f}"' for f in spec.field_names)
    insert = f'INSERT INTO main."{spec.name}" ({columns}) VALUES ({", ".join("?" for _ in spec.field_names)})'
    parquet = None
    for start, length, first_rowid in runs if runs is not None else [(0, None, None)]:
        if first_rowid is not None:
            con.execute(f'INSERT INTO main."{spec.name}" ({columns}) SELECT {columns} FROM previous."{spec.name}" '
                        "WHERE rowid BETWEEN ? AND ? ORDER BY rowid", [first_rowid, first_rowid + length - 1])
            continue
        if parquet is None:  # read a batch at a time: a whole table was most of this process's memory
            parquet = BatchCursor(pq.ParquetFile(data_dir / "parquet" / f"{spec.name}.parquet")
                                  .iter_batches(batch_size=PARQUET_READ_ROWS, columns=spec.field_names))
        for batch in parquet.rows(start, length):
            con.executemany(insert, zip(*(_sqlite_values(column) for column in batch.columns)))



def _row_runs(data_dir: Path, previous: tuple[Path, dict[str, str]], spec) -> list[tuple[int, int, int | None]] | None:
    """A table's rows (its new Parquet file's order) as runs: (start, length, rowid) for rows
    that are, in the same order, rows `rowid`... of the previous build's SQLite table, and
    (start, length, None) for the others. None (take every row from Parquet) when the
    previous build's Parquet file of the table is not the one its descriptor hashed (or it
    has none, or another schema), when the key is SQLite's rowid, when the rows changed
    here and there (more than MAX_RUNS runs: a run copied costs a statement, and a
    scattered change would be slower copied than written), or on any error.

    A row of the previous build is reused only when every value is the same (floats
    compared as text, so that -0.0 and 0.0 stay apart); the previous build wrote row k of
    its Parquet file as rowid k + 1 (tables with a text or composite key, in order)."""
    import duckdb
    import numpy as np
    import pyarrow.parquet as pq

    relative = f"parquet/{spec.name}.parquet"
    new_file, old_file = data_dir / relative, previous[0] / relative
    key_types = [f.sqlite_type() for f in spec.fields if f.name in spec.primary_key]
    if key_types == ["INTEGER"] or not is_hashed(*previous, relative):
        return None
    if is_hashed(data_dir, previous[1], relative):  # the very file: every row, in one run
        rows = pq.read_metadata(new_file).num_rows
        return [(0, rows, 1)] if rows else []
    floats = {f.name for f in spec.fields if f.sqlite_type() == "REAL"}

    def same(column: str) -> str:
        n, o = f'n."{column}"', f'o."{column}"'
        return f"CAST({n} AS VARCHAR) IS NOT DISTINCT FROM CAST({o} AS VARCHAR)" if column in floats \
            else f"{n} IS NOT DISTINCT FROM {o}"

    keys = " AND ".join(f'n."{k}" = o."{k}"' for k in spec.primary_key)
    others = " AND ".join(same(f) for f in spec.field_names if f not in spec.primary_key) or "true"
    spill = data_dir / ".duckdb-spill"  # inside the build being written: removed with it, whatever happens
    try:
        if not pq.read_schema(old_file).equals(pq.read_schema(new_file)):
            return None
        con = duckdb.connect()
        try:
            # beside the build's own work: one thread, and a bounded memory that spills to disk
            con.execute("SET threads = 1")
            con.execute(f"SET memory_limit = '{RUNS_MEMORY}'")
            con.execute("SET temp_directory = ?", [str(spill)])
            found = con.execute(
                f"SELECT CASE WHEN {others} THEN o.file_row_number ELSE -1 END AS old "
                f"FROM read_parquet(?, file_row_number = true) AS n "
                f"LEFT JOIN read_parquet(?, file_row_number = true) AS o ON {keys} "
                f"ORDER BY n.file_row_number", [str(new_file), str(old_file)]).fetchnumpy()["old"]
        finally:
            con.close()
    except Exception:  # noqa: BLE001 (a previous build that cannot be read gives nothing; Parquet gives all)
        return None
    finally:
        shutil.rmtree(spill, ignore_errors=True)
    old = np.asarray(np.ma.filled(found, -1), dtype=np.int64)
    if not len(old):
        return []
    reused = old >= 0
    # a run ends where reuse starts or stops, or where the previous rows are not consecutive
    breaks = np.flatnonzero((reused[1:] != reused[:-1]) | (reused[1:] & (old[1:] != old[:-1] + 1))) + 1
    if len(breaks) + 1 > max(MAX_RUNS, len(old) // 100):
        return None
    starts = np.concatenate([[0], breaks])
    lengths = np.diff(np.concatenate([starts, [len(old)]]))
    return [(int(start), int(length), int(old[start]) + 1 if reused[start] else None)
            for start, length in zip(starts, lengths)]


MAX_RUNS = 64  # or one run a hundred rows, whichever is more
RUNS_MEMORY = "1GB"


def start_sqlite(data_dir: Path, table_names: list[str], previous: tuple[Path, dict[str, str]] | None = None):
    """`write_sqlite` in a new interpreter (`FreshProcess`), each table waiting for its Parquet
    file (`wait`: the caller writes them meanwhile, putting each in place whole, and stops the
    process if it cannot); call `.output(...)` on the result to wait for it."""
    from pipelines.ingest.parallel import FreshProcess

    return FreshProcess(WRITER, json.dumps({"data_dir": str(data_dir), "tables": table_names, "wait": True,
                                            "previous": [str(previous[0]), previous[1]] if previous else None}))


WRITER = "from pipelines.publish.sqlite import work; work()"


def work() -> None:
    """The process of `start_sqlite`: the file of the job in its first argument. A problem is
    said in one line, without a traceback."""
    job = json.loads(sys.argv[1])
    previous = (Path(job["previous"][0]), job["previous"][1]) if job["previous"] else None
    try:
        write_sqlite(Path(job["data_dir"]), job["tables"], previous, wait=job.get("wait", False))
    except ValueError as error:
        sys.exit(str(error))
    except Exception as error:  # noqa: BLE001 (said in one line to whoever reads the build's report)
        sys.exit(f"{type(error).__name__}: {error}")


def _sqlite_values(column) -> list:
    """A column's values as SQLite stores them: a date as ISO text, a boolean as 0 or 1. Cast
    by Arrow, a column at a time: a Python call per value cost seconds at 10,000 sources."""
    import pyarrow as pa

    if pa.types.is_date(column.type):
        column = column.cast(pa.string())  # YYYY-MM-DD, as date.isoformat() writes it
    elif pa.types.is_boolean(column.type):
        column = column.cast(pa.int64())
    return column.to_pylist()


def sqlite_entries(out_dir: Path, prefix: str = "") -> list[dict]:
    """The datapackage.json resource of the SQLite file, when out_dir has one."""
    from pipelines.publish.files import file_resource
    from pipelines.reference.attribution import DATA_LICENCE

    entry = file_resource(
        out_dir, SQLITE_PATH, prefix, name="borderlines_sqlite", mediatype="application/vnd.sqlite3",
        title="The whole dataset as one SQLite file",
        description=("Every table of this package in one SQLite database, with primary and foreign keys, each "
                     "column's description as a comment in its CREATE TABLE, full-text search over the evidence "
                     "quotes (evidence_fts) and the open texts (source_texts_fts, when published), and the views "
                     "claims and timeline. Dates are ISO text, booleans 0 and 1. Open it with sqlite3, DuckDB, "
                     "or `borderlines explore` (Datasette)."))
    if entry is None:
        return []
    return [{
        **entry,
        "licenses": [DATA_LICENCE],
        "rights": ("Each table keeps the licence and rights of its own resource in this package: the quotes in "
                   "evidence, the titles in sources and the link texts in source_links stay their publishers' "
                   "words, and tables read from official statistics keep those statistics' licences."),
    }]
