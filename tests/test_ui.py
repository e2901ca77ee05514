"""The Dagster UI really starts on 127.0.0.1, shows the three groups, and "Materialize all"
(the same GraphQL launch the button sends) succeeds."""

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


def group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs (zombies, which write nothing, do not count)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue
        if int(group) == pgid and state != "Z":
            return True
    return not Path("/proc/self/stat").exists()  # no /proc: trust killpg


def stop(proc: subprocess.Popen) -> None:
    """Stop the UI's whole process group (webserver, daemon, code server) and wait until every
    process of it has exited: one still running would write into DAGSTER_HOME as it is removed."""
    os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20  # a limit: the loop ends as soon as the group is gone
    while group_alive(proc.pid) and time.monotonic() < deadline:
        proc.poll()
        time.sleep(0.1)
    if group_alive(proc.pid):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.fixture
def ui(tmp_path, dagster_home):
    port = free_port()
    env = dict(os.environ, DAGSTER_HOME=str(dagster_home), TMPDIR=str(tmp_path),
               BORDERLINES_BUILD_DIR=str(tmp_path / "build"))
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    # its own session, so that the whole process group (webserver, daemon, code server) can be stopped
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "ui", "--port", str(port)], cwd=REPO_ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
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
        stop(proc)


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
