"""The `borderlines` command.

`validate` must stay fast: it imports only the ingest package (no pandas, no Dagster).
Other subcommands import what they need when they run.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import sys
import threading
from dataclasses import astuple
from pathlib import Path

from pipelines.errors import UsageError
from pipelines.ingest.changes import check_against_other_sources, folders_changed_since, folders_for_paths
from pipelines.ingest.corpus import find_root, load_corpus
from pipelines.ingest.problems import Problem, errors

GITHUB_ANNOTATION_LIMIT = 10


# --- reports ---------------------------------------------------------------------------

def _github_escape(text: str, prop: bool = False) -> str:
    """GitHub's escaping of a workflow command's data (prop=False) or property value: without
    it, a line break in a file name or message starts a command of the contributor's choice."""
    text = str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def _github_text(p: Problem) -> str:
    """A problem as in the text report, for the log under "Full list:", every part escaped
    as command data so that no line of it can be read as a workflow command."""
    escaped = Problem(*(_github_escape(v) if isinstance(v, str) else v for v in astuple(p)))
    return escaped.format_text()


def report_text(problems: list[Problem], summary: str) -> str:
    lines = [p.format_text() for p in problems]
    lines.append(summary)
    return "\n".join(lines)


def report_github(problems: list[Problem], summary: str) -> str:
    lines = []
    # Errors first: they are what fails the check, and only the first few are annotated.
    problems = sorted(problems, key=lambda p: p.severity == "warning")
    for p in problems[:GITHUB_ANNOTATION_LIMIT]:
        props = f"file={_github_escape(p.path, True)}"
        if p.line:
            props += f",line={p.line}"
            if p.col:
                props += f",col={p.col}"
        props += f",title={_github_escape(p.code, True)}"
        message = p.message + (f" ({p.hint})" if p.hint else "")
        command = "warning" if p.severity == "warning" else "error"
        lines.append(f"::{command} {props}::{_github_escape(message)}")
    if len(problems) > GITHUB_ANNOTATION_LIMIT:
        more = len(problems) - GITHUB_ANNOTATION_LIMIT
        lines.append(f"::error::{more} more problem(s) not annotated; the full list follows in the log")
    if problems:
        lines.append("Full list:")
        lines.extend(_github_text(p) for p in problems)
    lines.append(_github_escape(summary))
    return "\n".join(lines)


def report_json(problems: list[Problem], corpus) -> str:
    failing = errors(problems)
    return json.dumps({
        "ok": not failing,
        "sources": len(corpus.sources),
        "records": corpus.record_count,
        "problems": [p.to_dict() for p in failing],
        "warnings": [p.to_dict() for p in problems if p not in failing],
    }, indent=2, ensure_ascii=False)


def cmd_validate(args) -> int:
    root = args.root
    only = folders_for_paths(root, args.paths) if args.paths else None
    if args.changed_since:
        only = folders_changed_since(root, args.changed_since)
    # The records themselves are needed only to compare a subset's ids with the other sources.
    corpus = load_corpus(root, only, keep_records=only is not None)
    if only is not None:  # the other sources are not re-checked, but their ids and records still count
        check_against_other_sources(corpus, only)
    problems = sorted(corpus.problems)
    failing = errors(problems)
    files = len({p.path for p in failing})
    warned = len(problems) - len(failing)
    summary = (f"{len(failing)} problem(s) in {files} file(s); " if failing else "OK: ") + \
        f"{len(corpus.sources)} source(s), {corpus.record_count} record(s) checked" + \
        (f"; {warned} warning(s) for a person to confirm" if warned else "")
    if args.format == "json":
        print(report_json(problems, corpus))
    elif args.format == "github":
        print(report_github(problems, summary))
    else:
        print(report_text(problems, summary))
    return 1 if failing else 0


# --- entry point -------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="borderlines", description="Build and check the Borderlines dataset.")
    parser.add_argument("--root", help="repository root (default: found from the current folder)")
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser("validate", help="check sources, annotations and registries",
                              description="Check everything under sources/ (or only the paths given). "
                                          "Exit status: 0 valid, 1 problems found, 2 usage error.")
    validate.add_argument("paths", nargs="*", help="files or folders under sources/ (default: all)")
    validate.add_argument("--format", choices=["text", "github", "json"], default="text")
    validate.add_argument("--changed-since", metavar="REF",
                          help="check only sources changed since this git ref, plus corpus-wide checks")
    validate.set_defaults(func=cmd_validate)

    from pipelines import commands  # defines its subcommands; imports nothing heavy

    commands.register(sub)
    from pipelines.contribute import commands as contribute_commands  # new-source, suggest, diff

    contribute_commands.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        # Every command works on one corpus: --root, else the repository the current folder is in.
        args.root = find_root(Path(args.root or Path.cwd()).resolve())
        return args.func(args)
    except UsageError as err:
        print(f"borderlines: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def run() -> None:
    """The `borderlines` command (pyproject.toml's script): `main`, what Python's exit does
    before its teardown (threads waited for, exit handlers), its output flushed, then the
    process ends with main's code without tearing the interpreter down. After a command that
    imported Dagster, pandas and matplotlib (build, release) freeing their modules and all
    they hold took 0.6-1 s, and there is nothing left to do by then: each command has closed
    what it wrote (files, DuckDB; the Dagster instance commits as it goes) and stopped the
    processes it started. Output that cannot be written is an error, as Python's own exit
    makes it (status 120), but for a reader that has gone (`| head`)."""
    code = main()
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
                print(f"borderlines: cannot write its output: {err}", file=sys.__stderr__, flush=True)
            except (OSError, ValueError):
                pass
            code = 120
    os._exit(code if isinstance(code, int) else 1)


if __name__ == "__main__":
    run()
