"""Build one published table with its SQL file and check it against its declaration.

`build_table` runs `sql/<table>.sql` in DuckDB and stores the result as the table
`<table>` with exactly the declared columns, in declared order and types. `check_table`
validates it with the Pandera schema derived from schemas/ and checks its foreign keys.
Both are used by the Dagster assets and by tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

import duckdb
import pandas as pd
import pyarrow as pa

from pipelines.schemas import TableSpec, arrow_schema, load_tables, pandera_schema

CORE_TABLES = [
    "sources", "source_links", "people", "organisations", "places", "crossings", "incidents",
    "meetings", "meeting_participants", "agreements", "agreement_parties", "agreement_events",
    "evidence", "conflicts",
]


def table_sql(name: str) -> str:
    return resources.files("pipelines.core").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def conform(result: pa.Table, table: TableSpec) -> pa.Table:
    """Select the declared columns in declared order and cast to the declared types."""
    missing = [f for f in table.field_names if f not in result.column_names]
    if missing:
        raise ValueError(f"sql/{table.name}.sql does not produce the declared column(s): {', '.join(missing)}")
    schema = arrow_schema(table)
    return result.select(table.field_names).cast(schema)


def build_table(con: duckdb.DuckDBPyConnection, name: str) -> pa.Table:
    table = load_tables()[name]
    result = conform(con.sql(table_sql(name)).to_arrow_table(), table)
    con.register("_built", result)
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _built")
    con.unregister("_built")
    return result


def read_table(con: duckdb.DuckDBPyConnection, name: str) -> pa.Table:
    return conform(con.sql(f"SELECT * FROM {name}").to_arrow_table(), load_tables()[name])


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
        pandera_schema(table).validate(as_pandas(arrow_table), lazy=True)
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
