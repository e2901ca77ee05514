"""`borderlines build`, `docs`, `ui` and `release`: argument parsing and printing only; the
work is done by library functions. Heavy imports happen inside each command so that
`borderlines validate` stays fast."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def cmd_build(args) -> int:
    from pipelines.assets.definitions import PUBLISHED_TABLES
    from pipelines.assets.run import failed_checks, run_build
    from pipelines.core.database import connect
    from pipelines.publish.build import build_summary

    root = args.root
    build_dir = Path(args.build_dir).resolve() if args.build_dir else root / "build"
    result = run_build(root, build_dir)
    if not result.success:
        print("The build stopped: nothing was written to build/data.", file=sys.stderr)
        for report in failed_checks(result) or ["a step failed; open the run in `make ui` for its log"]:
            print(report, file=sys.stderr)
        return 1
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

    root = args.root
    dagster_home(root)
    print(f"Dagster UI: http://127.0.0.1:{args.port}  (Ctrl-C to stop)")
    command = [sys.executable, "-m", "dagster", "dev", "-m", "pipelines.assets.definitions",
               "-h", "127.0.0.1", "-p", str(args.port)]
    return subprocess.call(command, cwd=root, env={**os.environ, "BORDERLINES_ROOT": str(root)})


def cmd_release(args) -> int:
    from pipelines.errors import ReleaseError
    from pipelines.publish.release import release

    root = args.root
    try:
        message = release(args.version, root / "build" / "data", root / "datasets", root / "datapackage.json",
                          release_date=args.date)
    except ReleaseError as err:
        print(f"borderlines release: {err}", file=sys.stderr)
        return 1
    print(message)
    return 0


def register(sub) -> None:
    build = sub.add_parser(
        "build", help="build the dataset through Dagster into build/data",
        description="Materialise every Dagster asset in-process: read and check the sources, stage them in "
                    "DuckDB (build/borderlines.duckdb), build and check every table declared in schemas/tables/, "
                    "and write Parquet, CSV, charts and datapackage.json to build/data/. Changes no tracked "
                    "file. Exit status: 0 built, 1 a check or step failed (its report is printed).")
    build.add_argument("--build-dir", help="where to build (default: build/)")
    build.set_defaults(func=cmd_build)

    ui = sub.add_parser(
        "ui", help="start the Dagster UI on 127.0.0.1",
        description="Start `dagster dev` on 127.0.0.1 with this repository's asset graph, to look at assets "
                    "and checks and to materialise them. Dagster keeps its files in .dagster_home/. Ctrl-C stops it.")
    ui.add_argument("--port", type=int, default=3000, help="port to listen on (default: 3000)")
    ui.set_defaults(func=cmd_ui)

    docs = sub.add_parser(
        "docs", help="regenerate datasets/CODEBOOK.md and the JSON Schemas in schemas/",
        description="Write the files generated from schemas/tables/: datasets/CODEBOOK.md, "
                    "schemas/annotation.schema.json and schemas/source.schema.json. Run it after changing a "
                    "declaration and commit the result; a test fails when they drift.")
    docs.set_defaults(func=cmd_docs)

    rel = sub.add_parser(
        "release", help="publish the current build as datasets/<version>/",
        description="Copy build/data into datasets/<version>/ through a temporary folder renamed into place, "
                    "validate it, and point the root datapackage.json at it. A version that exists is never "
                    "overwritten. Describe the version in datasets/CHANGELOG.md first: its date there is the "
                    "release date. Exit status: 0 published (or already identical), 1 refused.")
    rel.add_argument("version", help="MAJOR.MINOR.PATCH")
    rel.add_argument("--date", help="release date YYYY-MM-DD (default: its entry in datasets/CHANGELOG.md, else today)")
    rel.set_defaults(func=cmd_release)

