"""Serve the Dagster UI (`borderlines ui`, `make ui`) and stop it cleanly.

`dagster dev` starts a webserver, a daemon and a code server. Started from a script
without job control, it and its children ignored Ctrl-C and SIGTERM sent to the command
and had to be killed. So the UI runs in a process group of its own, and the command
forwards Ctrl-C (SIGINT) and SIGTERM to the whole group, waits for every process of it to
exit, and kills what is left after a grace period.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

GRACE_SECONDS = 15  # dagster dev's processes take 3-5 s to shut down here


class _Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise _Stop(signum)


def group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs (a zombie, which does nothing, does not count)."""
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
    return not Path("/proc/self/stat").exists()  # no /proc to look at: trust killpg


def stop_group(proc: subprocess.Popen, signum: int = signal.SIGTERM, grace: float = GRACE_SECONDS) -> None:
    """Send signum to the process group led by proc; SIGKILL whatever is left after grace seconds."""
    try:
        os.killpg(proc.pid, signum)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + grace
    while group_alive(proc.pid) and time.monotonic() < deadline:
        proc.poll()  # reaps the leader, so that it does not linger as a zombie
        time.sleep(0.1)
    if group_alive(proc.pid):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def serve_ui(root: Path, port: int) -> int:
    """Run `dagster dev` on 127.0.0.1:port for the corpus at root until it exits or is stopped."""
    command = [sys.executable, "-m", "dagster", "dev", "-m", "pipelines.assets.definitions",
               "-h", "127.0.0.1", "-p", str(port)]
    return run_until_stopped(command, root, {**os.environ, "BORDERLINES_ROOT": str(root)})


def run_until_stopped(command: list[str], cwd: Path, env: dict[str, str]) -> int:
    """Run a server in a process group of its own until it exits, or until Ctrl-C or SIGTERM,
    which are forwarded to the whole group (see the module docstring); also `borderlines explore`."""
    previous = {s: signal.signal(s, _raise_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    proc = None
    try:
        proc = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
        return proc.wait()
    except _Stop as stop:
        # A second Ctrl-C while the server shuts down must not cut the shutdown short.
        for signum in previous:
            signal.signal(signum, signal.SIG_IGN)
        if proc is not None:
            stop_group(proc, signal.SIGINT if stop.args[0] == signal.SIGINT else signal.SIGTERM)
        return 0
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
