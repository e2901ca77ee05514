"""Read an official file into its published table, as its declaration says.

A reference table is declared with `build: {reader: MODULE.FUNCTION, folder: ID}`: the
function in pipelines/reference/MODULE.py reads the file that
sources/reference/ID/provenance.yaml names, and returns (DataFrame, data-quality issues).
Every reader has that one signature. The issues of every reader are gathered into the
`reference_data_quality` table (declared with `build: {gather: reader_issues}`): a defect
in a file is a row there, never a failed build.

A corpus without a sources/reference/ folder (the hand-made test corpus) has no official
statistics: its reference tables are empty and every claim check is not_checkable. If
the folder exists, each declared file must be in it, unchanged.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyarrow as pa

from pipelines.core.tables import conform
from pipelines.reference import REFERENCE_DIR
from pipelines.reference.provenance import check_file_hash, load_provenance
from pipelines.reference.quality import issues_frame
from pipelines.schemas import READER_PACKAGE, TableSpec, load_tables

Reader = Callable[[Path], tuple["pd.DataFrame", list[dict]]]  # noqa: F821 (pandas is the readers' business)


def reader_tables(tables: dict[str, TableSpec] | None = None) -> list[str]:
    """Tables read from an official file, in declared order."""
    return [name for name, t in (tables or load_tables()).items() if "reader" in t.build]


def issues_gatherers(tables: dict[str, TableSpec] | None = None) -> list[str]:
    return [name for name, t in (tables or load_tables()).items() if t.build.get("gather") == "reader_issues"]


def find_reader(table: TableSpec) -> Reader:
    """The reader function a declaration names; a clear error if it does not exist."""
    module_name, function_name = table.build["reader"].rsplit(".", 1)
    try:
        module = importlib.import_module(f"{READER_PACKAGE}.{module_name}")
        return getattr(module, function_name)
    except (ImportError, AttributeError):
        raise LookupError(f"schemas/tables/{table.name}.yaml names the reader {table.build['reader']}, but "
                          f"{READER_PACKAGE}.{module_name} has no function {function_name}: write it, or fix the name") from None


def issues_table_name(name: str) -> str:
    """The staging table holding one reader's data-quality issues."""
    return f"ref_issues_{name}"


@dataclass
class ReferenceRead:
    table: pa.Table  # the published table, conformed to its declaration
    issues: pa.Table  # rows of reference_data_quality
    hash_problem: str | None  # why the file is not the one provenance.yaml describes, or None
    about: dict = field(default_factory=dict)  # file, sha256, issues: metadata for the UI


def read_reference(root: Path, table: TableSpec, quality: TableSpec) -> ReferenceRead:
    """Read one declared reference table from the corpus at root."""
    empty = ReferenceRead(table.to_arrow().empty_table(), quality.to_arrow().empty_table(), None)
    folder_id = table.build["folder"]
    reference = Path(root) / REFERENCE_DIR
    if not reference.is_dir():
        empty.about = {"file": f"none: this corpus has no {REFERENCE_DIR}/ folder, so the table is empty"}
        return empty
    folder = reference / folder_id
    if not (folder / "provenance.yaml").is_file():
        empty.hash_problem = f"{REFERENCE_DIR}/{folder_id}/provenance.yaml is missing"
        return empty
    empty.hash_problem = check_file_hash(folder)
    provenance = load_provenance(folder)
    path = folder / provenance["file"]
    if not path.is_file():
        return empty
    frame, issues = find_reader(table)(path)
    arrow = conform(pa.Table.from_pandas(frame, schema=table.to_arrow(), preserve_index=False), table)
    issue_rows = conform(pa.Table.from_pandas(issues_frame(issues), schema=quality.to_arrow(), preserve_index=False),
                         quality)
    return ReferenceRead(arrow, issue_rows, empty.hash_problem,
                         {"file": f"{REFERENCE_DIR}/{folder_id}/{provenance['file']}", "sha256": provenance["sha256"],
                          "issues": issue_rows.num_rows})


def gather_issues_sql(name: str, readers: list[str]) -> str:
    """SQL that makes the data-quality table from every reader's issues."""
    union = " UNION ALL ".join(f"SELECT * FROM {issues_table_name(reader)}" for reader in readers)
    # Natural order of locations: line 9 before line 10, SB_01:9 before SB_01:10.
    return f"""CREATE OR REPLACE TABLE {name} AS SELECT * FROM ({union})
               ORDER BY dataset, file, regexp_replace("row", '[0-9]+$', ''),
                        TRY_CAST(regexp_extract("row", '[0-9]+$') AS BIGINT), "row", "column" """
