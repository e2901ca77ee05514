"""The Dagster code, and only it: one module per asset group, over plain library functions.

- `sources`: registries, news sources, annotations and the DuckDB staging tables; they
  call the same functions as `borderlines validate`.
- `core`: one asset per table declared with `group: core` in schemas/tables/.
- `reference`: one asset per table declared with `group: reference` (official statistics).
- `publish`: Parquet, CSV, charts and datapackage.json in build/data.
- `checks`: how check results and table metadata are shown in the UI, shared by all groups.
- `definitions`: the `Definitions` object `dagster dev` loads; `run`: in-process builds.
"""
