"""The table registry: `schemas/tables/*.yaml`, and the one field model derived from it.

Each published table is declared once, in Frictionless Table Schema style, with keys
that say where it sits and how it is made:

- `group`: `core` (built by SQL from what the sources say) or `reference` (official
  statistics read from a file); `order`: its place in the data package and the codebook;
- `build`: `{sql: <file>, macros: [<file>...]}` for a table built by a SQL file in
  pipelines/core/sql/, `{reader: <module>.<function>, folder: <id>}` for a table read
  from sources/reference/<id>/ by a function in pipelines/reference/, or
  `{gather: reader_issues}` for the readers' data-quality issues;
- `attribution`: `{draws_on: [<reference folder>...], licence: source|package|row, rights: <note>}`,
  the official files the table is drawn from, whose licence governs it (`row`: each row's
  own, named in its columns licence_id, licence_name, licence_url, as in source_texts), and
  what that licence does not cover (absent: the package's licence, nothing drawn on);
- `not_published: <reason>`: the table is built and checked like the others and core SQL
  may read it, but it is left out of build/data, the data package and every release (the
  codebook lists it as used for checks, with the reason);
- on a field, `annotation: required|optional` means contributors type it in an annotation
  file and `registry: required|optional` in a registry file (neither: derived);
  `categories: [{value, label}]` lists the allowed values (`same_categories_as:
  table.field` reuses another field's list); a category may add `countries: [..]` (the
  countries a route touches, checked against a record's places and countries) or
  `signed: true` (a measure whose value may be negative, such as a percentage change);
  `also_allowed: [{value, label}]` lists values a field accepts beside its pattern and
  country check, each saying what it means (`EU`, the code ISO 3166-1 reserves for the
  European Union, is a party to agreements but not a place's or a crossing's country).

`FieldSpec` is the one field model: it becomes a Frictionless field, an Arrow field, a
Pandera column, a JSON Schema property and an SQLite column, and checks a typed-in value for `validate`.
No other module translates a declared constraint.

Imported by `borderlines validate`: pandas, pandera and pyarrow are imported inside the
methods that need them, never at module level.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipelines.ingest.safety import FORMULA_HINT_VALUE, formula_risk, url_problem

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = REPO_ROOT / "schemas" / "tables"
SQL_DIR = Path(__file__).resolve().parent / "core" / "sql"
READER_PACKAGE = "pipelines.reference"

GROUPS = ("core", "reference")
TABLE_KEYS = {"name", "title", "description", "group", "order", "build", "attribution", "schema", "annotation",
              "registry", "not_published"}
CATEGORY_KEYS = {"value", "label", "countries", "signed"}
# The reference files' own licences govern the table, or the package's, or each row's own (source_texts).
LICENCE_RULES = ("source", "package", "row")


class DeclarationError(ValueError):
    """A table declaration in schemas/tables/ is wrong; the message names the file."""


CHECKED_VALUES_KEPT = 1024  # answers of FieldSpec.check_value kept per field
_TYPE_NAMES = {"string": "text", "integer": "a whole number", "number": "a number",
               "boolean": "true or false", "date": "a date (YYYY-MM-DD) or a date phrase"}
_JSON_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean"}


@functools.lru_cache(maxsize=None)
def _compiled(regex: str) -> re.Pattern:
    return re.compile(regex)


@functools.lru_cache(maxsize=4096)
def is_country_code(code: str) -> bool:
    """ISO 3166-1 alpha-2, checked against pycountry's copy of the standard."""
    import pycountry  # imported on first use: loading its database costs time

    return pycountry.countries.get(alpha_2=code) is not None


def is_country_field(name: str) -> bool:
    return name == "country" or name.endswith("_country")


def did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


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
    default: Any = None  # what an annotation that leaves the field out means (qualifier: exact)
    # What a merged row publishes when no source states the field (a party's role): unlike
    # `default`, a source that leaves it out says nothing, so it neither wins nor disagrees.
    merged_default: Any = None
    countries: dict[str, tuple[str, ...]] = field(default_factory=dict)  # category -> countries it touches
    signed: frozenset[str] = frozenset()  # categories whose value may be negative
    also_allowed: dict[str, str] = field(default_factory=dict)  # value -> what it means (EU in a party's country)
    # check_value's answers by (type, value); see there. Not part of the declaration.
    _checked: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    # --- Frictionless ---------------------------------------------------------------------
    def to_frictionless(self) -> dict[str, Any]:
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

    # --- Arrow ----------------------------------------------------------------------------
    def arrow_type(self):
        import pyarrow as pa

        return {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(),
                "date": pa.date32()}[self.type]

    def to_arrow(self):
        """An Arrow field with the description as field metadata (it travels into Parquet)."""
        import pyarrow as pa

        return pa.field(self.name, self.arrow_type(), nullable=not self.required,
                        metadata={"description": self.description})

    # --- Pandera --------------------------------------------------------------------------
    def to_pandera(self):
        """A Pandera column over pandas with Arrow-backed dtypes (the Parquet types)."""
        import pandas as pd
        import pandera.pandas as pa_schema

        checks = []
        if self.enum:
            checks.append(pa_schema.Check.isin(list(self.enum), ignore_na=True))
        if self.pattern:
            checks.append(pa_schema.Check.str_matches(self.pattern, ignore_na=True))
        if self.minimum is not None:
            checks.append(pa_schema.Check.ge(self.minimum, ignore_na=True))
        if self.maximum is not None:
            checks.append(pa_schema.Check.le(self.maximum, ignore_na=True))
        return pa_schema.Column(pd.ArrowDtype(self.arrow_type()), checks=checks, nullable=not self.required,
                                unique=self.unique, description=self.description)

    # --- SQLite (the release's .sqlite file, for the explorer) ----------------------------
    def sqlite_type(self) -> str:
        """SQLite has no date or boolean type: dates are ISO text, booleans 0/1."""
        return {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER",
                "date": "TEXT"}[self.type]

    def to_sqlite(self) -> str:
        """The column's definition, with its description as an SQL comment (kept in sqlite_master)."""
        return (f'"{self.name}" {self.sqlite_type()}' + (" NOT NULL" if self.required else "")
                + ",  -- " + " ".join(self.description.split()))

    # --- JSON Schema (for editors) --------------------------------------------------------
    def to_json_schema(self, required: bool) -> dict[str, Any]:
        if self.type == "date":
            out: dict[str, Any] = {"$ref": "#/$defs/date"}
            return out if required else {"anyOf": [out, {"type": "null"}], "description": self.description}
        out = {"type": _JSON_TYPES[self.type] if required else [_JSON_TYPES[self.type], "null"],
               "description": self.description}
        if self.enum:
            out["enum"] = list(self.enum) + ([] if required else [None])
            out["description"] += " " + "; ".join(f"{v}: {self.labels[v]}" for v in self.enum)
        if self.pattern:
            out["pattern"] = self.pattern
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        if self.default is not None:
            out["default"] = self.default
        return out

    # --- validate -------------------------------------------------------------------------
    def check_value(self, value: Any) -> tuple[str, str] | None:
        """None when a typed-in value fits the field; else (message, hint) for `validate`.
        Null is checked by callers; a date field also accepts a phrase (see ingest.dates).

        A corpus types the same few values of a field thousands of times (a route, a country,
        a qualifier: 426,000 checks of 64,000 distinct values for 2,000 sources), so each
        field keeps its answers. The answer depends on the value alone; the key holds its
        type because True, 1 and 1.0 are equal keys but not equally valid. At most
        CHECKED_VALUES_KEPT per field: ids and free text do not repeat, and the memory stays small."""
        try:
            key = (value.__class__, value)
            return self._checked[key]
        except KeyError:
            pass
        except TypeError:  # a list or a mapping typed in for a value: not hashable, not kept
            return self._check_value(value)
        answer = self._check_value(value)
        if len(self._checked) < CHECKED_VALUES_KEPT:
            self._checked[key] = answer
        return answer

    def _check_value(self, value: Any) -> tuple[str, str] | None:
        expected = _TYPE_NAMES[self.type]
        if self.type in ("string", "date"):
            ok = isinstance(value, str)
        elif self.type == "integer":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif self.type == "number":
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        else:
            ok = isinstance(value, bool)
        if not ok:
            hint = "write digits only, without separators or quotes" if self.type in ("integer", "number") else ""
            if self.type == "string" and isinstance(value, (int, float, bool)):
                hint = "put the value in quotes"
            return f"{self.name} must be {expected}, not {type(value).__name__} {value!r}", hint
        if self.type == "string" and not value.strip():
            return f"{self.name} is empty", "write a value, or null when it is unknown"
        if self.type == "string":
            # Published as CSV too: no spreadsheet formula, no script link (ingest/safety.py).
            risk = formula_risk(value)
            if risk:
                return f"{self.name} {risk}", FORMULA_HINT_VALUE
            if self.format == "uri" and url_problem(value):
                return (f"{self.name} {value!r} {url_problem(value)}",
                        "write the address as the browser shows it, e.g. https://example.org/news/1")
        if value in self.also_allowed:
            return None  # declared on this field only, e.g. EU as an agreement's party
        if self.enum and value not in self.enum:
            return (f"{self.name} {value!r} is not one of the allowed values",
                    " ".join(filter(None, [did_you_mean(value, self.enum), "allowed: " + ", ".join(self.enum)])))
        if self.pattern and not _compiled(self.pattern).match(value):
            if is_country_field(self.name):
                return (f"{self.name} {value!r} is not an ISO 3166-1 alpha-2 code",
                        "use two capital letters, e.g. GB (not UK), IT, FR")
            if self.name.endswith("_id"):
                return (f"{self.name} {value!r} is not a valid id",
                        "use lowercase letters, digits and single hyphens, e.g. rishi-sunak")
            return f"{self.name} {value!r} does not match the pattern {self.pattern}", ""
        if is_country_field(self.name) and not is_country_code(value):
            return f"{self.name} {value!r} is not an ISO 3166-1 alpha-2 country code", "e.g. GB (not UK), IT, FR, AL"
        if self.minimum is not None and value < self.minimum:
            return (f"{self.name} {value!r} is below the minimum {self.minimum:g}",
                    "a count is never negative: write it as the source gives it, or null if unknown"
                    if self.minimum == 0 else f"use a value of at least {self.minimum:g}")
        if self.maximum is not None and value > self.maximum:
            return f"{self.name} {value!r} is above the maximum {self.maximum:g}", ""
        return None


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str
    description: str
    group: str
    order: int
    build: dict[str, Any]  # {sql, macros} | {reader, folder} | {gather}
    attribution: dict[str, Any]  # {draws_on, licence} or {}
    fields: tuple[FieldSpec, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[dict[str, Any], ...]
    annotation: dict[str, Any]  # section/id_field/merge/children, or parent/list for child tables
    registry: str | None  # registry file name under sources/registry/
    not_published: str | None = None  # why the table is left out of the data package, or None (published)

    @property
    def published(self) -> bool:
        return self.not_published is None

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

    @property
    def references(self) -> list[str]:
        """Tables this one's foreign keys point to (itself left out)."""
        return sorted({fk["reference"]["resource"] for fk in self.foreign_keys} - {self.name})

    def to_frictionless(self) -> dict[str, Any]:
        out: dict[str, Any] = {"fields": [f.to_frictionless() for f in self.fields],
                               "primaryKey": list(self.primary_key)}
        if self.foreign_keys:
            out["foreignKeys"] = [dict(fk) for fk in self.foreign_keys]
        # Only an empty cell is missing: a text "nan" or "NA" stays text (publish/datapackage.py
        # adds pandas' NaN to the numeric fields of Parquet resources).
        out["missingValues"] = [""]
        return out

    def to_arrow(self):
        """Arrow schema with descriptions as field and schema metadata."""
        import pyarrow as pa

        return pa.schema([f.to_arrow() for f in self.fields],
                         metadata={"name": self.name, "description": self.description})

    def to_sqlite(self, tables: set[str]) -> str:
        """CREATE TABLE with the primary key and the foreign keys into `tables` (those written to
        the same file); each column carries its description as a comment."""
        def names(fields) -> str:
            return ", ".join(f'"{f}"' for f in fields)

        lines = [f.to_sqlite() for f in self.fields]
        keys = [f"PRIMARY KEY ({names(self.primary_key)})"]
        keys += [f'FOREIGN KEY ({names(fk["fields"])}) REFERENCES "{fk["reference"]["resource"]}" '
                 f'({names(fk["reference"]["fields"])})'
                 for fk in self.foreign_keys if fk["reference"]["resource"] in tables]
        # A comment ends at the line's end, so the comma of each column stands before it.
        body = "\n  ".join(lines) + "\n  " + ",\n  ".join(keys)
        return f'CREATE TABLE "{self.name}" (  -- {self.description}\n  {body}\n)'

    def to_pandera(self):
        """The Pandera schema: every field's column, plus the table's cross-field rules."""
        import pandera.pandas as pa_schema

        from pipelines.core.cross_field_checks import CROSS_FIELD_CHECKS

        return pa_schema.DataFrameSchema(
            {f.name: f.to_pandera() for f in self.fields},
            checks=CROSS_FIELD_CHECKS.get(self.name, []),
            unique=list(self.primary_key) if len(self.primary_key) > 1 else None,
            strict=True, ordered=True, name=self.name, description=self.description,
        )


def load_trusted_yaml(path: str | Path) -> Any:
    """A YAML file of the repository itself (schemas/, provenance.yaml), read with PyYAML's
    C loader. Contributors' files go through pipelines/ingest/yamlfile.py, for line numbers."""
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _field_from_declaration(decl: dict[str, Any], categories: dict[str, list[dict]]) -> FieldSpec:
    constraints = decl.get("constraints", {})
    cats = decl.get("categories")
    if cats is None and "same_categories_as" in decl:
        cats = categories[decl["same_categories_as"]]
    for cat in cats or []:
        # An unquoted comma inside a flow mapping silently splits a label: refuse it.
        if not {"value", "label"} <= set(cat) <= CATEGORY_KEYS or not isinstance(cat["label"], str):
            raise ValueError(f"field {decl['name']!r}: category {cat!r} must have a value and a label, and may have "
                             "countries and signed (quote labels that contain commas)")
        if "countries" in cat and not (isinstance(cat["countries"], list)
                                       and all(isinstance(c, str) and is_country_code(c) for c in cat["countries"])):
            raise ValueError(f"field {decl['name']!r}: category {cat['value']!r}: countries must be a list of "
                             "ISO 3166-1 alpha-2 codes")
    also_allowed = decl.get("also_allowed", [])
    if not (isinstance(also_allowed, list) and all(isinstance(a, dict) and set(a) == {"value", "label"}
                                                   and all(isinstance(v, str) for v in a.values())
                                                   for a in also_allowed)):
        raise ValueError(f"field {decl['name']!r}: also_allowed must be a list of {{value, label}} (what the value "
                         "means)")
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
        merged_default=decl.get("merged_default"),
        countries={c["value"]: tuple(c["countries"]) for c in cats or [] if "countries" in c},
        signed=frozenset(c["value"] for c in cats or [] if c.get("signed") is True),
        also_allowed={a["value"]: a["label"] for a in also_allowed},
    )


def _check_declaration(path: Path, decl: Any) -> None:
    """Refuse a declaration the pipeline could not build or publish, naming the file."""
    def fail(message: str):
        raise DeclarationError(f"{path.name}: {message}")

    if not isinstance(decl, dict):
        fail("expected a mapping of name, title, description, group, order, build, schema")
    unknown = sorted(set(decl) - TABLE_KEYS)
    if unknown:
        fail(f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(TABLE_KEYS))}")
    for key in ("name", "title", "description", "group", "order", "build", "schema"):
        if key not in decl:
            fail(f"has no `{key}:`")
    if decl["name"] != path.stem:
        fail(f"declares table {decl['name']!r}; the file must be named after its table ({decl['name']}.yaml)")
    if decl["group"] not in GROUPS:
        fail(f"group {decl['group']!r} is not one of {', '.join(GROUPS)}")
    if not isinstance(decl["order"], int):
        fail("order must be a whole number (its place in the data package and the codebook)")
    build = decl["build"]
    if not isinstance(build, dict) or len({"sql", "reader", "gather"} & set(build)) != 1:
        fail("build must say how the table is made: {sql: FILE}, {reader: MODULE.FUNCTION, folder: ID} "
             "or {gather: reader_issues}")
    if "sql" in build:
        for file in [build["sql"], *build.get("macros", [])]:
            if not (SQL_DIR / file).is_file():
                fail(f"build names pipelines/core/sql/{file}, which does not exist: write it, or fix the name")
    if "reader" in build:
        if decl["group"] != "reference" or not build.get("folder"):
            fail("a table read by a reader is in group reference and names its folder under sources/reference/")
        if not re.fullmatch(r"[a-z_]+\.[a-z_]+", str(build["reader"])):
            fail(f"reader {build['reader']!r} must be MODULE.FUNCTION of {READER_PACKAGE}")
    if "gather" in build and build["gather"] != "reader_issues":
        fail(f"gather {build['gather']!r}: only reader_issues is known")
    if "not_published" in decl and not (isinstance(decl["not_published"], str) and decl["not_published"].strip()):
        fail("not_published must say why the table is left out of the data package (a sentence)")
    attribution = decl.get("attribution", {})
    if attribution and (set(attribution) - {"draws_on", "licence", "rights"}
                        or attribution.get("licence") not in LICENCE_RULES
                        or (attribution["licence"] == "source" and not attribution.get("draws_on"))
                        or not isinstance(attribution.get("rights", "-"), str)):
        fail("attribution must be {licence: source|package|row, draws_on: [reference folder, ...] (needed with "
             "licence: source), rights: a note of what the licence does not cover (optional)}")


@functools.lru_cache(maxsize=None)
def load_tables(schema_dir: Path = SCHEMA_DIR) -> dict[str, TableSpec]:
    """Every table declaration, keyed by table name, in declared `order`."""
    declarations = {}
    for path in sorted(Path(schema_dir).glob("*.yaml")):
        decl = load_trusted_yaml(path)
        _check_declaration(path, decl)
        declarations[decl["name"]] = decl
    # Categories declared on a field, addressable as "table.field" for same_categories_as.
    categories = {
        f"{name}.{f['name']}": f["categories"]
        for name, decl in declarations.items()
        for f in decl["schema"]["fields"]
        if "categories" in f
    }
    tables = {}
    for name in sorted(declarations, key=lambda n: (declarations[n]["order"], n)):
        decl = declarations[name]
        schema = decl["schema"]
        tables[name] = TableSpec(
            name=name,
            title=decl["title"],
            description=" ".join(decl["description"].split()),
            group=decl["group"],
            order=decl["order"],
            build=dict(decl["build"]),
            attribution=dict(decl.get("attribution") or {}),
            fields=tuple(_field_from_declaration(f, categories) for f in schema["fields"]),
            primary_key=tuple(schema["primaryKey"]),
            foreign_keys=tuple(schema.get("foreignKeys", [])),
            annotation=decl.get("annotation", {}),
            registry=decl.get("registry"),
            not_published=" ".join(decl["not_published"].split()) if "not_published" in decl else None,
        )
    for table in tables.values():
        for target in table.references:
            if target not in tables:
                raise DeclarationError(f"{table.name}.yaml: a foreign key refers to {target!r}, which is not declared")
    return tables


def published_tables(tables: dict[str, TableSpec] | None = None) -> list[str]:
    """Tables written to build/data and releases, in declared order (not those declared not_published)."""
    return [name for name, t in (tables or load_tables()).items() if t.published]


def tables_in_group(group: str, tables: dict[str, TableSpec] | None = None) -> list[str]:
    return [name for name, t in (tables or load_tables()).items() if t.group == group]


def annotated_tables(tables: dict[str, TableSpec] | None = None) -> dict[str, TableSpec]:
    """Tables with a section of their own in annotation files (crossings, incidents, ...)."""
    tables = tables or load_tables()
    return {t.annotation["section"]: t for t in tables.values() if "section" in t.annotation}


def child_tables(parent: TableSpec, tables: dict[str, TableSpec] | None = None) -> dict[str, TableSpec]:
    """Nested lists of a record (meeting participants, agreement parties and events)."""
    tables = tables or load_tables()
    return {key: tables[name] for key, name in parent.annotation.get("children", {}).items()}


