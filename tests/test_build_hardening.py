"""Interrupted and concurrent builds and releases, and a release that holds only what was
built from the sources: killed with SIGKILL at random points, run twice at once, on a
read-only or full file system. Processes are real; every wait is a poll with a limit."""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import random
import shutil
import signal
import sqlite3
import stat
import subprocess
import tempfile
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from conftest import FIXTURE, REPO, VENV_BIN, build, failed_checks
from pipelines.cli import main
from pipelines.errors import BusyError
from pipelines.publish.build import current_folder, recover
from pipelines.publish.datapackage import verify_files
from pipelines.publish.manifest import MANIFEST, build_manifest, differences, read_manifest, write_manifest
from pipelines.publish.release import ReleaseError, release

ANNOTATIONS = "sources/news/2024-03-04-fixture-strait-talks/annotations.yaml"
CHANGELOG = "# Changelog\n\n## 0.2.0 - 2026-11-24\n\nMore.\n\n## 0.1.0 - 2026-11-23\n\nFirst.\n"
RANDOM = random.Random(20261124)  # random kill points, the same ones on every run


def tree_hashes(folder: Path) -> dict[str, str]:
    from pipelines.hashing import file_sha256

    return {p.relative_to(folder).as_posix(): file_sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def published(folder: Path) -> dict[str, str]:
    """The files of a build but its manifest, which names the code: other edits may change it."""
    return {path: sha for path, sha in tree_hashes(folder).items() if path != MANIFEST}


def poll(condition, limit: float = 30.0, every: float = 0.02) -> bool:
    """Wait until condition() holds, at most limit seconds; returns whether it held."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.fixture
def repo(tmp_path, fixture_build):
    """A repository: the fixture corpus' sources, its build, a changelog, no release yet."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE / "sources", root / "sources")
    shutil.copytree(fixture_build / "data", root / "build" / "data")
    assert read_manifest(root / "build/data" / MANIFEST)["inputs"][ANNOTATIONS]
    # the code as it is now: an edit to pipelines/ during the test session is not what these test
    write_manifest(build_manifest(root), root / "build/data" / MANIFEST)
    (root / "datasets").mkdir()
    (root / "datasets" / "CHANGELOG.md").write_text(CHANGELOG)
    return root


def do_release(root: Path, version: str, date: str | None = None) -> str:
    return release(version, root / "build" / "data", root / "datasets", root / "datapackage.json", release_date=date)


def cli(root: Path, *args: str, dagster_home: Path | None = None, **popen) -> subprocess.Popen:
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home or root / ".dagster_home")}
    return subprocess.Popen([str(VENV_BIN / "borderlines"), "--root", str(root), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def no_traceback(text: str) -> bool:
    return "Traceback" not in text and "Error:" not in text.replace("borderlines", "")


# --- 1. a release killed between its rename and the root descriptor -----------------------

STUCK_BEFORE_ROOT = """
import sys
from pathlib import Path
import pipelines.publish.release as rel
def stuck(*args):
    Path(sys.argv[2]).write_text("renamed")  # datasets/0.2.0 is in place, the root not yet updated
    sys.stdin.read()  # wait for the kill
rel.update_root_descriptor = stuck
repo = Path(sys.argv[1])
rel.release("0.2.0", repo / "build/data", repo / "datasets", repo / "datapackage.json")
"""


def test_a_release_killed_before_the_root_descriptor_is_finished_by_running_it_again(repo, tmp_path):
    do_release(repo, "0.1.0")
    flag = tmp_path / "renamed"
    proc = subprocess.Popen([sys.executable, "-c", STUCK_BEFORE_ROOT, str(repo), str(flag)], stdin=subprocess.PIPE)
    try:
        assert poll(lambda: flag.exists() or proc.poll() is not None), "the release never reached its rename"
        assert flag.exists()
    finally:
        kill(proc)
    assert (repo / "datasets/0.2.0/datapackage.json").is_file()
    assert json.loads((repo / "datapackage.json").read_text())["version"] == "0.1.0"  # left behind
    message = do_release(repo, "0.2.0")
    assert message == "datasets/0.2.0 already holds exactly this content: pointed datapackage.json at it"
    root = json.loads((repo / "datapackage.json").read_text())
    assert root["version"] == "0.2.0" and root["resources"][0]["path"].startswith("datasets/0.2.0/")
    assert do_release(repo, "0.2.0").endswith("nothing to do")


RELEASE_AGAIN_AND_AGAIN = """
import sys
from pathlib import Path
from pipelines.publish.release import release
repo = Path(sys.argv[1])
print("ready", flush=True)
release("0.2.0", repo / "build/data", repo / "datasets", repo / "datapackage.json")
"""


def test_a_release_killed_at_random_points_is_whole_or_absent_and_finished_by_the_next(repo):
    do_release(repo, "0.1.0")
    old_root = (repo / "datapackage.json").read_bytes()
    timings = []
    for attempt in range(5):
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", RELEASE_AGAIN_AND_AGAIN, str(repo)],
                                stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout.readline().strip() == "ready"
            # a release of the fixture takes about a second after its imports: kill within it
            time.sleep(RANDOM.uniform(0, 1.2))
        finally:
            kill(proc)
        timings.append(time.monotonic() - started)
        published = repo / "datasets/0.2.0"
        if published.exists():  # renamed into place: whole
            assert verify_files(published / "datapackage.json") == []
        root = json.loads((repo / "datapackage.json").read_text())  # never half-written
        assert root["version"] in ("0.1.0", "0.2.0")
        if root["version"] == "0.2.0":
            break
        assert (repo / "datapackage.json").read_bytes() == old_root
    assert do_release(repo, "0.2.0").startswith(("published", "datasets/0.2.0 already holds exactly this content"))
    assert json.loads((repo / "datapackage.json").read_text())["version"] == "0.2.0"
    assert not list((repo / "datasets").glob(".release-*"))


# --- 2. a release holds only what was built from the current sources, code and libraries -----

def test_the_build_manifest_records_sources_declarations_code_and_libraries(fixture_build):
    manifest = read_manifest(fixture_build / "data" / MANIFEST)
    assert manifest == build_manifest(FIXTURE)
    inputs = manifest["inputs"]
    assert ANNOTATIONS in inputs and "schemas/tables/crossings.yaml" in inputs
    assert "pipelines/publish/build.py" in inputs and "pipelines/core/sql/crossings.sql" in inputs
    assert {"python", "duckdb", "pyarrow", "frictionless", "matplotlib", "pandas"} <= set(manifest["packages"])
    # not published: a release copies tables, charts and the descriptor only
    assert MANIFEST not in {r["path"] for r in json.loads((fixture_build / "data/datapackage.json").read_text())["resources"]}


def test_a_release_refuses_a_build_older_than_its_sources_naming_the_change(repo):
    annotations = repo / ANNOTATIONS
    annotations.write_text(annotations.read_text().replace("survivors: 41", "survivors: 42"))
    with pytest.raises(ReleaseError) as refused:
        do_release(repo, "0.1.0")
    assert str(refused.value) == f"{ANNOTATIONS} changed since the build: run `make data`"
    assert not (repo / "datasets/0.1.0").exists() and not (repo / "datapackage.json").exists()
    (repo / "sources/news/new-one").mkdir()
    (repo / "sources/news/new-one/source.yaml").write_text("x: 1\n")
    (repo / ANNOTATIONS).unlink()
    with pytest.raises(ReleaseError) as refused:
        do_release(repo, "0.1.0")
    lines = str(refused.value).splitlines()
    assert lines[0] == "build/data was not built from the current tree: run `make data`"
    assert "  sources/news/new-one/source.yaml was added since the build" in lines
    assert f"  {ANNOTATIONS} was removed since the build" in lines


def test_a_release_refuses_a_build_without_manifest_and_libraries_that_changed(repo):
    manifest = read_manifest(repo / "build/data" / MANIFEST)
    assert differences(manifest, {**manifest, "packages": {**manifest["packages"], "duckdb": "9.9.9"}}) == [
        f"duckdb was {manifest['packages']['duckdb']} at the build and is 9.9.9 now"]
    (repo / "build/data" / MANIFEST).unlink()
    with pytest.raises(ReleaseError, match=r"build/data has no build manifest \(manifest.json\).*run `make data`"):
        do_release(repo, "0.1.0")


def test_a_failed_build_leaves_the_last_good_one_and_a_release_refuses_it(repo, dagster_home, capsys, monkeypatch):
    good = tree_hashes(repo / "build/data")
    annotations = repo / ANNOTATIONS
    annotations.write_text(annotations.read_text().replace("survivors: 41", "survivors: 42"))
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    assert main(["--root", str(repo), "build"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("The build stopped: build/data still holds the last good build, unchanged.\n")
    assert "check 'valid' on annotations failed" in err
    assert tree_hashes(repo / "build/data") == good
    with pytest.raises(ReleaseError, match=f"^{ANNOTATIONS} changed since the build: run `make data`$"):
        do_release(repo, "0.1.0")


def test_a_source_changed_during_the_build_is_reported_and_the_build_cannot_be_released(
        corpus, tmp_path, monkeypatch, dagster_home):
    import pipelines.publish.manifest as manifest

    real = manifest.build_manifest
    calls = []

    def edited_meanwhile(root):  # the first call notes the build's inputs; then the file is edited
        found = real(root)
        if not calls:
            annotations = root / ANNOTATIONS
            annotations.write_text(annotations.read_text() + "# an edit\n")
        calls.append(root)
        return found

    monkeypatch.setattr(manifest, "build_manifest", edited_meanwhile)
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    status, out, err = run_main("--root", str(corpus), "build", "--build-dir", str(tmp_path / "build"))
    assert status == 1
    assert err == (f"borderlines build: {ANNOTATIONS} changed during the build: "
                   "run `make data` again (a release refuses this build)\n")
    assert not (tmp_path / "build/data" / MANIFEST).exists()


def test_there_is_no_build_cache(fixture_build, tmp_path):
    """No build/cache: a planted chart or verdict can never reach a build, nor a release (what
    an incremental build takes from the build it replaces is vouched for by Dagster's record:
    see test_a_planted_previous_build_gives_the_next_build_nothing)."""
    assert not (fixture_build / "cache").exists()
    import inspect

    from pipelines.publish import chart

    assert "cache" not in inspect.signature(chart.write_charts).parameters


def test_a_planted_previous_build_gives_the_next_build_nothing(corpus, tmp_path):
    """An incremental build takes verdicts and SQLite rows from the build it replaces only when
    Dagster's record of the last data_package names that folder and its files' hashes: rows
    planted in the SQLite file, with a descriptor made true again, never reach the next build."""
    from pipelines.assets.run import run_build
    from pipelines.hashing import file_digest

    build_dir = tmp_path / "build"
    instance = dg.DagsterInstance.ephemeral()
    assert run_build(corpus, build_dir, instance=instance).success
    folder = current_folder(build_dir / "data")
    sqlite = folder / "sqlite" / "borderlines.sqlite"
    con = sqlite3.connect(sqlite)
    assert con.execute("UPDATE crossings SET notes = 'planted'").rowcount > 0
    con.commit()
    con.close()
    descriptor = json.loads((folder / "datapackage.json").read_text())
    [entry] = [r for r in descriptor["resources"] if r["path"] == "sqlite/borderlines.sqlite"]
    entry["bytes"], sha = file_digest(sqlite)
    entry["hash"] = f"sha256:{sha}"
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=1))

    with (corpus / ANNOTATIONS).open("a", encoding="utf-8") as annotations:
        annotations.write("# checked again\n")  # a change, and no table changes with it
    result = run_build(corpus, build_dir, instance=instance)
    assert result.success and "data_package" in {e.asset_key.to_user_string()
                                                  for e in result.get_asset_materialization_events()}
    con = sqlite3.connect(build_dir / "data" / "sqlite" / "borderlines.sqlite")
    assert con.execute("SELECT count(*) FROM crossings WHERE notes = 'planted'").fetchone() == (0,)
    con.close()
    [check] = [c for c in result.get_asset_check_evaluations() if c.asset_key == dg.AssetKey("data_package")]
    assert check.metadata["tables_unchanged"].value == 0  # and no verdict of the planted build stood


def test_a_chart_is_copied_only_from_a_file_the_previous_descriptor_hashed(tmp_path):
    from pipelines.hashing import file_digest
    from pipelines.publish.build import Drawings, PreviousBuild

    previous = tmp_path / "previous"
    (previous / "charts").mkdir(parents=True)
    (previous / "charts" / "x.svg").write_text("<svg>the previous drawing</svg>")
    descriptor = {"resources": [{"path": "charts/x.svg",
                                 "hash": f"sha256:{file_digest(previous / 'charts' / 'x.svg')[1]}"}]}
    data = {"rows": [1, 2]}
    first = Drawings(None)
    first.draw(tmp_path / "first" / "x.svg", data, lambda out: out.parent.mkdir(parents=True) or out.write_text("drawn"))
    rendered = []

    def render(out):
        rendered.append(out.name)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("drawn")

    same = Drawings(PreviousBuild(previous, descriptor, first.digests))
    same.draw(tmp_path / "same" / "x.svg", data, render)
    assert (tmp_path / "same" / "x.svg").read_text() == "<svg>the previous drawing</svg>" and same.copied == ["x.svg"]
    other = Drawings(PreviousBuild(previous, descriptor, first.digests))
    other.draw(tmp_path / "other" / "x.svg", {"rows": [1, 3]}, render)  # other data: drawn
    (previous / "charts" / "x.svg").write_text("<svg>planted</svg>")
    planted = Drawings(PreviousBuild(previous, descriptor, first.digests))
    planted.draw(tmp_path / "planted" / "x.svg", data, render)  # same data, but not the file hashed: drawn
    assert rendered == ["x.svg", "x.svg"] and other.copied == planted.copied == []
    assert (tmp_path / "planted" / "x.svg").read_text() == "drawn"


# --- 3. the last good build stays whole until a new one is complete -----------------------

SWAP_AGAIN_AND_AGAIN = """
import sys
from pathlib import Path
import duckdb
from pipelines.assets.definitions import PUBLISHED_TABLES
from pipelines.publish.build import discard, stage_build, swap_in
database, data = Path(sys.argv[1]), Path(sys.argv[2])
con = duckdb.connect(str(database), read_only=True)
print("ready", flush=True)
while True:
    staged = stage_build(con, PUBLISHED_TABLES, data, Path(sys.argv[3]))[0]
    swap_in(staged, data)
"""


def test_a_build_killed_at_random_points_leaves_the_last_good_build_whole(fixture_build, tmp_path):
    build_dir = tmp_path / "build"
    shutil.copytree(fixture_build / "data", build_dir / "data")  # a folder: the layout before links
    shutil.copyfile(fixture_build / "borderlines.duckdb", tmp_path / "borderlines.duckdb")
    good = tree_hashes(build_dir / "data")
    recover(build_dir / "data")  # turns the folder into a link to data-<id>
    assert (build_dir / "data").is_symlink() and tree_hashes(build_dir / "data") == good
    good.pop(MANIFEST)  # the loop below writes what a build writes, without the manifest
    for attempt in range(4):
        proc = subprocess.Popen([sys.executable, "-c", SWAP_AGAIN_AND_AGAIN, str(tmp_path / "borderlines.duckdb"),
                                 str(build_dir / "data"), str(FIXTURE)], stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout.readline().strip() == "ready"
            time.sleep(RANDOM.uniform(0, 0.8))  # a few stage-and-swap rounds: the kill lands anywhere in one
        finally:
            kill(proc)
        data = build_dir / "data"
        assert data.is_symlink() and current_folder(data) is not None, os.listdir(build_dir)
        hashes = tree_hashes(data)
        hashes.pop(MANIFEST, None)
        assert hashes == good, f"attempt {attempt}: build/data is not a whole build"
        assert verify_files(data / "datapackage.json") == []
        recover(data)  # what the next build does first
        left = sorted(p.name for p in build_dir.iterdir())
        assert left == ["data", current_folder(data).name], left


def test_a_killed_make_data_is_cleaned_up_by_the_next(corpus, tmp_path, fixture_build, dagster_home):
    build_dir = tmp_path / "build"
    shutil.copytree(fixture_build, build_dir, symlinks=True)
    good = published(build_dir / "data")
    (build_dir / ".data-k1lled_x").mkdir()  # temporaries of an earlier killed build (mkdtemp's names)
    (build_dir / ".data-k1lled_x" / "half.csv").write_text("x\n")
    (build_dir / "data-1764000000000000000").mkdir()  # a complete build no link points to
    (build_dir / "data-2023-backup").mkdir()  # not the build's: left alone
    (build_dir / ".data-keep").mkdir()
    proc = cli(corpus, "build", "--build-dir", str(build_dir), dagster_home=dagster_home)
    try:
        # a fixture build takes about 6 s, most of it importing Dagster: kill somewhere in it
        time.sleep(RANDOM.uniform(1.0, 6.0))
    finally:
        kill(proc)
    assert published(build_dir / "data") == good
    done = cli(corpus, "build", "--build-dir", str(build_dir), dagster_home=dagster_home)
    out, err = done.communicate(timeout=60)
    assert done.returncode == 0, err
    assert f"Built {build_dir / 'data'}" in out
    assert sorted(p.name for p in build_dir.iterdir() if p.name.startswith(("data", ".data"))) == \
        sorted([".data-keep", "data", "data-2023-backup", current_folder(build_dir / "data").name])
    assert published(build_dir / "data") == good


def test_a_failed_package_check_keeps_the_last_good_build(corpus, tmp_path, fixture_build, monkeypatch):
    import pipelines.assets.publish as publish

    build_dir = tmp_path / "build"
    shutil.copytree(fixture_build, build_dir, symlinks=True)
    before, good = current_folder(build_dir / "data"), tree_hashes(build_dir / "data")
    from pipelines.publish.package_check import PackageCheck

    monkeypatch.setattr(publish, "check_package",
                        lambda *args: PackageCheck(["crossings_csv: row 2: type-error: planted"], 1, 0))
    result = build(corpus, build_dir)
    assert not result.success
    assert any("planted" in report for report in failed_checks(result))
    assert current_folder(build_dir / "data") == before and tree_hashes(build_dir / "data") == good
    assert not list(build_dir.glob(".data-*"))


# --- 4. one build and one release at a time ---------------------------------------------------

def test_two_builds_at_once_the_second_says_who_holds_the_folder(corpus, tmp_path, dagster_home):
    build_dir = tmp_path / "build"
    first = cli(corpus, "build", "--build-dir", str(build_dir), dagster_home=dagster_home)
    try:
        lock = build_dir / ".lock"
        assert poll(lambda: lock.exists() and lock.read_text().strip() == str(first.pid) or first.poll() is not None)
        second = cli(corpus, "build", "--build-dir", str(build_dir), dagster_home=dagster_home)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 1
        assert err == f"borderlines build: another build (pid {first.pid}) is running; wait for it or stop it\n"
        out, err = first.communicate(timeout=60)
        assert first.returncode == 0, err
    finally:
        kill(first)


STUCK_IN_RELEASE = """
import sys
from pathlib import Path
import pipelines.publish.release as rel
real = rel.write_descriptor
def stuck(descriptor, path):
    real(descriptor, path)
    Path(sys.argv[2]).write_text("writing")
    sys.stdin.read()
rel.write_descriptor = stuck
repo = Path(sys.argv[1])
rel.release("0.2.0", repo / "build/data", repo / "datasets", repo / "datapackage.json")
"""


def test_two_releases_at_once_the_second_says_who_holds_datasets(repo, tmp_path):
    flag = tmp_path / "writing"
    first = subprocess.Popen([sys.executable, "-c", STUCK_IN_RELEASE, str(repo), str(flag)], stdin=subprocess.PIPE)
    try:
        assert poll(lambda: flag.exists() or first.poll() is not None) and flag.exists()
        second = cli(repo, "release", "0.2.0")
        out, err = second.communicate(timeout=60)
        assert second.returncode == 1 and out == ""
        assert err == f"borderlines release: another release (pid {first.pid}) is running; wait for it or stop it\n"
    finally:
        kill(first)
    # the kill released the lock: the next release cleans up and publishes
    assert do_release(repo, "0.2.0").startswith("published datasets/0.2.0")


def test_the_lock_is_reentrant_in_one_process_and_exclusive_across_opens(tmp_path):
    from pipelines.publish.locking import exclusive

    with exclusive(tmp_path / ".lock", "build"):
        with exclusive(tmp_path / ".lock", "build"):  # the build's own step takes it again
            pass
        check = ("import sys; from pathlib import Path; from pipelines.publish.locking import exclusive\n"
                 "try:\n    exclusive(Path(sys.argv[1]), 'build').__enter__()\nexcept Exception as e: print(e)")
        other = subprocess.run([sys.executable, "-c", check, str(tmp_path / ".lock")], capture_output=True, text=True)
        assert other.stdout.strip() == f"another build (pid {os.getpid()}) is running; wait for it or stop it"
    with exclusive(tmp_path / ".lock", "build"):  # released
        pass
    assert issubclass(BusyError, Exception)


# --- 5. a read-only build folder, a full disk: one line, exit 1 ----------------------------

def run_main(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def test_a_read_only_build_folder_is_named_in_one_line(corpus, tmp_path, monkeypatch, dagster_home):
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    real_mkdir = Path.mkdir

    def read_only(self, *args, **kwargs):
        if str(self).startswith(str(tmp_path / "build")):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    status, out, err = run_main("--root", str(corpus), "build", "--build-dir", str(tmp_path / "build"))
    assert (status, out) == (1, "")
    assert err == f"borderlines: cannot write {tmp_path / 'build'}: read-only file system\n"


def test_a_full_disk_during_a_step_is_named_in_one_line(corpus, tmp_path, monkeypatch, dagster_home):
    import duckdb

    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))

    def full(*args, **kwargs):
        raise duckdb.IOException(f'IO Error: Could not write file "{tmp_path}/build/borderlines.duckdb": '
                                 "No space left on device")

    monkeypatch.setattr(duckdb, "connect", full)
    status, out, err = run_main("--root", str(corpus), "build", "--build-dir", str(tmp_path / "build"))
    assert (status, out) == (1, "")
    assert err == f"borderlines: cannot write {tmp_path / 'build'}: no space left on device\n"


def _can_mount() -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    probe = Path(tempfile.mkdtemp(prefix="borderlines-mount-probe-"))
    try:
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(probe)],
                          capture_output=True).returncode != 0:
            return False
        subprocess.run(["umount", str(probe)], capture_output=True)
        return True
    finally:
        with contextlib.suppress(OSError):
            probe.rmdir()


@pytest.mark.skipif(not _can_mount(), reason="needs root and tmpfs mounts")
@pytest.mark.parametrize("options,cause", [("ro,size=64k", "read-only file system"),
                                          ("size=256k", "no space left on device")])
def test_a_real_read_only_or_full_file_system_is_named_in_one_line(options, cause, tmp_path, dagster_home):
    mount = tmp_path / "mnt"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount)], check=True)
    try:
        proc = cli(FIXTURE, "build", "--build-dir", str(mount / "build"), dagster_home=dagster_home)
        out, err = proc.communicate(timeout=60)
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)
    assert proc.returncode == 1 and out == ""
    assert err == f"borderlines: cannot write {mount / 'build'}: {cause}\n"


# --- 6. release folders readable by all; the changelog entry comes first -------------------

def test_a_release_is_world_readable(repo):
    do_release(repo, "0.1.0")
    published = repo / "datasets/0.1.0"
    for path in [published, *published.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))
    assert stat.S_IMODE((repo / "datapackage.json").stat().st_mode) == 0o644


def test_a_release_needs_its_changelog_entry(repo):
    with pytest.raises(ReleaseError, match=r"^describe 0\.3\.0 in datasets/CHANGELOG.md first"):
        do_release(repo, "0.3.0")
    assert not (repo / "datasets/0.3.0").exists()
    status, out, err = run_main("--root", str(repo), "release", "0.3.0")
    assert status == 1 and err.startswith("borderlines release: describe 0.3.0 in datasets/CHANGELOG.md first")
    # the entry's date is the release's date
    assert do_release(repo, "0.2.0").startswith("published")
    assert json.loads((repo / "datasets/0.2.0/datapackage.json").read_text())["created"] == "2026-11-24T00:00:00Z"


ORPHAN = """
import os, signal, sys
from pipelines.ingest.parallel import FreshProcess
child = FreshProcess("import time; time.sleep(120)", "job")
print(child._process.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_worker_process_ends_with_the_build_that_started_it_even_killed(tmp_path):
    """The SQLite writer and the package check's workers (FreshProcess) do not outlive a
    build killed with SIGKILL, to write into a folder the next build removes."""
    parent = subprocess.run([sys.executable, "-c", ORPHAN], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert parent.returncode == -signal.SIGKILL
    child = int(parent.stdout.split()[0])

    def gone() -> bool:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return True
        with contextlib.suppress(OSError):  # a zombie waiting for init to reap it has ended too
            return Path(f"/proc/{child}/stat").read_text().split()[2] == "Z"
        return False

    assert poll(gone, limit=20)


def test_a_worker_that_dies_says_how(tmp_path):
    from pipelines.ingest.parallel import FreshProcess

    with pytest.raises(RuntimeError, match="the test worker failed: ended by signal SIGKILL"):
        FreshProcess("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", "job").output("the test worker")
    with pytest.raises(RuntimeError, match="the test worker failed: ValueError: bad row$"):
        FreshProcess("import sys; sys.exit('ValueError: bad row')", "job").output("the test worker")
