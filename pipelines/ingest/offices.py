"""Offices people held (sources/registry/offices.yaml), and the check of a participant whom
a quote names only by office.

A term says who held an office (`prime_minister` of GB, ...) from start_date to end_date,
both days included: on the day of a handover both the outgoing and the incoming holder
held it. A term without end_date lasts until the next term of the same office starts
(or to this day). A term without start_date is kept in the registry but resolves nothing:
we cannot say it covered any given day.

A quote names an office with the words in OFFICE_WORDS ("The Prime Minister", "the
Italian premier"). The words right before the title may say whose office it is
("Italian", "Britain's"); without them it is the office of the participant's own country.
For each participant of a meeting that the quotes supporting `participants` do not name by
name, and for each participant's `position`, validate checks that the person held the
office named on the meeting's date (`office-not-held`), and that someone did
(`office-no-holder`). Offices of a country the registry has no term of are not checked:
the registry does not know them.

Stdlib only, like the rest of validate's checks (pycountry, for country names, on first use).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from pipelines.ingest.dates import FIRST_YEAR, LAST_YEAR
from pipelines.ingest.meaning import supporting_text, unchecked

REGISTRY_TABLE = "person_offices"
REGISTRY_FILE = "sources/registry/offices.yaml"

# The words that name each office (the categories of person_offices.office). Matched
# whole, in any case except "PM"; "Deputy Prime Minister" or "former premier" is not the office.
OFFICE_WORDS = {
    "prime_minister": ("prime minister", "premier", "PM", "president of the council of ministers",
                       "presidente del consiglio", "head of government"),
    "interior_minister": ("home secretary", "interior minister", "minister of the interior",
                          "minister for the interior", "ministro dell'interno"),
}
_NOT_THE_HOLDER = re.compile(r"(?i)\b(?:deputy|vice|former|ex|shadow|acting|junior|previous|late)[\s-]+$")

# Country words people write that are not pycountry's names (see country_words). The
# European Union is EU, the code ISO 3166-1 reserves for it: a party to agreements
# (schemas/tables/agreement_parties.yaml, also_allowed), though not a place's country.
COUNTRY_ALIASES = {"UK": "GB", "U.K.": "GB", "Britain": "GB", "Great Britain": "GB", "US": "US", "USA": "US",
                   "United States": "US", "Russia": "RU", "Turkey": "TR", "Czech Republic": "CZ",
                   "Palestine": "PS", "Ivory Coast": "CI", "Congo": "CG", "Moldova": "MD",
                   "European Union": "EU", "EU": "EU"}
DEMONYMS = {
    "AF": "Afghan", "AL": "Albanian", "DZ": "Algerian", "AT": "Austrian", "BD": "Bangladeshi",
    "BY": "Belarusian", "BE": "Belgian", "BA": "Bosnian", "GB": "British", "BG": "Bulgarian",
    "HR": "Croatian", "CY": "Cypriot", "CZ": "Czech", "DK": "Danish", "NL": "Dutch", "EG": "Egyptian",
    "ER": "Eritrean", "EE": "Estonian", "ET": "Ethiopian", "FI": "Finnish", "FR": "French",
    "GM": "Gambian", "DE": "German", "GR": "Greek", "GN": "Guinean", "HU": "Hungarian", "IN": "Indian",
    "IR": "Iranian", "IQ": "Iraqi", "IE": "Irish", "IT": "Italian", "CI": "Ivorian", "LV": "Latvian",
    "LY": "Libyan", "LT": "Lithuanian", "ML": "Malian", "MT": "Maltese", "MR": "Mauritanian",
    "MA": "Moroccan", "NG": "Nigerian", "NO": "Norwegian", "PK": "Pakistani", "PL": "Polish",
    "PT": "Portuguese", "RO": "Romanian", "RU": "Russian", "RW": "Rwandan", "SN": "Senegalese",
    "RS": "Serbian", "SK": "Slovak", "SI": "Slovenian", "SO": "Somali", "ES": "Spanish",
    "SD": "Sudanese", "SE": "Swedish", "CH": "Swiss", "SY": "Syrian", "TN": "Tunisian",
    "TR": "Turkish", "UA": "Ukrainian", "VN": "Vietnamese", "YE": "Yemeni",
}


@functools.lru_cache(maxsize=1)
def country_words() -> dict[str, str]:
    """Every word or name a text may use for a country -> its ISO alpha-2 code: pycountry's
    name and common name, the aliases and the demonyms above."""
    import pycountry  # loading its database costs time: only when a text names an office

    out = {}
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "common_name", None)):
            if name and "," not in name:
                out[name] = country.alpha_2
    out.update(COUNTRY_ALIASES)
    out.update({demonym: code for code, demonym in DEMONYMS.items()})
    return out


@dataclass(frozen=True)
class Term:
    person_id: str
    office: str
    country: str
    start: dt.date | None
    end: dt.date | None  # None: until the next term of the office starts


@dataclass(frozen=True)
class Mention:
    """Words of a text that name an office; country is None when they do not say whose."""

    office: str
    country: str | None
    words: str
    start: int = 0  # offsets of the words in the text
    end: int = 0


class Offices:
    """The terms of the offices registry, and the people registry's names and countries."""

    def __init__(self, terms: list[dict], people: list[dict]):
        self.people = {p["person_id"]: (p.get("name", ""), p.get("country")) for p in people}
        self.terms = [Term(t["person_id"], t["office"], t["country"], t.get("start_date"), t.get("end_date"))
                      for t in terms if isinstance(t.get("start_date"), dt.date) or t.get("start_date") is None]
        # An open term ends where the next term of the same office starts.
        starts: dict[tuple[str, str], list[dt.date]] = {}
        for t in self.terms:
            if t.start is not None:
                starts.setdefault((t.office, t.country), []).append(t.start)
        self._next = {(t.office, t.country, t.start): min((s for s in starts[(t.office, t.country)] if s > t.start),
                                                           default=None)
                      for t in self.terms if t.start is not None}

    def known(self, office: str, country: str) -> bool:
        return any(t.office == office and t.country == country for t in self.terms)

    def holders(self, office: str, country: str, day: dt.date) -> list[str]:
        """Who held the office on that day (two on the day of a handover)."""
        out = []
        for t in self.terms:
            if t.office != office or t.country != country or t.start is None or day < t.start:
                continue
            end = t.end or self._next[(t.office, t.country, t.start)]
            if end is None or day <= end:
                out.append(t.person_id)
        return sorted(set(out))

    def terms_of(self, person_id: str, office: str, country: str) -> str:
        spans = [f"{t.start or '?'} to {t.end or '...'}" for t in self.terms
                 if t.person_id == person_id and t.office == office and t.country == country]
        return ", ".join(spans) or "none"

    def names(self, person_id: str, text: str) -> bool:
        """True if the text names the person: a word of the name of three letters or more."""
        name = self.people.get(person_id, ("", None))[0]
        words = {w.casefold() for w in re.findall(r"[^\W_]+", text)}
        return any(w.casefold() in words for w in re.findall(r"[^\W_]+", name) if len(w) > 2)


@functools.lru_cache(maxsize=1)
def _office_pattern() -> re.Pattern:
    titles = sorted(((w, office) for office, words in OFFICE_WORDS.items() for w in words),
                    key=lambda pair: -len(pair[0]))
    alternatives = "|".join(f"(?-i:{re.escape(w)})" if w.isupper() else re.escape(w) for w, _ in titles)
    return re.compile(rf"(?i)(?<![\w-])(?:{alternatives})(?![\w-])")


def _office_of(title: str) -> str:
    low = title.casefold()
    return next(office for office, words in OFFICE_WORDS.items() if any(w.casefold() == low for w in words))


def office_mentions(text: str) -> list[Mention]:
    """The offices a text names, each with the country the words before it give, if any."""
    out = []
    for match in _office_pattern().finditer(text):
        before = text[max(0, match.start() - 40):match.start()]
        if _NOT_THE_HOLDER.search(before):
            continue
        out.append(Mention(_office_of(match.group()), _country_before(before), match.group(),
                           match.start(), match.end()))
    return out


def _country_before(before: str) -> str | None:
    """The country named just before an office's title: "Italian", "Italy's", "the UK"."""
    words = re.findall(r"[\w.]+(?:['’]s)?", before)[-3:]
    known = country_words()
    for n in range(len(words), 0, -1):
        phrase = re.sub(r"['’]s$", "", " ".join(words[-n:]))
        if phrase in known:
            return known[phrase]
    return None


# --- the registry ---------------------------------------------------------------------------

def check_term(doc, index: int, values: dict, problems) -> bool:
    """One entry of offices.yaml: its dates are dates, each with its source, in order.
    Dates become datetime.date; False if the entry is unusable (it is then left out)."""
    rel = doc.path
    if not all(values.get(name) for name in ("person_id", "office", "country")):
        return False  # missing-field or bad-value is reported
    for end in ("start", "end"):
        name = f"{end}_date"
        raw = values.get(name)
        if raw is None:
            continue
        try:
            day = dt.date.fromisoformat(raw) if isinstance(raw, str) else raw
        except ValueError:
            problems.add(rel, *doc.position(index, name), "bad-date", f"{name} {raw!r} is not a date",
                         "write it as YYYY-MM-DD, or null when no source gives it", raw)
            return False
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            problems.add(rel, *doc.position(index, name), "bad-value",
                         f"{name} {day.isoformat()} is out of range: dates go from {FIRST_YEAR} to {LAST_YEAR}",
                         "check the year", raw)
            return False
        values[name] = day
        for evidence in (f"{end}_source_url", f"{end}_quote"):
            if not values.get(evidence):
                problems.add(rel, *doc.position(index, name), "missing-field",
                             f"{name} has no {evidence}",
                             f"a date of office needs the address of a page that gives it ({end}_source_url) "
                             f"and that page's words ({end}_quote), copied verbatim; without them write {name}: null")
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        problems.add(rel, *doc.position(index, "end_date"), "bad-value",
                     f"end_date {end.isoformat()} is before start_date {start.isoformat()}", "check both dates")
        return False
    return True


def check_terms(rel: str, terms: list[dict], people: list[dict], problems) -> None:
    """Across entries: each person is in the people registry, and no two terms of one
    office overlap by more than the day of a handover."""
    known = {p["person_id"] for p in people}
    for t in terms:
        if t["person_id"] not in known:
            problems.add(rel, t["_line"], 1, "unknown-id",
                         f"person_id {t['person_id']!r} of {t['office_term_id']!r} is not in the people registry",
                         "add the person to sources/registry/people.yaml, or fix the id", t["person_id"])
    dated = sorted((t for t in terms if t.get("start_date")),
                   key=lambda t: (t["office"], t["country"], t["start_date"]))
    for earlier, later in zip(dated, dated[1:]):
        if (earlier["office"], earlier["country"]) != (later["office"], later["country"]):
            continue
        if earlier.get("end_date") and earlier["end_date"] > later["start_date"]:
            problems.add(rel, later["_line"], 1, "overlapping-terms",
                         f"{later['office_term_id']!r} starts on {later['start_date']} but "
                         f"{earlier['office_term_id']!r} "
                         f"(line {earlier['_line']}) ends on {earlier['end_date']}: one holder at a time",
                         "check both dates against their sources; a handover day may be in both terms")


# --- a meeting's participants ----------------------------------------------------------------

def check_participants(doc, keys, values: dict, items, quotes, failed, offices: Offices, published: dt.date,
                       problems) -> None:
    """Each participant named only by an office in the quotes, or whose `position` names an
    office, held it on the meeting's date (the publication date when the date is unknown)."""
    if not isinstance(items, list) or not offices.terms:
        return
    day = values.get("date") if isinstance(values.get("date"), dt.date) else published
    if unchecked(failed, "participants"):
        return  # a quote for participants did not anchor: that is reported, and it is not read
    text = supporting_text(quotes, "participants")
    people = [item.get("person_id") for item in items if isinstance(item, dict)]
    for j, item in enumerate(items):
        person = item.get("person_id") if isinstance(item, dict) else None
        if not isinstance(person, str) or person not in offices.people:
            continue  # reported as unknown-id
        others = set(people) - {person}
        if not offices.names(person, text):
            _judge(doc, (*keys, "participants", j), person, office_mentions(text), others, day, offices, problems,
                   "the quotes name this participant only as")
        position = item.get("position")
        if isinstance(position, str):
            _judge(doc, (*keys, "participants", j, "position"), person, office_mentions(position), set(), day,
                   offices, problems, "position is")


def _judge(doc, where, person, mentions, others, day, offices, problems, said) -> None:
    own_country = offices.people[person][1]
    resolved = []
    for m in mentions:
        country = m.country or own_country
        if country is None or not offices.known(m.office, country):
            continue  # an office the registry has no term of: not checked
        holders = offices.holders(m.office, country, day)
        if person in holders:
            return
        if holders and set(holders) <= others:
            continue  # "Italian Prime Minister" is the other participant who held it
        resolved.append((m, country, holders))
    if not resolved:
        return
    m, country, holders = resolved[0]
    name = offices.people[person][0] or person
    office = f"{country} {m.office.replace('_', ' ')}"
    if holders:
        problems.add(doc.path, *doc.position(*where), "office-not-held",
                     f"{said} {m.words!r} ({office}), but on {day.isoformat()} that office was held by "
                     f"{' and '.join(holders)}, not {person}",
                     f"name the person who held it then, or quote the words that name {name}; {person}'s terms "
                     f"as {office}: {offices.terms_of(person, m.office, country)} ({REGISTRY_FILE})", person)
    else:
        problems.add(doc.path, *doc.position(*where), "office-no-holder",
                     f"{said} {m.words!r} ({office}), but {REGISTRY_FILE} has no holder of that office on "
                     f"{day.isoformat()}",
                     "check the meeting's date; or add the term of whoever held the office then, with the address "
                     "and the words of a page that give its dates", person)
