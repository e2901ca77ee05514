"""The floors each measurement is compared with: what any implementation has to pay.

    python -m benchmarks.floors yaml ROOT         read every file of a corpus and parse its
                                                  YAML with PyYAML's C loader, nothing else
    python -m benchmarks.floors shape OUT.json    write the asset graph of pipelines.assets.definitions
                                                  (names, dependencies, check names)
    python -m benchmarks.floors dagster SHAPE.json [--instance ephemeral|home]
                                                  materialise the same graph of no-op assets
                                                  in-process, as `borderlines build` does
    python -m benchmarks.floors package DATAPACKAGE.json
                                                  the build's package check alone, without its
                                                  cache: what the issue's frictionless
                                                  validation of every row costs by itself

The import floor of `validate` needs no script: `python -c "import pandas, pandera.pandas"`.
"""

from __future__ import annotations

import json
import os
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


def dagster_floor(shape_path: Path, instance_kind: str) -> int:
    import dagster as dg

    shape = json.loads(shape_path.read_text())

    def make(spec):
        check_specs = [dg.AssetCheckSpec(name, asset=spec["name"], blocking=True) for name in spec["checks"]]

        @dg.asset(name=spec["name"], deps=spec["deps"], check_specs=check_specs)
        def _noop():
            return dg.MaterializeResult(check_results=[
                dg.AssetCheckResult(asset_key=spec["name"], check_name=name, passed=True) for name in spec["checks"]])

        return _noop

    assets = [make(spec) for spec in shape]
    if instance_kind == "ephemeral":
        instance = dg.DagsterInstance.ephemeral()
    else:  # the on-disk instance in $DAGSTER_HOME, as `borderlines build` uses
        instance = dg.DagsterInstance.get()
    result = dg.materialize(assets, instance=instance,
                            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}})
    print(f"{len(assets)} no-op assets materialised on a {instance_kind} instance: success={result.success}")
    return 0 if result.success else 1


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
    if argv[:1] == ["package"]:
        return package_check(Path(argv[1]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
