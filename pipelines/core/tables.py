"""Build a table declared with `build: {sql: ...}` and check any table against its declaration.

`build_table` runs the table's SQL file from pipelines/core/sql/ in DuckDB (after the
macro files it names) and stores the result under the table's name, with exactly the
declared columns in declared order and types. `check_schema` validates a table with the
Pandera schema its declaration gives, and `check_foreign_keys` checks its foreign keys in
DuckDB. Used by the Dagster assets and by tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.core.database import store_table
from pipelines.schemas import SQL_DIR, TableSpec, load_tables


def sql_text(file: str) -> str:
    return (SQL_DIR / file).read_text(encoding="utf-8")


def sql_files(table: TableSpec) -> list[str]:
    """The SQL files that build the table: its macros first, then its query."""
    return [*table.build.get("macros", []), table.build["sql"]] if "sql" in table.build else []


_READS = re.compile(r"\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)


def tables_read(table: TableSpec, declared: dict[str, TableSpec] | None = None) -> list[str]:
    """Declared tables the SQL reads (after FROM or JOIN), and the ones its foreign keys
    point to: what must be built before it. Staging tables (stg_, reg_) are not declared."""
    declared = declared or load_tables()
    names = set(table.references)
    for file in sql_files(table):
        text = re.sub(r"--[^\n]*", "", sql_text(file))
        names.update(name for name in _READS.findall(text) if name in declared)
    return sorted(names - {table.name})


def conform(result: pa.Table, table: TableSpec) -> pa.Table:
    """Select the declared columns in declared order and cast to the declared types."""
    missing = [f for f in table.field_names if f not in result.column_names]
    if missing:
        raise ValueError(f"{table.name} lacks the declared column(s) {', '.join(missing)}: "
                         f"its build ({table.build}) must produce every field of schemas/tables/{table.name}.yaml")
    return result.select(table.field_names).cast(table.to_arrow())


def fill_merged_defaults(result: pa.Table, table: TableSpec) -> pa.Table:
    """A field no source states takes its declared merged_default (a party's role: party)."""
    for f in table.fields:
        if f.merged_default is not None:
            column = result.column(f.name)
            result = result.set_column(result.column_names.index(f.name), f.name,
                                       pc.fill_null(column, pa.scalar(f.merged_default, column.type)))
    return result


def build_table(con: duckdb.DuckDBPyConnection, table: TableSpec) -> pa.Table:
    *macros, query = sql_files(table)
    for file in macros:
        con.execute(sql_text(file))
    result = conform(fill_merged_defaults(con.sql(sql_text(query)).to_arrow_table(), table), table)
    store_table(con, table.name, result)
    return result


def read_table(con: duckdb.DuckDBPyConnection, name: str) -> pa.Table:
    return conform(con.sql(f'SELECT * FROM "{name}"').to_arrow_table(), load_tables()[name])


def as_pandas(arrow_table: pa.Table) -> pd.DataFrame:
    """pandas with Arrow-backed, nullable dtypes: the types Pandera checks are the Parquet types."""
    return arrow_table.to_pandas(types_mapper=pd.ArrowDtype)


@dataclass
class TableCheck:
    passed: bool
    failures: list[dict] = field(default_factory=list)  # one dict per failure case

    def summary(self, limit: int = 20) -> str:
        lines = [f"- {f['check']}: column {f['column']}, value {f['value']!r}, row {f['row']}"
                 for f in self.failures[:limit]]
        if len(self.failures) > limit:
            lines.append(f"- ... and {len(self.failures) - limit} more")
        return "\n".join(lines)


def check_schema(arrow_table: pa.Table, table: TableSpec) -> TableCheck:
    """Pandera validation (types, enums, patterns, ranges, uniqueness, cross-field rules)."""
    import pandera.errors

    try:
        table.to_pandera().validate(as_pandas(arrow_table), lazy=True)
    except pandera.errors.SchemaErrors as err:
        cases = err.failure_cases
        return TableCheck(False, [
            {"check": str(row["check"]), "column": None if pd.isna(row["column"]) else str(row["column"]),
             "value": None if pd.isna(row["failure_case"]) else str(row["failure_case"]),
             "row": None if pd.isna(row["index"]) else int(row["index"])}
            for _, row in cases.iterrows()
        ])
    return TableCheck(True)


def check_foreign_keys(con: duckdb.DuckDBPyConnection, table: TableSpec) -> TableCheck:
    """Every non-null foreign key value exists in the referenced table."""
    failures = []
    for fk in table.foreign_keys:
        column, target = fk["fields"][0], fk["reference"]["resource"]
        target_column = fk["reference"]["fields"][0]
        rows = con.execute(
            f"SELECT DISTINCT t.{column} FROM {table.name} t "
            f"WHERE t.{column} IS NOT NULL AND t.{column} NOT IN (SELECT {target_column} FROM {target}) "
            f"ORDER BY 1"
        ).fetchall()
        failures += [{"check": f"foreign key {column} -> {target}.{target_column}", "column": column,
                      "value": value, "row": None} for (value,) in rows]
    return TableCheck(not failures, failures)
