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

ASSETS = [*sources.ASSETS, *core.ASSETS, *reference.ASSETS, *publish.ASSETS]
PUBLISHED_TABLES = publish.PUBLISHED_TABLES

defs = dg.Definitions(
    assets=ASSETS,
    resources={"paths": BorderlinesPaths(root=os.environ.get("BORDERLINES_ROOT") or str(REPO_ROOT),
                                         build_dir=os.environ.get("BORDERLINES_BUILD_DIR", ""))},
    executor=dg.in_process_executor,
)
