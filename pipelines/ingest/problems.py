"""A problem found in the sources, reported as `path:line:col: CODE message`.

Every check returns Problems instead of raising, so that one run lists everything that is
wrong. The same objects feed the text, GitHub and JSON reports of `borderlines validate`
and the failure metadata of the Dagster checks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str  # relative to the repository root, with forward slashes
    line: int  # 1-based; 0 when the problem concerns a whole file
    col: int  # 1-based; 0 when unknown
    code: str  # stable identifier, e.g. "quote-not-found" (listed in CONTRIBUTING.md)
    message: str  # what is wrong, in a sentence
    hint: str = ""  # what to do about it
    excerpt: str = ""  # the offending text, short
    # "error" fails validate and the build's checks; "warning" is reported for a person to
    # confirm (a reused id whose record does not fit) and fails nothing.
    severity: str = "error"

    def location(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.col or 1}"
        return self.path

    def format_text(self) -> str:
        label = "warning " if self.severity == "warning" else ""
        out = f"{self.location()}: {label}{self.code} {self.message}"
        if self.excerpt:
            out += f"\n    | {self.excerpt}"
        if self.hint:
            out += f"\n    = {self.hint}"
        return out

    def to_dict(self) -> dict:
        return asdict(self)


class ProblemList(list):
    """A list of Problems with a helper that fills in the file being checked."""

    def add(self, path: str, line: int, col: int, code: str, message: str, hint: str = "", excerpt: str = "") -> None:
        self.append(Problem(path, line, col, code, message, hint, shorten(excerpt)))

    def warn(self, path: str, line: int, col: int, code: str, message: str, hint: str = "") -> None:
        self.append(Problem(path, line, col, code, message, hint, severity="warning"))


def errors(problems) -> list[Problem]:
    """The problems that fail validate and the build's checks (warnings do not)."""
    return [p for p in problems if p.severity != "warning"]


def shorten(text: str, width: int = 100) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"
