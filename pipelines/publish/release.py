"""Publish the current build as an immutable release: datasets/<version>/.

A release is assembled in a temporary folder inside datasets/ and renamed into place in
one step, so an interrupted release leaves no datasets/<version>/ at all and earlier
releases are never touched. Publishing a version that exists is a no-op when the content
is identical and an error when it differs. The root datapackage.json then describes the
latest release (its paths point into datasets/<version>/).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from pipelines.errors import ReleaseError
from pipelines.publish.datapackage import for_release, write_descriptor
from pipelines.publish.package_check import validate_package
from pipelines.hashing import file_digest

VERSION_PATTERN = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


def changelog_date(datasets_dir: Path, version: str) -> str | None:
    """The date of the version's entry in datasets/CHANGELOG.md ("## 0.1.0 - 2026-11-23")."""
    changelog = datasets_dir / "CHANGELOG.md"
    if not changelog.exists():
        return None
    match = re.search(rf"^## \[?{re.escape(version)}\]?\s*[-–—]\s*(\d{{4}}-\d{{2}}-\d{{2}})",
                      changelog.read_text(encoding="utf-8"), re.MULTILINE)
    return match.group(1) if match else None


def _tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): file_digest(p)[1] for p in sorted(folder.rglob("*")) if p.is_file()}


def release(version: str, build_dir: Path, datasets_dir: Path, root_descriptor: Path,
            release_date: str | None = None) -> str:
    """Publish build_dir as datasets_dir/<version>; returns a one-line report."""
    if not VERSION_PATTERN.match(version):
        raise ReleaseError(f"version {version!r} is not of the form MAJOR.MINOR.PATCH (e.g. 0.1.0)")
    if not (build_dir / "datapackage.json").exists():
        raise ReleaseError(f"there is no build in {build_dir}: run `make data` first")
    release_date = release_date or changelog_date(datasets_dir, version) or dt.date.today().isoformat()
    target = datasets_dir / version
    datasets_dir.mkdir(parents=True, exist_ok=True)
    for stale in datasets_dir.glob(".release-*"):  # left by an interrupted release
        shutil.rmtree(stale, ignore_errors=True)

    tmp = Path(tempfile.mkdtemp(prefix=f".release-{version}-", dir=datasets_dir))
    try:
        for fmt in ("parquet", "csv"):
            shutil.copytree(build_dir / fmt, tmp / fmt)
        if (build_dir / "charts").is_dir():  # a build without official statistics has no charts
            shutil.copytree(build_dir / "charts", tmp / "charts")
        build_descriptor = json.loads((build_dir / "datapackage.json").read_text(encoding="utf-8"))
        tables = [r["name"] for r in build_descriptor["resources"] if r["format"] == "parquet"]
        write_descriptor(for_release(build_descriptor, version, f"{release_date}T00:00:00Z"), tmp / "datapackage.json")
        problems = validate_package(tmp / "datapackage.json")
        if problems:
            raise ReleaseError("the release does not validate:\n  " + "\n  ".join(problems[:20]))
        if target.exists():
            if _tree_digest(target) == _tree_digest(tmp):
                return f"datasets/{version} already holds exactly this content: nothing to do"
            raise ReleaseError(
                f"datasets/{version} exists with different content; releases are immutable. "
                f"Publish a new version (e.g. bump the patch number) and describe it in datasets/CHANGELOG.md")
        os.rename(tmp, target)  # atomic: the release appears whole or not at all
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)

    update_root_descriptor(target, version, release_date, root_descriptor)
    return f"published datasets/{version} ({len(tables)} tables)"


def update_root_descriptor(release_dir: Path, version: str, release_date: str, root_descriptor: Path) -> None:
    """Point the repository's datapackage.json at the latest release (written atomically)."""
    latest = max((p.name for p in release_dir.parent.iterdir() if VERSION_PATTERN.match(p.name)),
                 key=lambda v: tuple(int(x) for x in v.split(".")))
    if latest != version:
        return  # publishing an older patch does not move "latest"
    prefix = release_dir.relative_to(root_descriptor.parent).as_posix() + "/"
    descriptor = json.loads((release_dir / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        resource["path"] = prefix + resource["path"]
    tmp = root_descriptor.with_suffix(".json.tmp")
    write_descriptor(descriptor, tmp)
    os.replace(tmp, root_descriptor)
