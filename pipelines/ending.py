"""How a command of this project ends its process: what Python's exit does before its
teardown, its output flushed, then `os._exit`, without the teardown itself.

After a command that imported Dagster, pandas and matplotlib (build, release) freeing their
modules and all they hold took 0.6-1 s, and there is nothing left to do by then: each command
has closed what it wrote (files, DuckDB; the Dagster instance commits as it goes) and stopped
the processes it started. `borderlines` (pipelines.cli.run) and the benchmark floors
(benchmarks/floors.py) end this way, so that a floor pays what a build pays and no more.
Imports nothing but the standard library: a floor must not pay for the project's imports.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading


def end_process(code: object, program: str) -> None:
    """End the process with code (an int; anything else is 1). Output that cannot be written
    is an error, as Python's own exit makes it (status 120, said on stderr as program), but
    for a reader that has gone (`| head`)."""
    # What Python's own exit does before its teardown still happens, in its order (a
    # millisecond after a build): threads that are not daemons are waited for, with what
    # libraries registered for that moment (a process pool is told to stop there), then the
    # exit handlers run: matplotlib removes the configuration folder it made in the temporary
    # folder when its own could not be written, logging flushes its handlers. An error in a
    # handler is printed and the next runs. Both calls are those CPython's exit makes
    # (undocumented, in 3.11 as in the versions before).
    threading._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            pass
        except (OSError, ValueError) as err:  # a full disk; a stream the command closed
            try:
                print(f"{program}: cannot write its output: {err}", file=sys.__stderr__, flush=True)
            except (OSError, ValueError):
                pass
            code = 120
    os._exit(code if isinstance(code, int) else 1)
