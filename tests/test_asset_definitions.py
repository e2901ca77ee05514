"""What a maintainer sees of each asset in the Dagster UI before and after a run: kinds,
owners, a code version derived from the files that define it, the column schema and table
name, links to its SQL file, declaration and codebook section, and a preview as a table."""

from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest

from pipelines.assets.core import RUNNER_FILES
from pipelines.assets.definitions import SOURCE_FILES, defs
from pipelines.assets.metadata import CODEBOOK, code_version, table_files
from pipelines.schemas import REPO_ROOT, SQL_DIR, load_tables

GRAPH = defs.resolve_asset_graph()


@pytest.mark.parametrize("name", list(load_tables()))
def test_every_table_asset_is_described_before_any_run(name):
    table = load_tables()[name]
    node = GRAPH.get(dg.AssetKey(name))
    assert node.kinds and node.owners == ["team:borderlines-maintainers"]
    assert node.tags["borderlines/layer"] == table.group
    assert node.code_version
    metadata = node.metadata
    assert metadata["dagster/table_name"] == f"borderlines.main.{name}"
    assert [c.name for c in metadata["dagster/column_schema"].columns] == table.field_names
    references = {r.label: r for r in metadata["dagster/code_references"].code_references}
    assert Path(references["declaration"].file_path).name == f"{name}.yaml"
    if "sql" in table.build:
        assert Path(references["SQL"].file_path) == SQL_DIR / table.build["sql"]
    codebook = references["codebook"]
    assert Path(codebook.file_path) == CODEBOOK
    assert CODEBOOK.read_text().splitlines()[codebook.line_number - 1].startswith(f"## `{name}`:")


def test_every_asset_has_kinds_owners_and_a_code_version():
    for key in GRAPH.materializable_asset_keys:
        node = GRAPH.get(key)
        assert node.kinds, key
        assert node.owners, key
        assert node.code_version, key


def test_the_observed_files_have_kinds_owners_and_their_folder_before_any_observation():
    """The files under sources/ are not computed (no code version), but their pages show who
    owns them, what they are and where they are, as the computed assets' pages do."""
    observed = [key for key in GRAPH.get_all_asset_keys() if GRAPH.get(key).is_observable]
    assert len(observed) == len(SOURCE_FILES) == 6
    for key in observed:
        node = GRAPH.get(key)
        assert node.kinds and node.owners == ["team:borderlines-maintainers"], key
        assert node.tags["borderlines/layer"] == node.group_name, key
        folder = node.metadata["folder"].value
        assert folder.startswith("sources/") and (REPO_ROOT / folder).is_dir(), key
        assert node.code_version is None, key


def test_a_core_assets_code_version_is_the_hash_of_its_sql_declaration_and_runner():
    crossings = load_tables()["crossings"]
    assert GRAPH.get(dg.AssetKey("crossings")).code_version == code_version(*table_files(crossings), *RUNNER_FILES)


def test_the_checked_annotations_are_versioned_by_the_declarations_validate_reads():
    # route countries and signed measures live in crossings.yaml: editing them changes what
    # validate accepts, so the assets that run validate's checks must turn stale
    from pipelines.assets.sources import CHECK_FILES, INGEST_FILES

    names = {path.name for path in INGEST_FILES}
    assert {"crossings.yaml", "meetings.yaml", "schemas.py", "records.py", "meaning.py"} <= names
    assert set(INGEST_FILES) <= set(CHECK_FILES)
    assert GRAPH.get(dg.AssetKey("annotations")).code_version == code_version(*CHECK_FILES)


def test_code_version_changes_with_the_bytes_of_a_defining_file(tmp_path, monkeypatch):
    import pipelines.assets.metadata as metadata

    monkeypatch.setattr(metadata, "PACKAGE", tmp_path / "pipelines")
    sql = tmp_path / "pipelines" / "core" / "sql" / "t.sql"
    sql.parent.mkdir(parents=True)
    sql.write_text("SELECT 1 AS x\n")
    first = code_version(sql)
    assert code_version(sql) == first
    sql.write_text("SELECT 2 AS x\n")
    assert code_version(sql) != first


def test_a_built_tables_preview_is_a_table(fixture_build_result):
    materializations = {m.asset_key.to_user_string(): m for m in fixture_build_result.result.get_asset_materialization_events()}
    metadata = materializations["crossings"].materialization.metadata
    preview = metadata["preview"]
    assert isinstance(preview, dg.TableMetadataValue)
    assert preview.records and "crossing_id" in preview.records[0].data
    assert metadata["dagster/row_count"].value >= len(preview.records)


def test_a_long_text_is_cut_in_the_preview_only():
    """The preview is a glance: a note or a quote of hundreds of characters made each of its
    rows a thousand pixels tall in the UI. Cut there, with an ellipsis; shorter values whole."""
    from pipelines.assets.metadata import PREVIEW_TEXT, table_metadata

    table = load_tables()["crossings"]
    built = pa.Table.from_pylist([{name: None for name in table.field_names}], schema=table.to_arrow())
    long_note, short_note = "x" * (PREVIEW_TEXT + 20), "y" * PREVIEW_TEXT
    for note in (long_note, short_note):
        notes = pa.array([note], built.schema.field("notes").type)
        preview = table_metadata(built.set_column(built.schema.get_field_index("notes"), "notes", notes), table)["preview"]
        shown = preview.records[0].data["notes"]
        assert shown == (long_note[:PREVIEW_TEXT - 1] + "…" if note is long_note else short_note)
        assert len(shown) <= PREVIEW_TEXT

