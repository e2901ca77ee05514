"""The `borderlines` command.

`validate` must stay fast: it imports only the ingest package (no pandas, no Dagster).
Other subcommands import what they need when they run.
"""

from __future__ import annotations

import argparse
import json
import sys
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
    """The `borderlines` command (pyproject.toml's script): `main`, then the process ends
    with main's code without tearing the interpreter down (pipelines.ending)."""
    from pipelines.ending import end_process

    end_process(main(), "borderlines")


if __name__ == "__main__":
    run()
