"""Group `publish`: every published table as Parquet and CSV, the charts and
datapackage.json in build/data, with a blocking check of the whole package."""

from __future__ import annotations

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
from pipelines.publish.manifest import MANIFEST, build_manifest, read_manifest, same_code, write_manifest
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
                                                     "each Parquet file's types and values against its CSV.")],
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
        manifest = build_manifest(paths.corpus())
        # The build this one replaces, when the same code made it and this is not a full run:
        # its check's verdicts and its SQLite rows stand for tables whose bytes are the same.
        start_over = context.run.tags.get(START_OVER_TAG) == "true"
        previous = None if start_over else previous_build(context.instance, data_dir, manifest)
        con = connect(paths.database())
        try:
            staged, counts, started, drawings = stage_build(con, PUBLISHED_TABLES, data_dir, paths.corpus(),
                                                            previous, check=True)
        except BaseException:
            con.close()
            raise
        check, published = None, {}
        try:
            try:
                # The manifest records the files as they are now: a source edited since this build
                # checked it (during a run started from the UI, say) would make it a false record.
                changed = changed_since_checked(con, paths.corpus())
            finally:
                con.close()
            if changed:
                problems = [f"{line} since the build checked the sources: materialise the unsynced assets "
                            "(or run `make data`) again" for line in changed]
            else:
                write_manifest(manifest, staged / MANIFEST)
                check = check_package(staged / "datapackage.json", previous.descriptor if previous else None, started)
                problems = check.problems
            if not problems:
                published = {"descriptor_sha256": file_digest(staged / "datapackage.json")[1],
                             "manifest_sha256": file_digest(staged / MANIFEST)[1],
                             "drawings": dg.MetadataValue.json(drawings.digests), "charts_copied": len(drawings.copied)}
                published["folder"] = swap_in(staged, data_dir).name
        finally:
            started.stop()  # done by now, or given up
            discard(staged)
    return dg.MaterializeResult(
        metadata={"path": str(data_dir), **published, **{f"{name}_rows": n for name, n in counts.items()}},
        check_results=[dg.AssetCheckResult(
            asset_key="data_package", check_name="frictionless", passed=not problems,
            metadata={"problems": len(problems), **({"tables_read": check.tables_read,
                                                    "tables_unchanged": check.tables_unchanged} if check else {}),
                      "report": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems[:50]) or "none")},
        )],
    )


def previous_build(instance: dg.DagsterInstance, data_dir: Path, manifest: dict) -> PreviousBuild | None:
    """The build in data_dir, when it is the one this asset last published (Dagster's record
    of that materialisation names its folder, the sha256 of its descriptor and manifest, and
    the data its charts were drawn from: a folder or file planted in build/ is never taken)
    and its manifest names the code and libraries of `manifest` (so its check was this one).
    None otherwise. That build was swapped in only after its check passed."""
    folder = current_folder(data_dir)
    event = instance.get_latest_materialization_event(dg.AssetKey("data_package"))
    if folder is None or event is None or event.asset_materialization is None:
        return None
    recorded = {key: getattr(value, "value", None) for key, value in event.asset_materialization.metadata.items()}
    try:
        if (recorded.get("folder") != folder.name
                or recorded.get("descriptor_sha256") != file_digest(folder / "datapackage.json")[1]
                or recorded.get("manifest_sha256") != file_digest(folder / MANIFEST)[1]):
            return None
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    built = read_manifest(folder / MANIFEST)
    if built is None or not same_code(built, manifest) or not isinstance(descriptor, dict):
        return None
    drawings = recorded.get("drawings")
    return PreviousBuild(folder, descriptor, drawings if isinstance(drawings, dict) else {})


ASSETS = [data_package]
