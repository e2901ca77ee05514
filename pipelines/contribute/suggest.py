"""`borderlines suggest SOURCE_ID`: draft annotations for a person to check.

Every figure becomes a draft record (a crossing, or an incident when the sentence is
about a capsize), every date phrase a resolved `date:` line, every registry entry or
country named in the text an id line, each with its quote: the sentence around it,
copied verbatim. Meetings, incidents and agreements are drafted whole (drafts.py), each
with the existing records it probably is and their ids to reuse. Drafts are COMMENTED-OUT
YAML: nothing reaches the dataset until a person uncomments one, replaces its
<placeholders>, checks the guesses (marked "check") and `borderlines validate` accepts it.
`--write` puts them in suggestions.yaml, a draft file that `validate` never reads.

Measure the drafts against the finished annotations: `borderlines suggest --measure`.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipelines.contribute.drafts import Draft, event_drafts, probable_lines
from pipelines.contribute.finders import (DateFinding, Figure, NameFinding, find_dates, find_figures,
                                          find_names, sentence_at, sentence_spans)
from pipelines.contribute.lines import (DISTANCES, date_lines, draft_line, id_line, incident_field, number_text,
                                        quote_lines, resolution_note)
from pipelines.contribute.new_source import SUGGESTIONS_FILE, yaml_scalar
from pipelines.errors import UsageError
from pipelines.ingest.dates import WEEKDAYS, ResolvedDate
from pipelines.ingest.numbers import find_cue
from pipelines.schemas import is_country_code, load_tables

_ROUTE_WORDS = [
    (r"English Channel|(?<!\w)Channel(?!\w)", "english_channel"),
    (r"Central Mediterranean", "central_mediterranean"),
    (r"Eastern Mediterranean|Aegean", "eastern_mediterranean"),
    (r"Western Mediterranean", "western_mediterranean"),
    (r"Canary Islands|Canaries|West African|Atlantic route", "western_african"),
    (r"Balkan", "western_balkans"),
    (r"[Ee]astern land border", "eastern_land_borders"),
    (r"(?:all the|EU's external|EU external) (?:EU )?borders", "all_eu_external_borders"),
]
_DEATHS = re.compile(r"(?i)\b(?:died|dead|deaths?|drowned|killed|lost their lives|bodies)\b")
_INCIDENT = re.compile(r"(?i)capsiz|\bsank\b|\bsunk\b|shipwreck|ran into difficulty|drowned")
_NAME_USES = {"person_id": "participants, reported_by_person", "organisation_id": "reported_by, parties, oversight",
              "place_id": "place_id", "country": "destination_country, country, parties"}
_BOATS = {"boats", "boat", "dinghies", "dinghy", "vessels", "vessel"}
_FALL = r"drop|dropped|drops|fall|fell|falls|down|decrease[sd]?|decline[sd]?|lower|fewer|reduction"
_RISE = r"up|rise|rose|rises|increase[sd]?|higher|surge[sd]?|jump(?:ed|s)?|grew|growth"
_CHANGE_WORDS = re.compile(rf"(?i)\b(?:(?P<fall>{_FALL})|(?P<rise>{_RISE}))\b")


@dataclass
class Suggestions:
    source_id: str
    published: date
    text: str
    dates: list[DateFinding]
    figures: list[Figure]
    names: list[NameFinding]
    events: list[Draft] = field(default_factory=list)  # meetings, incidents, agreements
    probable: list[list[str]] = field(default_factory=list)  # for each event, the records it probably is


def make_suggestions(source_id: str, text: str, published: date, registries: dict, metadata: dict | None = None,
                     existing=()) -> Suggestions:
    """Drafts of a source's text. metadata (publisher, url) tells whose office "The Prime
    Minister" is; existing are the records of the other sources, for the look-alikes."""
    dates = find_dates(text, published)
    s = Suggestions(source_id, published, text, dates, find_figures(text, dates), find_names(text, registries))
    s.events = event_drafts(s, sentence_spans(text), registries, metadata or {})
    from pipelines.ingest.identity import identities_of_records

    identities = identities_of_records(existing, {})  # once, not once per draft
    s.probable = [probable_lines(d, identities, registries) for d in s.events]
    return s


# --- one draft -----------------------------------------------------------------------------

def _guess_route(sentence_text: str) -> tuple[str, str]:
    found = [(m.start(), route, m.group()) for pattern, route in _ROUTE_WORDS
             for m in [re.search(pattern, sentence_text)] if m]
    routes = sorted({route for _, route, _ in found})
    if len(routes) == 1:
        return routes[0], f'check: guessed from "{found[0][2]}"'
    return "<route>", ("one of " + ", ".join(routes)) if routes else "see the list of routes at the top"


def _signed_value(s: Suggestions, fig: Figure, sentence: tuple[int, int]) -> tuple[float, str]:
    value, m = fig.mention.value, fig.mention
    if m.unit != "per cent":
        return value, ""
    lo, hi = max(sentence[0], m.start - 60), min(sentence[1], m.end + 25)
    words = [(abs(w.start() + lo - m.start), w) for w in _CHANGE_WORDS.finditer(s.text[lo:hi])]
    if not words:
        return value, "check the sign: a fall is negative"
    word = min(words, key=lambda w: w[0])[1]
    return (-value, f'negative: "{word.group()}"') if word.group("fall") else (value, f'positive: "{word.group()}"')


def _span(r: ResolvedDate) -> str:
    return r.start.isoformat() if r.start == r.end else f"{r.start.isoformat()}..{r.end.isoformat()}"


def figure_draft(s: Suggestions, fig: Figure, spans) -> tuple[str, list[str]]:
    """(section, lines) of one draft record for a figure, not yet commented out."""
    m = fig.mention
    sentence = sentence_at(spans, m.start)
    sentence_text = s.text[sentence[0]:sentence[1]]
    pub = s.published.isoformat()
    count_field = "distance_offshore_km" if m.unit in DISTANCES else (
        incident_field(s, fig) if _INCIDENT.search(sentence_text) and m.unit != "per cent" else None)
    if count_field:
        lines = [draft_line(2, "- incident_id", f"<{pub}-place-what>",
                            "the event's date, place and kind, e.g. 2023-12-15-calais-capsize")]
        lines += date_lines(s, ("date",), m.start, sentence, 4)
        lines.append(draft_line(4, count_field, number_text(m.value), f'"{m.text}"'))
        if m.qualifier != "exact" and count_field == "people_aboard":
            lines.append(draft_line(4, "people_aboard_qualifier", m.qualifier,
                                    f'cue "{find_cue(m.qualifier, m.text)}"'))
        elif m.qualifier != "exact":
            lines.append(draft_line(4, "", f"# the text says {m.qualifier.replace('_', ' ')}: say so in description"))
        lines += [draft_line(4, "evidence", ""), *quote_lines(s.text, *sentence, 6)]
        return "incidents", lines

    words = m.text.lower().split()
    if words[-1] in ("double", "twice", "triple", "treble"):
        measure, why = "people_ratio", f'"{words[-1]}"'
    elif m.unit == "per cent":
        measure, why = "people_pct_change", "per cent (or boats_pct_change)"
    elif m.unit in _BOATS:
        measure, why = "boats", f'"{m.unit}"'
    elif _DEATHS.search(sentence_text):
        measure, why = "deaths", f'"{_DEATHS.search(sentence_text).group()}" (or an incident\'s dead)'
    else:
        measure, why = "people", f'"{m.unit}"' if m.unit else "no unit after the number"
    route, route_note = _guess_route(sentence_text)
    value, sign_note = _signed_value(s, fig, sentence)
    lines = [draft_line(2, "- crossing_id", f"<{pub}-route-measure-period>", "name it: lowercase words and hyphens"),
             draft_line(4, "route", route, route_note),
             id_line(s, "destination_country", "country", sentence, 4, "<XX or null>")]
    lines += date_lines(s, ("period_start", "period_end"), m.start, sentence, 4)
    lines += [draft_line(4, "measure", measure, f"check: {why}"),
              draft_line(4, "value", number_text(value), sign_note or f'"{m.text}"'),
              draft_line(4, "qualifier", m.qualifier,
                         f'cue "{find_cue(m.qualifier, m.text)}"' if m.qualifier != "exact"
                         else "no cue before the number")]
    if measure in ("people_pct_change", "people_ratio"):
        lines += [draft_line(4, "baseline_start", "null", "the period compared against, if the text gives it"),
                  draft_line(4, "baseline_end", "null")]
    if fig.rank is not None:
        lines.append(draft_line(4, "rank", number_text(fig.rank.value), f'"{fig.rank.text}"'))
        lines += date_lines(s, ("rank_period_start", "rank_period_end"), fig.rank.start, sentence, 4, after_only=True)
    lines.append(id_line(s, "reported_by", "organisation_id", sentence, 4, "null"))
    lines += [draft_line(4, "evidence", ""), *quote_lines(s.text, *sentence, 6)]
    return "crossings", lines


# --- the whole draft file ------------------------------------------------------------------

def _commented(lines: list[str]) -> list[str]:
    return [("# " + line).rstrip() for line in lines]


def render(s: Suggestions) -> str:
    tables = load_tables()
    spans = sentence_spans(s.text)
    weekday = WEEKDAYS[s.published.weekday()].title()
    out = [f"# Draft annotations for {s.source_id}, proposed by `borderlines suggest`.",
           "# NOTHING HERE IS IN THE DATASET. To use a draft: copy it into annotations.yaml under its",
           '# section, remove the "# " at the start of each line, replace every <placeholder>, check',
           '# every guess (marked "check") against the quote, and run `borderlines validate`.',
           f"# Dates are resolved against the publication date, {weekday} {s.published.isoformat()}.",
           "# routes: " + ", ".join(tables["crossings"].field("route").enum),
           "# measures: " + ", ".join(tables["crossings"].field("measure").enum), "#"]
    drafts: dict[str, list[list[str]]] = {}
    folded = {n: k for k, event in enumerate(s.events, 1) for n in event.figures}
    for n, fig in enumerate(s.figures, 1):
        if n in folded:
            drafts.setdefault("incidents", []).append([f"figure {n}: {fig.mention.text!r}: in event {folded[n]} below"])
            continue
        section, lines = figure_draft(s, fig, spans)
        drafts.setdefault(section, []).append([f"figure {n}: {fig.mention.text!r}"] + lines)
    out.append(f"# ---- {len(s.figures)} figure(s) ----")
    for section, records in drafts.items():
        out.append(f"# {section}:")
        for label, *lines in records:
            out += ["#", f"# {label}", *_commented(lines)]
    out += ["#", f"# ---- {len(s.events)} event(s): meetings, incidents, agreements ----"]
    for k, (event, probable) in enumerate(zip(s.events, s.probable), 1):
        out += ["#", f"# event {k}: {event.section}", *[f"# {line}" for line in probable],
                f"# {event.section}:", *_commented(event.lines)]
    out += ["#", f"# ---- {len(s.dates)} date phrase(s): use one as date, period_start, period_end, ... ----"]
    for n, d in enumerate(s.dates, 1):
        planned, resolved = d.if_planned, d.resolved
        differs = planned and resolved and (planned.start, planned.end) != (resolved.start, resolved.end)
        other = f"; if planned: {_span(planned)}" if differs else ""
        lines = [draft_line(4, "date", yaml_scalar(d.phrase), resolution_note(d, "date") + other),
                 draft_line(4, "evidence", ""), *quote_lines(s.text, *sentence_at(spans, d.start), 6)]
        out += ["#", f"# date {n}: {d.phrase!r}", *_commented(lines)]
    out += ["#", f"# ---- {len(s.names)} name(s) the registries know, and countries ----"]
    for name in s.names:
        start, end = name.matches[0]
        use = _NAME_USES[name.field]
        if name.field == "country" and not is_country_code(name.value):
            use = "parties, events"  # EU: an agreement's party, never a figure's or a place's country
        out += ["#", f'# {name.field}: {name.value}  ("{s.text[start:end]}", {len(name.matches)} mention(s); '
                     f"use in {use}), first in:", *_commented(quote_lines(s.text, *sentence_at(spans, start), 6))]
    return "\n".join(out) + "\n"


# --- the command ---------------------------------------------------------------------------

def load_for_suggestions(root: Path, source_id: str):
    """(Source, registries) of one source, or raise UsageError / return problems."""
    from pipelines.ingest.corpus import NEWS_DIR, Corpus, load_source, source_folders
    from pipelines.ingest.fields import did_you_mean
    from pipelines.ingest.problems import ProblemList
    from pipelines.ingest.registry import load_registries

    folder = root / NEWS_DIR / source_id
    if not source_id or "/" in source_id or not (folder / "source.yaml").is_file():
        hint = did_you_mean(source_id, [f.name for f in source_folders(root)])
        raise UsageError(f"there is no source {source_id!r} in {NEWS_DIR}/" + (f"; {hint}" if hint else ""))
    corpus = Corpus(root)
    load_source(corpus, folder)
    registries = load_registries(root, ProblemList())
    return corpus.sources.get(source_id), registries, corpus.problems


def _other_records(root: Path, source_id: str) -> list:
    """The checked records of every other source: what a draft may already be."""
    from pipelines.ingest.corpus import load_corpus

    return [r for r in load_corpus(root).records if r.source_id != source_id]


def suggest_command(root: Path, source_id: str, write: bool = False) -> int:
    source, registries, problems = load_for_suggestions(root, source_id)
    if source is None:
        print("\n".join(p.format_text() for p in sorted(problems)), file=sys.stderr)
        print("borderlines suggest: fix the source's metadata first (see above)", file=sys.stderr)
        return 1
    s = make_suggestions(source_id, source.text, source.metadata["published_date"], registries, source.metadata,
                         _other_records(root, source_id))
    text = render(s)
    if not write:
        print(text, end="")
        return 0
    target = root / source.folder / SUGGESTIONS_FILE
    target.write_text(text, encoding="utf-8")
    print(f"Wrote {source.folder}/{SUGGESTIONS_FILE}: {len(s.figures)} figure(s), {len(s.events)} event(s), "
          f"{len(s.dates)} date phrase(s), {len(s.names)} name(s). `validate` ignores this file; do not commit it.")
    return 0

