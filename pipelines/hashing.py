"""The sha256 of a file, for every part that checks or records one.

Reference files are checked against the sha256 in their provenance.yaml, published files
are listed with theirs in datapackage.json: both hash the same way, here, so that neither
part imports the other.

One build hashes the same corpus several times: its files' data versions (the observed
assets), the manifest it starts from, each source folder it considers checking again, and
the manifest it writes. `content_sha256` remembers, for the life of the process only, the
hash of a file whose identity and times have not changed since it was hashed, so that only
the first pass reads the files. Nothing is kept on disk: a new process (a release, the next
`make data`) reads every file again.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path
from typing import Iterable, Iterator

BLOCK_SIZE = 1 << 20  # read in 1 MiB blocks: the files can be larger than is worth holding in memory
# A file changed this recently could change again within the file system's clock tick and
# keep its times (git's "racy" files): its hash is not remembered.
RECENT_NS = 2_000_000_000
NOT_REGULAR = "not a regular file"
DRAFTS = "suggestions.yaml"  # written by `borderlines suggest --write` in a source folder, read by nothing


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, as lowercase hex."""
    digest = hashlib.sha256()
    # The descriptor's own reads, not a buffered file object's: most files hashed are a few
    # kilobytes (a corpus' sources), and the object cost a fifth of a walk of 30,000 of them.
    descriptor = os.open(path, os.O_RDONLY)
    try:
        while block := os.read(descriptor, BLOCK_SIZE):
            digest.update(block)
    finally:
        os.close(descriptor)
    return digest.hexdigest()


def file_digest(path: Path) -> tuple[int, str]:
    """(size in bytes, sha256 hex) of a file."""
    sha256 = file_sha256(path)
    return Path(path).stat().st_size, sha256


def is_hashed(folder: Path, hashes: dict[str, str], relative: str) -> bool:
    """Whether folder/relative is the file `hashes` ("sha256:..." by path, as a data package
    descriptor gives them) names: a file of a previous build is taken only then."""
    try:
        return hashes.get(relative) == f"sha256:{file_digest(folder / relative)[1]}"
    except OSError:
        return False


_hashed: dict[str, tuple[tuple[int, ...], str]] = {}  # path -> (what lstat said, sha256)


def content_sha256(path: Path, status: os.stat_result | None = None) -> str:
    """file_sha256 of a regular file, not read again in this process while its device,
    inode, size and modification and change times are those it had when it was read."""
    status = status or os.lstat(path)
    key = _identity(status)
    name = os.fspath(path)
    known = _hashed.get(name)
    if known is not None and known[0] == key:
        return known[1]
    started = time.time_ns()
    sha256 = file_sha256(path)
    # Remembered only when the file did not change while it was read (the same times after as
    # before) and had not changed for a while before: a write within one tick of the file
    # system's clock (coarse on some file systems) could otherwise keep the times of the last.
    if _identity(os.lstat(path)) == key and started - max(status.st_mtime_ns, status.st_ctime_ns) > RECENT_NS:
        _hashed[name] = (key, sha256)
    return sha256


def _identity(status: os.stat_result) -> tuple[int, ...]:
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns


def is_editor_litter(name: str) -> bool:
    """Files an editor or a desktop leaves beside the real ones (.x.swp, x~, #x#, .DS_Store):
    neither read by the build nor part of what it is made from."""
    return name.startswith(".") or name.endswith("~") or (name.startswith("#") and name.endswith("#"))


def walk_files(folder: Path, skip_names: frozenset[str] = frozenset()) -> Iterator[tuple[str, str]]:
    """(path relative to folder, sha256) of everything under folder but folders, in path
    order (as sorted(folder.rglob("*")) gives it), without editor litter, __pycache__ or
    skip_names (a folder so named is skipped whole). A link or special file is never opened: its "hash" is NOT_REGULAR (the
    checks refuse it)."""
    def visit(current: str, prefix: str):
        try:
            with os.scandir(current) as scanned:
                entries = sorted(scanned, key=lambda entry: entry.name)
        except OSError as error:  # a folder the build cannot list: its checks report it
            yield prefix or ".", f"unreadable ({error.strerror})"
            return
        for entry in entries:
            if entry.name in skip_names or entry.name == "__pycache__":
                continue
            status = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(status.st_mode):
                yield from visit(entry.path, prefix + entry.name + "/")
            elif is_editor_litter(entry.name):
                continue
            elif stat.S_ISREG(status.st_mode):
                yield prefix + entry.name, content_sha256(entry.path, status)
            else:
                yield prefix + entry.name, NOT_REGULAR

    if not os.path.isdir(folder) or os.path.islink(folder):
        return iter(())
    return visit(os.fspath(folder), "")


def tree_digest(folder: Path, skip_names: frozenset[str] = frozenset()) -> str:
    """One sha256 for everything under folder: each file's path and content hash, in path
    order (walk_files). A link or special file counts by its path only, so adding, removing
    or changing any file changes the digest."""
    return entries_digest(walk_files(Path(folder), skip_names))


def entries_digest(entries: Iterable[tuple[str, str]]) -> str:
    """tree_digest of the (path, content hash) pairs a walk gave, in its order."""
    digest = hashlib.sha256()
    for name, content in entries:
        digest.update(f"{name}\0{content}\0".encode("utf-8", "surrogateescape"))  # names need not be UTF-8
    return digest.hexdigest()
