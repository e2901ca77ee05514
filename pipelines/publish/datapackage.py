"""The Frictionless data package (`datapackage.json`) of a build or a release.

Every table is published twice: `<table>` is the Parquet file (typed; the format to use),
`<table>_csv` the same rows as CSV. Resource schemas, descriptions, keys and categories
come from schemas/. Each resource carries its sha256 `hash`; CSV resources also carry
`bytes`. Parquet resources carry no `bytes` because frictionless 5 reads Parquet through
pandas and cannot count them (a declared `bytes` fails its validation, and it does not
check a Parquet hash either): `verify_files` checks size and hash of every file itself.
Every resource states its `licenses` (and a `rights` note where its licence does not cover
all of it: the publishers' words in `evidence`, `sources` and `source_links`), and resources
drawn from official statistics their `sources`, as their declarations say
(pipelines.reference.attribution), from the corpus the build read; `source_texts` states the
licence of each of its texts and each text's source with its attribution (`row_attribution`,
from the build's own files); the charts are `file` resources with `bytes` and `hash`, under
claim_checks' declaration, whose figures they draw (the timeline of agreements under
agreements'). A release takes the build's descriptor and only sets its version and date
(`for_release`).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pipelines.publish.chart import chart_entries
from pipelines.publish.sqlite import sqlite_entries
from pipelines.publish.timeline import timeline_entries
from pipelines.hashing import file_digest
from pipelines.reference.attribution import DATA_LICENCE, corpus_provenances, resource_attribution
from pipelines.schemas import load_tables

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
KEYWORDS = ["migration", "irregular migration", "small boats", "English Channel", "Mediterranean",
            "asylum", "migration agreements", "Europe", "evidence", "news"]
DESCRIPTION = (
    "Irregular migration in and around Europe: small-boat crossings, deadly incidents at sea, "
    "migration agreements between states and the meetings of leaders that make them, built from "
    "news articles, official texts and official statistics. Every value is traced to verbatim quotes "
    "of its sources (see the evidence table). News article texts are not redistributed: only the "
    "quotes that support each value, which remain their publishers' and are not covered by the "
    "package's licence. Texts whose licence allows it (government, parliamentary and Commission "
    "texts under open licences) are published whole in source_texts, each with its licence and "
    "attribution. Each resource states its own licences and rights."
)


def resource_entries(out_dir: Path, table_names: list[str], root: Path, prefix: str = "") -> list[dict[str, Any]]:
    tables = load_tables()
    entries = []
    for name in table_names:
        table = tables[name]
        schema = table.to_frictionless()
        for fmt, res_name in (("parquet", name), ("csv", f"{name}_csv")):
            rel = f"{fmt}/{name}.{fmt}"
            size, sha = file_digest(out_dir / rel)
            entry: dict[str, Any] = {
                "name": res_name,
                "type": "table",
                "path": prefix + rel,
                "format": fmt,
                "mediatype": "application/vnd.apache.parquet" if fmt == "parquet" else "text/csv",
                "title": table.title + (" (CSV)" if fmt == "csv" else ""),
                "description": table.description,
            }
            if fmt == "csv":
                entry.update(encoding="utf-8", bytes=size)
            entry["hash"] = f"sha256:{sha}"
            entry["schema"] = _schema_for(schema, fmt)
            entry.update(resource_attribution(table, root))
            if table.attribution.get("licence") == "row":
                entry.update(row_attribution(out_dir / "parquet" / f"{name}.parquet"))
            entries.append(entry)
    return entries


def row_attribution(parquet: Path) -> dict[str, Any]:
    """`licenses` and `sources` of a table whose rows each carry their own licence (source_texts):
    every licence its rows name, then the package's (for the other columns), and each row's
    source with its attribution."""
    import pyarrow.parquet as pq

    rows = pq.read_table(parquet, columns=["source_id", "licence_id", "licence_name", "licence_url",
                                           "attribution"]).to_pylist()
    spdx = {row["licence_id"]: row["spdx_id"]
            for row in pq.read_table(parquet.parent / "licences.parquet", columns=["licence_id", "spdx_id"]).to_pylist()}
    licences: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = {"name": spdx.get(row["licence_id"]), "path": row["licence_url"], "title": row["licence_name"]}
        licences.setdefault(row["licence_id"], {k: v for k, v in entry.items() if v})
    return {
        "licenses": [*licences.values(), DATA_LICENCE],
        "sources": [{"title": row["source_id"], "description": row["attribution"]} for row in rows],
    }


def _schema_for(schema: dict[str, Any], fmt: str) -> dict[str, Any]:
    """CSV resources reference CSV resources in their foreign keys, Parquet ones Parquet.

    Only an empty cell is missing (the schema's missingValues), so that a text "nan", "NaN",
    "NA" or "null" written by a source stays text. frictionless reads a Parquet file through
    pandas, which gives a null of a whole-number column as the float NaN: in a Parquet
    resource, numeric fields alone also count "nan" as missing."""
    schema = json.loads(json.dumps(schema))
    for fk in schema.get("foreignKeys", []):
        if fmt == "csv":
            fk["reference"]["resource"] += "_csv"
    if fmt == "parquet":
        for field in schema["fields"]:
            if field["type"] in ("integer", "number"):
                field["missingValues"] = ["", "nan", "NaN"]
    return schema


def reference_sources(root: Path) -> list[dict[str, Any]]:
    """Official statistics the corpus at root holds, with their licences, from their provenance files."""
    out = []
    for prov in corpus_provenances(root):
        entry = {"title": f"{prov['title']} ({prov['publisher']})", "path": prov["retrieved_from"]["repository"],
                 "description": f"Licence: {prov['licence']}. {prov.get('attribution') or ''}".strip()}
        out.append(entry)
    return out


def package_descriptor(out_dir: Path, table_names: list[str], root: Path, version: str | None = None,
                       created: str | None = None, prefix: str = "",
                       tables: list[dict[str, Any]] | None = None, with_sqlite: bool = True) -> dict[str, Any]:
    """The descriptor of the files in out_dir, built from the corpus at root. tables: the
    tables' resources (`resource_entries`), when the caller has them already. with_sqlite
    False: without the SQLite file's resource, which comes last (a build adds it once the
    file is written)."""
    descriptor: dict[str, Any] = {
        "$schema": PROFILE,
        "name": "borderlines",
        "title": "Borderlines: irregular migration in and around Europe, traced to its sources",
        "description": DESCRIPTION,
        "version": version,
        "created": created,
        "licenses": [DATA_LICENCE],
        "sources": [
            {"title": "News articles: one row each in the sources table (publisher, date, rights)"},
            *reference_sources(root),
        ],
        "contributors": [{"title": "Borderlines contributors", "roles": ["creator"]}],
        "keywords": KEYWORDS,
        "resources": ((resource_entries(out_dir, table_names, root, prefix) if tables is None else tables)
                      + chart_entries(out_dir, root, prefix)
                      + timeline_entries(out_dir, root, prefix) + (sqlite_entries(out_dir, prefix) if with_sqlite else [])),
    }
    return {k: v for k, v in descriptor.items() if v is not None}


def for_release(build_descriptor: dict[str, Any], version: str, created: str) -> dict[str, Any]:
    """The build's descriptor with the release's version and date, keys in the usual order."""
    out: dict[str, Any] = {}
    for key, value in build_descriptor.items():
        if key == "licenses":  # version and created stand before licenses, as package_descriptor writes them
            out.update(version=version, created=created)
        if key not in ("version", "created"):
            out[key] = value
    return out


def write_descriptor(descriptor: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


HASH_THREADS = 2  # sha256 lets go of the GIL: two files are hashed at once, on two cores when free


def verify_files(descriptor_path: Path) -> list[str]:
    """Problems with any resource's file: missing, or size or sha256 differing from the
    descriptor; in the descriptor's order."""
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))

    def problems_of(resource: dict[str, Any]) -> list[str]:
        path = descriptor_path.parent / resource["path"]
        if not path.is_file():
            return [f"{resource['name']}: {resource['path']} is missing"]
        size, sha = file_digest(path)
        problems = []
        if "bytes" in resource and resource["bytes"] != size:
            problems.append(f"{resource['name']}: {size} bytes, descriptor says {resource['bytes']}")
        if resource.get("hash") != f"sha256:{sha}":
            problems.append(f"{resource['name']}: sha256 {sha} differs from the descriptor's {resource.get('hash')}")
        return problems

    with ThreadPoolExecutor(HASH_THREADS) as pool:
        return [problem for found in pool.map(problems_of, descriptor["resources"]) for problem in found]
