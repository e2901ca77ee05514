"""Code-side corrections of issue 13: evidence ids from content, empty text and "nan" in the
published files, trimmed official cells logged, and licences and rights per resource."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from types import SimpleNamespace

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from conftest import FIXTURE, edit, line_of
from pipelines.core.staging import evidence_rows
from pipelines.ingest.corpus import load_corpus
from pipelines.ingest.records import Quote
from pipelines.publish.datapackage import resource_entries
from pipelines.publish.files import write_table_files
from pipelines.publish.roundtrip import compare_csv
from pipelines.reference import iom_missing_migrants, italy_arrivals, uk_small_boats
from pipelines.reference.quality import IssueLog
from pipelines.schemas import SCHEMA_DIR, DeclarationError, load_tables

ANNOTATIONS = "sources/news/2024-03-04-fixture-strait-talks/annotations.yaml"


# --- evidence ids ------------------------------------------------------------------------

def _evidence_ids(root) -> dict[tuple[str, str], str]:
    """(record_id, quote) -> evidence_id of the corpus at root."""
    corpus = load_corpus(root)
    assert list(corpus.problems) == []
    return {(row["record_id"], row["quote"]): row["evidence_id"] for row in evidence_rows(corpus.records)}


def test_inserting_a_quote_earlier_leaves_the_other_evidence_ids(tmp_path):
    root = tmp_path / "corpus"
    shutil.copytree(FIXTURE, root)
    before = _evidence_ids(root)
    edit(root, ANNOTATIONS, "      - On Friday February 23 a small boat capsized 3km off Calais\n",
         "      - seven people died\n      - On Friday February 23 a small boat capsized 3km off Calais\n")
    after = _evidence_ids(root)
    added = set(after) - set(before)
    assert added == {("2024-02-23-fixture-calais-capsize", "seven people died")}
    assert {key: after[key] for key in before} == before  # no other id changed
    assert len(set(after.values())) == len(after)
    start_end = after[next(iter(added))].rsplit("/", 1)[1]
    assert start_end.split("-")[0].isdigit()  # <start>-<end> of the quote in the text


def test_a_passage_quoted_twice_for_different_fields_gets_two_ids():
    record = SimpleNamespace(source_id="s", table="incidents", record_id="r", resolutions=[],
                             path="sources/news/s/annotations.yaml",
                             evidence=[Quote("two died", 10, 18, ("dead",)), Quote("two died", 10, 18, None),
                                       Quote("off Calais", 30, 40, None)])
    rows = evidence_rows([record])
    assert [row["evidence_id"] for row in rows] == ["s/incidents/r/10-18/dead", "s/incidents/r/10-18/record",
                                                    "s/incidents/r/30-40"]
    assert {row["_folder"] for row in rows} == {"sources/news/s"}  # kept per folder by the build


def test_the_same_quote_twice_for_the_same_fields_is_refused_with_its_line(corpus, capsys):
    from pipelines.cli import main

    quote = "      - seven people died and 41 were rescued\n"
    edit(corpus, ANNOTATIONS, quote, quote + quote)
    code = main(["--root", str(corpus), "validate", "--format", "json"])
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert code == 1 and [p["code"] for p in problems] == ["duplicate-record"]
    assert problems[0]["path"] == ANNOTATIONS and problems[0]["line"] == line_of(corpus, ANNOTATIONS, quote.strip()) + 1
    assert "already in the record's evidence" in problems[0]["message"]


# --- empty text and null, in CSV and Parquet -----------------------------------------------

def _strict_csv(path, schema) -> pa.Table:
    """The CSV read so that a quoted "" stays an empty string and only an empty cell is null:
    the one reading that tells them apart."""
    return pa_csv.read_csv(path, parse_options=pa_csv.ParseOptions(newlines_in_values=True),
                           convert_options=pa_csv.ConvertOptions(
                               column_types={f.name: f.type for f in schema}, null_values=[""],
                               strings_can_be_null=True, quoted_strings_can_be_null=False,
                               true_values=["true"], false_values=["false"]))


def test_csv_and_parquet_agree_on_empty_and_null_in_every_table(real_build):
    data = real_build / "data"
    for name, table in load_tables().items():
        if not (data / "parquet" / f"{name}.parquet").is_file():
            continue
        parquet = pq.read_table(data / "parquet" / f"{name}.parquet")
        csv = _strict_csv(data / "csv" / f"{name}.csv", table.to_arrow())
        for field in table.fields:
            p, c = parquet[field.name].to_pylist(), csv[field.name].to_pylist()
            assert [v is None for v in p] == [v is None for v in c], f"{name}.{field.name}: null differs"
            if field.type == "string":
                assert "" not in p, f"{name}.{field.name}: empty text in Parquet"
                assert p == c, f"{name}.{field.name}"
    quality = pq.read_table(data / "parquet" / "reference_data_quality.parquet").to_pandas()
    empty_italian_values = quality[(quality["column"] == "Valore") & (quality["problem"] == "the value is empty")]
    assert len(empty_italian_values) == 3 and empty_italian_values["value"].isna().all()


def test_the_writers_publish_empty_text_as_null_and_the_round_trip_sees_an_empty_string(tmp_path):
    schema = pa.schema([pa.field("id", pa.string(), nullable=False), pa.field("text", pa.string())])
    table = pa.Table.from_pylist([{"id": "a", "text": ""}, {"id": "b", "text": None}, {"id": "c", "text": "x"}],
                                 schema=schema)
    write_table_files([table], schema, tmp_path / "t.parquet", tmp_path / "t.csv")
    parquet = pq.read_table(tmp_path / "t.parquet")
    assert parquet["text"].to_pylist() == [None, None, "x"]
    assert compare_csv(tmp_path / "t.parquet", tmp_path / "t.csv", schema) == ""
    # A Parquet file holding "" where its CSV twin has "" (as pyarrow writes it) is a difference:
    # the CSV's readers see a null there.
    pq.write_table(table, tmp_path / "raw.parquet")
    pa_csv.write_csv(table, tmp_path / "raw.csv")
    assert '"a",""' in (tmp_path / "raw.csv").read_text()
    assert "column text, row 1: '' against None" in compare_csv(tmp_path / "raw.parquet", tmp_path / "raw.csv",
                                                                 schema)


# --- "nan", "NA", "null" are text -------------------------------------------------------------

WORDS = ["nan", "NaN", "NA", "null", "N/A", "None"]


def test_text_that_looks_like_a_missing_value_stays_text_in_both_formats(tmp_path):
    from frictionless import Package

    table = load_tables()["reference_data_quality"]
    rows = [{"dataset": "x", "file": "f.csv", "row": str(n), "column": "c", "value": word,
             "problem": word, "action": "kept"} for n, word in enumerate(WORDS, 2)]
    rows.append({"dataset": "x", "file": "f.csv", "row": "99", "column": "c", "value": None, "problem": "p",
                 "action": "kept"})
    arrow = pa.Table.from_pylist(rows, schema=table.to_arrow())
    write_table_files([arrow], arrow.schema, tmp_path / "parquet" / "reference_data_quality.parquet",
                      tmp_path / "csv" / "reference_data_quality.csv")
    entries = resource_entries(tmp_path, ["reference_data_quality"], tmp_path / "no-corpus")
    package = Package({"resources": entries}, basepath=str(tmp_path))
    for name in ("reference_data_quality", "reference_data_quality_csv"):
        values = [row["value"] for row in package.get_resource(name).read_rows()]
        assert values == [*WORDS, None], name
    assert pd.read_csv(tmp_path / "csv" / "reference_data_quality.csv", dtype=str, keep_default_na=False,
                       na_values=[""])["value"].tolist()[:len(WORDS)] == WORDS


def test_a_nullable_whole_number_of_a_parquet_resource_still_reads_as_null(tmp_path):
    """The one place pandas' NaN counts as missing: numeric fields of Parquet resources."""
    from frictionless import Package

    name = "uk_small_boat_arrivals_daily"
    table = load_tables()[name]
    assert table.to_frictionless()["missingValues"] == [""]
    arrow = pa.Table.from_pylist([{"date": dt.date(2024, 1, 1), "migrants_arrived": None, "boats_arrived": 3,
                                   "boats_uncontrolled_landings": None, "notes": "nan"}], schema=table.to_arrow())
    write_table_files([arrow], arrow.schema, tmp_path / "parquet" / f"{name}.parquet", tmp_path / "csv" / f"{name}.csv")
    package = Package({"resources": resource_entries(tmp_path, [name], tmp_path / "no-corpus")},
                      basepath=str(tmp_path))
    for resource in (name, f"{name}_csv"):
        report = package.get_resource(resource).validate()
        assert report.valid, (resource, report.flatten(["type", "note"]))
        row = package.get_resource(resource).read_rows()[0]
        assert (row["migrants_arrived"], row["boats_arrived"], row["notes"]) == (None, 3, "nan"), resource


def test_the_readers_keep_na_words_as_text_and_log_trimmed_cells(tmp_path):
    raw = pd.DataFrame([["Date", "Migrants arrived", "Boats arrived",
                         "Boats arrived - involved in uncontrolled landings", "Notes"],
                        [pd.Timestamp("2024-01-01"), 5, 1, 0, "NA"],
                        [pd.Timestamp("2024-01-02"), 6, 1, 0, "Revised\u00a0"],
                        [pd.Timestamp("2024-01-03"), 7, 1, 0, "Revised"]], dtype=object)
    log = IssueLog("uk", "f.ods")
    frame = uk_small_boats.parse_sheet(raw, "SB_01", uk_small_boats.DAILY_COLUMNS, log)
    assert frame["notes"].tolist() == ["NA", "Revised", "Revised"]
    assert [(i["row"], i["column"], i["value"], i["action"]) for i in log.records()] == [
        ("SB_01:3", "Notes", "Revised\u00a0", "whitespace trimmed")]

    path = tmp_path / "sbarchi.csv"
    path.write_text("Data,Valore,Note,Fonte,Data_Report\n"
                    "2024-05-01,3, old ,Fonte ,2024-05-15\n"  # superseded: its text is not published
                    "2024-05-01,4,nan,\u00a0Ministero,2024-05-31\n"
                    "2024-05-02,5,NA,null,2024-05-31\n", encoding="utf-8")
    frame, issues = italy_arrivals.read_daily(path)
    assert frame["note"].tolist() == ["nan", "NA"] and frame["source"].tolist() == ["Ministero", "null"]
    assert [(i["row"], i["column"], i["action"]) for i in issues] == [("3", "Fonte", "whitespace trimmed")]
    assert "leading U+00A0 NO-BREAK SPACE" in issues[0]["problem"]


def test_every_changed_iom_cell_is_logged(tmp_path):
    from test_reference import IOM_HEADER, _iom_line

    lines = [IOM_HEADER,
             _iom_line("2024.MMP1", "2024.MMP1", location="Off Calais\u00a0").replace(",day,IOM", ",Day ,IOM"),
             _iom_line("2024.MMP2", "2024.MMP2", location="nan"),
             _iom_line("2024.MMP3", "2024.MMP3", dead="2", missing="-1", total="1")]
    path = tmp_path / "iom.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame, issues = iom_missing_migrants.read_incidents(path)
    assert frame["location_of_death"].tolist()[:2] == ["Off Calais", "nan"]
    assert frame["incident_date_precision"].tolist() == ["day"] * 3
    assert frame["dead_or_missing"].tolist()[:2] == [1, 1] and pd.isna(frame["dead_or_missing"].iloc[2])
    assert sorted((i["row"], i["column"], i["action"]) for i in issues) == [
        ("2", "Location of death", "whitespace trimmed"),
        ("2", "incident_date_precision", "read as 'day'"),
        ("4", "No. dead/missing", "value set to null"),
        ("4", "No. missing", "value set to null"),
    ]


# --- licences and rights per resource ------------------------------------------------------

def test_every_resource_states_its_licence_and_the_quotes_stay_the_publishers(real_build):
    descriptor = json.loads((real_build / "data" / "datapackage.json").read_text())
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert all(r.get("licenses") for r in resources.values()), [n for n, r in resources.items() if not r.get("licenses")]
    for name in ("claim_checks", "claim_checks_csv", "channel_arrivals_chart", "italy_sea_arrivals_chart", "crossings"):
        assert [lic["name"] for lic in resources[name]["licenses"]] == ["CC-BY-4.0"], name
    assert [lic["name"] for lic in resources["uk_small_boat_arrivals_daily"]["licenses"]] == ["OGL-UK-3.0"]
    for name in ("evidence", "evidence_csv", "sources", "source_links"):
        assert "publisher" in resources[name]["rights"], name
    assert "rights" not in resources["crossings"]
    assert resources["channel_arrivals_chart"]["sources"]  # the chart credits the Home Office's file


@pytest.mark.parametrize("attribution, ok", [
    ("{licence: package, rights: The quotes stay the publishers'.}", True),
    ("{licence: package}", True),
    ("{licence: source}", False),  # a source licence needs the files it draws on
    ("{licence: package, rights: [not, a, note]}", False),
    ("{licence: package, right: a typo}", False),
])
def test_attribution_declarations_are_checked(tmp_path, attribution, ok):
    schemas = tmp_path / "tables"
    shutil.copytree(SCHEMA_DIR, schemas)
    path = schemas / "evidence.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("attribution:")
    end = text.index("schema:", start)
    path.write_text(text[:start] + f"attribution: {attribution}\n" + text[end:], encoding="utf-8")
    if ok:
        assert load_tables(schemas)["evidence"].attribution["licence"] == "package"
    else:
        with pytest.raises(DeclarationError, match="evidence.yaml: attribution must be"):
            load_tables(schemas)
