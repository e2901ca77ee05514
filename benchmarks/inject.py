"""Break one record of a synthetic source so that the checker reports exactly one problem.

Each kind is named by the problem code `borderlines validate` reports for it. Every
breakage leaves the rest of the record valid (for example a wrong quote is added next to
the good ones, so numbers and dates stay supported), which is what lets a test expect
exactly N problems of each code for N injected records of each kind. A look-alike is made
before the text is written (`copy_an_incident`): what is broken is the record's facts,
and the article states them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Callable

from benchmarks.articles import Rec
from benchmarks.events import Plan, SourcePlan

ERROR_KINDS = ("unknown-key", "quote-not-found", "number-not-quoted", "bad-value", "bad-date", "unknown-id",
               "qualifier-cue-missing", "date-phrase-not-quoted", "missing-field", "duplicate-id",
               "look-alike")


def first(records: list[Rec], section: str, k: int = 0) -> Rec:
    return [r for r in records if r.section == section][k]


def _digits_in(quotes: list[tuple[str, object]]) -> set[int]:
    return {int(d.replace(",", "")) for q, _ in quotes for d in re.findall(r"\d[\d,]*\d|\d", q)}


def inject(kind: str, records: list[Rec], text: str, next_source_id: str) -> None:
    """Break one record in place (records are drawn so that each section has a record 0,
    and crossings a record 1)."""
    if kind == "unknown-key":
        first(records, "meetings").fields["venue_notes"] = "held at the ministry"  # not a field
    elif kind == "quote-not-found":
        rec = first(records, "agreements")
        quote = rec.quotes[0][0]
        mid = len(quote) // 2
        typo = quote[:mid] + quote[mid + 1] + quote[mid] + quote[mid + 2:]  # two letters swapped
        if typo in text or typo == quote:
            typo = quote[:mid] + "x" + quote[mid + 1:]
        rec.quotes.append((typo, None))
    elif kind == "number-not-quoted":
        rec = first(records, "crossings")
        value, present = abs(rec.fields["value"]) * 10 + 1, _digits_in(rec.quotes)  # a slipped key
        while value in present:
            value += 1
        rec.fields["value"] = value
    elif kind == "bad-value":
        rec = first(records, "crossings")
        rec.fields["route"] = rec.fields["route"].replace("_", "-")  # english-channel: not in the enum
    elif kind == "bad-date":
        rec = first(records, "incidents")
        rec.fields["date"] = "2023-02-30"
    elif kind == "unknown-id":
        rec = first(records, "incidents")
        rec.fields["place_id"] += "-harbour"  # no place id ends so
    elif kind == "qualifier-cue-missing":
        rec = first(records, "crossings")  # its quotes have only its own qualifier's cue
        rec.fields["qualifier"] = "at_least" if rec.fields["qualifier"] == "up_to" else "up_to"
    elif kind == "date-phrase-not-quoted":
        rec = first(records, "meetings")
        quoted = " ".join(q for q, _ in rec.quotes).casefold()
        rec.fields["date"] = next(p for p in ("yesterday", "last night", "today") if p not in quoted)
    elif kind == "missing-field":
        del first(records, "crossings").fields["measure"]
    elif kind == "duplicate-id":
        # Crossing ids are unique across the corpus: reuse the first one of the next source.
        first(records, "crossings", 1).fields["crossing_id"] = f"{next_source_id}-crossing-1"
    elif kind == "look-alike":
        pass  # made before the text is written: copy_an_incident
    else:
        raise ValueError(f"unknown error kind {kind!r}; kinds: {', '.join(ERROR_KINDS)}")


def copy_an_incident(planned: SourcePlan, happened: Plan, i: int, published: Callable[[int], dt.date]) -> SourcePlan:
    """look-alike: source i's first incident (under its own id) reports the facts of the
    next source's own incident dated before source i's publication, so that the guard sees
    one pair of ids for one event. Not a first incident (other kinds break those) nor a
    shared one; events are set apart (events.py), so it looks like no other record."""
    pub, n = published(i), len(happened.sources)
    for step in range(1, n):
        for rid, facts in happened.sources[(i + step) % n].incidents[1:]:
            if rid is None and facts.day < pub:
                return replace(planned, incidents=[(None, facts), *planned.incidents[1:]])
    raise ValueError(f"no incident of another source is dated before source {i}'s publication ({pub}): "
                     "a look-alike needs a larger corpus")
