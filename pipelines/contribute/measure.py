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
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.contribute.suggest import make_suggestions
from pipelines.schemas import child_tables, load_tables

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


def measure_source(source, records, registries) -> dict[str, Score]:
    s = make_suggestions(source.source_id, source.text, source.metadata["published_date"], registries)
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
    """Scores per annotated source, and "total"."""
    from pipelines.ingest.corpus import load_corpus

    corpus = load_corpus(root)
    out, total = {}, {}
    for source_id, source in sorted(corpus.sources.items()):
        records = [r for r in corpus.records if r.source_id == source_id]
        if not records:
            continue
        out[source_id] = measure_source(source, records, corpus.registries)
        for key, score in out[source_id].items():
            total.setdefault(key, Score()).add(score)
    out["total"] = total
    return out


def measure_command(root: Path) -> int:
    """Print the scores of every annotated source under root, and the total."""
    results = measure(root)
    keys = list(results["total"])
    width = max(len(k) for k in results)
    print(f"{'source':<{width}}  " + "  ".join(f"{k:>20}" for k in keys))
    for source_id, scores in results.items():
        print(f"{source_id:<{width}}  " + "  ".join(f"{str(scores[k]):>20}" for k in keys))
    return 0
