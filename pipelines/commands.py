"""`borderlines build`, `docs`, `ui`, `explore` and `release`: argument parsing and printing only; the
work is done by library functions. Heavy imports happen inside each command so that
`borderlines validate` stays fast."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def cmd_build(args) -> int:
    from pipelines.errors import BusyError, ChangedDuringBuild, storage_cause

    root = args.root
    build_dir = Path(args.build_dir).resolve() if args.build_dir else root / "build"
    data = build_dir / "data"
    shown = _shown(data, root)
    try:
        from pipelines.assets.run import run_build
        from pipelines.publish.build import folder_identity

        before = folder_identity(data)
        result = run_build(root, build_dir, full=args.full)
    except BusyError as err:
        print(f"borderlines build: {err}", file=sys.stderr)
        return 1
    except ChangedDuringBuild as err:
        changed = err.changes
        print(f"borderlines build: {changed[0].replace('since the build', 'during the build')}"
              f"{f' (and {len(changed) - 1} more)' if len(changed) > 1 else ''}: "
              "run `make data` again (a release refuses this build)", file=sys.stderr)
        return 1
    except OSError as err:
        return _storage_failure(err, root, shown)
    if result.success:
        return _report_build(root, build_dir)
    from pipelines.assets.run import failed_checks, failed_steps

    steps = failed_steps(result)
    causes = {storage_cause(error) for _, error in steps} - {None}
    if causes:
        print(f"borderlines: cannot write {_shown(build_dir, root)}: {', '.join(sorted(causes))}", file=sys.stderr)
        return 1
    after = folder_identity(data)
    if after is not None and after != before:
        print(f"The build stopped after it replaced {shown}:", file=sys.stderr)
    elif after is not None or before is not None:
        print(f"The build stopped: {shown} still holds the last good build, unchanged.", file=sys.stderr)
    else:
        print(f"The build stopped: nothing was written to {shown}.", file=sys.stderr)
    reports = failed_checks(result)
    reports += [f"step {step!r} failed: {error}" for step, error in steps
                if not reports or "AssetCheck" not in error]  # a failed blocking check is reported above
    for report in reports or ["a step failed; open the run in `make ui` for its log"]:
        print(report, file=sys.stderr)
    return 1


def _storage_failure(err: OSError, root: Path, default: str) -> int:
    """A read-only or full disk in one line (exit 1); any other OSError goes on up."""
    from pipelines.errors import storage_cause

    cause = storage_cause(err)
    if cause is None:
        raise err
    where = _shown(Path(err.filename), root) if err.filename else default
    print(f"borderlines: cannot write {where}: {cause}", file=sys.stderr)
    return 1


def _shown(path: Path, root: Path) -> str:
    """A path as the user would type it: relative to the repository when inside it."""
    try:
        return Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(root))).as_posix()
    except ValueError:
        return str(path)


def _report_build(root: Path, build_dir: Path) -> int:
    from pipelines.assets.definitions import PUBLISHED_TABLES
    from pipelines.core.database import connect
    from pipelines.publish.build import build_summary

    print(f"Built {build_dir / 'data'} (Parquet, CSV and datapackage.json):")
    con = connect(build_dir / "borderlines.duckdb")
    try:
        print("\n".join(build_summary(con, PUBLISHED_TABLES)))
    finally:
        con.close()
    return 0


def cmd_docs(args) -> int:
    from pipelines.publish.codebook import write_generated_docs
    from pipelines.schemas import REPO_ROOT

    for path in write_generated_docs():
        print(f"updated {path.relative_to(REPO_ROOT)}")
    return 0


def cmd_ui(args) -> int:
    from pipelines.assets.run import dagster_home
    from pipelines.assets.ui import serve_ui

    dagster_home(args.root)
    print(f"Dagster UI: http://127.0.0.1:{args.port}  (Ctrl-C to stop)", flush=True)
    return serve_ui(args.root, args.port)


def cmd_explore(args) -> int:
    from pipelines.explore.serve import locate, serve_explorer, write_metadata

    path = locate(args.root, build=args.build, file=args.file)
    if args.write_metadata:
        write_metadata(args.root, path, Path(args.write_metadata), allow_sql=args.sql)
        print(f"wrote {args.write_metadata}: Datasette's metadata for {_shown(path, args.root)}")
        return 0
    return serve_explorer(args.root, path, args.port, allow_sql=args.sql)


def cmd_release(args) -> int:
    from pipelines.errors import BusyError, ReleaseError, storage_cause
    from pipelines.publish.release import release

    root = args.root
    try:
        message = release(args.version, root / "build" / "data", root / "datasets", root / "datapackage.json",
                          release_date=args.date, root=root)
    except (ReleaseError, BusyError) as err:
        print(f"borderlines release: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        return _storage_failure(err, root, "datasets")
    print(message)
    return 0


def register(sub) -> None:
    build = sub.add_parser(
        "build", help="build the dataset through Dagster into build/data",
        description="Materialise the Dagster assets in-process (only those an edit made stale, when that is "
                    "safe; every asset with --full): read and check the sources, stage them in "
                    "DuckDB (build/borderlines.duckdb), build and check every table declared in schemas/tables/, "
                    "and write Parquet, CSV, charts, datapackage.json and the build's manifest beside the last "
                    "good build, which build/data points to only once the package check has passed. One build "
                    "at a time per build folder; no cache; changes no tracked file. Exit status: 0 built, 1 a "
                    "check or step failed, another build is running, or the disk refused (the reason is printed).")
    build.add_argument("--build-dir", help="where to build (default: build/)")
    build.add_argument("--full", action="store_true",
                       help="rebuild every asset, not only what an edit made stale")
    build.set_defaults(func=cmd_build)

    ui = sub.add_parser(
        "ui", help="start the Dagster UI on 127.0.0.1",
        description="Start `dagster dev` on 127.0.0.1 with this repository's asset graph, to look at assets "
                    "and checks and to materialise them. Dagster keeps its files in .dagster_home/. Ctrl-C stops it.")
    ui.add_argument("--port", type=int, default=3000, help="port to listen on (default: 3000)")
    ui.set_defaults(func=cmd_ui)

    explore = sub.add_parser(
        "explore", help="browse the latest release in Datasette on 127.0.0.1",
        description="Serve the latest release's SQLite file (datasets/<version>/sqlite/borderlines.sqlite) with "
                    "Datasette on 127.0.0.1, read-only: the claims checked against the official series, each "
                    "record with its sources, quotes and conflicts, the agreements and meetings, canned queries. "
                    "Ctrl-C stops it. Exit status: 0 stopped, 2 no usable SQLite file (the message says why).")
    explore.add_argument("--port", type=int, default=8001, help="port to listen on (default: 8001)")
    where = explore.add_mutually_exclusive_group()
    where.add_argument("--build", action="store_true", help="explore the current build (build/data) instead")
    where.add_argument("--file", help="explore this SQLite file of a data package (kept in its sqlite/ folder)")
    explore.add_argument("--sql", action="store_true",
                         help="also let the browser run any read-only SQL (off by default, as it should be online)")
    explore.add_argument("--write-metadata", metavar="FILE",
                         help="write Datasette's metadata for the file to FILE and exit (for `datasette publish`)")
    explore.set_defaults(func=cmd_explore)

    docs = sub.add_parser(
        "docs", help="regenerate datasets/CODEBOOK.md and the JSON Schemas in schemas/",
        description="Write the files generated from schemas/tables/: datasets/CODEBOOK.md, "
                    "schemas/annotation.schema.json and schemas/source.schema.json. Run it after changing a "
                    "declaration and commit the result; a test fails when they drift.")
    docs.set_defaults(func=cmd_docs)

    rel = sub.add_parser(
        "release", help="publish the current build as datasets/<version>/",
        description="Copy build/data into datasets/<version>/ through a temporary folder renamed into place, "
                    "validate it, and point the root datapackage.json at it. Only a build made from the current "
                    "sources and code is published (its manifest is checked); a version that exists is never "
                    "overwritten, and running it again finishes an interrupted release. The version must be "
                    "described in datasets/CHANGELOG.md: its date there is the release date. Exit status: 0 "
                    "published (or already identical), 1 refused.")
    rel.add_argument("version", help="MAJOR.MINOR.PATCH")
    rel.add_argument("--date", help="release date YYYY-MM-DD (default: the date of its entry in datasets/CHANGELOG.md, else today)")
    rel.set_defaults(func=cmd_release)

