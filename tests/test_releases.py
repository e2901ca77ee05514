"""The committed releases: complete, valid, described, and pointed to by the root descriptor."""

import json
import re

import pytest

from pipelines.publish.datapackage import verify_files
from pipelines.publish.release import VERSION_PATTERN, changelog_date
from pipelines.schemas import REPO_ROOT

DATASETS = REPO_ROOT / "datasets"
RELEASES = sorted((p for p in DATASETS.iterdir() if VERSION_PATTERN.match(p.name)),
                  key=lambda p: tuple(int(x) for x in p.name.split(".")))


def test_there_is_a_release():
    assert RELEASES, "no release in datasets/"


@pytest.mark.parametrize("release", RELEASES, ids=lambda p: p.name)
def test_release_files_match_their_descriptor(release):
    descriptor = json.loads((release / "datapackage.json").read_text())
    assert descriptor["version"] == release.name
    assert descriptor["created"] == f"{changelog_date(DATASETS, release.name)}T00:00:00Z"
    assert verify_files(release / "datapackage.json") == []
    listed = {r["path"] for r in descriptor["resources"]}
    on_disk = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()} - {"datapackage.json"}
    assert listed == on_disk


def test_root_descriptor_is_the_latest_release():
    # that it validates from the shell (`frictionless validate datapackage.json`) is the README's
    # example, which test_readme.py runs as written
    root = json.loads((REPO_ROOT / "datapackage.json").read_text())
    latest = RELEASES[-1].name
    assert root["version"] == latest
    assert all(r["path"].startswith(f"datasets/{latest}/") for r in root["resources"])


def test_every_release_is_in_the_changelog():
    text = (DATASETS / "CHANGELOG.md").read_text()
    for release in RELEASES:
        assert re.search(rf"^## {re.escape(release.name)} - \d{{4}}-\d{{2}}-\d{{2}}$", text, re.MULTILINE), release.name


def test_release_workflow_zips_the_tagged_release():
    import yaml

    workflow = yaml.safe_load((REPO_ROOT / ".github/workflows/release.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert triggers["push"]["tags"] == ["v*.*.*"]
    steps = workflow["jobs"]["release"]["steps"]
    script = "\n".join(step.get("run", "") for step in steps)
    assert 'datasets/$version/datapackage.json' in script and "zip -r" in script and "gh release create" in script
    assert workflow["permissions"] == {"contents": "write"}
