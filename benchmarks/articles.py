"""Sentences and the records they support, for the synthetic corpus.

Each builder draws one record (a crossing, incident, meeting or agreement) and writes the
sentence(s) an article would state it in. The record is valid by construction: every
number is written in a quote (digits or words), every qualifier other than exact has its
cue in a quote, every date phrase is copied from a quote and resolves to a day on or
before publication (after it only for planned records), and every id comes from the
registries in vocab.py. Quotes are whole clauses; the article writer checks that each one
occurs exactly once in its text.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from benchmarks import events, vocab

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()
CUES = {"exact": ("",), "about": ("about ", "around ", "some ", "roughly ", "an estimated "),
        "more_than": ("more than ", "over "), "at_least": ("at least ",), "nearly": ("nearly ", "almost "),
        "less_than": ("fewer than ",), "up_to": ("up to ", "as many as ")}
QUALIFIERS = ("exact", "exact", "exact", "about", "more_than", "at_least", "nearly", "less_than", "up_to")
AGREEMENTS = vocab.agreements()


@dataclass
class Rec:
    section: str  # crossings, incidents, meetings, agreements
    fields: dict  # in the order they are written; values are str, int, float or None
    quotes: list[tuple[str, tuple[str, ...] | None]]  # (quote, fields it supports or None)
    sentences: list[str]  # what the article says; each quote is inside one of them
    children: dict[str, list[dict]] = field(default_factory=dict)
    links: list[tuple[str, str]] = field(default_factory=list)  # (name in text, href) for HTML


def number(rng: random.Random, n: int) -> str:
    """A count as an article writes it: small ones often in words, others with separators."""
    return WORDS[n] if n < len(WORDS) and rng.random() < 0.5 else f"{n:,}"


def log_int(rng: random.Random, low: int, high: int) -> int:
    return int(low * (high / low) ** rng.random())


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


# --- date phrases: (words in the sentence, value of the date field) ---------------------

def past_day(rng: random.Random, pub: dt.date) -> tuple[str, str]:
    """A single day on or before publication."""
    k = rng.randrange(7)
    if k == 0:
        return "yesterday", "yesterday"
    if k in (1, 2):
        phrase = f"on {rng.choice(WEEKDAYS)}"
        return phrase, phrase
    if k == 3:
        phrase = f"in the early hours of {rng.choice(WEEKDAYS)}"
        return phrase, phrase
    day = pub - dt.timedelta(days=rng.randrange(1, 300))
    if k == 4:
        phrase = f"on {WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
        return phrase, phrase[3:]
    if k == 5:
        phrase = f"on {day.day} {MONTHS[day.month - 1]}"
        return phrase, phrase
    return f"on {day.day} {MONTHS[day.month - 1]} {day.year}", day.isoformat()


def past_period(rng: random.Random, pub: dt.date) -> tuple[str, str]:
    """A period that ends on or before publication."""
    k = rng.randrange(10)
    if k < 3:
        return past_day(rng, pub)
    if k < 8:
        phrase = ("last week", "this week", "last month", "this month", "this year", "last year",
                  "over the weekend", "since the start of the year")[rng.randrange(8)]
        return phrase, phrase
    month = rng.choice([m for m in range(1, 13) if m != pub.month])  # "in <this month>" would end after pub
    phrase = f"{'since' if k == 8 else 'in'} {MONTHS[month - 1]}"
    return phrase, phrase


def day_phrase(rng: random.Random, pub: dt.date, day: dt.date) -> tuple[str, str]:
    """Words that give exactly `day` to a source published on `pub` (a planned meeting's day
    after it), and the date field's value: relative phrases when the day is near."""
    ahead = (day - pub).days
    date_words = f"{day.day} {MONTHS[day.month - 1]}"
    options = [(f"on {date_words} {day.year}", day.isoformat())]
    if ahead == -1:
        options.append(("yesterday", "yesterday"))
    if ahead == 1:
        options.append(("tomorrow", "tomorrow"))
    if -6 <= ahead <= 6:  # the nearest such weekday, back (planned: ahead)
        weekday = WEEKDAYS[day.weekday()]
        options.append((f"on {weekday}", f"on {weekday}"))
        if ahead <= 0:
            options.append((f"in the early hours of {weekday}", f"in the early hours of {weekday}"))
    if abs(ahead) < 300 and (day.month, day.day) != (2, 29):  # without a year: the nearest one
        options.append((f"on {date_words}", f"on {date_words}"))
        if ahead < 0:
            phrase = f"on {WEEKDAYS[day.weekday()]} {date_words}"
            options.append((phrase, phrase[3:]))
    return rng.choice(options)


# --- the four kinds of record ------------------------------------------------------------

def crossing(rng: random.Random, pub: dt.date, record_id: str) -> Rec:
    route = rng.choice(list(vocab.ROUTES))
    dest, water, _ = vocab.ROUTES[route]
    where, value = vocab.COUNTRY_NAMES[dest], None
    when, date_value = past_period(rng, pub)
    qualifier = rng.choice(QUALIFIERS)
    cue = rng.choice(CUES[qualifier])
    org_id, org, _, _ = rng.choice(vocab.ORGANISATIONS)
    measure = rng.choice(("people", "people", "people", "boats", "deaths", "people_pct_change"))
    fields = {"crossing_id": record_id, "route": route, "destination_country": dest}
    if measure == "people":
        value = log_int(rng, 12, 60_000)
        clause = rng.choice((f"{cue}{number(rng, value)} people crossed {water} in small boats {when}",
                             f"{cue}{number(rng, value)} migrants reached {where} by sea {when}",
                             f"{when}, {cue}{number(rng, value)} people arrived across {water}"))
    elif measure == "boats":
        value = log_int(rng, 2, 400)
        clause = rng.choice((f"{cue}{number(rng, value)} boats were intercepted in {water} {when}",
                             f"{cue}{number(rng, value)} small boats made the crossing to {where} {when}"))
    elif measure == "deaths":
        value = log_int(rng, 1, 900)
        clause = f"{cue}{number(rng, value)} people died trying to cross {water} {when}"
    else:
        qualifier, cue = rng.choice((("exact", ""), ("about", "about ")))
        value = rng.randrange(5, 90)
        baseline = str(pub.year - rng.randrange(1, 4))
        direction = rng.choice(("fell", "rose"))
        clause = f"arrivals to {where} by sea {direction} by {cue}{value} per cent {when} compared with {baseline}"
        value = -value if direction == "fell" else value
    fields.update(period_start=date_value, period_end=date_value, measure=measure, value=value, qualifier=qualifier)
    if measure == "people_pct_change":
        fields.update(baseline_start=baseline, baseline_end=baseline)
    clause = cap(clause)
    quotes: list[tuple[str, tuple[str, ...] | None]] = [(clause, None)]
    sentence = clause
    if rng.random() < 0.6:  # attributed figures: the attribution is a quote of its own
        bare = when if when.startswith("since") else f"for {when.removeprefix('on ').removeprefix('in ')}"
        attribution = f"{org} said of its figures {bare}"
        sentence = f"{clause}, {attribution}"
        fields["reported_by"] = org_id
        quotes.append((attribution, ("reported_by",)))
    return Rec("crossings", fields, quotes, [sentence + "."])


def incident(rng: random.Random, pub: dt.date, record_id: str, event: events.Incident) -> Rec:
    """A report of `event`: its facts are the event's, the words this source's."""
    route, place, km, aboard, dead, missing = event.route, event.place, event.km, event.aboard, event.dead, event.missing
    _, water, _ = vocab.ROUTES[route]
    when, date_value = day_phrase(rng, pub, event.day)
    vessel, vessel_type = event.vessel
    qualifier = event.qualifier
    cue = rng.choice(CUES[qualifier])
    survivors = aboard - dead
    first = cap(f"{when} a {vessel} carrying {cue}{number(rng, aboard)} people capsized {km}km off {place.name}")
    second = f"{number(rng, dead)} people died and {number(rng, survivors)} were rescued in {water}"
    fields = {"incident_id": record_id, "date": date_value, "route": route, "location": f"{km}km off {place.name}",
              "place_id": place.id, "country": place.country, "distance_offshore_km": km,
              "vessel_type": vessel_type, "people_aboard": aboard, "people_aboard_qualifier": qualifier,
              "dead": dead, "survivors": survivors}
    sentences = [f"{first}.", f"{cap(second)}, according to rescuers."]
    quotes = [(first, None), (cap(second), None)]
    if missing is not None:
        third = f"A further {number(rng, missing)} people from the {vessel} off {place.name} are still missing"
        fields["missing"] = missing
        sentences.append(f"{third}.")
        quotes.append((third, ("missing",)))
    return Rec("incidents", fields, quotes, sentences)


def meeting(rng: random.Random, pub: dt.date, record_id: str, event: events.Meeting) -> Rec:
    """A report of `event`: planned if it is after publication, held if before."""
    host, guest, *others = event.people
    city, position, topic = event.city, event.position, event.topic
    planned = event.day > pub
    when, date_value = day_phrase(rng, pub, event.day)
    if planned:
        clause = f"{host.name} will host {guest.name} in {city.name} {when} for talks on {topic}"
    else:
        clause = f"{position} {host.name} met {guest.name} in {city.name} {when} to discuss {topic}"
    participants = [{"person_id": host.id, "role": "host", "position": position},
                    {"person_id": guest.id, "role": "participant"}]
    sentences, quotes = [cap(clause) + "."], [(cap(clause), None)]
    for other in others:
        extra = f"{other.name} is also expected in {city.name}"
        participants.append({"person_id": other.id, "role": "expected"})
        sentences.append(f"{extra}, officials said.")
        quotes.append((extra, ("participants",)))
    fields = {"meeting_id": record_id, "date": date_value, "place_id": city.id,
              "status": "planned" if planned else "held",
              "meeting_type": "bilateral" if len(participants) == 2 else "multilateral", "purpose": topic}
    links = [(p.name, f"https://example.org/people/{p.id}") for p in (host, guest)]
    return Rec("meetings", fields, quotes, sentences, {"participants": participants}, links)


def agreement(rng: random.Random, pub: dt.date, chosen: vocab.Agreement) -> Rec:
    a, b = chosen.parties
    status = rng.choice(("signed", "in_force", "in_force", "proposed"))
    fields = {"agreement_id": chosen.id, "agreement_type": chosen.kind, "status": status}
    dated = []
    if status == "proposed":
        first = f"The {chosen.name} between {vocab.COUNTRY_NAMES[a]} and {vocab.COUNTRY_NAMES[b]} is still under discussion"
    else:
        year = pub.year - rng.randrange(0, 5)
        when, value = rng.choice(((f"in {MONTHS[rng.randrange(12)]} {year - 1}",) * 2, ("last year", "last year"),
                                  (f"in {year - 1}", str(year - 1))))
        if value.startswith("in "):
            value = value[3:]
        first = f"The {chosen.name}, which {vocab.COUNTRY_NAMES[a]} and {vocab.COUNTRY_NAMES[b]} signed {when}"
        dated.append({"event_type": "signed", "date": value})
    quotes = [(first, None)]
    sentences = [first + (", was discussed again." if status != "proposed" else ".")]
    if status != "proposed" and rng.random() < 0.7:
        capacity = log_int(rng, 100, 40_000)
        qualifier, cue = rng.choice((("exact", ""), ("up_to", "up to "), ("about", "about ")))
        org_id, org, _, _ = rng.choice(vocab.ORGANISATIONS)
        second = f"Under the {chosen.name}, centres can hold {cue}{capacity:,} people, monitored by {org}"
        fields.update(capacity=capacity, capacity_qualifier=qualifier, oversight_organisation_id=org_id)
        sentences.append(second + ".")
        quotes.append((second, None))
    parties = [{"country": a}, {"country": b, "role": "host"}]
    return Rec("agreements", fields, quotes, sentences, {"parties": parties, "events": dated})


FILLERS = (
    "The government has promised to stop the boats, but critics say the policy has failed.",
    "Charities said the crossings would continue as long as there were no safe routes.",
    "The opposition called the plan “unworkable and expensive”.",
    "Officials did not give a breakdown by nationality.",
    "Smuggling networks have adapted quickly to each new measure, police say.",
    "The weather had been calm for several days, which usually means more departures.",
    "Human rights groups have questioned whether the arrangement complies with international law.",
    "A spokesperson declined to comment on individual cases.",
    "Ministers are expected to publish new figures in the coming weeks.",
    "The European Union has been trying to agree a common approach for years.",
    "Local mayors have asked for more support to house new arrivals.",
    "Critics argue that deterrence alone will not reduce the number of deaths at sea.",
    "The coastguard said its teams had worked through the night.",
    "The route remains one of the deadliest in the world, according to aid agencies.",
    "Talks are due to continue at a summit later in the year.",
)
