"""How good are `borderlines suggest`'s drafts? Compare them with finished annotations.

    borderlines suggest --measure      # every annotated source in sources/news

Recall: the share of values in the final annotations.yaml that a draft proposed.
  - a numeric value (crossing value, incident dead, agreement capacity, rank, ...) counts
    as proposed when a figure with that value (sign aside) sits inside one of the record's
    quotes;
  - a date value counts as proposed when a date phrase inside one of the record's quotes
    resolves to that day (first day for start and single dates, last day for end dates,
    either as a past or as a planned event). Reported twice: for values written as a
    phrase, and for all date values (ISO ones too).
  - a registry id or country code used in a record counts as proposed when `suggest` named it.
Precision: the share of proposals that some record uses (by the same rules).

Records, per table (crossings, incidents, meetings, agreements): each draft record (a
figure's crossing or incident, a meeting, incident or agreement drafted whole) is matched to
at most one final record of the same table, and each final record to at most one draft:
- a draft and a record can match when one of the draft's quoted sentences overlaps one of
  the record's evidence quotes; of the possible pairs, those agreeing on the most proposed
  values are taken first, then the larger overlap, then the earlier draft and record;
- a matched draft is **kept unchanged** when the record has every value the draft proposes
  (placeholders such as <route> are not proposals; a date phrase is compared as the day
  it resolves to; a nested list, such as participants, as the set of its items on the keys
  the draft gives, nothing added or taken away), and **edited** otherwise; a field the
  annotator adds that the draft does not propose is no edit;
- a draft with no match was **dropped**; a final record with no draft was **missed**.
Precision is matched drafts / drafts, recall matched records / final records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.contribute.finders import sentence_at, sentence_spans
from pipelines.contribute.suggest import Suggestions, figure_draft, make_suggestions
from pipelines.ingest.dates import DateError, resolve_date
from pipelines.schemas import child_tables, load_tables

RECORD_TABLES = ("crossings", "incidents", "meetings", "agreements")

_NAME_KIND = {"person_id": "person_id", "reported_by_person": "person_id", "reported_by": "organisation_id",
              "oversight_organisation_id": "organisation_id", "organisation_id": "organisation_id",
              "place_id": "place_id", "country": "country", "destination_country": "country"}


@dataclass
class Score:
    found: int = 0
    total: int = 0

    def add(self, other: "Score") -> None:
        self.found += other.found
        self.total += other.total

    def __str__(self) -> str:
        share = f"{100 * self.found / self.total:.0f}%" if self.total else "n/a"
        return f"{self.found}/{self.total} ({share})"


@dataclass
class RecordScore:
    """Draft records of one table against the final records (see the module doc)."""
    drafted: int = 0
    unchanged: int = 0
    edited: int = 0
    dropped: int = 0
    missed: int = 0

    @property
    def matched(self) -> int:
        return self.unchanged + self.edited

    def add(self, other: "RecordScore") -> None:
        for name in ("drafted", "unchanged", "edited", "dropped", "missed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def precision(self) -> str:
        return f"{100 * self.matched / self.drafted:.0f}%" if self.drafted else "n/a"

    def recall(self) -> str:
        final = self.matched + self.missed
        return f"{100 * self.matched / final:.0f}%" if final else "n/a"


@dataclass
class DraftRecord:
    table: str
    quotes: list[tuple[int, int]]  # the sentences it quotes
    values: dict[str, Any] = field(default_factory=dict)  # as drafted, placeholders left out


def draft_records(s: Suggestions) -> list[DraftRecord]:
    """Every record `suggest` drafts for a source, as its YAML reads once uncommented."""
    import yaml

    spans = sentence_spans(s.text)
    folded = {n for event in s.events for n in event.figures}  # drafted inside an incident
    out = []
    for n, fig in enumerate(s.figures, 1):
        if n not in folded:
            section, lines = figure_draft(s, fig, spans)
            out.append((section, [sentence_at(spans, fig.mention.start)], lines))
    out += [(event.section, list(event.quotes), event.lines) for event in s.events]
    drafts = []
    for section, quotes, lines in out:
        try:
            [item] = yaml.safe_load("\n".join(lines))
        except (yaml.YAMLError, TypeError, ValueError):  # a draft that does not parse proposes nothing
            item = {}
        drafts.append(DraftRecord(section, quotes, _proposed(item if isinstance(item, dict) else {}, section)))
    return drafts


def _placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("<")


def _proposed(item: dict[str, Any], table: str) -> dict[str, Any]:
    """The values a draft proposes: not its id (a placeholder, or a guess made of the date,
    place and names), not its evidence, no placeholder."""
    id_field = load_tables()[table].annotation["id_field"]
    out: dict[str, Any] = {}
    for key, value in item.items():
        if key in (id_field, "evidence") or _placeholder(value):
            continue
        if isinstance(value, list):
            value = [{k: v for k, v in child.items() if not _placeholder(v)} for child in value if isinstance(child, dict)]
        out[key] = value
    return out


def _same(name: str, drafted: Any, final: Any, spec, published, planned: bool) -> bool:
    """Whether a drafted value is the final one: a date phrase as the day it resolves to."""
    if spec is not None and spec.type == "date" and drafted is not None:
        try:
            r = resolve_date(str(drafted), published, planned=planned)
        except DateError:
            return False
        drafted = r.end if name.endswith("_end") else r.start
    if final is None and spec is not None:  # left out: what the record then publishes
        final = spec.default if spec.default is not None else spec.merged_default
    if isinstance(drafted, (int, float)) and not isinstance(drafted, bool) and isinstance(final, (int, float)):
        return abs(drafted - final) < 1e-9
    return drafted == final


def _children_same(drafted: list[dict], final: list[dict], table, published) -> bool:
    """A nested list (participants, parties, events): each drafted item is a final item of
    its own on the keys the draft gives, and no final item is left over."""
    fields = {f.name: f for f in table.fields}
    unmatched = list(final)
    for child in drafted:
        planned = bool(child.get("is_planned"))
        hit = next((c for c in unmatched if all(_same(k, v, c.get(k), fields.get(k), published, planned)
                                                for k, v in child.items())), None)
        if hit is None:
            return False
        unmatched.remove(hit)
    return not unmatched


def agreeing(draft: DraftRecord, record, published) -> tuple[int, int]:
    """(values the record keeps, values the draft proposes)."""
    tables = load_tables()
    table = tables[record.table]
    children = child_tables(table)
    fields = {f.name: f for f in table.fields}
    planned = record.values.get("status") == "planned"
    kept = 0
    for name, value in draft.values.items():
        if name in children:
            kept += _children_same(value, record.children.get(name, []), children[name], published)
        else:
            kept += _same(name, value, record.values.get(name), fields.get(name), published, planned)
    return kept, len(draft.values)


def _overlap(quotes: list[tuple[int, int]], record) -> int:
    return sum(max(0, min(b, q.end) - max(a, q.start)) for a, b in quotes for q in record.evidence)


def score_records(drafts: list[DraftRecord], records, published) -> dict[str, RecordScore]:
    """Match drafts to final records, table by table (see the module doc), and count."""
    scores = {}
    for table in RECORD_TABLES:
        mine = [d for d in drafts if d.table == table]
        finals = [r for r in records if r.table == table]
        pairs = []
        for i, draft in enumerate(mine):
            for j, record in enumerate(finals):
                overlap = _overlap(draft.quotes, record)
                if overlap:
                    kept, proposed = agreeing(draft, record, published)
                    pairs.append((-kept, -overlap, i, j, kept == proposed))
        used_drafts, used_records, score = set(), set(), RecordScore(drafted=len(mine))
        for _, _, i, j, unchanged in sorted(pairs):
            if i in used_drafts or j in used_records:
                continue
            used_drafts.add(i)
            used_records.add(j)
            if unchanged:
                score.unchanged += 1
            else:
                score.edited += 1
        score.dropped = len(mine) - len(used_drafts)
        score.missed = len(finals) - len(used_records)
        scores[table] = score
    return scores


def _values(record):
    """(label, field name, value) of the record's own fields and of its nested lists."""
    tables = load_tables()
    table = tables[record.table]
    for name, value in record.values.items():
        yield name, name, value, table
    for key, child_table in child_tables(table).items():
        for j, child in enumerate(record.children.get(key, [])):
            for name, value in child.items():
                yield f"{key}[{j + 1}].{name}", name, value, child_table


def _inside(record, start: int, end: int) -> bool:
    return any(q.start <= start and end <= q.end for q in record.evidence)


def measure_source(source, records, registries) -> tuple[dict[str, Score], dict[str, RecordScore]]:
    """(value scores, record scores per table) of one source's drafts against its records."""
    s = make_suggestions(source.source_id, source.text, source.metadata["published_date"], registries)
    return value_scores(s, records), score_records(draft_records(s), records, s.published)


def value_scores(s: Suggestions, records) -> dict[str, Score]:
    figures = [(f.mention.value, f.number_end - 1) for f in s.figures]
    figures += [(f.rank.value, f.rank.end - 1) for f in s.figures if f.rank is not None]
    used_figures, used_dates, names_used = set(), set(), set()
    scores = {k: Score() for k in ("numbers recall", "numbers precision", "date phrases recall",
                                   "all dates recall", "dates precision", "names recall", "names precision")}
    for record in records:
        phrases = {label for label, _, _ in record.resolutions}
        for label, name, value, table in _values(record):
            spec = next((f for f in table.fields if f.name == name), None)
            if spec is None or value is None:
                continue
            if spec.type in ("integer", "number") and not isinstance(value, bool):
                hits = [i for i, (v, pos) in enumerate(figures)
                        if abs(v - abs(value)) < 1e-9 and _inside(record, pos, pos + 1)]
                used_figures.update(hits)
                scores["numbers recall"].add(Score(bool(hits), 1))
            elif spec.type == "date":
                hits = [i for i, d in enumerate(s.dates) if _inside(record, d.start, d.end) and any(
                    r is not None and (r.end if name.endswith("_end") else r.start) == value
                    for r in (d.resolved, d.if_planned))]
                used_dates.update(hits)
                scores["all dates recall"].add(Score(bool(hits), 1))
                if label in phrases:
                    scores["date phrases recall"].add(Score(bool(hits), 1))
            if name in _NAME_KIND and isinstance(value, str):
                names_used.add((_NAME_KIND[name], value))
    proposed_names = {(n.field, n.value) for n in s.names}
    scores["numbers precision"] = Score(len(used_figures), len(figures))
    scores["dates precision"] = Score(len(used_dates), len(s.dates))
    scores["names recall"] = Score(len(names_used & proposed_names), len(names_used))
    scores["names precision"] = Score(len(names_used & proposed_names), len(proposed_names))
    return scores


def measure(root: Path) -> dict[str, dict[str, Score]]:
    """Value scores per annotated source, and "total"."""
    return measure_all(root)[0]


def measure_all(root: Path) -> tuple[dict[str, dict[str, Score]], dict[str, dict[str, RecordScore]]]:
    """(value scores, record scores per table), each per annotated source and "total"."""
    from pipelines.ingest.corpus import load_corpus

    corpus = load_corpus(root)
    values, tables = {}, {}
    value_total: dict[str, Score] = {}
    table_total = {table: RecordScore() for table in RECORD_TABLES}
    for source_id, source in sorted(corpus.sources.items()):
        records = [r for r in corpus.records if r.source_id == source_id]
        if not records:
            continue
        values[source_id], tables[source_id] = measure_source(source, records, corpus.registries)
        for key, score in values[source_id].items():
            value_total.setdefault(key, Score()).add(score)
        for table, score in tables[source_id].items():
            table_total[table].add(score)
    values["total"], tables["total"] = value_total, table_total
    return values, tables


def measure_command(root: Path) -> int:
    """Print the scores of every annotated source under root, and the total: values, then
    records per table."""
    results, records = measure_all(root)
    keys = list(results["total"])
    width = max(len(k) for k in results)
    print(f"{'source':<{width}}  " + "  ".join(f"{k:>20}" for k in keys))
    for source_id, scores in results.items():
        print(f"{source_id:<{width}}  " + "  ".join(f"{str(scores[k]):>20}" for k in keys))
    print()
    print("Records per table: drafts matched to a final record (kept unchanged or edited), drafts dropped, "
          "final records missed (not drafted); precision = matched / drafted, recall = matched / final records.")
    columns = ("drafted", "unchanged", "edited", "dropped", "missed", "precision", "recall")
    print(f"{'source':<{width}}  {'table':<10}  " + "  ".join(f"{c:>9}" for c in columns))
    for source_id, scores in records.items():
        for table, score in scores.items():
            cells = [score.drafted, score.unchanged, score.edited, score.dropped, score.missed,
                     score.precision(), score.recall()]
            print(f"{source_id:<{width}}  {table:<10}  " + "  ".join(f"{c:>9}" for c in cells))
    return 0
