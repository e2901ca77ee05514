"""schemas/ is the single source of truth: everything else is derived from it."""

import datetime as dt
import json
import shutil

import jsonschema
import pandas as pd
import pyarrow as pa
import pytest

from conftest import FIXTURE
from pipelines.ingest.yamlfile import parse_yaml
from pipelines.publish.codebook import generated_docs
from pipelines.schemas import REPO_ROOT, SCHEMA_DIR, load_tables

DESIGN_TABLES = {"sources", "crossings", "incidents", "agreements", "agreement_parties", "agreement_events",
                 "meetings", "meeting_participants", "people", "organisations", "evidence"}


def frame(table, rows):
    return pa.Table.from_pylist(rows, schema=table.to_arrow()).to_pandas(types_mapper=pd.ArrowDtype)


def crossing(**changes):
    row = {"crossing_id": "x-1", "source_id": "2024-01-01-x", "route": "english_channel",
           "period_start": dt.date(2024, 1, 1), "period_end": dt.date(2024, 1, 31), "measure": "people",
           "value": 10.0, "qualifier": "exact", "value_low": 10.0, "value_high": 10.0}
    row.update(changes)
    return row


def test_every_published_table_of_the_design_is_declared_with_descriptions():
    tables = load_tables()
    assert DESIGN_TABLES <= set(tables)
    for table in tables.values():
        assert table.description and table.primary_key
        for field in table.fields:
            assert field.description, f"{table.name}.{field.name}"
            for value in field.enum or ():
                assert field.labels[value], f"{table.name}.{field.name}={value}"


def test_a_new_enum_value_reaches_pandera_without_touching_python(tmp_path):
    crossings = load_tables()["crossings"]
    row = frame(crossings, [crossing(route="arctic")])
    with pytest.raises(Exception):
        crossings.to_pandera().validate(row)
    schemas = tmp_path / "tables"
    shutil.copytree(SCHEMA_DIR, schemas)
    path = schemas / "crossings.yaml"
    path.write_text(path.read_text().replace(
        "        - {value: other,", '        - {value: arctic, label: "Across the Arctic."}\n        - {value: other,', 1))
    changed = load_tables(schemas)["crossings"]
    assert "arctic" in changed.field("route").enum
    changed.to_pandera().validate(frame(changed, [crossing(route="arctic")]))
    # same_categories_as follows the change too
    assert "arctic" in load_tables(schemas)["incidents"].field("route").enum


def test_malformed_category_is_refused(tmp_path):
    schemas = tmp_path / "tables"
    shutil.copytree(SCHEMA_DIR, schemas)
    path = schemas / "meetings.yaml"
    path.write_text(path.read_text().replace('label: "Two governments."}', "label: Two, governments.}"))
    with pytest.raises(ValueError, match="quote labels that contain commas"):
        load_tables(schemas)


def test_cross_field_rules_are_pandera_checks():
    crossings = load_tables()["crossings"]
    schema = crossings.to_pandera()
    schema.validate(frame(crossings, [crossing()]))
    for bad in (crossing(period_start=dt.date(2024, 2, 1)), crossing(value_low=11.0), crossing(value_high=9.0)):
        with pytest.raises(Exception):
            schema.validate(frame(crossings, [bad]), lazy=True)


def test_generated_files_are_up_to_date():
    stale = [str(path.relative_to(REPO_ROOT)) for path, text in generated_docs().items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    assert not stale, f"run `make docs` and commit: {stale}"


def test_codebook_lists_every_table_field_and_category():
    text = generated_docs()[REPO_ROOT / "datasets" / "CODEBOOK.md"]
    for table in load_tables().values():
        assert f"## `{table.name}`" in text
        for field in table.fields:
            assert f"`{field.name}`" in text
    assert "`more_than`: More than, over, above." in text
    assert "latest-published source" in text


def annotation_files():
    return sorted((REPO_ROOT / "sources" / "news").glob("*/annotations.yaml")) + \
        sorted((FIXTURE / "sources" / "news").glob("*/annotations.yaml"))


@pytest.mark.parametrize("path", annotation_files(), ids=lambda p: p.parent.name)
def test_json_schema_accepts_the_real_annotation_files(path):
    schema = json.loads((REPO_ROOT / "schemas" / "annotation.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(parse_yaml(path.read_text(), str(path)).data)
    meta = json.loads((REPO_ROOT / "schemas" / "source.schema.json").read_text())
    jsonschema.Draft202012Validator(meta).validate(parse_yaml((path.parent / "source.yaml").read_text(), "s").data)


def test_json_schema_rejects_what_validate_rejects():
    schema = json.loads((REPO_ROOT / "schemas" / "annotation.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    good = {"source_id": "2024-01-01-x", "crossings": [{
        "crossing_id": "a", "route": "english_channel", "period_start": "this year", "period_end": "2024-01-02",
        "measure": "people", "value": 5, "evidence": ["five people"]}]}
    assert validator.is_valid(good)
    # new-source writes empty sections (`incidents:`, null): validate takes them, so does the schema
    assert validator.is_valid({**good, "incidents": None})
    assert not validator.is_valid({**good, "incidents": "none"})
    for path, bad in [(("route",), "english_chanel"), (("mesure",), "people"), (("evidence",), [])]:
        doc = json.loads(json.dumps(good))
        doc["crossings"][0][path[0]] = bad
        assert not validator.is_valid(doc), path
