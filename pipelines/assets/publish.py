"""Group `publish`: every published table as Parquet and CSV, the SQLite file, the charts
and datapackage.json in build/data, with a blocking check of the whole package (of which
the tables byte for byte those of the build it replaces, made and checked by the same code,
keep that build's verdict: see `previous_build`)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dagster as dg

from pipelines.assets.metadata import OWNERS, code_version, module_file
from pipelines.assets.resources import BorderlinesPaths
from pipelines.assets.sources import START_OVER_TAG
from pipelines.core.checked import changed_since_checked
from pipelines.core.database import connect
from pipelines.hashing import file_digest
from pipelines.publish.build import PreviousBuild, current_folder, discard, recover, stage_build, swap_in
from pipelines.publish.locking import exclusive
from pipelines.publish.manifest import (MANIFEST, build_manifest, code_manifest, environment_sha256, same_code,
                                        walk_sources, write_manifest)
from pipelines.publish.package_check import check_package
from pipelines.schemas import published_tables

GROUP = "publish"
PUBLISHED_TABLES = published_tables()  # every declared table but those declared not_published, in declared order
# The code that writes and checks the package: its code version.
WRITER_FILES = [module_file("pipelines.core.checked"), *(module_file(f"pipelines.publish.{name}") for name in
                  ("build", "files", "sqlite", "datapackage", "chart", "timeline", "manifest", "package_check", "roundtrip")),
                Path(__file__).parents[1] / "publish" / "sqlite_views.sql",
                module_file("pipelines.reference.attribution"), Path(__file__)]


@dg.asset(group_name=GROUP, deps=PUBLISHED_TABLES, kinds={"parquet", "csv"}, owners=OWNERS,
          tags={"borderlines/layer": GROUP}, code_version=code_version(*WRITER_FILES),
          check_specs=[dg.AssetCheckSpec("frictionless", asset="data_package", blocking=True,
                                         description="The descriptor against the Data Package profile, every file's size and sha256, "
                                                     "frictionless on each table's CSV (types, constraints, keys), and "
                                                     "each Parquet file's types and values against its CSV "
                                                     "(tables byte for byte those the replaced build passed, made by "
                                                     "the same code, are not read again, nor a large table's CSV whose "
                                                     "rows frictionless reads are; a release reads all).")],
          description="Parquet and CSV of every published table, the charts, and datapackage.json, in build/data.")
def data_package(context, paths: BorderlinesPaths) -> dg.MaterializeResult:
    # Written beside the last good build and swapped in only once the check passed: a failed
    # check leaves build/data as it was (pipelines/publish/build.py). Every build writes
    # every file; the check reads again, and the SQLite file takes from Parquet, only the rows
    # and tables that differ from the build it replaces, when that build was made by the same
    # code (`previous_build`).
    data_dir = paths.data_dir()
    with exclusive(paths.build() / ".lock", "build"):
        recover(data_dir)
        code, environment = code_manifest(), environment_sha256()
        # The build this one replaces, when the same code made it and this is not a full run:
        # its check's verdicts, its SQLite rows and its charts stand for the same bytes and data.
        start_over = context.run.tags.get(START_OVER_TAG) == "true"
        previous = None if start_over else previous_build(context.instance, data_dir, code, environment)
        con = connect(paths.database())
        sources: dict = {}

        def compare_sources() -> None:
            # The manifest records the files as they are now: a source edited since this build
            # checked it (during a run started from the UI, say) would make it a false record.
            # Done while the SQLite file is written: the tables and charts are, by then.
            # One walk of sources/ for both: at 10,000 sources a walk stats some 40,000 entries.
            walked = walk_sources(paths.corpus())
            sources["changed"] = [f"{line} since the build checked the sources"
                                  for line in changed_since_checked(con, paths.corpus(), walked)]
            sources["manifest"] = build_manifest(paths.corpus(), walked)

        try:
            staged, counts, started, drawings = stage_build(con, PUBLISHED_TABLES, data_dir, paths.corpus(),
                                                            previous, check=True, meanwhile=compare_sources)
        finally:
            con.close()
        check, published = None, {}
        try:
            changed, manifest = sources["changed"], sources["manifest"]
            if not changed and not same_code(manifest, code):
                changed = [_CODE_CHANGED]
            if changed:
                problems = [_build_again(line) for line in changed]
            else:
                write_manifest(manifest, staged / MANIFEST)
                check = check_package(staged / "datapackage.json", previous.descriptor if previous else None, started)
                problems = check.problems
                if check.environments - {environment}:  # a worker started with the run imported other libraries
                    problems = [_build_again(_CODE_CHANGED)]
            if not problems and not same_code(code_manifest(), code):
                # The workers import the code from disk: a build made by two codes is not published
                # (compared again here: a check begun again would have imported it since).
                problems = [_build_again(_CODE_CHANGED)]
            if not problems:
                published = {"descriptor_sha256": file_digest(staged / "datapackage.json")[1],
                             "manifest_sha256": file_digest(staged / MANIFEST)[1],
                             "environment_sha256": environment,
                             "drawings": dg.MetadataValue.json(drawings.digests), "charts_copied": len(drawings.copied),
                             "checked_prefixes": dg.MetadataValue.json(check.prefixes)}
                published["folder"] = swap_in(staged, data_dir).name
        finally:
            started.stop()  # done by now, or given up
            discard(staged)
    return dg.MaterializeResult(
        metadata={"path": str(data_dir), **published, **{f"{name}_rows": n for name, n in counts.items()}},
        check_results=[dg.AssetCheckResult(
            asset_key="data_package", check_name="frictionless", passed=not problems,
            metadata={"problems": len(problems), **({"tables_read": check.tables_read,
                                                    "tables_unchanged": check.tables_unchanged,
                                                    "csv_first_rows_unchanged": check.first_rows_unchanged}
                                                   if check else {}),
                      "report": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems[:50]) or "none")},
        )],
    )


_CODE_CHANGED = "the code, the table declarations or the libraries changed since the build began"


def _build_again(reason: str) -> str:
    return f"{reason}: materialise the unsynced assets (or run `make data`) again"


def previous_build(instance: dg.DagsterInstance, data_dir: Path, code: dict, environment: str) -> PreviousBuild | None:
    """The build in data_dir, when it is the one this asset last published (Dagster's record
    of that materialisation names its folder, the sha256 of its descriptor and manifest, the
    installed distributions, and the data its charts were drawn from: a folder or file
    planted in build/ is never taken), and its manifest names the code and libraries of
    `code` (`code_manifest`), in the same environment: so its check was this one. None
    otherwise. That build was swapped in only after its check passed."""
    folder = current_folder(data_dir)
    event = instance.get_latest_materialization_event(dg.AssetKey("data_package"))
    if folder is None or event is None or event.asset_materialization is None:
        return None
    recorded = {key: getattr(value, "value", None) for key, value in event.asset_materialization.metadata.items()}
    if recorded.get("folder") != folder.name or recorded.get("environment_sha256") != environment:
        return None
    try:
        descriptor_bytes, manifest_bytes = (folder / "datapackage.json").read_bytes(), (folder / MANIFEST).read_bytes()
        if (recorded.get("descriptor_sha256") != hashlib.sha256(descriptor_bytes).hexdigest()
                or recorded.get("manifest_sha256") != hashlib.sha256(manifest_bytes).hexdigest()):
            return None
        descriptor, built = json.loads(descriptor_bytes), json.loads(manifest_bytes)
    except (OSError, ValueError):
        return None
    if not isinstance(descriptor, dict) or not isinstance(built, dict) or not same_code(built, code):
        return None
    drawings, prefixes = recorded.get("drawings"), recorded.get("checked_prefixes")
    return PreviousBuild(folder, descriptor, drawings if isinstance(drawings, dict) else {},
                         prefixes if isinstance(prefixes, dict) else {})


ASSETS = [data_package]
