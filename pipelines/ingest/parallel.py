"""Check the annotations of many sources on every core.

Checking a source's annotations reads only that source (its text and annotation file) and
the registries, so sources can be checked in any process; only the corpus-wide id check
needs them all, and it stays in the calling process. This is what lets `validate` and the
`annotations` asset use both cores of a small machine on a large corpus (see
benchmarks/RESULTS.md). Results come back in source order, so records and problems are
in exactly the order a serial run gives.

Workers are forked when the calling process has a single thread (cheap, and it works
from a script without an `if __name__ == "__main__":` guard, which "spawn" would re-run);
from a process with threads they are spawned, since a forked child can inherit a lock
another thread holds. Before forking, the parent's objects are frozen out of the garbage
collector, or a collection in a child would touch, and so copy, every page of the parent.
BORDERLINES_WORKERS=1 turns it off; small corpora are checked serially anyway.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import multiprocessing
import os
import threading
from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 400  # below this, starting the workers (~0.3 s) costs more than it saves
CHUNK = 40  # sources per task: small enough to balance the cores, large enough to amortise the transfer


@contextlib.contextmanager
def fewer_collections(young: int = 10_000):
    """Run the cyclic garbage collector less often while loading a corpus.

    Loading allocates millions of short-lived objects (YAML nodes, freed by reference
    counting as soon as a file is checked) next to the records it keeps. With CPython's
    default (a collection every 700 allocations) the collector keeps walking live parse
    trees: a tenth of the loading time. Nothing loaded forms reference cycles, so
    collecting less often frees the same memory."""
    before = gc.get_threshold()
    gc.set_threshold(max(young, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def worker_count(n_items: int) -> int:
    configured = os.environ.get("BORDERLINES_WORKERS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    if n_items < MIN_ITEMS:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores)


def in_workers(n_items: int, workers: int | None = None) -> bool:
    """Whether `map_in_order` runs over n_items on worker processes (rather than here)."""
    workers = worker_count(n_items) if workers is None else workers
    return workers > 1 and n_items > CHUNK


def map_in_order(fn: Callable[[Sequence[T]], R], items: Sequence[T], workers: int | None = None) -> Iterator[R]:
    """fn over consecutive chunks of items, results in order; fn must be picklable
    (a module-level function, or a functools.partial of one)."""
    workers = worker_count(len(items)) if workers is None else workers
    if not in_workers(len(items), workers):
        # Chunked here too, so that a caller that keeps only a summary of each part (the build)
        # never holds every item's full result at once; max(.., 1): no items is one empty part.
        for start in range(0, max(len(items), 1), CHUNK):
            yield fn(items[start:start + CHUNK])
        return
    global _inherited
    bounds = [(i, i + CHUNK) for i in range(0, len(items), CHUNK)]
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        # Forked workers already hold the items: send them index ranges, not pickled items.
        _inherited, context = items, multiprocessing.get_context("fork")
        tasks, run = bounds, functools.partial(_on_inherited, fn)
    else:
        context, tasks, run = multiprocessing.get_context("spawn"), [items[a:b] for a, b in bounds], fn
    gc.freeze()
    try:
        pool = context.Pool(workers)
    finally:
        gc.unfreeze()
    try:
        yield from pool.imap(run, tasks)
        # Let the workers exit by themselves: terminate() signals them, and a worker forked
        # from a Dagster run then prints Dagster's interrupt traceback.
        pool.close()
        pool.join()
    finally:
        pool.terminate()
        _inherited = None


_inherited: Sequence | None = None


def _on_inherited(fn, bounds: tuple[int, int]):
    return fn(_inherited[bounds[0]:bounds[1]])


class FreshProcess:
    """A new Python interpreter running `code` with one argument (a JSON job, say), started at
    once; `output()` waits for it and returns what it printed.

    For work beside a process that holds native threads (DuckDB's, Arrow's, as a build step
    does): a child forked from it can start with a lock one of those threads held, and wait
    for ever (a forked worker of the package check hung a 10,000-source build); and
    multiprocessing's spawn runs the calling script again in each worker unless it has an
    `if __name__ == "__main__":` guard. The child imports this very package, wherever the
    caller imported it from (-P: not one that happens to sit in the working directory), and
    ends when the caller does, however it ends: it waits on a pipe from the caller, whose
    end closes with it (or, when the caller forked meanwhile, with the last of its forks,
    which hold that end too). pass_fds: descriptors the child keeps (a pipe it reads its job
    from later, say)."""

    def __init__(self, code: str, argument: str, pass_fds: tuple[int, ...] = ()):
        import subprocess
        import sys
        import tempfile
        from pathlib import Path

        import pipelines

        package_root = str(Path(pipelines.__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        self._out, self._err = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # files, not pipes: a full pipe blocks
        self._process = subprocess.Popen([sys.executable, "-P", "-c", ORPHAN_GUARD + code, argument],
                                         stdin=subprocess.PIPE, stdout=self._out, stderr=self._err, env=env,
                                         pass_fds=pass_fds)

    def output(self, what: str) -> str:
        """What the child printed; RuntimeError naming `what` with the end of its stderr if it failed."""
        with self._out, self._err:
            code = self._process.wait()
            if code != 0:
                self._err.seek(0)
                said = self._err.read().decode("utf-8", "replace")[-4000:].strip()
                raise RuntimeError(f"{what} failed: " + (said or _ended_by(code)))
            self._out.seek(0)
            return self._out.read().decode("utf-8")

    def running(self) -> bool:
        return self._process.poll() is None

    def stop(self) -> None:
        """End the child if it still runs (the caller gave up on it, on an error of its own)."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        if self._process.stdin:
            self._process.stdin.close()
        self._out.close()
        self._err.close()


# Run first in every FreshProcess: a thread that ends the child when its standard input
# closes, which it does when the caller ends (a kill -9 included). The caller never writes.
# os.read, not sys.stdin: a daemon thread inside a buffered reader stops the interpreter's
# exit with a fatal error ("could not acquire lock ... at interpreter shutdown").
ORPHAN_GUARD = ("import os as _os, threading as _threading; "
                "_threading.Thread(target=lambda: (_os.read(0, 1), _os._exit(70)), daemon=True).start()\n")


def _ended_by(code: int) -> str:
    import signal

    if code < 0:
        try:
            return f"ended by signal {signal.Signals(-code).name} (out of memory, or killed)"
        except ValueError:
            return f"ended by signal {-code}"
    return f"exit status {code}, nothing said"
