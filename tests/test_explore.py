"""The SQLite file of a build (every published table, keys, descriptions, full-text search,
the claims and timeline views) and the explorer's pages, driven through Datasette's own
test client on the hand-made corpus; `borderlines explore` refuses a missing or damaged
file in one line and, started for real, listens on 127.0.0.1 and stops on Ctrl-C."""

import asyncio
import html
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datasette.app import Datasette

from pipelines.cli import main
from pipelines.explore.serve import datasette_options
from pipelines.hashing import file_digest
from pipelines.publish.sqlite import SQLITE_PATH, write_sqlite
from pipelines.schemas import REPO_ROOT, load_tables, published_tables

from conftest import TESTS, build, failed_checks  # noqa: E402 (shared: conftest.py)


@pytest.fixture(scope="module")
def data(fixture_build) -> Path:
    return fixture_build / "data"


@pytest.fixture(scope="module")
def db(data):
    con = sqlite3.connect(data / SQLITE_PATH)
    con.row_factory = sqlite3.Row
    yield con
    con.close()


@pytest.fixture(scope="module")
def disputed(tmp_path_factory) -> Path:
    """The corpus of three sources that disagree on a meeting, incidents and an agreement
    (tests/fixtures/precedence/README.md), built: its data folder."""
    out = tmp_path_factory.mktemp("precedence-build")
    result = build(TESTS / "fixtures" / "precedence", out)
    assert result.success, failed_checks(result)
    return out / "data"


def pages(data: Path, *urls: str, sqlite: Path | None = None, **options):
    """The pages at urls, as Datasette serves them to a browser: [(status, html)]."""
    datasette = Datasette(**{**datasette_options(sqlite or data / SQLITE_PATH), **options})

    async def fetch():
        return [await datasette.client.get(url) for url in urls]

    return [(r.status_code, r.text) for r in asyncio.run(fetch())]


def test_every_published_table_is_in_the_sqlite_file_with_its_keys_and_descriptions(data, db):
    tables = load_tables()
    names = {r["name"] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(published_tables()) <= names
    assert not any(t in names for t, spec in tables.items() if not spec.published)  # frontex stays out
    for name in published_tables():
        spec = tables[name]
        assert db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == pq.read_metadata(
            data / "parquet" / f"{name}.parquet").num_rows, name
        info = {r["name"]: r for r in db.execute(f'PRAGMA table_info("{name}")')}
        assert [c for c, r in sorted(info.items(), key=lambda i: i[1]["pk"]) if r["pk"]] == list(spec.primary_key)
        keys = {(r["table"], r["from"]) for r in db.execute(f'PRAGMA foreign_key_list("{name}")')}
        assert {(fk["reference"]["resource"], fk["fields"][0]) for fk in spec.foreign_keys} == keys, name
        ddl = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [name]).fetchone()[0]
        assert all(" ".join(f.description.split()) in ddl for f in spec.fields), name
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_sqlite_file_is_in_the_data_package_with_its_hash_and_searchable(data, db):
    descriptor = json.loads((data / "datapackage.json").read_text())
    [entry] = [r for r in descriptor["resources"] if r["path"] == SQLITE_PATH]
    size, sha = file_digest(data / SQLITE_PATH)
    assert (entry["bytes"], entry["hash"], entry["format"]) == (size, f"sha256:{sha}", "sqlite")
    quote = db.execute("SELECT quote FROM evidence ORDER BY evidence_id LIMIT 1").fetchone()[0]
    word = max(quote.split(), key=len).strip(".,;:'\"()")
    found = db.execute("SELECT e.quote FROM evidence_fts JOIN evidence AS e ON e.rowid = evidence_fts.rowid "
                       "WHERE evidence_fts MATCH ?", [f'"{word}"']).fetchall()
    assert quote in [r[0] for r in found]


def test_the_same_tables_give_the_same_bytes(data, tmp_path):
    shutil.copytree(data / "parquet", tmp_path / "parquet")
    write_sqlite(tmp_path, published_tables())
    assert (tmp_path / SQLITE_PATH).read_bytes() == (data / SQLITE_PATH).read_bytes()


def test_the_build_s_own_sqlite_process_writes_the_same_bytes_and_says_a_problem_in_one_line(data, tmp_path):
    from pipelines.publish.sqlite import start_sqlite

    shutil.copytree(data / "parquet", tmp_path / "parquet")
    start_sqlite(tmp_path, published_tables()).output("writing the SQLite file")
    assert (tmp_path / SQLITE_PATH).read_bytes() == (data / SQLITE_PATH).read_bytes()
    # evidence quoting a source the package does not have: the foreign key check refuses it
    evidence = pq.read_table(tmp_path / "parquet" / "evidence.parquet")
    source_id = evidence.column_names.index("source_id")
    orphan = evidence.set_column(source_id, "source_id", pa.array(["no-such-source"] * evidence.num_rows))
    pq.write_table(orphan, tmp_path / "parquet" / "evidence.parquet")
    with pytest.raises(RuntimeError) as failed:
        start_sqlite(tmp_path, published_tables()).output("writing the SQLite file")
    message = str(failed.value)
    assert "writing the SQLite file failed" in message and "rows whose foreign key has no target" in message
    assert "Traceback" not in message


def test_the_sqlite_process_takes_each_parquet_file_once_it_is_in_place(data, tmp_path):
    """A build starts the SQLite writer before it writes the tables: the writer waits for
    each file in turn, and what it writes is the same as from a complete folder."""
    from pipelines.publish.sqlite import start_sqlite

    tables = published_tables()
    (tmp_path / "parquet").mkdir()
    writer = start_sqlite(tmp_path, tables)
    # The writer makes its file before it waits for the first table: from then on, it waits.
    partial = tmp_path / (SQLITE_PATH + ".partial")
    deadline = time.monotonic() + 60
    while not partial.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert partial.exists()
    time.sleep(2)
    assert writer._process.poll() is None  # still waiting for the first table, not failed
    for name in tables:
        shutil.copy(data / "parquet" / f"{name}.parquet", tmp_path / "parquet" / f"{name}.parquet.partial")
        os.replace(tmp_path / "parquet" / f"{name}.parquet.partial", tmp_path / "parquet" / f"{name}.parquet")
    writer.output("writing the SQLite file")
    assert (tmp_path / SQLITE_PATH).read_bytes() == (data / SQLITE_PATH).read_bytes()


def test_the_sqlite_file_written_outside_a_build_does_not_wait_for_a_missing_table(data, tmp_path):
    shutil.copytree(data / "parquet", tmp_path / "parquet")
    (tmp_path / "parquet" / "evidence.parquet").unlink()
    with pytest.raises(FileNotFoundError):
        write_sqlite(tmp_path, published_tables())


def edited_tables(data, folder):
    """The Parquet files of data, with evidence changed as an edit changes it: its first row
    gone, a quote changed in the middle, a row added at the end."""
    shutil.copytree(data / "parquet", folder / "parquet")
    path = folder / "parquet" / "evidence.parquet"
    evidence = pq.read_table(path)
    assert evidence.num_rows > 4
    quotes = evidence.column("quote").to_pylist()
    quotes[evidence.num_rows // 2] += " (edited)"
    evidence = evidence.set_column(evidence.column_names.index("quote"), evidence.schema.field("quote"),
                                   pa.array(quotes, evidence.schema.field("quote").type))
    added = evidence.slice(3, 1).to_pylist()[0]
    added["evidence_id"] += "/added"
    evidence = pa.concat_tables([evidence.slice(1), pa.Table.from_pylist([added], schema=evidence.schema)])
    pq.write_table(evidence, path)


def as_previous(folder):
    """A build folder as write_sqlite takes it: with the sha256 its descriptor gives its files."""
    descriptor = json.loads((folder / "datapackage.json").read_text())
    return folder, {r["path"]: r["hash"] for r in descriptor["resources"]}


def test_the_sqlite_file_written_from_the_previous_build_s_rows_is_the_same_as_from_parquet(data, tmp_path):
    from pipelines.publish.sqlite import _row_runs

    edited_tables(data, tmp_path / "full")
    write_sqlite(tmp_path / "full", published_tables())
    edited_tables(data, tmp_path / "reused")
    write_sqlite(tmp_path / "reused", published_tables(), previous=as_previous(data))
    assert (tmp_path / "reused" / SQLITE_PATH).read_bytes() == (tmp_path / "full" / SQLITE_PATH).read_bytes()
    # and the previous rows were really used: the edited table in four runs, two of them new
    runs = _row_runs(tmp_path / "reused", as_previous(data), load_tables()["evidence"])
    assert [first is None for _, _, first in runs] == [False, True, False, True]
    assert sum(length for _, length, first in runs if first is None) == 2  # the changed row and the added one
    assert _row_runs(tmp_path / "reused", as_previous(data), load_tables()["crossings"]) == [
        (0, pq.read_metadata(data / "parquet" / "crossings.parquet").num_rows, 1)]


@pytest.mark.parametrize("damage", ["sqlite row", "parquet row", "parquet cut short"])
def test_a_previous_build_whose_files_are_not_the_ones_its_descriptor_hashed_gives_nothing(data, tmp_path, damage):
    """Rows are copied only from files the previous descriptor hashed (the build vouches for
    that descriptor through Dagster's record): whatever else was changed there, the file
    written is the one Parquet gives, and a damaged previous build fails nothing."""
    import pyarrow.parquet as pq

    previous = tmp_path / "previous"
    shutil.copytree(data, previous)
    hashes = as_previous(data)[1]
    if damage == "sqlite row":
        con = sqlite3.connect(previous / SQLITE_PATH)
        assert con.execute("UPDATE crossings SET notes = 'planted' WHERE rowid = 1").rowcount == 1
        con.commit()
        con.close()
    elif damage == "parquet row":  # the SQLite file untouched, the Parquet file it is matched against edited
        edited_tables(data, tmp_path / "edited")
        shutil.copyfile(tmp_path / "edited" / "parquet" / "evidence.parquet", previous / "parquet" / "evidence.parquet")
    else:
        path = previous / "parquet" / "places.parquet"
        path.write_bytes(path.read_bytes()[:100])
    edited_tables(data, tmp_path / "new")
    write_sqlite(tmp_path / "new", published_tables(), previous=(previous, hashes))
    edited_tables(data, tmp_path / "full")
    write_sqlite(tmp_path / "full", published_tables())
    assert (tmp_path / "new" / SQLITE_PATH).read_bytes() == (tmp_path / "full" / SQLITE_PATH).read_bytes()


def test_rows_changed_here_and_there_are_written_from_parquet_not_copied_run_by_run(data, tmp_path, monkeypatch):
    import pipelines.publish.sqlite as sqlite_module
    import pyarrow.parquet as pq

    monkeypatch.setattr(sqlite_module, "MAX_RUNS", 2)
    edited_tables(data, tmp_path / "new")  # evidence changed in two places: four runs
    assert sqlite_module._row_runs(tmp_path / "new", as_previous(data), load_tables()["evidence"]) is None
    monkeypatch.setattr(sqlite_module, "MAX_RUNS", 4)
    assert len(sqlite_module._row_runs(tmp_path / "new", as_previous(data), load_tables()["evidence"])) == 4


def test_claims_page_shows_each_check_with_its_source_quote_and_coloured_verdict(data, db):
    claim = db.execute("SELECT * FROM claims WHERE quote IS NOT NULL ORDER BY record_id LIMIT 1").fetchone()
    colour = datasette_options(data / SQLITE_PATH)["metadata"]["plugins"]["borderlines"]["verdict_colours"][
        claim["verdict"]]
    [(status, page)] = pages(data, "/borderlines/claims?_size=max")
    assert status == 200
    text = html.unescape(page)
    assert "Claims: news figures checked against the official series" in text
    assert f'<span class="verdict" style="background:{colour};color:#fff' in text
    for value in (claim["quote"], claim["publisher"], claim["rule"], claim["record_id"]):
        assert value is None or value in text, value
    assert f'/borderlines/{claim["table_name"]}/' in text  # the record_id links to the record's page
    [(status, record)] = pages(data, f'/borderlines/{claim["table_name"]}/{claim["record_id"]}')
    assert status == 200 and "Checked against the official series" in record
    assert f'<span class="verdict" style="background:{colour};color:#fff' in record  # its check, coloured


def test_claims_page_filters_by_verdict_route_publisher_and_year(data, db):
    verdict, route = db.execute("SELECT verdict, route FROM claims WHERE verdict <> 'consistent' LIMIT 1").fetchone()
    [(status, page), (_, filtered)] = pages(
        data, "/borderlines/claims", f"/borderlines/claims.json?verdict={verdict}&route={route}&_shape=array")
    assert status == 200
    for facet in ("verdict", "route", "publisher", "year"):
        assert f'data-column="{facet}"' in page, facet
    rows = json.loads(filtered)
    expected = db.execute("SELECT count(*) FROM claims WHERE verdict = ? AND route = ?", [verdict, route]).fetchone()[0]
    assert len(rows) == expected > 0 and {(r["verdict"], r["route"]) for r in rows} == {(verdict, route)}


def test_a_record_page_shows_each_source_its_quotes_values_and_conflicts(disputed):
    db = sqlite3.connect(disputed / SQLITE_PATH)
    table, record_id = db.execute("SELECT table_name, record_id FROM conflicts WHERE table_name = 'meetings' "
                                  "ORDER BY 1, 2 LIMIT 1").fetchone()
    [(status, page)] = pages(disputed, f"/borderlines/{table}/{record_id}")
    assert status == 200
    text = html.unescape(page)
    evidence = db.execute("SELECT source_id, quote FROM evidence WHERE table_name = ? AND record_id = ?",
                          [table, record_id]).fetchall()
    assert len({source for source, _ in evidence}) >= 2
    for source, quote in evidence:
        assert f">{source}</a>" in text and quote in text, (source, quote)
    assert "Where the sources disagree" in text
    for field, rule in db.execute("SELECT field, rule FROM conflicts WHERE table_name = ? AND record_id = ?",
                                  [table, record_id]):
        assert f"<td>{field}</td>" in text and f"<td>{rule}</td>" in text
    for field, source, rule in db.execute("SELECT field, source_id, rule FROM value_sources WHERE table_name = ? "
                                          "AND record_id = ?", [table, record_id]):
        assert f"<td>{field}</td><td>{source}</td><td>{rule}</td>" in text


def test_an_open_text_shows_the_quote_highlighted(data, db, tmp_path):
    # The fixture corpus has no openly licensed source: give one of its sources a text (the
    # explorer reads source_texts' source_id and text).
    folder = tmp_path / "package"
    shutil.copytree(data, folder, symlinks=False)
    source, quote, start, end, table, record_id = db.execute(
        "SELECT source_id, quote, start, \"end\", table_name, record_id FROM evidence "
        "WHERE table_name = 'meetings' LIMIT 1").fetchone()
    text = "x" * start + quote + " and more words after it."
    con = sqlite3.connect(folder / SQLITE_PATH)
    columns = [row[1] for row in con.execute("PRAGMA table_info(source_texts)")]
    row = {name: "-" for name in columns} | {"source_id": source, "text": text}
    con.execute(f"INSERT INTO source_texts ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [row[name] for name in columns])
    con.commit()
    con.close()
    [(status, page)] = pages(data, f"/borderlines/{table}/{record_id}", sqlite=folder / SQLITE_PATH)
    assert status == 200
    assert f"<mark>{quote}</mark> and more words after it." in html.unescape(page)


def test_timeline_lists_agreements_and_meetings_and_shows_the_timeline_chart_when_there_is_one(data, db, tmp_path):
    [(status, page)] = pages(data, "/borderlines/timeline?_size=max")
    assert status == 200
    for (meeting,) in db.execute("SELECT meeting_id FROM meetings"):
        assert f'/borderlines/meetings/{meeting}"' in page
    for (agreement,) in db.execute("SELECT DISTINCT agreement_id FROM agreement_events"):
        assert f'/borderlines/agreements/{agreement}"' in page
    # the build drew the timeline chart of its agreements: the page shows it
    chart = next(r for r in json.loads((data / "datapackage.json").read_text())["resources"]
                 if r["name"] == "agreements_timeline_chart")
    assert f'<img src="/{chart["path"]}" alt="{chart["title"]}"' in page
    [(status, svg)] = pages(data, f"/{chart['path']}")
    assert status == 200 and "<svg" in svg
    # a package without the chart: the list alone
    folder = tmp_path / "package"
    shutil.copytree(data, folder)
    descriptor = json.loads((folder / "datapackage.json").read_text())
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "agreements_timeline_chart"]
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    [(status, page)] = pages(folder, "/borderlines/timeline", sqlite=folder / SQLITE_PATH)
    assert status == 200 and "<img" not in page


def test_canned_queries_answer_and_the_explorer_is_read_only(data, db):
    meeting = db.execute("SELECT record_id FROM evidence WHERE table_name = 'meetings' GROUP BY record_id "
                         "ORDER BY count(DISTINCT source_id) DESC, record_id LIMIT 1").fetchone()[0]
    sources = {r[0] for r in db.execute("SELECT publisher FROM sources WHERE source_id IN (SELECT source_id FROM "
                                        "evidence WHERE record_id = ?)", [meeting]) if r[0]}
    year = db.execute("SELECT year FROM claims WHERE route = 'english_channel' LIMIT 1").fetchone()[0]
    [(status, listing), (_, channel), (forbidden, _), (_, database)] = pages(
        data, f"/borderlines/sources_of_a_record.json?record_id={meeting}&_shape=array",
        f"/borderlines/channel_figures.json?year={year}&_shape=array",
        "/borderlines.json?sql=select+1", "/borderlines")
    assert status == 200 and sources and sources <= {r["publisher"] for r in json.loads(listing)}
    channel = json.loads(channel)
    assert channel and len(channel) == db.execute("SELECT count(*) FROM claims WHERE route = 'english_channel' "
                                                  "AND year = ?", [year]).fetchone()[0]
    assert forbidden == 403  # no SQL typed in the browser, by default
    assert "Custom SQL query" not in database
    metadata = datasette_options(data / SQLITE_PATH)["metadata"]
    assert not any(q.get("write") for q in metadata["databases"]["borderlines"]["queries"].values())
    assert metadata["databases"]["borderlines"]["tables"]["evidence"]["license"]  # licences from the package


def run_explore(*args, root=REPO_ROOT, capsys=None):
    code = main(["--root", str(root), "explore", *args])
    return code, capsys.readouterr().err


def test_explore_says_when_the_latest_release_has_no_sqlite_file(tmp_path, capsys):
    # releases before 0.4.0 have no SQLite file: a repository whose latest release is 0.3.0
    shutil.copytree(REPO_ROOT / "datasets" / "0.3.0", tmp_path / "datasets" / "0.3.0")
    (tmp_path / "sources" / "registry").mkdir(parents=True)
    code, err = run_explore(root=tmp_path, capsys=capsys)
    assert code == 2
    assert "the latest release, datasets/0.3.0, has no SQLite file" in err and "make data" in err
    assert err.count("\n") == 1


def test_explore_refuses_a_missing_or_damaged_file_naming_it(data, tmp_path, capsys):
    folder = tmp_path / "package"
    shutil.copytree(data, folder)
    path = folder / SQLITE_PATH
    path.write_bytes(b"not a database" * 100)
    code, err = run_explore("--file", str(path), capsys=capsys)
    assert code == 2 and f"{path} is damaged" in err and err.count("\n") == 1
    descriptor = json.loads((folder / "datapackage.json").read_text())
    descriptor["resources"] = [r for r in descriptor["resources"] if r["format"] != "sqlite"]  # no hash to compare
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    code, err = run_explore("--file", str(path), capsys=capsys)
    assert code == 2 and f"{path} is not a readable SQLite file" in err and err.count("\n") == 1
    path.unlink()
    code, err = run_explore("--file", str(path), capsys=capsys)
    assert code == 2 and f"{path} does not exist" in err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_explore_listens_on_localhost_and_stops_on_ctrl_c(data, tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "explore", "--file", str(data / SQLITE_PATH),
                             "--port", str(port)], cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60  # a limit: the loop ends as soon as Datasette answers
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/borderlines/claims", timeout=2) as response:
                    assert response.status == 200 and b"verdict" in response.read()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "the explorer did not start within 60 s"
                time.sleep(0.25)
        listening = Path("/proc/net/tcp").read_text()
        assert f"0100007F:{port:04X}" in listening and f"00000000:{port:04X}" not in listening
        proc.send_signal(signal.SIGINT)  # Ctrl-C, to the command alone
        assert proc.wait(timeout=30) == 0
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
