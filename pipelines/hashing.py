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
