"""Errors that library code raises for the `borderlines` command to print.

Kept apart from the command (pipelines.cli) so that library modules can raise them
without importing the CLI; imports nothing from pipelines.
"""


class UsageError(Exception):
    """The command was called wrongly (a bad argument, path or git ref): exit 2."""


class ReleaseError(Exception):
    """A release cannot be made (a bad version, no build, an invalid package): exit 1."""
