"""Datasette plugin of the explorer (loaded from this folder with --plugins-dir).

- `render_cell`: a verdict is shown coloured (the chart's colours); a record_id beside a
  table_name links to the record's page.
- `extra_template_vars`: the record page (templates/row.html) asks `record_details` for
  what the sources say about the record; the claims and timeline pages get their charts.
Everything is read with read-only queries through Datasette's own database object.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup, escape

CONTEXT = 300  # characters of the open text shown on each side of a quote


def _config(datasette) -> dict:
    return datasette.plugin_config("borderlines") or {}


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    config = _config(datasette)
    if column == "verdict" and isinstance(value, str):
        colour = config.get("verdict_colours", {}).get(value, "#7f7f7f")
        return Markup(f'<span class="verdict" style="background:{escape(colour)};color:#fff;padding:1px 6px;'
                      f'border-radius:3px;white-space:nowrap">{escape(value)}</span>')
    if column == "record_id" and isinstance(value, str) and "table_name" in row.keys():
        target = row["table_name"]
        if target in config.get("record_tables", []):
            url = datasette.urls.row(database, target, tilde_encode(value))
            return Markup(f'<a href="{escape(url)}">{escape(value)}</a>')
    return None


@hookimpl
def extra_template_vars(template, database, table, view_name, datasette):
    config = _config(datasette)
    charts = config.get("charts", [])
    if view_name == "table" and table == "timeline":
        return {"charts": [c for c in charts if "timeline" in c["name"]]}
    if view_name == "table" and table == "claims":
        return {"charts": [c for c in charts if "timeline" not in c["name"]]}
    if view_name == "row" and table in config.get("record_tables", []):
        async def record_details(pk_values):
            return await _record_details(datasette.get_database(database), table, pk_values[0])
        return {"record_details": record_details, "verdict_colours": config.get("verdict_colours", {})}
    return {}


async def _record_details(db, table: str, record_id: str) -> dict:
    """Sources, quotes (with their place in the open text where there is one), which source
    gave each value, conflicts and claim checks of one record."""
    tables = set(await db.table_names())
    children = record_id + "/%"  # participants and parties: meeting_id/person_id, agreement_id/country
    evidence = (await db.execute(
        "SELECT e.source_id, s.title, coalesce(s.publisher, o.name) AS publisher, s.published_date, s.url, "
        "e.fields, e.quote, e.start, e.\"end\" FROM evidence AS e JOIN sources AS s ON s.source_id = e.source_id "
        "LEFT JOIN organisations AS o ON o.organisation_id = s.publisher_id "
        "WHERE e.table_name = ? AND e.record_id = ? ORDER BY s.published_date, e.source_id, e.start",
        [table, record_id])).rows
    texts = {}
    if "source_texts" in tables:
        ids = sorted({row["source_id"] for row in evidence})
        marks = ", ".join("?" for _ in ids)
        texts = {row["source_id"]: row["text"] for row in (await db.execute(
            f"SELECT source_id, text FROM source_texts WHERE source_id IN ({marks})", ids)).rows} if ids else {}
    sources: dict[str, dict] = {}
    for row in evidence:
        source = sources.setdefault(row["source_id"], {
            "source_id": row["source_id"], "title": row["title"], "publisher": row["publisher"],
            "published_date": row["published_date"], "url": row["url"], "quotes": []})
        text = texts.get(row["source_id"])
        source["quotes"].append({"fields": row["fields"], "quote": row["quote"],
                                 "in_text": _highlighted(text, row["start"], row["end"]) if text else None})
    value_sources = (await db.execute(
        "SELECT table_name, record_id, field, source_id, rule, number_of_sources, number_agreeing, "
        "outranked_source_id FROM value_sources WHERE table_name = ? AND record_id = ? "
        "OR table_name IN ('meeting_participants', 'agreement_parties') AND record_id LIKE ? "
        "ORDER BY table_name, record_id, field", [table, record_id, children])).rows
    conflicts = (await db.execute(
        "SELECT record_id, field, source_id, value, published_value, published_source_id, rule, is_published_value "
        "FROM conflicts WHERE table_name = ? AND record_id = ? "
        "OR table_name IN ('meeting_participants', 'agreement_parties') AND record_id LIKE ? "
        "ORDER BY record_id, field, is_published_value DESC, source_id", [table, record_id, children])).rows
    checks = (await db.execute(
        "SELECT field, source_id, reported_qualifier, reported_value, official_value, series, rule, verdict, note "
        "FROM claim_checks WHERE table_name = ? AND record_id = ? ORDER BY field, source_id",
        [table, record_id])).rows
    return {"sources": list(sources.values()), "value_sources": value_sources, "conflicts": conflicts,
            "checks": checks}


def _highlighted(text: str, start: int, end: int) -> Markup:
    """The quote marked in its open text, with CONTEXT characters around it (offsets count
    code points, as Python's str does)."""
    before = text[max(0, start - CONTEXT):start]
    after = text[end:end + CONTEXT]
    return Markup("{}{}<mark>{}</mark>{}{}").format(
        "… " if start > CONTEXT else "", before, text[start:end], after, " …" if end + CONTEXT < len(text) else "")
