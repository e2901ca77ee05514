"""Turn the checked corpus into typed staging tables (`stg_*`, `reg_*`) in DuckDB.

Staging tables hold what each source says, one row per record per source, with the
columns contributors type (from schemas/) plus `source_id` and `published_date`, which
the merge rules in sql/ need. Registries are loaded as `reg_<table>`.

The rows are made where each source folder is checked (`folder_tables`, in a worker on a
large corpus), each with the folder it came from, and kept per folder in the build's
DuckDB (core/checked.py), so that a build checks again only the folders that changed.
`stage` then makes the `stg_*` tables of the folders admitted to the corpus.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence

import duckdb
import pyarrow as pa

from pipelines.core.database import store_table
from pipelines.ingest.corpus import Source
from pipelines.ingest.records import Record
from pipelines.schemas import TableSpec, annotated_tables, child_tables, load_tables


def _schema(fields, extra=()) -> pa.Schema:
    return pa.schema([pa.field(f.name, f.arrow_type()) for f in fields] + list(extra))


_PROVENANCE = (pa.field("source_id", pa.string()), pa.field("published_date", pa.date32()))
FOLDER = "_folder"  # the source folder a row came from, relative to the root: not staged
_FOLDER_FIELD = pa.field(FOLDER, pa.string())


def _stage_schema(table: TableSpec, parent_id: str | None = None) -> pa.Schema:
    extra = [pa.field(parent_id, pa.string())] if parent_id else []
    return _schema(table.annotated_fields(), extra + list(_PROVENANCE) + [_FOLDER_FIELD])


_TEXTS_SCHEMA = pa.schema([pa.field("source_id", pa.string()), pa.field("text", pa.string())])


def republishable(sources: Iterable[Source], licences: list[dict]) -> list[Source]:
    """The sources whose licence (source.yaml's licence_id, in the licences registry) allows
    republishing the whole text. Only their texts are staged: no other text enters DuckDB, so
    none can reach a published table."""
    open_licences = {row["licence_id"] for row in licences if row.get("republish_text") is True}
    return [s for s in sources if s.metadata.get("licence_id") in open_licences]


def source_tables(sources: Iterable[Source], licences: list[dict]) -> dict[str, pa.Table]:
    """stg_sources, stg_source_links and stg_source_texts (the texts that may be republished,
    by the licences registry) of these sources, each row with its folder."""
    tables = load_tables()
    sources = list(sources)
    return {
        "stg_source_texts": pa.Table.from_pylist(
            [{"source_id": s.source_id, "text": s.text, FOLDER: s.folder} for s in republishable(sources, licences)],
            schema=_TEXTS_SCHEMA.append(_FOLDER_FIELD)),
        "stg_sources": pa.Table.from_pylist(
            [{**s.metadata, "text_sha256": s.text_sha256, "text_length": len(s.text), FOLDER: s.folder} for s in sources],
            schema=_schema(tables["sources"].fields, [_FOLDER_FIELD])),
        "stg_source_links": pa.Table.from_pylist(
            [{"source_id": s.source_id, "link_number": n, "anchor_text": link.anchor_text, "href": link.href,
              "start": link.start, "end": link.end, FOLDER: s.folder}
             for s in sources for n, link in enumerate(s.links, 1)],
            schema=_schema(tables["source_links"].fields, [_FOLDER_FIELD])),
    }


def registry_tables(registries: dict[str, list[dict]]) -> dict[str, pa.Table]:
    """reg_<registry> of every registry."""
    tables = load_tables()
    return {f"reg_{name}": pa.Table.from_pylist([{k: v for k, v in row.items() if not k.startswith("_")} for row in rows],
                                                schema=_schema(tables[name].registry_fields()))
            for name, rows in registries.items()}


def folder_tables(records: list[Record], sources: Sequence[Source], licences: list[dict]) -> dict[str, pa.Table]:
    """Every staging table's rows of these sources and their records: the `convert` of the
    build's check of source folders (ingest.corpus.check_folders)."""
    return {**source_tables(sources, licences), **record_tables(records, sources)}


def record_tables(records: list[Record], sources: Iterable[Source]) -> dict[str, pa.Table]:
    """stg_<table>, stg_<child table> and stg_evidence of some records of these sources, each
    row with its folder."""
    tables = load_tables()
    # By folder, not source_id: two folders may claim one source_id (the second is reported,
    # and left out by `stage`), and a folder's rows must not depend on what else was checked with it.
    published = {s.folder: s.metadata["published_date"] for s in sources}
    out = {}
    for section, table in annotated_tables().items():
        mine = [r for r in records if r.table == table.name]
        provenance = lambda r: {"source_id": r.source_id, "published_date": published[folder_of(r)],  # noqa: E731
                                FOLDER: folder_of(r)}
        out[f"stg_{table.name}"] = pa.Table.from_pylist(
            [{**r.values, **provenance(r)} for r in mine], schema=_stage_schema(table))
        id_field = table.annotation["id_field"]
        for key, child in child_tables(table).items():
            out[f"stg_{child.name}"] = pa.Table.from_pylist(
                [{**item, id_field: r.record_id, **provenance(r)} for r in mine for item in r.children.get(key, [])],
                schema=_stage_schema(child, id_field))
    out["stg_evidence"] = pa.Table.from_pylist(evidence_rows(records),
                                               schema=_schema(tables["evidence"].fields, [_FOLDER_FIELD]))
    return out


def folder_of(record: Record) -> str:
    """The source folder of a record: that of its annotation file."""
    return record.path.rsplit("/", 1)[0]


def evidence_id(record: Record, quote, passage_quoted_again: bool = False) -> str:
    """What identifies a quote: the record it supports and where the quote is in the source's
    text (start-end), which a raw file kept byte for byte never moves. So adding, removing or
    reordering other quotes changes no other id. A record that quotes the same passage more
    than once (for different fields) tells them apart by the fields."""
    key = f"{record.source_id}/{record.table}/{record.record_id}/{quote.start}-{quote.end}"
    if passage_quoted_again:
        key += "/" + (",".join(quote.fields) if quote.fields else "record")
    return key


def evidence_rows(records: Iterable[Record]) -> list[dict]:
    rows = []
    for record in records:
        passages = Counter((q.start, q.end) for q in record.evidence)
        for quote in record.evidence:
            folded = quote.quote.casefold()
            resolutions = [f"{field} {rule}" for field, phrase, rule in record.resolutions if phrase.casefold() in folded]
            rows.append({
                "evidence_id": evidence_id(record, quote, passages[(quote.start, quote.end)] > 1),
                "source_id": record.source_id,
                "table_name": record.table,
                "record_id": record.record_id,
                "fields": ",".join(quote.fields) if quote.fields else None,
                "quote": quote.quote,
                "start": quote.start,
                "end": quote.end,
                "date_resolutions": "; ".join(resolutions) or None,
                FOLDER: folder_of(record),
            })
    return rows


def stage(con: duckdb.DuckDBPyConnection, names: Iterable[str], admitted: str) -> dict[str, int]:
    """stg_<name> for each name: the rows kept per folder (core/checked.py) of the folders in
    the table `admitted` (folder, position), in its order and, within a folder, in the order
    they were made (_n)."""
    counts = {}
    for name in names:
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT rows.* EXCLUDE ({FOLDER}, _n) '
                    f'FROM "chk_{name}" AS rows JOIN {admitted} AS kept ON rows.{FOLDER} = kept.folder '
                    f'ORDER BY kept.position, rows._n')
        counts[name] = con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]
    return counts


def load_staging(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> dict[str, int]:
    """Replace each table with the Arrow table of that name; returns row counts."""
    for name, table in tables.items():
        store_table(con, name, table)
    return {name: table.num_rows for name, table in tables.items()}
