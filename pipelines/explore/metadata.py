"""Datasette's metadata for the explorer, from the data package the SQLite file belongs to.

Each table's title, description, licence, source and column descriptions are those of its
resource in the package's datapackage.json (which come from schemas/ and the reference
files' provenance), so the explorer says what the release says. To them are added the
explorer's pages: the claims view with its facets, the timeline view, and canned queries.

Read-only by design: the file is served immutable, no canned query writes, and arbitrary
SQL is off unless asked for (`allow_sql`): the pages, filters, facets and canned queries
need none, and a public deployment should not run any query a visitor types.
"""

from __future__ import annotations

from typing import Any

DATABASE = "borderlines"  # Datasette names a database after its file: sqlite/borderlines.sqlite
RECORD_TABLES = ("crossings", "incidents", "meetings", "agreements")  # the pages of a record
VERDICT_COLOURS = {"ambiguous": "#e6ab02"}  # beside the chart's colours (pipelines/publish/chart.py)

WELCOME = """
<p>Irregular migration in and around Europe, traced to its sources. Start with:</p>
<ul>
<li><a href="/borderlines/claims">Claims</a>: every figure the news reported, checked against the official series,
with its source, its quote and the verdict (filter by verdict, route, publisher, year).</li>
<li><a href="/borderlines/timeline">Agreements and meetings</a>, in date order.</li>
<li><a href="/borderlines/crossings">Crossings</a>, <a href="/borderlines/incidents">incidents</a>,
<a href="/borderlines/meetings">meetings</a>, <a href="/borderlines/agreements">agreements</a>: open a row to see
which source gave each value, every source's quotes, and where sources disagree.</li>
<li><a href="/borderlines/evidence">Evidence</a>: search the quotes.</li>
<li>Questions people ask: <a href="/borderlines/channel_figures?year=2024">Channel figures of a year</a>,
<a href="/borderlines/inconsistent_figures">figures the official series contradict</a>,
<a href="/borderlines/sources_of_a_record">every source that reports a meeting</a>,
<a href="/borderlines/disagreements">where sources disagree</a>.</li>
</ul>
"""

QUERIES = {
    "channel_figures": {
        "title": "Channel figures of a year, against the official arrivals",
        "description": "Every figure about the English Channel whose period falls in the year, with its source, "
                       "quote, reported and official values and verdict.",
        "sql": "SELECT verdict, published_date, publisher, source_title, measure, period_start, period_end,\n"
               "       reported_qualifier, reported_value, official_value, difference, rule, quote, record_id\n"
               "FROM claims WHERE route = 'english_channel' AND year = :year\n"
               "ORDER BY period_start, published_date",
    },
    "inconsistent_figures": {
        "title": "Figures the official series contradict",
        "description": "Claims whose official value does not meet the reported value under its qualifier's rule.",
        "sql": "SELECT published_date, publisher, source_title, route, measure, period_start, period_end,\n"
               "       reported_qualifier, reported_value, official_value, difference, rule, series, quote, note,\n"
               "       record_id\n"
               "FROM claims WHERE verdict = 'inconsistent' ORDER BY published_date",
    },
    "sources_of_a_record": {
        "title": "Every source that reports a meeting (or an incident, agreement or figure)",
        "description": "Give a meeting_id (or incident_id, agreement_id, crossing_id): each source that reports "
                       "it, with the words it uses.",
        "sql": "SELECT s.published_date, s.publisher, s.title, s.url, e.table_name, e.fields, e.quote\n"
               "FROM evidence AS e JOIN sources AS s ON s.source_id = e.source_id\n"
               "WHERE e.record_id = :record_id\n"
               "ORDER BY s.published_date, s.source_id, e.start",
    },
    "disagreements": {
        "title": "Where sources disagree",
        "description": "Each source's value where sources reporting the same record differ, and which value "
                       "is published by which rule.",
        "sql": "SELECT c.table_name, c.record_id, c.field, s.publisher, s.published_date, c.value,\n"
               "       c.published_value, c.is_published_value, c.rule\n"
               "FROM conflicts AS c JOIN sources AS s ON s.source_id = c.source_id\n"
               "ORDER BY c.table_name, c.record_id, c.field, s.published_date",
    },
}


def explorer_metadata(descriptor: dict[str, Any], allow_sql: bool = False,
                      charts: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """Datasette's metadata for the SQLite file of the data package `descriptor`; charts are
    the package's chart files ({name, title, url}) the claims and timeline pages show."""
    from pipelines.publish.chart import VERDICT_COLOURS as CHART_COLOURS

    package_licence = descriptor["licenses"][0]
    tables: dict[str, Any] = {}
    for resource in descriptor["resources"]:
        if resource.get("format") != "parquet":
            continue  # one table per resource: the Parquet one (its CSV twin says the same)
        entry = {
            "title": resource["title"],
            "description": " ".join(filter(None, [resource.get("description"), resource.get("rights")])),
            "columns": {f["name"]: f["description"] for f in resource["schema"]["fields"]},
        }
        licence = (resource.get("licenses") or [package_licence])[0]
        entry.update(license=licence.get("title") or licence["name"], license_url=licence.get("path"))
        if resource.get("sources"):
            entry.update(source=resource["sources"][0]["title"], source_url=resource["sources"][0].get("path"))
        tables[resource["name"]] = entry
    for name in ("sources", "people", "organisations", "places"):
        if name in tables:  # what a foreign key shows beside an id
            tables[name]["label_column"] = {"sources": "title"}.get(name, "name")
    for name in ("evidence", "source_texts"):
        if name in tables:
            tables[f"{name}_fts"] = {"hidden": True}
    tables["claims"] = {
        "title": "Claims: news figures checked against the official series",
        "description": "Every figure a news source reports about crossings and incidents, with its source, the "
                       "quote, the reported and official values, the verdict and the rule that gave it. Filter "
                       "with the facets (year: of the period the figure is about); open a record_id for the "
                       "record's sources and conflicts. Column meanings: table claim_checks.",
        "facets": ["verdict", "route", "publisher", "year"],
        "size": 50,
    }
    tables["timeline"] = {
        "title": "Agreements and meetings, in date order",
        "description": "Each event of an agreement (signed, in force, suspended, ...) and each leaders' meeting; "
                       "open record_id for its sources.",
        "facets": ["kind", "country"],
    }
    return {
        "title": descriptor["title"],
        "description_html": WELCOME,
        "license": package_licence["title"],
        "license_url": package_licence["path"],
        "source": "News articles and official statistics: see each table",
        "allow_sql": allow_sql,
        "databases": {DATABASE: {"tables": tables, "queries": QUERIES, "allow_sql": allow_sql}},
        "plugins": {"borderlines": {
            "verdict_colours": {**CHART_COLOURS, **VERDICT_COLOURS},
            "record_tables": list(RECORD_TABLES),
            "charts": charts or [],
        }},
    }
