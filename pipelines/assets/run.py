"""Build in-process, as `make data` does: the library behind `borderlines build`.

A build observes the files under sources/ and materialises only what they made stale
(`stale_assets`, asked of Dagster's instance), when the build folder holds what the
instance last built with the same code; otherwise, or with `--full`, everything.

One build at a time per build folder: `run_build` holds build/.lock for the whole run
(pipelines/publish/locking.py) and raises BusyError, naming the other build's pid, when it
is taken. Dagster's console log is kept to critical messages: a failed step is reported by
`failed_steps`, one entry per step with its error, rather than by pages of traces.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
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


LAST_RUN = ".last_run"  # in the build folder: the Dagster run that made what it holds


def run_build(root: Path, build_dir: Path | None = None, instance: dg.DagsterInstance | None = None,
              full: bool = False):
    """Build the corpus at root in-process; returns Dagster's result.

    The files under sources/ are observed first. Then only what they made stale is
    materialised (the stale assets and everything downstream of them), when that is safe:
    the build folder holds what this instance last built, and the code and libraries are
    those of that build (otherwise, or with full=True, everything is). When nothing is
    stale, nothing is recomputed and NothingStale (the observations, no run) is returned.
    Raises BusyError when another build holds the folder, ChangedDuringBuild when an input
    changed while it ran (its manifest is then removed), OSError when it cannot be written."""
    from pipelines.assets.definitions import ASSETS, SOURCE_FILES
    from pipelines.assets.resources import BorderlinesPaths
    from pipelines.assets.sources import START_OVER_TAG
    from pipelines.core.database import kept_open
    from pipelines.errors import ChangedDuringBuild
    from pipelines.publish.build import recover
    from pipelines.publish.locking import exclusive
    from pipelines.publish.manifest import MANIFEST, build_manifest, changed_during_build, differences, read_manifest
    from pipelines.publish.package_check import worker_prepared

    build_dir = Path(build_dir or root / "build")
    with exclusive(build_dir / ".lock", "build"):
        recover(build_dir / "data")  # what a killed build left behind, before anything else
        if instance is None:
            dagster_home(root)
            instance = dg.DagsterInstance.get()
        inputs = build_manifest(root)  # what the build starts from: the manifest it writes must match
        paths = BorderlinesPaths(root=str(root), build_dir=str(build_dir))
        quiet = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
        # The files' data versions first, so that the instance (and the UI) knows what this
        # build is made from, and an edit after it shows as Unsynced.
        observed = observe_sources(instance, paths)
        everything = full or not _can_build_incrementally(build_dir, instance, inputs)
        selection = ASSETS if everything else stale_assets(instance)
        if not selection:
            recorded = read_manifest(build_dir / "data" / MANIFEST)
            if recorded is not None and not differences(recorded, inputs):
                return NothingStale(observed)
            selection, everything = ASSETS, True  # a file no asset watches changed (or the manifest is gone)
        # Until this run succeeds the folder may hold a mix (or a failed check's output that
        # the next run must not build on): without the marker, the next build is a full one.
        (build_dir / LAST_RUN).unlink(missing_ok=True)
        # A full build also checks every source folder again, whatever the DuckDB file keeps.
        # The steps run one after another in this process: they share one DuckDB instance.
        # The package check's first worker starts now, after the code was read (inputs), and
        # imports its libraries beside the steps rather than once the tables are written (every
        # selection ends with data_package, downstream of all).
        with kept_open(paths.database()), worker_prepared():
            result = dg.materialize([*SOURCE_FILES, *ASSETS], selection=selection, resources={"paths": paths},
                                    instance=instance, raise_on_error=False, run_config=quiet,
                                    tags={START_OVER_TAG: "true"} if everything else None)
        if result.success:
            # Checked holding the lock, so that no release can take a build of a mix of both.
            changed = changed_during_build(inputs, build_dir / "data")
            if changed:
                raise ChangedDuringBuild(changed)
            (build_dir / LAST_RUN).write_text(result.run_id + "\n", encoding="utf-8")
        return result


def observe_sources(instance: dg.DagsterInstance, paths) -> dict[str, str]:
    """Observe the files under sources/: each observed asset's own function (the one the UI's
    "Observe sources" and the `rebuild_stale` sensor run) gives its data version, recorded on
    the instance as that asset's observation. Returns {asset: data version}.

    Recorded without a Dagster run of their own (`report_runless_asset_event`): such a run
    costs about as much as the observations it would hold (a run record, its job snapshot,
    ~30 events for 6 observations, each a SQLite commit), and the staleness Dagster works out
    from an observation is the same whichever way it was recorded."""
    from dagster._core.definitions.data_version import DATA_VERSION_TAG

    from pipelines.assets.definitions import SOURCE_FILES

    context = dg.build_op_context(resources={"paths": paths}, instance=instance)
    observed = {}
    for source in SOURCE_FILES:
        version = source(context).data_version.value  # the asset's own function, called directly
        instance.report_runless_asset_event(dg.AssetObservation(source.key, tags={DATA_VERSION_TAG: version}))
        observed[source.key.to_user_string()] = version
    return observed


@dataclass
class NothingStale:
    """What run_build returns when the observed files made nothing stale: the observations,
    and no run. It answers the questions asked of a run's result (success, what was
    materialised, which checks ran, which steps failed) as a run that recomputed nothing."""

    observed: dict[str, str]
    success: bool = True
    all_events: tuple = ()

    def get_asset_materialization_events(self) -> list:
        return []

    def get_asset_check_evaluations(self) -> list:
        return []


def _can_build_incrementally(build_dir: Path, instance: dg.DagsterInstance, now: dict) -> bool:
    """Whether the build folder holds what this instance last built, from the code and
    libraries of now (`now`: the manifest of the tree): then what Dagster finds stale is all
    that differs. Anything else (a new folder, another folder built since, a code or library
    change) means a full build."""
    from pipelines.publish.manifest import MANIFEST, read_manifest, same_code

    marker = build_dir / LAST_RUN
    recorded = read_manifest(build_dir / "data" / MANIFEST)
    if not marker.is_file() or recorded is None or not (build_dir / "borderlines.duckdb").is_file():
        return False
    latest = instance.get_latest_materialization_event(dg.AssetKey("data_package"))
    if latest is None or latest.run_id != marker.read_text(encoding="utf-8").strip():
        return False
    return same_code(recorded, now)


def _loading_context(instance: dg.DagsterInstance):
    """The smallest loading context the resolver takes: this instance, its own loaders."""
    from dagster._core.loader import LoadingContext

    class InstanceLoading(LoadingContext):
        def __init__(self):
            self._loaders = {}

        @property
        def instance(self):
            return instance

        @property
        def loaders(self):
            return self._loaders

    return InstanceLoading()


def stale_assets(instance: dg.DagsterInstance) -> list[dg.AssetsDefinition]:
    """The assets Dagster finds stale or missing, and everything downstream of them (Dagster
    marks only the first level stale until it is rebuilt)."""
    # Dagster 1.13 (pinned) has no public call for this; the UI's "Unsynced" uses the same resolver.
    from dagster._core.definitions.data_version import CachingStaleStatusResolver, StaleStatus
    from dagster._utils.caching_instance_queryer import CachingInstanceQueryer

    from pipelines.assets.definitions import ASSETS, defs

    graph = defs.resolve_asset_graph()
    loading = _loading_context(instance)
    # Every asset's latest record in one query rather than several queries an asset: the
    # statuses then cost a quarter of the CPU time (Dagster's automation evaluator prefetches so too).
    queryer = CachingInstanceQueryer(instance, graph, loading)
    queryer.prefetch_asset_records(graph.get_all_asset_keys())
    resolver = CachingStaleStatusResolver(instance, graph, loading, instance_queryer=queryer)
    chosen = set()
    # Parents before children: an asset downstream of a chosen one is rebuilt whatever its own
    # status, so the instance is asked only about the others (each answer costs queries).
    for key in graph.toposorted_asset_keys:
        node = graph.get(key)
        if node.is_materializable and (not chosen.isdisjoint(node.parent_keys)
                                       or resolver.get_status(key) != StaleStatus.FRESH):
            chosen.add(key)
    return [asset for asset in ASSETS if asset.key in chosen]


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
