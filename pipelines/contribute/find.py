"""`borderlines find`: search the records already in the dataset, to reuse their ids.

Meetings, incidents and agreements (one entry per id, whatever the number of sources that
report it) and the people, organisations and places of the registries, read from the
annotation and registry files by the loader `validate` uses (ingest/corpus.py): no build
is needed. Every filter given must hold:

- words: each word is in the entry's id, names, place, people, type, route or text fields
  (case ignored);
- a date range: the record's date (an agreement: its signed date or an event's date) is
  in it; registry entries have no date, so a date range leaves them out;
- a country: the meeting's or incident's country (its place's, else its own), a party to
  an agreement, or a registry entry's country;
- a person: a participant of a meeting (person_id, or words of the name), or that person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pipelines.ingest.corpus import Corpus, load_corpus

RECORD_TABLES = ("meetings", "incidents", "agreements")
REGISTRY_TABLES = ("people", "organisations", "places")
TABLES = RECORD_TABLES + REGISTRY_TABLES


@dataclass(frozen=True)
class Found:
    table: str
    record_id: str
    date: dt.date | None
    summary: str  # one line
    sources: tuple[str, ...]  # source ids that report it (or name it, for a registry entry)
    locations: tuple[str, ...]  # file:line of each statement of it (a registry entry: its line)


def find(corpus: Corpus, words: list[str] | tuple[str, ...] = (), date_from: dt.date | None = None,
         date_to: dt.date | None = None, country: str | None = None, person: str | None = None,
         tables: tuple[str, ...] = TABLES) -> list[Found]:
    """Entries of the corpus that pass every filter given, records by date then id."""
    names = {table: {row[_id_field(table)]: row for row in corpus.registries.get(table, [])}
             for table in REGISTRY_TABLES}
    agreements = {row["agreement_id"]: row for row in corpus.registries.get("agreements", [])}
    wanted = [w.casefold() for w in words]
    person_key = person.casefold() if person else None
    out = []
    for entry in _records(corpus, {**names, "agreements": agreements}) + _registry_entries(corpus, names):
        table, found, text, countries, people, dates = entry
        if table not in tables or not all(w in text for w in wanted):
            continue
        if (date_from or date_to) and not any((date_from is None or d >= date_from) and (date_to is None or d <= date_to)
                                              for d in dates):
            continue
        if country and country.upper() not in countries:
            continue
        if person_key and not any(person_key == pid or person_key in name for pid, name in people):
            continue
        out.append(found)
    return sorted(out, key=lambda f: (TABLES.index(f.table), f.date or dt.date.min, f.record_id))


def _id_field(table: str) -> str:
    return {"people": "person_id", "organisations": "organisation_id", "places": "place_id"}[table]


def _records(corpus: Corpus, names: dict[str, dict[str, dict]]) -> list[tuple]:
    """(table, Found, searchable text, countries, people, dates) per record id."""
    by_id: dict[tuple[str, str], list] = {}
    for record in corpus.records:
        if record.table in RECORD_TABLES:
            by_id.setdefault((record.table, record.record_id), []).append(record)
    out = []
    for (table, record_id), versions in by_id.items():
        first = versions[0]
        values = {k: v for r in reversed(versions) for k, v in r.values.items() if v is not None}
        place = names["places"].get(values.get("place_id") or "", {})
        people = sorted({(p["person_id"], names["people"].get(p["person_id"], {}).get("name", p["person_id"]))
                         for r in versions for p in r.children.get("participants", []) if p.get("person_id")})
        parties = sorted({p.get("organisation_id") or p.get("country") for r in versions
                          for p in r.children.get("parties", []) if p.get("organisation_id") or p.get("country")})
        countries = {c for c in (values.get("country"), place.get("country")) if c}
        countries |= {p["country"] for r in versions for p in r.children.get("parties", []) if p.get("country")}
        dates = sorted({r.values[k] for r in versions for k in ("date", "signed_date")
                        if isinstance(r.values.get(k), dt.date)} |
                       {e["date"] for r in versions for e in r.children.get("events", []) if isinstance(e.get("date"), dt.date)})
        day = values.get("date") if isinstance(values.get("date"), dt.date) else (dates[0] if dates else None)
        summary = _summary(table, values, place, people, parties, names)
        text = " ".join(str(x) for x in (record_id, summary, *values.values(), *(n for pair in people for n in pair),
                                         *parties)).casefold()
        sources = tuple(dict.fromkeys(r.source_id for r in versions))
        found = Found(table, record_id, day, summary, sources, tuple(f"{r.path}:{r.line}" for r in versions))
        out.append((table, found, text, countries, [(pid, name.casefold()) for pid, name in people], dates))
    return out


def _summary(table: str, values: dict, place: dict, people: list, parties: list, names: dict) -> str:
    where = place.get("name") or values.get("location") or ""
    country = place.get("country") or values.get("country")
    where = f"{where} ({country})" if where and country else where or country or "place unknown"
    if table == "meetings" and values.get("meeting_type") == "call":
        where = "by telephone or video"  # a call has no place
    if table == "meetings":
        who = ", ".join(name for _, name in people) or "participants unknown"
        kind = ", ".join(str(values[k]) for k in ("meeting_type", "status") if values.get(k))
        return f"{where}: {who}" + (f"; {kind}" if kind else "")
    if table == "incidents":
        counts = ", ".join(f"{values[k]} {k.replace('_', ' ')}" for k in ("dead", "missing", "survivors", "people_aboard")
                           if values.get(k) is not None)
        return f"{values.get('route', 'route unknown')}, {where}" + (f": {counts}" if counts else "")
    name = names.get("agreements", {}).get(values.get("agreement_id"), {}).get("name")
    kind = ", ".join(str(values[k]) for k in ("agreement_type", "status") if values.get(k))
    return "; ".join(filter(None, [name, " - ".join(parties), kind]))


def _registry_entries(corpus: Corpus, names: dict[str, dict[str, dict]]) -> list[tuple]:
    """(table, Found, searchable text, countries, people, dates) per registry entry; its
    sources are those whose records name it."""
    naming: dict[str, list[str]] = {}
    for record in corpus.records:
        ids = [v for k, v in record.values.items() if isinstance(v, str) and (k.endswith("_id") or k.endswith("_by")
                                                                               or k.endswith("_person"))]
        ids += [v for items in record.children.values() for item in items for k, v in item.items()
                if isinstance(v, str) and k.endswith("_id")]
        for found_id in ids:
            sources = naming.setdefault(found_id, [])
            if record.source_id not in sources:
                sources.append(record.source_id)
    out = []
    for table in REGISTRY_TABLES:
        for entry_id, row in names[table].items():
            detail = ", ".join(str(row[k]) for k in ("place_type", "organisation_type", "country") if row.get(k))
            summary = row.get("name", entry_id) + (f" ({detail})" if detail else "")
            text = " ".join(str(v) for k, v in row.items() if k != "_line").casefold()
            found = Found(table, entry_id, None, summary, tuple(naming.get(entry_id, [])),
                          (f"sources/registry/{table}.yaml:{row.get('_line', 0)}",))
            people = [(entry_id, row.get("name", "").casefold())] if table == "people" else []
            out.append((table, found, text, {row["country"]} if row.get("country") else set(), people, []))
    return out


def render(found: list[Found]) -> str:
    lines = []
    for f in found:
        lines.append(f"{f.table[:-1] if f.table != 'people' else 'person':<12} {f.date.isoformat() if f.date else '-':<10}  "
                     f"{f.record_id}  {f.summary}")
        lines.append(f"{'':<24}sources: {', '.join(f.sources) or 'none'}")
        lines.extend(f"{'':<24}{where}" for where in f.locations)
    lines.append(f"{len(found)} found")
    return "\n".join(lines)


def find_command(root: Path, words: list[str], date_from: dt.date | None, date_to: dt.date | None,
                 country: str | None, person: str | None, tables: tuple[str, ...]) -> int:
    corpus = load_corpus(root)
    print(render(find(corpus, words, date_from, date_to, country, person, tables)))
    return 0
