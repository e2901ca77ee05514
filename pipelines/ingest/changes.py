"""Check only what changed: `borderlines validate --changed-since REF` (and file arguments).

Two parts:

- `folders_changed_since` asks git which source folders differ from REF (committed,
  staged, unstaged or untracked). A change to a registry, to schemas/ or to the checker
  itself can break any source, so then every source folder is returned.
- `check_ids_against_other_sources` keeps the corpus-wide duplicate-id check when only
  some sources were fully checked. The ids of the other sources' per-source records
  (crossing_id, ...) are read with one regular expression per file, without parsing
  YAML or anchoring quotes: that is what keeps a one-source check fast on a corpus of
  thousands. Registries are always loaded by `load_corpus`, so foreign keys into them are
  checked in every mode.

Stdlib only: `borderlines validate` imports this module.
"""

from __future__ import annotations

import functools
import re
import subprocess
from pathlib import Path

from pipelines.ingest.corpus import ANNOTATION_FILE, NEWS_DIR, Corpus, source_folders
from pipelines.schemas import load_tables

# A change under any of these can change the result for every source.
CORPUS_WIDE_PREFIXES = ("sources/registry/", "schemas/", "pipelines/ingest/", "pipelines/schemas.py")


class ChangesError(ValueError):
    """A bad ref, or not a git repository: a usage error (exit 2)."""


def _run_git(root: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ChangesError("--changed-since needs git, and git is not installed") from None


def _git_output(root: Path, *args: str) -> str:
    done = _run_git(root, *args)
    if done.returncode != 0:
        raise ChangesError(f"git {' '.join(args[:2])} failed: {done.stderr.strip() or 'no message'}")
    return done.stdout


def changed_paths(root: Path, ref: str) -> list[str]:
    """Paths (relative to root, forward slashes) that differ from ref, plus untracked files."""
    inside = _run_git(root, "rev-parse", "--is-inside-work-tree") if root.is_dir() else None
    if inside is None or inside.returncode != 0 or inside.stdout.strip() != "true":
        raise ChangesError(f"{root} is not inside a git repository, so --changed-since cannot be used; "
                           "give the files or folders to check instead")
    if ref.startswith("-") or _run_git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode:
        raise ChangesError(f"{ref!r} is not a commit, branch or tag in this repository "
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


@functools.lru_cache(maxsize=None)
def _id_pattern(id_field: str) -> re.Pattern:
    # Starts with the literal key, so that the regex engine can skip ahead quickly; where
    # the key stands is checked by _is_key_position.
    return re.compile(rf"""{re.escape(id_field)}[ \t]*:[ \t]*["']?([^"'\s,}}#]+)""")


_KEY_PREFIX = re.compile(r"[ \t]*(?:-[ \t]+)?(?:\{(?:.*,)?[ \t]*)?")


def _is_key_position(text: str, start: int) -> bool:
    """A mapping key: at the start of a line (block style, after "- " or not) or inside a
    flow mapping ("{crossing_id: x, ...}"); not a word inside a quote or a note."""
    line_start = text.rfind("\n", 0, start) + 1
    return _KEY_PREFIX.fullmatch(text, line_start, start) is not None


def scan_record_ids(path: Path, id_fields: dict[str, str]) -> list[tuple[str, str, int]]:
    """(table, id, line) of every per-source record id written in an annotation file."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []  # an unreadable file is reported when that source itself is checked
    found = []
    for table, id_field in id_fields.items():
        for match in _id_pattern(id_field).finditer(text):
            if _is_key_position(text, match.start()):
                found.append((table, match.group(1), text.count("\n", 0, match.start()) + 1))
    return found


def per_source_id_fields() -> dict[str, str]:
    """Tables whose ids must be unique across the corpus (merge: per_source), and their id field."""
    return {t.name: t.annotation["id_field"] for t in load_tables().values()
            if t.annotation.get("merge") == "per_source"}


def check_ids_against_other_sources(corpus: Corpus, checked: list[Path]) -> int:
    """Report records of the checked sources whose per-source id is already used by a source
    that was not checked. Returns how many other sources were scanned."""
    id_fields = per_source_id_fields()
    if not any(record.table in id_fields for record in corpus.records):
        return 0  # nothing checked that could clash (e.g. only a reference file was given)
    checked_names = {folder.name for folder in checked}
    others = [f for f in source_folders(corpus.root) if f.name not in checked_names]
    used: dict[tuple[str, str], str] = {}
    for folder in others:
        rel = f"{NEWS_DIR}/{folder.name}/{ANNOTATION_FILE}"
        for table, record_id, line in scan_record_ids(folder / ANNOTATION_FILE, id_fields):
            used.setdefault((table, record_id), f"{rel}:{line}")
    for record in corpus.records:
        where = used.get((record.table, record.record_id))
        if where and record.table in id_fields:
            corpus.problems.add(record.path, record.line, 1, "duplicate-id",
                                f"{id_fields[record.table]} {record.record_id!r} is also used in {where}",
                                "ids are unique across the dataset: choose another id")
    return len(others)
