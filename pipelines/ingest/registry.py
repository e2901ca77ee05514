"""Registries: people, organisations, places, agreements, offices and licences, each a YAML
list of entries.

Which file holds which table, and which fields an entry has, come from schemas/ (the
`registry:` keys). Ids must be unique within a registry. offices.yaml and licences.yaml may
be left out (OPTIONAL): a corpus without them resolves no office and has no open text, and
an id that would need them is reported as unknown.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.ingest.fields import check_mapping, did_you_mean
from pipelines.ingest.offices import REGISTRY_TABLE as OFFICES, check_term, check_terms
from pipelines.ingest.problems import ProblemList
from pipelines.ingest.yamlfile import check_folder, exists, load_contributor_yaml
from pipelines.schemas import TableSpec, load_tables

REGISTRY_DIR = "sources/registry"
LICENCES = "licences"
OPTIONAL = {OFFICES, LICENCES}


def registry_tables() -> dict[str, TableSpec]:
    return {t.name: t for t in load_tables().values() if t.registry}


def load_registries(root: Path, problems: ProblemList) -> dict[str, list[dict]]:
    """Entries of every registry, keyed by table name (invalid entries are left out)."""
    out: dict[str, list[dict]] = {table.name: [] for table in registry_tables().values()}
    # Folders that are links (or anything but folders) are reported and not read through.
    for rel in ("sources", REGISTRY_DIR):
        if exists(root / rel) and not check_folder(root / rel, rel, problems):
            return out
    for table in registry_tables().values():
        rel = f"{REGISTRY_DIR}/{table.registry}"
        path = root / rel
        if not exists(path):
            if table.name in OPTIONAL:
                continue  # a corpus may have no offices to resolve, and no openly licensed text
            problems.add(rel, 0, 0, "missing-file", f"the {table.name} registry is missing", f"create {rel} (a YAML list)")
            continue
        doc = load_contributor_yaml(path, rel, problems)
        if doc is None or doc.data is None:
            continue
        if not isinstance(doc.data, list):
            problems.add(rel, 1, 1, "wrong-type", "a registry file must be a YAML list of entries", "start each entry with '- '")
            continue
        fields = table.registry_fields()
        required = {f.name for f in fields if f.registry == "required"}
        id_field = table.primary_key[0]
        seen: dict[str, int] = {}
        for i, entry in enumerate(doc.data):
            values = check_mapping(doc, (i,), entry, fields, required, problems, f"{table.name} entry")
            if not values or id_field not in values:
                continue
            entry_id = values[id_field]
            line, col = doc.position(i, id_field)
            if entry_id in seen:
                problems.add(rel, line, col, "duplicate-id", f"{id_field} {entry_id!r} is already used on line {seen[entry_id]}",
                             "ids must be unique: merge the entries or choose another id")
                continue
            seen[entry_id] = line
            values["_line"] = line
            values["_index"] = i
            if table.name == OFFICES and not check_term(doc, i, values, problems):
                continue
            out[table.name].append(values)
        if table.name == "places":
            check_place_parents(doc, rel, out["places"], problems)
    check_terms(f"{REGISTRY_DIR}/{registry_tables()[OFFICES].registry}", out[OFFICES], out["people"], problems)
    return out


def check_place_parents(doc, rel: str, places: list[dict], problems: ProblemList) -> None:
    """A venue (a building or site) is inside a city: its parent_place_id names a place of
    this registry that is not itself a venue, so that a meeting at the venue has a city."""
    by_id = {place["place_id"]: place for place in places}
    for place in places:
        parent = place.get("parent_place_id")
        is_venue = place.get("place_type") == "venue"
        if parent is None:
            if is_venue:
                problems.add(rel, place["_line"], 1, "missing-field",
                             f"venue {place['place_id']!r} has no parent_place_id",
                             "add `parent_place_id:` with the id of the city it is in (add the city first if "
                             "the registry lacks it)")
            continue
        position = doc.position(place["_index"], "parent_place_id")
        if parent not in by_id:
            problems.add(rel, *position, "unknown-id", f"parent_place_id {parent!r} is not in the places registry",
                         " ".join(filter(None, [did_you_mean(parent, by_id), "add the city to this file"])), parent)
        elif parent == place["place_id"] or (is_venue and by_id[parent].get("place_type") == "venue"):
            problems.add(rel, *position, "bad-value",
                         f"parent_place_id {parent!r} of {place['place_id']!r} is not the city it is in",
                         "a venue's parent_place_id names its city (or town, island), not a venue or itself", parent)
