"""The build keeps each source folder's check in its DuckDB file and checks again only the
folders whose files changed (pipelines/core/checked.py). What it stages and reports must be
exactly what checking every folder again gives, and what `validate` reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks.corpus import generate_corpus
from conftest import REPO
from pipelines.core.checked import changed_since_checked, check_changed_folders, identity_from_json, identity_to_json, stage_admitted
from pipelines.core.database import connect
from pipelines.ingest.corpus import Corpus, load_corpus
from pipelines.ingest.problems import ProblemList
from pipelines.ingest.registry import load_registries

CODE = "code-version-of-the-test"


@pytest.fixture
def generated(tmp_path) -> Path:
    """24 synthetic sources with two broken records of each kind, a duplicate source id among them."""
    root = tmp_path / "corpus"
    generate_corpus(root, 24, seed=3, errors_per_kind=2, workers=1)
    return root


def check(root: Path, database: Path, start_over: bool = False, code: str = CODE):
    corpus = Corpus(root, registries=load_registries(root, ProblemList()))
    checked = check_changed_folders(database, corpus, code, start_over=start_over)
    con = connect(database)
    try:
        stage_admitted(con)
        tables = {name: con.sql(f'SELECT * FROM "{name}"').to_arrow_table() for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'stg_%' ORDER BY 1").fetchall()}
    finally:
        con.close()
    return checked, tables


def test_the_stored_checks_report_what_validate_reports(generated, tmp_path):
    checked, tables = check(generated, tmp_path / "b.duckdb")
    whole = load_corpus(generated)
    assert checked.checked == 24 and checked.reused == 0
    assert sorted(checked.corpus.problems) == sorted(whole.problems)
    assert {p.code for p in whole.problems} >= {"duplicate-id", "quote-not-found"}
    assert checked.corpus.record_count == whole.record_count
    assert len(checked.admitted) == len(whole.sources)
    assert tables["stg_sources"].num_rows == len(whole.sources)
    assert sorted(tables["stg_sources"].column("source_id").to_pylist()) == sorted(whole.sources)


def test_an_unchanged_corpus_is_not_read_again_and_an_edit_re_reads_one_folder(generated, tmp_path):
    database = tmp_path / "b.duckdb"
    first, first_tables = check(generated, database)
    again, again_tables = check(generated, database)
    assert (again.checked, again.reused) == (0, 24)
    assert sorted(again.corpus.problems) == sorted(first.corpus.problems)
    assert again_tables.keys() == first_tables.keys()
    assert all(again_tables[name].equals(first_tables[name]) for name in first_tables)

    folder = sorted((generated / "sources/news").iterdir())[3]
    annotations = folder / "annotations.yaml"
    text = annotations.read_text(encoding="utf-8")
    start = text.index("quote: ")
    annotations.write_text(text[:start] + 'quote: "words that no article contains"' + text[text.index("\n", start):],
                           encoding="utf-8")
    edited, edited_tables = check(generated, database)
    assert (edited.checked, edited.reused) == (1, 23)
    fresh, fresh_tables = check(generated, tmp_path / "fresh.duckdb")
    assert sorted(edited.corpus.problems) == sorted(fresh.corpus.problems) == sorted(load_corpus(generated).problems)
    assert any(p.path == f"sources/news/{folder.name}/annotations.yaml" and p.code == "quote-not-found"
               for p in edited.corpus.problems)
    assert all(edited_tables[name].equals(fresh_tables[name]) for name in fresh_tables)


def test_a_removed_folder_is_forgotten_and_a_new_one_checked(tmp_path):
    root = tmp_path / "corpus"
    shutil.copytree(REPO / "sources", root / "sources")
    database = tmp_path / "b.duckdb"
    before, _ = check(root, database)
    news = sorted((root / "sources/news").iterdir())
    shutil.move(news[0], tmp_path / news[0].name)
    shutil.copytree(news[1], root / "sources/news" / "zz-copy")  # a second folder claiming news[1]'s id
    after, tables = check(root, database)
    assert (after.checked, after.reused) == (1, len(news) - 1)
    assert f"sources/news/{news[0].name}" not in after.admitted and "sources/news/zz-copy" not in after.admitted
    assert news[0].name not in tables["stg_sources"].column("source_id").to_pylist()
    assert [p.code for p in after.corpus.problems if p.path.startswith("sources/news/zz-copy/")] == ["id-mismatch", "duplicate-id"]
    assert sorted(after.corpus.problems) == sorted(load_corpus(root).problems)
    assert before.corpus.problems == []


def test_a_registry_or_code_change_or_start_over_checks_every_folder_again(tmp_path):
    root = tmp_path / "corpus"
    shutil.copytree(REPO / "sources", root / "sources")
    database = tmp_path / "b.duckdb"
    total = check(root, database)[0].checked
    assert check(root, database)[0].checked == 0
    assert check(root, database, code="another-code-version")[0].checked == total
    assert check(root, database, start_over=True, code="another-code-version")[0].checked == total
    people = root / "sources/registry/people.yaml"
    people.write_text(people.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert check(root, database, code="another-code-version")[0].checked == 0  # the same registries, parsed
    places = root / "sources/registry/places.yaml"
    text = places.read_text(encoding="utf-8")
    first_name = text.index("name: ")
    places.write_text(text[:first_name] + "name: Renamed " + text[first_name + len("name: "):], encoding="utf-8")
    assert check(root, database, code="another-code-version")[0].checked == total


def test_identities_survive_the_store():
    identities = load_corpus(REPO).identities
    assert len(identities) > 30 and any(i.people for i in identities) and any(i.parties for i in identities)
    assert any(i.counts for i in identities) and any(i.day for i in identities)
    for identity in identities:
        assert identity_from_json(identity_to_json(identity)) == identity
    # Read back as a build reads them, equal values are one object (a corpus of 100,000
    # sources holds 900,000 identities at once)
    same: dict = {}
    loaded = [identity_from_json(identity_to_json(i), same) for i in identities]
    assert loaded == identities
    first, second = [i for i in loaded if i.path == loaded[0].path][:2]
    assert first.path is second.path
    meetings = [i for i in loaded if i.table == "meetings"]
    assert len(meetings) > 1 and all(i.table is meetings[0].table for i in meetings)


def test_what_changed_since_the_folders_were_checked_is_named(tmp_path):
    root = tmp_path / "corpus"
    shutil.copytree(REPO / "sources", root / "sources")
    database = tmp_path / "b.duckdb"
    con = connect(database)
    try:
        assert changed_since_checked(con, root) == ["the source folders have not been checked in this build"]
    finally:
        con.close()
    check(root, database)
    con = connect(database)
    try:
        assert changed_since_checked(con, root) == []
        folder = sorted((root / "sources/news").iterdir())[2]
        (folder / "annotations.yaml").write_text((folder / "annotations.yaml").read_text(encoding="utf-8") + "# edited\n",
                                                 encoding="utf-8")
        shutil.copytree(folder, root / "sources/news/zz-new")
        people = root / "sources/registry/people.yaml"
        people.write_text(people.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
        assert changed_since_checked(con, root) == [f"sources/news/{folder.name} changed", "sources/news/zz-new was added",
                                                    "sources/registry changed"]
    finally:
        con.close()


def test_an_entry_that_changes_kind_is_checked_again(tmp_path):
    """A link, an empty folder and a special file have no files to hash: what they are is
    part of the folder's digest, since their checks report them differently."""
    root = tmp_path / "corpus"
    shutil.copytree(REPO / "sources", root / "sources")
    database = tmp_path / "b.duckdb"
    entry = root / "sources/news/zz-entry"
    entry.symlink_to(tmp_path)
    linked, _ = check(root, database)
    entry.unlink()
    entry.mkdir()
    emptied, _ = check(root, database)
    assert emptied.checked == 1
    assert sorted(emptied.corpus.problems) == sorted(load_corpus(root).problems) != sorted(linked.corpus.problems)


def test_a_folder_name_that_is_not_utf8_is_reported_not_a_crash(tmp_path):
    import os

    root = tmp_path / "corpus"
    shutil.copytree(REPO / "sources", root / "sources")
    os.mkdir(os.path.join(os.fsencode(root / "sources/news"), b"bad-\xff-name"))
    checked, _ = check(root, tmp_path / "b.duckdb")
    [problem] = checked.corpus.problems
    assert problem.code == "bad-file-name" and "not UTF-8" in problem.message and "\\udcff" in problem.path
    assert sorted(checked.corpus.problems) == sorted(load_corpus(root).problems)


def test_a_remembered_hash_is_never_that_of_older_bytes(tmp_path, monkeypatch):
    import os
    import time

    from pipelines import hashing

    settled = REPO / "pyproject.toml"  # unchanged for longer than the memo's window
    assert hashing.content_sha256(settled) == hashing.file_sha256(settled) and str(settled) in hashing._hashed
    fresh = tmp_path / "g.txt"
    fresh.write_bytes(b"new")
    hashing.content_sha256(fresh)
    assert str(fresh) not in hashing._hashed  # changed a moment ago: not remembered

    monkeypatch.setattr(hashing, "RECENT_NS", -10**12)  # remember everything, to test the key
    path = tmp_path / "f.txt"
    path.write_bytes(b"one")
    assert hashing.content_sha256(path) == hashing.file_sha256(path) and str(path) in hashing._hashed
    before = os.stat(path)
    time.sleep(0.05)  # past the file system clock's tick (the memo's window, disabled here, covers that)
    path.write_bytes(b"two")  # the same size, its modification time put back: the change time still moves
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert hashing.content_sha256(path) == hashing.file_sha256(path) != hashing.file_sha256(settled)
