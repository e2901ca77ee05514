"""Write the current build: Parquet, CSV and datapackage.json for every published table,
and the charts (pipelines/publish/chart.py).

The build goes to a fresh temporary folder next to build/data and replaces it only once
every file is written, so a failed or interrupted build never leaves a half-written one.
`build_summary` gives the lines `borderlines build` prints: rows and sources per table.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import duckdb

from pipelines.core.tables import read_table
from pipelines.publish.chart import write_charts
from pipelines.publish.datapackage import package_descriptor, write_descriptor
from pipelines.publish.files import write_csv, write_parquet


def write_build(con: duckdb.DuckDBPyConnection, table_names: list[str], out_dir: Path, root: Path,
                cache_dir: Path | None = None) -> dict[str, int]:
    """Write every table and the charts (drawn again only when their data changed, with
    cache_dir) of the corpus at root; returns row counts per table."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".data-", dir=out_dir.parent))
    try:
        counts = {}
        for name in table_names:
            table = read_table(con, name)
            write_parquet(table, tmp / "parquet" / f"{name}.parquet")
            write_csv(table, tmp / "csv" / f"{name}.csv")
            counts[name] = table.num_rows
        write_charts(con, tmp / "charts", cache_dir)
        write_descriptor(package_descriptor(tmp, table_names, root), tmp / "datapackage.json")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return counts


def build_summary(con: duckdb.DuckDBPyConnection, table_names: list[str]) -> list[str]:
    """One line per published table: rows, and the sources behind them."""
    from pipelines.schemas import load_tables

    lines = []
    for name in table_names:
        rows = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        if "source_id" in load_tables()[name].field_names:
            sources = con.execute(f"SELECT count(DISTINCT source_id) FROM {name}").fetchone()[0]
        else:
            sources = con.execute("SELECT count(DISTINCT source_id) FROM evidence WHERE table_name = ?",
                                  [name]).fetchone()[0]
        lines.append(f"  {name:<30} {rows:>7} rows  {sources:>5} sources" if sources else f"  {name:<30} {rows:>7} rows")
    return lines
