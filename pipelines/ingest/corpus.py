"""Load and check the whole corpus: registries, news sources and their annotations.

`load_corpus` is the one entry point shared by `borderlines validate` and the Dagster
assets: both get the same records and the same problems from it.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Collection, Iterable, Sequence

from pipelines.errors import UsageError
from pipelines.hashing import DRAFTS, is_editor_litter
from pipelines.ingest.canonical import Link, canonical_text, sha256_hex
from pipelines.ingest.dates import FIRST_YEAR, LAST_YEAR
from pipelines.ingest.fields import check_mapping, did_you_mean
from pipelines.ingest.identity import Identity, check_identities, identities_of_records
from pipelines.ingest.parallel import fewer_collections, map_in_order
from pipelines.ingest.problems import ProblemList
from pipelines.ingest.offices import REGISTRY_TABLE as OFFICES, Offices
from pipelines.ingest.records import Record, SourceContext, check_record
from pipelines.ingest.registry import load_registries
from pipelines.ingest.yamlfile import check_folder, exists, load_contributor_yaml, read_bytes
from pipelines.schemas import annotated_tables, load_tables

NEWS_DIR = "sources/news"
METADATA_FILE = "source.yaml"
ANNOTATION_FILE = "annotations.yaml"
MAX_RAW_BYTES = 5_000_000  # a news article is tens of kB
# http(s)://host[:port][/path...]: what the published `url` (format uri) and a reader need.
# In a file or folder name, these would break the line of a report (and a line of the CI log
# that starts with "::" is a workflow command): such a name is refused, and shown escaped.
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029\ud800-\udfff]")  # surrogates: bytes not UTF-8


@dataclass
class Source:
    source_id: str
    folder: str  # relative to the repository root
    metadata: dict
    text: str
    links: list[Link]
    text_sha256: str
    # Where source.yaml gives its registry references (publisher_id): they are checked with
    # the annotations, which know the registries (check_source_references).
    reference_positions: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass
class Corpus:
    root: Path
    registries: dict[str, list[dict]] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)
    problems: ProblemList = field(default_factory=ProblemList)
    record_count: int = 0  # records checked, kept in `records` or not (see load_corpus)
    identities: list[Identity] = field(default_factory=list)  # of meetings, incidents, agreements (ingest.identity)

    def registry_ids(self) -> dict[str, set[str]]:
        tables = load_tables()
        return {name: {row[tables[name].primary_key[0]] for row in rows} for name, rows in self.registries.items()}

    def places(self) -> dict[str, tuple[str, str | None]]:
        """place_id -> (name, country), for the checks of a record's place (ingest.meaning)."""
        return {row["place_id"]: (row.get("name", ""), row.get("country")) for row in self.registries.get("places", [])}

    def venues(self) -> dict[str, str | None]:
        """venue place_id -> its city (parent_place_id), for the checks of a meeting's venue. An
        entry whose place_type was refused (reported on the registry) counts as a venue, so that
        its meetings are not refused for the registry's mistake too."""
        return {row["place_id"]: row.get("parent_place_id") for row in self.registries.get("places", [])
                if row.get("place_type", "venue") == "venue"}

    def context(self) -> tuple:
        """What checking a record needs of the registries (registry ids, places, venues,
        offices), to send to the workers that check other sources (ids_of_other_sources)."""
        return self.registry_ids(), self.places(), self.venues(), self.offices()

    def offices(self) -> Offices:
        """Terms of office and people, for the participants a quote names by office (ingest.offices)."""
        return Offices(self.registries.get(OFFICES, []), self.registries.get("people", []))


def find_root(start: Path) -> Path:
    """The corpus root: the nearest folder up from start that has sources/registry/."""
    for folder in [start, *start.parents]:
        if (folder / "sources" / "registry").is_dir():
            return folder
    raise UsageError(f"{start} is not inside a Borderlines repository (no sources/registry/ folder found)")


def source_folders(root: Path) -> list[Path]:
    """The entries of sources/news/ that are not plain files: folders, and links or special
    files (FIFO, device, socket), which _read_source reports without reading them. If
    sources/news/ is itself a link, it is the one entry (and reported so); if sources/ is a
    link, there are none (load_registries reports it)."""
    news = root / NEWS_DIR
    try:
        if stat.S_ISLNK(os.lstat(root / "sources").st_mode):
            return []
        if not stat.S_ISDIR(os.lstat(news).st_mode):
            return [news]
    except (OSError, ValueError):
        return []
    with os.scandir(news) as entries:  # the type comes with the entry: no stat per folder
        return sorted(Path(entry.path) for entry in entries if not entry.is_file(follow_symlinks=False))


def load_corpus(root: Path, only: Iterable[Path] | None = None, keep_records: bool = True) -> Corpus:
    """Check the registries and every source folder (or only the folders given).

    keep_records=False leaves corpus.records empty (record_count still counts them):
    sending every record back from the workers was a tenth of `validate` on a large corpus."""
    corpus = Corpus(Path(root))
    corpus.registries = load_registries(corpus.root, corpus.problems)
    folders = source_folders(corpus.root) if only is None else sorted(set(only))
    check = functools.partial(check_folders, corpus.root, corpus.context(), None if keep_records else _drop)
    with fewer_collections():
        checks = (one for part, _ in map_in_order(check, folders) for one in part)
        # The identity guard compares each record with every other: for only some folders, the
        # caller compares them with the rest (changes.check_against_other_sources).
        admit(corpus, checks, whole=only is None)
    return corpus


def _drop(records: list[Record], sources: Sequence[Source]) -> None:
    """The `convert` of a caller that needs only the problems and the number of records."""
    return None


@dataclass
class FolderCheck:
    """One source folder read and checked on its own: everything it gives that does not
    depend on the other folders (those checks are `admit`'s). The build stores it per
    folder and makes it again only for a folder whose files changed (core/checked.py)."""

    folder: str  # relative to the root
    read: SourceFolderRead  # source.yaml and the raw file (read.source is not stored by the build)
    has_source: bool  # source.yaml and the raw file were read: the annotations were checked
    problems: ProblemList = field(default_factory=ProblemList)  # of the annotation file
    record_count: int = 0
    ids: list[tuple[str, str, str, int]] = field(default_factory=list)  # per_source_ids
    identities: list[Identity] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)  # kept only when there is no convert


def check_folders(root: Path, corpus_context: tuple, convert: Callable[[list[Record], Sequence[Source]], Any] | None,
                  folders: Sequence[Path]) -> tuple[list[FolderCheck], Any]:
    """Read each folder's source and check its annotations (in a worker process on a large
    corpus: ingest.parallel). corpus_context: Corpus.context() (the registries' part).

    With `convert`, the records of all these folders go to convert(records, sources) here,
    and its result is returned beside the checks (which then keep no records): the build
    keeps compact Arrow tables, not 20 Python objects per record."""
    registry_ids, places, venues, offices = corpus_context
    checks, records, sources = [], [], []
    with fewer_collections():
        for folder in folders:
            read = _read_source(root, folder)
            check = FolderCheck(_rel(root, folder), read, read.source is not None)
            if read.source is not None:
                mine, check.record_count, check.ids, check.problems, check.identities = _annotate(
                    root, registry_ids, None, [read.source], places, venues, offices)
                if convert is None:
                    check.records = mine
                else:
                    records.extend(mine)
                    sources.append(read.source)
            checks.append(check)
    return checks, (convert(records, sources) if convert is not None else None)


def admit(corpus: Corpus, checks: Iterable[FolderCheck], whole: bool = True) -> list[str]:
    """Gather checked folders, in folder order, into the corpus (`gather`), then the
    corpus-wide ids and (for the whole corpus) the identity guard. Returns the folders
    admitted. The build makes the same checks from what it keeps (core/checked.py)."""
    ids: list[tuple[str, str, str, int]] = []
    admitted = gather(corpus, checks, ids)
    check_corpus_ids(corpus.problems, ids)
    if whole:
        check_identities(corpus.problems, corpus.identities, corpus.registries)
    return admitted


def gather(corpus: Corpus, checks: Iterable[FolderCheck], ids: list[tuple[str, str, str, int]]) -> list[str]:
    """Checked folders, in folder order, into the corpus: the first folder to claim a
    source_id keeps it (a later one is reported and left out). The per-source ids of the
    folders admitted are added to `ids`. Returns the folders admitted."""
    admitted: dict[str, str] = {}  # source_id -> folder
    for check in checks:
        source_id = _claim(corpus.problems, check.read, admitted.get)
        if source_id is None or not check.has_source:
            continue
        admitted[source_id] = check.folder
        if check.read.source is not None:
            corpus.sources[source_id] = check.read.source
        corpus.record_count += check.record_count
        corpus.records.extend(check.records)
        corpus.problems.extend(check.problems)
        corpus.identities.extend(check.identities)
        ids.extend(check.ids)
    return list(admitted.values())


def _annotate(root: Path, registry_ids: dict[str, set[str]], convert, sources: Sequence[Source],
              places: dict[str, tuple[str, str | None]] | None = None,
              venues: dict[str, str | None] | None = None,
              offices: Offices | None = None, tables: Collection[str] | None = None,
              anchor: bool = True) -> tuple[Any, int, list, ProblemList, list[Identity]]:
    """Records (or what convert makes of them), their number, ids for the corpus-wide check,
    problems of some sources' annotation files, and their records' identities (in a
    worker process on a large corpus). tables and anchor: see load_annotations."""
    part = Corpus(root)
    with fewer_collections():
        for source in sources:
            check_source_references(source, registry_ids, part.problems)
            ctx = SourceContext(source.source_id, source.metadata["published_date"], source.text, registry_ids,
                                places or {}, venues or {}, offices)
            load_annotations(part, root / source.folder, source.folder, ctx, tables, anchor)
    ids = per_source_ids(part.records)
    identities = identities_of_records(part.records, {s.source_id: s.metadata["published_date"] for s in sources})
    out = part.records if convert is None else convert(part.records, sources)
    return out, len(part.records), ids, part.problems, identities


def ids_of_other_sources(root: Path, corpus_context: tuple, tables: Collection[str],
                         folders: Sequence[Path]) -> tuple[list[tuple[str, str, str, int]], list[Identity]]:
    """per_source_ids and identities of the records of `tables` in these source folders, read
    and checked as load_corpus does, for sources that are not themselves being checked (their
    problems are dropped). Their quotes are not anchored: no id or identity depends on them.
    corpus_context: Corpus.context() of the corpus they belong to."""
    part = Corpus(root)
    for folder in folders:
        load_source(part, folder)
    registry_ids, places, venues, offices = corpus_context
    found = _annotate(root, registry_ids, _drop, list(part.sources.values()), places, venues, offices, tables,
                      anchor=False)
    return found[2], found[4]


def _rel(root: Path, path: Path) -> str:
    # The last part is not resolved: a link is reported under its own name, not its target's.
    try:
        return path.relative_to(root).as_posix()  # the usual case: no system call
    except ValueError:
        pass
    try:
        return (path.parent.resolve() / path.name).relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass
class SourceFolderRead:
    """What one folder gives, split at the corpus-wide check that its source_id is not taken."""

    problems: ProblemList  # found before that check: always reported
    claim: tuple[str, str, tuple[int, int]] | None = None  # source_id, metadata file, position of the id
    later: ProblemList = field(default_factory=ProblemList)  # found after (raw file): dropped if the id is taken
    source: Source | None = None


def load_source(corpus: Corpus, folder: Path) -> None:
    _admit(corpus, _read_source(corpus.root, folder))


def _admit(corpus: Corpus, found: SourceFolderRead) -> None:
    held = corpus.sources.get
    source_id = _claim(corpus.problems, found, lambda key: held(key).folder if held(key) else None)
    if source_id is not None and found.source is not None:
        corpus.sources[source_id] = found.source


def _claim(problems: ProblemList, found: SourceFolderRead, holder: Callable[[str], str | None]) -> str | None:
    """The corpus-wide rule on a folder's source_id: the folder's own problems are reported;
    when the id is already held (holder(source_id): the folder that holds it, or None) that
    is reported too and the folder is left out (None, its later problems dropped); otherwise
    its id."""
    problems.extend(found.problems)
    if found.claim is None:
        return None
    source_id, meta_rel, position = found.claim
    if holder(source_id) is not None:
        problems.add(meta_rel, *position, "duplicate-id",
                     f"source_id {source_id!r} is also used by {holder(source_id)}", "choose another id")
        return None
    problems.extend(found.later)
    return source_id


def _read_source(root: Path, folder: Path) -> SourceFolderRead:
    """Everything one source folder gives that does not depend on the other folders."""
    found = SourceFolderRead(ProblemList())
    problems = found.problems
    rel_folder = _rel(root, folder)
    meta_rel = f"{rel_folder}/{METADATA_FILE}"
    if _NAME_CONTROL.search(rel_folder):
        problems.add(_escaped(rel_folder), 0, 0, "bad-file-name",
                     "the folder's name has control characters (a line break, a tab, ...) or bytes that are not UTF-8; it was not read",
                     "rename the folder to its source_id")
        return found
    if not check_folder(folder, rel_folder, problems):
        return found
    if not exists(folder / METADATA_FILE):
        problems.add(meta_rel, 0, 0, "missing-file", f"the source folder has no {METADATA_FILE}",
                     "run `borderlines new-source` or copy the example in CONTRIBUTING.md")
        return found
    doc = load_contributor_yaml(folder / METADATA_FILE, meta_rel, problems)
    if doc is None:
        return found
    sources_table = load_tables()["sources"]
    fields = sources_table.annotated_fields()
    meta = check_mapping(doc, (), doc.data, fields, {f.name for f in fields if f.annotation == "required"},
                         problems, METADATA_FILE)
    if meta is None or not {"source_id", "published_date", "raw_file", "raw_format", "raw_sha256"} <= set(meta):
        return found
    source_id = meta["source_id"]
    if source_id != folder.name:
        problems.add(meta_rel, *doc.position("source_id"), "id-mismatch",
                     f"source_id {source_id!r} differs from the folder name {folder.name!r}", "rename one to match the other")
    try:
        published = dt.date.fromisoformat(meta["published_date"])
    except ValueError:
        problems.add(meta_rel, *doc.position("published_date"), "bad-date",
                     f"published_date {meta['published_date']!r} is not a date", "write it as YYYY-MM-DD")
        return found
    if not FIRST_YEAR <= published.year <= LAST_YEAR:
        problems.add(meta_rel, *doc.position("published_date"), "bad-value", _out_of_range("published_date", published),
                     "check the year", meta["published_date"])
        return found
    meta["published_date"] = published
    for name in ("retrieved_date",):
        if name in meta:
            try:
                meta[name] = dt.date.fromisoformat(meta[name])
            except ValueError:
                problems.add(meta_rel, *doc.position(name), "bad-date", f"{name} {meta[name]!r} is not a date", "write it as YYYY-MM-DD")
                del meta[name]
                continue
            if not FIRST_YEAR <= meta[name].year <= LAST_YEAR:
                problems.add(meta_rel, *doc.position(name), "bad-value", _out_of_range(name, meta[name]), "check the year")
                del meta[name]
    if str(meta.get("published_date_method") or "").startswith("inferred") and not meta.get("published_date_note"):
        problems.add(meta_rel, *doc.position("published_date_method"), "missing-field",
                     "an inferred publication date needs published_date_note", "say how the date was worked out, quoting the words")
    found.claim = (source_id, meta_rel, doc.position("source_id"))
    text = _read_raw(folder, meta, meta_rel, doc, found.later)
    if text is not None:
        canonical, links = text
        references = {fk["fields"][0]: doc.position(fk["fields"][0]) for fk in sources_table.foreign_keys
                      if meta.get(fk["fields"][0]) is not None}
        found.source = Source(source_id, rel_folder, meta, canonical, links, sha256_hex(canonical.encode("utf-8")),
                              references)
    return found


def check_source_references(source: Source, registry_ids: dict[str, set[str]], problems: ProblemList) -> None:
    """The registry ids source.yaml names (publisher_id) exist, as an annotation's must."""
    for fk in load_tables()["sources"].foreign_keys:
        name, registry = fk["fields"][0], fk["reference"]["resource"]
        value = source.metadata.get(name)
        if value is None or registry not in registry_ids or value in registry_ids[registry]:
            continue
        problems.add(f"{source.folder}/{METADATA_FILE}", *source.reference_positions.get(name, (0, 0)), "unknown-id",
                     f"{name} {value!r} is not in the {registry} registry",
                     " ".join(filter(None, [did_you_mean(value, registry_ids[registry]),
                                            f"add it to sources/registry/{registry}.yaml, or write null"])), value)


def _escaped(text: str) -> str:
    """text with its control characters written as escapes (a line break as \\n)."""
    return _NAME_CONTROL.sub(lambda found: repr(found.group())[1:-1], text)


def _out_of_range(name: str, day: dt.date) -> str:
    return f"{name} {day.isoformat()} is out of range: dates go from {FIRST_YEAR} to {LAST_YEAR}"



def _read_raw(folder, meta, meta_rel, doc, problems) -> tuple[str, list[Link]] | None:
    name = meta["raw_file"]
    raw_path = folder / name
    raw_rel = f"{meta_rel.rsplit('/', 1)[0]}/{name}"
    position = doc.position("raw_file")
    if _NAME_CONTROL.search(name):
        problems.add(meta_rel, *position, "bad-file-name", f"raw_file {name!r} has control characters (a line break, ...)",
                     "rename the raw file, and write its new name here")
        return None
    if "/" in name or "\\" in name or name in ("", ".", "..") or not exists(raw_path):
        problems.add(meta_rel, *position, "missing-file", f"raw file {name!r} is not in the source folder",
                     "raw_file names a file next to source.yaml")
        return None
    if name in (METADATA_FILE, ANNOTATION_FILE):
        problems.add(meta_rel, *position, "bad-value", f"raw_file names {name}, not the article",
                     "raw_file names the article's own file, next to source.yaml")
        return None
    if is_editor_litter(name) or name == DRAFTS:
        # The build and a release track a source's files by name and leave these out
        # (hashing.walk_files): an article so named would change unseen.
        problems.add(meta_rel, *position, "bad-file-name",
                     f"raw_file {name!r} is named like an editor's backup, a hidden file or a draft",
                     "rename the raw file (no leading '.' or '#', no trailing '~'), and write its new name here")
        return None
    raw = read_bytes(raw_path, problems, raw_rel, max_bytes=MAX_RAW_BYTES, what="the raw file",
                     too_large_hint="add the article text only, not a whole web page with its assets")
    if raw is None:
        return None
    digest = sha256_hex(raw)
    if digest != meta["raw_sha256"]:
        # On the file that changed (line 0: the whole file), not on source.yaml.
        problems.add(raw_rel, 0, 0, "hash-mismatch",
                     f"the raw file's sha256 is {digest}, not the {meta['raw_sha256']} recorded in {METADATA_FILE} "
                     f"(line {doc.position('raw_sha256')[0]})",
                     "raw files are kept byte for byte: restore the original file, or record the hash of a new one")
    try:
        return canonical_text(raw, meta["raw_format"])
    except UnicodeDecodeError as err:
        problems.add(raw_rel, raw[: err.start].count(b"\n") + 1, 0, "not-utf8",
                     f"the raw file is not valid UTF-8 (byte 0x{raw[err.start]:02x} at offset {err.start})",
                     "convert the article to UTF-8 before adding it (e.g. `iconv -f latin1 -t utf-8`)")
        return None


def load_annotations(corpus: Corpus, folder: Path, rel_folder: str, ctx: SourceContext,
                     tables: Collection[str] | None = None, anchor: bool = True) -> None:
    """The records of one annotation file (only those of `tables`, if given), checked and,
    unless anchor=False (records.check_record), anchored."""
    problems = corpus.problems
    rel = f"{rel_folder}/{ANNOTATION_FILE}"
    if not exists(folder / ANNOTATION_FILE):
        problems.add(rel, 0, 0, "missing-file", f"the source has no {ANNOTATION_FILE}", "create it; see CONTRIBUTING.md")
        return
    doc = load_contributor_yaml(folder / ANNOTATION_FILE, rel, problems)
    if doc is None:
        return
    if not isinstance(doc.data, dict):
        problems.add(rel, 1, 1, "wrong-type", "an annotation file must be a mapping with source_id and sections",
                     "see the example in CONTRIBUTING.md")
        return
    sections = annotated_tables()
    for key in doc.data:
        if key != "source_id" and key not in sections:
            problems.add(rel, *doc.key_position(key), "unknown-key", f"unknown section {key!r}",
                         did_you_mean(key, list(sections)) or "sections: " + ", ".join(sections))
    if doc.data.get("source_id") != ctx.source_id:
        problems.add(rel, *doc.position("source_id"), "id-mismatch",
                     f"source_id {doc.data.get('source_id')!r} differs from source.yaml's {ctx.source_id!r}",
                     "use the folder's source id")
    for section, table in sections.items():
        items = doc.data.get(section)
        if items is None or (tables is not None and table.name not in tables):
            continue
        if not isinstance(items, list):
            problems.add(rel, *doc.position(section), "wrong-type", f"{section} must be a list of records",
                         "start each record with '- '")
            continue
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            record = check_record(doc, section, i, item, table, ctx, problems, anchor)
            if record is None:
                continue
            if record.record_id in seen:
                problems.add(rel, record.line, 1, "duplicate-record",
                             f"{section} {record.record_id!r} is already stated on line {seen[record.record_id]} of this file",
                             "a source states each record once: merge the two")
                continue
            seen[record.record_id] = record.line
            corpus.records.append(record)


def per_source_tables() -> dict[str, str]:
    """Id field of each per-source table, looked up once rather than once per record."""
    return {name: t.annotation["id_field"] for name, t in load_tables().items()
            if t.annotation.get("merge") == "per_source"}


def per_source_ids(records: Iterable[Record]) -> list[tuple[str, str, str, int]]:
    """(table, record_id, path, line) of the records whose ids must be unique across the corpus."""
    per_source = per_source_tables()
    # A record whose id is missing or invalid (reported already) has a placeholder id such as
    # "<crossings[1]>", which would otherwise clash with the same placeholder in another source.
    return [(r.table, r.record_id, r.path, r.line) for r in records
            if r.table in per_source and per_source[r.table] in r.values]


def check_corpus_ids(problems: ProblemList, ids: Iterable[tuple[str, str, str, int]]) -> None:
    """Ids of per-source records (crossings) are unique across the corpus; ids of shared
    records (incidents, meetings, agreements) may repeat across sources: that is how
    sources corroborate one another. `ids` come from per_source_ids, in corpus order."""
    per_source = per_source_tables()
    first_seen: dict[tuple[str, str], tuple[str, int]] = {}
    for table, record_id, path, line in ids:
        other = first_seen.setdefault((table, record_id), (path, line))
        if other != (path, line):
            problems.add(path, line, 1, "duplicate-id",
                         f"{per_source[table]} {record_id!r} is also used in {other[0]}:{other[1]}",
                         "ids are unique across the dataset: choose another id")
