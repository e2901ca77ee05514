"""Drafts of events for `borderlines suggest`: meetings, incidents and agreements, each with
the existing records it probably is.

- a meeting: a sentence that says people met, meet or will meet ("met", "talks", "will
  travel to ... to meet"): its date phrase, its place, the people it names, and the people
  it names by office ("The Prime Minister"), resolved through sources/registry/offices.yaml
  for the day of the meeting and the publisher's country (the country of the organisation
  the publisher's name matches, else of the web address: .gov.uk is GB). Its status comes
  from the tense and the publication date: a past tense ("met", "held") in a text published
  on or after the day is `held`; a future ("will", "is to", "is due to") is `planned`;
- an incident: a sentence about a capsize or a sinking, with the counts (dead, missing,
  injured, survivors, people aboard) of that sentence and the next two;
- an agreement: a sentence that names an agreement ("deal", "agreement", "protocol", ...)
  and countries: the countries as parties, a type guessed from its words, and an event
  (signed, renewed, ...) when the sentence says so.

The existing records a draft probably is come from `probable_records`: the identity
guard's look-alike rules when they are there (pipelines/ingest/identity.py, `look_alikes`),
else the same table on the same day (within a day for an incident) at the same place, or an
agreement with the same parties and type.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from pipelines.contribute.finders import DateFinding, NameFinding
from pipelines.contribute.lines import (DISTANCES, date_lines, draft_line, id_line, incident_field, names_in, nearest,
                                        number_text, quote_lines)
from pipelines.contribute.new_source import yaml_scalar
from pipelines.ingest.numbers import find_cue
from pipelines.ingest.offices import Offices, office_mentions

_MEETING = re.compile(r"(?i)\b(?:met|meet|meets|meeting|talks|hosted|hosts|will host|visited|visits|summit)\b")
_FUTURE = re.compile(r"(?i)\b(?:will|is to|are to|is due to|are due to|is expected to|are expected to|"
                     r"plans? to|is travelling|is traveling|is set to|are set to)\b")
_PAST = re.compile(r"(?i)\b(?:met|held|hosted|visited|discussed|agreed|welcomed|signed|spoke|took part)\b")
_INCIDENT = re.compile(r"(?i)capsiz|\bsank\b|\bsunk\b|shipwreck|ran into difficulty|drowned")
_AGREEMENT = re.compile(r"(?i)\b(?:agreement|deal|protocol|partnership|memorandum|pact|accord|arrangement)\b")
_AGREEMENT_TYPES = [  # (agreement_type, words), first match wins
    ("offshore_processing", r"offshore|process(?:ed|ing)? (?:asylum )?(?:claims|applications)"),
    ("transfer", r"\btransfer|relocat|sent to Rwanda"),
    ("returns", r"\breturns?\b|readmission|deport"),
    ("departure_prevention", r"coastguard|prevent departures|stop (?:the )?departures|stop (?:the )?boats leaving"),
    ("enforcement_cooperation", r"smuggl|police|intelligence|law enforcement|gangs"),
]
_AGREEMENT_EVENTS = [("signed", r"\bsign(?:ed|s|ing)?\b"), ("renewed", r"\brenew(?:ed|s)?\b|\bextend(?:ed|s)?\b"),
                     ("suspended", r"\bsuspend(?:ed|s)?\b"), ("ended", r"\bscrapp?(?:ed)?\b|\bended\b|\babandon"),
                     ("operations_started", r"\bbegan operating|\bstarted operating|\bopened\b")]


@dataclass
class Draft:
    section: str  # meetings, incidents, agreements
    sentence: tuple[int, int]
    values: dict[str, Any]  # what look-alikes compare: date, place_id, country, person ids, parties, type
    lines: list[str] = field(default_factory=list)
    quotes: list[tuple[int, int]] = field(default_factory=list)  # sentences quoted
    figures: list[int] = field(default_factory=list)  # figures folded into this draft (incidents)
    participant_lines: list[str] = field(default_factory=list)


def publisher_country(metadata: dict, registries: dict) -> str | None:
    """The country of the organisation the publisher's name matches, else of its web address."""
    from pipelines.contribute.finders import find_names

    publisher = metadata.get("publisher") or ""
    countries = {o["organisation_id"]: o.get("country") for o in registries.get("organisations", [])}
    for found in find_names(publisher, {"organisations": registries.get("organisations", [])}):
        if found.field == "organisation_id" and countries.get(found.value):
            return countries[found.value]
    host = re.sub(r"^[a-z]+://", "", metadata.get("url") or "").split("/")[0].lower()
    suffix = host.rsplit(".", 1)[-1] if "." in host else ""
    if suffix == "uk":
        return "GB"
    return suffix.upper() if len(suffix) == 2 and suffix.isalpha() else None


def _resolution(d: DateFinding, planned: bool) -> str:
    r = (d.if_planned or d.resolved) if planned else (d.resolved or d.if_planned)
    return f"{r.start.isoformat()}{' (as planned)' if planned else ''}: {r.rule.split(': ', 1)[1]}"


def _day(d: DateFinding | None, planned: bool, published: dt.date) -> dt.date | None:
    if d is None:
        return None
    r = (d.if_planned or d.resolved) if planned else (d.resolved or d.if_planned)
    return r.start if r else None


def people_by_office(text: str, sentence: tuple[int, int], names: list[NameFinding], offices: Offices | None,
                     country: str | None, day: dt.date) -> list[tuple[str, str]]:
    """(person_id, why) of the people the sentence names by office: the holder on that day of
    the office of the country the words give, else of the publisher's country."""
    if offices is None:
        return []
    out = []
    starts = {a for n in names if n.field == "person_id" for a, _ in n.matches}
    part = text[sentence[0]:sentence[1]]
    for m in office_mentions(part):
        after = sentence[0] + m.end
        if any(after < s <= after + 2 for s in starts):
            continue  # "Prime Minister Giorgia Meloni": the title of someone named
        whose = m.country or country
        holders = offices.holders(m.office, whose, day) if whose else []
        if len(holders) == 1:
            out.append((holders[0], f'check: "{m.words}" = {whose} {m.office.replace("_", " ")} on {day}'
                                    " (sources/registry/offices.yaml)"))
    return out


# --- the drafts ------------------------------------------------------------------------------

def event_drafts(s, spans, registries: dict, metadata: dict) -> list[Draft]:
    """Drafts of the meetings, incidents and agreements the text reports, in that order."""
    offices = Offices(registries.get("person_offices", []), registries.get("people", []))
    country = publisher_country(metadata, registries)
    return [*_meetings(s, spans, offices, country), *_incidents(s, spans), *_agreements(s, spans)]


def _surname(person_id: str) -> str:
    return person_id.rsplit("-", 1)[-1]


def _meetings(s, spans, offices, country) -> list[Draft]:
    out: list[Draft] = []
    pending = []  # (people, sentence) of sentences with neither date nor place, before any draft
    for sentence in spans:
        part = s.text[sentence[0]:sentence[1]]
        verb = _MEETING.search(part)
        if not verb:
            continue
        future, past = _FUTURE.search(part), _PAST.search(part)
        found = nearest(s.dates, sentence[0] + verb.start(), sentence)
        day = _day(found, bool(future), s.published)
        people = [(n.value, f'check: "{s.text[a:b]}" is in the quote') for n in names_in(s, "person_id", sentence)
                  for a, b in n.matches[:1]]
        people += people_by_office(s.text, sentence, s.names, offices, country, day or s.published)
        places = names_in(s, "place_id", sentence)
        if not people:
            continue  # "talks" with nobody named is not a meeting we can draft
        place = places[0].value if len(places) == 1 else None
        previous = out[-1].values if out else None
        if previous and day in (None, previous["date"]) and (place is None or previous["place_id"] in (place, None)):
            _add_to_meeting(out[-1], people, sentence, place)  # the same meeting, told again
            continue
        if day is None and place is None and not out:
            pending.append((people, sentence))  # a headline: it joins the first meeting drafted
            continue
        draft = Draft("meetings", sentence, {"date": day, "place_id": place, "participants": []})
        if future:
            status, why = "planned", f'check: future "{future.group()}"'
        elif past and (day is None or day <= s.published):
            why = f'check: past "{past.group()}" in a text published {s.published} (on or after the day)'
            status = "held"
        else:
            status, why = "<planned or held>", "the tense does not say"
        draft.values["status"] = status
        draft.lines = [draft_line(4, "date", yaml_scalar(found.phrase), "check: " + _resolution(found, bool(future)))
                       if found else draft_line(4, "date", "<date>", "YYYY-MM-DD, or a date phrase from the quote"),
                       id_line(s, "place_id", "place_id", sentence, 4, "<place_id or null>"),
                       draft_line(4, "status", status, why)]
        for earlier, where in pending:
            _add_to_meeting(draft, earlier, where, None)
        pending = []
        _add_to_meeting(draft, people, sentence, place)
        out.append(draft)
    for draft in out:
        draft.quotes.sort()
        people = draft.values["participants"]
        kind = "bilateral" if len(people) == 2 else "multilateral" if len(people) > 2 else "<meeting_type>"
        day, place = draft.values["date"], draft.values["place_id"]
        ident = "-".join([str(day or "<date>"), place or "<place>", *map(_surname, people)])
        draft.lines = [draft_line(2, "- meeting_id", ident,
                                  "the date, place and people; or the id of the record below"),
                       *draft.lines, draft_line(4, "meeting_type", kind, f"check: {len(people)} participant(s)"),
                       draft_line(4, "participants", ""), *draft.participant_lines, draft_line(4, "evidence", ""),
                       *[q for span in draft.quotes for q in quote_lines(s.text, *span, 6)]]
    return out


def _add_to_meeting(draft: Draft, people, sentence, place) -> None:
    for person, why in people:
        if person not in draft.values["participants"]:
            draft.values["participants"].append(person)
            draft.participant_lines += [draft_line(6, "- person_id", person, why),
                                        # a role only the text can give: left out, it neither wins nor disputes
                                        draft_line(8, "", "# role: host, participant, expected or accompanying, "
                                                          "only if the text says it")]
    if sentence not in draft.quotes:
        draft.quotes.append(sentence)
    if draft.values["place_id"] is None:
        draft.values["place_id"] = place


def _incidents(s, spans) -> list[Draft]:
    out = []
    for i, sentence in enumerate(spans):
        if not _INCIDENT.search(s.text[sentence[0]:sentence[1]]) or any(sentence in d.quotes for d in out):
            continue
        nearby = spans[i:i + 3]
        found = nearest(s.dates, sentence[0], sentence)
        day = _day(found, False, s.published)
        places = names_in(s, "place_id", sentence)
        draft = Draft("incidents", sentence, {"date": day, "place_id": places[0].value if len(places) == 1 else None},
                      quotes=[sentence])
        counts = []
        for n, fig in enumerate(s.figures, 1):
            where = next((span for span in nearby if span[0] <= fig.mention.start < span[1]), None)
            name = None if where is None else "distance_offshore_km" if fig.mention.unit in DISTANCES \
                else incident_field(s, fig)
            if name is None or name in draft.values:
                continue
            draft.values[name] = fig.mention.value
            draft.figures.append(n)
            counts.append(draft_line(4, name, number_text(fig.mention.value), f'"{fig.mention.text}"'))
            if fig.mention.qualifier != "exact" and name == "people_aboard":
                cue = find_cue(fig.mention.qualifier, fig.mention.text)
                counts.append(draft_line(4, "people_aboard_qualifier", fig.mention.qualifier, f'cue "{cue}"'))
            if where not in draft.quotes:
                draft.quotes.append(where)
        place = draft.values["place_id"] or "place"
        draft.lines = [draft_line(2, "- incident_id", f"{day or '<date>'}-{place}-<what>",
                                "the date, place and kind, e.g. 2023-12-15-calais-capsize; or the id below"),
                       *date_lines(s, ("date",), sentence[0], sentence, 4),
                       id_line(s, "place_id", "place_id", sentence, 4, "<place_id or null>"),
                       *counts, draft_line(4, "evidence", ""),
                       *[q for span in sorted(draft.quotes) for q in quote_lines(s.text, *span, 6)]]
        out.append(draft)
    return out


def _agreements(s, spans) -> list[Draft]:
    out = []
    for sentence in spans:
        part = s.text[sentence[0]:sentence[1]]
        named = _AGREEMENT.search(part)
        countries = names_in(s, "country", sentence)
        if not named or not countries:
            continue
        kind = next(((t, m.group()) for t, words in _AGREEMENT_TYPES for m in [re.search(f"(?i){words}", part)] if m),
                    None)
        parties = sorted({c.value for c in countries})
        same = next((d for d in out if d.values["parties"] == parties), None)
        if same is not None and not re.search("|".join(w for _, w in _AGREEMENT_EVENTS), part, re.IGNORECASE):
            same.quotes.append(sentence)  # the same agreement again, with nothing new to draft but its words
            continue
        draft = Draft("agreements", sentence, {"parties": parties, "agreement_type": kind[0] if kind else None},
                      quotes=[sentence])
        lines = [draft_line(2, "- agreement_id", "<id from sources/registry/agreements.yaml>",
                          "or the id of the record below"),
                 draft_line(4, "agreement_type", kind[0], f'check: "{kind[1]}"') if kind else
                 draft_line(4, "agreement_type", "<agreement_type>", "the words do not say"),
                 draft_line(4, "parties", "")]
        for c in countries:
            a, b = next((a, b) for a, b in c.matches if sentence[0] <= a < sentence[1])
            lines.append(draft_line(6, "- country", c.value, f'check: "{s.text[a:b]}" is in the quote'))
        events = [(t, m) for t, words in _AGREEMENT_EVENTS for m in [re.search(f"(?i){words}", part)] if m]
        if events:
            lines.append(draft_line(4, "events", ""))
        for event_type, m in events:
            lines.append(draft_line(6, "- event_type", event_type, f'check: "{m.group()}"'))
            lines += date_lines(s, ("date",), sentence[0] + m.start(), sentence, 8)
            if _FUTURE.search(part):
                lines.append(draft_line(8, "is_planned", "true", f'check: future "{_FUTURE.search(part).group()}"'))
        draft.lines = lines
        out.append(draft)
    for draft in out:
        draft.lines += [draft_line(4, "evidence", ""),
                        *[q for span in draft.quotes for q in quote_lines(s.text, *span, 6)]]
    return out


# --- the records a draft probably is ---------------------------------------------------------

def probable_records(draft: Draft, existing: list, registries: dict) -> list[tuple[str, str, str]]:
    """(id, file:line, why) of the existing records the draft probably is: the identity
    guard's own rules (pipelines/ingest/identity.py), so that suggest proposes exactly the
    ids validate would otherwise report as look-alikes; for an agreement also a registry
    agreement whose name names every party. existing: the identities of the other sources'
    records (identity.identities_of_records), computed once for all the drafts."""
    from pipelines.ingest.identity import look_alikes

    v = draft.values
    record = {"date": v.get("date"), "place_id": v.get("place_id"), "agreement_type": v.get("agreement_type"),
              "participants": [{"person_id": person} for person in v.get("participants") or []],
              "parties": [{"country": country} for country in v.get("parties") or []]}
    matches = look_alikes(draft.section, record, existing)
    out = [(m.record_id, m.location(), ", ".join(m.reasons)) for m in matches]
    if draft.section == "agreements":
        from pipelines.ingest.offices import country_words

        for entry in registries.get("agreements", []):
            words = {code for word, code in country_words().items()
                     if re.search(rf"\b{re.escape(word)}\b", entry["name"])}
            if v["parties"] and set(v["parties"]) <= words and all(entry["agreement_id"] != f[0] for f in out):
                out.append((entry["agreement_id"], f"sources/registry/agreements.yaml:{entry.get('_line', 0)}",
                            "its name names every party"))
    return out


def probable_lines(draft: Draft, existing: list, registries: dict) -> list[str]:
    found = probable_records(draft, existing, registries)
    if not found:
        return ["no existing record looks like it: give it a new id"]
    return ["probably an existing record: reuse its id, or add `distinct_from: [id]` if it is another one:",
            *[f"  {ident}  ({where}: {why})" for ident, where, why in found]]
