"""A synthetic corpus with the repository's layout, deterministic from a seed.

    generate_corpus(root, n_sources, seed=0, errors_per_kind=0, workers=None)

writes root/sources/registry/*.yaml and root/sources/news/<source_id>/{article, source.yaml,
annotations.yaml}. Every source is drawn from its own random generator (seeded by the
corpus seed and its index), and the incidents and meetings it reports from the corpus'
events (events.py: drawn once for the corpus size, so that distinct events never look
alike and a shared id is one event), so a source's files do not depend on how the work is
split across processes. With errors_per_kind = N, N records of each kind
in ERROR_KINDS are broken so that `borderlines validate` reports exactly N problems with
that code (each in a different source, so they cannot interact).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import articles, events, vocab
from benchmarks.articles import Rec
from benchmarks.events import DAYS, FIRST_DAY
from benchmarks.inject import ERROR_KINDS, copy_an_incident, inject

TOPICS = ("channel-crossings", "mediterranean-rescue", "migration-talks", "returns-deal", "small-boats",
          "border-figures", "asylum-policy", "coastguard-report")
PUBLISHERS = ("The Harbour Gazette", "Continental Post", "Evening Ledger", "Morning Courier", "Coastal Times")
SECTIONS = ("crossings", "incidents", "meetings", "agreements")
_PLAIN = re.compile(r"[A-Za-z0-9][\w .'’()-]*[\w.)’]|\w")
_PLAIN_BLOCK = re.compile(r"[A-Za-z0-9][\w .,'’“”()%-]*[\w.)’”%]|\w")
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}


@dataclass
class GeneratedCorpus:
    root: Path
    sources: int = 0
    records: Counter = field(default_factory=Counter)  # section -> records written
    injected: Counter = field(default_factory=Counter)  # problem code -> records broken
    bytes: int = 0


def identity(seed: int, i: int) -> tuple[dt.date, str]:
    """Publication date and id of source i (drawn apart from its content, so that another
    source can name one of its record ids without generating it)."""
    rng = random.Random(seed * 4_000_037 + 2 * i + 1)
    pub = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
    return pub, f"{pub.isoformat()}-{rng.choice(TOPICS)}-{i:06d}"


def crossing_id(source_id: str, k: int) -> str:
    return f"{source_id}-crossing-{k + 1}"


def error_plan(n_sources: int, errors_per_kind: int) -> dict[int, str]:
    """Source index -> error kind: spread evenly, one broken record per source at most."""
    total = errors_per_kind * len(ERROR_KINDS)
    if total > n_sources:
        raise ValueError(f"{total} broken records need at least as many sources (got {n_sources})")
    if errors_per_kind and n_sources < 2:
        raise ValueError("duplicate ids need two sources")
    return {(j * n_sources) // total: ERROR_KINDS[j % len(ERROR_KINDS)] for j in range(total)}


def make_records(rng: random.Random, pub: dt.date, source_id: str, planned: events.SourcePlan,
                 shared: dict) -> list[Rec]:
    """About 20 records, none of whose quotes occurs in another's sentences. The incidents and
    meetings report the events of `planned`; `shared`: the facts of shared ids."""
    plan = [("crossings", k) for k in range(planned.n_crossings)]
    plan += [("incidents", k) for k in range(len(planned.incidents))]
    plan += [("meetings", k) for k in range(len(planned.meetings))]
    chosen = rng.sample(articles.AGREEMENTS, planned.n_agreements)
    records: list[Rec] = []
    for section, k in plan + [("agreements", k) for k in range(planned.n_agreements)]:
        for _ in range(50):
            if section == "crossings":
                rec = articles.crossing(rng, pub, crossing_id(source_id, k))
            elif section == "agreements":
                rec = articles.agreement(rng, pub, chosen[k])
            else:
                kind = section[:-1]
                rid, facts = getattr(planned, section)[k]
                rid = rid or f"{source_id}-{kind}-{k + 1}"
                rec = getattr(articles, kind)(rng, pub, rid, facts or shared[rid])
            if _fits(rec, records):
                break
        else:
            if section in ("incidents", "meetings"):
                # Two events of one source whose facts read alike (at 100,000 sources this
                # happens): quotes could not tell them apart, so this source leaves one out.
                continue
            raise RuntimeError(f"{source_id}: could not draw a record with unique quotes")
        records.append(rec)
    return records


def _fits(rec: Rec, records: list[Rec]) -> bool:
    """True when no quote of rec is in an earlier record's sentences, nor the reverse."""
    new_text = " ".join(rec.sentences)
    for other in records:
        old_text = " ".join(other.sentences)
        if any(q in old_text for q, _ in rec.quotes) or any(q in new_text for q, _ in other.quotes):
            return False
    return all(new_text.count(q) == 1 for q, _ in rec.quotes)


def article(rng: random.Random, title: str, records: list[Rec], html: bool) -> tuple[str, str]:
    """(raw file, its plain text): records' sentences in paragraphs, with filler sentences."""
    blocks = [r.sentences for r in records] + [[f] for f in rng.sample(articles.FILLERS, rng.randint(3, 6))]
    rng.shuffle(blocks)
    paragraphs, current = [], []
    for block in blocks:
        current += block
        if len(current) >= rng.randint(2, 4):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    plain = "\n".join([title, *paragraphs])
    if not html:
        return title + "\n\n" + "\n\n".join(paragraphs) + "\n", plain
    links = {name: href for r in records for name, href in r.links}
    body = []
    for p in paragraphs:
        for name in [n for n in links if n in p][:2]:
            p = p.replace(name, f'<a href="{links[name]}">{name}</a>', 1)
        body.append(f"<p>{p}</p>")
    return f"<article>\n<h1>{title}</h1>\n" + "\n".join(body) + "\n</article>\n", plain


def _scalar(value, flow: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    # Plain (unquoted) where YAML would read it back as the same string, as people write it:
    # with a letter (so not a number or a date), no ": " or " #", no comma inside {...}.
    if ((_PLAIN if flow else _PLAIN_BLOCK).fullmatch(value) and value.lower() not in _YAML_WORDS
            and ": " not in value and " #" not in value and any(c.isalpha() for c in value)):
        return value
    # A JSON string is a valid YAML double-quoted scalar.
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def annotations_yaml(source_id: str, records: list[Rec]) -> str:
    out = [f"source_id: {source_id}\n"]
    for section in SECTIONS:
        mine = [r for r in records if r.section == section]
        if not mine:
            continue
        out.append(f"\n{section}:\n")
        for r in mine:
            lead = "  - "
            for key, value in r.fields.items():
                out.append(f"{lead}{key}: {_scalar(value)}\n")
                lead = "    "
            for key, items in r.children.items():
                if not items:
                    out.append(f"    {key}: []\n")
                    continue
                out.append(f"    {key}:\n")
                for item in items:
                    out.append("      - {" + ", ".join(f"{k}: {_scalar(v, flow=True)}" for k, v in item.items()) + "}\n")
            out.append("    evidence:\n")
            for quote, supports in r.quotes:
                if supports is None:
                    out.append(f"      - {_scalar(quote)}\n")
                else:
                    out.append(f"      - quote: {_scalar(quote)}\n        fields: [{', '.join(supports)}]\n")
    return "".join(out)


def write_source(news: Path, seed: int, i: int, n_sources: int, error: str | None) -> tuple[Counter, int]:
    """Write source i; returns (records per section, bytes written)."""
    pub, source_id = identity(seed, i)
    rng = random.Random(seed * 4_000_037 + 2 * i)
    happened = events.plan(seed, n_sources)
    planned = happened.sources[i]
    if error == "look-alike":
        planned = copy_an_incident(planned, happened, i, lambda k: identity(seed, k)[0])
    records = make_records(rng, pub, source_id, planned, happened.shared)
    html = rng.random() < 0.5
    title = f"{rng.choice(('Latest', 'Update', 'Analysis', 'Explainer'))}: {source_id[11:-7].replace('-', ' ')}"
    raw, plain = article(rng, title, records, html)
    if error:
        inject(error, records, plain, identity(seed, (i + 1) % n_sources)[1])
    for rec in records:
        for quote, _ in rec.quotes:  # the construction's promise, checked: every quote once
            if plain.count(quote) != 1 and not (error == "quote-not-found" and quote not in plain):
                raise AssertionError(f"{source_id}: quote occurs {plain.count(quote)} times: {quote!r}")
    raw_bytes = raw.encode("utf-8")
    raw_name = f"{i:03d}_{hashlib.sha1(raw_bytes).hexdigest()[:16]}.{'html' if html else 'txt'}"
    meta = (f"source_id: {source_id}\ntitle: {_scalar(title)}\npublisher: {_scalar(rng.choice(PUBLISHERS))}\n"
            f"url: https://news.example.org/{source_id}\npublished_date: {pub.isoformat()}\n"
            f"published_date_method: stated\nlanguage: en\n"
            f"retrieved_date: {(pub + dt.timedelta(days=rng.randrange(1, 30))).isoformat()}\n"
            f"rights: Synthetic text generated for benchmarks.\nraw_file: {raw_name}\n"
            f"raw_format: {'html' if html else 'text'}\nraw_sha256: {hashlib.sha256(raw_bytes).hexdigest()}\n")
    notes = annotations_yaml(source_id, records).encode("utf-8")
    folder = news / source_id
    os.mkdir(folder)
    for name, data in ((raw_name, raw_bytes), ("source.yaml", meta.encode("utf-8")), ("annotations.yaml", notes)):
        with open(folder / name, "wb") as handle:
            handle.write(data)
    return Counter(r.section for r in records), len(raw_bytes) + len(meta) + len(notes)


def _write_chunk(args) -> tuple[Counter, int]:
    news, seed, indices, n_sources, plan = args
    records, size = Counter(), 0
    for i in indices:
        counts, written = write_source(news, seed, i, n_sources, plan.get(i))
        records.update(counts)
        size += written
    return records, size


def generate_corpus(root: Path, n_sources: int, seed: int = 0, errors_per_kind: int = 0,
                    workers: int | None = None) -> GeneratedCorpus:
    root = Path(root)
    plan = error_plan(n_sources, errors_per_kind)
    vocab.write_registries(root)
    news = root / "sources" / "news"
    news.mkdir(parents=True, exist_ok=True)
    workers = workers or min(os.cpu_count() or 1, 8)
    chunk = 500
    jobs = [(news, seed, range(s, min(s + chunk, n_sources)), n_sources, plan) for s in range(0, n_sources, chunk)]
    result = GeneratedCorpus(root, n_sources, injected=Counter(plan.values()))
    events.plan(seed, n_sources)  # drawn once, before the workers fork: they inherit it
    if workers == 1 or len(jobs) == 1:
        parts = map(_write_chunk, jobs)
    else:  # fork: children inherit the modules and the events; a source depends on (seed, i, n_sources) only
        pool = multiprocessing.get_context("fork").Pool(workers)
        parts = pool.imap_unordered(_write_chunk, jobs)
    for counts, size in parts:
        result.records.update(counts)
        result.bytes += size
    if workers != 1 and len(jobs) > 1:
        pool.close()
        pool.join()
    return result
