"""A large corpus is checked part by part: the parts must give exactly what the whole gives.

The build keeps each part's records only as Arrow staging tables, and `validate` keeps none
(benchmarks/RESULTS.md: memory and time at 10,000 sources). These tests split small corpora
into many parts, on worker processes too, and compare with the corpus checked whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.corpus import generate_corpus
from conftest import FIXTURE
from pipelines.core.staging import combine_parts, record_tables, source_tables
from pipelines.ingest import parallel
from pipelines.ingest.corpus import Corpus, load_all_annotations, load_corpus


def staging_tables(corpus: Corpus) -> dict:
    """Every staging table of a corpus loaded whole, records and all."""
    return {**source_tables(corpus.sources.values(), corpus.registries),
            **record_tables(corpus.records, corpus.sources.values())}


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

    parted = Corpus(whole.root, registries=whole.registries, sources=whole.sources)
    parts = load_all_annotations(parted, convert=record_tables)
    got = {**source_tables(parted.sources.values(), parted.registries), **combine_parts(parts)}

    assert len(parts) == 5 and parted.records == [] and parted.record_count == len(whole.records) > 400
    assert list(got) == list(expected)
    for name, table in expected.items():
        assert got[name].equals(table), name
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
    empty = Corpus(tmp_path)
    tables = combine_parts(load_all_annotations(empty, convert=record_tables))
    assert tables and all(t.num_rows == 0 for t in tables.values())
    assert set(tables) == set(record_tables([], []))
    assert set(staging_tables(load_corpus(FIXTURE))) >= set(tables)
