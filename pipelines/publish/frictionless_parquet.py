"""A linear-time Parquet reader for frictionless validation.

frictionless 5.21 reads Parquet through pandas and, for every cell, converts the whole
row to a dict (`item.to_dict()[field.name]`), so validating a table costs rows x
columns²: 9 s for iom_incidents (6,802 rows, 26 columns), most of a build. This parser
yields the same cells straight from Arrow (Python values, null as None) in linear time;
types, constraints and keys are still checked by frictionless against the descriptor.
It is registered for validation inside the pipeline only; `frictionless validate` from
the shell uses frictionless' own reader, and is slower but gives the same result.
"""

from __future__ import annotations

import itertools

from frictionless import Plugin, system
from frictionless.formats.parquet.control import ParquetControl
from frictionless.formats.parquet.parser import ParquetParser

PLUGIN_NAME = "borderlines_arrow_parquet"


class ArrowParquetParser(ParquetParser):
    def read_cell_stream_create(self):
        import pyarrow.parquet as pq

        control = ParquetControl.from_dialect(self.resource.dialect)
        if control.filters:
            table = pq.read_table(self.resource.normpath, columns=control.columns, filters=control.filters)
            yield table.column_names
            batches = iter(table.to_batches())
        else:
            # Batch by batch, not the whole table at once: validation may stop after its first
            # rows (limit_rows), and a large table need not be held in memory whole.
            batches = pq.ParquetFile(self.resource.normpath).iter_batches(columns=control.columns)
            first = next(batches, None)
            if first is None:
                yield pq.read_table(self.resource.normpath, columns=control.columns).column_names
                return
            yield first.schema.names
            batches = itertools.chain([first], batches)
        for batch in batches:
            for row in batch.to_pylist():
                yield list(row.values())


class ArrowParquetPlugin(Plugin):
    def create_parser(self, resource):
        if resource.format in ("parq", "parquet") and not resource.remote:
            return ArrowParquetParser(resource)
        return None


def register() -> None:
    """Use the Arrow reader for local Parquet files (plugins registered here come first)."""
    system.register(PLUGIN_NAME, ArrowParquetPlugin())
