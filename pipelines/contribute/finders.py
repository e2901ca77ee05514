"""Find what an annotator looks for in an article: figures, date phrases, and the people,
organisations, places and countries the registries know. Used by `borderlines suggest`.

Every finding keeps its code-point offsets in the canonical text and the sentence around
it, copied verbatim, so that it can become a quote that `validate` anchors. Numbers and
qualifier cues come from `ingest.numbers.number_mentions`, date resolution from
`ingest.dates.resolve_date`: the same rules `validate` applies, so a draft agrees with
the checker.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date

from pipelines.ingest.dates import MONTHS, WEEKDAYS, DateError, ResolvedDate, resolve_date
from pipelines.ingest.numbers import NumberMention, number_mentions
from pipelines.ingest.offices import COUNTRY_ALIASES as _COUNTRY_ALIASES, DEMONYMS as _DEMONYMS

# --- sentences -----------------------------------------------------------------------------

# A sentence ends at . ! or ? (and any closing quote) before a space and a capital, an
# opening quote or a digit; a line break always ends one.
_SENTENCE_END = re.compile(r"[.!?][\"'”’]?(?=\s+[\"“‘'A-Z0-9])|\n")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end() if match.group() != "\n" else match.start()
        spans.append((start, end))
        start = match.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:  # trim the spaces around each sentence
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def sentence_at(spans: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    for s, e in spans:
        if s <= offset < e:
            return s, e
    return offset, offset + 1


# --- dates ---------------------------------------------------------------------------------

_WD = "(?:" + "|".join(w.title() for w in WEEKDAYS) + ")"
_MON = "(?:" + "|".join(sorted((m.title() for m in MONTHS), key=len, reverse=True)) + ")"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_COUNTED = "people|persons|migrants|refugees|asylum|boats|dinghies|crossings|arrivals|deaths|children|men|women"
# Month names and weekdays must be capitalised (so "may" the verb is not a month); the
# words around them may be either case. Every phrase found is also checked by resolve_date.
_DATE_PATTERNS = [
    rf"(?:(?i:on) )?(?:{_WD},? )?(?:(?i:the) )?{_DAY} (?:(?i:of) )?{_MON}(?:,? {_YEAR})?",
    rf"(?:(?i:on) )?(?:{_WD},? )?{_MON} {_DAY}(?:,? {_YEAR})?(?!\d)",
    rf"(?:(?i:the early hours of|early hours of|early on|late on|on|last|next|this) )?{_WD}(?:'s)?"
    rf"(?: (?i:morning|afternoon|evening|night))?",
    r"(?i:(?:earlier |so far )?(?:this|last|next) (?:week|month|year))",
    r"(?i:(?:over |during )?(?:the|this|last) weekend)",
    r"(?i:today|yesterday|tomorrow|tonight|this morning|this afternoon|this evening|last night)",
    rf"(?:(?i:by|in|since|early|mid|late|the end of|end of)[ -]){_MON}(?: {_YEAR})?",
    rf"{_MON} {_YEAR}",
    r"(?i:since the (?:start|beginning) of (?:the )?(?:year|month|week))",
    # a year, unless it counts something ("2000 people")
    rf"(?:(?i:in|since) )?(?<![\d,.])({_YEAR})(?!\d|[,.]\d|\s+(?:[a-z]+\s+)?(?:{_COUNTED}))",
]
_DATE_RE = [re.compile(rf"(?<![\w-])(?:{p})(?!\w)") for p in _DATE_PATTERNS]


@dataclass(frozen=True)
class DateFinding:
    phrase: str
    start: int
    end: int
    resolved: ResolvedDate | None  # as a past or current event (None: impossible so)
    if_planned: ResolvedDate | None  # as a planned one (often the same)


def _finding(phrase: str, start: int, published: date) -> DateFinding | None:
    """The phrase resolved both ways; None when neither way resolves."""
    resolved = []
    for planned in (False, True):
        try:
            resolved.append(resolve_date(phrase, published, planned=planned))
        except DateError:
            resolved.append(None)
    return DateFinding(phrase, start, start + len(phrase), *resolved) if any(resolved) else None


def find_dates(text: str, published: date) -> list[DateFinding]:
    """The longest date phrases that do not overlap and that resolve_date resolves.
    "since 2022" also yields "2022" alone (a baseline is often the year itself)."""
    candidates = {(m.start(), m.end()) for pattern in _DATE_RE for m in pattern.finditer(text)}
    found: list[DateFinding] = []
    for start, end in sorted(candidates, key=lambda c: (c[0], -(c[1] - c[0]))):
        if any(start < d.end and d.start < end for d in found):
            continue
        finding = _finding(text[start:end], start, published)
        if finding is None:
            continue  # a shorter phrase at the same place may still resolve
        found.append(finding)
        year = re.fullmatch(rf"(?i:since) ({_YEAR})", finding.phrase)
        alone = year and _finding(year.group(1), end - 4, published)
        if alone:
            found.append(alone)
    return sorted(found, key=lambda d: (d.start, -d.end))


# --- figures -------------------------------------------------------------------------------

_ORDINAL = re.compile(r"(?i)(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
                      r"twelfth|\w+teenth|\w+ieth|\d+(?:st|nd|rd|th))$")
_RANK_WORD = re.compile(r"(?i)^[ -](?:highest|largest|biggest|busiest|lowest|worst|deadliest)")
_DURATIONS = {"minutes", "hours", "days", "weeks", "months", "years"}


@dataclass
class Figure:
    mention: NumberMention
    number_end: int  # where the number itself ends (the mention may start with its cue)
    rank: NumberMention | None = None  # "second-highest" in the same sentence
    other_numbers: list[NumberMention] = field(default_factory=list)


def find_figures(text: str, dates: list[DateFinding]) -> list[Figure]:
    """Numbers worth a record: not part of a date, not a duration, not a plain ordinal.
    An ordinal such as "second-highest" becomes the rank of the nearest figure before it
    in its sentence."""
    spans = sentence_spans(text)
    figures: list[Figure] = []
    for m in number_mentions(text):
        last = m.end - 1
        if any(d.start <= last < d.end for d in dates):
            continue  # "Friday December 15", "since 2022": a date, not a figure
        if _ORDINAL.search(m.text):
            if _RANK_WORD.match(text[m.end:m.end + 12]):
                sentence = sentence_at(spans, m.start)
                before = [f for f in figures if sentence[0] <= f.mention.start < m.start]
                if before:
                    before[-1].rank = m
            continue
        if m.unit in _DURATIONS or m.text.lower().endswith("half"):
            continue
        figures.append(Figure(m, m.end))
    return figures


# --- names the registries know -------------------------------------------------------------

_HONORIFICS = r"(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame)\.? "
@dataclass
class NameFinding:
    field: str  # person_id, organisation_id, place_id or country
    value: str  # the registry id, or the ISO code
    label: str  # the registry's name, or the country's name
    matches: list[tuple[int, int]]  # every mention (start, end), in text order


def _registry_names(registries: dict[str, list[dict]], countries: set[str]) -> list[tuple[str, str, str, list[str]]]:
    """(field, id, label, patterns) for each registry entry."""
    out = []
    for entry in registries.get("people", []):
        name = entry["name"]
        surname = name.split()[-1]
        out.append(("person_id", entry["person_id"], name,
                    [re.escape(name), _HONORIFICS + re.escape(surname)]))
    for table, id_field in (("organisations", "organisation_id"), ("places", "place_id")):
        for entry in registries.get(table, []):
            # "Prime Minister's Office (Downing Street)": both the name and the part in brackets,
            # unless that part only says the country ("Ministry of the Interior (Italy)").
            names = [n.strip() for n in re.split(r"[()]", entry["name"]) if n.strip()]
            names = [n for n in names if len(n) > 2 and n[0].isupper() and n not in countries]
            out.append((id_field, entry[id_field], entry["name"], [re.escape(n) for n in names]))
    return out


@functools.lru_cache(maxsize=1)
def _country_names() -> list[tuple[str, str, str, list[str]]]:
    import pycountry  # only `suggest` needs it

    names: dict[str, set[str]] = {}
    labels = {}
    for country in pycountry.countries:
        code = country.alpha_2
        labels[code] = getattr(country, "common_name", None) or country.name
        for name in (country.name, getattr(country, "common_name", None)):
            if name and "," not in name:
                names.setdefault(code, set()).add(name)
    for alias, code in _COUNTRY_ALIASES.items():
        names.setdefault(code, set()).add(alias)
        labels.setdefault(code, alias)  # a code pycountry does not have (EU): its first alias, "European Union"
    for code, demonym in _DEMONYMS.items():
        names.setdefault(code, set()).add(demonym)
    return [("country", code, labels.get(code, code), sorted(ns, key=len, reverse=True))
            for code, ns in names.items()]


def find_names(text: str, registries: dict[str, list[dict]]) -> list[NameFinding]:
    """Registry entries and countries named in the text (case-sensitive, whole words)."""
    countries = _country_names()
    country_words = {name for *_, names in countries for name in names}
    countries = [(f, code, label, [re.escape(n) for n in names]) for f, code, label, names in countries]
    found = []
    for field_name, value, label, patterns in _registry_names(registries, country_words) + countries:
        regex = re.compile(r"(?<![\w-])(?:" + "|".join(patterns) + r")(?!\w)")
        matches = [(m.start(), m.end()) for m in regex.finditer(text)]
        if matches:
            found.append(NameFinding(field_name, value, label, matches))
    order = {"person_id": 0, "organisation_id": 1, "place_id": 2, "country": 3}
    return sorted(found, key=lambda n: (order[n.field], n.matches[0][0]))
