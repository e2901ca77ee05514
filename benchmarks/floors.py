"""The floors each measurement is compared with: what any implementation has to pay.

    python -m benchmarks.floors yaml ROOT         read every file of a corpus and parse its
                                                  YAML with PyYAML's C loader, nothing else
    python -m benchmarks.floors shape OUT.json    write the asset graph of pipelines.assets.definitions
                                                  (names, dependencies, check names)
    python -m benchmarks.floors dagster SHAPE.json [--instance ephemeral|home]
                                                  materialise the same graph of no-op assets
                                                  in-process, as `borderlines build` does
    python -m benchmarks.floors partitions N OUT.json [--instance ephemeral|home]
                                                  one no-op asset with N static partitions,
                                                  materialised one run per partition key:
                                                  what Dagster costs per partition
    python -m benchmarks.floors package DATAPACKAGE.json
                                                  the build's package check alone, without its
                                                  cache: what the issue's frictionless
                                                  validation of every row costs by itself

The import floor of `validate` needs no script: `python -c "import pandas, pandera.pandas"`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def yaml_floor(root: Path) -> int:
    import yaml

    loader = yaml.CSafeLoader  # the C loader; the floor is meaningless without it
    files = documents = 0
    for folder in (root / "sources" / "registry", *sorted((root / "sources" / "news").iterdir())):
        for path in sorted(folder.iterdir()):
            data = path.read_bytes()
            files += 1
            if path.suffix == ".yaml":
                yaml.load(data, Loader=loader)
                documents += 1
    print(f"{files} files read, {documents} YAML documents parsed")
    return 0


def dump_shape(out: Path) -> int:
    from pipelines.assets.definitions import ASSETS

    shape = []
    for assets_def in ASSETS:
        for key in assets_def.keys:
            deps = sorted(d.to_user_string() for d in assets_def.asset_deps[key])
            checks = sorted(c.name for c in assets_def.check_specs if c.asset_key == key)
            shape.append({"name": key.to_user_string(), "deps": deps, "checks": checks})
    out.write_text(json.dumps(shape, indent=1))
    return 0


# The floors' assets live under this key prefix: on the instance a build uses, a no-op
# materialisation of "data_package" would otherwise count as that build's last one (and the
# next build would be a full one instead of the incremental one being measured).
FLOOR_PREFIX = "floor"


def _instance(kind: str):
    import dagster as dg

    if kind == "ephemeral":
        return dg.DagsterInstance.ephemeral()
    return dg.DagsterInstance.get()  # the on-disk instance in $DAGSTER_HOME, as `borderlines build` uses


def dagster_floor(shape_path: Path, instance_kind: str) -> int:
    import dagster as dg

    shape = json.loads(shape_path.read_text())

    def make(spec):
        key = dg.AssetKey([FLOOR_PREFIX, spec["name"]])
        check_specs = [dg.AssetCheckSpec(name, asset=key, blocking=True) for name in spec["checks"]]

        @dg.asset(key=key, deps=[dg.AssetKey([FLOOR_PREFIX, d]) for d in spec["deps"]], check_specs=check_specs)
        def _noop():
            return dg.MaterializeResult(check_results=[
                dg.AssetCheckResult(asset_key=key, check_name=name, passed=True) for name in spec["checks"]])

        return _noop

    assets = [make(spec) for spec in shape]
    instance = _instance(instance_kind)
    result = dg.materialize(assets, instance=instance,
                            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}})
    print(f"{len(assets)} no-op assets materialised on a {instance_kind} instance: success={result.success}")
    return 0 if result.success else 1


def partition_floor(n: int, out: Path, instance_kind: str, runs_per_key: int = 10) -> int:
    """What Dagster costs per partition: one no-op asset with n static partitions,
    materialised (1) one run per key, as `materialize(..., partition_key=...)` needs, for
    runs_per_key keys spread over the n (each such run costs the same whatever n is), and
    (2) in one run over all n keys, as a single-run backfill does. Writes the seconds (wall
    and CPU, imports left out) to out as JSON."""
    import statistics
    import time
    import warnings

    import dagster as dg

    warnings.filterwarnings("ignore", category=dg.BetaWarning)  # backfill_policy
    keys = [f"p{i:05d}" for i in range(n)]

    @dg.asset(key=dg.AssetKey([FLOOR_PREFIX, f"partitioned_{n}"]), partitions_def=dg.StaticPartitionsDefinition(keys),
              backfill_policy=dg.BackfillPolicy.single_run())
    def partitioned():
        return dg.MaterializeResult()

    instance = _instance(instance_kind)
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}

    def timed(**options) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        result = dg.materialize([partitioned], instance=instance, run_config=quiet, **options)
        if not result.success:
            raise RuntimeError(f"the no-op partitioned asset failed: {options}")
        return time.perf_counter() - wall, time.process_time() - cpu

    step = max(1, n // runs_per_key)
    per_key = [timed(partition_key=key) for key in keys[::step][:runs_per_key]]
    whole = timed(tags={"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]})
    done = len(instance.get_materialized_partitions(partitioned.key))
    if done != n:
        print(f"{done} of {n} partitions materialised", file=sys.stderr)
        return 1
    report = {"partitions": n, "instance": instance_kind,
              "run_per_key": {"runs": len(per_key), "wall_median": round(statistics.median(w for w, _ in per_key), 4),
                              "cpu_median": round(statistics.median(c for _, c in per_key), 4),
                              "wall": [round(w, 4) for w, _ in per_key]},
              "one_run": {"wall": round(whole[0], 3), "cpu": round(whole[1], 3),
                          "wall_per_partition": round(whole[0] / n, 4), "cpu_per_partition": round(whole[1] / n, 4)}}
    out.write_text(json.dumps(report) + "\n")
    print(f"{n} partitions on a {instance_kind} instance: {report['run_per_key']['wall_median']:.3f} s a run per key; "
          f"{whole[0]:.2f} s for all in one run")
    return 0


def package_check(descriptor: Path) -> int:
    from pipelines.publish.package_check import validate_package

    problems = validate_package(descriptor)
    print("\n".join(problems) or "valid")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["yaml"]:
        return yaml_floor(Path(argv[1]))
    if argv[:1] == ["shape"]:
        return dump_shape(Path(argv[1]))
    if argv[:1] == ["dagster"]:
        kind = argv[3] if len(argv) > 3 and argv[2] == "--instance" else "ephemeral"
        return dagster_floor(Path(argv[1]), kind)
    if argv[:1] == ["partitions"]:
        kind = argv[4] if len(argv) > 4 and argv[3] == "--instance" else "ephemeral"
        return partition_floor(int(argv[1]), Path(argv[2]), kind)
    if argv[:1] == ["package"]:
        return package_check(Path(argv[1]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    # Ended as `borderlines` ends, without tearing the interpreter down: a floor is what a
    # Dagster program cannot avoid, and that teardown (0.7-1 s after a materialisation) it
    # can. Timed with it, the floor made the builds look cheaper.
    from pipelines.ending import end_process

    end_process(main(sys.argv[1:]), "benchmarks.floors")
