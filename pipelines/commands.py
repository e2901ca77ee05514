"""`borderlines build`, `ui`, `release` and `codebook`: the commands behind `make data`,
`make ui`, `make release` and `make codebook`. Heavy imports happen inside each command
so that `borderlines validate` stays fast."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pipelines.schemas import REPO_ROOT


def _root(args) -> Path:
    """--root, else the repository the current folder is in (as for `validate`)."""
    from pipelines.cli import find_root

    return Path(args.root).resolve() if args.root else find_root(Path.cwd().resolve())


def dagster_home(root: Path) -> Path:
    """Dagster's embedded instance lives inside the repository (gitignored, telemetry off)."""
    home = Path(os.environ.get("DAGSTER_HOME") or root / ".dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def run_build(root: Path, build_dir: Path | None = None, instance=None):
    """Materialise every asset in-process; returns the Dagster execution result."""
    import dagster as dg

    from pipelines.definitions import ASSETS, BorderlinesPaths

    if instance is None:
        dagster_home(root)
        instance = dg.DagsterInstance.get()
    paths = BorderlinesPaths(root=str(root), build_dir=str(build_dir or root / "build"))
    return dg.materialize(
        ASSETS, resources={"paths": paths}, instance=instance, raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )


def failed_checks(result) -> list[str]:
    """The report of every failed check, as its metadata shows it in the UI."""
    out = []
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        report = evaluation.metadata.get("report") or evaluation.metadata.get("failure_cases")
        text = str(report.value if report is not None else "").strip().strip("`").strip()
        out.append(f"check {evaluation.check_name!r} on {evaluation.asset_key.to_user_string()} failed:\n{text}")
    return out


def build_summary(database: Path) -> list[str]:
    """One line per published table: rows, and the sources behind them."""
    import duckdb

    from pipelines.definitions import PUBLISHED_TABLES
    from pipelines.schemas import load_tables

    con = duckdb.connect(str(database), read_only=True)
    lines = []
    try:
        for name in PUBLISHED_TABLES:
            rows = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            fields = load_tables()[name].field_names
            if "source_id" in fields:
                sources = con.execute(f"SELECT count(DISTINCT source_id) FROM {name}").fetchone()[0]
            else:
                sources = con.execute("SELECT count(DISTINCT source_id) FROM evidence WHERE table_name = ?",
                                      [name]).fetchone()[0]
            lines.append(f"  {name:<30} {rows:>7} rows  {sources:>5} sources" if sources else f"  {name:<30} {rows:>7} rows")
    finally:
        con.close()
    return lines


def cmd_build(args) -> int:
    root = _root(args)
    build_dir = Path(args.build_dir).resolve() if args.build_dir else root / "build"
    result = run_build(root, build_dir)
    if not result.success:
        print("The build stopped: nothing was written to build/data.", file=sys.stderr)
        for report in failed_checks(result) or ["a step failed; open the run in `make ui` for its log"]:
            print(report, file=sys.stderr)
        return 1
    print(f"Built {build_dir / 'data'} (Parquet, CSV and datapackage.json):")
    print("\n".join(build_summary(build_dir / "borderlines.duckdb")))
    if root == REPO_ROOT:
        cmd_docs(args)
    return 0


def cmd_docs(args) -> int:
    """Regenerate the codebook and the JSON Schemas from schemas/tables/."""
    from pipelines.publish.codebook import write_generated_docs

    for path in write_generated_docs():
        print(f"updated {path.relative_to(REPO_ROOT)}")
    return 0


def cmd_ui(args) -> int:
    root = _root(args)
    dagster_home(root)
    print(f"Dagster UI: http://127.0.0.1:{args.port}  (Ctrl-C to stop)")
    command = [sys.executable, "-m", "dagster", "dev", "-m", "pipelines.definitions",
               "-h", "127.0.0.1", "-p", str(args.port)]
    return subprocess.call(command, cwd=root)


def cmd_release(args) -> int:
    from pipelines.publish.release import ReleaseError, release

    root = _root(args)
    try:
        message = release(args.version, root / "build" / "data", root / "datasets", root / "datapackage.json",
                          release_date=args.date)
    except ReleaseError as err:
        print(f"borderlines release: {err}", file=sys.stderr)
        return 1
    print(message)
    return 0


def register(sub) -> None:
    build = sub.add_parser("build", help="build the dataset through Dagster into build/data")
    build.add_argument("--build-dir", help="where to build (default: build/)")
    build.set_defaults(func=cmd_build)

    ui = sub.add_parser("ui", help="start the Dagster UI on 127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)

    docs = sub.add_parser("docs", help="regenerate datasets/CODEBOOK.md and the JSON Schemas in schemas/")
    docs.set_defaults(func=cmd_docs)

    rel = sub.add_parser("release", help="publish the current build as datasets/<version>/")
    rel.add_argument("version", help="MAJOR.MINOR.PATCH")
    rel.add_argument("--date", help="release date YYYY-MM-DD (default: its entry in datasets/CHANGELOG.md, else today)")
    rel.set_defaults(func=cmd_release)
