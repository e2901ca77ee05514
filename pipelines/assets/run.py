"""Build in-process, as `make data` does: the library behind `borderlines build`."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg


def dagster_home(root: Path) -> Path:
    """Dagster's embedded instance lives inside the repository (gitignored, telemetry off)."""
    home = Path(os.environ.get("DAGSTER_HOME") or root / ".dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def run_build(root: Path, build_dir: Path | None = None, instance: dg.DagsterInstance | None = None):
    """Materialise every asset of the corpus at root in-process; returns Dagster's result."""
    from pipelines.assets.definitions import ASSETS
    from pipelines.assets.resources import BorderlinesPaths

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
