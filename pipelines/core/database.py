"""The build's DuckDB file: how it is opened, and how an Arrow table is stored in it.

Every step that writes a table to DuckDB (staging, the core tables, the reference tables)
goes through `store_table`, so that tables are replaced the same way everywhere.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow as pa

DUCKDB_THREADS = 2  # fixed, so that results (and Parquet row groups) never depend on the machine
# DuckDB's own memory for a query's joins and sorts (by default 80% of the machine's): what does
# not fit goes to a temporary folder beside the database file (borderlines.duckdb.tmp). The
# build's peak at 100,000 sources must stay under 3 GiB, Python and Arrow included. 1 GB was
# too little there: claim_checks' query cannot spill all it holds and needs about 1.5 GB.
DUCKDB_MEMORY = "1500MB"


# The database files held open by `kept_open`, by path: `connect` gives a cursor of one.
_kept: dict[str, duckdb.DuckDBPyConnection] = {}


def connect(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A connection to the DuckDB file at path; close it when done. Inside `kept_open(path)`
    it is a cursor of the connection held open there (a connection of its own to the same
    database, as cheap as a Python object), otherwise a new connection."""
    kept = _kept.get(str(path))
    if kept is not None:
        return kept.cursor()
    return _open(path)


def _open(path: Path | str) -> duckdb.DuckDBPyConnection:
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute(f"SET threads = {DUCKDB_THREADS}")
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    return con


@contextlib.contextmanager
def kept_open(path: Path | str) -> Iterator[None]:
    """Hold the database file at path open while the block runs, so that every `connect` to it
    in this process shares one database instance: a build's steps, run one after another
    in one process, then neither open the file again (about 30 ms each, some 30 steps) nor
    read again what the step before them wrote. The file stays locked against other
    processes until the block ends (as it is while any connection is open), but while
    `none_kept_open` lets go of it."""
    key = str(path)
    if key in _kept or not _keep(key):  # held by an enclosing block; or each step opens it (below)
        yield
        return
    try:
        yield
    finally:
        if key in _kept:
            _kept.pop(key).close()


def _keep(key: str) -> bool:
    """Open the file to keep it; False when it cannot be opened (a full disk, a file that is not
    DuckDB's): each `connect` then opens it, and the step that does reports why it cannot."""
    try:
        _kept[key] = _open(key)
    except (duckdb.Error, OSError):
        return False
    return True


@contextlib.contextmanager
def none_kept_open() -> Iterator[None]:
    """Let go of the files `kept_open` holds while the block runs, and take them again after:
    for forking worker processes (pipelines/ingest/parallel.py), which must not happen while
    a DuckDB instance, and so its threads, lives in this process. The caller must hold no
    cursor of a kept connection (closing the kept connection closes its cursors) and no
    result still being read (an unfinished Arrow reader keeps the instance alive). While
    the block runs the file is free; should another process take it meanwhile, it is not
    kept again, and each later `connect` opens it (and reports what stops it)."""
    paths = list(_kept)
    for key in paths:
        _kept.pop(key).close()
    try:
        yield
    finally:
        for key in paths:
            _keep(key)


def store_table(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table, order_by: list[str] | None = None) -> None:
    """Replace the DuckDB table `name` with an Arrow table, its rows ordered by `order_by`."""
    order = " ORDER BY " + ", ".join(f'"{column}"' for column in order_by) if order_by else ""
    con.register("_incoming", table)
    try:
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _incoming{order}')
    finally:
        con.unregister("_incoming")
