"""Openly licensed texts: the licences registry, `licence_id` in source.yaml, the table
source_texts (the whole text of a source whose licence allows republishing it, and of no
other), its licences in the data package, and `new-source --licence/--publisher-id`.

The corpus is the hand-made one (tests/fixtures/corpus) with tests/fixtures/open_texts laid
over it: an invented statement under a licence that allows republishing, an invented
bulletin under one that does not, and the corpus's own article, which has no licence_id.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from conftest import FIXTURE, VENV_BIN, _built, edit, line_of, only
from pipelines.cli import main
from pipelines.ingest.corpus import load_corpus

OPEN_TEXTS = Path(__file__).parent / "fixtures" / "open_texts"
OPEN = "2024-03-06-fixture-home-office-statement"
CLOSED = "2024-03-07-fixture-dover-bulletin"
UNLICENSED = "2024-03-04-fixture-strait-talks"
ARTICLE = Path(__file__).parent / "fixtures" / "contribute" / "harbour-talks.html"


def open_corpus(root: Path) -> Path:
    shutil.copytree(FIXTURE, root)
    shutil.copytree(OPEN_TEXTS / "sources", root / "sources", dirs_exist_ok=True)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(corpus root, build/data) of the corpus with the open texts, built once."""
    root = open_corpus(tmp_path_factory.mktemp("open-texts") / "corpus")
    return root, _built(root, root / "build").path / "data"


@pytest.fixture(scope="module")
def texts(built):
    """Canonical text of each source, as validate and the build derive it."""
    return {s.source_id: s.text for s in load_corpus(built[0]).sources.values()}


def rows(data: Path, table: str) -> list[dict]:
    return pq.read_table(data / "parquet" / f"{table}.parquet").to_pylist()


def test_an_open_text_is_published_whole_with_its_licence_and_attribution(built, texts):
    root, data = built
    published = rows(data, "source_texts")
    assert [row["source_id"] for row in published] == [OPEN]
    row = published[0]
    assert row["text"] == texts[OPEN]
    source = next(s for s in rows(data, "sources") if s["source_id"] == OPEN)
    assert row["text_sha256"] == source["text_sha256"] and source["licence_id"] == "fixture-open-1.0"
    assert (row["licence_id"], row["licence_name"], row["licence_url"]) == (
        "fixture-open-1.0", "Fixture Open Licence v1.0", "https://example.org/licences/fixture-open/1.0/")
    assert row["attribution"] == (
        "Source: Home Office, Home Office statement on small boat crossings "
        "(https://example.org/home-office/statement-2024-03-06). "
        "Contains fixture information licensed under the Fixture Open Licence v1.0.")
    # The CSV twin holds the same text, line breaks and all.
    with open(data / "csv" / "source_texts.csv", encoding="utf-8", newline="") as handle:
        assert [r["text"] for r in csv.DictReader(handle)] == [texts[OPEN]]


def test_each_quote_of_an_open_text_sits_at_its_offsets(built):
    _, data = built
    text = rows(data, "source_texts")[0]["text"]
    quotes = [e for e in rows(data, "evidence") if e["source_id"] == OPEN]
    assert quotes, "the open source has evidence"
    # The text starts with a dash of three UTF-8 bytes: offsets count code points, not bytes.
    assert len(text.encode("utf-8")) > len(text)
    for e in quotes:
        assert text[e["start"]:e["end"]] == e["quote"]
    # In SQL, as the codebook says: substring(text, start + 1, end - start).
    import duckdb

    found = duckdb.sql(f"""SELECT bool_and(substring(t.text, e.start + 1, e."end" - e.start) = e.quote), count(*)
                           FROM '{data}/parquet/evidence.parquet' e
                           JOIN '{data}/parquet/source_texts.parquet' t USING (source_id)""").fetchall()[0]
    assert found == (True, len(quotes))


def test_the_licences_registry_is_published(built):
    _, data = built
    licences = {row["licence_id"]: row for row in rows(data, "licences")}
    assert set(licences) == {"fixture-open-1.0", "fixture-closed-1.0"}
    assert licences["fixture-open-1.0"]["republish_text"] is True
    assert licences["fixture-closed-1.0"]["republish_text"] is False
    assert licences["fixture-closed-1.0"]["attribution"] is None  # not given: null


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s.split()) >= 5]


def published_strings(data: Path) -> str:
    """Every value of every file of a build's output, as text: Parquet cells read back (the
    files are compressed), every other file as it is."""
    found = []
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            found += [str(v) for column in pq.read_table(path).columns for v in column.to_pylist() if v is not None]
        else:
            found.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(found)


def test_no_sentence_of_a_text_that_may_not_be_republished_is_in_the_build(built, texts):
    _, data = built
    everything = published_strings(data)
    quotes = [e["quote"] for e in rows(data, "evidence")]

    def unquoted(source_id):  # a whole sentence may be published only as (part of) a quote in evidence
        return [s for s in sentences(texts[source_id]) if not any(s in q for q in quotes)]

    # The scan finds what is there: the open text's sentences are in source_texts.
    assert len(unquoted(OPEN)) >= 3 and all(s in everything for s in unquoted(OPEN))
    for source_id in (CLOSED, UNLICENSED):
        assert len(unquoted(source_id)) >= 3
        leaked = [s for s in unquoted(source_id) if s in everything]
        assert not leaked, f"{source_id}: {leaked}"


def test_source_texts_carries_each_texts_licence_and_source_in_the_package(built):
    root, data = built
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    for name in ("source_texts", "source_texts_csv"):
        resource = next(r for r in descriptor["resources"] if r["name"] == name)
        assert {"path": "https://example.org/licences/fixture-open/1.0/",
                "title": "Fixture Open Licence v1.0"} in resource["licenses"]
        assert "CC-BY-4.0" in [licence.get("name") for licence in resource["licenses"]]  # the other columns
        assert [s["title"] for s in resource["sources"]] == [OPEN]
        assert "Fixture Open Licence v1.0" in resource["sources"][0]["description"]
        assert "licence its row names" in resource["rights"]
    # The package validates from the shell, as a user checks a release (the build's own
    # blocking check ran frictionless too).
    shell = subprocess.run([str(VENV_BIN / "frictionless"), "validate", "datapackage.json"], cwd=data,
                           capture_output=True, text=True)
    assert shell.returncode == 0, shell.stdout[-2000:]
    assert "source_texts_csv" in shell.stdout


def test_a_source_under_no_licence_has_no_row_and_builds_without_the_registry(fixture_build):
    """The hand-made corpus has no licences.yaml: it still builds, with no text published."""
    data = fixture_build / "data"
    assert rows(data, "source_texts") == [] and rows(data, "licences") == []
    assert all(s["licence_id"] is None for s in rows(data, "sources"))
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == "source_texts")
    assert resource["sources"] == [] and [licence["name"] for licence in resource["licenses"]] == ["CC-BY-4.0"]


# --- validate ------------------------------------------------------------------------------

def validate(capsys, root) -> tuple[int, list[dict]]:
    code = main(["--root", str(root), "validate", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)["problems"]


def test_an_unknown_licence_id_is_an_error_at_its_line(tmp_path, capsys):
    root = open_corpus(tmp_path / "corpus")
    rel = f"sources/news/{OPEN}/source.yaml"
    edit(root, rel, "licence_id: fixture-open-1.0", "licence_id: fixture-opn-1.0")
    code, problems = validate(capsys, root)
    assert code == 1
    problem = only(problems, "unknown-id")
    assert problem["path"] == rel and problem["line"] == line_of(root, rel, "licence_id:")
    assert "licence_id 'fixture-opn-1.0' is not in the licences registry" in problem["message"]
    assert "did you mean 'fixture-open-1.0'?" in problem["hint"]


def test_a_licence_id_without_a_registry_is_unknown(corpus, capsys):
    rel = f"sources/news/{UNLICENSED}/source.yaml"
    edit(corpus, rel, "rights: Invented text for tests.\n", "rights: Invented text for tests.\nlicence_id: ogl-uk-3.0\n")
    code, problems = validate(capsys, corpus)
    assert code == 1 and only(problems, "unknown-id")["line"] == line_of(corpus, rel, "licence_id:")


def test_a_licence_entry_is_checked_like_any_registry_entry(tmp_path, capsys):
    root = open_corpus(tmp_path / "corpus")
    rel = "sources/registry/licences.yaml"
    edit(root, rel, "  republish_text: true\n", "  republish_text: yes please\n")
    code, problems = validate(capsys, root)
    assert code == 1
    problem = only(problems, "bad-value")
    assert problem["path"] == rel and problem["line"] == line_of(root, rel, "republish_text: yes please")
    assert "republish_text must be true or false" in problem["message"]


def test_the_repositorys_licences_back_each_statement_with_its_page():
    """The four licences of the open texts, each with its page and the words quoted from it."""
    from pipelines.ingest.problems import ProblemList
    from pipelines.ingest.registry import load_registries
    from pipelines.schemas import REPO_ROOT

    problems = ProblemList()
    licences = {row["licence_id"]: row for row in load_registries(REPO_ROOT, problems)["licences"]}
    assert not list(problems)
    assert set(licences) == {"ogl-uk-3.0", "open-parliament-licence-3.0", "ec-reuse-2011-833", "cc-by-3.0-it"}
    for licence in licences.values():
        assert licence["republish_text"] is True and licence["terms_url"].startswith("http")
        if licence.get("attribution"):
            # the statement is in the words quoted from the page that asks for it
            assert licence["attribution"].rstrip(".") in " ".join(licence["attribution_quote"].split())


# --- new-source ----------------------------------------------------------------------------

def new_source(root, *extra):
    return main(["--root", str(root), "new-source", str(ARTICLE), "--url", "https://example.org/news/harbour-talks",
                 "--publisher", "Home Office", "--published", "2024-03-12", *extra])


def test_new_source_writes_the_licence_and_publisher_ids(tmp_path, capsys):
    root = open_corpus(tmp_path / "corpus")
    assert new_source(root, "--licence", "fixture-open-1.0", "--publisher-id", "uk-home-office") == 0
    folder = next(p for p in (root / "sources/news").iterdir() if p.name.startswith("2024-03-12-"))
    meta = yaml.safe_load((folder / "source.yaml").read_text(encoding="utf-8"))
    assert meta["licence_id"] == "fixture-open-1.0" and meta["publisher_id"] == "uk-home-office"
    capsys.readouterr()
    assert validate(capsys, root) == (0, [])


@pytest.mark.parametrize("option,value,hint", [
    ("--licence", "fixture-opne-1.0", "did you mean 'fixture-open-1.0'?"),
    ("--publisher-id", "uk-home-ofice", "did you mean 'uk-home-office'?"),
])
def test_new_source_refuses_an_unknown_id_and_writes_nothing(tmp_path, capsys, option, value, hint):
    root = open_corpus(tmp_path / "corpus")
    before = sorted(p.name for p in (root / "sources/news").iterdir())
    assert new_source(root, option, value) == 2
    err = capsys.readouterr().err
    assert f"{option} {value!r} is not in sources/registry/" in err and hint in err
    assert "Traceback" not in err
    assert sorted(p.name for p in (root / "sources/news").iterdir()) == before


def test_contributing_shows_what_new_source_prints_for_an_unknown_licence(tmp_path, capsys):
    from pipelines.schemas import REPO_ROOT

    shutil.copytree(REPO_ROOT / "sources" / "registry", tmp_path / "sources" / "registry")
    assert main(["--root", str(tmp_path), "new-source", str(ARTICLE), "--url", "https://example.org/x",
                 "--publisher", "Fixture Times", "--published", "2024-03-12", "--licence", "ogl-uk-3"]) == 2
    printed = capsys.readouterr().err.strip()
    assert printed.startswith("borderlines: --licence 'ogl-uk-3'")
    assert f"\n{printed}\n" in (REPO_ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
