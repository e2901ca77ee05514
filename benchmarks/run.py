"""`make bench`: measure validate and build on the real sources and on synthetic corpora.

    python -m benchmarks.run                       everything (real sources; 1k, 10k, 100k)
    python -m benchmarks.run --sizes 1000,10000    a quick subset
    python -m benchmarks.run --repeat 3            runs per measurement (default: 5 for the
                                                   real sources and 1k, 3 for 10k, 1 for 100k)
    python -m benchmarks.run --partitions 10,100   the sizes of the partition floor ("" skips it)

Every run is a fresh subprocess (cold). Scratch corpora, builds and the Dagster instances
live in one temporary folder, removed at the end (--keep keeps it). Writes
benchmarks/results.json after each stage (an interrupted run keeps what it measured)
and benchmarks/RESULTS.md at the end.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import report
from benchmarks.corpus import error_plan, generate_corpus, identity, write_source
from benchmarks.inject import ERROR_KINDS
from benchmarks.measure import environment, interleaved, measure

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
BIN = Path(sys.executable).parent
BORDERLINES = str(BIN / "borderlines")
PYTHON = sys.executable
SEED = 20261123
# What any build with this stack pays before doing anything: not a target, a reading aid.
STACK_IMPORTS = ("import dagster, pandas, pyarrow.parquet, duckdb, pandera.pandas, frictionless, "
                 "matplotlib.figure, matplotlib.backends.backend_svg")
DEFAULT_REPEAT = {"real": 5, 1000: 5, 10000: 3, 100000: 1}
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false",
       "-c", "gc.auto=0"]  # no repacking of a 300,000-file repository in the middle of a measurement


def repeat_for(key, args) -> int:
    return args.repeat or DEFAULT_REPEAT.get(key, 1)


def last_run(build_dir: Path) -> str | None:
    """The Dagster run that made what the build folder holds (pipelines/assets/run.py writes
    it after each build that recomputed something): how the bench tells that a build it
    timed recomputed nothing, or did recompute."""
    marker = build_dir / ".last_run"
    return marker.read_text(encoding="utf-8").strip() if marker.is_file() else None


def bench_real(tmp: Path, env: dict, args, out: dict) -> None:
    n = repeat_for("real", args)
    validate, floor = interleaved([
        ("validate (real sources)", [BORDERLINES, "--root", str(REPO), "validate"], {"env": env}),
        ("import floor: pandas + pandera", [PYTHON, "-c", "import pandas, pandera.pandas"], {"env": env}),
    ], n)
    out["validate"], out["import_floor"] = validate.to_dict(), floor.to_dict()
    shape = tmp / "shape.json"
    subprocess.run([PYTHON, "-m", "benchmarks.floors", "shape", str(shape)], check=True, env=env, cwd=REPO)
    out["assets"] = len(json.loads(shape.read_text()))
    cold_dir, warm_dir = tmp / "build-real-cold", tmp / "build-real-again"
    build_argv = [BORDERLINES, "--root", str(REPO), "build", "--build-dir"]
    # The cold builds get an instance of their own: each is the latest build on its instance,
    # so on a shared one the next "nothing changed" build would find another folder's build
    # there and rebuild everything. The floors share the no-op builds' instance (their assets
    # have keys of their own).
    cold_env = dict(env, DAGSTER_HOME=str(new_dagster_home(tmp / "dagster_home_cold")))
    subprocess.run([*build_argv, str(warm_dir)], check=True, env=env, stdout=subprocess.DEVNULL)  # the first of two
    built = last_run(warm_dir)
    build, again, eph, home, stack, package = interleaved([
        ("build (real sources), cold: a fresh build folder", [*build_argv, str(cold_dir)],
         {"env": cold_env, "before_each": lambda: shutil.rmtree(cold_dir, ignore_errors=True)}),
        ("build (real sources) again, nothing changed", [*build_argv, str(warm_dir)], {"env": env}),
        ("Dagster floor: no-op assets, ephemeral instance", [PYTHON, "-m", "benchmarks.floors", "dagster", str(shape)],
         {"env": env, "cwd": REPO}),
        ("Dagster floor: no-op assets, DAGSTER_HOME instance",
         [PYTHON, "-m", "benchmarks.floors", "dagster", str(shape), "--instance", "home"], {"env": env, "cwd": REPO}),
        ("imports of the build's libraries", [PYTHON, "-c", STACK_IMPORTS], {"env": env}),
        ("the package check alone", [PYTHON, "-m", "benchmarks.floors", "package",
                                               str(warm_dir / "data" / "datapackage.json")], {"env": env, "cwd": REPO}),
    ], n)
    out["build"], out["build_again"] = build.to_dict(), again.to_dict()
    out["build_again"]["recomputed"] = last_run(warm_dir) != built
    out["dagster_floor"], out["dagster_floor_home"], out["stack_imports"] = eph.to_dict(), home.to_dict(), stack.to_dict()
    out["package_check"] = package.to_dict()


def git_baseline(corpus: Path) -> None:
    """Commit the corpus and tag it, so that --changed-since has a ref to compare with."""
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "synthetic corpus"], ["tag", "bench-base"]):
        subprocess.run([*GIT, *command], cwd=corpus, check=True, stdout=subprocess.DEVNULL)


def change_one_source(corpus: Path) -> str:
    """Add a note to the first crossing of one source (a valid change), and commit it."""
    folders = sorted((corpus / "sources" / "news").iterdir())
    folder = folders[len(folders) // 2]
    path = folder / "annotations.yaml"
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition("\n    route: ")
    path.write_text(head + "\n    notes: checked again against the article" + sep + rest, encoding="utf-8")
    subprocess.run([*GIT, "commit", "-q", "-am", "note on one crossing"], cwd=corpus, check=True)
    return folder.name


def inject_errors(corpus: Path, n_sources: int, per_kind: int) -> dict[str, int]:
    """Rewrite the sources that error_plan picks, each with one broken record."""
    news = corpus / "sources" / "news"
    for i, kind in error_plan(n_sources, per_kind).items():
        shutil.rmtree(news / identity(SEED, i)[1])
        write_source(news, SEED, i, n_sources, kind)
    return {kind: per_kind for kind in ERROR_KINDS}


def count_problems(json_path: Path) -> dict[str, int]:
    report_ = json.loads(json_path.read_text())
    counts: dict[str, int] = {}
    for problem in report_["problems"]:
        counts[problem["code"]] = counts.get(problem["code"], 0) + 1
    return counts


def bench_size(n_sources: int, tmp: Path, env: dict, args) -> dict:
    repeat = repeat_for(n_sources, args)
    corpus = tmp / f"corpus-{n_sources}"
    out: dict = {"repeat": repeat}
    start = time.perf_counter()
    generated = generate_corpus(corpus, n_sources, seed=SEED)
    out["generate_seconds"] = round(time.perf_counter() - start, 2)
    out.update(sources=generated.sources, records=sum(generated.records.values()),
               records_by_section=dict(generated.records), megabytes=round(generated.bytes / 1e6, 1))
    if (REPO / "sources" / "reference").is_dir():  # the official statistics, as in the repository
        shutil.copytree(REPO / "sources" / "reference", corpus / "sources" / "reference")
    root = ["--root", str(corpus)]
    validate, floor = interleaved([
        ("validate", [BORDERLINES, *root, "validate"], {"env": env}),
        ("raw floor: read files + yaml.CSafeLoader", [PYTHON, "-m", "benchmarks.floors", "yaml", str(corpus)],
         {"env": env, "cwd": REPO}),
    ], repeat)
    out["validate"], out["yaml_floor"] = validate.to_dict(), floor.to_dict()
    if not args.skip_build:
        build_dir = tmp / f"build-{n_sources}"
        build_argv = [BORDERLINES, *root, "build", "--build-dir", str(build_dir)]
        out["build"] = measure("build", build_argv, repeat, env=env,
                               before_each=lambda: shutil.rmtree(build_dir, ignore_errors=True)).to_dict()
        if not args.skip_incremental:  # the last cold build is the one these start from
            out["build_again"], out["build_one_changed"] = bench_incremental(corpus, build_dir, build_argv, env, repeat)
        shutil.rmtree(build_dir, ignore_errors=True)
        shutil.rmtree(Path(env["DAGSTER_HOME"]) / "storage", ignore_errors=True)  # pickled asset outputs
    out["changed_since"] = bench_changed(corpus, root, env, repeat)
    per_kind = max(1, n_sources // 1000)
    out["errors_injected"] = inject_errors(corpus, n_sources, per_kind)
    report_path = tmp / f"errors-{n_sources}.json"
    out["validate_errors"] = measure("validate with errors", [
        "sh", "-c", f'exec "$0" "$@" > {report_path}', BORDERLINES, *root, "validate", "--format", "json"],
        repeat, expect=1, env=env).to_dict()
    out["errors_reported"] = count_problems(report_path)
    if not args.keep:
        shutil.rmtree(corpus, ignore_errors=True)
    return out


def bench_incremental(corpus: Path, build_dir: Path, build_argv: list[str], env: dict, repeat: int) -> tuple[dict, dict]:
    """After a build: the same build again with nothing changed, then builds each after an
    edit of one source's annotations.yaml that changes the data: each edit drops one more of
    its crossings, as a contributor who removes a wrong record would (a comment line would
    change the file but no table, and a build that publishes only what changed would have
    nothing to do). The file is restored after. Each result says whether its builds
    recomputed anything (they should not, and should)."""
    built = last_run(build_dir)
    again = measure("build again, nothing changed", build_argv, repeat, env=env).to_dict()
    again["recomputed"] = last_run(build_dir) != built
    path = source_with_crossings(corpus, repeat + 1) / "annotations.yaml"
    original = path.read_bytes()

    def edit() -> None:
        drop_last_crossing(path)

    before = last_run(build_dir)
    try:
        changed = measure("build after one annotations.yaml changed", build_argv, repeat, env=env,
                          before_each=edit).to_dict()
    finally:
        path.write_bytes(original)
    changed["recomputed"] = last_run(build_dir) != before
    changed["changed_source"] = path.parent.name
    return again, changed


def source_with_crossings(corpus: Path, at_least: int) -> Path:
    """The first source folder, from a third of the way in, with at least that many crossings."""
    import yaml

    folders = sorted((corpus / "sources" / "news").iterdir())
    for folder in folders[len(folders) // 3:] + folders[:len(folders) // 3]:
        annotations = yaml.safe_load((folder / "annotations.yaml").read_text(encoding="utf-8")) or {}
        if len(annotations.get("crossings") or []) >= at_least:
            return folder
    raise SystemExit(f"no source in {corpus} has {at_least} crossings to drop one at a time")


def drop_last_crossing(path: Path) -> str:
    """Remove the last crossing of an annotations.yaml (no other record points to a crossing);
    returns its id. The file is written anew by PyYAML: its layout changes, its other records
    do not."""
    import yaml

    annotations = yaml.safe_load(path.read_text(encoding="utf-8"))
    dropped = annotations["crossings"].pop()
    path.write_text(yaml.safe_dump(annotations, sort_keys=False, allow_unicode=True, width=10_000), encoding="utf-8")
    return dropped["crossing_id"]


def bench_partitions(tmp: Path, env: dict, sizes: list[int]) -> dict:
    """The partition floor (benchmarks/floors.py) on an on-disk instance of its own, like the
    one builds use, so that its runs do not crowd theirs."""
    env = dict(env, DAGSTER_HOME=str(new_dagster_home(tmp / "dagster_home_partitions")))
    out = {}
    for n in sizes:
        report_path = tmp / f"partitions-{n}.json"
        stats = measure(f"partition floor, {n} partitions", [
            PYTHON, "-m", "benchmarks.floors", "partitions", str(n), str(report_path), "--instance", "home"],
            1, env=env, cwd=REPO).to_dict()
        out[str(n)] = {**json.loads(report_path.read_text()), "process": stats}
    return out


def new_dagster_home(home: Path) -> Path:
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return home


def bench_changed(corpus: Path, root: list[str], env: dict, repeat: int) -> dict:
    if not (REPO / "pipelines" / "ingest" / "changes.py").exists():  # written by the contributions work
        return {"not_measured": "pipelines/ingest/changes.py (validate --changed-since) does not exist yet"}
    git_baseline(corpus)
    changed = change_one_source(corpus)
    stats = measure("validate --changed-since", [BORDERLINES, *root, "validate", "--changed-since", "bench-base"],
                    repeat, env=env).to_dict()
    stats["changed_source"] = changed
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="synthetic corpus sizes, comma-separated")
    parser.add_argument("--repeat", type=int, help="runs per measurement (default: 5 real and 1k, 3 10k, 1 100k)")
    parser.add_argument("--skip-real", action="store_true", help="skip the real sources")
    parser.add_argument("--skip-build", action="store_true", help="skip builds of synthetic corpora")
    parser.add_argument("--skip-incremental", action="store_true",
                        help="skip the builds of synthetic corpora after the cold ones (nothing changed, one changed)")
    parser.add_argument("--partitions", default="10,100,500",
                        help='sizes of the partition floor, comma-separated ("" skips it)')
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--out", default=str(BENCH_DIR), help="where to write results.json and RESULTS.md")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    out_dir = Path(args.out)
    results: dict = {"machine": report.machine(REPO), "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
                     "commands": {"argv": ["python", "-m", "benchmarks.run", *(argv or sys.argv[1:])]},
                     "real": {}, "synthetic": {}, "partitions": {}}

    def save() -> None:
        (out_dir / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")

    tmp = Path(tempfile.mkdtemp(prefix="borderlines-bench-"))
    try:
        env = environment(DAGSTER_HOME=str(new_dagster_home(tmp / "dagster_home")))
        if not args.skip_real:
            print("real sources ...", flush=True)
            bench_real(tmp, env, args, results["real"])
            save()
        for n in sizes:
            print(f"synthetic corpus of {n:,} sources ...", flush=True)
            results["synthetic"][str(n)] = bench_size(n, tmp, env, args)
            save()
        partition_sizes = [int(s) for s in args.partitions.split(",") if s.strip()]
        if partition_sizes:
            print(f"partition floor ({args.partitions} partitions) ...", flush=True)
            results["partitions"] = bench_partitions(tmp, env, partition_sizes)
            save()
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %z")
    save()
    report.write_results_md(results, out_dir / "RESULTS.md")
    print(report.summary_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
