"""Group `sources`: what the corpus says, read and checked by the same functions as
`borderlines validate`, then staged in DuckDB for the core tables' SQL."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines.assets.checks import problems_result, valid_spec
from pipelines.assets.metadata import OWNERS, code_version, module_file, observed_files
from pipelines.assets.resources import BorderlinesPaths
from pipelines.core.checked import DRAFTS, check_changed_folders, stage_admitted
from pipelines.core.database import connect
from pipelines.core.staging import load_staging, registry_tables
from pipelines.hashing import tree_digest
from pipelines.ingest.corpus import NEWS_DIR, Corpus
from pipelines.ingest.problems import ProblemList
from pipelines.ingest.registry import REGISTRY_DIR, load_registries
from pipelines.publish.locking import exclusive
from pipelines.reference.countries import country_names

GROUP = "sources"
# What the UI shows for every asset of the group; each asset's code version is a hash of
# the modules that compute it (the ingest package, which validate shares, for the checks).
# validate's checks also read the field model (pipelines/schemas.py) and the declarations
# (categories, route countries, signed measures), so an edit there makes these assets stale too.
_PIPELINES = Path(__file__).resolve().parent.parent
INGEST_FILES = [*sorted((_PIPELINES / "ingest").glob("*.py")), _PIPELINES / "schemas.py",
                *sorted((_PIPELINES.parent / "schemas" / "tables").glob("*.yaml"))]
COMMON = dict(group_name=GROUP, owners=OWNERS, tags={"borderlines/layer": GROUP})
CHECK_FILES = [*INGEST_FILES, *(module_file(f"pipelines.{name}") for name in
                                ("core.staging", "core.checked", "core.across", "core.database", "hashing", "errors"))]
# A run with this tag checks every source folder again, whatever the build's DuckDB file keeps
# (`borderlines build --full`, and any build that cannot trust the folder: assets/run.py).
START_OVER_TAG = "borderlines/check_every_folder"


# --- the files themselves: observed, their data version a hash of their content ----------------
# Observing them (the UI's "Observe sources", or every `make data`) tells Dagster which
# assets a saved edit made stale: those downstream show as Unsynced.

news_files = observed_files(
    "news_files", GROUP, NEWS_DIR, kinds={"yaml", "text"},
    description="The files under sources/news/ (raw texts, source.yaml, annotations.yaml); data version: a sha256 "
                "of their paths and contents.",
    version=lambda paths: tree_digest(paths.corpus() / NEWS_DIR, DRAFTS))
registry_files = observed_files(
    "registry_files", GROUP, REGISTRY_DIR, kinds={"yaml"},
    description="The registry files under sources/registry/; data version: a sha256 of their paths and contents.",
    version=lambda paths: tree_digest(paths.corpus() / REGISTRY_DIR))


@dg.asset(**COMMON, check_specs=[valid_spec("registries", "Registry files")], kinds={"python", "yaml"},
          code_version=code_version(*INGEST_FILES), deps=[registry_files],
          description="People, organisations, places and agreements from sources/registry/.")
def registries(paths: BorderlinesPaths):
    problems = ProblemList()
    loaded = load_registries(paths.corpus(), problems)
    yield dg.Output(loaded, metadata={f"{name}_entries": len(rows) for name, rows in loaded.items()})
    yield problems_result("registries", problems)


@dg.asset(**COMMON, check_specs=[valid_spec("annotations", "Source folders and annotation files")],
          kinds={"python", "yaml", "duckdb"}, code_version=code_version(*CHECK_FILES), deps=[news_files],
          description="Each source folder under sources/news/ (metadata, raw file with its sha256, canonical text, "
                      "annotations with their quotes anchored), checked as `borderlines validate` checks it. Kept "
                      "per folder in the build's DuckDB file: a folder whose files did not change is not read again.")
def annotations(context, paths: BorderlinesPaths, registries):
    corpus = Corpus(paths.corpus(), registries=registries)
    # The build folder's lock (taken again, not waited for, inside `make data`): a run started
    # from the UI must not change the kept checks while another build reads or writes them.
    with exclusive(paths.build() / ".lock", "build"):
        checked = check_changed_folders(paths.database(), corpus, code_version(*CHECK_FILES),
                                        start_over=context.run.tags.get(START_OVER_TAG) == "true")
    yield dg.MaterializeResult(metadata={
        "sources": len(checked.admitted), "records": corpus.record_count,
        "folders_checked": checked.checked, "folders_unchanged": checked.reused,
    })
    yield problems_result("annotations", corpus.problems)


@dg.asset(**COMMON, kinds={"duckdb"}, deps=[annotations],
          code_version=code_version(module_file("pipelines.core.staging"), module_file("pipelines.core.checked"),
                                    module_file("pipelines.core.across"), module_file("pipelines.core.database"),
                                    module_file("pipelines.reference.countries")),
          description="Staging tables in DuckDB: what each source says, one row per record per source (of the "
                      "folders the check admitted), the registries, and the country names (from pycountry) the "
                      "claim rules match.")
def staging(paths: BorderlinesPaths, registries) -> dg.MaterializeResult:
    with exclusive(paths.build() / ".lock", "build"):
        counts = _stage(paths, registries)
    return dg.MaterializeResult(metadata={name: rows for name, rows in counts.items()})


def _stage(paths: BorderlinesPaths, registries) -> dict[str, int]:
    con = connect(paths.database())
    try:
        counts = stage_admitted(con)
        counts.update(load_staging(con, {**registry_tables(registries), "country_names": country_names()}))
    finally:
        con.close()
    return counts


SOURCE_FILES = [news_files, registry_files]
ASSETS = [registries, annotations, staging]
