"""What the UI shows about an asset before and after it runs: kinds, owners, tags, the
code version, and definition metadata (column schema, table name, links to the SQL file,
the declaration and the codebook section), plus the table preview of a run.

The code version of an asset is a hash of the files that define it (its declaration, its
SQL files or reader module, and the modules that run them): change one, and Dagster
shows the asset and what depends on it as Unsynced.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import warnings
from pathlib import Path
from typing import Any, Callable

import dagster as dg
import pyarrow as pa

from pipelines.schemas import REPO_ROOT, SCHEMA_DIR, SQL_DIR, TableSpec

OWNERS = ["team:borderlines-maintainers"]
# The files under sources/ are observed every minute while the `rebuild_stale` sensor is on.
OBSERVE_EVERY_MINUTE = dg.AutomationCondition.cron_tick_passed("* * * * *") & ~dg.AutomationCondition.in_progress()
CODEBOOK = REPO_ROOT / "datasets" / "CODEBOOK.md"
PACKAGE = Path(__file__).resolve().parent.parent
PREVIEW_ROWS = 10
# A longer text is cut in the preview: the UI gives each column a width of its own, and a note or
# a quote of a few hundred characters made a row of the preview a thousand pixels tall.
PREVIEW_TEXT = 80


def code_version(*files: Path) -> str:
    """A short hash of the files' bytes, in the order given."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(PACKAGE.parent).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def module_file(module: str) -> Path:
    """pipelines.x.y -> its .py file."""
    return PACKAGE.parent.joinpath(*module.split(".")).with_suffix(".py")


def table_files(table: TableSpec) -> list[Path]:
    """The files that define how a table is made: its declaration, and its SQL or reader."""
    files = [SCHEMA_DIR / f"{table.name}.yaml"]
    build = table.build
    if "sql" in build:
        files += [SQL_DIR / name for name in (*build.get("macros", []), build["sql"])]
    if "reader" in build:
        files.append(module_file(f"pipelines.reference.{build['reader'].rsplit('.', 1)[0]}"))
    return files


def _codebook_line(table: TableSpec) -> int | None:
    heading = f"## `{table.name}`:"
    if not CODEBOOK.is_file():
        return None
    for number, line in enumerate(CODEBOOK.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(heading):
            return number
    return None


def observed_files(name: str, group: str, folder: str, description: str, kinds: set[str],
                   version: Callable[[Any], str]) -> dg.AssetsDefinition:
    """The files of a folder under sources/, observed rather than computed: their data
    version is version(paths), a hash of their paths and contents. Observing them (the UI's
    Observe sources, the `rebuild_stale` sensor every minute, every `make data`) tells
    Dagster which assets a saved edit made stale. Declared by an AssetSpec so that they have
    owners, kinds, tags and definition metadata as the computed assets do (an observable
    source asset takes neither owners nor kinds). `make data` records the same version
    without a run, calling this asset itself (pipelines/assets/run.py)."""
    spec = dg.AssetSpec(name, description=description, group_name=group, owners=OWNERS, kinds=kinds,
                        tags={"borderlines/layer": group}, automation_condition=OBSERVE_EVERY_MINUTE,
                        metadata={"folder": dg.MetadataValue.path(folder)})

    @dg.multi_observable_source_asset(specs=[spec], name=name, required_resource_keys={"paths"})
    def _observe(context):
        return dg.ObserveResult(asset_key=name, data_version=dg.DataVersion(version(context.resources.paths)))

    return _observe


def definition_metadata(table: TableSpec) -> dict:
    """Shown on the asset's page before any run."""
    with warnings.catch_warnings():  # code references are a beta feature of Dagster: say so once, here
        warnings.simplefilter("ignore", dg.BetaWarning)
        references = _code_references(table)
    return {
        "dagster/table_name": f"borderlines.main.{table.name}",
        "dagster/column_schema": column_schema(table),
        "dagster/code_references": references,
        "primary_key": ", ".join(table.primary_key),
    }


def _code_references(table: TableSpec) -> dg.CodeReferencesMetadataValue:
    """Links to open the files that define the table, and its codebook section, in an editor."""
    references = [dg.LocalFileCodeReference(file_path=str(path), line_number=1,
                                            label="SQL" if path.suffix == ".sql" else
                                            "declaration" if path.suffix == ".yaml" else "reader")
                  for path in table_files(table)]
    line = _codebook_line(table)
    if line:
        references.append(dg.LocalFileCodeReference(file_path=str(CODEBOOK), line_number=line, label="codebook"))
    return dg.CodeReferencesMetadataValue(code_references=references)


def column_schema(table: TableSpec) -> dg.TableSchema:
    return dg.TableSchema(columns=[
        dg.TableColumn(f.name, f.type, description=f.description,
                       constraints=dg.TableColumnConstraints(nullable=not f.required, unique=f.unique))
        for f in table.fields
    ])


def _cell(value):
    """A value as the UI's table preview takes it (text, numbers, booleans, null); a text
    longer than PREVIEW_TEXT characters ends in "…" there (the table holds it whole)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, str) and len(value) > PREVIEW_TEXT:
        return value[:PREVIEW_TEXT - 1] + "…"
    return value


def table_metadata(arrow_table: pa.Table, table: TableSpec) -> dict:
    """Row count and a preview of a built table (its first rows, as a table)."""
    rows = arrow_table.slice(0, PREVIEW_ROWS).to_pylist()  # the preview's rows only: a whole table costs memory
    return {
        "dagster/row_count": arrow_table.num_rows,
        "dagster/column_schema": column_schema(table),
        "preview": dg.MetadataValue.table(
            records=[dg.TableRecord({k: _cell(v) for k, v in row.items()}) for row in rows],
            schema=column_schema(table)),
    }
