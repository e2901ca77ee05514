"""The build's DuckDB file: how it is opened, and how an Arrow table is stored in it.

Every step that writes a table to DuckDB (staging, the core tables, the reference tables)
goes through `store_table`, so that tables are replaced the same way everywhere.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

DUCKDB_THREADS = 2  # fixed, so that results (and Parquet row groups) never depend on the machine


def connect(path: Path | str) -> duckdb.DuckDBPyConnection:
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute(f"SET threads = {DUCKDB_THREADS}")
    return con


def store_table(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table, order_by: list[str] | None = None) -> None:
    """Replace the DuckDB table `name` with an Arrow table, its rows ordered by `order_by`."""
    order = " ORDER BY " + ", ".join(f'"{column}"' for column in order_by) if order_by else ""
    con.register("_incoming", table)
    try:
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _incoming{order}')
    finally:
        con.unregister("_incoming")
