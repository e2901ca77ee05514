"""Country names by ISO 3166-1 alpha-2 code, from pycountry's copy of the standard.

Reference files name countries in words, not codes, and not always by the ISO short name:
IOM writes "Republic of Moldova" (the official name), "Iran (Islamic Republic of)" (the
common name followed by a comment), "Türkiye", "United Kingdom of Great Britain and
Northern Ireland". So every name pycountry gives a country is listed: its short name,
common name and official name, where it has them. claim_checks matches IOM's Country of
Incident with these names (as a DuckDB table `country_names`).
"""

from __future__ import annotations

import pyarrow as pa
import pycountry

NAME_ATTRIBUTES = ("name", "common_name", "official_name")
SCHEMA = pa.schema([("country", pa.string()), ("name", pa.string())])


def country_names() -> pa.Table:
    """(country, name): one row per ISO alpha-2 code and each of its names, without repeats, sorted."""
    pairs = sorted({(country.alpha_2, name)
                    for country in pycountry.countries
                    for attribute in NAME_ATTRIBUTES
                    if (name := getattr(country, attribute, None))})
    return pa.Table.from_pylist([{"country": code, "name": name} for code, name in pairs], schema=SCHEMA)
