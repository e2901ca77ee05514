"""The Dagster UI really starts on 127.0.0.1, shows the four groups, "Materialize all"
(the same GraphQL launch the button sends) succeeds, and `borderlines ui` stops with all its
processes on SIGTERM and on Ctrl-C (SIGINT) sent to it alone, as from a script."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipelines.schemas import REPO_ROOT

QUERY_ASSETS = "{ assetNodes { assetKey { path } groupName description } }"
LAUNCH = """
mutation($params: ExecutionParams!) {
  launchPipelineExecution(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}"""
RUN_STATUS = 'query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }'
POLL = 0.25  # seconds between two looks at the UI: it answers as soon as it is ready


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port, query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) of every process, from /proc."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
            out[int(stat.parent.name)] = (int(ppid), state)
        except (OSError, IndexError, ValueError):
            continue
    return out


def descendants(pid: int) -> set[int]:
    processes, found, frontier = _processes(), set(), {pid}
    while frontier:
        children = {child for child, (parent, _) in processes.items() if parent in frontier} - found
        found |= children
        frontier = children
    return found


def running(pids: set[int]) -> set[int]:
    """The pids that still run (a zombie, which does nothing, does not count)."""
    processes = _processes()
    return {pid for pid in pids if pid in processes and processes[pid][1] != "Z"}


def stop(proc: subprocess.Popen, signum: int) -> set[int]:
    """Send signum to the `borderlines ui` process alone, as a terminal's Ctrl-C or a
    supervisor's SIGTERM would; returns the processes of the UI still running 30 s later
    (after which they are killed, so that none writes into DAGSTER_HOME as it is removed)."""
    children = descendants(proc.pid)
    proc.send_signal(signum)
    deadline = time.monotonic() + 30  # a limit: the loop ends as soon as every process is gone
    while (proc.poll() is None or running(children)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = running(children | ({proc.pid} if proc.poll() is None else set()))
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    proc.wait()
    return left


@pytest.fixture(params=[signal.SIGTERM])
def ui(request, tmp_path, dagster_home):
    port = free_port()
    env = dict(os.environ, DAGSTER_HOME=str(dagster_home), TMPDIR=str(tmp_path),
               BORDERLINES_BUILD_DIR=str(tmp_path / "build"))
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "ui", "--port", str(port)], cwd=REPO_ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90  # a limit: the loop ends as soon as the UI answers
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2)
                if graphql(port, QUERY_ASSETS)["assetNodes"]:
                    break
            except OSError:
                pass
            assert proc.poll() is None, "the UI exited"
            assert time.monotonic() < deadline, "the UI did not start within 90 s"
            time.sleep(POLL)
        yield port, tmp_path
    finally:
        left = stop(proc, request.param)
    assert not left, f"processes of the UI still running after {request.param.name}: {sorted(left)}"
    assert proc.returncode == 0


def test_ui_shows_the_graph_and_materialize_all_succeeds(ui):
    port, tmp_path = ui
    nodes = graphql(port, QUERY_ASSETS)["assetNodes"]
    groups = {node["groupName"] for node in nodes}
    assert {"sources", "core", "publish"} <= groups
    assert all(node["description"] for node in nodes)
    keys = [{"path": node["assetKey"]["path"]} for node in nodes]
    params = {
        "selector": {"repositoryLocationName": "pipelines.assets.definitions", "repositoryName": "__repository__",
                     "pipelineName": "__ASSET_JOB", "assetSelection": keys},
        "mode": "default", "executionMetadata": {"tags": []},
    }
    launched = graphql(port, LAUNCH, {"params": params})["launchPipelineExecution"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    deadline, status = time.monotonic() + 180, None  # a limit: the loop ends when the run does
    while time.monotonic() < deadline:
        status = graphql(port, RUN_STATUS, {"id": run_id})["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(POLL)
    assert status == "SUCCESS"
    assert (tmp_path / "build" / "data" / "datapackage.json").exists()


@pytest.mark.parametrize("ui", [signal.SIGINT], indirect=True)
def test_ui_stops_on_ctrl_c_with_its_children(ui):
    port, _ = ui  # the fixture sends SIGINT (Ctrl-C) when the test ends and checks that everything stopped
    assert graphql(port, QUERY_ASSETS)["assetNodes"]
