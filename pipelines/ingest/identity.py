"""The identity guard: one real event is one record, under one id.

A meeting, incident or agreement that looks like a record of another id is reported
(`look-alike`, an error) with the other record's id and file:line; it is resolved by
reusing that id or by `distinct_from: [id]` on either record. A reused id whose record
does not fit the first source's record is reported for a person to confirm
(`reused-id-differs`, a warning). The rules (also in CONTRIBUTING.md):

- meetings: dates known to the day, at most a day apart, and either the same place with
  the same people (at least two shared, or all of the shorter list; or no people on one
  side), or no place on one side and the same people; two places, or two countries, that
  differ mean two meetings;
- incidents: dates known to the day, at most a day apart, no different route, country,
  town (two places of the registry that are points, a city, port or island, unless their
  coordinates are within 20 km) or count (a count both give, exact, that differs), and
  either the same place, or the same route with coordinates within 20 km or an equal count;
- agreements: the same agreement_type and the same parties (countries or organisations).

A record that lacks what a rule needs (no date to the day, no place and no people, no
parties) is compared with nothing. Each record is reduced, where it is checked, to an
`Identity`: a few plain values, cheap to send back from the workers and to compare.
`look_alikes` offers the same search to the contributors' tools (suggest's drafts).

Stdlib only: `borderlines validate` imports this module.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from pipelines.ingest.dates import DateError, resolve_date
from pipelines.ingest.parallel import fewer_collections
from pipelines.ingest.problems import Problem, ProblemList, shorten

TABLES = ("meetings", "incidents", "agreements")
COUNTS = ("people_aboard", "dead", "missing", "injured", "survivors")
NEARBY_KM, FAR_KM = 20.0, 50.0
POINT_PLACES = ("city", "port", "island")  # place types that are one spot, not an area that holds others


@dataclass(frozen=True, slots=True)  # slots: a 100,000-source corpus holds 900,000 of them at once
class Identity:
    """What the guard compares of one record as one source states it."""

    table: str
    record_id: str
    path: str
    line: int
    day: dt.date | None = None  # the date, when known to the day
    place_id: str | None = None
    country: str | None = None
    people: frozenset[str] = frozenset()  # meetings: person_id of each participant
    route: str | None = None
    counts: tuple[tuple[str, int, bool], ...] = ()  # incidents: (name, value, exact)
    latlon: tuple[float, float] | None = None
    kind: str | None = None  # meeting_type or agreement_type
    parties: frozenset[str] = frozenset()  # agreements: country or organisation_id of each party
    distinct_from: tuple[tuple[str, int], ...] = ()  # (id, line)


@dataclass(frozen=True)
class Match:
    """An existing record that a record (or a draft) probably is."""

    record_id: str
    path: str
    line: int
    reasons: tuple[str, ...]  # what they share, e.g. "same place rome"

    def location(self) -> str:
        return f"{self.path}:{self.line}"


# --- reducing a record to its identity -------------------------------------------------

def identity_of(table: str, values: dict[str, Any], children: dict[str, list[dict]] | None = None,
                record_id: str | None = None, path: str = "", line: int = 0, day_known: bool = True,
                distinct_from: tuple[tuple[str, int], ...] = ()) -> Identity:
    """The identity of a checked record's values (or a draft's: dates may be ISO strings)."""
    children = children or {}
    day = values.get("date")
    if isinstance(day, str):
        try:
            resolved = resolve_date(day, dt.date.max)  # an ISO date needs no publication date
            day = resolved.start if resolved.precision == "day" and resolved.phrase is None else None
        except (DateError, OverflowError, ValueError):
            day = None
    if not isinstance(day, dt.date) or not day_known or values.get("date_precision", "day") != "day":
        day = None
    latlon = None
    if isinstance(values.get("latitude"), (int, float)) and isinstance(values.get("longitude"), (int, float)):
        latlon = (float(values["latitude"]), float(values["longitude"]))
    exact_aboard = values.get("people_aboard_qualifier") in (None, "exact")
    counts = tuple((name, values[name], name != "people_aboard" or exact_aboard)
                   for name in COUNTS if isinstance(values.get(name), int))
    people = frozenset(p["person_id"] for p in children.get("participants", []) if p.get("person_id"))
    parties = frozenset(p.get("organisation_id") or p.get("country") for p in children.get("parties", [])
                        if p.get("organisation_id") or p.get("country"))
    kind = values.get("meeting_type") if table == "meetings" else values.get("agreement_type")
    return Identity(table, record_id or str(values.get(f"{table[:-1]}_id", "")), path, line, day,
                    values.get("place_id"), values.get("country"), people, values.get("route"), counts, latlon,
                    kind, parties, tuple(distinct_from))


def identities_of_records(records: Iterable, published: dict[str, dt.date]) -> list[Identity]:
    """Identities of the checked records of the guarded tables. `published`: source_id ->
    publication date, to tell a date phrase known to the day ("on Saturday") from one that
    is not ("next week"), which the published date does not show for a meeting."""
    out = []
    for r in records:
        if r.table not in TABLES:
            continue
        day_known = True
        phrase = next((p for name, p, _ in r.resolutions if name == "date"), None)
        if phrase is not None and r.source_id in published:
            try:
                resolved = resolve_date(phrase, published[r.source_id], planned=r.values.get("status") == "planned")
                day_known = resolved.precision == "day"
            except DateError:
                day_known = False
        out.append(identity_of(r.table, r.values, r.children, r.record_id, r.path, r.line, day_known,
                               r.distinct_from))
    return out


# --- the rules ---------------------------------------------------------------------------

def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _differ(a, b) -> bool:
    return a is not None and b is not None and a != b


def _close_days(a: Identity, b: Identity) -> str | None:
    if a.day is None or b.day is None or abs((a.day - b.day).days) > 1:
        return None
    return f"same day {a.day.isoformat()}" if a.day == b.day else f"dates a day apart ({a.day} and {b.day})"


def _meetings(a: Identity, b: Identity, points: frozenset[str] = frozenset()) -> list[str] | None:
    when = _close_days(a, b)
    if when is None or _differ(a.place_id, b.place_id) or _differ(a.country, b.country):
        return None
    shared = a.people & b.people
    enough = len(shared) >= min(2, len(a.people), len(b.people)) and bool(shared)
    who = f"shared participants {', '.join(sorted(shared))}"
    if a.place_id is not None and a.place_id == b.place_id:
        if enough:
            return [when, f"same place {a.place_id}", who]
        if not a.people or not b.people:
            return [when, f"same place {a.place_id}", "no participants on one side"]
        return None
    return [when, who] if enough else None


def _incidents(a: Identity, b: Identity, points: frozenset[str] = frozenset()) -> list[str] | None:
    when = _close_days(a, b)
    if when is None or _differ(a.route, b.route) or _differ(a.country, b.country):
        return None
    apart = _km(a.latlon, b.latlon) if a.latlon and b.latlon else None
    if apart is not None and apart > FAR_KM:
        return None
    if _differ(a.place_id, b.place_id) and a.place_id in points and b.place_id in points \
            and (apart is None or apart > NEARBY_KM):
        return None  # two towns: "off Calais" and "off Dover" are two incidents
    theirs = {name: (value, exact) for name, value, exact in b.counts}
    equal = []
    for name, value, exact in a.counts:
        if name in theirs:
            if value == theirs[name][0]:
                equal.append(f"{name} {value}")
            elif exact and theirs[name][1]:
                return None  # a count both give exactly, and it differs
    same_route = a.route is not None and a.route == b.route
    reasons = [when]
    if a.place_id is not None and a.place_id == b.place_id:
        reasons.append(f"same place {a.place_id}")
    elif same_route and apart is not None and apart <= NEARBY_KM:
        reasons.append(f"{apart:.0f} km apart")
    elif not (same_route and equal):
        return None
    if same_route:
        reasons.append(f"same route {a.route}")
    if equal:
        reasons.append("same " + ", ".join(equal))
    return reasons


def _agreements(a: Identity, b: Identity, points: frozenset[str] = frozenset()) -> list[str] | None:
    if a.kind is None or a.kind != b.kind or not a.parties or a.parties != b.parties:
        return None
    return [f"same type {a.kind}", f"same parties {', '.join(sorted(a.parties))}"]


RULES = {"meetings": _meetings, "incidents": _incidents, "agreements": _agreements}


def looks_alike(a: Identity, b: Identity, points: frozenset[str] = frozenset()) -> list[str] | None:
    """Why a and b look like one event (the reasons), or None. points: place_id of the
    places that are one spot (point_places)."""
    if a.table != b.table or a.record_id == b.record_id:
        return None
    return RULES[a.table](a, b, points)


def point_places(registries: dict[str, list[dict]]) -> frozenset[str]:
    return frozenset(row["place_id"] for row in registries.get("places", []) if row.get("place_type") in POINT_PLACES)


def _does_not_fit(first: Identity, later: Identity) -> list[str]:
    """How a record reusing an id disagrees with the first record under that id."""
    out = []
    if _differ(first.kind, later.kind):
        out.append(f"type {later.kind} where the first has {first.kind}")
    for mine, theirs, what in ((later.people, first.people, "participants"), (later.parties, first.parties, "parties")):
        if mine and theirs and not (mine <= theirs or theirs <= mine):
            out.append(f"{what} {', '.join(sorted(mine))} where the first has {', '.join(sorted(theirs))}")
    if first.table == "incidents":
        if _differ(first.route, later.route):
            out.append(f"route {later.route} where the first has {first.route}")
        if first.day and later.day and abs((first.day - later.day).days) > 1:
            out.append(f"date {later.day} where the first has {first.day}")
    return out


# --- the corpus-wide check ------------------------------------------------------------------

def _candidates(identities: list[Identity]) -> Iterable[tuple[Identity, Identity]]:
    """Pairs of records of different ids worth comparing, each at least once: meetings and
    incidents a day or less apart that share a place or a person, or a route with a count
    or coordinates (every rule needs one of them), and agreements of the same type and
    parties.

    Two versions of one id (a shared event, stated by several sources) are one record, not
    a pair: each group is split by id and only versions of different ids are paired, so
    that the versions of one id are never even looked at in pairs. An agreement that
    thousands of sources report made a group of millions of such pairs at 10,000 sources
    (1.4 of 1.5 million), a hundred times more at 100,000: skipping them one by one made the
    guard grow with the square of the corpus. Meetings and incidents are grouped a day at a
    time (each day's groups with the next day's), so that only two days' groups are held."""
    agreements: dict[tuple, list[Identity]] = defaultdict(list)
    by_day: dict[dt.date, list[Identity]] = defaultdict(list)
    for ident in identities:
        if ident.table == "agreements":
            if ident.kind and ident.parties:
                agreements[(ident.kind, ident.parties)].append(ident)
        elif ident.day is not None:
            by_day[ident.day].append(ident)
    for group in agreements.values():
        yield from _pairs_of_ids(group)
    tomorrow: tuple[dt.date, dict] | None = None
    for day in sorted(by_day):
        today = tomorrow[1] if tomorrow is not None and tomorrow[0] == day else _shared(by_day[day])
        next_day = day + _ONE_DAY
        tomorrow = (next_day, _shared(by_day[next_day])) if next_day in by_day else None
        for token, group in today.items():
            yield from _pairs_of_ids(group)
            for b in tomorrow[1].get(token, ()) if tomorrow is not None else ():
                for a in group:
                    if a.record_id != b.record_id:
                        yield a, b


def _shared(identities: list[Identity]) -> dict[tuple, list[Identity]]:
    """Meetings and incidents of one day by what a rule needs them to share: meetings a
    place or a person; incidents the same place, or the same route with a count or with
    coordinates."""
    groups: dict[tuple, list[Identity]] = defaultdict(list)
    for ident in identities:
        if ident.table == "meetings":
            shared = (ident.place_id, *ident.people)
        else:
            shared = (ident.place_id, *((ident.route, name, value) for name, value, _ in ident.counts),
                      (ident.route, "coordinates") if ident.latlon else None)
        for token in {t for t in shared if t is not None and (t[0] is not None if isinstance(t, tuple) else True)}:
            groups[(ident.table, token)].append(ident)
    return groups


def _pairs_of_ids(group: list[Identity]) -> Iterable[tuple[Identity, Identity]]:
    """Each version of an id in the group with each version of every other id in it."""
    if len(group) < 2:  # most groups are one record: nothing to pair
        return
    versions: dict[str, list[Identity]] = defaultdict(list)
    for ident in group:
        versions[ident.record_id].append(ident)
    ids = list(versions)
    for i, first in enumerate(ids):
        for second in ids[i + 1:]:
            yield from itertools.product(versions[first], versions[second])


_ONE_DAY = dt.timedelta(days=1)


def _order(ident: Identity) -> tuple[str, int, str, str]:
    """File order; the table and id tell apart two records written on one line (YAML's flow
    style), so that the reports' order never depends on the order the records came in."""
    return ident.path, ident.line, ident.table, ident.record_id


@dataclass(frozen=True)
class Finding:
    """A problem of the identity guard with the records it is about: the build keeps it, and
    checks again only those whose ids a changed, added or removed folder, or one admitted or
    left out since, states or stated (core/across.py).

    unknown-id: `first` names `named` (its `distinct_from[index]`); reused-id-differs:
    `second` is a later version of `first`'s id; look-alike: `first` and `second` are the
    pair of records, `first` the earlier in file order."""

    problem: Problem
    first: Identity
    second: Identity | None = None
    named: str | None = None
    index: int = 0

    def ids(self) -> tuple[str, ...]:
        """The ids (of first.table) whose records decide this problem: a change to the
        records of any other id leaves it as it is."""
        if self.named is not None:
            return self.first.record_id, self.named
        return (self.first.record_id,) if self.second is None else (self.first.record_id, self.second.record_id)


def check_identities(problems: ProblemList, identities: list[Identity], registries: dict[str, list[dict]],
                     checked: set[str] | None = None) -> None:
    """Report look-alikes, unknown `distinct_from` ids and reused ids that do not fit.

    `registries`: the loaded registries (the agreements registry holds ids that exist
    besides the records' own; the places registry says which places are towns). With `checked` (paths of the annotation files being checked, the rest read
    only for comparison), only what concerns a checked file is reported, on it."""
    problems.extend(finding.problem for finding in identity_findings(identities, registries, checked))


def identity_findings(identities: list[Identity], registries: dict[str, list[dict]],
                      checked: set[str] | None = None) -> list[Finding]:
    """check_identities' problems, in its order, each with the records it is about."""
    # It makes a few hundred thousand small lists and tuples next to the corpus's records;
    # with the collector's default thresholds, a sixth of its time was spent collecting.
    with fewer_collections():
        return list(_check_identities(identities, registries, checked))


def _check_identities(identities, registries, checked) -> Iterator[Finding]:
    def concerns(*idents: Identity) -> bool:
        return checked is None or any(i.path in checked for i in idents)

    known_ids = {"agreements": {row["agreement_id"] for row in registries.get("agreements", [])}}
    points = point_places(registries)
    ids: dict[tuple[str, str], list[Identity]] = defaultdict(list)
    for ident in sorted(identities, key=_order):
        ids[(ident.table, ident.record_id)].append(ident)
    distinct = {(ident.table, ident.record_id, other) for ident in identities for other, _ in ident.distinct_from}

    for ident in identities:
        for index, (other, line) in enumerate(ident.distinct_from):
            if concerns(ident) and (ident.table, other) not in ids and other not in known_ids.get(ident.table, ()):
                problem = Problem(ident.path, line, 1, "unknown-id",
                                  f"distinct_from names {ident.table[:-1]} {other!r}, which no source or registry has",
                                  f"write the id of an existing {ident.table[:-1]} (`borderlines find` lists them), "
                                  "or remove it", shorten(other))
                yield Finding(problem, ident, named=other, index=index)

    for (table, record_id), versions in ids.items():
        first = versions[0]
        for later in versions[1:]:
            if later.path != first.path and concerns(later, first):
                differences = _does_not_fit(first, later)
                if differences:
                    where = later if checked is None or later.path in checked else first
                    there = first if where is later else later
                    warning = Problem(where.path, where.line, 1, "reused-id-differs",
                                      f"{table[:-1]} {record_id!r} is reused here with {'; '.join(differences)} "
                                      f"({there.path}:{there.line})",
                                      "confirm it is the same event; if it is not, give this record an id of its own",
                                      severity="warning")
                    yield Finding(warning, first, later)

    # One report per pair of ids, on the first pair of their records (in file order) that
    # looks alike: the same whichever order the pairs come in.
    first_match: dict[tuple[str, str, str], tuple] = {}
    for a, b in _candidates(identities):
        if a.record_id == b.record_id or not concerns(a, b):
            continue
        if _order(a) > _order(b):
            a, b = b, a
        pair = (a.table, *sorted((a.record_id, b.record_id)))
        if (a.table, a.record_id, b.record_id) in distinct or (a.table, b.record_id, a.record_id) in distinct:
            continue
        if pair in first_match and first_match[pair][:2] <= (_order(a), _order(b)):
            continue
        reasons = looks_alike(a, b, points)
        if reasons is not None:
            first_match[pair] = (_order(a), _order(b), a, b, reasons)
    for _, _, first, second, reasons in sorted(first_match.values(), key=lambda m: m[:2]):
        old, new = (second, first) if checked is not None and second.path not in checked else (first, second)
        what = new.table[:-1]
        problem = Problem(new.path, new.line, 1, "look-alike",
                          f"{what} {new.record_id!r} looks like {what} {old.record_id!r} ({old.path}:{old.line}): "
                          + ", ".join(reasons),
                          f"if it is the same {what}, use the id {old.record_id}; if it is another, add "
                          f"`distinct_from: [{old.record_id}]` to this record")
        yield Finding(problem, first, second)


# --- for the contributors' tools -------------------------------------------------------------

def look_alikes(table: str, record: dict[str, Any], corpus) -> list[Match]:
    """Existing records that a record (or a draft) of `table` probably is, best first.

    record: annotation values as typed or drafted (`date` an ISO date or a date object;
    `participants` / `parties` lists of mappings, as in annotations.yaml); its own id, if
    any, is not matched. corpus: a Corpus loaded with its records (`load_corpus(root)`), or
    Identities. Returns one Match per other id, with the first file:line that states it."""
    children = {key: record.get(key) or [] for key in ("participants", "parties")}
    mine = identity_of(table, record, children, record_id=record.get(f"{table[:-1]}_id") or "")
    existing = corpus if isinstance(corpus, list) else _corpus_identities(corpus)
    points = frozenset() if isinstance(corpus, list) else point_places(corpus.registries)
    found: dict[str, Match] = {}
    for other in sorted(existing, key=_order):
        if other.table == table and other.record_id not in found:
            reasons = looks_alike(mine, other, points)
            if reasons:
                found[other.record_id] = Match(other.record_id, other.path, other.line, tuple(reasons))
    return sorted(found.values(), key=lambda m: (-len(m.reasons), m.record_id))


def _corpus_identities(corpus) -> list[Identity]:
    if getattr(corpus, "identities", None):
        return corpus.identities
    published = {s.source_id: s.metadata["published_date"] for s in corpus.sources.values()}
    return identities_of_records(corpus.records, published)


# --- which other files can hold a look-alike (validate --changed-since) -----------------------
# Parsing every other annotation file would take most of a full run: a file is read as
# records only if its bytes could state one that looks like a checked meeting or incident.
# Each rule needs a shared value (a place, a person, a route with a count), written as
# `key: value` in the file, and a date a day or less away, written as an ISO date, as a
# day and a month ("15 December", "Dec. 16th"; without a year, from a source published
# within a year), or as a phrase that counts from the publication date ("on Saturday",
# "yesterday": at most a week from it). YAML can write a value's characters apart only
# with a backslash escape: a file with one is always read.

_SEPARATORS = rb"[\s,.\-\xc2\xa0\xe2\x80\x93]+"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
RELATIVE_DAYS = 8  # "last Friday" is up to 7 days before publication; a day more for "within a day"


@dataclass(frozen=True)
class Probe:
    """What another file must contain to hold a look-alike of one checked record."""

    any_of: tuple[Any, ...] = ()  # one of these `key: value` patterns (a place, a person),
    route_and_count: tuple[Any, ...] = ()  # or this route with one of these counts (an incident);
    iso: tuple[bytes, ...] = ()  # and one of these ISO dates,
    days: tuple[tuple[int, int, int], ...] = ()  # or one of these (month, day, year) in words, without
    # a year only from a source published within a year,
    published: tuple[dt.date, dt.date] | None = None  # or any date, from a source published in this window
    published_in_year: tuple[dt.date, dt.date] | None = None


# An integer that YAML reads from other digits than its own (1_000, 0x10, 1:20) is looked
# for as any number could be.
_ODD_INTEGER = re.compile(rb":[ \t]*['\"]?\+?(?:0[0-9xob]|\d[\d_]*_\d|\d+:[0-5]\d)")


def _value_of(key: bytes, value: str, by_key: bool = False) -> tuple[bytes, Any, bool]:
    """What to look for first (the value, or with by_key the key: a count's digits are
    everywhere), and a pattern for `key: value` as YAML may write it (quoted or not, in a
    flow mapping, the value on the next line), checked where that was found."""
    if by_key:
        return key, re.compile(rb"%s['\"]?\s*:\s*['\"]?\+?%s(?![\w-])" % (key, re.escape(value.encode()))), True
    return value.encode(), re.compile(rb"%s['\"]?\s*:\s*['\"]?\+?\Z" % key), False


def _found(value_of: tuple[bytes, Any, bool], data: bytes) -> bool:
    """`key: value` is in data: each place the first part is (a plain search, fast) is
    checked with the pattern."""
    first, pattern, by_key = value_of
    at = data.find(first)
    while at != -1:
        if by_key:
            if pattern.match(data, at):
                return True
        else:
            end = at + len(first)
            if (end == len(data) or not (data[end:end + 1].isalnum() or data[end:end + 1] in b"_-")) \
                    and pattern.search(data, max(0, at - 80), at):
                return True
        at = data.find(first, at + 1)
    return False


_BEFORE_MONTH = re.compile(rb"(?<!\d)0?(\d{1,2})(?:st|nd|rd|th)?%s(?:of%s)?\Z" % (_SEPARATORS, _SEPARATORS))
_AFTER_MONTH = re.compile(rb"[a-z]*%s(?:the%s)?0?(\d{1,2})(?:st|nd|rd|th)?(?!\d)" % (_SEPARATORS, _SEPARATORS))
_YEAR_AFTER_MONTH = re.compile(rb"[a-z]*%s(\d{4})(?!\d)" % _SEPARATORS)
_YEAR = re.compile(rb"%s(\d{4})(?!\d)" % _SEPARATORS)


def _days_named(lowered: bytes, months: set[int]) -> set[tuple[int, int, int | None]]:
    """(month, day, year or None) of each day this text names in words ("15 December",
    "Dec. 16th 2023"), for the months given: each mention of a month's first three
    letters is looked at, with the day before or after it."""
    found = set()
    for month in months:
        token = _MONTHS[month - 1].encode()
        at = lowered.find(token)
        while at != -1:
            before = _BEFORE_MONTH.search(lowered, max(0, at - 24), at)
            if before:
                year = _YEAR_AFTER_MONTH.match(lowered, at + 3)
                found.add((month, int(before.group(1)), int(year.group(1)) if year else None))
            after = _AFTER_MONTH.match(lowered, at + 3)
            if after:
                year = _YEAR.match(lowered, after.end())
                found.add((month, int(after.group(1)), int(year.group(1)) if year else None))
            at = lowered.find(token, at + 1)
    return found


def probes(identities: Iterable[Identity]) -> list[Probe]:
    out = []
    for ident in identities:
        # Not agreements: a new agreement id comes with a change to the agreements registry,
        # and then every source is checked (changes.folders_changed_since). Under an id
        # that exists, a record that does not fit the first one is found as a reused id.
        if ident.table == "agreements" or ident.day is None:
            continue
        route_and_count: tuple = ()
        if ident.table == "meetings":
            signals = [_value_of(b"person_id", person) for person in sorted(ident.people)]
        else:
            signals = [_value_of(b"route", ident.route)] if ident.route and ident.latlon else []
            if ident.route and ident.counts:
                route_and_count = (_value_of(b"route", ident.route),
                                   *(_value_of(name.encode(), str(value), by_key=True) for name, value, _ in ident.counts))
        if ident.place_id:
            signals.append(_value_of(b"place_id", ident.place_id))
        if not signals and not route_and_count:
            continue
        days = [ident.day + dt.timedelta(days=k) for k in (-1, 0, 1)]
        iso = {d.isoformat() for d in days}
        iso |= {d.isoformat()[:7] for d in days if d.day == 1} | {str(d.year) for d in days if d.timetuple().tm_yday == 1}
        year = dt.timedelta(days=367)
        out.append(Probe(tuple(signals), route_and_count, tuple(sorted(x.encode() for x in iso)),
                         tuple((d.month, d.day, d.year) for d in days),
                         (days[0] - dt.timedelta(days=RELATIVE_DAYS), days[-1] + dt.timedelta(days=RELATIVE_DAYS)),
                         (days[0] - year, days[-1] + year)))
    return out


def _shares_an_id(probe: Probe, data: bytes, odd: list) -> bool:
    if any(_found(value_of, data) for value_of in probe.any_of):
        return True
    route, *counts = probe.route_and_count or (None,)
    if route is None or not _found(route, data):
        return False
    if any(_found(count, data) for count in counts):
        return True
    if not odd:  # searched once per file, and only if needed
        odd.append(bool(_ODD_INTEGER.search(data)))
    return odd[0]


def may_hold_look_alike(data: bytes, probes_: list[Probe], published) -> bool:
    """False when these annotation bytes cannot state a look-alike of any probed record.
    published(): the file's source's publication date, or None if it cannot be read.
    A probe needs a close date and a shared value. The date first: it rules out nearly
    every file, where the values (a person, a city, a route) are in most; and it costs a
    few plain searches, where a value is checked as `key: value` at each place it is."""
    if b"\\" in data:
        return True
    named, day, odd = None, False, []
    found: dict[bytes, bool] = {}  # plain searches, each made once for all probes

    def there(token: bytes) -> bool:
        if token not in found:
            found[token] = token in data
        return found[token]

    for probe in probes_:
        # An ISO date starts with its year: one search rules out the dates of a year.
        if not any(there(token[:4]) and there(token) for token in probe.iso):
            day = published() if day is False else day
            if day is not None and not probe.published[0] <= day <= probe.published[1]:
                if named is None:
                    named = _days_named(data.lower(), {m for p in probes_ for m, _, _ in p.days})
                within_a_year = probe.published_in_year[0] <= day <= probe.published_in_year[1]
                if not any((m, d, y) in named or (within_a_year and (m, d, None) in named) for m, d, y in probe.days):
                    continue
        if _shares_an_id(probe, data, odd):
            return True
    return False
