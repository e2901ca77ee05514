"""CITATION.cff and the licence files: what GitHub's "Cite this repository" and licence badge
read, kept in step with the latest release by `borderlines release`."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURE, REPO
from pipelines.publish.citation import citation_release
from pipelines.publish.manifest import MANIFEST, build_manifest, write_manifest
from pipelines.publish.release import VERSION_PATTERN, ReleaseError, release

# The top-level keys of the Citation File Format 1.2.0 (schema-guide.md of
# citation-file-format/citation-file-format at tag 1.2.0); any other key makes the file invalid.
CFF_KEYS = {"abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi", "identifiers",
            "keywords", "license", "license-url", "message", "preferred-citation", "references", "repository",
            "repository-artifact", "repository-code", "title", "type", "url", "version"}
CHANGELOG = "# Changelog\n\n## 0.2.0 - 2026-11-24\n\nMore.\n\n## 0.1.1 - 2026-11-23\n\nFix.\n\n" \
            "## 0.1.0 - 2026-11-23\n\nFirst.\n"


def latest_release() -> str:
    return max((p.name for p in (REPO / "datasets").iterdir() if VERSION_PATTERN.match(p.name)),
               key=lambda v: tuple(int(x) for x in v.split(".")))


def test_citation_follows_the_cff_schema():
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert set(cff) <= CFF_KEYS, set(cff) - CFF_KEYS
    assert {"cff-version", "message", "title", "authors"} <= set(cff)  # required by CFF 1.2.0
    assert cff["cff-version"] == "1.2.0" and cff["type"] in ("dataset", "software")
    assert cff["authors"] == [{"name": "The Borderlines contributors"}]  # an entity, not a person
    assert "repository-code" not in cff  # the repository's address is not known
    # the licences the package and pyproject.toml declare, as SPDX identifiers
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    code = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"]
    assert sorted(cff["license"]) == sorted([descriptor["licenses"][0]["name"], code]) == ["CC-BY-4.0", "MIT"]


def test_citation_names_the_latest_release():
    version = latest_release()
    descriptor = json.loads((REPO / "datasets" / version / "datapackage.json").read_text(encoding="utf-8"))
    assert citation_release(REPO / "CITATION.cff") == (version, descriptor["created"][:10])


def test_licence_files_state_mit_and_cc_by():
    code = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert code.startswith("MIT License\n\nCopyright (c) 2026 The Borderlines contributors\n")
    assert "THE SOFTWARE IS PROVIDED \"AS IS\"" in code
    data = (REPO / "LICENSE-DATA").read_text(encoding="utf-8")
    assert "https://creativecommons.org/licenses/by/4.0/legalcode" in data
    for licence in ("Open Government Licence v3.0", "IOM Missing Migrants Project: CC BY 4.0", "Frontex"):
        assert licence in data, licence


@pytest.fixture
def repo(tmp_path, fixture_build) -> Path:
    """A repository with the fixture corpus' build, a changelog and this repository's CITATION.cff."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE / "sources", root / "sources")
    shutil.copytree(fixture_build / "data", root / "build" / "data")
    write_manifest(build_manifest(root), root / "build" / "data" / MANIFEST)  # the code as it is now
    (root / "datasets").mkdir()
    (root / "datasets" / "CHANGELOG.md").write_text(CHANGELOG)
    shutil.copy(REPO / "CITATION.cff", root / "CITATION.cff")
    return root


def do_release(root: Path, version: str) -> str:
    return release(version, root / "build" / "data", root / "datasets", root / "datapackage.json")


def test_a_release_rewrites_the_citation_version_and_date_only(repo):
    before = (repo / "CITATION.cff").read_text(encoding="utf-8")
    do_release(repo, "0.1.0")
    assert citation_release(repo / "CITATION.cff") == ("0.1.0", "2026-11-23")
    do_release(repo, "0.2.0")
    after = (repo / "CITATION.cff").read_text(encoding="utf-8")
    assert citation_release(repo / "CITATION.cff") == ("0.2.0", "2026-11-24")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert [b for _, b in changed] == ["version: 0.2.0", 'date-released: "2026-11-24"']
    # an older patch published later does not move "latest"
    do_release(repo, "0.1.1")
    assert citation_release(repo / "CITATION.cff") == ("0.2.0", "2026-11-24")
    assert (repo / "CITATION.cff").read_text(encoding="utf-8") == after


def test_a_citation_without_a_version_line_is_refused_with_what_to_do(repo):
    text = (repo / "CITATION.cff").read_text(encoding="utf-8")
    (repo / "CITATION.cff").write_text("\n".join(line for line in text.splitlines()
                                                 if not line.startswith("version:")) + "\n", encoding="utf-8")
    with pytest.raises(ReleaseError, match="CITATION.cff has no top-level `version:`.*add them"):
        do_release(repo, "0.1.0")
    assert not (repo / "datasets" / "0.1.0").exists()  # refused before anything is published


def test_running_a_release_again_finishes_the_citation(repo):
    do_release(repo, "0.1.0")
    published = (repo / "CITATION.cff").read_text(encoding="utf-8")
    # as if the release had been killed before it rewrote the citation
    shutil.copy(REPO / "CITATION.cff", repo / "CITATION.cff")
    assert do_release(repo, "0.1.0") == "datasets/0.1.0 already holds exactly this content: pointed CITATION.cff at it"
    assert (repo / "CITATION.cff").read_text(encoding="utf-8") == published
    assert do_release(repo, "0.1.0").endswith("nothing to do")
