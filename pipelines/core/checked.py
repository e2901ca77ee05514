"""The build's check of the source folders, kept per folder in its DuckDB file, so that a
build reads and checks again only the folders whose files changed.

What one folder gives on its own (ingest.corpus.FolderCheck: its problems, the source_id it
claims, the ids and identities of its records, and its staging rows) does not depend on the
other folders. It depends on the folder's files, the registries and the code that checks
them. So each folder is stored with the sha256 of its files, and the whole store with a
`context` key: the hash of the checking code and of the registries. A build re-checks a
folder whose files changed (or that is new), forgets one that is gone, and starts from
nothing when the context changed or it is asked to (`make data --full`, or a build that
cannot trust the folder: pipelines/assets/run.py). The checks across folders (who keeps a
source_id, ids unique across the corpus, the identity guard) are then made from the stored
parts, by validate's functions, again only where a changed folder can change them
(core/across.py).

Nothing is stored but plain rows (no pickles): a planted row can make no code run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow as pa

from pipelines.core import across
from pipelines.core.across import ADMITTED, identity_to_json, insert_rows, rows as _rows
from pipelines.core.database import connect, none_kept_open, store_table
from pipelines.core.staging import FOLDER, folder_tables, stage
from pipelines import hashing
from pipelines.hashing import entries_digest, tree_digest
from pipelines.ingest.corpus import (NEWS_DIR, Corpus, FolderCheck, SourceFolderRead, check_corpus_ids, check_folders,
                                     gather, source_folders)
from pipelines.ingest.parallel import fewer_collections, in_workers, map_in_order
from pipelines.ingest.problems import Problem, ProblemList
from pipelines.ingest.registry import REGISTRY_DIR
from pipelines.publish.manifest import package_versions

DRAFTS = frozenset({hashing.DRAFTS})  # `borderlines suggest --write` drafts: read by nothing
REGISTRIES_READ = "chk_registries"  # the digest of sources/registry/ when the folders were checked
BATCH = 1000  # folders' rows gathered before they are written: fewer, larger inserts

_FOLDERS = pa.schema([("folder", pa.string()), ("digest", pa.string()), ("context", pa.string()),
                      ("source_id", pa.string()), ("claim_path", pa.string()), ("claim_line", pa.int64()),
                      ("claim_col", pa.int64()), ("has_source", pa.bool_()), ("record_count", pa.int64())])
_PROBLEMS = pa.schema([("folder", pa.string()), ("phase", pa.string()), ("n", pa.int64()),
                       *((f.name, pa.int64() if f.type is int or f.type == "int" else pa.string())
                         for f in dataclasses.fields(Problem))])
_IDS = pa.schema([("folder", pa.string()), ("n", pa.int64()), ("table_name", pa.string()), ("record_id", pa.string()),
                  ("path", pa.string()), ("line", pa.int64())])
_IDENTITIES = pa.schema([("folder", pa.string()), ("n", pa.int64()), ("identity", pa.string()),
                         *across.IDENTITY_COLUMNS])
STATE = {"chk_folders": _FOLDERS, "chk_problems": _PROBLEMS, "chk_ids": _IDS, "chk_identities": _IDENTITIES}


def context_key(code_version: str, registries: dict[str, list[dict]]) -> str:
    """What every folder's check depends on besides its own files: the code, the libraries
    that read the files (YAML, HTML), and the registries."""
    text = json.dumps([registries, package_versions()], sort_keys=True, default=str)
    return hashlib.sha256(f"{code_version}\0{text}".encode()).hexdigest()[:32]


@dataclasses.dataclass
class Checked:
    corpus: Corpus  # problems and record_count of the admitted folders (no sources, records or identities)
    admitted: list[str]  # folders, in order
    checked: int  # folders read and checked by this build
    reused: int  # folders whose stored check was still that of their files


def check_changed_folders(database: Path, corpus: Corpus, code_version: str, start_over: bool = False) -> Checked:
    """Bring the checks stored in the DuckDB file `database` up to date with the folders under
    sources/news/ and gather the corpus from them. corpus: with its registries loaded."""
    root = corpus.root
    registries_digest = tree_digest(root / REGISTRY_DIR)
    folders = {_relative(root, path): path for path in source_folders(root)}
    digests = {name: folder_digest(path) for name, path in folders.items()}
    key = context_key(code_version, corpus.registries)
    with _connected(database) as con:
        stored = {} if start_over else _stored(con)
        if any(context != key for _, context in stored.values()) or (not stored and _has_state(con)):
            stored = {}
        changed = [name for name in folders if stored.get(name) != (digests[name], key)]
        con.execute("BEGIN")
        if not stored:
            _start_over(con)
        # until this check ends, nothing may be staged from what it leaves half done
        con.execute(f"DROP TABLE IF EXISTS {ADMITTED}")
        across.note_changes(con, sorted(set(changed) | {name for name in stored if name not in folders}))
        _forget(con, [name for name in stored if name not in folders or name in changed])
        con.execute("COMMIT")

    # No connection is open while the workers are forked (ingest.parallel), not even one a
    # build keeps open (database.kept_open): a child forked while DuckDB's own threads hold a
    # lock could wait on it for ever. Each batch of results is stored through a connection
    # of its own.
    licences = corpus.registries.get("licences", [])
    check = functools.partial(check_folders, root, corpus.context(), functools.partial(folder_tables, licences=licences))
    pending: list[tuple[list[FolderCheck], dict[str, pa.Table]]] = []
    with fewer_collections():
        with none_kept_open() if in_workers(len(changed)) else contextlib.nullcontext():
            for part in map_in_order(check, [folders[name] for name in changed]):
                pending.append(part)
                if sum(len(checks) for checks, _ in pending) >= BATCH:
                    with _connected(database) as con:
                        _store(con, pending, digests, key)
                    pending = []
        with _connected(database) as con:
            _store(con, pending, digests, key)
            con.execute("BEGIN")
            admitted = admit_stored(con, corpus)
            store_table(con, REGISTRIES_READ, pa.table({"digest": [registries_digest]}))
            con.execute("COMMIT")
    return Checked(corpus, admitted, len(changed), len(folders) - len(changed))


def admit_stored(con: duckdb.DuckDBPyConnection, corpus: Corpus) -> list[str]:
    """ingest.corpus.admit, from the stored checks: the folders admitted (also kept as
    ADMITTED), their problems and records counted into corpus, then the checks across
    folders. Only the folders' claims and problems are read back into Python, and of their
    ids and identities those that can matter (core/across.py)."""
    admitted = gather(corpus, _load(con), [])
    store_table(con, ADMITTED, pa.table({"folder": pa.array(admitted, pa.string()),
                                      "position": pa.array(range(len(admitted)), pa.int64())}))
    check_corpus_ids(corpus.problems, across.duplicate_ids(con))
    corpus.problems.extend(across.identity_guard(con, admitted, corpus.registries))
    return admitted


@contextlib.contextmanager
def _connected(database: Path):
    con = connect(database)
    try:
        yield con
    finally:
        con.close()


def stage_admitted(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The stg_* tables of the admitted folders, from the stored rows."""
    return stage(con, [name.removeprefix("chk_") for name in _state_tables(con) if name.startswith("chk_stg_")], ADMITTED)


def changed_since_checked(con: duckdb.DuckDBPyConnection, root: Path,
                          walked: list[tuple[str, str]] | None = None) -> list[str]:
    """What under sources/news/ and sources/registry/ differs from what the stored checks were
    made from, one line each: a build whose files changed while it ran (or since its check
    ran) must not be recorded as a build of the files as they are now. walked: a walk of
    sources/ made now (`folder_digests`)."""
    try:
        stored = dict(con.execute("SELECT folder, digest FROM chk_folders").fetchall())
        registries = con.execute(f"SELECT digest FROM {REGISTRIES_READ}").fetchall()
    except duckdb.CatalogException:
        return ["the source folders have not been checked in this build"]
    now = folder_digests(root, walked)
    lines = [f"{folder} {'was added' if folder not in stored else 'was removed' if folder not in now else 'changed'}"
             for folder in sorted(stored.keys() | now.keys()) if stored.get(folder) != now.get(folder)]
    if [digest for (digest,) in registries] != [tree_digest(root / REGISTRY_DIR)]:
        lines.append(f"{REGISTRY_DIR} changed")
    return lines


# --- the store -------------------------------------------------------------------------------

def _relative(root: Path, path: Path) -> str:
    return storable(path.relative_to(root).as_posix())


def storable(name: str) -> str:
    """A folder's name as stored: bytes that are not UTF-8 (reported by the checks) escaped."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def folder_digests(root: Path, walked: list[tuple[str, str]] | None = None) -> dict[str, str]:
    """`folder_digest` of every entry of sources/news/ (`source_folders`), by its name as stored.
    walked: what `publish.manifest.walk_sources` gave for root just now; a folder's digest is
    then made from its part of that walk (the same files, in the same order, as walking the
    folder again: the drafts are left out of both), rather than from a walk of its own. An
    entry that is not a plain folder, or that such a walk leaves out (a folder named as the
    drafts are, or __pycache__), is looked at again as `folder_digest` does."""
    folders = source_folders(root)
    if walked is None:
        return {_relative(root, path): folder_digest(path) for path in folders}
    news = root / NEWS_DIR
    inside = NEWS_DIR.removeprefix("sources/") + "/"
    entries: dict[str, list[tuple[str, str]]] = {}
    for name, content in walked:
        if name.startswith(inside):
            folder, slash, rest = name[len(inside):].partition("/")
            if slash:  # a folder that could not be listed is "folder/" in the walk, "." in its own
                entries.setdefault(folder, []).append((rest or ".", content))
    digests = {}
    for path in folders:
        # a folder the walk of sources/ leaves out whole (drafts, __pycache__) is walked itself
        plain_folder = (path.parent == news and path.name not in DRAFTS and path.name != "__pycache__"
                        and not path.is_symlink() and path.is_dir())
        digests[_relative(root, path)] = (entries_digest(entries.get(path.name, [])) if plain_folder
                                          else folder_digest(path))
    return digests


def folder_digest(path: Path) -> str:
    """What an entry of sources/news/ is made of: a folder's files (tree_digest), or what
    else it is (a link and its target, a special file), which its check reports differently."""
    import os
    import stat

    try:
        status = os.lstat(path)
    except OSError as error:
        return f"unreadable: {error.strerror}"
    if stat.S_ISLNK(status.st_mode):
        return "link to " + storable(os.readlink(path))
    if not stat.S_ISDIR(status.st_mode):
        return f"special file {stat.S_IFMT(status.st_mode):o}"
    return tree_digest(path, DRAFTS)


def _state_tables(con) -> list[str]:
    """Every table this module keeps in the build's DuckDB file, by name."""
    return [name for (name,) in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE starts_with(table_name, 'chk_') ORDER BY table_name").fetchall()]


def _has_state(con) -> bool:
    return bool(_state_tables(con))


def _stored(con) -> dict[str, tuple[str, str]]:
    try:
        rows = con.execute("SELECT folder, digest, context FROM chk_folders").fetchall()
    except duckdb.Error:  # none, or of another shape: start over
        return {}
    return {folder: (digest, context) for folder, digest, context in rows}


def _start_over(con) -> None:
    for name in _state_tables(con):
        con.execute(f'DROP TABLE "{name}"')
    for name, schema in STATE.items():
        _create(con, name, schema)
    for name, table in folder_tables([], [], []).items():
        _create(con, f"chk_{name}", table.schema.append(pa.field("_n", pa.int64())))


def _create(con, name: str, schema: pa.Schema) -> None:
    con.register("_empty", schema.empty_table())
    try:
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _empty')
    finally:
        con.unregister("_empty")


def _tables(con) -> list[str]:
    """The tables that keep rows per folder."""
    return [name for name in _state_tables(con) if name not in (ADMITTED, REGISTRIES_READ, *across.TABLES)]


def _forget(con, folders: list[str]) -> None:
    if not folders:
        return
    con.register("_gone", pa.table({"folder": folders}))
    try:
        for name in _tables(con):
            column = FOLDER if name.startswith("chk_stg_") else "folder"
            con.execute(f'DELETE FROM "{name}" WHERE {column} IN (SELECT folder FROM _gone)')
    finally:
        con.unregister("_gone")


def _store(con, parts: list[tuple[list[FolderCheck], dict[str, pa.Table]]], digests: dict[str, str], key: str) -> None:
    if not parts:
        return
    checks = [check for part, _ in parts for check in part]
    folders, problems, ids, identities = [], [], [], []
    for check in checks:
        check.folder = storable(check.folder)
        claim = check.read.claim
        folders.append({"folder": check.folder, "digest": digests[check.folder], "context": key,
                        "source_id": claim[0] if claim else None, "claim_path": claim[1] if claim else None,
                        "claim_line": claim[2][0] if claim else None, "claim_col": claim[2][1] if claim else None,
                        "has_source": check.has_source, "record_count": check.record_count})
        for phase, found in (("read", check.read.problems), ("later", check.read.later), ("annotations", check.problems)):
            problems += [{"folder": check.folder, "phase": phase, "n": n, **dataclasses.asdict(p)} for n, p in enumerate(found)]
        ids += [{"folder": check.folder, "n": n, "table_name": t, "record_id": r, "path": p, "line": line}
                for n, (t, r, p, line) in enumerate(check.ids)]
        identities += [{"folder": check.folder, "n": n, "identity": identity_to_json(i), **across.identity_columns(i)}
                       for n, i in enumerate(check.identities)]
    # One transaction a batch: a build killed half way leaves no folder recorded without its rows.
    con.execute("BEGIN")
    _forget(con, [check.folder for check in checks])  # what another build stored meanwhile, if any
    for name, rows in (("chk_folders", folders), ("chk_problems", problems), ("chk_ids", ids), ("chk_identities", identities)):
        insert_rows(con, name, pa.Table.from_pylist(rows, schema=STATE[name]))
    for name in parts[0][1]:
        rows = pa.concat_tables([tables[name] for _, tables in parts])
        first = con.execute(f'SELECT coalesce(max(_n) + 1, 0) FROM "chk_{name}"').fetchall()[0][0]
        insert_rows(con, f"chk_{name}", rows.append_column("_n", pa.array(range(first, first + rows.num_rows), pa.int64())))
    con.execute("COMMIT")


def _load(con) -> Iterator[FolderCheck]:
    """Every stored folder's claim, problems and record count, in folder order (as
    source_folders lists them); not its ids or identities (core/across.py reads those)."""
    problems: dict[str, dict[str, ProblemList]] = {}
    for folder, phase, *fields in _rows(
            con, "SELECT folder, phase, " + ", ".join(f.name for f in dataclasses.fields(Problem)) +
            " FROM chk_problems ORDER BY folder, phase, n"):
        problems.setdefault(folder, {}).setdefault(phase, ProblemList()).append(Problem(*fields))
    rows = con.execute("SELECT folder, source_id, claim_path, claim_line, claim_col, has_source, record_count "
                       "FROM chk_folders").fetchall()
    # Path order (a folder's parts compared one by one, as source_folders sorts), without
    # making 100,000 Path objects
    for folder, source_id, claim_path, line, col, has_source, count in sorted(rows, key=lambda row: row[0].split("/")):
        mine = problems.get(folder, {})
        read = SourceFolderRead(mine.get("read", ProblemList()),
                                (source_id, claim_path, (line, col)) if source_id is not None else None,
                                mine.get("later", ProblemList()))
        yield FolderCheck(folder, read, has_source, mine.get("annotations", ProblemList()), count)
