"""The checks across source folders, made from what the build keeps per folder
(core/checked.py), at a cost that follows what changed rather than the size of the corpus.

The folders' claims of source ids are gathered from the kept rows as `validate` gathers them
(ingest.corpus.gather). The ids unique across the corpus are checked by
ingest.corpus.check_corpus_ids, given only the ids that more than one record uses (DuckDB
finds them; an id used once gives no problem). The identity guard
(ingest.identity.identity_findings) is what reads the most: its findings are kept
(`chk_guard`), each with the ids whose records decide it, and a build checks again only
those that involve an id whose records changed: an id stated, before or now, by a folder
whose files changed, that was added or removed, or that is admitted now and was not then
(or the reverse). The guard is run over the records of those ids and of every id that can
be compared with them (same table, a day apart or the same agreement; the ids they name in
`distinct_from`, and those that name them); what it finds about them replaces what was
kept. Without kept findings (a first build, `--full`), it runs over every record.

The problems come out in `validate`'s order: the guard's order is a sort on the records'
positions (identity.Finding), which the kept rows hold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from typing import Iterator

import duckdb
import pyarrow as pa

from pipelines.core.database import store_table
from pipelines.ingest.identity import Finding, Identity, identity_findings
from pipelines.ingest.problems import Problem

ADMITTED = "chk_admitted"  # the folders admitted, with their position (folder order)
GUARD = "chk_guard"  # the guard's findings, each with the ids it is about
GUARDED = "chk_guarded"  # the folders admitted when the kept findings were made
PENDING = "chk_guard_pending"  # folders whose kept check changed since
PENDING_IDS = "chk_guard_pending_ids"  # the ids their records had before
TABLES = (GUARD, GUARDED, PENDING, PENDING_IDS)

# An identity as kept: its JSON (identity_to_json), and the values the guard's search for
# the records to compare with needs as columns.
IDENTITY_COLUMNS = [("table_name", pa.string()), ("record_id", pa.string()), ("day", pa.date32()),
                    ("kind", pa.string()), ("parties", pa.string()), ("named", pa.list_(pa.string()))]
_FINDINGS = pa.schema([("table_name", pa.string()), ("first_id", pa.string()), ("second_id", pa.string()),
                       ("section", pa.int64()), ("folder", pa.string()), ("n", pa.int64()), ("idx", pa.int64()),
                       ("first_path", pa.string()), ("first_line", pa.int64()),
                       ("second_path", pa.string()), ("second_line", pa.int64()),
                       *((f"problem_{f.name}", pa.int64() if f.type is int or f.type == "int" else pa.string())
                         for f in dataclasses.fields(Problem))])


def identity_columns(identity: Identity) -> dict:
    return {"table_name": identity.table, "record_id": identity.record_id, "day": identity.day,
            "kind": identity.kind, "parties": json.dumps(sorted(identity.parties)) if identity.parties else None,
            "named": [other for other, _ in identity.distinct_from]}


def note_changes(con: duckdb.DuckDBPyConnection, folders: list[str]) -> None:
    """Before the kept checks of these folders are replaced or forgotten (in the caller's
    transaction): they are pending for the guard, with the ids their records have now."""
    if not folders or not _exists(con, GUARDED):
        return
    con.execute(f"CREATE TABLE IF NOT EXISTS {PENDING} (folder VARCHAR)")
    con.execute(f"CREATE TABLE IF NOT EXISTS {PENDING_IDS} (table_name VARCHAR, record_id VARCHAR)")
    con.register("_changed", pa.table({"folder": pa.array(folders, pa.string())}))
    try:
        con.execute(f"INSERT INTO {PENDING} SELECT folder FROM _changed")
        con.execute(f"INSERT INTO {PENDING_IDS} SELECT DISTINCT table_name, record_id FROM chk_identities "
                    "WHERE folder IN (SELECT folder FROM _changed)")
    finally:
        con.unregister("_changed")


def duplicate_ids(con: duckdb.DuckDBPyConnection) -> Iterator[tuple[str, str, str, int]]:
    """The per-source ids of the admitted folders that more than one record uses, in corpus
    order: all that check_corpus_ids needs to report what it reports of every id."""
    return rows(con, f"""
        WITH live AS (SELECT ids.*, kept.position FROM chk_ids AS ids JOIN {ADMITTED} AS kept USING (folder)),
             shared AS (SELECT table_name, record_id FROM live GROUP BY table_name, record_id
                        HAVING count(DISTINCT (path, line)) > 1)
        SELECT table_name, record_id, path, line FROM live JOIN shared USING (table_name, record_id)
        ORDER BY position, n""")


def identity_guard(con: duckdb.DuckDBPyConnection, admitted: list[str], registries: dict[str, list[dict]]) -> list[Problem]:
    """The identity guard's problems over the records of the admitted folders (ADMITTED, in
    the caller's transaction), in check_identities' order; the kept findings brought up to date."""
    kept = _exists(con, GUARDED) and _exists(con, GUARD)  # made in one transaction: both or neither
    affected = _affected_ids(con) if kept else None
    identities, place = _identities(con, affected)
    findings = identity_findings(identities, registries)
    if affected is not None:
        findings = [f for f in findings if any((f.first.table, i) in affected for i in f.ids())]
        con.register("_affected", _ids_table(affected))
        try:
            for column in ("first_id", "second_id"):
                con.execute(f"DELETE FROM {GUARD} WHERE EXISTS (SELECT 1 FROM _affected AS a WHERE "
                            f"a.table_name = {GUARD}.table_name AND a.record_id = {GUARD}.{column})")
        finally:
            con.unregister("_affected")
    else:
        store_table(con, GUARD, _FINDINGS.empty_table())
    insert_rows(con, GUARD, pa.Table.from_pylist([_finding_row(f, place) for f in findings], schema=_FINDINGS))
    store_table(con, GUARDED, con.sql(f"SELECT folder FROM {ADMITTED}").to_arrow_table())
    for name in (PENDING, PENDING_IDS):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    position = {folder: i for i, folder in enumerate(admitted)}
    names = [field.name for field in _FINDINGS]
    found = [dict(zip(names, row)) for row in con.execute(f"SELECT * FROM {GUARD}").fetchall()]
    return [Problem(*(row[f"problem_{f.name}"] for f in dataclasses.fields(Problem)))
            for row in sorted(found, key=functools.partial(_finding_order, position))]


def _affected_ids(con) -> set[tuple[str, str]]:
    """(table, id) of every record that entered or left the guarded corpus since the kept
    findings were made, or changed."""
    pending = _exists(con, PENDING)
    query = f"""
        SELECT table_name, record_id FROM chk_identities WHERE folder IN (
            (SELECT folder FROM {ADMITTED} EXCEPT SELECT folder FROM {GUARDED})
            UNION (SELECT folder FROM {GUARDED} EXCEPT SELECT folder FROM {ADMITTED}))"""
    if pending:
        query += f"""
        UNION SELECT table_name, record_id FROM {PENDING_IDS}
        UNION SELECT table_name, record_id FROM chk_identities WHERE folder IN (SELECT folder FROM {PENDING})"""
    return set(con.execute(query).fetchall())


def _identities(con, affected: set[tuple[str, str]] | None) -> tuple[list[Identity], dict]:
    """The identities (in corpus order) of every admitted record of these ids, or of any id
    whose findings they can change: those of the same table a day or less apart (meetings,
    incidents) or of the same type and parties (agreements), those they name in
    distinct_from and those that name them. affected=None: every admitted record.
    Also, for each identity that names others, its folder and its place in it (n)."""
    live = f"SELECT ids.*, kept.position FROM chk_identities AS ids JOIN {ADMITTED} AS kept USING (folder)"
    if affected is None:
        query = f"SELECT folder, n, identity FROM ({live}) ORDER BY position, n"
    else:
        con.register("_affected", _ids_table(affected))
        query = f"""
            WITH live AS ({live}),
                 seeds AS (SELECT live.* FROM live JOIN _affected USING (table_name, record_id)),
                 naming AS (SELECT table_name, record_id, unnest(named) AS other FROM live),
                 wanted AS (
                     SELECT table_name, record_id FROM _affected
                     -- joined on the seeds' distinct days and (type, parties), not on the seeds: an
                     -- id stated by N sources would otherwise join N times over (N squared rows)
                     UNION SELECT other.table_name, other.record_id FROM live AS other
                         JOIN (SELECT DISTINCT table_name, day FROM seeds WHERE table_name <> 'agreements') AS s
                         ON other.table_name = s.table_name AND other.day BETWEEN s.day - 1 AND s.day + 1
                     UNION SELECT other.table_name, other.record_id FROM live AS other
                         JOIN (SELECT DISTINCT kind, parties FROM seeds WHERE table_name = 'agreements') AS s
                         ON other.table_name = 'agreements' AND other.kind = s.kind AND other.parties = s.parties
                     UNION SELECT table_name, unnest(named) FROM seeds
                     UNION SELECT naming.table_name, naming.record_id FROM naming JOIN _affected
                         ON naming.table_name = _affected.table_name AND naming.other = _affected.record_id)
            SELECT folder, n, identity FROM live JOIN wanted USING (table_name, record_id) ORDER BY position, n"""
    same: dict = {}
    identities, place = [], {}
    try:
        for folder, n, text in rows(con, query):
            identity = identity_from_json(text, same)
            identities.append(identity)
            if identity.distinct_from:
                place[(identity.path, identity.table, identity.record_id)] = folder, n
    finally:
        if affected is not None:
            con.unregister("_affected")
    return identities, place


def _ids_table(ids: set[tuple[str, str]]) -> pa.Table:
    return pa.Table.from_pylist([{"table_name": table, "record_id": record_id} for table, record_id in sorted(ids)],
                                schema=pa.schema([("table_name", pa.string()), ("record_id", pa.string())]))


def _finding_row(finding: Finding, place: dict) -> dict:
    first, second, problem = finding.first, finding.second, finding.problem
    section = 0 if finding.named is not None else 1 if problem.code == "reused-id-differs" else 2
    folder, n = place.get((first.path, first.table, first.record_id), (None, None)) if section == 0 else (None, None)
    return {"table_name": first.table, "first_id": first.record_id,
            "second_id": finding.named if second is None else second.record_id, "section": section,
            "folder": folder, "n": n, "idx": finding.index, "first_path": first.path, "first_line": first.line,
            "second_path": second.path if second else None, "second_line": second.line if second else None,
            **{f"problem_{name}": value for name, value in dataclasses.asdict(problem).items()}}


def _finding_order(position: dict[str, int], row: dict) -> tuple:
    """check_identities' order: the unknown ids in corpus order (folder, then the record's
    place in it); then the reused ids, and the look-alikes, in file order (identity._order)."""
    if row["section"] == 0:
        return 0, position[row["folder"]], row["n"], row["idx"]
    return (row["section"], row["first_path"], row["first_line"], row["table_name"], row["first_id"],
            row["second_path"], row["second_line"], row["table_name"], row["second_id"])


# --- rows ----------------------------------------------------------------------------------------

def rows(con, query: str, chunk: int = 10_000) -> Iterator[tuple]:
    """The rows of a query, fetched a chunk at a time: never the whole result as Python objects."""
    result = con.execute(query)
    while fetched := result.fetchmany(chunk):
        yield from fetched


def _exists(con, name: str) -> bool:
    return bool(con.execute("SELECT 1 FROM information_schema.tables WHERE table_name = ?", [name]).fetchall())


def insert_rows(con, name: str, table: pa.Table) -> None:
    if table.num_rows == 0:
        return
    con.register("_rows", table)
    try:
        con.execute(f'INSERT INTO "{name}" SELECT * FROM _rows')
    finally:
        con.unregister("_rows")


def _one(same: dict, value):
    """The object equal to value that `same` already holds (or value, now held)."""
    return value if value is None else same.setdefault(value, value)


def identity_to_json(identity: Identity) -> str:
    values = dataclasses.asdict(identity)
    values["day"] = identity.day.isoformat() if identity.day else None
    values["people"], values["parties"] = sorted(identity.people), sorted(identity.parties)
    return json.dumps(values, sort_keys=True)


def identity_from_json(text: str, same: dict | None = None) -> Identity:
    """The Identity that identity_to_json wrote. same: a dict kept across calls, through
    which equal values are made one object (a corpus of 100,000 sources holds 900,000
    identities at once in a first build)."""
    same = {} if same is None else same
    values = json.loads(text)
    one = functools.partial(_one, same)
    return Identity(
        table=one(values["table"]), record_id=values["record_id"], path=one(values["path"]), line=values["line"],
        day=one(dt.date.fromisoformat(values["day"])) if values["day"] else None,
        place_id=one(values["place_id"]), country=one(values["country"]), people=one(frozenset(values["people"])),
        route=one(values["route"]), counts=one(tuple(tuple(c) for c in values["counts"])),
        latlon=tuple(values["latlon"]) if values["latlon"] is not None else None, kind=one(values["kind"]),
        parties=one(frozenset(values["parties"])), distinct_from=one(tuple(tuple(d) for d in values["distinct_from"])))
