"""The whole dataset as one SQLite file, `sqlite/borderlines.sqlite`, for the explorer
(`borderlines explore`, Datasette) and for anyone who prefers one file to twenty.

Every published table is written from its Parquet file (so the values are the published
ones), under a CREATE TABLE derived from its declaration (`TableSpec.to_sqlite`: primary
key, foreign keys, each column's description as a comment). On top of the tables:
- full-text search (FTS5, external content, named `<table>_fts` as Datasette expects) over
  the evidence quotes and, when a build publishes it, the open texts in `source_texts`;
- an index for looking up a record's evidence;
- the views of sqlite_views.sql (claims, timeline): the tables joined the way a reader asks.
SQLite has no date or boolean type: dates are ISO text, booleans 0 and 1.

Same rows, same bytes: rows are inserted in the Parquet files' order (by primary key), into
a new file with fixed page size and no journal, and the file carries no date.

A build writes the file in a process of its own (`start_sqlite`), beside the charts: the
Python calls that hand SQLite some ten million values at 10,000 sources take seconds of one
core, and the build's own process has the other work to do meanwhile.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

from pipelines.schemas import load_tables

SQLITE_PATH = "sqlite/borderlines.sqlite"
VIEWS_SQL = Path(__file__).with_name("sqlite_views.sql")
# Text a reader searches, by table: every table here that the file holds gets a `<table>_fts`.
FULL_TEXT = {"evidence": ["quote"], "source_texts": ["text"]}


def write_sqlite(data_dir: Path, table_names: list[str]) -> Path:
    """Write data_dir/sqlite/borderlines.sqlite from the Parquet files in data_dir; returns its path."""
    import pyarrow.parquet as pq

    tables = load_tables()
    path = data_dir / SQLITE_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    con = sqlite3.connect(partial, isolation_level=None)
    try:
        con.execute("PRAGMA page_size = 4096")
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("BEGIN")
        for name in table_names:
            spec = tables[name]
            con.execute(spec.to_sqlite(set(table_names)))
            parquet = pq.read_table(data_dir / "parquet" / f"{name}.parquet")
            columns = ", ".join(f'"{f}"' for f in spec.field_names)
            marks = ", ".join("?" for _ in spec.field_names)
            for batch in parquet.select(spec.field_names).to_batches():
                rows = zip(*(_sqlite_values(column) for column in batch.columns))
                con.executemany(f'INSERT INTO "{name}" ({columns}) VALUES ({marks})', rows)
        for name, columns in FULL_TEXT.items():
            if name in table_names:
                con.execute(f'CREATE VIRTUAL TABLE "{name}_fts" USING fts5({", ".join(columns)}, content="{name}")')
                con.execute(f"INSERT INTO \"{name}_fts\"(\"{name}_fts\") VALUES ('rebuild')")
        if "evidence" in table_names:
            con.execute("CREATE INDEX evidence_by_record ON evidence (table_name, record_id)")
        con.execute("COMMIT")
        if {"claim_checks", "sources", "organisations", "evidence", "meetings", "agreements"} <= set(table_names):
            con.executescript(VIEWS_SQL.read_text(encoding="utf-8"))
        problems = con.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise ValueError(f"{SQLITE_PATH}: rows whose foreign key has no target: {problems[:5]}")
    finally:
        con.close()
    os.replace(partial, path)
    return path


def start_sqlite(data_dir: Path, table_names: list[str]):
    """`write_sqlite` in a new interpreter (`FreshProcess`); call `.output(...)` on the result
    to wait for it."""
    from pipelines.ingest.parallel import FreshProcess

    return FreshProcess(WRITER, json.dumps({"data_dir": str(data_dir), "tables": table_names}))


WRITER = "from pipelines.publish.sqlite import work; work()"


def work() -> None:
    """The process of `start_sqlite`: the file of the job in its first argument. A problem
    of the rows is said in one line, without a traceback."""
    job = json.loads(sys.argv[1])
    try:
        write_sqlite(Path(job["data_dir"]), job["tables"])
    except ValueError as error:
        sys.exit(str(error))


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
