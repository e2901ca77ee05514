"""Check one annotated record (a crossing, incident, meeting or agreement) and anchor it.

The fields a record may have come from schemas/ (`annotation:` keys). On top of the
per-field checks, a record must be backed by its quotes: each quote is anchored in the
canonical text, every number in a numeric field appears in a supporting quote as a number
of its own (not only inside a date), every qualifier other than `exact` has its cue just
before that number, and every date phrase is taken from one and resolved against the
publication date. ingest/meaning.py adds the checks of what the record means: signs,
places, countries and routes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from pipelines.ingest.anchoring import Anchor, anchor_quote
from pipelines.ingest.dates import FIRST_YEAR, LAST_YEAR, DateError, is_iso_date, resolve_date
from pipelines.ingest.fields import check_mapping, did_you_mean
from pipelines.ingest.meaning import check_numbers_and_cues, check_place, check_route, check_sign, quote_too_short
from pipelines.ingest.offices import Offices, check_participants
from pipelines.ingest.problems import ProblemList
from pipelines.ingest.yamlfile import YamlDoc
from pipelines.ingest.safety import FORMULA_HINT_QUOTE, formula_risk
from pipelines.schemas import FieldSpec, TableSpec, child_tables

ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# A change or a ratio means nothing without the period it is compared with.
NEEDS_BASELINE = {"people_pct_change", "boats_pct_change", "people_ratio"}


@dataclass
class Quote:
    quote: str
    start: int
    end: int
    fields: tuple[str, ...] | None  # None: supports the whole record

    def __reduce__(self):
        return _by_position(self)


@dataclass
class Record:
    table: str
    record_id: str
    source_id: str
    values: dict[str, Any]
    children: dict[str, list[dict[str, Any]]]
    evidence: list[Quote]
    resolutions: list[tuple[str, str, str]] = field(default_factory=list)  # (field, phrase, rule)
    path: str = ""
    line: int = 0
    # Ids of records this one is not, though it looks like them: (id, line) for each, read
    # by the identity guard (ingest/identity.py). Declared in the table's `annotation:`.
    distinct_from: tuple[tuple[str, int], ...] = ()

    def __reduce__(self):
        return _by_position(self)


def _by_position(obj):
    """Pickle a record or quote as its class and field values: a third faster to load than
    the default (a dict of attributes per object). Records cross process boundaries when a
    large corpus is checked on several cores, and between Dagster assets."""
    return type(obj), tuple(getattr(obj, f.name) for f in dataclasses.fields(obj))


@dataclass
class SourceContext:
    """What checking a record needs to know about its source and the registries."""

    source_id: str
    published: dt.date
    text: str
    registry_ids: dict[str, set[str]]  # table name -> ids
    places: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # place_id -> (name, country)
    venues: dict[str, str | None] = field(default_factory=dict)  # venue place_id -> its city (parent_place_id)
    offices: Offices | None = None  # terms of office, for participants named by their office


@dataclass(frozen=True)
class _Layout:
    """What checking a record needs of its table's declaration, worked out once per table:
    a corpus of 2,000 sources has 40,000 records, and each was working it out again."""

    fields: list[FieldSpec]  # the annotated fields, in declared order
    by_name: dict[str, FieldSpec]
    required: set[str]
    children: dict[str, TableSpec]  # nested lists (participants, parties, events)
    extra_keys: tuple[str, ...]  # keys of a record that are not fields
    distinct: bool  # the table has `distinct_from`
    evidence_fields: set[str]  # what an evidence item's `fields` may name
    dates: list[tuple[FieldSpec, bool]]  # the date fields, each with: the table has its _precision field
    figures: list[FieldSpec]  # numbers and qualifiers, the fields check_numbers_and_cues reads
    natural_key: list[str]  # the primary key's annotated fields (child tables)

    @classmethod
    def of(cls, table: TableSpec) -> "_Layout":
        fields = table.annotated_fields()
        names = {f.name for f in fields}
        children = child_tables(table)
        distinct = "distinct_from" in table.annotation
        return cls(
            fields=fields,
            by_name={f.name: f for f in fields},
            required={f.name for f in fields if f.annotation == "required"},
            children=children,
            extra_keys=("evidence", *children, *(("distinct_from",) if distinct else ())),
            distinct=distinct,
            evidence_fields={f.name for f in table.fields} | set(children),
            dates=[(f, f"{f.name}_precision" in names) for f in fields if f.type == "date"],
            figures=[f for f in fields if f.type in ("integer", "number") or f.name == "qualifier"
                     or f.name.endswith("_qualifier")],
            natural_key=[k for k in table.primary_key if k in names],
        )


# Each table's _Layout, by the table object (kept in the entry, so that its id is not reused).
_LAYOUTS: dict[int, tuple[TableSpec, _Layout]] = {}


def _layout(table: TableSpec) -> _Layout:
    entry = _LAYOUTS.get(id(table))
    if entry is None:
        entry = _LAYOUTS[id(table)] = (table, _Layout.of(table))
    return entry[1]


def check_record(doc: YamlDoc, section: str, index: int, item: Any, table: TableSpec,
                 ctx: SourceContext, problems: ProblemList, anchor: bool = True) -> Record | None:
    """The record as checked, or None if it is not a mapping. anchor=False leaves its quotes
    out (evidence empty): for a source read only for its ids and identities (validate
    --changed-since reads the other sources so), which depend on the values alone; the
    problems found then are not the source's and are dropped."""
    keys = (section, index)
    what = f"{section}[{index + 1}]"
    layout = _layout(table)
    children = layout.children
    values = check_mapping(doc, keys, item, layout.fields, layout.required, problems, what,
                           extra_keys=layout.extra_keys, by_name=layout.by_name)
    if values is None:
        return None
    id_field = table.annotation["id_field"]
    record_id = values.get(id_field, f"<{what}>")
    line, _ = doc.position(*keys)
    record = Record(table.name, record_id, ctx.source_id, values, {}, [], path=doc.path, line=line)
    if layout.distinct and item.get("distinct_from") is not None:
        record.distinct_from = _distinct_from(doc, keys, item["distinct_from"], record_id, what, problems)

    failed: list[tuple[str, ...] | None] = []  # the `fields` of each quote that did not anchor
    if anchor:
        record.evidence = _anchor_evidence(doc, keys, item.get("evidence"), layout.evidence_fields, ctx, problems,
                                           what, failed)
    _check_references(doc, keys, values, table, ctx, problems)
    for key, child_table in children.items():
        record.children[key] = _check_children(doc, keys + (key,), item.get(key), child_table, ctx, problems, what, key)

    quotes = [q for q in record.evidence]
    planned = values.get("status") == "planned"
    # A quote that did not anchor is reported once, as such: the checks that would have read
    # it (a date phrase in any quote; a number or cue in the quotes supporting its field) are
    # not run, or they would report a second, misleading problem for the same mistake.
    # The quotes in lower case, for the date phrases: folded once, not once per date field.
    folded = [q.quote.casefold() for q in quotes] if not failed else None
    _resolve_dates(doc, keys, values, layout.dates, folded, ctx, problems, record, planned)
    for key, child_table in children.items():
        for j, child in enumerate(record.children[key]):
            _resolve_dates(doc, keys + (key, j), child, _layout(child_table).dates, folded, ctx, problems,
                           record, bool(child.get("is_planned")), label=f"{key}[{j + 1}].")
    check_numbers_and_cues(doc, keys, values, layout.figures, quotes, problems, failed)
    # A meeting with a place (or venue) may not also state a country (refused below): its
    # country is then not compared with the place's, so that one mistake gives one problem.
    placed = "place_id" if values.get("place_id") else "venue_id" if values.get("venue_id") else None
    country_refused = table.name == "meetings" and placed is not None and bool(values.get("country"))
    if quotes:  # without quotes, no-evidence was reported
        check_sign(doc, keys, values, table, quotes, problems, failed)
        # A venue in another city than place_id is reported once, as venue-mismatch (below).
        venue = values.get("venue_id")
        venue_fits = not venue or venue not in ctx.venues or ctx.venues[venue] == values.get("place_id")
        venue_name = ctx.places.get(venue, ("",))[0] if venue and venue_fits else None
        if venue_fits:
            check_place(doc, keys, {k: v for k, v in values.items() if not (country_refused and k == "country")},
                        quotes, ctx.places, problems, failed, venue_name)
    check_route(doc, keys, values, table, ctx.places, problems)
    _check_spans(doc, keys, values, problems)
    if table.name == "crossings":
        _check_period(doc, keys, line, what, item, values, problems)
    if table.name == "meetings" and ctx.offices is not None:
        check_participants(doc, keys, values, item.get("participants"), quotes, failed, ctx.offices, ctx.published,
                           problems)
    if country_refused:
        # One place, one country: the registry's. `country` is for a meeting with no place.
        problems.add(doc.path, *doc.position(*keys, "country"), "bad-value", f"{what} has both {placed} and country",
                     "remove `country:`: the country of a place comes from sources/registry/places.yaml "
                     "(write country only for a meeting whose place the source does not name)", values["country"])
    if table.name == "meetings" and values.get("venue_id") in ctx.registry_ids.get("places", ()):
        _check_venue(doc, keys, what, values, ctx, problems)
    if table.name == "agreements":
        _check_event_parties(doc, keys, what, item.get("events"), record.children, problems)
    if table.name == "crossings" and values.get("measure") in NEEDS_BASELINE:
        # The key must be there; an explicit null says the source does not give the baseline.
        for name in ("baseline_start", "baseline_end"):
            if name not in item:
                problems.add(doc.path, line, 1, "missing-field", f"{what} is a {values['measure']} but has no {name}",
                             f"a change or ratio is against a period: add `{name}:` (null if the source does not say)")
    return record


def _check_venue(doc, keys, what, values, ctx, problems) -> None:
    """A venue is a place of type venue, inside the meeting's city. A source that names only
    the venue ("at Palazzo Chigi") gives the city too: place_id is taken from the venue's
    parent_place_id, so that every source of a meeting has its city to compare."""
    venue = values["venue_id"]
    if venue not in ctx.venues:
        problems.add(doc.path, *doc.position(*keys, "venue_id"), "bad-value",
                     f"venue_id {venue!r} is not a venue in sources/registry/places.yaml",
                     "a city, port or island is the meeting's place_id; a venue_id names a place of place_type "
                     "venue (a building or site) whose parent_place_id is its city", venue)
        return
    city = ctx.venues[venue]
    if city is None:
        return  # a venue without its city: the registry check reports it
    if values.get("place_id") is None:
        values["place_id"] = city
    elif values["place_id"] != city:
        problems.add(doc.path, *doc.position(*keys, "place_id"), "venue-mismatch",
                     f"{what} is at venue_id {venue!r}, which is in {city!r} (sources/registry/places.yaml), "
                     f"but its place_id is {values['place_id']!r}",
                     "correct the place_id or the venue_id, or leave place_id out: a venue's city comes from the "
                     "registry", values["place_id"])


def _check_event_parties(doc, keys, what, events, children, problems) -> None:
    """An event of one state (it joined, it committed funds) names one of the record's
    parties: the state taking part is a party of the process or programme too. `events` is
    the list as typed (for positions); only countries that passed their own checks are read."""
    parties = {party.get("country") for party in children.get("parties", [])}
    checked = {event.get("country") for event in children.get("events", [])} - {None}
    for j, event in enumerate(events if isinstance(events, list) else []):
        country = event.get("country") if isinstance(event, dict) else None
        if country in checked and country not in parties:
            problems.add(doc.path, *doc.position(*keys, "events", j, "country"), "not-a-party",
                         f"{what}.events[{j + 1}] concerns {country}, which is not among this record's parties",
                         f"add {{country: {country}}} to parties (role participant, funder, ...), or correct the "
                         "event's country", country)


def _distinct_from(doc, keys, given, record_id, what, problems) -> tuple[tuple[str, int], ...]:
    """The ids a record says it is not, each with its line; whether they exist is checked
    corpus-wide by the identity guard."""
    if isinstance(given, str):
        given = [given]
    if not isinstance(given, list):
        problems.add(doc.path, *doc.position(*keys, "distinct_from"), "wrong-type",
                     f"{what}.distinct_from must be a list of ids", "write it as [id-one, id-two]")
        return ()
    out = []
    for k, other in enumerate(given):
        line, col = doc.position(*keys, "distinct_from", k)
        if not isinstance(other, str) or not ID_PATTERN.fullmatch(other):
            problems.add(doc.path, line, col, "bad-value", f"{what}.distinct_from has {other!r}, which is not an id",
                         "write the id of the other record, e.g. 2023-12-16-rome-sunak-meloni-rama", str(other))
        elif other == record_id:
            problems.add(doc.path, line, col, "bad-value", f"{what}.distinct_from names the record itself",
                         "name the other record, the one this record is not", other)
        else:
            out.append((other, line))
    return tuple(out)


def _check_period(doc, keys, line, what, item, values, problems) -> None:
    """A figure's period is what the source states. A source may attribute a figure to a
    body (Frontex, ...) without stating its period: then, and only then, the period is null,
    both ends together. The keys must be written, so that a forgotten period is caught."""
    missing = [name for name in ("period_start", "period_end") if name not in item]
    for name in missing:
        problems.add(doc.path, line, 1, "missing-field", f"{what} has no {name}",
                     f"add `{name}:` with the period the source states (null only if it does not state it, "
                     "for a figure it attributes to a body in reported_by)")
    if missing:
        return
    nulls = [name for name in ("period_start", "period_end") if item[name] is None]
    if len(nulls) == 1:
        given = "period_end" if nulls[0] == "period_start" else "period_start"
        problems.add(doc.path, *doc.position(*keys, nulls[0]), "missing-field",
                     f"{what} has {given} but {nulls[0]} is null",
                     "a stated period has both ends: write both, or both null if the source does not state it")
    elif nulls and values.get("reported_by") is None:
        problems.add(doc.path, *doc.position(*keys, "period_start"), "missing-field",
                     f"{what} has no period (period_start and period_end are null) and no reported_by",
                     "write the period the source states (a date, or a phrase from a quote); a period may be "
                     "null only for a figure the source attributes to a body: say which in reported_by")


def _anchor_evidence(doc, keys, evidence, known_fields, ctx, problems, what, failed) -> list[Quote]:
    """The quotes that anchor; `failed` gets the `fields` (None: all) of each one that does not.
    known_fields: what an evidence item's `fields` may name."""
    if not evidence:
        problems.add(doc.path, *doc.position(*keys), "no-evidence", f"{what} has no evidence",
                     "add `evidence:` with at least one quote copied from the article")
        return []
    if not isinstance(evidence, list):
        problems.add(doc.path, *doc.position(*keys, "evidence"), "wrong-type", "evidence must be a list of quotes",
                     "start each quote with '- '")
        return []
    quotes = []
    for k, entry in enumerate(evidence):
        # The quote's position is looked up only for a problem: most quotes have none, and the
        # lookup for every quote was a twentieth of `validate` on a large corpus.
        where = functools.partial(doc.position, *keys, "evidence", k)
        occurrence, supports = None, None
        if isinstance(entry, dict):
            unknown = set(entry) - {"quote", "occurrence", "fields"}
            for key in sorted(unknown, key=str):
                problems.add(doc.path, *doc.key_position(*keys, "evidence", k, key), "unknown-key",
                             f"an evidence item has no field {key!r}",
                             did_you_mean(key, ["quote", "occurrence", "fields"]) or "allowed: quote, occurrence, fields")
            quote, occurrence, supports = entry.get("quote"), entry.get("occurrence"), entry.get("fields")
            if occurrence is not None and (not isinstance(occurrence, int) or isinstance(occurrence, bool)):
                problems.add(doc.path, *where(), "bad-value", "occurrence must be a whole number (1 = first)")
                occurrence = None
            if supports is not None:
                if isinstance(supports, str):
                    supports = [supports]
                bad = [f for f in supports if f not in known_fields] if isinstance(supports, list) else [supports]
                for name in bad:
                    problems.add(doc.path, *where(), "bad-value", f"evidence names unknown field {name!r}",
                                 did_you_mean(name, known_fields))
                supports = tuple(f for f in supports if f in known_fields) if isinstance(supports, list) else None
        else:
            quote = entry
        if not isinstance(quote, str):
            problems.add(doc.path, *where(), "wrong-type", "a quote must be text", "put the quote in quotes")
            failed.append(supports)
            continue
        risk = formula_risk(quote)
        if risk:  # published in the CSV of `evidence`; the quote still anchors, so nothing cascades
            problems.add(doc.path, *where(), "bad-value", f"the quote {risk}", FORMULA_HINT_QUOTE, quote)
        if quote_too_short(quote):  # anchors easily ("-"), but supports nothing
            problems.add(doc.path, *where(), "evidence-too-short",
                         "the quote is too short to support anything: it has fewer than two words",
                         "copy the words of the article that state the fact (the figure, the place, the people)",
                         quote)
            failed.append(supports)
            continue
        result = anchor_quote(ctx.text, quote, occurrence)
        if isinstance(result, Anchor):
            found = Quote(quote, result.start, result.end, supports)
            if found in quotes:  # its evidence_id (from the passage and fields) would be taken
                problems.add(doc.path, *where(), "duplicate-record",
                             "this quote, for the same fields, is already in the record's evidence",
                             "remove one of the two", quote)
                continue
            quotes.append(found)
        else:
            problems.add(doc.path, *where(), result.code, result.message, result.hint, result.excerpt or quote)
            failed.append(supports)
    return quotes


def _check_references(doc, keys, values, table, ctx, problems) -> None:
    """Ids that must exist in a registry: declared foreign keys, and the record's own id
    when the table's identities live in a registry (agreements)."""
    checks = [(fk["fields"][0], fk["reference"]["resource"]) for fk in table.foreign_keys
              if fk["reference"]["resource"] in ctx.registry_ids]
    if table.registry and "section" in table.annotation:
        checks.append((table.annotation["id_field"], table.name))
    for name, registry in checks:
        value = values.get(name)
        if value is not None and value not in ctx.registry_ids[registry]:
            problems.add(doc.path, *doc.position(*keys, name), "unknown-id",
                         f"{name} {value!r} is not in the {registry} registry",
                         " ".join(filter(None, [did_you_mean(value, ctx.registry_ids[registry]),
                                                f"add it to sources/registry/{registry}.yaml"])), value)


def _check_children(doc, keys, items, table, ctx, problems, what, key) -> list[dict]:
    if items is None:
        return []
    if not isinstance(items, list):
        problems.add(doc.path, *doc.position(*keys), "wrong-type", f"{key} must be a list", "start each item with '- '")
        return []
    layout = _layout(table)
    out, seen = [], set()
    natural_key = layout.natural_key
    for j, item in enumerate(items):
        values = check_mapping(doc, keys + (j,), item, layout.fields, layout.required, problems,
                               f"{what}.{key}[{j + 1}]", by_name=layout.by_name)
        if values is None:
            continue
        _check_references(doc, keys + (j,), values, table, ctx, problems)
        ident = tuple(values.get(k) for k in natural_key)
        if natural_key and ident in seen:
            problems.add(doc.path, *doc.position(*keys, j), "duplicate-record",
                         f"{what}.{key} lists {', '.join(map(str, ident))} twice", "keep one item")
            continue
        seen.add(ident)
        out.append(values)
    return out


def _resolve_dates(doc, keys, values, dates, folded_quotes, ctx, problems, record, planned, label="") -> None:
    """dates: the _Layout's. folded_quotes: the record's quotes casefolded, or None when a quote
    did not anchor (a date phrase is then not looked for: see check_record)."""
    for spec, has_precision in dates:
        if spec.name not in values:
            continue
        raw = values[spec.name]
        try:
            resolved = resolve_date(raw, ctx.published, planned=planned)
        except DateError as err:
            problems.add(doc.path, *doc.position(*keys, spec.name), "bad-date", str(err), "", raw)
            del values[spec.name]
            continue
        if folded_quotes is not None and not is_iso_date(raw) and not any(raw.casefold() in q for q in folded_quotes):
            problems.add(doc.path, *doc.position(*keys, spec.name), "date-phrase-not-quoted",
                         f"the date phrase {raw!r} does not appear in any quote of this record",
                         "quote the words that give the date, or write the date as YYYY-MM-DD", raw)
        day = resolved.end if spec.name.endswith("_end") else resolved.start
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            problems.add(doc.path, *doc.position(*keys, spec.name), "bad-value",
                         f"{spec.name} {day.isoformat()} is out of range: dates go from {FIRST_YEAR} to {LAST_YEAR}",
                         "check the year", raw)
            del values[spec.name]
            continue
        precision_field = f"{spec.name}_precision"
        if not has_precision and not spec.name.endswith(("_start", "_end")) and resolved.precision != "day":
            # a meeting's date is one day and nothing could say that only the month is known:
            # "in June" would be published as 1 June
            problems.add(doc.path, *doc.position(*keys, spec.name), "date-not-a-day",
                         f"{spec.name} {raw!r} names a {resolved.precision}, not a day",
                         "give the day if the text states it; if it does not, the record cannot be dated: "
                         "leave the event out (say so in a comment) or describe it in another record's purpose",
                         raw)
            del values[spec.name]
            continue
        values[spec.name] = day
        if has_precision and precision_field not in values:
            values[precision_field] = resolved.precision
        if resolved.phrase is not None:
            record.resolutions.append((f"{label}{spec.name}", resolved.phrase, resolved.rule))
        if day > ctx.published and not planned:
            problems.add(doc.path, *doc.position(*keys, spec.name), "date-after-publication",
                         f"{spec.name} {day.isoformat()} is after the source's publication date {ctx.published.isoformat()}",
                         "check the date; a future event must be marked planned (status: planned / is_planned: true)", raw)


def _check_spans(doc, keys, values, problems) -> None:
    for name, start in list(values.items()):
        if not name.endswith("_start") or not isinstance(start, dt.date):
            continue
        end_name = name[: -len("_start")] + "_end"
        end = values.get(end_name)
        if isinstance(end, dt.date) and start > end:
            problems.add(doc.path, *doc.position(*keys, name), "bad-period",
                         f"{name} {start.isoformat()} is after {end_name} {end.isoformat()}", "swap or correct the dates")
