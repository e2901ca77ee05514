"""The build's DuckDB file held open for a run (pipelines/core/database.py: kept_open)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from benchmarks.corpus import generate_corpus
from pipelines.core import checked
from pipelines.core.checked import check_changed_folders
from pipelines.core.database import connect, kept_open, none_kept_open
from pipelines.ingest.corpus import Corpus
from pipelines.ingest.problems import ProblemList
from pipelines.ingest.registry import load_registries
from pipelines.ingest.parallel import CHUNK


def _opens_elsewhere(path: Path) -> bool:
    """Whether another process can open the file (DuckDB locks it while any process holds it)."""
    code = "import duckdb, sys; duckdb.connect(sys.argv[1]).close()"
    return subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True).returncode == 0


def _memory_limit(con) -> str:
    return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


def test_inside_kept_open_no_connection_opens_the_file_again(tmp_path, monkeypatch):
    path = tmp_path / "b.duckdb"
    opened = []
    real_connect = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", lambda *a, **k: opened.append(a) or real_connect(*a, **k))
    with kept_open(path):
        for _ in range(3):
            connect(path).close()
        assert len(opened) == 1  # the kept connection only
    connect(path).close()
    assert len(opened) == 2  # outside the block, a connection of its own


def test_a_file_that_cannot_be_opened_is_left_for_each_step_to_open_and_report(tmp_path):
    path = tmp_path / "b.duckdb"
    path.write_bytes(b"not a DuckDB file" * 100)
    with kept_open(path):  # keeps nothing, says nothing
        with pytest.raises(duckdb.Error):
            connect(path)


def test_inside_kept_open_every_connection_shares_one_database_instance(tmp_path):
    path = tmp_path / "b.duckdb"
    fresh = _memory_limit(connect(path))
    with kept_open(path):
        first, second = connect(path), connect(path)
        first.execute("SET memory_limit = '123MB'")  # a setting of the instance, not of a connection
        assert _memory_limit(second) == _memory_limit(first) != fresh
        first.execute("CREATE TABLE t AS SELECT 1 AS x")
        first.close()
        assert second.execute("SELECT x FROM t").fetchall() == [(1,)]  # closing one leaves the others open
        second.close()
    con = connect(path)  # the block closed it: a new instance, as `connect` opens it
    assert _memory_limit(con) == fresh and con.execute("SELECT x FROM t").fetchall() == [(1,)]
    con.close()


def test_the_file_is_free_for_other_processes_after_the_block_and_while_let_go(tmp_path):
    path = tmp_path / "b.duckdb"
    with kept_open(path):
        assert not _opens_elsewhere(path)
        with none_kept_open():
            assert _opens_elsewhere(path)
        assert not _opens_elsewhere(path)  # taken again
        con = connect(path)
        assert con.execute("SELECT 42").fetchone() == (42,)
        con.close()
    assert _opens_elsewhere(path)


def test_kept_open_inside_kept_open_keeps_the_outer_one(tmp_path):
    path = tmp_path / "b.duckdb"
    with kept_open(path):
        with kept_open(path):
            pass
        assert not _opens_elsewhere(path)  # still held by the outer block
    assert _opens_elsewhere(path)


def test_no_database_instance_lives_while_the_folder_checks_fork_their_workers(tmp_path, monkeypatch):
    """A worker forked while DuckDB's threads live could inherit a lock one of them holds
    (pipelines/ingest/parallel.py): the check lets go of a build's kept file first."""
    corpus_root = tmp_path / "corpus"
    generate_corpus(corpus_root, CHUNK + 10, seed=5, workers=1)
    database = tmp_path / "build" / "borderlines.duckdb"
    monkeypatch.setenv("BORDERLINES_WORKERS", "2")
    free_when_forking = []
    real_map = checked.map_in_order

    def watching(fn, items, workers=None):
        free_when_forking.append(_opens_elsewhere(database))
        return real_map(fn, items, workers)

    monkeypatch.setattr(checked, "map_in_order", watching)
    with kept_open(database):
        corpus = Corpus(corpus_root, registries=load_registries(corpus_root, ProblemList()))
        result = check_changed_folders(database, corpus, "code")
        assert not _opens_elsewhere(database)  # held again once the workers are done
    assert free_when_forking == [True]
    assert len(result.admitted) == CHUNK + 10
