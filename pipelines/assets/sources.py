"""Group `sources`: what the corpus says, read and checked by the same functions as
`borderlines validate`, then staged in DuckDB for the core tables' SQL."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines.assets.checks import problems_result, valid_spec
from pipelines.assets.metadata import OBSERVE_EVERY_MINUTE, OWNERS, code_version, module_file
from pipelines.assets.resources import BorderlinesPaths
from pipelines.core.database import connect
from pipelines.core.staging import combine_parts, load_staging, record_tables, source_tables
from pipelines.hashing import tree_digest
from pipelines.ingest.corpus import NEWS_DIR, Corpus, load_all_annotations, load_sources, source_folders
from pipelines.ingest.problems import ProblemList
from pipelines.ingest.registry import REGISTRY_DIR, load_registries
from pipelines.reference.countries import country_names
from pipelines.schemas import annotated_tables

GROUP = "sources"
# What the UI shows for every asset of the group; each asset's code version is a hash of
# the modules that compute it (the ingest package, which validate shares, for the checks).
# validate's checks also read the field model (pipelines/schemas.py) and the declarations
# (categories, route countries, signed measures), so an edit there makes these assets stale too.
_PIPELINES = Path(__file__).resolve().parent.parent
INGEST_FILES = [*sorted((_PIPELINES / "ingest").glob("*.py")), _PIPELINES / "schemas.py",
                *sorted((_PIPELINES.parent / "schemas" / "tables").glob("*.yaml"))]
COMMON = dict(group_name=GROUP, owners=OWNERS, tags={"borderlines/layer": GROUP})
DRAFTS = frozenset({"suggestions.yaml"})  # `borderlines suggest --write` drafts: read by nothing


# --- the files themselves: observed, their data version a hash of their content ----------------
# Observing them (the UI's "Observe sources", or every `make data`) tells Dagster which
# assets a saved edit made stale: those downstream show as Unsynced.

@dg.observable_source_asset(group_name=GROUP, required_resource_keys={"paths"},
                            automation_condition=OBSERVE_EVERY_MINUTE,
                            description="The files under sources/news/ (raw texts, source.yaml, annotations.yaml); "
                                        "data version: a sha256 of their paths and contents.")
def news_files(context) -> dg.DataVersion:
    return dg.DataVersion(tree_digest(context.resources.paths.corpus() / NEWS_DIR, DRAFTS))


@dg.observable_source_asset(group_name=GROUP, required_resource_keys={"paths"},
                            automation_condition=OBSERVE_EVERY_MINUTE,
                            description="The registry files under sources/registry/; data version: a sha256 of their "
                                        "paths and contents.")
def registry_files(context) -> dg.DataVersion:
    return dg.DataVersion(tree_digest(context.resources.paths.corpus() / REGISTRY_DIR))


@dg.asset(**COMMON, check_specs=[valid_spec("registries", "Registry files")], kinds={"python", "yaml"},
          code_version=code_version(*INGEST_FILES), deps=[registry_files],
          description="People, organisations, places and agreements from sources/registry/.")
def registries(paths: BorderlinesPaths):
    problems = ProblemList()
    loaded = load_registries(paths.corpus(), problems)
    yield dg.Output(loaded, metadata={f"{name}_entries": len(rows) for name, rows in loaded.items()})
    yield problems_result("registries", problems)


@dg.asset(**COMMON, check_specs=[valid_spec("news_sources", "Source folders")], kinds={"python"},
          code_version=code_version(*INGEST_FILES), deps=[news_files],
          description="Each news source: metadata, raw file (sha256 checked), canonical text and links.")
def news_sources(paths: BorderlinesPaths):
    corpus = Corpus(paths.corpus())
    load_sources(corpus, source_folders(corpus.root))
    preview = "\n".join(f"| {s.source_id} | {s.metadata.get('publisher') or ''} | {len(s.text)} | {len(s.links)} |"
                        for s in corpus.sources.values())
    yield dg.Output(corpus.sources, metadata={
        "sources": len(corpus.sources),
        "preview": dg.MetadataValue.md("| source_id | publisher | characters | links |\n|---|---|---|---|\n" + preview),
    })
    yield problems_result("news_sources", corpus.problems)


@dg.asset(**COMMON, check_specs=[valid_spec("annotations", "Annotation files")], kinds={"python", "yaml"},
          code_version=code_version(*INGEST_FILES, module_file("pipelines.core.staging")),
          description="Annotated records of every source, checked, with evidence quotes anchored in the text.")
def annotations(paths: BorderlinesPaths, registries, news_sources):
    corpus = Corpus(paths.corpus(), registries=registries, sources=news_sources)
    # The output is the staging tables as Arrow, made part by part where each part is
    # checked: a Corpus of record objects took ~20x the memory and was pickled between steps.
    parts = load_all_annotations(corpus, convert=record_tables)
    tables = {**source_tables(corpus.sources.values(), corpus.registries), **combine_parts(parts)}
    counts = {name: tables[f"stg_{name}"].num_rows for name in sorted(t.name for t in annotated_tables().values())}
    yield dg.Output(tables, metadata={f"{table}_records": n for table, n in counts.items() if n})
    yield problems_result("annotations", corpus.problems)


@dg.asset(**COMMON, kinds={"duckdb"},
          code_version=code_version(module_file("pipelines.core.staging"), module_file("pipelines.core.database"),
                                    module_file("pipelines.reference.countries")),
          description="Staging tables in DuckDB: what each source says, one row per record per "
                                        "source, and the country names (from pycountry) the claim rules match.")
def staging(paths: BorderlinesPaths, annotations) -> dg.MaterializeResult:
    con = connect(paths.database())
    try:
        counts = load_staging(con, {**annotations, "country_names": country_names()})
    finally:
        con.close()
    return dg.MaterializeResult(metadata={name: rows for name, rows in counts.items()})


SOURCE_FILES = [news_files, registry_files]
ASSETS = [registries, news_sources, annotations, staging]
