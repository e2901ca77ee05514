"""Build in-process, as `make data` does: the library behind `borderlines build`.

One build at a time per build folder: `run_build` holds build/.lock for the whole run
(pipelines/publish/locking.py) and raises BusyError, naming the other build's pid, when it
is taken. Dagster's console log is kept to critical messages: a failed step is reported by
`failed_steps`, one entry per step with its error, rather than by pages of traces.
"""

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
    """Materialise every asset of the corpus at root in-process; returns Dagster's result.
    Raises BusyError when another build holds the folder, OSError when it cannot be written."""
    from dagster._core.definitions.observe import observe  # not re-exported by dagster 1.13

    from pipelines.assets.definitions import ASSETS, SOURCE_FILES
    from pipelines.assets.resources import BorderlinesPaths
    from pipelines.publish.build import recover
    from pipelines.publish.locking import exclusive

    build_dir = Path(build_dir or root / "build")
    with exclusive(build_dir / ".lock", "build"):
        recover(build_dir / "data")  # what a killed build left behind, before anything else
        if instance is None:
            dagster_home(root)
            instance = dg.DagsterInstance.get()
        paths = BorderlinesPaths(root=str(root), build_dir=str(build_dir))
        quiet = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
        # The files' data versions first, so that the instance (and the UI) knows what this
        # build was made from, and an edit after it shows as Unsynced.
        observe(SOURCE_FILES, instance=instance, resources={"paths": paths}, run_config=quiet, raise_on_error=False)
        return dg.materialize([*SOURCE_FILES, *ASSETS], selection=ASSETS, resources={"paths": paths},
                              instance=instance, raise_on_error=False, run_config=quiet)


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


def failed_steps(result) -> list[tuple[str, str]]:
    """(step, error) of every step that raised: the error's class and message, and those of
    its causes, without the stack (the run's log in `make ui` has it, when the build ran on
    `make data`'s instance)."""
    out = []
    for event in result.all_events:
        if not event.is_step_failure:
            continue
        error = event.step_failure_data.error
        chain = []
        while error is not None and len(chain) < 5:
            chain.append(error)
            error = error.cause or error.context
        # Dagster's wrappers ("Error occurred while executing op") say less than what they wrap
        mine = [e for e in chain if not (e.cls_name or "").startswith("Dagster")] or chain
        parts = [e.message.strip().removeprefix("dagster._core.errors.") for e in mine]
        out.append((event.step_key or "?", "\n  caused by ".join(parts)))
    return out
