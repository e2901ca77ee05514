"""Library code does not depend on the command line: it raises pipelines.errors, takes plain
arguments, and has no entry point of its own; `borderlines` parses and prints."""

import ast
import inspect
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURE
from pipelines.cli import main

PIPELINES = Path(__file__).resolve().parent.parent / "pipelines"
FRONT_ENDS = {"cli.py", "commands.py", "contribute/commands.py"}


def _library_modules() -> list[Path]:
    return [p for p in sorted(PIPELINES.rglob("*.py")) if p.relative_to(PIPELINES).as_posix() not in FRONT_ENDS]


def _imported(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_errors_module_imports_nothing_from_pipelines():
    tree = ast.parse((PIPELINES / "errors.py").read_text(encoding="utf-8"))
    assert not {name for name in _imported(tree) if name.startswith("pipelines")}


@pytest.mark.parametrize("path", _library_modules(), ids=lambda p: p.relative_to(PIPELINES).as_posix())
def test_library_module_neither_imports_the_cli_nor_runs_as_a_script(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not _imported(tree) & {"pipelines.cli", "pipelines.commands", "pipelines.contribute.commands"}
    main_blocks = [node for node in tree.body if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)]
    assert not main_blocks or path.name == "__main__.py", "a library module is run through `borderlines`"


def test_new_source_takes_plain_arguments():
    from pipelines.contribute.new_source import create_source, plan_source

    for function in (create_source, plan_source):
        assert "args" not in inspect.signature(function).parameters


def test_suggest_measure_is_a_flag_of_suggest(tmp_path, capsys):
    root = tmp_path / "corpus"
    shutil.copytree(FIXTURE, root)
    assert main(["--root", str(root), "suggest", "--measure"]) == 0
    out = capsys.readouterr().out
    assert "numbers recall" in out and out.splitlines()[-1].startswith("total")
    assert main(["--root", str(root), "suggest", "--measure", "2024-03-04-fixture-strait-talks"]) == 2
    assert "give no source id" in capsys.readouterr().err
    assert main(["--root", str(root), "suggest"]) == 2
    assert "give the id of the source" in capsys.readouterr().err


def test_outside_a_repository_is_a_usage_error(tmp_path, capsys):
    assert main(["--root", str(tmp_path), "validate"]) == 2
    assert "is not inside a Borderlines repository" in capsys.readouterr().err
