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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port, query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]


@pytest.fixture
def ui(tmp_path):
    port = free_port()
    env = dict(os.environ, DAGSTER_HOME=str(tmp_path / "home"), TMPDIR=str(tmp_path),
               BORDERLINES_BUILD_DIR=str(tmp_path / "build"))
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    # its own session, so that the whole process group (webserver, daemon, code server) can be stopped
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "ui", "--port", str(port)], cwd=REPO_ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2)
                if graphql(port, QUERY_ASSETS)["assetNodes"]:
                    break
            except OSError:
                pass
            assert proc.poll() is None, "the UI exited"
            assert time.time() < deadline, "the UI did not start within 90 s"
            time.sleep(1)
        yield port, tmp_path
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_ui_shows_the_graph_and_materialize_all_succeeds(ui):
    port, tmp_path = ui
    nodes = graphql(port, QUERY_ASSETS)["assetNodes"]
    groups = {node["groupName"] for node in nodes}
    assert {"sources", "core", "publish"} <= groups
    assert all(node["description"] for node in nodes)
    keys = [{"path": node["assetKey"]["path"]} for node in nodes]
    params = {
        "selector": {"repositoryLocationName": "pipelines.definitions", "repositoryName": "__repository__",
                     "pipelineName": "__ASSET_JOB", "assetSelection": keys},
        "mode": "default", "executionMetadata": {"tags": []},
    }
    launched = graphql(port, LAUNCH, {"params": params})["launchPipelineExecution"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    deadline, status = time.time() + 180, None
    while time.time() < deadline:
        status = graphql(port, RUN_STATUS, {"id": run_id})["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(1)
    assert status == "SUCCESS"
    assert (tmp_path / "build" / "data" / "datapackage.json").exists()
