"""Group `publish`: every published table as Parquet and CSV, the charts and
datapackage.json in build/data, with a blocking check of the whole package."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from pipelines.assets.metadata import OWNERS, code_version, module_file
from pipelines.assets.resources import BorderlinesPaths
from pipelines.core.checked import changed_since_checked
from pipelines.core.database import connect
from pipelines.publish.build import discard, recover, stage_build, swap_in
from pipelines.publish.locking import exclusive
from pipelines.assets.sources import START_OVER_TAG
from pipelines.publish.build import current_folder
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
    # every file; the check reads again only the tables whose bytes differ from the build it
    # replaces, when that build was made by the same code (`checked_before`).
    data_dir = paths.data_dir()
    with exclusive(paths.build() / ".lock", "build"):
        recover(data_dir)
        con = connect(paths.database())
        try:
            staged, counts = stage_build(con, PUBLISHED_TABLES, data_dir, paths.corpus())
            # The manifest records the files as they are now: a source edited since this build
            # checked it (during a run started from the UI, say) would make it a false record.
            changed = changed_since_checked(con, paths.corpus())
        finally:
            con.close()
        check = None
        try:
            if changed:
                problems = [f"{line} since the build checked the sources: materialise the unsynced assets "
                            "(or run `make data`) again" for line in changed]
            else:
                manifest = build_manifest(paths.corpus())
                write_manifest(manifest, staged / MANIFEST)
                start_over = context.run.tags.get(START_OVER_TAG) == "true"
                check = check_package(staged / "datapackage.json",
                                      None if start_over else checked_before(data_dir, manifest))
                problems = check.problems
            if not problems:
                swap_in(staged, data_dir)
        finally:
            discard(staged)
    return dg.MaterializeResult(
        metadata={"path": str(data_dir), **{f"{name}_rows": n for name, n in counts.items()}},
        check_results=[dg.AssetCheckResult(
            asset_key="data_package", check_name="frictionless", passed=not problems,
            metadata={"problems": len(problems), **({"tables_read": check.tables_read,
                                                    "tables_unchanged": check.tables_unchanged} if check else {}),
                      "report": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems[:50]) or "none")},
        )],
    )


def checked_before(data_dir: Path, manifest: dict) -> dict | None:
    """The descriptor of the build in data_dir, when that build was made by the code and
    libraries of `manifest` (so its check was this one); None otherwise. That build was
    swapped in only after its check passed (pipelines/publish/build.py)."""
    folder = current_folder(data_dir)
    built = read_manifest(folder / MANIFEST) if folder else None
    if built is None or not same_code(built, manifest):
        return None
    try:
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return descriptor if isinstance(descriptor, dict) else None


ASSETS = [data_package]
