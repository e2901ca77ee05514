"""The build's DuckDB file: how it is opened, and how an Arrow table is stored in it.

Every step that writes a table to DuckDB (staging, the core tables, the reference tables)
goes through `store_table`, so that tables are replaced the same way everywhere.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

DUCKDB_THREADS = 2  # fixed, so that results (and Parquet row groups) never depend on the machine
# DuckDB's own memory for a query's joins and sorts (by default 80% of the machine's): what does
# not fit goes to a temporary folder beside the database file (borderlines.duckdb.tmp). The
# build's peak at 100,000 sources must stay under 3 GiB, Python and Arrow included. 1 GB was
# too little there: claim_checks' query cannot spill all it holds and needs about 1.5 GB.
DUCKDB_MEMORY = "1500MB"


def connect(path: Path | str) -> duckdb.DuckDBPyConnection:
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute(f"SET threads = {DUCKDB_THREADS}")
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    return con


def store_table(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table, order_by: list[str] | None = None) -> None:
    """Replace the DuckDB table `name` with an Arrow table, its rows ordered by `order_by`."""
    order = " ORDER BY " + ", ".join(f'"{column}"' for column in order_by) if order_by else ""
    con.register("_incoming", table)
    try:
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _incoming{order}')
    finally:
        con.unregister("_incoming")
