"""Write the current build: Parquet, CSV and datapackage.json for every published table,
and the SQLite file of them all (pipelines/publish/sqlite.py) and the charts (pipelines/publish/chart.py, timeline.py).

The last good build stays whole until a new one is complete. build/data is a symbolic
link to a folder build/data-<id>:
1. `stage_build` writes the new build into a fresh hidden folder, build/.data-<random>;
2. the package check reads it there (pipelines/assets/publish.py);
3. `swap_in` renames it to build/data-<id> and replaces the link in one step (os.replace
   of a new link onto the old one is atomic), then removes the previous folder.
A kill at any point leaves build/data pointing at a whole build, the old one or the new.
What a kill leaves behind (a hidden .data-* folder or link, a data-<id> folder no link
points to) is removed by `recover`, which every build runs first, under the build lock;
it also turns a build/data folder of the layout before links into a link, and points a
missing build/data at the newest complete data-<id>.
`build_summary` gives the lines `borderlines build` prints: rows and sources per table.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import duckdb
import pyarrow as pa

from pipelines.core.database import DUCKDB_MEMORY
from pipelines.core.tables import conform
from pipelines.publish.chart import write_charts
from pipelines.hashing import is_hashed
from pipelines.publish.datapackage import package_descriptor, resource_entries, write_descriptor
from pipelines.publish.package_check import start_table_checks
from pipelines.publish.files import write_table_files
from pipelines.publish.timeline import write_timeline
from pipelines.publish.sqlite import sqlite_entries, start_sqlite
from pipelines.schemas import load_tables

STAGING_PREFIX = ".data-"  # a build being written, or a link being made: never complete
FOLDER_PREFIX = "data-"  # a complete build; build/data points at one of them
# Only names this module makes are ever removed or taken over, so that a --build-dir shared
# with other files (data-2023-backup/, .data-keep/) loses nothing.
BUILD_ID = re.compile(r"[0-9]{16,20}")  # time.time_ns()
PUBLISH_DUCKDB_MEMORY = "500MB"  # at 100,000 sources: 1.3 GB was DuckDB's in this step with 1500MB
TABLES_ONLY = ".tables.json"  # the descriptor of the tables alone, for checks begun before the rest is written
PARTIAL = ".partial"  # a Parquet file being written: renamed to its name once whole
OURS = re.compile(r"(?:link-[0-9]+-)?[0-9]{16,20}|[A-Za-z0-9_]{8}")  # link temporaries, and mkdtemp's suffixes


@dataclass
class PreviousBuild:
    """The build a new one replaces, made and checked by the same code (the caller vouches
    for it): its folder, its descriptor, and the sha256 of the data each of its charts was
    drawn from (file name -> sha256, as `Drawings` recorded them), and the sha256 of the
    prefix of each large CSV file its check read (`package_check.checked_prefix_sha256`)."""
    folder: Path
    descriptor: dict[str, Any]
    drawings: dict[str, str]
    prefixes: dict[str, str] = field(default_factory=dict)

    def hashes(self) -> dict[str, str]:
        """"sha256:..." of each file its descriptor lists, by path."""
        return {r["path"]: r["hash"] for r in self.descriptor.get("resources", [])
                if isinstance(r, dict) and isinstance(r.get("path"), str) and isinstance(r.get("hash"), str)}


class Drawings:
    """Draws the charts of a build, each from its data; a chart whose data is the data the
    previous build drew it from is copied from that build instead (when the file there is
    the one its descriptor hashed). `digests` is what to record for the next build."""

    def __init__(self, previous: PreviousBuild | None):
        self.previous = previous
        self.digests: dict[str, str] = {}
        self.copied: list[str] = []

    def draw(self, path: Path, data: Any, render: Callable[[Path], None]) -> None:
        digest = hashlib.sha256(json.dumps(data, default=str, sort_keys=True).encode("utf-8")).hexdigest()
        self.digests[path.name] = digest
        if self.previous is not None and self.previous.drawings.get(path.name) == digest:
            drawn = f"charts/{path.name}"
            if is_hashed(self.previous.folder, self.previous.hashes(), drawn):
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self.previous.folder / drawn, path)
                self.copied.append(path.name)
                return
        render(path)


def stage_build(con: duckdb.DuckDBPyConnection, table_names: list[str], data_dir: Path, root: Path,
                previous: PreviousBuild | None = None, check: bool = False,
                meanwhile: Callable[[], Any] | None = None) -> tuple[Path, dict[str, int], Any, Drawings]:
    """Write every table and the charts of the corpus at root into a new hidden folder beside
    data_dir; returns the folder (for `swap_in`, or `discard`), row counts per table, (with
    check) the package check's table checks, begun on worker processes as soon as the tables
    are written (`start_table_checks`; pass them to `check_package`), and the `Drawings` (what
    each chart was drawn from, and which were copied).
    previous: the build this one replaces, made and checked by the same code: its verdicts
    stand for byte-identical tables, its SQLite file may give the rows that did not change
    (`write_sqlite`), and its charts those whose data did not change.
    meanwhile: work of the caller's done once the charts are drawn and the descriptor read
    what it reads of the corpus, while the SQLite file is still being written (at 10,000
    sources it takes seconds longer than the charts)."""
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=data_dir.parent))
    checks = sqlite = None
    # DuckDB keeps the blocks a scan read, up to its memory limit, while the package check's
    # workers and the SQLite writer run beside this process: here it needs little (the
    # tables are streamed, the charts' queries spill what does not fit).
    con.execute(f"SET memory_limit = '{PUBLISH_DUCKDB_MEMORY}'")
    try:
        tmp.chmod(0o755)  # mkdtemp makes it 0700: a build is for everyone who can read build/
        # The SQLite file is written from the Parquet files in its own process, which takes each
        # file as soon as it is in place (`write_sqlite`): its work overlaps the writing of the
        # tables that follow, rather than beginning once all are written.
        sqlite = start_sqlite(tmp, table_names, (previous.folder, previous.hashes()) if previous else None)
        counts = {}
        for name in table_names:
            parquet = tmp / "parquet" / f"{name}.parquet"
            partial = parquet.with_name(parquet.name + PARTIAL)
            # closed here, whatever happens: an error that stops the writing must not keep
            # DuckDB's result open (and with it the file) for as long as the error is kept
            with contextlib.closing(table_pieces(con, name)) as pieces:
                counts[name] = write_table_files(pieces, load_tables()[name].to_arrow(),
                                                 partial, tmp / "csv" / f"{name}.csv")
            os.replace(partial, parquet)  # whole, for the SQLite writer that waits for it
        pa.default_memory_pool().release_unused()  # the pages of the last row groups, for the work beside
        tables = resource_entries(tmp, table_names, root)
        if check:  # the tables are complete: their checks need not wait for the rest
            write_descriptor({"resources": tables}, tmp / TABLES_ONLY)
            checks = start_table_checks(tmp / TABLES_ONLY, previous.descriptor if previous else None,
                                        previous.prefixes if previous else None)
        drawings = Drawings(previous)
        write_charts(con, tmp / "charts", drawings.draw)
        write_timeline(con, tmp / "charts", drawings.draw)
        # What the descriptor reads of the corpus (the official files' provenance) is read before
        # the caller compares the sources with what the build checked (meanwhile); the SQLite
        # file's resource, last, is added once the file is written.
        descriptor = package_descriptor(tmp, table_names, root, tables=tables, with_sqlite=False)
        if meanwhile is not None:
            meanwhile()
        sqlite.output("writing the SQLite file")
        descriptor["resources"] += sqlite_entries(tmp)
        write_descriptor(descriptor, tmp / "datapackage.json")
    except BaseException:
        for process in (sqlite, checks):  # stopped before their folder is removed under them
            if process is not None:
                process.stop()
        discard(tmp)
        raise  # the caller closes con: a statement here could hide the error (a table's result still open)
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")  # as `connect` opened it
    return tmp, counts, checks, drawings


def table_pieces(con: duckdb.DuckDBPyConnection, name: str) -> Iterator[pa.Table]:
    """The stored table as declared (`conform`), in consecutive pieces: the record batches
    DuckDB gives (a row group of its own, 122,880 rows), which are the chunks of the table
    `read_table` gives whole. So the files written from them are those of the whole table
    (`write_table_files`), while only a batch at a time comes from DuckDB."""
    spec = load_tables()[name]
    reader = con.sql(f'SELECT * FROM "{name}"').to_arrow_reader()
    try:
        for batch in reader:
            yield conform(pa.Table.from_batches([batch]), spec)
    finally:  # on the last batch, or when the caller closes the pieces early (an error)
        reader.close()


def discard(staged: Path) -> None:
    shutil.rmtree(staged, ignore_errors=True)


def swap_in(staged: Path, data_dir: Path) -> Path:
    """Make the complete build in staged the one build/data points at; returns its folder."""
    parent = data_dir.parent
    previous = current_folder(data_dir)
    final = parent / f"{FOLDER_PREFIX}{time.time_ns()}"
    os.rename(staged, final)  # now complete: `recover` would point a missing build/data at it
    link = parent / f"{STAGING_PREFIX}link-{os.getpid()}-{time.time_ns()}"
    os.symlink(final.name, link)
    os.replace(link, data_dir)  # atomic: build/data is the old build or the new one, never neither
    if previous is not None and previous != final:
        shutil.rmtree(previous, ignore_errors=True)
    return final


def current_folder(data_dir: Path) -> Path | None:
    """The folder build/data points at, when it is a link to one."""
    if not data_dir.is_symlink():
        return None
    target = data_dir.parent / os.readlink(data_dir)
    return target if target.is_dir() else None


def recover(data_dir: Path) -> list[Path]:
    """Finish or undo what an interrupted build left (see the module docstring); returns what
    it removed. Call it holding the build lock: it removes other builds' temporaries."""
    parent = data_dir.parent
    if not parent.is_dir():
        return []
    removed = []
    for stale in (p for p in parent.glob(STAGING_PREFIX + "*") if OURS.fullmatch(p.name[len(STAGING_PREFIX):])):
        if stale.is_symlink() or stale.is_file():
            stale.unlink()
        else:
            shutil.rmtree(stale, ignore_errors=True)
        removed.append(stale)
    if data_dir.is_dir() and not data_dir.is_symlink() and (data_dir / "datapackage.json").is_file():
        # a build of the layout before links: taken over, as the current build
        legacy = parent / f"{FOLDER_PREFIX}{time.time_ns()}"
        os.rename(data_dir, legacy)
    complete = sorted((p for p in parent.glob(FOLDER_PREFIX + "*")
                       if BUILD_ID.fullmatch(p.name[len(FOLDER_PREFIX):]) and p.is_dir() and not p.is_symlink()),
                      key=lambda p: p.name)
    if current_folder(data_dir) is None and complete:  # missing, or dangling: the newest complete build
        link = parent / f"{STAGING_PREFIX}link-{os.getpid()}-{time.time_ns()}"
        os.symlink(complete[-1].name, link)
        os.replace(link, data_dir)
    current = current_folder(data_dir)
    for folder in complete:
        if folder != current:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    if current is None and data_dir.is_symlink():
        with contextlib.suppress(FileNotFoundError):
            data_dir.unlink()  # dangling, and no complete build to point at
    return removed


def build_summary(con: duckdb.DuckDBPyConnection, table_names: list[str]) -> list[str]:
    """One line per published table: rows, and the sources behind them."""
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


def folder_identity(data: Path) -> tuple[int, int] | None:
    """Which folder build/data is (device, inode), None when there is none: a failed build
    compares it before and after, to say truly whether it replaced the last good build."""
    try:
        found = data.stat()
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino
