"""The lines of a draft record, shared by suggest.py (figures) and drafts.py (events).

Each draft line is `key: value`, and a comment after it at COMMENT_COLUMN saying where the
value comes from or what to check; quotes are the sentence around a finding, verbatim,
with `occurrence` when it occurs more than once. `s` is a suggest.Suggestions.
"""

from __future__ import annotations

import re

from pipelines.contribute.finders import DateFinding, NameFinding
from pipelines.contribute.new_source import yaml_scalar
from pipelines.ingest.anchoring import occurrences
from pipelines.ingest.dates import ResolvedDate
from pipelines.schemas import is_country_code

COMMENT_COLUMN = 44

DISTANCES = {"km", "kilometres", "kilometers", "miles", "nautical miles"}

INCIDENT_FIELDS = [  # (field, pattern on the words right after the number, or right before)
    ("dead", r"^\W*(?:\w+\W+)?(?:died|dead|drowned|killed|bodies)", None),
    ("missing", r"^\W*(?:\w+\W+)?(?:\w+\W+)?missing", None),
    ("injured", r"^\W*(?:\w+\W+)?(?:\w+\W+)?(?:\w+\W+)?injured", None),
    ("survivors", r"^\W*(?:\w+\W+)?(?:\w+\W+)?(?:rescued|survived|survivors)", None),
    ("people_aboard", r"^\W*(?:\w+\W+)?(?:aboard|on board)", r"(?:carrying|aboard|on board|with)\W*$"),
]


def draft_line(indent: int, key: str, value: str, comment: str = "") -> str:
    text = " " * indent + (f"{key}: {value}" if key else value)
    # YAML needs a space before "#", or the comment becomes part of the value.
    return f"{text.ljust(COMMENT_COLUMN - 2)}  # {comment}" if comment else text


def quote_lines(text: str, start: int, end: int, indent: int) -> list[str]:
    quote = text[start:end]
    lines = [draft_line(indent, "- quote", yaml_scalar(quote))]
    starts = occurrences(text, quote)
    if len(starts) > 1:
        lines.append(draft_line(indent + 2, "occurrence", str(starts.index(start) + 1),
                                "the quote occurs more than once"))
    return lines


def resolution_note(d: DateFinding, key: str) -> str:
    r: ResolvedDate = d.resolved or d.if_planned
    day = r.end if key.endswith("_end") else r.start
    why = r.rule.split(": ", 1)[1]
    planned = "" if d.resolved else " (only as planned)"
    return f"{day.isoformat()}{planned}: {why}"


def nearest(items, position: int, sentence: tuple[int, int], after_only: bool = False):
    inside = [i for i in items if sentence[0] <= i.start < sentence[1] and (not after_only or i.start > position)]
    return min(inside, key=lambda i: abs(i.start - position), default=None)


def names_in(s, field_name: str, sentence: tuple[int, int]) -> list[NameFinding]:
    return [n for n in s.names if n.field == field_name and any(sentence[0] <= a < sentence[1] for a, _ in n.matches)]


def id_line(s, key: str, field_name: str, sentence: tuple[int, int], indent: int, unknown: str) -> str:
    named = names_in(s, field_name, sentence)
    if field_name == "country":  # a figure's or a place's country is a state: never EU, only a party may be
        named = [n for n in named if is_country_code(n.value)]
    if len(named) == 1:
        shown = next(s.text[a:b] for a, b in named[0].matches if sentence[0] <= a < sentence[1])
        return draft_line(indent, key, named[0].value, f'check: "{shown}" is in the quote')
    return draft_line(indent, key, unknown, "or: " + ", ".join(n.value for n in named) if named else "")


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def date_lines(s, keys: tuple[str, ...], position: int, sentence: tuple[int, int],
                indent: int, after_only: bool = False) -> list[str]:
    d = nearest(s.dates, position, sentence, after_only)
    if d is None:
        return [draft_line(indent, key, "<date>", "YYYY-MM-DD, or a date phrase from the quote") for key in keys]
    return [draft_line(indent, key, yaml_scalar(d.phrase), "check: " + resolution_note(d, key)) for key in keys]


def incident_field(s, fig: Figure) -> str | None:
    m = fig.mention
    after, before = s.text[fig.number_end:fig.number_end + 40], s.text[max(0, m.start - 20):m.start]
    for name, after_pattern, before_pattern in INCIDENT_FIELDS:
        if re.search(after_pattern, after, re.IGNORECASE) or (before_pattern and re.search(before_pattern, before)):
            return name
    return None
