"""Write a table as Parquet and CSV, byte for byte the same for the same rows.

Rows arrive sorted by primary key (the SQL orders them). Parquet is written by pyarrow
with fixed settings, and keeps each field's description in the Arrow schema metadata;
CSV is UTF-8 with a header, ISO dates, `true`/`false`, and empty cells for nulls.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

PARQUET_OPTIONS = dict(compression="zstd", compression_level=9, use_dictionary=True,
                       write_statistics=True, row_group_size=1_000_000, data_page_version="2.0")


def write_parquet(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, **PARQUET_OPTIONS)


def write_csv(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pa_csv.write_csv(table, path, pa_csv.WriteOptions(include_header=True, quoting_style="needed"))
