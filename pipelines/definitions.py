"""Dagster definitions: sources -> core tables -> publish.

- `sources`: registries, news sources (raw file, canonical text, links), annotations
  (checked and anchored), and the DuckDB staging tables made from them. They call the
  same functions as `borderlines validate`, and each has a blocking check that fails
  with the same messages.
- `core`: one asset per published table, built by its SQL file, with blocking checks:
  the Pandera schema derived from schemas/, and foreign keys. `claim_checks` sets the
  news figures against the reference tables.
- `reference`: the official statistics (pipelines/reference/assets.py), with blocking
  checks of each file's sha256 and of the Pandera schema.
- `publish`: Parquet, CSV, charts and datapackage.json in build/data, with a blocking
  frictionless validation.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines.core.staging import combine_parts, connect, load_staging, record_tables, source_tables
from pipelines.core.tables import (CORE_TABLES, TableCheck, as_pandas, build_table, check_foreign_keys, check_schema,
                                   table_sql)
from pipelines.ingest.corpus import Corpus, load_all_annotations, load_sources, source_folders
from pipelines.ingest.problems import ProblemList
from pipelines.ingest.registry import load_registries
from pipelines.publish.build import write_build
from pipelines.publish.package_check import validate_package
from pipelines.reference.assets import REFERENCE_ASSETS, REFERENCE_TABLES
from pipelines.schemas import REPO_ROOT, TableSpec, annotated_tables, load_tables


class BorderlinesPaths(dg.ConfigurableResource):
    """Where the corpus is read from and the build is written to."""

    root: str = str(REPO_ROOT)
    build_dir: str = ""  # default: <root>/build

    def build(self) -> Path:
        return Path(self.build_dir) if self.build_dir else Path(self.root) / "build"

    def database(self) -> Path:
        return self.build() / "borderlines.duckdb"

    def data_dir(self) -> Path:
        return self.build() / "data"


def problems_check(asset: str, problems: ProblemList) -> dg.AssetCheckResult:
    """A blocking check result whose metadata lists problems exactly as `validate` prints them."""
    text = "\n".join(p.format_text() for p in sorted(problems))
    return dg.AssetCheckResult(
        asset_key=asset, check_name="valid", passed=not problems,
        metadata={"problems": len(problems), "report": dg.MetadataValue.md(f"```\n{text}\n```" if text else "none")},
    )


def _valid_spec(asset: str, what: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec("valid", asset=asset, blocking=True, description=f"{what} pass every check of `borderlines validate`.")


# --- sources ---------------------------------------------------------------------------

@dg.asset(group_name="sources", check_specs=[_valid_spec("registries", "Registry files")],
          description="People, organisations, places and agreements from sources/registry/.")
def registries(paths: BorderlinesPaths):
    problems = ProblemList()
    loaded = load_registries(Path(paths.root), problems)
    yield dg.Output(loaded, metadata={f"{name}_entries": len(rows) for name, rows in loaded.items()})
    yield problems_check("registries", problems)


@dg.asset(group_name="sources", check_specs=[_valid_spec("news_sources", "Source folders")],
          description="Each news source: metadata, raw file (sha256 checked), canonical text and links.")
def news_sources(paths: BorderlinesPaths):
    corpus = Corpus(Path(paths.root))
    load_sources(corpus, source_folders(corpus.root))
    preview = "\n".join(f"| {s.source_id} | {s.metadata.get('publisher') or ''} | {len(s.text)} | {len(s.links)} |"
                        for s in corpus.sources.values())
    yield dg.Output(corpus.sources, metadata={
        "sources": len(corpus.sources),
        "preview": dg.MetadataValue.md("| source_id | publisher | characters | links |\n|---|---|---|---|\n" + preview),
    })
    yield problems_check("news_sources", corpus.problems)


@dg.asset(group_name="sources", check_specs=[_valid_spec("annotations", "Annotation files")],
          description="Annotated records of every source, checked, with evidence quotes anchored in the text.")
def annotations(paths: BorderlinesPaths, registries, news_sources):
    corpus = Corpus(Path(paths.root), registries=registries, sources=news_sources)
    # The output is the staging tables as Arrow, made part by part where each part is
    # checked: a Corpus of record objects took ~20x the memory and was pickled between steps.
    parts = load_all_annotations(corpus, convert=record_tables)
    tables = {**source_tables(corpus.sources.values(), corpus.registries), **combine_parts(parts)}
    counts = {name: tables[f"stg_{name}"].num_rows for name in sorted(t.name for t in annotated_tables().values())}
    yield dg.Output(tables, metadata={f"{table}_records": n for table, n in counts.items() if n})
    yield problems_check("annotations", corpus.problems)


@dg.asset(group_name="sources", description="Staging tables in DuckDB: what each source says, one row per record per source.")
def staging(paths: BorderlinesPaths, annotations) -> dg.MaterializeResult:
    con = connect(paths.database())
    try:
        counts = load_staging(con, annotations)
    finally:
        con.close()
    return dg.MaterializeResult(metadata={name: rows for name, rows in counts.items()})


# --- core ------------------------------------------------------------------------------

def _check_result(asset: str, name: str, check: TableCheck) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=asset, check_name=name, passed=check.passed,
        metadata={"failures": len(check.failures),
                  "failure_cases": dg.MetadataValue.md(check.summary() or "none")},
    )


def _table_metadata(arrow_table, table: TableSpec) -> dict:
    frame = as_pandas(arrow_table.slice(0, 10))  # the preview's rows only: the whole table as pandas doubled a step's memory
    return {
        "dagster/row_count": arrow_table.num_rows,
        "dagster/column_schema": dg.TableSchema(columns=[
            dg.TableColumn(f.name, f.type, description=f.description) for f in table.fields
        ]),
        "preview": dg.MetadataValue.md(frame.head(10).to_markdown(index=False) if len(frame) else "(no rows)"),
    }


def core_asset(name: str, extra_deps: tuple[str, ...] = (), setup_sql: tuple[str, ...] = ()) -> dg.AssetsDefinition:
    table = load_tables()[name]
    targets = sorted({fk["reference"]["resource"] for fk in table.foreign_keys} - {name})
    specs = [dg.AssetCheckSpec("schema", asset=name, blocking=True,
                               description="Pandera schema derived from schemas/: types, enums, patterns, keys, cross-field rules.")]
    if targets:
        specs.append(dg.AssetCheckSpec("foreign_keys", asset=name, blocking=True,
                                       description="Every foreign key value exists in " + ", ".join(targets) + "."))

    @dg.asset(name=name, group_name="core", description=table.description, deps=["staging", *targets, *extra_deps],
              check_specs=specs)
    def _build(paths: BorderlinesPaths) -> dg.MaterializeResult:
        con = connect(paths.database())
        try:
            for setup in setup_sql:  # sql/<setup>.sql defines macros the table's SQL uses
                con.execute(table_sql(setup))
            arrow_table = build_table(con, name)
            results = [_check_result(name, "schema", check_schema(arrow_table, table))]
            if targets:
                results.append(_check_result(name, "foreign_keys", check_foreign_keys(con, table)))
        finally:
            con.close()
        return dg.MaterializeResult(metadata=_table_metadata(arrow_table, table), check_results=results)

    return _build


CORE_ASSETS = [core_asset(name) for name in CORE_TABLES]
CLAIM_CHECKS = core_asset("claim_checks", extra_deps=("crossings", "incidents", *REFERENCE_TABLES),
                          setup_sql=("claim_rules",))
PUBLISHED_TABLES = [*CORE_TABLES, "claim_checks", *REFERENCE_TABLES]


# --- publish ---------------------------------------------------------------------------

@dg.asset(group_name="publish", deps=PUBLISHED_TABLES,
          check_specs=[dg.AssetCheckSpec("frictionless", asset="data_package", blocking=True,
                                         description="The descriptor against the Data Package profile, every file's size and sha256, "
                                                     "frictionless on each table's CSV (types, constraints, keys), and "
                                                     "each Parquet file's types and values against its CSV.")],
          description="Parquet and CSV of every published table, the charts, and datapackage.json, in build/data.")
def data_package(paths: BorderlinesPaths) -> dg.MaterializeResult:
    # build/cache: charts and frictionless verdicts of unchanged content are not redone
    cache = paths.build() / "cache"
    con = connect(paths.database())
    try:
        counts = write_build(con, PUBLISHED_TABLES, paths.data_dir(), cache)
    finally:
        con.close()
    problems = validate_package(paths.data_dir() / "datapackage.json", cache_dir=cache)
    return dg.MaterializeResult(
        metadata={"path": str(paths.data_dir()), **{f"{name}_rows": n for name, n in counts.items()}},
        check_results=[dg.AssetCheckResult(
            asset_key="data_package", check_name="frictionless", passed=not problems,
            metadata={"problems": len(problems), "report": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems[:50]) or "none")},
        )],
    )


ASSETS = [registries, news_sources, annotations, staging, *CORE_ASSETS, *REFERENCE_ASSETS, CLAIM_CHECKS, data_package]

defs = dg.Definitions(
    assets=ASSETS,
    # BORDERLINES_BUILD_DIR lets a second UI (or a test) build elsewhere than <repo>/build.
    resources={"paths": BorderlinesPaths(build_dir=os.environ.get("BORDERLINES_BUILD_DIR", ""))},
    executor=dg.in_process_executor,
)
