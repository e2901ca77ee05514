"""CITATION.cff names the latest release: `borderlines release` rewrites its `version` and
`date-released` lines when it publishes the newest version, and leaves every other line
as written. The file is the one beside the repository's datapackage.json; a tree without
one (a test's temporary copy) has nothing to update.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pipelines.errors import ReleaseError

CITATION = "CITATION.cff"
_VERSION = re.compile(r"^version:.*$", re.MULTILINE)
_DATE = re.compile(r"^date-released:.*$", re.MULTILINE)


def check_citation(path: Path) -> None:
    """Refuse, before anything is published, a CITATION.cff the release could not update."""
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    if not (_VERSION.search(text) and _DATE.search(text)):
        raise ReleaseError(f"{path.name} has no top-level `version:` and `date-released:` lines to update: "
                           "add them (see the CFF 1.2.0 schema), then run the release again")


def update_citation(path: Path, version: str, release_date: str) -> bool:
    """Set the citation's version and date-released (written atomically); returns whether it changed."""
    if not path.is_file():
        return False
    check_citation(path)
    text = path.read_text(encoding="utf-8")
    new = _VERSION.sub(f"version: {version}", text, count=1)
    new = _DATE.sub(f'date-released: "{release_date}"', new, count=1)
    if new == text:
        return False
    tmp = path.with_suffix(".cff.tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.chmod(0o644)
    os.replace(tmp, path)
    return True


def citation_release(path: Path) -> tuple[str | None, str | None]:
    """(version, date-released) as CITATION.cff states them."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return (str(data["version"]) if data.get("version") is not None else None,
            str(data["date-released"]) if data.get("date-released") is not None else None)
