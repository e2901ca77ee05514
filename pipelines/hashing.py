"""The sha256 of a file, for every part that checks or records one.

Reference files are checked against the sha256 in their provenance.yaml, published files
are listed with theirs in datapackage.json: both hash the same way, here, so that neither
part imports the other.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

BLOCK_SIZE = 1 << 20  # read in 1 MiB blocks: the files can be larger than is worth holding in memory


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, as lowercase hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(BLOCK_SIZE), b""):
            digest.update(block)
    return digest.hexdigest()


def file_digest(path: Path) -> tuple[int, str]:
    """(size in bytes, sha256 hex) of a file."""
    sha256 = file_sha256(path)
    return Path(path).stat().st_size, sha256


def is_editor_litter(name: str) -> bool:
    """Files an editor or a desktop leaves beside the real ones (.x.swp, x~, #x#, .DS_Store):
    neither read by the build nor part of what it is made from."""
    return name.startswith(".") or name.endswith("~") or (name.startswith("#") and name.endswith("#"))


def tree_digest(folder: Path, skip_names: frozenset[str] = frozenset()) -> str:
    """One sha256 for everything under folder: each regular file's path and content hash, in
    path order. A link or special file counts by its path only (it is never opened: the
    checks refuse it), so adding, removing or changing any file changes the digest."""
    import stat

    digest = hashlib.sha256()
    folder = Path(folder)
    if not folder.is_dir():
        return digest.hexdigest()
    for path in sorted(folder.rglob("*")):
        if path.name in skip_names or is_editor_litter(path.name) or "__pycache__" in path.parts:
            continue
        mode = path.lstat().st_mode
        if stat.S_ISDIR(mode):
            continue
        content = file_sha256(path) if stat.S_ISREG(mode) else "not a regular file"
        digest.update(f"{path.relative_to(folder).as_posix()}\0{content}\0".encode())
    return digest.hexdigest()
