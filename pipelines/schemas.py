"""Table declarations from `schemas/tables/*.yaml`, and everything derived from them.

Each published table is declared once, in Frictionless Table Schema style, with two
additions that say where its values come from:

- a field's `annotation: required|optional` means contributors type it in an annotation
  file; `registry: required|optional` means it is typed in a registry file; a field with
  neither is derived by the pipeline;
- `categories: [{value, label}]` lists the allowed values with their meanings
  (`same_categories_as: table.field` reuses another field's list); `constraints.enum` is
  derived from it.

This module is imported by `borderlines validate`, so it must not import pandas,
pandera, pyarrow or Dagster at module level: the Pandera and Arrow derivations import
them inside their functions.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = REPO_ROOT / "schemas" / "tables"

# Order in which tables are listed in the data package and the codebook.
TABLE_ORDER = [
    "sources", "source_links", "crossings", "incidents", "meetings", "meeting_participants",
    "agreements", "agreement_parties", "agreement_events", "people", "organisations",
    "places", "evidence", "conflicts",
]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str  # Table Schema type: string, integer, number, boolean, date
    description: str
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    labels: dict[str, str] = field(default_factory=dict)
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    format: str | None = None
    annotation: str | None = None  # "required" / "optional" / None (not annotated)
    registry: str | None = None  # "required" / "optional" / None
    default: Any = None

    def table_schema(self) -> dict[str, Any]:
        """This field as a Frictionless Table Schema field descriptor."""
        out: dict[str, Any] = {"name": self.name, "type": self.type, "description": self.description}
        if self.format:
            out["format"] = self.format
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.pattern:
            constraints["pattern"] = self.pattern
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if constraints:
            out["constraints"] = constraints
        if self.enum:
            out["categories"] = [{"value": v, "label": self.labels[v]} for v in self.enum]
        return out


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str
    description: str
    group: str
    fields: tuple[FieldSpec, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[dict[str, Any], ...]
    annotation: dict[str, Any]  # section/id_field/merge/children, or parent/list for child tables
    registry: str | None  # registry file name under sources/registry/

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    def annotated_fields(self) -> list[FieldSpec]:
        return [f for f in self.fields if f.annotation]

    def registry_fields(self) -> list[FieldSpec]:
        return [f for f in self.fields if f.registry]

    def table_schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "fields": [f.table_schema() for f in self.fields],
            "primaryKey": list(self.primary_key),
        }
        if self.foreign_keys:
            out["foreignKeys"] = [dict(fk) for fk in self.foreign_keys]
        # Frictionless reads empty CSV cells and pandas' NaN for nullable numbers as missing.
        out["missingValues"] = ["", "nan", "NaN"]
        return out


def _field_from_declaration(decl: dict[str, Any], categories: dict[str, list[dict]]) -> FieldSpec:
    constraints = decl.get("constraints", {})
    cats = decl.get("categories")
    if cats is None and "same_categories_as" in decl:
        cats = categories[decl["same_categories_as"]]
    for cat in cats or []:
        # An unquoted comma inside a flow mapping silently splits a label: refuse it.
        if set(cat) != {"value", "label"} or not isinstance(cat["label"], str):
            raise ValueError(f"field {decl['name']!r}: category {cat!r} must have exactly a value and a label "
                             "(quote labels that contain commas)")
    return FieldSpec(
        name=decl["name"],
        type=decl["type"],
        description=decl["description"],
        required=bool(constraints.get("required", False)),
        unique=bool(constraints.get("unique", False)),
        enum=tuple(c["value"] for c in cats) if cats else None,
        labels={c["value"]: c["label"] for c in cats} if cats else {},
        pattern=constraints.get("pattern"),
        minimum=constraints.get("minimum"),
        maximum=constraints.get("maximum"),
        format=decl.get("format"),
        annotation=decl.get("annotation"),
        registry=decl.get("registry"),
        default=decl.get("default"),
    )


def load_yaml_file(path: str | Path) -> Any:
    """A trusted YAML file of the repository (schemas/, provenance.yaml), read with PyYAML's C
    loader: yaml.safe_load, pure Python, spent half a second of every build on schemas/ alone.
    Contributors' files go through pipelines/ingest/yamlfile.py instead, for line numbers."""
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@functools.lru_cache(maxsize=None)
def load_tables(schema_dir: Path = SCHEMA_DIR) -> dict[str, TableSpec]:
    """Read every table declaration; the result is keyed by table name in TABLE_ORDER."""
    declarations = {}
    for path in sorted(Path(schema_dir).glob("*.yaml")):
        decl = load_yaml_file(path)
        declarations[decl["name"]] = decl
    # Categories declared on a field, addressable as "table.field" for same_categories_as.
    categories = {
        f"{name}.{f['name']}": f["categories"]
        for name, decl in declarations.items()
        for f in decl["schema"]["fields"]
        if "categories" in f
    }
    order = [n for n in TABLE_ORDER if n in declarations] + sorted(set(declarations) - set(TABLE_ORDER))
    tables = {}
    for name in order:
        decl = declarations[name]
        schema = decl["schema"]
        tables[name] = TableSpec(
            name=name,
            title=decl["title"],
            description=" ".join(decl["description"].split()),
            group=decl.get("group", "core"),
            fields=tuple(_field_from_declaration(f, categories) for f in schema["fields"]),
            primary_key=tuple(schema["primaryKey"]),
            foreign_keys=tuple(schema.get("foreignKeys", [])),
            annotation=decl.get("annotation", {}),
            registry=decl.get("registry"),
        )
    return tables


def annotated_tables(tables: dict[str, TableSpec] | None = None) -> dict[str, TableSpec]:
    """Tables with a section of their own in annotation files (crossings, incidents, ...)."""
    tables = tables or load_tables()
    return {t.annotation["section"]: t for t in tables.values() if "section" in t.annotation}


def child_tables(parent: TableSpec, tables: dict[str, TableSpec] | None = None) -> dict[str, TableSpec]:
    """Nested lists of a record (meeting participants, agreement parties and events)."""
    tables = tables or load_tables()
    return {key: tables[name] for key, name in parent.annotation.get("children", {}).items()}


# --- Arrow ------------------------------------------------------------------------------

def arrow_type(field_spec: FieldSpec):
    import pyarrow as pa

    return {
        "string": pa.string(),
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
    }[field_spec.type]


def arrow_schema(table: TableSpec):
    """Arrow schema with each field's description as field metadata (it travels into Parquet)."""
    import pyarrow as pa

    return pa.schema(
        [
            pa.field(f.name, arrow_type(f), nullable=not f.required, metadata={"description": f.description})
            for f in table.fields
        ],
        metadata={"name": table.name, "description": table.description},
    )


# --- Pandera ----------------------------------------------------------------------------

def pandera_schema(table: TableSpec):
    """Pandera schema for the table as pandas with Arrow-backed dtypes (see core.tables)."""
    import pandas as pd
    import pandera.pandas as pa_schema

    from pipelines.core.cross_field_checks import CROSS_FIELD_CHECKS

    columns = {}
    for f in table.fields:
        checks = []
        if f.enum:
            checks.append(pa_schema.Check.isin(list(f.enum), ignore_na=True))
        if f.pattern:
            checks.append(pa_schema.Check.str_matches(f.pattern, ignore_na=True))
        if f.minimum is not None:
            checks.append(pa_schema.Check.ge(f.minimum, ignore_na=True))
        if f.maximum is not None:
            checks.append(pa_schema.Check.le(f.maximum, ignore_na=True))
        columns[f.name] = pa_schema.Column(
            pd.ArrowDtype(arrow_type(f)),
            checks=checks,
            nullable=not f.required,
            unique=f.unique,
            description=f.description,
        )
    return pa_schema.DataFrameSchema(
        columns,
        checks=CROSS_FIELD_CHECKS.get(table.name, []),
        unique=list(table.primary_key) if len(table.primary_key) > 1 else None,
        strict=True,
        ordered=True,
        name=table.name,
        description=table.description,
    )
