"""Check only some sources: the files or folders given, or `validate --changed-since REF`.

- `folders_for_paths` and `folders_changed_since` pick the source folders to check: those
  under the paths given, or those git says differ from REF (committed, staged, unstaged or
  untracked). A change to a registry, to schemas/ or to the checker itself can break any
  source, so then every source folder is returned.
- `check_against_other_sources` keeps the corpus-wide checks when only some sources were
  checked: per-source ids (crossing_id, ...) that another source uses too, and the identity
  guard (ingest/identity.py) for the checked meetings and incidents against all others.
  The other sources are compared by the same functions as in the full run
  (corpus.check_corpus_ids, identity.check_identities), so both runs report the same.
  Parsing thousands of other files is what a one-source check must avoid: one pass of
  workers reads each other annotation file's bytes once and reads as records only those
  that can matter:
  - for a per-source id, a file whose bytes contain it, or a backslash (YAML can spell an
    id without its characters in a row only with a backslash escape);
  - for the identity guard, a file whose bytes could state a look-alike
    (identity.may_hold_look_alike), and for each id a checked record uses or names, the
    first source that states it.
  Those files are read by the same loader and record checks as in the full run, without
  anchoring their quotes: no id and no identity depends on a quote, and the other sources'
  own problems are not reported. Registries are always loaded by `load_corpus`, so
  foreign keys into them are checked in every mode. Agreements are compared in the full
  run that a new agreement (a change to the agreements registry) always triggers.

Stdlib only: `borderlines validate` imports this module.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import subprocess
from pathlib import Path

from pipelines.errors import UsageError
from pipelines.ingest.corpus import (ANNOTATION_FILE, METADATA_FILE, NEWS_DIR, Corpus, check_corpus_ids,
                                     ids_of_other_sources, per_source_ids, per_source_tables, source_folders)
from pipelines.ingest.identity import TABLES, Probe, check_identities, may_hold_look_alike, probes
from pipelines.ingest.parallel import fewer_collections, map_in_order
from pipelines.ingest.problems import ProblemList
from pipelines.ingest.yamlfile import MAX_FILE_BYTES, read_bytes

# A change under any of these can change the result for every source.
CORPUS_WIDE_PREFIXES = ("sources/registry/", "schemas/", "pipelines/ingest/", "pipelines/schemas.py")
# Each id is searched for in every other file; past this many ids, reading every other
# source (as the full run does) costs less than the searches.
MAX_SEARCHED_IDS = 500


def folders_for_paths(root: Path, paths: list[str]) -> list[Path] | None:
    """Source folders to check for the given paths; None means every source."""
    news = (root / NEWS_DIR).resolve()
    folders: set[Path] = set()
    for given in paths:
        path = Path(given).resolve()
        if not path.exists():
            raise UsageError(f"no such file or folder: {given}")
        if path == news or news.is_relative_to(path) or path.is_relative_to(root.resolve() / "sources" / "registry"):
            return None  # sources/, sources/news/, the repository, or a registry (any source may use it): everything
        if path.is_relative_to(news):
            folders.add(news / path.relative_to(news).parts[0])
        elif not path.is_relative_to(root.resolve() / "sources"):
            raise UsageError(f"{given} is not under sources/")
    return sorted(folders) if folders else []


def _run_git(root: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise UsageError("--changed-since needs git, and git is not installed") from None


def _git_output(root: Path, *args: str) -> str:
    done = _run_git(root, *args)
    if done.returncode != 0:
        raise UsageError(f"git {' '.join(args[:2])} failed: {done.stderr.strip() or 'no message'}")
    return done.stdout


def changed_paths(root: Path, ref: str) -> list[str]:
    """Paths (relative to root, forward slashes) that differ from ref, plus untracked files."""
    inside = _run_git(root, "rev-parse", "--is-inside-work-tree") if root.is_dir() else None
    if inside is None or inside.returncode != 0 or inside.stdout.strip() != "true":
        raise UsageError(f"{root} is not inside a git repository, so --changed-since cannot be used; "
                         "give the files or folders to check instead")
    if ref.startswith("-") or _run_git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode:
        raise UsageError(f"{ref!r} is not a commit, branch or tag in this repository "
                         "(in a shallow clone, fetch the base branch first)")
    # --relative: paths relative to root even when root is a folder inside the repository;
    # --no-renames: a renamed folder shows both its old and its new name.
    diff = _git_output(root, "diff", "--name-only", "--relative", "--no-renames", "-z", ref, "--")
    untracked = _git_output(root, "ls-files", "--others", "--exclude-standard", "-z")
    return sorted({p for p in (diff + untracked).split("\0") if p})


def folders_changed_since(root: Path, ref: str) -> list[Path]:
    """Source folders under sources/news touched since ref (all of them if a registry,
    a schema or the checker changed). A deleted folder is left out: nothing to check."""
    paths = changed_paths(root, ref)
    if any(p.startswith(CORPUS_WIDE_PREFIXES) for p in paths):
        return source_folders(root)
    folders = set()
    for path in paths:
        parts = path.split("/")
        if path.startswith(NEWS_DIR + "/") and len(parts) > 3:  # sources/news/<id>/<file>
            folders.add(root / NEWS_DIR / parts[2])
    return sorted(f for f in folders if f.is_dir())


def check_against_other_sources(corpus: Corpus, checked: list[Path]) -> None:
    """The corpus-wide checks for the checked sources against every other source, as the
    full run makes them: per-source ids (crossing_id, ...) that another source uses too, and
    the identity guard. One pass of workers reads each other annotation file once, searches
    its bytes for both, and reads as records the few files that may matter."""
    checked_names = {folder.name for folder in checked}
    others = [f for f in source_folders(corpus.root) if f.name not in checked_names]
    ids = per_source_ids(corpus.records)
    wanted = frozenset(record_id for _, record_id, _, _ in ids)
    mine = corpus.identities
    named = sorted({other for ident in mine for other, _ in ident.distinct_from} | {ident.record_id for ident in mine})
    found, hits = [], []
    context = corpus.context()
    if others and (wanted or mine):
        scan = functools.partial(_scan_and_read, corpus.root, context, wanted, probes(mine),
                                 [record_id.encode("utf-8") for record_id in named])
        with fewer_collections():
            for part_hits, part_ids, part_found in map_in_order(scan, others):
                hits.extend(part_hits)
                ids.extend(part_ids)
                found.extend(part_found)
    # In folder order, as the full run has them: the later of two equal ids is reported.
    ids.sort(key=lambda entry: Path(entry[2]).parent)
    check_corpus_ids(corpus.problems, ids)
    if mine and others:
        def read(folders: list[Path]) -> list:
            return ids_of_other_sources(corpus.root, context, TABLES, folders)[1]
        found.extend(_first_statements(corpus, read, hits, named, checked_names, found))
    check_identities(corpus.problems, mine + found, corpus.registries,
                     checked={f"{source.folder}/{ANNOTATION_FILE}" for source in corpus.sources.values()})


def _scan_and_read(root: Path, context: tuple, wanted: frozenset[str], probes_: list[Probe], ids: list[bytes],
                   folders: list[Path]) -> tuple[list, list, list]:
    """_scan_folders; the per-source ids among `wanted` of the folders that may hold one;
    and the identities of the folders that may hold a look-alike (in a worker on a large
    corpus)."""
    hits = _scan_folders(probes_, ids, folders, wanted)
    per_source = [folder for folder, _, _, may in hits if may]
    alike = [folder for folder, may, _, _ in hits if may]
    found_ids = ids_of_other_sources(root, context, per_source_tables(), per_source)[0] if per_source else []
    identities = ids_of_other_sources(root, context, TABLES, alike)[1] if alike else []
    return ([hit[:3] for hit in hits if hit[2]], [entry for entry in found_ids if entry[1] in wanted], identities)


def _scan_folders(probes_: list[Probe], ids: list[bytes], folders: list[Path],
                  wanted: frozenset[str] = frozenset()) -> list:
    """(folder, may hold a look-alike, indexes of the ids its bytes have, may hold one of
    the per-source ids `wanted`) for each folder whose annotation file may matter (in a
    worker on a large corpus)."""
    # Each id is searched for in every file; past MAX_SEARCHED_IDS, reading every file
    # as records (as the full run does) costs less than the searches.
    searched = [record_id.encode("utf-8") for record_id in wanted] if len(wanted) <= MAX_SEARCHED_IDS else None
    # A source's ids mostly start with its source_id: a file without their common start has none.
    common = os.path.commonprefix(searched) if searched else b""
    out = []
    for folder in folders:
        # Read as the full run reads it (no links, no special files, the size limit): a file it
        # refuses gives it no records.
        data = read_bytes(folder / ANNOTATION_FILE, ProblemList(), "", max_bytes=MAX_FILE_BYTES)
        if data is None:
            continue
        # YAML can write an id's characters apart only with a backslash escape ("\\x2d"): a file
        # with one may hold any id.
        escaped = b"\\" in data
        has = tuple(k for k, record_id in enumerate(ids) if escaped or _holds(data, record_id))
        alike = bool(probes_) and may_hold_look_alike(data, probes_, functools.partial(_published, folder))
        per_source = bool(wanted) and (searched is None or escaped or
                                       (common in data and any(i in data for i in searched)))
        if alike or has or per_source:
            out.append((folder, alike, has, per_source))
    return out


def _holds(data: bytes, record_id: bytes) -> bool:
    """The id is in data as a whole id (not inside a longer one)."""
    at = data.find(record_id)
    while at != -1:
        after = data[at + len(record_id):at + len(record_id) + 1]
        before = data[at - 1:at] if at else b""
        if not (after.isalnum() or after == b"-") and not (before.isalnum() or before == b"-"):
            return True
        at = data.find(record_id, at + 1)
    return False


def _first_statements(corpus: Corpus, read, hits: list, named: list[str], checked_names: set[str],
                      already: list) -> list:
    """For each id, the identities of the first other source that states it, in folder
    order (skipping files that only mention it); all of them if a checked source comes first."""
    loaded = {ident.path.rsplit("/", 1)[0] for ident in already}
    out: list = []
    first_checked = min(checked_names)
    for k, record_id in enumerate(named):
        folders = [folder for folder, alike, has in hits if k in has]
        if not folders:
            continue
        if folders[0].name > first_checked:  # a checked source may be the first: read them all
            out.extend(read([f for f in folders if _rel_folder(corpus, f) not in loaded]))
            continue
        for folder in folders:
            if _rel_folder(corpus, folder) in loaded:
                if any(i.record_id == record_id for i in already + out if i.path.startswith(_rel_folder(corpus, folder) + "/")):
                    break
                continue
            part = read([folder])
            out.extend(part)
            loaded.add(_rel_folder(corpus, folder))
            if any(i.record_id == record_id for i in part):
                break
    return out


def _rel_folder(corpus: Corpus, folder: Path) -> str:
    return folder.relative_to(corpus.root).as_posix()


_PUBLISHED = re.compile(rb"^published_date:[ \t]*['\"]?(\d{4}-\d{2}-\d{2})['\"]?[ \t]*(?:#.*)?$", re.M)


def _published(folder: Path) -> dt.date | None:
    """The publication date as source.yaml plainly writes it; None for anything else (the
    file is then read as records, which is always safe)."""
    data = read_bytes(folder / METADATA_FILE, ProblemList(), "", max_bytes=MAX_FILE_BYTES)
    found = _PUBLISHED.findall(data or b"")
    if len(found) != 1:
        return None
    try:
        return dt.date.fromisoformat(found[0].decode())
    except ValueError:
        return None
