"""Library code does not depend on the command line: it raises pipelines.errors, takes plain
arguments, and has no entry point of its own; `borderlines` parses and prints."""

import ast
import inspect
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import FIXTURE, REPO
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


def _run_command(args: list[str], **options) -> subprocess.CompletedProcess:
    """`borderlines` as its script runs it (`pipelines.cli.run`), output buffered as in a shell."""
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, "-c", "from pipelines.cli import run; run()", *args],
                          cwd=REPO, env=buffered, **options)


def test_the_command_ends_with_its_exit_code_and_all_its_output(tmp_path, capsys):
    """`borderlines` ends its process without tearing the interpreter down: what it printed
    must still reach a pipe whole, and its exit code is main's."""
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["borderlines"] == "pipelines.cli:run"
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE, corpus)
    annotations = next((corpus / "sources" / "news").glob("*/annotations.yaml"))
    annotations.write_text(annotations.read_text(encoding="utf-8") + "unknown_section: []\n", encoding="utf-8")
    for root, expected_code in ((FIXTURE, 0), (corpus, 1)):
        args = ["--root", str(root), "validate", "--format", "json"]
        ran = _run_command(args, capture_output=True, text=True)
        assert main(args) == expected_code == ran.returncode, ran.stderr
        assert json.loads(ran.stdout) == json.loads(capsys.readouterr().out)  # nothing left in a buffer


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_that_cannot_be_written_fails_the_command():
    with open("/dev/full", "w") as full:
        ran = _run_command(["--root", str(FIXTURE), "validate", "--format", "json"], stdout=full,
                           stderr=subprocess.PIPE, text=True)
    assert ran.returncode == 120
    assert "borderlines: cannot write its output: [Errno 28] No space left on device" in ran.stderr


def test_threads_and_exit_handlers_end_before_the_process_does():
    """What Python's exit does before its teardown, in its order: a thread that is not a
    daemon is waited for, then the exit handlers run, and what both print reaches the pipe."""
    script = ("import atexit, threading, time, pipelines.cli as cli\n"
              "def main():\n"
              "    atexit.register(print, 'exit handler')\n"
              "    threading.Thread(target=lambda: (time.sleep(0.3), print('thread'))).start()\n"
              "    return 3\n"
              "cli.main = main\n"
              "cli.run()")
    ran = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True,
                         env={name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"})
    assert (ran.returncode, ran.stdout.splitlines()) == (3, ["thread", "exit handler"]), ran.stderr


def test_what_libraries_registered_for_the_exit_still_runs(tmp_path):
    """The process ends without Python's teardown, but not without the exit handlers: with a
    configuration folder it cannot write, matplotlib makes one in the temporary folder and
    removes it at exit (a build draws its charts with matplotlib)."""
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("", encoding="utf-8")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    environment.update(MPLCONFIGDIR=str(not_a_folder / "matplotlib"), TMPDIR=str(temporary))
    script = ("import pipelines.cli as cli, tempfile, matplotlib\n"
              "cli.main = lambda: print(matplotlib.get_configdir(), tempfile.gettempdir()) or 0\n"
              "cli.run()")
    ran = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=environment, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    made, where = ran.stdout.split()
    assert Path(made).parent == temporary and Path(where) == temporary  # the folder matplotlib made, in TMPDIR
    assert not list(temporary.iterdir())  # and removed at the end
