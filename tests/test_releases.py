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
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    script = "\n".join(step.get("run", "") for step in steps)
    assert 'datasets/$version/datapackage.json' in script and "zip -r" in script and "gh release create" in script


# The pins checked by hand (the release notes of each action name its commit).
PINNED_ACTIONS = {
    "actions/checkout": ("11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"),
    "actions/setup-python": ("a26af69be951a213d495a4c3e4e4022e16d87065", "v5"),
}
SEMVER = r"^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$"


def workflow_uses(path):
    """(action, ref, comment) of every `uses:` line of a workflow file."""
    return re.findall(r"^\s*-?\s*uses:\s*([^@\s]+)@(\S+)\s*(?:#\s*(.*))?$", path.read_text(), re.MULTILINE)


@pytest.mark.parametrize("path", sorted((REPO_ROOT / ".github/workflows").glob("*.yml")), ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit_sha_with_its_version(path):
    uses = workflow_uses(path)
    assert uses, f"{path.name} uses no action"
    for action, ref, comment in uses:
        assert action in PINNED_ACTIONS, f"{path.name}: {action} has no verified pin; add its commit SHA here"
        assert (ref, comment.strip()) == PINNED_ACTIONS[action], f"{path.name}: {action}@{ref} # {comment}"


@pytest.mark.parametrize("path", sorted((REPO_ROOT / ".github/workflows").glob("*.yml")), ids=lambda p: p.name)
def test_no_expression_is_interpolated_into_a_script(path):
    import yaml

    workflow = yaml.safe_load(path.read_text())
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), f"{path.name}: pass it through env: {step.get('name')}"
            if "actions/checkout@" in step.get("uses", ""):
                assert step.get("with", {}).get("persist-credentials") is False, path.name


def test_release_workflow_has_least_permissions():
    import yaml

    workflow = yaml.safe_load((REPO_ROOT / ".github/workflows/release.yml").read_text())
    assert workflow["permissions"] == {"contents": "read"}
    writers = {name for name, job in workflow["jobs"].items() if job["permissions"] != {"contents": "read"}}
    assert writers == {"publish"} and workflow["jobs"]["publish"]["permissions"] == {"contents": "write"}
    publish = workflow["jobs"]["publish"]
    assert publish["needs"] == "check"
    # the job that can write installs and runs nothing of the project
    runs = "\n".join(step.get("run", "") for step in publish["steps"])
    assert "make" not in runs and ".venv" not in runs and "pip" not in runs
    assert not any("setup-python" in step.get("uses", "") for step in publish["steps"])


def _tag_checks():
    import yaml

    workflow = yaml.safe_load((REPO_ROOT / ".github/workflows/release.yml").read_text())
    for name, job in workflow["jobs"].items():
        scripts = [step.get("run", "") for step in job["steps"]]
        # the first script of every job checks the tag; none before it uses the version
        first = next(i for i, s in enumerate(scripts) if s)
        assert SEMVER in scripts[first] and job["steps"][first]["env"] == {"TAG": "${{ github.ref_name }}"}, name
        yield name, scripts[first]


@pytest.mark.parametrize("tag, ok", [
    ("v1.2.3", True), ("v0.10.0", True), ("v1.2", False), ("v01.2.3", False), ("1.2.3", False),
    ("v1.2.3-rc1", False), ("v1.2.3;id", False), ("v1.2.3\nx", False), ("v1.2.3/../..", False), ("v1.2.x", False),
])
def test_release_workflow_checks_the_tag_as_semver(tmp_path, tag, ok):
    import shutil
    import subprocess

    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    for version in ("1.2.3", "0.10.0"):
        (tmp_path / "datasets" / version).mkdir(parents=True)
        (tmp_path / "datasets" / version / "datapackage.json").write_text("{}")
    for job, script in _tag_checks():
        github_env = tmp_path / f"env-{job}"
        github_env.write_text("")
        done = subprocess.run([bash, "-e", "-c", script], cwd=tmp_path, capture_output=True, text=True,
                              env={"TAG": tag, "GITHUB_ENV": str(github_env), "PATH": "/usr/bin:/bin"})
        assert (done.returncode == 0) == ok, (job, tag, done.stdout, done.stderr)
        assert github_env.read_text() == (f"VERSION={tag[1:]}\n" if ok else "")
