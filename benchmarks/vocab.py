"""Words the synthetic corpus is made of: registries (people, places, organisations,
agreements) and the routes they belong to.

Everything here is fixed data or derived from it without randomness, so the registries
of a generated corpus are the same whatever its size or seed; articles draw their names
from them, which is what makes annotations valid by construction (every id exists).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

FIRST = ("Anna", "Marco", "Sophie", "Jonas", "Elena", "Tomás", "Leila", "Pieter", "Chiara", "Oskar",
         "Nadia", "Hugo", "Ines", "Karim", "Maja", "Luca", "Zofia", "Rui", "Amira", "Lars",
         "Greta", "Matteo", "Hélène", "Stefan", "Yara", "Dmitri", "Clara", "Emre", "Ilse", "Paolo")
LAST = ("Berg", "Rossi", "Laurent", "Novak", "Costa", "Fischer", "Moreau", "Jansen", "Ricci", "Kovač",
        "Dubois", "Lindqvist", "Marín", "Haddad", "Weber", "Conti", "Nowak", "Silva", "Petrov", "Ortega",
        "Bakker", "Ferrari", "Girard", "Horvat", "Ahmadi", "Keller", "Mancini", "Varga", "Olsen", "Demir")
POSITIONS = ("Prime Minister", "Interior Minister", "Home Secretary", "Foreign Minister",
             "Immigration Minister", "President", "EU Commissioner for Home Affairs", "Chancellor")
COUNTRIES = ("GB", "FR", "IT", "ES", "GR", "DE", "NL", "BE", "AL", "TN", "LY", "MA", "TR", "MT", "PL",
             "AT", "SE", "DK", "SN", "MR", "NO", "IE", "PT", "HR")
COUNTRY_NAMES = {"GB": "Britain", "FR": "France", "IT": "Italy", "ES": "Spain", "GR": "Greece",
                 "DE": "Germany", "NL": "the Netherlands", "BE": "Belgium", "AL": "Albania",
                 "TN": "Tunisia", "LY": "Libya", "MA": "Morocco", "TR": "Turkey", "MT": "Malta",
                 "PL": "Poland", "AT": "Austria", "SE": "Sweden", "DK": "Denmark", "SN": "Senegal",
                 "MR": "Mauritania", "NO": "Norway", "IE": "Ireland", "PT": "Portugal", "HR": "Croatia"}

# route -> (destination country, the water crossed, coastal places as (name, type, country))
ROUTES = {
    "english_channel": ("GB", "the Channel", [
        ("Calais", "city", "FR"), ("Dunkirk", "port", "FR"), ("Boulogne-sur-Mer", "port", "FR"),
        ("Gravelines", "city", "FR"), ("Wimereux", "city", "FR"), ("Dover", "port", "GB")]),
    "central_mediterranean": ("IT", "the Mediterranean", [
        ("Lampedusa", "island", "IT"), ("Sfax", "port", "TN"), ("Zuwara", "city", "LY"),
        ("Crotone", "city", "IT"), ("Pozzallo", "port", "IT"), ("Valletta", "port", "MT")]),
    "eastern_mediterranean": ("GR", "the Aegean", [
        ("Lesbos", "island", "GR"), ("Samos", "island", "GR"), ("Kos", "island", "GR"),
        ("Chios", "island", "GR"), ("Izmir", "city", "TR"), ("Pylos", "city", "GR")]),
    "western_mediterranean": ("ES", "the Alboran Sea", [
        ("Almería", "port", "ES"), ("Motril", "port", "ES"), ("Melilla", "city", "ES"),
        ("Nador", "city", "MA"), ("Cartagena", "port", "ES")]),
    "western_african": ("ES", "the Atlantic", [
        ("El Hierro", "island", "ES"), ("Tenerife", "island", "ES"), ("Gran Canaria", "island", "ES"),
        ("Nouadhibou", "port", "MR"), ("Dakar", "city", "SN")]),
}
CAPITALS = [("London", "GB"), ("Paris", "FR"), ("Rome", "IT"), ("Madrid", "ES"), ("Athens", "GR"),
            ("Berlin", "DE"), ("Brussels", "BE"), ("Tirana", "AL"), ("Tunis", "TN"), ("Tripoli", "LY"),
            ("Rabat", "MA"), ("Ankara", "TR"), ("Warsaw", "PL"), ("Vienna", "AT"), ("The Hague", "NL"),
            ("Copenhagen", "DK"), ("Stockholm", "SE"), ("Lisbon", "PT"), ("Dublin", "IE"), ("Zagreb", "HR")]
ORGANISATIONS = [
    ("uk-home-office", "Home Office", "ministry", "GB"),
    ("uk-prime-ministers-office", "Downing Street", "government", "GB"),
    ("frontex", "Frontex", "intergovernmental", None),
    ("unhcr", "UNHCR", "intergovernmental", None),
    ("iom", "the International Organization for Migration", "intergovernmental", None),
    ("italy-interior-ministry", "Italy's Interior Ministry", "ministry", "IT"),
    ("spain-interior-ministry", "Spain's Interior Ministry", "ministry", "ES"),
    ("greece-migration-ministry", "Greece's Migration Ministry", "ministry", "GR"),
    ("hellenic-coastguard", "the Hellenic Coastguard", "agency", "GR"),
    ("french-maritime-prefecture", "the French maritime prefecture", "agency", "FR"),
    ("salvamento-maritimo", "Salvamento Marítimo", "agency", "ES"),
    ("sea-watch", "Sea-Watch", "ngo", "DE"),
    ("caminando-fronteras", "Caminando Fronteras", "ngo", "ES"),
    ("uk-border-force", "Border Force", "agency", "GB"),
    ("eu-commission", "the European Commission", "intergovernmental", None),
]
AGREEMENT_TYPES = {"returns": "returns agreement", "departure_prevention": "border deal",
                   "enforcement_cooperation": "smuggling pact", "offshore_processing": "processing protocol",
                   "transfer": "transfer partnership"}


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    country: str


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    type: str
    country: str
    route: str | None  # the route whose coast it is on; None for capitals


@dataclass(frozen=True)
class Agreement:
    id: str
    name: str
    kind: str
    parties: tuple[str, str]


def slug(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in plain).split())


def people() -> list[Person]:
    out = []
    for i in range(240):  # 240 distinct names: every (first, last) pair is used once at most
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7 + i // len(FIRST)) % len(LAST)]
        name = f"{first} {last}"
        out.append(Person(slug(name), name, COUNTRIES[i % len(COUNTRIES)]))
    return list({p.id: p for p in out}.values())


def places() -> list[Place]:
    out = [Place(slug(n), n, t, c, route) for route, (_, _, ps) in ROUTES.items() for n, t, c in ps]
    out += [Place(slug(n), n, "city", c, None) for n, c in CAPITALS]
    return out


def agreements() -> list[Agreement]:
    out = []
    for i, a in enumerate(COUNTRIES[:12]):
        for b in COUNTRIES[12:]:
            kind = list(AGREEMENT_TYPES)[(i + len(out)) % len(AGREEMENT_TYPES)]
            name = f"{COUNTRY_NAMES[a].removeprefix('the ').title()}-{COUNTRY_NAMES[b].removeprefix('the ').title()} {AGREEMENT_TYPES[kind]}"
            out.append(Agreement(slug(f"{a}-{b}-{kind}"), name, kind, (a, b)))
    return out


def _scalar(value) -> str:
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def write_registries(root: Path) -> None:
    folder = root / "sources" / "registry"
    folder.mkdir(parents=True, exist_ok=True)
    lines = {"people.yaml": [f"- person_id: {p.id}\n  name: {_scalar(p.name)}\n  country: {_scalar(p.country)}\n"
                             for p in people()],
             "places.yaml": [f"- place_id: {p.id}\n  name: {_scalar(p.name)}\n  place_type: {p.type}\n"
                             f"  country: {_scalar(p.country)}\n" for p in places()],
             "organisations.yaml": [f"- organisation_id: {o}\n  name: {_scalar(n)}\n  organisation_type: {t}\n"
                                    f"  country: {_scalar(c)}\n" for o, n, t, c in ORGANISATIONS],
             "agreements.yaml": [f"- agreement_id: {a.id}\n  name: {_scalar(a.name)}\n" for a in agreements()]}
    for name, entries in lines.items():
        (folder / name).write_text("# Synthetic registry for benchmarks.\n" + "".join(entries), encoding="utf-8")
