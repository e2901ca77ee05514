"""One build, and one release, at a time: an advisory lock (fcntl.flock) on build/.lock and
datasets/.lock.

The kernel drops a flock when its holder dies, even by SIGKILL, so a killed build never
leaves a stale lock behind. The holder writes its pid into the file, for the message the
next one prints: "another build (pid 123) is running; wait for it or stop it". The lock is
re-entrant within a process (a build's own steps take it again while `borderlines build`
holds it): flock treats two opens of one file as two owners, even in one process.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from pipelines.errors import BusyError

_held: dict[str, int] = {}  # lock path -> depth, for this process
_guard = threading.Lock()


@contextlib.contextmanager
def exclusive(lock_path: Path, what: str) -> Iterator[None]:
    """Hold lock_path for the block, or raise BusyError at once naming the holder's pid.
    what names the work in the message ("build", "release")."""
    key = str(Path(lock_path).resolve())
    with _guard:
        if _held.get(key):
            _held[key] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _guard:
                _held[key] -= 1
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder(fd)
            raise BusyError(f"another {what} ({f'pid {pid}' if pid else 'pid unknown'}) is running; "
                            "wait for it or stop it") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        with _guard:
            _held[key] = 1
        try:
            yield
        finally:
            with _guard:
                _held.pop(key, None)
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the last descriptor releases the flock


def _holder(fd: int) -> str:
    """The pid the holder wrote; it writes it just after taking the lock, so wait a moment for it."""
    deadline = time.monotonic() + 0.5
    while True:
        text = os.pread(fd, 32, 0).decode(errors="replace").strip()
        if text or time.monotonic() > deadline:
            return text
        time.sleep(0.01)
