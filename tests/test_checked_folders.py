"""The build keeps each source folder's check in its DuckDB file and checks again only the
folders whose files changed (pipelines/core/checked.py). What it stages and reports must be
exactly what checking every folder again gives, and what `validate` reports."""

from __future__ import annotations

import datetime as dt
import functools
import random
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from benchmarks.corpus import generate_corpus
from conftest import REPO
from pipelines.core.across import identity_from_json, identity_to_json
from pipelines.core.checked import changed_since_checked, check_changed_folders, stage_admitted
from pipelines.core.database import connect
from pipelines.hashing import file_sha256
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


# --- a build after edits reports and stages what checking every folder again gives ---------------
# The checks across folders are made again only where a changed folder can change them
# (core/across.py). Random edits of a small corpus, each followed by the build's check (its
# DuckDB file kept from edit to edit), a check of every folder from nothing, and `validate`.

_RECORD_ID = re.compile(r"^  - (crossing|meeting|incident|agreement)_id: (\S+)$", re.MULTILINE)
_SHARED = ["meeting", "incident", "agreement"]  # tables whose ids sources share, and the identity guard compares


def _ids(folder: Path, kind: str) -> list[str]:
    try:
        text = (folder / "annotations.yaml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [record_id for found, record_id in _RECORD_ID.findall(text) if found == kind]


def _parses(folder: Path) -> bool:
    try:
        yaml.safe_load((folder / "annotations.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return True


def _rewrite(path: Path, change) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


class _Edits:
    """Each edit changes the corpus as a contributor could, with the kind of problem across
    folders it can make or unmake."""

    def __init__(self, root: Path, rng: random.Random):
        self.news, self.rng, self.step = root / "sources/news", rng, 0
        self.touched: list[str] = []  # folders edited: edits that meet make the problems across folders

    def folders(self) -> list[Path]:
        return sorted(self.news.iterdir())

    def pick(self, kind: str | None = None, parsed: bool = False) -> Path:
        """A folder (with records of this kind; parsed: whose annotations are valid YAML),
        one edited before half the time."""
        folders = [f for f in self.folders() if (kind is None or _ids(f, kind)) and (not parsed or _parses(f))]
        touched = [f for f in folders if f.name in self.touched]
        chosen = self.rng.choice(touched if touched and self.rng.random() < 0.5 else folders or self.folders())
        self.touched.append(chosen.name)
        return chosen

    def copy_as_a_new_source(self):
        """An added folder whose records look like another's: the same, under new ids."""
        old = self.pick()
        new = self.news / f"{old.name[:10]}-copy-{self.step}"
        shutil.copytree(old, new)
        _rewrite(new / "source.yaml", lambda text: text.replace(old.name, new.name))
        _rewrite(new / "annotations.yaml", lambda text: _RECORD_ID.sub(
            lambda found: f"{found.group(0)}-{self.step}", text.replace(f"source_id: {old.name}", f"source_id: {new.name}")))
        self.touched.append(new.name)

    def claim_an_id_again(self):
        """A second folder claiming a source_id, before or after the first in folder order."""
        old = self.pick()
        new = self.news / self.rng.choice([f"0-{self.step}-{old.name}", f"{old.name}-{self.step}"])
        shutil.copytree(old, new)
        self.touched.append(new.name)

    def remove_a_folder(self):
        shutil.rmtree(self.pick())

    def claim_another_id(self):
        """A folder's source.yaml naming another folder's source_id: the first of the two in
        folder order keeps it, and the other's records leave the corpus."""
        mine, theirs = self.pick(), self.pick()
        _rewrite(mine / "source.yaml", lambda text: re.sub(r"(?m)^source_id: .*$", f"source_id: {theirs.name}", text))

    def rename_a_record(self):
        """A record under a new id: it looks like the other sources' versions of its old one."""
        kind = self.rng.choice(_SHARED)
        target = self.pick(kind)
        mine = self.rng.choice(_ids(target, kind))
        _rewrite(target / "annotations.yaml", lambda text: text.replace(f"{kind}_id: {mine}\n",
                                                                         f"{kind}_id: {mine}-{self.step}\n"))

    def rename_a_folder(self):
        old = self.pick()
        new = self.news / self.rng.choice([f"0-{self.step}-{old.name}", f"{old.name}-moved-{self.step}"])
        old.rename(new)
        self.touched.append(new.name)

    def reuse_a_crossing_id(self):
        """A duplicate crossing id across sources."""
        taken = self.rng.choice(_ids(self.pick("crossing"), "crossing"))
        target = self.pick("crossing")
        first = _ids(target, "crossing")[0]
        _rewrite(target / "annotations.yaml", lambda text: text.replace(f"crossing_id: {first}\n", f"crossing_id: {taken}\n"))

    def reuse_a_shared_id(self):
        """Another record's id: a reused id that may not fit, and look-alikes that come or go."""
        kind = self.rng.choice(_SHARED)
        taken = self.rng.choice(_ids(self.pick(kind), kind))
        target = self.pick(kind)
        mine = self.rng.choice(_ids(target, kind))
        _rewrite(target / "annotations.yaml", lambda text: text.replace(f"{kind}_id: {mine}\n", f"{kind}_id: {taken}\n"))

    def add_distinct_from(self):
        """distinct_from naming another record (a look-alike that goes), or an id nobody has."""
        kind = self.rng.choice(_SHARED)
        target = self.pick(kind)
        mine = self.rng.choice(_ids(target, kind))
        others = [self.rng.choice(_ids(self.pick(kind), kind) + [f"no-such-{kind}-{self.step}-{n}"])
                  for n in range(self.rng.choice([1, 2]))]
        _rewrite(target / "annotations.yaml", lambda text: text.replace(
            f"{kind}_id: {mine}\n", f"{kind}_id: {mine}\n    distinct_from: [{', '.join(others)}]\n"))

    def break_the_yaml(self):
        _rewrite(self.pick() / "annotations.yaml", lambda text: text + "\nmeetings: [unclosed\n")

    def drop_a_crossing(self):
        from benchmarks.run import drop_last_crossing

        # drop_last_crossing reads the file as YAML: not one that break_the_yaml broke (pick
        # falls back to any folder when none fits)
        folder = self.pick("crossing", parsed=True)
        if len(_ids(folder, "crossing")) > 1 and _parses(folder):
            drop_last_crossing(folder / "annotations.yaml")

    def restore_a_folder(self, originals: Path):
        """A folder put back as it was generated: what an edit made across folders goes."""
        original = self.rng.choice(sorted(originals.iterdir()))
        shutil.rmtree(self.news / original.name, ignore_errors=True)
        shutil.copytree(original, self.news / original.name)

    def __call__(self, originals: Path) -> str:
        self.step += 1
        edits = [self.copy_as_a_new_source, self.claim_an_id_again, self.claim_another_id, self.remove_a_folder,
                 self.rename_a_folder, self.reuse_a_crossing_id, self.reuse_a_shared_id, self.rename_a_record,
                 self.add_distinct_from, self.break_the_yaml, self.drop_a_crossing,
                 functools.partial(self.restore_a_folder, originals)]
        edit = self.rng.choice(edits)
        edit()
        return getattr(edit, "__name__", "restore_a_folder")


@pytest.mark.parametrize("seed", [1])
def test_after_random_edits_the_build_reports_and_stages_what_a_full_check_does(tmp_path, seed):
    root = tmp_path / "corpus"
    generate_corpus(root, 12, seed=seed, errors_per_kind=1, workers=1)
    originals = tmp_path / "originals"
    shutil.copytree(root / "sources/news", originals)
    edits, rng = _Edits(root, random.Random(seed)), random.Random(seed)
    database = tmp_path / "kept.duckdb"
    check(root, database)
    codes = Counter()
    for _ in range(20):
        done = [edits(originals) for _ in range(rng.choice([1, 1, 2]))]
        kept, kept_tables = check(root, database)
        fresh, fresh_tables = check(root, tmp_path / "fresh.duckdb", start_over=True)
        assert kept.reused > 0, done
        assert kept.corpus.problems == fresh.corpus.problems == load_corpus(root).problems, done
        assert kept.admitted == fresh.admitted and kept.corpus.record_count == fresh.corpus.record_count, done
        assert kept_tables.keys() == fresh_tables.keys()
        assert [name for name in fresh_tables if not kept_tables[name].equals(fresh_tables[name])] == [], done
        codes.update(p.code for p in kept.corpus.problems)
    # the edits made and unmade each kind of problem across folders
    assert {"look-alike", "duplicate-id", "unknown-id", "yaml-syntax", "id-mismatch"} <= set(codes), codes


def _checked_as_fully(root: Path, database: Path, fresh: Path):
    kept, kept_tables = check(root, database)
    whole, whole_tables = check(root, fresh, start_over=True)
    assert kept.corpus.problems == whole.corpus.problems == load_corpus(root).problems
    assert kept.admitted == whole.admitted
    assert all(kept_tables[name].equals(whole_tables[name]) for name in whole_tables)
    return kept


def test_an_unchanged_source_s_reports_follow_the_ids_a_changed_source_states(tmp_path):
    """An unchanged source's distinct_from names an id that a changed source gives or takes
    away; a changed source reuses an unchanged one's id with another record, then an added
    source before both states it first."""
    root = tmp_path / "corpus"
    generate_corpus(root, 8, seed=4, workers=1)
    news = sorted((root / "sources/news").iterdir())
    namer, giver, first, reuser = news[1], news[3], news[4], news[6]
    meeting = _ids(first, "meeting")[0]
    _rewrite(namer / "annotations.yaml", lambda text: text.replace(
        f"meeting_id: {_ids(namer, 'meeting')[0]}\n", f"meeting_id: {_ids(namer, 'meeting')[0]}\n    distinct_from: [later-meeting]\n"))
    database, fresh = tmp_path / "kept.duckdb", tmp_path / "fresh.duckdb"
    unknown = [p for p in _checked_as_fully(root, database, fresh).corpus.problems if p.code == "unknown-id"]
    assert [p.path for p in unknown] == [f"sources/news/{namer.name}/annotations.yaml"]

    mine = _ids(giver, "meeting")[0]
    _rewrite(giver / "annotations.yaml", lambda text: text.replace(f"meeting_id: {mine}\n", "meeting_id: later-meeting\n"))
    assert "unknown-id" not in {p.code for p in _checked_as_fully(root, database, fresh).corpus.problems}
    shutil.rmtree(giver)
    assert "unknown-id" in {p.code for p in _checked_as_fully(root, database, fresh).corpus.problems}

    theirs = _ids(reuser, "meeting")[-1]
    _rewrite(reuser / "annotations.yaml", lambda text: text.replace(f"meeting_id: {theirs}\n", f"meeting_id: {meeting}\n"))
    reused = [p for p in _checked_as_fully(root, database, fresh).corpus.problems if p.code == "reused-id-differs"]
    assert [p.path for p in reused] == [f"sources/news/{reuser.name}/annotations.yaml"]
    shutil.copytree(reuser, root / "sources/news" / f"0-{reuser.name}")  # states the reused id first
    reused = [p for p in _checked_as_fully(root, database, fresh).corpus.problems if p.code == "reused-id-differs"]
    assert f"sources/news/{first.name}/annotations.yaml" in [p.path for p in reused]

    # a changed record names one of an unchanged source, years away: that one exists
    other = _ids(news[0], "meeting")[0]
    _rewrite(reuser / "annotations.yaml", lambda text: text.replace(
        f"meeting_id: {meeting}\n", f"meeting_id: {meeting}\n    distinct_from: [{other}]\n"))
    problems = _checked_as_fully(root, database, fresh).corpus.problems
    assert not [p for p in problems if p.code == "unknown-id" and p.path.startswith(f"sources/news/{reuser.name}/")]


# --- where a changed folder can change the checks across folders (found in review) --------------
# Each scenario catches a fault that a reviewer put in core/across.py on purpose and that the
# tests above let through: what the kept check redoes must reach the records it can change.

@pytest.fixture
def forty(tmp_path) -> Path:
    """40 synthetic sources without errors: the checks across folders find nothing."""
    root = tmp_path / "corpus"
    generate_corpus(root, 40, seed=7, workers=1)
    return root


def _folders_stating(news: list[Path], kind: str, record_id: str) -> list[str]:
    return [folder.name for folder in news if record_id in _ids(folder, kind)]


def test_a_source_that_loses_its_id_takes_its_records_out_of_the_guard(forty, tmp_path):
    """An earlier folder claims a later one's source_id, whose files do not change: the
    later folder's meeting leaves the corpus, and a distinct_from naming it (in a third,
    unchanged folder) names an unknown id, until the id is given back."""
    news = sorted((forty / "sources/news").iterdir())
    claimer, loser, namer = news[2], news[10], news[20]
    meeting = _ids(loser, "meeting")[0]
    assert _folders_stating(news, "meeting", meeting) == [loser.name]
    mine = _ids(namer, "meeting")[0]
    _rewrite(namer / "annotations.yaml", lambda text: text.replace(
        f"meeting_id: {mine}\n", f"meeting_id: {mine}\n    distinct_from: [{meeting}]\n"))
    database, fresh = tmp_path / "kept.duckdb", tmp_path / "fresh.duckdb"
    assert "unknown-id" not in {p.code for p in _checked_as_fully(forty, database, fresh).corpus.problems}

    source = claimer / "source.yaml"
    original = source.read_text(encoding="utf-8")
    _rewrite(source, lambda text: re.sub(r"(?m)^source_id: .*$", f"source_id: {loser.name}", text))
    kept = _checked_as_fully(forty, database, fresh)
    assert kept.checked == 1
    assert f"sources/news/{claimer.name}" in kept.admitted and f"sources/news/{loser.name}" not in kept.admitted
    unknown = [p for p in kept.corpus.problems if p.code == "unknown-id"]
    assert [p.path for p in unknown] == [f"sources/news/{namer.name}/annotations.yaml"]
    assert f"'{meeting}'" in unknown[0].message

    source.write_text(original, encoding="utf-8")
    kept = _checked_as_fully(forty, database, fresh)
    assert kept.checked == 1 and f"sources/news/{loser.name}" in kept.admitted
    assert "unknown-id" not in {p.code for p in kept.corpus.problems}


def _incident_to_move(root: Path) -> tuple[Path, str, str, str]:
    """A source's incident dated "<weekday> <day> <month>" that can move a day later within
    its month and before publication, with no other dated record of its source within two
    days (so that only the day window of the guard's search reaches it from a copy of the
    source): (folder, incident_id, its date, the date a day later)."""
    from benchmarks.articles import MONTHS, WEEKDAYS

    by_folder: dict[str, list] = {}
    for identity in load_corpus(root).identities:
        by_folder.setdefault(identity.path, []).append(identity)
    for path, identities in sorted(by_folder.items()):
        annotations = root / path
        text = annotations.read_text(encoding="utf-8")
        published = dt.date.fromisoformat(re.search(r"(?m)^published_date: (\S+)$", (
            annotations.parent / "source.yaml").read_text(encoding="utf-8")).group(1))
        for incident in (i for i in identities if i.table == "incidents" and i.day is not None):
            later = incident.day + dt.timedelta(days=1)
            phrase = f"{WEEKDAYS[incident.day.weekday()]} {incident.day.day} {MONTHS[incident.day.month - 1]}"
            alone = all(other is incident or other.day is None or abs((other.day - incident.day).days) > 2
                        for other in identities)
            if (alone and later.month == incident.day.month and later < published
                    and f"incident_id: {incident.record_id}\n    date: {phrase}\n" in text):
                return (annotations.parent, incident.record_id, phrase,
                        f"{WEEKDAYS[later.weekday()]} {later.day} {MONTHS[later.month - 1]}")
    raise AssertionError("no incident of the generated corpus can move a day later")


def test_a_copy_with_an_incident_a_day_later_is_reported_as_a_look_alike(forty, tmp_path):
    """A new source reports an unchanged source's incident, under a new id and a day later
    (its article says so): the two records are compared although their days differ."""
    database, fresh = tmp_path / "kept.duckdb", tmp_path / "fresh.duckdb"
    assert _checked_as_fully(forty, database, fresh).corpus.problems == []
    old, incident, day, later = _incident_to_move(forty)
    new = old.parent / f"{old.name}-later"
    shutil.copytree(old, new)
    metadata = (new / "source.yaml").read_text(encoding="utf-8")
    raw = new / re.search(r"(?m)^raw_file: (\S+)$", metadata).group(1)
    assert raw.read_bytes().count(day.encode()) == 1
    raw.write_bytes(raw.read_bytes().replace(day.encode(), later.encode()))
    (new / "source.yaml").write_text(re.sub(r"(?m)^raw_sha256: \S+$", f"raw_sha256: {file_sha256(raw)}",
                                            metadata.replace(old.name, new.name)), encoding="utf-8")
    # the copy's crossings (their ids are the source's own) and the moved incident get new
    # ids; its other records keep theirs: the same events, reported again
    _rewrite(new / "annotations.yaml", lambda text: text.replace(f"source_id: {old.name}\n", f"source_id: {new.name}\n")
             .replace(f"crossing_id: {old.name}-", f"crossing_id: {new.name}-")
             .replace(f"incident_id: {incident}\n", f"incident_id: {incident}-later\n").replace(day, later))

    kept = _checked_as_fully(forty, database, fresh)
    assert kept.checked == 1 and f"sources/news/{new.name}" in kept.admitted
    [problem] = kept.corpus.problems
    assert problem.code == "look-alike" and f"'{incident}-later'" in problem.message
    assert "dates a day apart" in problem.message


def test_two_unknown_ids_of_one_source_come_in_its_records_order(forty, tmp_path):
    """A source's first meeting names one of a later source's, its second an id nobody
    has; the later source is removed: the unknown id found again (the first) and the one
    kept (the second) are reported in the order of the records that name them."""
    news = sorted((forty / "sources/news").iterdir())
    namer, named = news[30], news[35]
    first, second = _ids(namer, "meeting")[:2]
    gone = _ids(named, "meeting")[0]
    assert _folders_stating(news, "meeting", gone) == [named.name]
    _rewrite(namer / "annotations.yaml", lambda text: text.replace(
        f"meeting_id: {first}\n", f"meeting_id: {first}\n    distinct_from: [{gone}]\n").replace(
        f"meeting_id: {second}\n", f"meeting_id: {second}\n    distinct_from: [nobody-has-this-meeting]\n"))
    database, fresh = tmp_path / "kept.duckdb", tmp_path / "fresh.duckdb"
    unknown = [p for p in _checked_as_fully(forty, database, fresh).corpus.problems if p.code == "unknown-id"]
    assert ["nobody-has-this-meeting" in p.message for p in unknown] == [True]

    shutil.rmtree(named)
    kept = _checked_as_fully(forty, database, fresh)
    assert kept.checked == 0
    unknown = [p for p in kept.corpus.problems if p.code == "unknown-id"]
    assert [p.path for p in unknown] == [f"sources/news/{namer.name}/annotations.yaml"] * 2
    assert f"'{gone}'" in unknown[0].message and "'nobody-has-this-meeting'" in unknown[1].message
    assert unknown[0].line < unknown[1].line


def test_the_folders_digests_taken_from_one_walk_of_sources_are_those_of_walking_each(tmp_path, monkeypatch):
    """The build's last comparison (core.checked.changed_since_checked) takes each folder's
    digest from the walk its manifest makes (folder_digests): every kind of entry must give
    what walking the folder itself gives, or a build would be refused (or worse, accepted)
    for the wrong reason."""
    import os

    from pipelines.core.checked import folder_digests
    from pipelines.publish.manifest import walk_sources

    root = tmp_path / "corpus"
    shutil.copytree(REPO / "sources", root / "sources")
    news = root / "sources/news"
    first, second, third = sorted(p for p in news.iterdir() if p.is_dir())[:3]
    (first / "suggestions.yaml").write_text("drafts: []\n", encoding="utf-8")  # read by nothing: in neither digest
    (first / "notes").mkdir()
    (first / "notes" / "a.txt").write_text("a nested file\n", encoding="utf-8")
    (first / ".annotations.yaml.swp").write_bytes(b"editor litter")
    (second / "link.txt").symlink_to(second / "source.yaml")
    (news / "zz-link").symlink_to(third)
    (news / "zz-empty").mkdir()
    os.mkfifo(news / "zz-fifo")
    (news / "zz-a").mkdir()  # sorts apart from "zz-a-b" by name, not by path string
    (news / "zz-a" / "x.txt").write_text("x\n", encoding="utf-8")
    (news / "zz-a-b").mkdir()
    (news / "zz-a-b" / "y.txt").write_text("y\n", encoding="utf-8")
    for left_out in ("__pycache__", "suggestions.yaml"):  # folders a walk of sources/ leaves out whole
        (news / left_out).mkdir()
        (news / left_out / "z.txt").write_text(f"{left_out}\n", encoding="utf-8")
    unreadable = os.fspath(news / "zz-unreadable")
    os.mkdir(unreadable)
    real_scandir = os.scandir

    def scandir(path):  # the tests run as root, whom permissions do not stop
        if os.fspath(path) == unreadable:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    each = folder_digests(root)
    assert folder_digests(root, walk_sources(root)) == each
    assert len(each) == len(list(news.iterdir())) and len(set(each.values())) == len(each)
    (third / "annotations.yaml").write_text("edited: true\n", encoding="utf-8")
    changed = folder_digests(root, walk_sources(root))
    assert changed == folder_digests(root) != each
    assert [name for name in each if each[name] != changed[name]] == [f"sources/news/{third.name}"]
