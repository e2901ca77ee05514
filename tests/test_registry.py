"""The table registry drives every table: adding one is its YAML and its SQL file; a
declaration the pipeline cannot build fails with a message naming the file; and the
code under pipelines/ has no import circles."""

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import FIXTURE
from pipelines.schemas import REPO_ROOT, SCHEMA_DIR, DeclarationError, load_tables

PACKAGE = REPO_ROOT / "pipelines"


# --- a table added as YAML + SQL ----------------------------------------------------------

NEW_TABLE = """\
name: route_counts
title: Figures per route
description: >-
  How many figures the sources report about each route (a table added to test the registry).
group: core
order: 145
build: {sql: route_counts.sql}
schema:
  primaryKey: [route]
  fields:
    - name: route
      type: string
      description: Migration route.
      constraints: {required: true, unique: true}
    - name: figures
      type: integer
      description: Figures reported about the route.
      constraints: {required: true, minimum: 1}
"""

NEW_SQL = """\
-- route_counts: how many crossings figures each route has.
SELECT route, count(*) AS figures FROM crossings GROUP BY route ORDER BY route
"""

BUILD_AND_REPORT = """\
import contextlib, io, json, sys
import dagster as dg
from pipelines.assets.definitions import defs
from pipelines.cli import main
from pipelines.publish.codebook import render_codebook

with contextlib.redirect_stdout(io.StringIO()):
    status = main(["build"])  # as `make data` runs it, in the copied repository
graph = defs.resolve_asset_graph()
node = graph.get(dg.AssetKey("route_counts"))
checks = sorted(k.name for k in graph.asset_check_keys if k.asset_key == dg.AssetKey("route_counts"))
print(json.dumps({
    "status": status, "group": node.group_name, "parents": sorted(p.to_user_string() for p in node.parent_keys),
    "checks": checks, "in_codebook": "## `route_counts`: Figures per route" in render_codebook(),
}))
"""


def _copy_code(target: Path) -> Path:
    """The code and declarations of the repository, without its data or releases."""
    for folder in ("pipelines", "schemas"):
        shutil.copytree(REPO_ROOT / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def test_a_table_added_as_yaml_and_sql_is_built_checked_published_and_documented(tmp_path):
    """In a copy of the repository (code, declarations, the hand-made corpus, a codebook):
    add a table as its YAML and its SQL file, make the generated docs stale, and run
    `borderlines build` as `make data` does. The table is built, checked and published, the
    codebook would document it, and the build changes no tracked file (docs are `make
    docs`' job)."""
    repo = _copy_code(tmp_path / "repo")
    shutil.copytree(FIXTURE / "sources", repo / "sources")
    (repo / "datasets").mkdir()
    shutil.copy(REPO_ROOT / "datasets" / "CODEBOOK.md", repo / "datasets" / "CODEBOOK.md")
    (repo / "schemas" / "tables" / "route_counts.yaml").write_text(NEW_TABLE, encoding="utf-8")
    (repo / "pipelines" / "core" / "sql" / "route_counts.sql").write_text(NEW_SQL, encoding="utf-8")
    people = repo / "schemas" / "tables" / "people.yaml"
    people.write_text(people.read_text().replace("description: People named", "description: Everyone named", 1))
    assert "Everyone named" in people.read_text()
    before = _tree(repo)
    env = {**os.environ, "PYTHONPATH": str(repo), "DAGSTER_HOME": str(tmp_path / "dagster")}
    out = subprocess.run([sys.executable, "-c", BUILD_AND_REPORT], capture_output=True, text=True, env=env, cwd=repo)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["status"] == 0, out.stderr[-3000:]
    assert report["group"] == "core"
    assert "crossings" in report["parents"]  # read from its SQL: built after the table it reads
    assert report["checks"] == ["schema"]
    assert report["in_codebook"]
    data = repo / "build" / "data"
    descriptor = json.loads((data / "datapackage.json").read_text())
    names = [r["name"] for r in descriptor["resources"]]
    assert names.index("route_counts") == names.index("conflicts_csv") + 1  # order 145: after conflicts (140)
    assert {"route_counts", "route_counts_csv"} <= set(names)
    rows = (data / "csv" / "route_counts.csv").read_text().splitlines()
    assert rows[0].replace('"', "") == "route,figures" and len(rows) > 1
    after = {path: content for path, content in _tree(repo).items() if not path.startswith("build/")}
    assert after == before, "the build changed tracked files"


# --- declarations the pipeline cannot build -----------------------------------------------

def _declarations_with(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "tables"
    shutil.copytree(SCHEMA_DIR, folder)
    (folder / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def test_a_declared_table_without_its_sql_file_is_refused_naming_both(tmp_path):
    folder = _declarations_with(tmp_path, "route_counts", NEW_TABLE)
    with pytest.raises(DeclarationError, match=r"route_counts\.yaml: build names pipelines/core/sql/route_counts\.sql, "
                                                r"which does not exist"):
        load_tables(folder)


def test_a_declared_reference_table_without_its_reader_is_refused(tmp_path):
    from pipelines.reference.load import find_reader

    text = NEW_TABLE.replace("group: core", "group: reference").replace(
        "build: {sql: route_counts.sql}", "build: {reader: uk_small_boats.read_monthly, folder: uk-home-office-small-boats}")
    tables = load_tables(_declarations_with(tmp_path, "route_counts", text))
    with pytest.raises(LookupError, match="route_counts.yaml names the reader uk_small_boats.read_monthly"):
        find_reader(tables["route_counts"])


@pytest.mark.parametrize("change, message", [
    (("group: core", "group: staging"), "group 'staging' is not one of core, reference"),
    (("order: 145\n", ""), "has no `order:`"),
    (("build: {sql: route_counts.sql}", "build: {}"), "build must say how the table is made"),
    (("title:", "tittle:"), "unknown key"),
    (("name: route_counts", "name: route_totals"), "the file must be named after its table"),
    (("order: 145\n", "order: 145\nnot_published: ' '\n"), "not_published must say why the table is left out"),
])
def test_a_malformed_declaration_is_refused_with_its_file_name(tmp_path, change, message):
    text = NEW_TABLE.replace(*change).replace("build: {sql: route_counts.sql}", "build: {sql: crossings.sql}")
    with pytest.raises(DeclarationError, match="route_counts.yaml") as err:
        load_tables(_declarations_with(tmp_path, "route_counts", text))
    assert message in str(err.value)


def test_every_declared_table_is_an_asset_of_its_group_and_published_unless_declared_not_published():
    from pipelines.assets.definitions import PUBLISHED_TABLES, defs

    graph = defs.resolve_asset_graph()
    for name, table in load_tables().items():
        import dagster as dg

        assert graph.get(dg.AssetKey(name)).group_name == table.group
    assert PUBLISHED_TABLES == [name for name, t in load_tables().items() if t.not_published is None]
    assert "frontex_detections" not in PUBLISHED_TABLES and "frontex_detections" in load_tables()


# --- no import circles ------------------------------------------------------------------

def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str) -> set[str]:
    """Modules of pipelines this file imports, at module level or inside functions."""
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("pipelines")}


def import_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        # Importing a.b.c runs a/__init__ and a/b/__init__ too: they count as imported.
        targets = set()
        for target in _imports(path, name):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                targets.add(target)
        graph[name] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_find_cycle_finds_a_circle_and_accepts_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_pipelines_has_no_import_circles():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_library_code_does_not_import_the_cli():
    graph = import_graph()
    front_ends = {"pipelines.cli", "pipelines.commands", "pipelines.contribute.commands"}
    offenders = sorted(name for name, targets in graph.items() if name not in front_ends and targets & front_ends)
    assert not offenders, f"library modules importing the CLI: {offenders}"
