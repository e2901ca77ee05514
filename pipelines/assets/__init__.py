"""The Dagster code, and only it: one module per asset group, over plain library functions.

- `sources`: registries, news sources, annotations and the DuckDB staging tables; they
  call the same functions as `borderlines validate`.
- `core`: one asset per table declared with `group: core` in schemas/tables/.
- `reference`: one asset per table declared with `group: reference` (official statistics).
- `publish`: Parquet, CSV, charts and datapackage.json in build/data.
- `checks`: how check results and table metadata are shown in the UI, shared by all groups.
- `definitions`: the `Definitions` object `dagster dev` loads; `run`: in-process builds.
"""

import warnings

import dagster as dg

# The observed files' assets (metadata.observed_files) and the automation sensor's user code
# server (definitions.py) are beta features of Dagster 1.13: said here, once, rather than on
# every import of the definitions.
for _beta in ("Function `multi_observable_source_asset`", "Parameter `use_user_code_server`"):
    warnings.filterwarnings("ignore", message=f"{_beta}.* is currently in beta", category=dg.BetaWarning)
