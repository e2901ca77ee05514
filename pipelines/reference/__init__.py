"""Official statistics: readers for the files under sources/reference/, their provenance,
data-quality log and attribution. Which table each reader makes is declared in
schemas/tables/ (`build: {reader: ..., folder: ...}`)."""

from pathlib import Path

REFERENCE_DIR = Path("sources") / "reference"  # relative to the corpus root
