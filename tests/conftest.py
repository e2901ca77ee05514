"""What the tests share: the hand-made corpus, and the builds that are made once per session.

A build takes seconds (the real sources most of all), so each corpus is built once per test
session, here, and the tests read that build. A test that changes a build works on a copy
of it (`shutil.copytree` into its own tmp_path); a test that needs a build of a corpus it
changed builds it itself.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
FIXTURE = TESTS / "fixtures" / "corpus"  # the hand-made corpus: five sources, every table
VENV_BIN = Path(sys.executable).parent  # borderlines, frictionless, duckdb of this venv


def build(root: Path, build_dir: Path):
    """Build the corpus at root into build_dir in-process, on an ephemeral Dagster instance."""
    import dagster as dg

    from pipelines.assets.run import run_build

    return run_build(root, build_dir, instance=dg.DagsterInstance.ephemeral())


def failed_checks(result) -> list[str]:
    """The report of every failed check of a build's result."""
    from pipelines.assets.run import failed_checks as failed

    return failed(result)


@dataclass(frozen=True)
class Build:
    path: Path  # the build folder: data/, borderlines.duckdb, cache/
    result: object  # Dagster's ExecuteInProcessResult: check evaluations, materializations


def _built(root: Path, build_dir: Path) -> Build:
    result = build(root, build_dir)
    assert result.success, failed_checks(result)
    return Build(build_dir, result)


@pytest.fixture(scope="session")
def fixture_build_result(tmp_path_factory) -> Build:
    """The hand-made corpus, built once. Read it; copy it before changing anything in it."""
    return _built(FIXTURE, tmp_path_factory.mktemp("fixture-build"))


@pytest.fixture(scope="session")
def fixture_build(fixture_build_result) -> Path:
    return fixture_build_result.path


@pytest.fixture(scope="session")
def real_build_result(tmp_path_factory) -> Build:
    """The repository's own sources (news and official statistics), built once."""
    return _built(REPO, tmp_path_factory.mktemp("real-build"))


@pytest.fixture(scope="session")
def real_build(real_build_result) -> Path:
    return real_build_result.path


@contextlib.contextmanager
def scratch_dagster_home(fallback: Path) -> Iterator[Path]:
    """An empty DAGSTER_HOME for a test that runs Dagster as `make data` or `make ui` do, with
    its SQLite instance: in memory (/dev/shm) where the machine has it, because SQLite's
    fsyncs on a busy disk make such a build three times slower; else the fallback folder."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        with tempfile.TemporaryDirectory(prefix="borderlines-dagster-", dir=shm) as home:
            yield Path(home)
    else:
        fallback.mkdir(parents=True, exist_ok=True)
        yield fallback


@pytest.fixture
def dagster_home(tmp_path) -> Iterator[Path]:
    with scratch_dagster_home(tmp_path / "dagster_home") as home:
        yield home


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A copy of the hand-made corpus, to change."""
    root = tmp_path / "corpus"
    shutil.copytree(FIXTURE, root)
    return root


# --- editing a copied corpus, and reading validate's problems --------------------------------

def edit(root: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    """Replace text in a file of a copied corpus; the test's setup fails if old is not there."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(root: Path, rel: str, needle: str) -> int:
    """The first line of a file that contains needle (1-based)."""
    for n, line in enumerate((root / rel).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def only(problems: list[dict], code: str) -> dict:
    """The first problem with this code; fails listing the problems there are."""
    found = [p for p in problems if p["code"] == code]
    assert found, f"no {code} in {[p['code'] + ': ' + p['message'] for p in problems]}"
    return found[0]
