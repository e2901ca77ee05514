"""A large corpus is checked part by part: the parts must give exactly what the whole gives.

The build keeps each folder's staging rows in its DuckDB file, made where the folder was
checked, and `validate` keeps no records (benchmarks/RESULTS.md: memory and time at 10,000
sources). These tests split small corpora into many parts, on worker processes too, and
compare with the corpus checked whole."""

from __future__ import annotations

import functools
from pathlib import Path

import pyarrow as pa
import pytest

from benchmarks.corpus import generate_corpus
from conftest import FIXTURE
from pipelines.core.staging import FOLDER, folder_tables, record_tables, source_tables
from pipelines.ingest import parallel
from pipelines.ingest.corpus import Corpus, admit, check_folders, load_corpus, source_folders


def staging_tables(corpus: Corpus) -> dict:
    """Every staging table of a corpus loaded whole, records and all."""
    return {**source_tables(corpus.sources.values(), corpus.registries.get("licences", [])),
            **record_tables(corpus.records, corpus.sources.values())}


def checked_in_parts(root: Path, registries: dict) -> tuple[Corpus, list]:
    """The build's way: folders checked in parts (on workers), each part's rows made there."""
    corpus = Corpus(root, registries=registries)
    convert = functools.partial(folder_tables, licences=registries.get("licences", []))
    parts = list(parallel.map_in_order(functools.partial(check_folders, root, corpus.context(), convert),
                                       source_folders(root)))
    admit(corpus, (check for checks, _ in parts for check in checks))
    return corpus, [tables for _, tables in parts]


@pytest.fixture(scope="module")
def corpus_with_errors(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("errors")
    generate_corpus(root, 24, seed=3, errors_per_kind=2, workers=1)
    return root


@pytest.mark.parametrize("workers", ["1", "2"])
def test_staging_tables_made_in_parts_equal_those_of_the_whole_corpus(corpus_with_errors, monkeypatch, workers):
    monkeypatch.setattr(parallel, "CHUNK", 5)  # 24 sources: five parts
    monkeypatch.setenv("BORDERLINES_WORKERS", workers)
    whole = load_corpus(corpus_with_errors)
    expected = staging_tables(whole)

    parted, parts = checked_in_parts(whole.root, whole.registries)
    got = {name: pa.concat_tables([part[name] for part in parts]) for name in parts[0]}

    assert len(parts) == 5 and parted.records == [] and parted.record_count == len(whole.records) > 400
    assert sorted(got) == sorted(expected)
    for name, table in expected.items():
        assert got[name].drop_columns([FOLDER]).equals(table.drop_columns([FOLDER])), name
        assert set(got[name].column(FOLDER).to_pylist()) <= {s.folder for s in whole.sources.values()}
    assert got["stg_evidence"].num_rows > got["stg_crossings"].num_rows > 0
    assert sorted(parted.problems) == sorted(whole.problems) and any(p.code == "duplicate-id" for p in whole.problems)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_validate_without_records_reports_the_same_problems(corpus_with_errors, monkeypatch, workers):
    monkeypatch.setattr(parallel, "CHUNK", 5)
    monkeypatch.setenv("BORDERLINES_WORKERS", workers)
    kept, dropped = load_corpus(corpus_with_errors), load_corpus(corpus_with_errors, keep_records=False)
    assert dropped.records == [] and dropped.record_count == kept.record_count == len(kept.records)
    assert list(dropped.problems) == list(kept.problems)
    assert len({p.code for p in kept.problems}) >= 8


def test_no_sources_give_empty_staging_tables(tmp_path):
    corpus, parts = checked_in_parts(tmp_path, {})
    assert len(parts) == 1 and corpus.problems == []
    tables = parts[0]
    assert tables and all(t.num_rows == 0 for t in tables.values())
    assert set(tables) == set(folder_tables([], [], []))
    assert set(staging_tables(load_corpus(FIXTURE))) == set(tables)
