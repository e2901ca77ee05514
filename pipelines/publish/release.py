"""Publish the current build as an immutable release: datasets/<version>/.

A release publishes only a build it can prove current: build/data/manifest.json records
what the build was made from (pipelines/publish/manifest.py), and the release recomputes
it from the tree and refuses any difference, naming it. It takes nothing from a cache.
The version must be described in datasets/CHANGELOG.md first; its date there is the
release's `created` date.

A release is assembled in a temporary folder inside datasets/ and renamed into place in
one step, so an interrupted release leaves no datasets/<version>/ at all and earlier
releases are never touched. Publishing a version that exists is a no-op when the content
is identical and an error when it differs. The root datapackage.json then describes the
latest release (its paths point into datasets/<version>/); it is brought up to date even
when the release folder already exists, so that a release killed between the rename and
the root descriptor is finished by running it again. CITATION.cff, beside the root
descriptor, then names the latest release too (pipelines/publish/citation.py). One release
at a time (datasets/.lock), and never while a build is writing build/data (build/.lock).
Folders are 0755, files 0644.
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
from pipelines.publish.citation import CITATION, check_citation, update_citation
from pipelines.publish.locking import exclusive
from pipelines.publish.manifest import MANIFEST, build_manifest, differences, read_manifest
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
            release_date: str | None = None, root: Path | None = None) -> str:
    """Publish build_dir as datasets_dir/<version>; returns a one-line report. root is the
    repository whose sources the build must have been made from (default: datasets_dir's
    parent). Raises ReleaseError, or BusyError when another release or a build is running."""
    if not VERSION_PATTERN.match(version):
        raise ReleaseError(f"version {version!r} is not of the form MAJOR.MINOR.PATCH (e.g. 0.1.0)")
    if not has_changelog_entry(datasets_dir, version):
        raise ReleaseError(f"describe {version} in datasets/CHANGELOG.md first "
                           f"(a section \"## {version} - YYYY-MM-DD\": its date is the release date)")
    check_citation(root_descriptor.parent / CITATION)
    root = datasets_dir.parent if root is None else root
    datasets_dir.mkdir(parents=True, exist_ok=True)
    with exclusive(datasets_dir / ".lock", "release"), exclusive(build_dir.parent / ".lock", "build"):
        return _release(version, build_dir, datasets_dir, root_descriptor, release_date, root)


def has_changelog_entry(datasets_dir: Path, version: str) -> bool:
    changelog = datasets_dir / "CHANGELOG.md"
    return changelog.is_file() and re.search(rf"^## \[?{re.escape(version)}\]?(\s|$)",
                                             changelog.read_text(encoding="utf-8"), re.MULTILINE) is not None


def check_build_is_current(build_dir: Path, root: Path) -> None:
    """Refuse a build not made from the sources, declarations, code and libraries there are now."""
    built = read_manifest(build_dir / MANIFEST)
    if built is None:
        raise ReleaseError(f"{_shown(build_dir, root)} has no build manifest ({MANIFEST}), so nothing shows what "
                           "it was built from: run `make data`")
    changed = differences(built, build_manifest(root))
    if len(changed) == 1:
        raise ReleaseError(f"{changed[0]}: run `make data`")
    if changed:
        raise ReleaseError(f"{_shown(build_dir, root)} was not built from the current tree: run `make data`\n  "
                           + "\n  ".join(changed[:20]) + (f"\n  and {len(changed) - 20} more" if len(changed) > 20 else ""))


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _release(version: str, build_dir: Path, datasets_dir: Path, root_descriptor: Path,
             release_date: str | None, root: Path) -> str:
    if not (build_dir / "datapackage.json").exists():
        raise ReleaseError(f"there is no build in {build_dir}: run `make data` first")
    check_build_is_current(build_dir, root)
    build_dir = build_dir.resolve()  # the build's own folder, not the link a new build would move
    release_date = release_date or changelog_date(datasets_dir, version) or dt.date.today().isoformat()
    target = datasets_dir / version
    for stale in datasets_dir.glob(".release-*"):  # left by an interrupted release
        shutil.rmtree(stale, ignore_errors=True)

    tmp = Path(tempfile.mkdtemp(prefix=f".release-{version}-", dir=datasets_dir))
    try:
        for fmt in ("parquet", "csv"):
            shutil.copytree(build_dir / fmt, tmp / fmt)
        if (build_dir / "charts").is_dir():  # a build without official statistics has no charts
            shutil.copytree(build_dir / "charts", tmp / "charts")
        if (build_dir / "sqlite").is_dir():  # builds before the SQLite file (issue 17) have none
            shutil.copytree(build_dir / "sqlite", tmp / "sqlite")
        build_descriptor = json.loads((build_dir / "datapackage.json").read_text(encoding="utf-8"))
        tables = [r["name"] for r in build_descriptor["resources"] if r["format"] == "parquet"]
        write_descriptor(for_release(build_descriptor, version, f"{release_date}T00:00:00Z"), tmp / "datapackage.json")
        problems = validate_package(tmp / "datapackage.json")
        if problems:
            raise ReleaseError("the release does not validate:\n  " + "\n  ".join(problems[:20]))
        if target.exists():
            if _tree_digest(target) != _tree_digest(tmp):
                raise ReleaseError(
                    f"datasets/{version} exists with different content; releases are immutable. "
                    f"Publish a new version (e.g. bump the patch number) and describe it in datasets/CHANGELOG.md")
            # A release killed after its rename left the root descriptor behind: finish it.
            moved = [name for name, changed in (
                ("datapackage.json", update_root_descriptor(target, version, release_date, root_descriptor)),
                (CITATION, update_latest_citation(target, version, release_date, root_descriptor))) if changed]
            return (f"datasets/{version} already holds exactly this content: "
                    + (f"pointed {' and '.join(moved)} at it" if moved else "nothing to do"))
        _publishable(tmp)
        os.rename(tmp, target)  # atomic: the release appears whole or not at all
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)

    update_root_descriptor(target, version, release_date, root_descriptor)
    update_latest_citation(target, version, release_date, root_descriptor)
    return f"published datasets/{version} ({len(tables)} tables)"


def _publishable(folder: Path) -> None:
    """Folders 0755 and files 0644, whatever mkdtemp (0700) and the umask made them."""
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def latest_release(datasets_dir: Path) -> Path | None:
    """The folder of the highest version in datasets_dir (None when there is none)."""
    versions = [p for p in datasets_dir.iterdir() if p.is_dir() and VERSION_PATTERN.match(p.name)] \
        if datasets_dir.is_dir() else []
    return max(versions, key=lambda p: tuple(int(x) for x in p.name.split(".")), default=None)


def is_latest(release_dir: Path, version: str) -> bool:
    """Whether version is the highest release in release_dir's folder: publishing an older
    patch does not move "latest"."""
    latest = latest_release(release_dir.parent)
    return latest is not None and latest.name == version


def update_latest_citation(release_dir: Path, version: str, release_date: str, root_descriptor: Path) -> bool:
    """CITATION.cff beside the root datapackage.json names the latest release; returns whether it changed."""
    if not is_latest(release_dir, version):
        return False
    return update_citation(root_descriptor.parent / CITATION, version, release_date)


def update_root_descriptor(release_dir: Path, version: str, release_date: str, root_descriptor: Path) -> bool:
    """Point the repository's datapackage.json at the latest release (written atomically);
    returns whether it changed."""
    if not is_latest(release_dir, version):
        return False
    prefix = release_dir.relative_to(root_descriptor.parent).as_posix() + "/"
    descriptor = json.loads((release_dir / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        resource["path"] = prefix + resource["path"]
    tmp = root_descriptor.with_suffix(".json.tmp")
    write_descriptor(descriptor, tmp)
    if root_descriptor.is_file() and root_descriptor.read_bytes() == tmp.read_bytes():
        tmp.unlink()
        return False
    tmp.chmod(0o644)
    os.replace(tmp, root_descriptor)
    return True
