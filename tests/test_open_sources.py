"""The twenty openly licensed texts added as sources (issue 16), in the repository's build.

What must hold of the real corpus: every quote anchors and every record's identity is
checked (validate is clean, no look-alike left); events several sources report are one
record each, with as many sources as the annotations give; the open texts are published
whole, and no text of a news article is.
"""

from __future__ import annotations

import re
import subprocess

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from conftest import REPO, VENV_BIN
from pipelines.ingest.corpus import load_corpus
from pipelines.publish.release import latest_release

NEWS = REPO / "sources" / "news"

# Written from the annotations: the sources that report each event several of them report.
# uk-rwanda-partnership: the two founding articles, the 2022 call and Kigali readouts,
# Hansard 2023, the Home Office statements of 2024-04-19 and 2025-11-07.
SEVERAL_SOURCES = {
    ("agreements", "uk-rwanda-partnership"): 7,
    ("agreements", "uk-france-returns-agreement"): 2,  # GOV.UK 2025-07-11, Home Office 2025-11-07
    ("agreements", "eu-tunisia-memorandum"): 2,  # European Commission 2023-04-27, governo.it 2023-06-11
    ("agreements", "italy-albania-protocol"): 2,  # governo.it 2023-11-06, The National 2024-09-16
    ("agreements", "uk-albania-returns-agreement"): 2,  # Home Office 2023-04-26, founding article 2023-12-16
}


def open_source_ids() -> set[str]:
    return {folder.name for folder in NEWS.iterdir()
            if (yaml.safe_load((folder / "source.yaml").read_text(encoding="utf-8")) or {}).get("licence_id")}


def test_twenty_open_texts_with_their_licences():
    licences = {}
    for folder in NEWS.iterdir():
        meta = yaml.safe_load((folder / "source.yaml").read_text(encoding="utf-8"))
        if meta.get("licence_id"):
            licences[meta["licence_id"]] = licences.get(meta["licence_id"], 0) + 1
            assert meta["publisher_id"], folder.name  # a government's or parliament's own text
    assert licences == {"ogl-uk-3.0": 12, "open-parliament-licence-3.0": 2, "ec-reuse-2011-833": 1, "cc-by-3.0-it": 5}


def test_the_real_corpus_validates_with_no_look_alike_left():
    problems = list(load_corpus(REPO).problems)
    assert [str(p) for p in problems] == []  # no error, and no warning either (a reused id that differs)


@pytest.fixture(scope="module")
def con(real_build):
    return duckdb.connect(str(real_build / "borderlines.duckdb"), read_only=True)


def test_events_several_sources_report_are_one_record_with_that_many_sources(con):
    found = {}
    for table, key in (("meetings", "meeting_id"), ("incidents", "incident_id"), ("agreements", "agreement_id")):
        for record_id, n in con.execute(f"SELECT {key}, number_of_sources FROM {table} WHERE number_of_sources > 1"
                                        ).fetchall():
            found[(table, record_id)] = n
    assert found == SEVERAL_SOURCES
    # and each count is the number of source folders whose annotations name the record
    for (table, record_id), n in SEVERAL_SOURCES.items():
        naming = {folder.name for folder in NEWS.iterdir()
                  if re.search(rf"^\s*- agreement_id: {re.escape(record_id)}\s*$",
                               (folder / "annotations.yaml").read_text(encoding="utf-8"), re.M)}
        assert len(naming) == n, (record_id, sorted(naming))


def test_the_open_texts_are_published_whole_and_quotes_sit_at_their_offsets(con):
    published = dict(con.execute("SELECT source_id, text FROM source_texts").fetchall())
    assert set(published) == open_source_ids() and len(published) == 20
    rows = con.execute('SELECT source_id, quote, "start", "end" FROM evidence '
                       "WHERE source_id IN (SELECT source_id FROM source_texts)").fetchall()
    assert rows
    for source_id, quote, start, end in rows:
        assert published[source_id][start:end] == quote, (source_id, quote)


def test_the_latest_release_validates_with_frictionless_from_the_shell():
    release = latest_release(REPO / "datasets")
    assert (release / "sqlite" / "borderlines.sqlite").is_file() and (release / "parquet" / "source_texts.parquet").is_file()
    done = subprocess.run([str(VENV_BIN / "frictionless"), "validate", str(release / "datapackage.json")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:]


@pytest.mark.parametrize("where", ["build", "latest release"])
def test_no_sentence_of_a_news_article_is_published_outside_its_quotes(real_build, con, where):
    """The two founding articles are copyright: only the quoted words are in the build, and in
    the latest release."""
    quotes = [q for (q,) in con.execute("SELECT quote FROM evidence").fetchall()]
    folder = real_build / "data" if where == "build" else latest_release(REPO / "datasets")
    files = [p for p in folder.rglob("*") if p.is_file()]
    # CSV, JSON, SVG and SQLite keep text as UTF-8 bytes; Parquet's are compressed: read its cells
    contents = [p.read_bytes().decode("utf-8", errors="replace") for p in files if p.suffix != ".parquet"]
    for path in files:
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            contents += ["\n".join(map(str, table.column(name).to_pylist())) for name in table.column_names
                         if pa.types.is_string(table.schema.field(name).type)]
    corpus = load_corpus(REPO)
    checked = 0
    for source_id, source in corpus.sources.items():
        if source_id in open_source_ids():
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", source.text):
            sentence = sentence.strip()
            if len(sentence) < 60 or any(sentence in q for q in quotes):
                continue
            checked += 1
            assert not any(sentence in text for text in contents), (source_id, sentence[:80])
    assert checked > 20
