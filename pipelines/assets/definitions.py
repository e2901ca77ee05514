"""The Dagster definitions `dagster dev` loads (pyproject's [tool.dagster] points here):
sources -> core and reference -> publish, run in-process.

BORDERLINES_ROOT names the corpus (`borderlines ui` sets it to the repository it runs
in) and BORDERLINES_BUILD_DIR lets a second UI, or a test, build elsewhere than
<root>/build.
"""

from __future__ import annotations

import os

import dagster as dg

from pipelines.assets import core, publish, reference, sources
from pipelines.assets.resources import BorderlinesPaths
from pipelines.schemas import REPO_ROOT

# Each computed asset is rebuilt once something it depends on changed (`eager`), but only
# while the `rebuild_stale` sensor below is on; its page in the UI shows that condition.
# `make data` materialises in-process and does not read it.
ASSETS = dg.map_asset_specs(lambda spec: spec.replace_attributes(automation_condition=dg.AutomationCondition.eager()),
                            [*sources.ASSETS, *core.ASSETS, *reference.ASSETS, *publish.ASSETS])
# The files under sources/, observed: their data versions say what an edit made stale.
SOURCE_FILES = [*sources.SOURCE_FILES, *reference.SOURCE_FILES]
PUBLISHED_TABLES = publish.PUBLISHED_TABLES

# For maintainers who keep the UI open: once switched on (Automation, "rebuild_stale"), the
# files are observed every minute and whatever a saved edit made stale is rebuilt. Off by
# default: a build is something a person asks for.
# Its target names the observed files as well as every computed asset: their own condition
# observes them every minute. `AssetSelection.all()` alone leaves them out, and the sensor then
# watched only assets that an edit makes stale once the files are observed, while Dagster put
# the files under a sensor of its own (default_automation_condition_sensor), off until
# switched on as well.
REBUILD_STALE = dg.AutomationConditionSensorDefinition(
    "rebuild_stale", target=dg.AssetSelection.assets(*SOURCE_FILES) | dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.STOPPED, use_user_code_server=True, minimum_interval_seconds=30,
    description="Observes the files under sources/ every minute and rebuilds the assets an edit made stale.")

defs = dg.Definitions(
    assets=[*SOURCE_FILES, *ASSETS],
    sensors=[REBUILD_STALE],
    resources={"paths": BorderlinesPaths(root=os.environ.get("BORDERLINES_ROOT") or str(REPO_ROOT),
                                         build_dir=os.environ.get("BORDERLINES_BUILD_DIR", ""))},
    executor=dg.in_process_executor,
)
