"""Turn the checked corpus into typed staging tables (`stg_*`, `reg_*`) in DuckDB.

Staging tables hold what each source says, one row per record per source, with the
columns contributors type (from schemas/) plus `source_id` and `published_date`, which
the merge rules in sql/ need. Registries are loaded as `reg_<table>`. They are made part by
part where each part of the corpus is checked (`record_tables`, joined by `combine_parts`)
and stored by `load_staging`.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

import duckdb
import pyarrow as pa

from pipelines.core.database import store_table
from pipelines.ingest.corpus import Source
from pipelines.ingest.records import Record
from pipelines.schemas import TableSpec, annotated_tables, child_tables, load_tables


def _schema(fields, extra=()) -> pa.Schema:
    return pa.schema([pa.field(f.name, f.arrow_type()) for f in fields] + list(extra))


_PROVENANCE = (pa.field("source_id", pa.string()), pa.field("published_date", pa.date32()))


def _stage_schema(table: TableSpec, parent_id: str | None = None) -> pa.Schema:
    extra = [pa.field(parent_id, pa.string())] if parent_id else []
    return _schema(table.annotated_fields(), extra + list(_PROVENANCE))


_TEXTS_SCHEMA = pa.schema([pa.field("source_id", pa.string()), pa.field("text", pa.string())])


def republishable(sources: Iterable[Source], licences: list[dict]) -> list[Source]:
    """The sources whose licence (source.yaml's licence_id, in the licences registry) allows
    republishing the whole text. Only their texts are staged: no other text enters DuckDB, so
    none can reach a published table."""
    open_licences = {row["licence_id"] for row in licences if row.get("republish_text") is True}
    return [s for s in sources if s.metadata.get("licence_id") in open_licences]


def source_tables(sources: Iterable[Source], registries: dict[str, list[dict]]) -> dict[str, pa.Table]:
    """stg_sources, stg_source_links, stg_source_texts (the texts that may be republished)
    and reg_<registry>."""
    tables = load_tables()
    sources = list(sources)
    out = {
        "stg_source_texts": pa.Table.from_pylist(
            [{"source_id": s.source_id, "text": s.text} for s in republishable(sources, registries.get("licences", []))],
            schema=_TEXTS_SCHEMA),
        "stg_sources": pa.Table.from_pylist(
            [{**s.metadata, "text_sha256": s.text_sha256, "text_length": len(s.text)} for s in sources],
            schema=_schema(tables["sources"].fields)),
        "stg_source_links": pa.Table.from_pylist(
            [{"source_id": s.source_id, "link_number": n, "anchor_text": link.anchor_text, "href": link.href,
              "start": link.start, "end": link.end}
             for s in sources for n, link in enumerate(s.links, 1)],
            schema=_schema(tables["source_links"].fields)),
    }
    for name, rows in registries.items():
        out[f"reg_{name}"] = pa.Table.from_pylist(
            [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows],
            schema=_schema(tables[name].registry_fields()))
    return out


def record_tables(records: list[Record], sources: Iterable[Source]) -> dict[str, pa.Table]:
    """stg_<table>, stg_<child table> and stg_evidence of some records of these sources.

    The build calls it on each part of the corpus where the part was checked (see
    load_all_annotations), and joins the parts with combine_parts."""
    tables = load_tables()
    published = {s.source_id: s.metadata["published_date"] for s in sources}
    out = {}
    for section, table in annotated_tables().items():
        mine = [r for r in records if r.table == table.name]
        provenance = lambda r: {"source_id": r.source_id, "published_date": published[r.source_id]}  # noqa: E731
        out[f"stg_{table.name}"] = pa.Table.from_pylist(
            [{**r.values, **provenance(r)} for r in mine], schema=_stage_schema(table))
        id_field = table.annotation["id_field"]
        for key, child in child_tables(table).items():
            out[f"stg_{child.name}"] = pa.Table.from_pylist(
                [{**item, id_field: r.record_id, **provenance(r)} for r in mine for item in r.children.get(key, [])],
                schema=_stage_schema(child, id_field))
    out["stg_evidence"] = pa.Table.from_pylist(evidence_rows(records), schema=_schema(tables["evidence"].fields))
    return out


def combine_parts(parts: list[dict[str, pa.Table]]) -> dict[str, pa.Table]:
    """The record tables of every part, in part order (Arrow chunks: nothing is copied)."""
    parts = parts or [record_tables([], [])]
    return {name: pa.concat_tables([part[name] for part in parts]) for name in parts[0]}


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
            })
    return rows


def load_staging(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> dict[str, int]:
    """Replace every staging table with the Arrow table of that name; returns row counts."""
    for name, table in tables.items():
        store_table(con, name, table)
    return {name: table.num_rows for name, table in tables.items()}
