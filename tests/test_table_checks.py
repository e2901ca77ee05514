"""A built table is checked batch by batch, its uniqueness over the whole table in DuckDB:
what it finds must be what Pandera finds in the whole table at once."""

from __future__ import annotations

import shutil

import duckdb
import pandera.errors
import pyarrow as pa
import pytest

from pipelines.core import tables as core_tables
from pipelines.core.database import store_table
from pipelines.core.tables import as_pandas, build_table, check_schema, check_table, read_table
from pipelines.schemas import load_tables


def evidence(rows: list[tuple[str, int, int]]) -> pa.Table:
    """Evidence rows (evidence_id, start, end)."""
    return pa.Table.from_pylist(
        [{"evidence_id": evidence_id, "source_id": "2024-01-01-s", "table_name": "crossings", "record_id": "c",
          "fields": None, "quote": "some 40 people", "start": start, "end": end, "date_resolutions": None}
         for evidence_id, start, end in rows],
        schema=load_tables()["evidence"].to_arrow())


def links(rows: list[tuple[str, int, int]]) -> pa.Table:
    """source_links rows (source_id, link_number, start); end is start + 4."""
    return pa.Table.from_pylist(
        [{"source_id": source_id, "link_number": number, "anchor_text": "text", "href": "https://example.org/",
          "start": start, "end": start + 4} for source_id, number, start in rows],
        schema=load_tables()["source_links"].to_arrow())


def whole_table_failures(arrow_table: pa.Table, name: str) -> set[tuple]:
    """What Pandera finds validating the whole table at once (as the build did before)."""
    try:
        load_tables()[name].to_pandera().validate(as_pandas(arrow_table), lazy=True)
    except pandera.errors.SchemaErrors as err:
        return {(str(r["check"]), str(r["column"]), str(r["failure_case"]), int(r["index"]))
                for _, r in err.failure_cases.iterrows()}
    return set()


def found(check) -> set[tuple]:
    return {(f["check"], f["column"], f["value"], f["row"]) for f in check.failures}


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(core_tables, "BATCH_ROWS", 2)


def test_a_duplicate_id_in_another_batch_is_found(small_batches):
    rows = evidence([("a/1-5", 1, 5), ("b/1-5", 1, 5), ("c/1-5", 1, 5), ("d/9-3", 9, 3), ("a/1-5", 1, 5)])
    check = check_schema(rows, load_tables()["evidence"])
    assert not check.passed
    # rows 0 and 4 are five rows (three batches) apart; row 3 breaks start <= end
    assert found(check) == whole_table_failures(rows, "evidence")
    assert {(f["check"], f["row"]) for f in check.failures} >= {("field_uniqueness", 0), ("field_uniqueness", 4)}
    assert any(f["check"] == "start must be <= end" and f["row"] == 3 for f in check.failures)


def test_a_key_of_several_columns_is_checked_across_batches(small_batches):
    rows = links([("2024-01-01-s", 1, 0), ("2024-01-01-s", 2, 10), ("2024-01-02-t", 1, 0), ("2024-01-01-s", 2, 20),
                  ("2024-01-02-t", 0, 5)])
    check = check_schema(rows, load_tables()["source_links"])
    assert found(check) == whole_table_failures(rows, "source_links")
    assert {f["row"] for f in check.failures if f["check"] == "multiple_fields_uniqueness"} == {1, 3}
    assert any(f["check"].startswith("greater_than_or_equal_to") and f["row"] == 4 for f in check.failures)


def test_valid_and_empty_tables_pass(small_batches):
    assert check_schema(evidence([("a/1-5", 1, 5), ("b/1-5", 1, 5), ("c/1-5", 1, 5)]), load_tables()["evidence"]).passed
    assert check_schema(evidence([]), load_tables()["evidence"]).passed


def test_a_column_of_the_wrong_type_fails_even_when_empty():
    con = duckdb.connect()
    con.execute("CREATE TABLE evidence AS SELECT 'x' AS evidence_id WHERE false")
    check = check_table(con, load_tables()["evidence"])
    assert not check.passed


def test_a_table_built_in_batches_is_the_query_result_in_order(small_batches, monkeypatch):
    con = duckdb.connect()
    expected = evidence([(f"e/{n}-{n + 1}", n, n + 1) for n in range(7)])
    store_table(con, "_expected", expected)
    con.execute("CREATE TABLE unordered AS SELECT * FROM _expected ORDER BY start DESC")
    queries = {"evidence.sql": "SELECT * FROM unordered ORDER BY start"}
    monkeypatch.setattr(core_tables, "sql_text", queries.__getitem__)
    monkeypatch.setattr(core_tables, "_as_declared", lambda *args: False)  # through Arrow, as any other query
    assert build_table(con, load_tables()["evidence"]) == 7  # in four batches
    assert read_table(con, "evidence").equals(expected)


def _stored(con: duckdb.DuckDBPyConnection, name: str) -> tuple[pa.Table, list[str]]:
    """A stored table's rows in stored order, and its DuckDB column types."""
    return (con.sql(f'SELECT * FROM "{name}"').to_arrow_table(),
            [str(t) for t in con.sql(f'SELECT * FROM "{name}"').types])


def test_a_query_that_gives_the_declared_types_is_stored_as_through_arrow(real_build, tmp_path, monkeypatch):
    """DuckDB stores such a query's result itself (`_as_declared`): the same rows in the same
    order, of the same types, as conformed through Arrow."""
    from pipelines.core.database import connect
    from pipelines.schemas import tables_in_group

    shutil.copyfile(real_build / "borderlines.duckdb", tmp_path / "copy.duckdb")
    con = connect(tmp_path / "copy.duckdb")
    direct = []
    as_declared = core_tables._as_declared

    def recorded(con, result, table, texts):
        taken = as_declared(con, result, table, texts)
        direct.extend([table.name] if taken else [])
        return taken

    try:
        for name in tables_in_group("core"):
            table = load_tables()[name]
            monkeypatch.setattr(core_tables, "_as_declared", recorded)
            rows = build_table(con, table)
            stored = _stored(con, name)
            monkeypatch.setattr(core_tables, "_as_declared", lambda *args: False)
            assert build_table(con, table) == rows
            through_arrow = _stored(con, name)
            assert stored[1] == through_arrow[1], name
            assert stored[0].equals(through_arrow[0]), name
            assert rows > 0 or name in {"source_texts", "person_offices", "licences"}, name
    finally:
        con.close()
    # the tables whose queries give the declared columns and types, but for merged defaults
    assert {"evidence", "claim_checks", "conflicts", "value_sources", "sources"} <= set(direct)
    assert not {"crossings", "meeting_participants", "agreement_parties"} & set(direct)


def test_a_query_of_other_types_is_stored_with_the_declared_types(monkeypatch):
    con = duckdb.connect()
    expected = evidence([(f"e/{n}-{n + 1}", n, n + 1) for n in range(3)])
    store_table(con, "_expected", expected)
    queries = {"evidence.sql": 'SELECT * REPLACE (CAST("start" AS INTEGER) AS "start") FROM _expected ORDER BY "start"'}
    monkeypatch.setattr(core_tables, "sql_text", queries.__getitem__)
    assert build_table(con, load_tables()["evidence"]) == 3
    assert _stored(con, "evidence")[1] == _stored(con, "_expected")[1]  # start is not INTEGER there
    assert read_table(con, "evidence").equals(expected)


def _both_ways(con: duckdb.DuckDBPyConnection, query: str, monkeypatch) -> tuple[tuple, tuple]:
    """evidence built from query as build_table chooses, then through Arrow."""
    monkeypatch.setattr(core_tables, "sql_text", {"evidence.sql": query}.__getitem__)
    build_table(con, load_tables()["evidence"])
    chosen = _stored(con, "evidence")
    monkeypatch.setattr(core_tables, "_as_declared", lambda *args: False)
    build_table(con, load_tables()["evidence"])
    return chosen, _stored(con, "evidence")


def test_a_large_result_is_stored_in_the_query_s_order_on_several_threads(monkeypatch):
    """Several of DuckDB's row groups (122,880 rows), sorted on two threads as in a build."""
    con = duckdb.connect()
    con.execute("SET threads = 2")
    store_table(con, "_rows", evidence([(f"e/{n:06d}", n % 977, n % 977 + 1) for n in range(300_000)]))
    chosen, through_arrow = _both_ways(con, 'SELECT * FROM _rows ORDER BY "start", evidence_id DESC', monkeypatch)
    assert chosen[1] == through_arrow[1]
    assert chosen[0].equals(through_arrow[0])
    assert chosen[0].column("start").to_pylist()[:3] == [0, 0, 0]


def test_a_collation_or_a_second_statement_keeps_a_query_from_being_stored_directly(monkeypatch):
    con = duckdb.connect()
    store_table(con, "_rows", evidence([("E/1", 1, 2), ("e/1", 3, 4)]))
    # DuckDB keeps a collation in a table made from the query, yet prints its type as VARCHAR
    collated = 'SELECT * REPLACE (evidence_id COLLATE nocase AS evidence_id) FROM _rows ORDER BY "start"'
    monkeypatch.setattr(core_tables, "sql_text", {"evidence.sql": collated}.__getitem__)
    build_table(con, load_tables()["evidence"])
    assert "COLLATE" not in con.execute("SELECT sql FROM duckdb_tables() WHERE table_name = 'evidence'").fetchall()[0][0]
    assert check_table(con, load_tables()["evidence"]).passed  # E/1 and e/1 stay two ids
    monkeypatch.undo()
    chosen, through_arrow = _both_ways(con, 'SELECT * FROM _rows WHERE false; SELECT * FROM _rows ORDER BY "start"',
                                       monkeypatch)
    assert chosen[0].num_rows == through_arrow[0].num_rows == 2  # the last statement's rows


def test_a_null_in_a_required_column_stops_the_build_either_way(monkeypatch):
    con = duckdb.connect()
    store_table(con, "_rows", evidence([("e/1", 1, 2)]))
    query = "SELECT * REPLACE (NULL::VARCHAR AS source_id) FROM _rows"
    monkeypatch.setattr(core_tables, "sql_text", {"evidence.sql": query}.__getitem__)
    with pytest.raises(ValueError, match=r"evidence: no value in the required column\(s\) source_id \(1 rows\)"):
        build_table(con, load_tables()["evidence"])
    monkeypatch.setattr(core_tables, "_as_declared", lambda *args: False)
    with pytest.raises(duckdb.InvalidInputException, match="non-nullable"):
        build_table(con, load_tables()["evidence"])
