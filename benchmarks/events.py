"""What the synthetic sources report: incidents and meetings as events, one set of facts each.

A source's own incident or meeting is an event only it reports; a `shared-<kind>-<j>`
id is an event several sources report, so its facts (date, place, people, counts) are
drawn from the id, never per source, and each source that names it says the same. What
a source writes about an event (words, figures as words or digits, the date phrase) is
still its own.

Real events do not look alike by chance, and the identity guard of `validate` would
report any two that do (pipelines/ingest/identity.py). So the facts of every event in the
corpus are drawn first, and then set apart where two would collide:
- two incidents on the same route, a day or less apart, get different numbers of
  survivors (a count both give exactly, so they differ: the guard tells them apart even
  when one record's place is broken on purpose);
- two meetings in the same city, a day or less apart, share at most one participant.

    plan(seed, n_sources) -> Plan   (cached: each process draws it once)

The facts depend on (seed, n_sources) and the source index only: not on the workers, nor on
the order in which sources are written.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache

from benchmarks import vocab

FIRST_DAY, DAYS = dt.date(2019, 1, 1), 6 * 365
PEOPLE, PLACES = vocab.people(), vocab.places()
COAST = {route: [p for p in PLACES if p.route == route] for route in vocab.ROUTES}
CAPITALS = [p for p in PLACES if p.route is None]
VESSELS = (("small boat", "small_boat"), ("dinghy", "inflatable"), ("wooden boat", "wooden_boat"),
           ("fishing boat", "wooden_boat"))
TOPICS = ("migration", "the smuggling gangs", "returns", "border security", "the small boats")
SHARE = 0.15  # chance that an incident or meeting after a source's first is a shared event
BACK, AHEAD = 299, 59  # how far before (after, for a planned meeting) publication an event may be


@dataclass(frozen=True, slots=True)
class Incident:
    day: dt.date
    route: str
    place: vocab.Place
    vessel: tuple[str, str]  # (words, vessel_type)
    km: int
    aboard: int
    qualifier: str  # of people_aboard
    dead: int
    missing: int | None


@dataclass(frozen=True, slots=True)
class Meeting:
    day: dt.date
    city: vocab.Place
    people: tuple[vocab.Person, ...]  # host, guest, then the others expected
    position: str  # the host's
    topic: str


@dataclass(frozen=True)
class SourcePlan:
    """The records of one source: sections in order, with the event each incident and
    meeting reports as (record id, facts)."""

    n_crossings: int
    incidents: list[tuple[str | None, Incident]]  # record id None: the source's own id
    meetings: list[tuple[str | None, Meeting]]
    n_agreements: int


@dataclass
class Plan:
    sources: list[SourcePlan]
    shared: dict[str, Incident | Meeting]


def _rng(seed: int, *key) -> random.Random:
    return random.Random(":".join(map(str, (seed, *key))))  # a str seed is hashed (sha512): stable


def draw_incident(rng: random.Random, day: dt.date) -> Incident:
    route = rng.choice(list(vocab.ROUTES))
    aboard = int(8 * (700 / 8) ** rng.random())
    return Incident(day, route, rng.choice(COAST[route]), rng.choice(VESSELS), rng.randrange(1, 40), aboard,
                    rng.choice(("exact", "exact", "about", "more_than", "at_least")),
                    rng.randrange(1, max(2, aboard // 3)), rng.randrange(2, 30) if rng.random() < 0.3 else None)


def draw_meeting(rng: random.Random, day: dt.date) -> Meeting:
    people = tuple(rng.sample(PEOPLE, rng.choice((2, 2, 3))))
    return Meeting(day, rng.choice(CAPITALS), people, rng.choice(vocab.POSITIONS), rng.choice(TOPICS))


def shared_day(j: int, pool: int) -> dt.date:
    """Shared events are spread evenly over the corpus' years, in the order of their number."""
    return FIRST_DAY + dt.timedelta(days=(j * DAYS) // pool)


def shared_event(seed: int, kind: str, j: int, pool: int) -> Incident | Meeting:
    rng = _rng(seed, "shared", kind, j)
    return (draw_incident if kind == "incident" else draw_meeting)(rng, shared_day(j, pool))


def _shared_near(rng: random.Random, pub: dt.date, kind: str, pool: int, taken: set[int]) -> int | None:
    """A shared event a source published on `pub` can report: an incident before
    publication; a meeting before (held) or after (planned), not on the day itself."""
    first = (pub - FIRST_DAY).days - BACK
    last = (pub - FIRST_DAY).days + (AHEAD if kind == "meeting" else -1)
    lo = max(0, (first * pool + DAYS - 1) // DAYS)  # the first j whose day is not before `first`
    hi = min(pool - 1, ((last + 1) * pool - 1) // DAYS)  # the last j whose day is not after `last`
    if lo > hi:
        return None
    j = rng.randrange(lo, hi + 1)
    return None if j in taken or shared_day(j, pool) == pub else j


def source_plan(seed: int, i: int, pub: dt.date, pool: int) -> SourcePlan:
    rng = _rng(seed, "source", i)
    n_inc, n_meet, n_agr = rng.randint(3, 5), rng.randint(2, 4), rng.randint(1, 3)
    sections: dict[str, list] = {"incident": [], "meeting": []}
    for kind, count in (("incident", n_inc), ("meeting", n_meet)):
        taken: set[int] = set()
        for k in range(count):
            j = None
            if k > 0 and rng.random() < SHARE:  # record 0 stays the source's own: errors are injected there
                j = _shared_near(rng, pub, kind, pool, taken)
            if j is not None:
                taken.add(j)
                sections[kind].append((f"shared-{kind}-{j}", None))
                continue
            if kind == "meeting" and rng.random() < 0.3:  # planned
                day = pub + dt.timedelta(days=rng.randrange(1, AHEAD + 1))
            else:  # often in the last week, else up to BACK days before
                day = pub - dt.timedelta(days=rng.randrange(0, 7) if rng.random() < 4 / 7 else rng.randrange(1, BACK + 1))
            sections[kind].append((None, (draw_incident if kind == "incident" else draw_meeting)(rng, day)))
    return SourcePlan(20 - n_inc - n_meet - n_agr, sections["incident"], sections["meeting"], n_agr)


def _near(by_key: dict, key, day: dt.date):
    for delta in (-1, 0, 1):
        yield from by_key.get((key, day + dt.timedelta(days=delta)), ())


def _set_incidents_apart(events: list[list]) -> None:
    """events: [facts] cells, changed in place. Survivors go up by one (and so the people
    aboard) until no incident on the same route a day or less apart has as many."""
    seen: dict[tuple, set[int]] = defaultdict(set)  # (route, day) -> numbers of survivors
    for cell in events:
        facts = cell[0]
        near = [seen[(facts.route, facts.day + dt.timedelta(days=delta))] for delta in (-1, 0, 1)]
        while any(facts.aboard - facts.dead in survivors for survivors in near):
            facts = replace(facts, aboard=facts.aboard + 1)
        cell[0] = facts
        seen[(facts.route, facts.day)].add(facts.aboard - facts.dead)


def _set_meetings_apart(events: list[list], seed: int) -> None:
    """Two meetings in one city a day or less apart share at most one participant: a later
    one's guests are drawn again until they do not."""
    seen: dict[tuple, list[frozenset]] = defaultdict(list)
    for n, cell in enumerate(events):
        facts, rng = cell[0], None
        while any(len(who & {p.id for p in facts.people}) >= 2 for who in _near(seen, facts.city.id, facts.day)):
            rng = rng or _rng(seed, "apart", n)
            host = facts.people[0]
            others = rng.sample([p for p in PEOPLE if p != host], len(facts.people) - 1)
            facts = replace(facts, people=(host, *others))
        cell[0] = facts
        seen[(facts.city.id, facts.day)].append(frozenset(p.id for p in facts.people))


@lru_cache(maxsize=2)
def plan(seed: int, n_sources: int) -> Plan:
    """The facts of every incident and meeting of the corpus, set apart (see the module's
    docstring)."""
    from benchmarks.corpus import identity  # a source's publication date (corpus imports this module)

    pool = max(1, n_sources // 4)  # shared events: each is reported by a few sources
    shared = {f"shared-{kind}-{j}": [shared_event(seed, kind, j, pool)] for kind in ("incident", "meeting")
              for j in range(pool)}
    plans = [source_plan(seed, i, pub, pool) for i, pub in ((i, identity(seed, i)[0]) for i in range(n_sources))]
    own = {(i, kind, k): [facts] for i, p in enumerate(plans)
           for kind, records in (("incident", p.incidents), ("meeting", p.meetings))
           for k, (rid, facts) in enumerate(records) if rid is None}
    cells = [*shared.items(), *own.items()]  # in a fixed order: shared events first, then by source
    _set_incidents_apart([c for key, c in cells if isinstance(c[0], Incident)])
    _set_meetings_apart([c for key, c in cells if isinstance(c[0], Meeting)], seed)
    for i, p in enumerate(plans):
        for kind, records in (("incident", p.incidents), ("meeting", p.meetings)):
            records[:] = [(rid, own[(i, kind, k)][0] if rid is None else None) for k, (rid, _) in enumerate(records)]
    return Plan(plans, {rid: cell[0] for rid, cell in shared.items()})
