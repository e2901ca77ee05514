"""What a build was made from: its manifest, and the release's proof that it is current.

The build writes `manifest.json` beside the files it publishes (build/data/manifest.json):
the sha256 of every file under the corpus' sources/, of every table declaration
(schemas/tables/*.yaml) and of the code (pipelines/**/*.py and *.sql), and the versions of
Python and of the libraries that read, compute and write the data. A release computes the
same manifest from the tree as it is now and refuses any difference, naming it
("sources/news/x/annotations.yaml changed since the build: run `make data`"): a build left
behind by a failed `make data`, or made before an edit, is never published.

The manifest is not published: a release copies the tables, the charts and the descriptor
only. The published descriptor already carries the hash of every file a user reads, and
the sources and code that made a release are the repository at its tag; local facts such
as library patch versions are the maintainer's, not the reader's (and publishing them
would change the content of releases made before it existed).
"""

from __future__ import annotations

import json
import platform
import stat
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pipelines.hashing import DRAFTS, NOT_REGULAR, content_sha256, is_editor_litter, walk_files

MANIFEST = "manifest.json"
FORMAT = 1
# the libraries whose behaviour the published bytes depend on (pyproject.toml's dependencies)
PACKAGES = ["dagster", "duckdb", "frictionless", "matplotlib", "pandas", "pandera", "pyarrow", "pycountry",
            "pyreadr", "python-calamine", "pyyaml"]


def code_root() -> Path:
    """The repository that holds the code and the table declarations the build ran with."""
    from pipelines.schemas import REPO_ROOT

    return REPO_ROOT


def build_manifest(corpus: Path, walked: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """The manifest of a build of the corpus at corpus by the code installed now. walked:
    `walk_sources(corpus)`, when the caller has it (it walks the files again otherwise)."""
    # Plain files only, never through a link: a link or special file under sources/ is
    # refused by the build's checks, and /dev/zero has no end.
    inputs = {f"sources/{name}": sha256 for name, sha256 in (walk_sources(corpus) if walked is None else walked)
              if sha256 != NOT_REGULAR}
    code = code_manifest()
    return {"format": FORMAT, "inputs": dict(sorted({**inputs, **code["inputs"]}.items())),
            "packages": code["packages"]}


def walk_sources(corpus: Path) -> list[tuple[str, str]]:
    """(path under sources/, sha256 or what else it is) of everything under the corpus'
    sources/ (hashing.walk_files), but the drafts of `borderlines suggest --write`, which the
    build never reads: what a manifest records, and what the build's source folders are made
    of (core.checked.folder_digests)."""
    return list(walk_files(corpus / "sources", frozenset({DRAFTS})))


def code_manifest() -> dict[str, Any]:
    """The part of a manifest that is not the corpus: the code, the table declarations and
    the library versions (`same_code` compares it with a whole manifest)."""
    code = code_root()
    inputs: dict[str, str] = {}
    for pattern_root, patterns in (("schemas/tables", ["*.yaml"]), ("pipelines", ["**/*.py", "**/*.sql"])):
        for pattern in patterns:
            for path in sorted((code / pattern_root).glob(pattern)):
                if (path.is_symlink() or not stat.S_ISREG(path.lstat().st_mode) or "__pycache__" in path.parts
                        or is_editor_litter(path.name)):
                    continue
                inputs[path.relative_to(code).as_posix()] = content_sha256(path)
    return {"format": FORMAT, "inputs": inputs, "packages": package_versions()}


def environment_sha256() -> str:
    """The sha256 of every installed distribution's name and version: wider than
    `package_versions` (frictionless's own dependencies decide its verdicts too), for what a
    build takes on trust from the build it replaces."""
    import hashlib
    from importlib.metadata import distributions

    installed = sorted({f"{d.metadata['Name']}=={d.version}" for d in distributions() if d.metadata["Name"]})
    return hashlib.sha256("\n".join(installed).encode("utf-8")).hexdigest()


def package_versions() -> dict[str, str]:
    """The versions of Python and of the libraries the published bytes depend on."""
    packages = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = "not installed"
    return packages


def write_manifest(manifest: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def differences(built: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What differs between the build's manifest and the tree now, one line each."""
    lines = []
    old, new = built.get("inputs", {}), now.get("inputs", {})
    for path in sorted(old.keys() | new.keys()):
        if path not in new:
            lines.append(f"{path} was removed since the build")
        elif path not in old:
            lines.append(f"{path} was added since the build")
        elif old[path] != new[path]:
            lines.append(f"{path} changed since the build")
    old, new = built.get("packages", {}), now.get("packages", {})
    for name in sorted(old.keys() | new.keys()):
        if old.get(name) != new.get(name):
            lines.append(f"{name} was {old.get(name, 'absent')} at the build and is {new.get(name, 'absent')} now")
    return lines


def same_code(built: dict[str, Any], now: dict[str, Any]) -> bool:
    """Whether two manifests name the same code, table declarations and libraries (their
    sources may differ)."""
    def code(manifest: dict[str, Any]) -> dict[str, str]:
        return {k: v for k, v in manifest.get("inputs", {}).items() if not k.startswith("sources/")}

    return code(built) == code(now) and built.get("packages") == now.get("packages")


def changed_during_build(inputs: dict[str, Any], data: Path) -> list[str]:
    """What changed between the start of a build (inputs) and the manifest it wrote in data;
    that manifest is removed when anything did, so that no release takes a build of a mix
    of both."""
    recorded = read_manifest(data / MANIFEST)
    changed = differences(inputs, recorded) if recorded is not None else []
    if changed:
        (data / MANIFEST).unlink()
    return changed
