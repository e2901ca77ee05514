"""`borderlines new-source`: start a source folder from an article file.

The raw file is copied byte for byte under its own name; source.yaml records what the
contributor stated on the command line and what can be computed (sha256, retrieval date),
and nothing else: unknown metadata stays null. annotations.yaml gets empty sections.
`--publisher-id` and `--licence` write `publisher_id` and `licence_id`, ids that must be in
the organisations and licences registries (an unknown one is refused, with the closest id).

The source id is the publication date and a slug of at most six words, taken from the
title, else from the last words of the URL's path, else from the first words of the text.
An existing folder with that id, or the same file already in the corpus, is refused and
nothing is written. Mistakes on the command line exit 2, a refused file exits 1.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sys
import tempfile
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from pipelines.errors import UsageError
from pipelines.hashing import DRAFTS
from pipelines.ingest.canonical import canonical_text, sha256_hex
from pipelines.ingest.corpus import ANNOTATION_FILE, MAX_RAW_BYTES, METADATA_FILE, NEWS_DIR, source_folders
from pipelines.ingest.problems import ProblemList
from pipelines.ingest.registry import REGISTRY_DIR, load_registries, registry_tables
from pipelines.schemas import annotated_tables, child_tables, did_you_mean, load_tables

SLUG_WORDS = 6
SUGGESTIONS_FILE = DRAFTS  # what `suggest --write` writes: the name the build and the manifest leave out
RESERVED_NAMES = {METADATA_FILE, ANNOTATION_FILE, SUGGESTIONS_FILE}
# Words that carry no meaning in an id; kept only if nothing else is left.
_STOPWORDS = set("""a an the of to in on at for and or but with by from as is are was were be been
    its it his her their this that after before over into about amid than""".split())
_HTML_HINT = re.compile(r"<(?:p|a|div|br|span|h[1-6]|article|section|em|strong|b|i)\b[^>]*>", re.IGNORECASE)


class Refused(Exception):
    """The source cannot be created as asked (exit 1); the message says why."""


def slugify(text: str, max_words: int = SLUG_WORDS, drop: frozenset[str] = frozenset()) -> str:
    """Lowercase ASCII words joined by hyphens: 'Sunak travels to Rome' -> 'sunak-travels-rome'.
    Words in drop are left out too (the date words a source id's date prefix says already)."""
    text = re.sub(r"['’]s\b", "", text)  # "Italy's deal" -> "italy deal", not "italys"
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", ascii_text.replace("'", ""))
    meaningful = [w for w in words if w not in _STOPWORDS and w not in drop] or words
    return "-".join(meaningful[:max_words])


def _url_words(url: str) -> str:
    """The last path segment of a URL that has letters, without its file extension."""
    for segment in reversed(urlsplit(url).path.split("/")):
        segment = re.sub(r"\.(?:s?html?|php|aspx?|jsp)$", "", segment, flags=re.IGNORECASE)
        if re.search(r"[A-Za-z]", segment):
            return re.sub(r"[-_+.]+", " ", segment)
    return ""


def derive_source_id(published: dt.date, title: str | None, url: str | None, text: str) -> str:
    # "PM meeting with the Prime Minister of Albania: 5 October 2023" on 2023-10-05: the id
    # starts with the date, so its day, month and year are not repeated (no stray "-5")
    date_words = frozenset({str(published.day), f"{published.day:02d}", published.strftime("%B").lower(),
                            published.strftime("%b").lower(), str(published.year)})
    for words in (title or "", _url_words(url or ""), text[:500]):
        slug = slugify(words, drop=date_words)
        if slug:
            return f"{published.isoformat()}-{slug}"
    raise Refused("cannot derive a source id: the title, the URL and the text give no words; pass --title")


def detect_format(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        return "html"
    if suffix in (".txt", ".text", ".md"):
        return "text"
    return "html" if _HTML_HINT.search(text) else "text"


def parse_day(value: str, option: str) -> dt.date:
    """A day typed after option (--published, --retrieved) as YYYY-MM-DD, not in the future."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2024-09-16") from None
    if day > dt.date.today():
        raise UsageError(f"{option} {value} is in the future; check the date")
    return day


def yaml_scalar(value) -> str:
    """A value as one line of YAML (quoted when needed); dates are written as typed."""
    if value is None:
        return "null"
    if isinstance(value, dt.date):
        return value.isoformat()
    return yaml.safe_dump(value, allow_unicode=True, width=1_000_000).removesuffix("...\n").strip()


def source_yaml(meta: dict) -> str:
    lines = ["# Where this article came from. Unknown values stay null: never guess.",
             "# What each field means: datasets/CODEBOOK.md, table `sources`."]
    lines += [f"{key}: {yaml_scalar(value)}" for key, value in meta.items()]
    return "\n".join(lines) + "\n"


def annotations_template(source_id: str) -> str:
    """source_id and one empty section per table, each with its fields in a comment."""
    lines = [f"source_id: {source_id}", "",
             "# The facts this article states, one record per fact, each with verbatim quotes as evidence.",
             "# Format: CONTRIBUTING.md (\"The annotation format\"). Drafts to start from:",
             f"#   borderlines suggest {source_id}",
             "# A section with nothing to record stays empty."]
    for section, table in annotated_tables().items():
        fields = table.annotated_fields()
        required = [f.name for f in fields if f.annotation == "required"] + ["evidence"]
        optional = [f.name for f in fields if f.annotation != "required"] + list(child_tables(table))
        lines += ["", f"# {section}: {table.description.split('. ')[0].rstrip('.')}.",
                  f"#   required: {', '.join(required)}",
                  f"#   optional: {', '.join(optional)}",
                  f"{section}:"]
    return "\n".join(lines) + "\n"


def _same_file_elsewhere(root: Path, digest: str) -> str | None:
    """The folder of a source whose source.yaml records this sha256 (a cheap text scan)."""
    for folder in source_folders(root):
        meta = folder / METADATA_FILE
        if meta.is_file() and digest in meta.read_text(encoding="utf-8", errors="replace"):
            return f"{NEWS_DIR}/{folder.name}"
    return None


def _check_arguments(file: str, published: str, url: str, language: str) -> tuple[Path, dt.date]:
    path = Path(file)
    if not path.is_file():
        raise UsageError(f"no such file: {file}" if not path.exists() else f"{file} is not a file")
    if path.name in RESERVED_NAMES or path.name.startswith("."):
        raise UsageError(f"the article cannot be called {path.name!r}: rename the file first")
    published_date = parse_day(published, "--published")
    if not re.match(r"^https?://[^\s/]+", url or ""):
        raise UsageError(f"--url {url!r} is not a web address (http:// or https://)")
    if not re.fullmatch(r"[a-z]{2}", language or ""):
        raise UsageError(f"--language {language!r} is not an ISO 639-1 code such as en, fr, it")
    return path, published_date


def _check_registry_ids(root: Path, given: dict[str, str | None]) -> None:
    """Each id given on the command line ({"--licence": "ogl-uk-3.0", ...}) is in its registry
    (the foreign key of the sources table it is written to), else a UsageError naming the
    closest id."""
    options = {"--publisher-id": "publisher_id", "--licence": "licence_id"}
    given = {option: value for option, value in given.items() if value is not None}
    if not given:
        return
    registries = load_registries(root, ProblemList())
    targets = {fk["fields"][0]: fk["reference"]["resource"] for fk in load_tables()["sources"].foreign_keys}
    for option, value in given.items():
        table = registry_tables()[targets[options[option]]]
        ids = sorted(row[table.primary_key[0]] for row in registries.get(table.name, []))
        if value in ids:
            continue
        where = f"{REGISTRY_DIR}/{table.registry}"
        known = f"the ids there: {', '.join(ids)}" if 0 < len(ids) <= 12 else f"the ids are in {where}"
        raise UsageError(" ".join(filter(None, [
            f"{option} {value!r} is not in {where};", did_you_mean(value, ids),
            f"{known}. Add the entry there first, or leave {option} out"])))


def plan_source(root: Path, file: str, *, url: str, publisher: str, published: str, title: str | None = None,
                language: str = "en", raw_format: str | None = None, rights: str | None = None,
                publisher_id: str | None = None, licence_id: str | None = None,
                retrieved: str | None = None) -> tuple[str, dict, bytes, str]:
    """(source_id, metadata, raw bytes, annotations template), or Refused / UsageError.
    The arguments are as the contributor typed them (dates as YYYY-MM-DD text); retrieved:
    the day the text was fetched, when not today (a stored copy)."""
    path, published_date = _check_arguments(file, published, url, language)
    retrieved_date = parse_day(retrieved, "--retrieved") if retrieved else dt.date.today()
    if retrieved_date < published_date:
        raise UsageError(f"--retrieved {retrieved} is before --published {published}: a text is fetched after it "
                         "is published")
    _check_registry_ids(root, {"--publisher-id": publisher_id, "--licence": licence_id})
    size = path.stat().st_size
    if size > MAX_RAW_BYTES:
        raise Refused(f"{path.name} is {size:,} bytes; the limit is {MAX_RAW_BYTES:,}: add the article text only")
    raw = path.read_bytes()
    try:
        sniffed = raw.decode("utf-8")
        raw_format = raw_format or detect_format(path, sniffed)
        text, _ = canonical_text(raw, raw_format)
    except UnicodeDecodeError as err:
        raise Refused(f"{path.name} is not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start}); "
                      "convert it first, e.g. `iconv -f latin1 -t utf-8`") from None
    if not text.strip():
        raise Refused(f"{path.name} has no text once read as {raw_format}")
    source_id = derive_source_id(published_date, title, url, text)
    if not re.match(load_tables()["sources"].field("source_id").pattern, source_id):
        raise Refused(f"the derived source id {source_id!r} is not valid; pass a --title with plain words")
    target = root / NEWS_DIR / source_id
    if target.exists():
        raise Refused(f"{NEWS_DIR}/{source_id} exists already; if this is another article, pass a --title "
                      "that tells the two apart")
    digest = sha256_hex(raw)
    elsewhere = _same_file_elsewhere(root, digest)
    if elsewhere:
        raise Refused(f"this file is already in the corpus as {elsewhere} (same sha256)")
    meta = {
        "source_id": source_id,
        "title": " ".join(title.split()) if title else None,
        "publisher": " ".join(publisher.split()) or None,
        **({"publisher_id": publisher_id} if publisher_id else {}),
        "url": url,
        "published_date": published_date,
        "published_date_method": "stated",
        "language": language,
        "retrieved_date": retrieved_date,
        "rights": rights or None,
        **({"licence_id": licence_id} if licence_id else {}),
        "raw_file": path.name,
        "raw_format": raw_format,
        "raw_sha256": digest,
    }
    return source_id, meta, raw, annotations_template(source_id)


def write_source(root: Path, source_id: str, meta: dict, raw: bytes, template: str) -> Path:
    """Write the folder in a temporary place and rename it into sources/news in one step,
    so that a failure leaves no half-made source behind."""
    news = root / NEWS_DIR
    news.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".new-source-", dir=news))
    try:
        (tmp / meta["raw_file"]).write_bytes(raw)
        (tmp / METADATA_FILE).write_text(source_yaml(meta), encoding="utf-8")
        (tmp / ANNOTATION_FILE).write_text(template, encoding="utf-8")
        os.rename(tmp, news / source_id)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return news / source_id


def create_source(root: Path, file: str, *, url: str, publisher: str, published: str, title: str | None = None,
                  language: str = "en", raw_format: str | None = None, rights: str | None = None,
                  publisher_id: str | None = None, licence_id: str | None = None, retrieved: str | None = None) -> int:
    """Create the source folder of an article file, as plan_source plans it.
    Exit status: 0 created, 1 refused (the message says why)."""
    try:
        source_id, meta, raw, template = plan_source(root, file, url=url, publisher=publisher, published=published,
                                                     title=title, language=language, raw_format=raw_format,
                                                     rights=rights, publisher_id=publisher_id,
                                                     licence_id=licence_id, retrieved=retrieved)
    except Refused as err:
        print(f"borderlines new-source: {err}. Nothing was written.", file=sys.stderr)
        return 1
    write_source(root, source_id, meta, raw, template)
    rel = f"{NEWS_DIR}/{source_id}"
    print(f"Created {rel}/")
    width = max(len(meta["raw_file"]), len(ANNOTATION_FILE)) + 2
    print(f"  {meta['raw_file']:<{width}}the article, byte for byte ({len(raw):,} bytes, sha256 {meta['raw_sha256'][:12]}…)")
    print(f"  {METADATA_FILE:<{width}}metadata; check it (unknown values stay null)")
    print(f"  {ANNOTATION_FILE:<{width}}empty sections to fill")
    if meta["rights"] is None:
        print("Note: rights is null. If you know the licence or copyright, write it in source.yaml.")
    print(f"Next: borderlines suggest {source_id}")
    return 0
