"""Where each reference file came from: `sources/reference/<id>/provenance.yaml`.

Each folder holds one official file, copied byte for byte, and a provenance.yaml with
its publisher, licence, attribution, retrieval point and sha256. `check_file_hash`
tells whether the file is still the one the provenance describes.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.hashing import file_sha256
from pipelines.schemas import load_trusted_yaml

PROVENANCE_FILE = "provenance.yaml"
REQUIRED_KEYS = ("id", "title", "publisher", "licence", "file", "sha256", "retrieved_from")


def load_provenance(folder: str | Path) -> dict:
    """The provenance.yaml of a reference folder as a dict (raises if absent or incomplete)."""
    path = Path(folder) / PROVENANCE_FILE
    data = load_trusted_yaml(path)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    missing = [key for key in REQUIRED_KEYS if not data.get(key)]
    if missing:
        raise ValueError(f"{path}: missing key(s) {missing}")
    return data


def check_file_hash(folder: str | Path) -> str | None:
    """None when the data file's sha256 matches provenance.yaml, else a message saying why not."""
    folder = Path(folder)
    provenance = load_provenance(folder)
    path = folder / provenance["file"]
    if not path.is_file():
        return f"{provenance['id']}: {provenance['file']} is missing from {folder.name}/"
    actual = file_sha256(path)
    expected = str(provenance["sha256"]).lower()
    if actual != expected:
        return (f"{provenance['id']}: {provenance['file']} has sha256 {actual}, but provenance.yaml "
                f"records {expected}; the file was changed after it was copied")
    return None
