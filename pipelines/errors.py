"""Errors that library code raises for the `borderlines` command to print.

Kept apart from the command (pipelines.cli) so that library modules can raise them
without importing the CLI; imports nothing from pipelines.
"""


class UsageError(Exception):
    """The command was called wrongly (a bad argument, path or git ref): exit 2."""


class ReleaseError(Exception):
    """A release cannot be made (a bad version, no build, an invalid package): exit 1."""


class ChangedDuringBuild(Exception):
    """Inputs of a build changed while it ran: its manifest was removed, no release takes it."""

    def __init__(self, changes: list[str]):
        super().__init__("; ".join(changes))
        self.changes = changes


class BusyError(Exception):
    """Another build or release holds the lock (pipelines.publish.locking): exit 1."""


# errno values that mean "the place cannot take the files", whatever the code was doing:
# the command names the cause in one line rather than printing traces.
STORAGE_ERRNOS = {30: "read-only file system", 28: "no space left on device", 13: "permission denied",
                  122: "disk quota exceeded"}
STORAGE_STRERRORS = {"read-only file system": 30, "no space left on device": 28, "permission denied": 13,
                     "disk quota exceeded": 122}


def storage_cause(text_or_error) -> str | None:
    """"read-only file system", "no space left on device"...: the storage cause of an OSError,
    or of an error's text (DuckDB and Dagster pass errors on as text), else None."""
    if isinstance(text_or_error, OSError) and text_or_error.errno in STORAGE_ERRNOS:
        return STORAGE_ERRNOS[text_or_error.errno]
    lowered = str(text_or_error).lower()
    for cause in STORAGE_STRERRORS:
        if cause in lowered:
            return cause
    return None
