"""The blocking check of a package (pipelines/publish/package_check.py) finds what is wrong
in a CSV or a Parquet file."""

import copy
import csv
import hashlib
import json
import os
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.publish import package_check
from pipelines.hashing import file_digest
from pipelines.publish.package_check import validate_package
from pipelines.schemas import REPO_ROOT

LATEST = json.loads((REPO_ROOT / "datapackage.json").read_text())["version"]


@pytest.fixture
def package(tmp_path):
    """A copy of the latest release, to break."""
    folder = tmp_path / "package"
    shutil.copytree(REPO_ROOT / "datasets" / LATEST, folder)
    return folder / "datapackage.json"


def rehash(descriptor_path):
    """Make the descriptor's bytes and hashes true again, as a build writes them after a change."""
    descriptor = json.loads(descriptor_path.read_text())
    for resource in descriptor["resources"]:
        size, sha = file_digest(descriptor_path.parent / resource["path"])
        resource["hash"] = f"sha256:{sha}"
        if "bytes" in resource:
            resource["bytes"] = size
    descriptor_path.write_text(json.dumps(descriptor, indent=2))


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# Release 0.2.0 published reference_data_quality.value as "" in Parquet where every reader of
# its CSV sees a null (issue 13). The round trip has read the CSV as those readers do since, so
# it finds that cell; releases are immutable, and the next one has no empty text.
KNOWN_DEFECTS = {"0.2.0": ["reference_data_quality_csv: differs from reference_data_quality: "
                           "column value, row 46: '' against None"]}


def test_the_release_passes(package):
    assert validate_package(package) == KNOWN_DEFECTS.get(LATEST, [])


def test_a_cell_of_the_wrong_type_in_a_csv_is_reported_with_its_row(package):
    csv = package.parent / "csv" / "crossings.csv"
    # Frictionless numbers rows as lines of the file (the header is row 1)
    row = next(n for n, line in enumerate(csv.read_text(encoding="utf-8").splitlines(), start=1)
               if ",2022-01-01,2022-09-30," in line)
    replace_in(csv, ",2022-01-01,2022-09-30,", ",2022-13-01,2022-09-30,")
    rehash(package)
    problems = validate_package(package)
    assert any(p.startswith(f"crossings_csv: row {row}: type-error") for p in problems), problems
    # the Parquet twin no longer matches the CSV, and says where
    assert any(p.startswith("crossings_csv: differs from crossings") for p in problems), problems


def test_a_parquet_column_of_another_type_is_reported(package):
    path = package.parent / "parquet" / "places.parquet"
    table = pq.read_table(path)
    position = table.schema.get_field_index("country")
    table = table.set_column(position, pa.field("country", pa.large_string()), table["country"].cast(pa.large_string()))
    pq.write_table(table, path)
    rehash(package)
    problems = validate_package(package)
    assert any("places: the Parquet columns" in p for p in problems), problems


def test_a_file_changed_after_the_descriptor_was_written_is_reported(package):
    replace_in(package.parent / "csv" / "places.csv", "Calais", "Kalais")
    problems = validate_package(package)
    assert any(p.startswith("places_csv: sha256") for p in problems), problems


def test_every_file_that_is_not_the_one_described_is_reported_in_the_descriptor_s_order(package):
    from pipelines.publish.datapackage import verify_files

    resources = json.loads(package.read_text())["resources"]
    names = [r["name"] for r in resources]
    sized = [r for r in resources[1:-1] if "bytes" in r and r["name"] != "places_csv"]
    first, middle, last = resources[0], sized[len(sized) // 2], resources[-1]
    assert "bytes" in last
    (package.parent / first["path"]).unlink()
    with open(package.parent / middle["path"], "ab") as grown:
        grown.write(b"\n")
    replace_in(package.parent / "csv" / "places.csv", "Calais", "Kalais")  # same size, other bytes
    (package.parent / last["path"]).write_bytes(b"")
    problems = verify_files(package)
    assert problems[0] == f"{first['name']}: {first['path']} is missing"
    assert [p.split(":")[0] for p in problems] == sorted((p.split(":")[0] for p in problems), key=names.index)
    assert f"{middle['name']}: {middle['bytes'] + 1} bytes, descriptor says {middle['bytes']}" in problems
    assert any(p.startswith("places_csv: sha256") for p in problems)
    assert f"{last['name']}: 0 bytes, descriptor says {last['bytes']}" in problems
    assert len(problems) == 6  # missing; size and hash of two; the hash of places_csv


def test_rows_beyond_the_frictionless_limit_are_still_held_to_their_types(package, monkeypatch):
    monkeypatch.setattr(package_check, "FULL_ROWS", 100)  # frictionless reads 100 rows of the large ones
    path = package.parent / "csv" / "uk_small_boat_arrivals_daily.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) > 1000
    cells = lines[1000].split(",")
    cells[0] = "not a date"
    lines[1000] = ",".join(cells)
    path.write_text("".join(lines), encoding="utf-8")
    rehash(package)
    problems = validate_package(package)
    assert not any(p.startswith("uk_small_boat_arrivals_daily_csv: row") for p in problems), problems
    assert any(p.startswith("uk_small_boat_arrivals_daily_csv: ") and "declared types" in p for p in problems), problems


def test_a_foreign_key_to_another_csv_is_checked_when_each_table_is_checked_apart(package):
    # Each CSV is validated in a package of it and the resources its keys point to (on every
    # core): a reporting organisation that is not in organisations.csv is still found.
    replace_in(package.parent / "csv" / "crossings.csv", ',"uk-home-office",', ',"no-such-office",')
    rehash(package)
    problems = validate_package(package)
    assert any(p.startswith("crossings_csv: row") and "foreign-key" in p for p in problems), problems


def test_the_problems_are_the_same_on_one_core_and_on_several(package, monkeypatch):
    replace_in(package.parent / "csv" / "crossings.csv", ',"uk-home-office",', ',"no-such-office",')
    replace_in(package.parent / "csv" / "places.csv", "Calais", "Kalais")
    rehash(package)
    monkeypatch.setattr(package_check, "PARALLEL_ROWS", 0)
    monkeypatch.setenv("BORDERLINES_WORKERS", "2")
    on_two = validate_package(package)
    monkeypatch.setenv("BORDERLINES_WORKERS", "1")
    on_one = validate_package(package)
    assert len(on_one) >= 2 and on_two == on_one, (on_one, on_two)


def test_a_worker_that_fails_fails_the_check_with_its_error(package):
    # A worker's tasks are not simply missing from the report when it dies: the check raises.
    tasks = [("csv", "places_csv"), ("parquet", "places")]

    def in_workers(descriptor_path):  # as TableChecks runs them
        started = package_check._start_workers(descriptor_path, frozenset(), tasks, [1.0, 1.0], 2)
        try:
            return package_check._collect(started)[0]
        finally:
            for process in started:
                process.stop()

    with pytest.raises(RuntimeError, match="FileNotFoundError"):
        in_workers(package.parent / "no-such-datapackage.json")
    found = in_workers(package)
    assert found == {("csv", "places_csv"): [], ("parquet", "places"): []}


def test_a_build_s_check_reads_again_only_the_tables_that_differ_from_the_checked_package(package):
    before = json.loads(package.read_text())  # a package that passed the check
    tables = sum(1 for r in before["resources"] if r.get("format") == "parquet")
    unchanged = package_check.check_package(package, before)
    assert (unchanged.tables_read, unchanged.tables_unchanged) == (0, tables)
    assert unchanged.problems == [p for p in KNOWN_DEFECTS.get(LATEST, []) if "reference_data_quality" not in p]

    replace_in(package.parent / "csv" / "crossings.csv", ',"uk-home-office",', ',"no-such-office",')
    rehash(package)
    check = package_check.check_package(package, before)
    assert (check.tables_read, check.tables_unchanged) == (1, tables - 1)  # crossings, as CSV and as Parquet
    assert any(p.startswith("crossings_csv: row") and "foreign-key" in p for p in check.problems), check.problems
    assert any(p.startswith("crossings_csv: differs from crossings") for p in check.problems), check.problems


def test_a_table_is_read_again_when_a_table_its_keys_point_to_changed(package):
    before = json.loads(package.read_text())
    # crossings.csv is as it was, but the organisation it names is gone from organisations.csv
    replace_in(package.parent / "csv" / "organisations.csv", "\n\"uk-home-office\",", "\n\"uk-home-office-renamed\",")
    rehash(package)
    check = package_check.check_package(package, before)
    assert any(p.startswith("crossings_csv: row") and "foreign-key" in p for p in check.problems), check.problems


def test_what_is_taken_on_trust_is_only_bytes_the_checked_package_had(package):
    before = json.loads(package.read_text())
    replace_in(package.parent / "csv" / "places.csv", "Calais", "Kalais")
    # Files that differ from their own descriptor: nothing is trusted, everything is read
    assert package_check.check_package(package, before).tables_unchanged == 0
    # Trust is by bytes: a package that had these very bytes and passed vouches for them (here
    # a forged one, to show that the table is really not read again; the build compares the
    # manifests to know the previous check was this one)
    rehash(package)
    forged = json.loads(package.read_text())
    assert package_check.check_package(package, forged).problems == [
        p for p in KNOWN_DEFECTS.get(LATEST, []) if "reference_data_quality" not in p]
    assert any(p.startswith("places_csv: differs from places") for p in validate_package(package))


def test_table_checks_begun_early_stand_only_for_the_files_they_were_given(package):
    descriptor = json.loads(package.read_text())
    tables_only = package.parent / ".tables.json"

    def begin():
        tables_only.write_text(json.dumps({"resources": package_check.table_resources(descriptor)}))
        return package_check.start_table_checks(tables_only)

    started = begin()
    # A small package's checks, begun while the build has other work, run on one worker: on
    # the core the build leaves idle (the release's check of the same package runs here).
    assert len(started._workers) == 1
    assert package_check.check_package(package, None, started).problems == validate_package(package)
    assert not tables_only.exists()  # never published beside the package

    started = begin()  # then crossings.csv changes before the descriptor is written
    replace_in(package.parent / "csv" / "crossings.csv", ',"uk-home-office",', ',"no-such-office",')
    rehash(package)
    problems = package_check.check_package(package, None, started).problems
    assert any(p.startswith("crossings_csv: row") and "foreign-key" in p for p in problems), problems
    assert not tables_only.exists()


def test_a_full_collection_follows_only_a_check_read_in_this_process(package, monkeypatch):
    # frictionless leaves cycles in the process that reads: collected there, and only there
    # (a full collection of the build process costs 0.1 s even for the real sources).
    import gc

    collections = []
    monkeypatch.setattr(gc, "collect", lambda *args: collections.append(args) or 0)
    monkeypatch.setattr(package_check, "PARALLEL_ROWS", 0)
    monkeypatch.setenv("BORDERLINES_WORKERS", "2")
    assert validate_package(package) == [] and collections == []  # read by workers
    monkeypatch.setattr(package_check, "PARALLEL_ROWS", 10 ** 9)
    assert validate_package(package) == [] and len(collections) == 1  # read here


def test_a_prepared_worker_checks_the_tables_once_given_its_job(package):
    # started before it has anything to check, as `make data` starts it with the build's steps
    from pipelines.publish.manifest import environment_sha256

    tables_only = package.parent / ".tables.json"
    replace_in(package.parent / "csv" / "crossings.csv", ',"uk-home-office",', ',"no-such-office",')
    rehash(package)
    descriptor = json.loads(package.read_text())
    with package_check.worker_prepared():
        [prepared] = package_check._prepared
        tables_only.write_text(json.dumps({"resources": package_check.table_resources(descriptor)}))
        started = package_check.start_table_checks(tables_only)
        assert package_check._prepared == []  # taken by the first checks begun
        assert started._workers == [prepared._process]
        check = package_check.check_package(package, None, started)
    problems = check.problems
    assert problems == validate_package(package)  # the same verdict as a worker started then
    assert check.environments == {environment_sha256()}  # the libraries it imported, for the build to compare
    assert any(p.startswith("crossings_csv: row") and "foreign-key" in p for p in problems), problems


def test_a_prepared_worker_nobody_took_ends_with_the_block():
    with package_check.worker_prepared():
        [prepared] = package_check._prepared
        process = prepared._process._process
        assert process.poll() is None  # waiting for a job
    assert package_check._prepared == []
    assert process.wait(timeout=10) is not None  # stopped, not left behind


def test_a_prepared_worker_whose_pipe_closes_without_a_job_ends_without_a_word():
    # its pipe closes when the process that started it ends, and all that process's forks
    worker = package_check.PreparedWorker()
    try:
        os.close(worker._write)
        worker._write = None
        assert worker._process.output("a prepared worker") == ""  # exit status 0, nothing printed
    finally:
        worker.stop()


def test_a_prepared_worker_that_died_is_replaced_and_the_check_stands(package):
    tables_only = package.parent / ".tables.json"
    descriptor = json.loads(package.read_text())
    with package_check.worker_prepared():  # and its end does not fail on what died
        [prepared] = package_check._prepared
        prepared._process._process.kill()  # out of memory, say, while the build ran its steps
        prepared._process._process.wait()
        tables_only.write_text(json.dumps({"resources": package_check.table_resources(descriptor)}))
        started = package_check.start_table_checks(tables_only)
        assert started._workers and started._workers[0] is not prepared._process  # a worker started then
        check = package_check.check_package(package, None, started)
    assert check.problems == validate_package(package) and check.environments == set()


def test_the_prefix_of_a_large_csv_is_what_frictionless_reads_of_it_and_a_margin(tmp_path, monkeypatch):
    from frictionless import settings

    assert package_check.PREFIX_BYTES == settings.DEFAULT_BUFFER_SIZE  # the bytes it samples first
    big = tmp_path / "big.csv"
    big.write_bytes(b"id\n" + b"".join(b"%06d\n" % i for i in range(40_000)))  # 7 bytes a row
    data, margin = big.read_bytes(), package_check.PREFIX_MARGIN
    rows = 3 + 7 * (100_000 // 7 + 1)  # the rows that hold the first 100,000 bytes
    assert package_check.checked_prefix_sha256(big, 2) == hashlib.sha256(data[:rows + margin]).hexdigest()
    rows = 3 + 7 * 20_001  # past 100,000 bytes: the header and 20,001 rows
    assert package_check.checked_prefix_sha256(big, 20_000) == hashlib.sha256(data[:rows + margin]).hexdigest()
    assert package_check.checked_prefix_sha256(big, 39_000) == hashlib.sha256(data).hexdigest()  # the whole file

    monkeypatch.setattr(package_check, "PREFIX_BYTES", 0)  # the rows alone, below
    monkeypatch.setattr(package_check, "PREFIX_MARGIN", 0)
    path = tmp_path / "t.csv"
    head = b'id,text\n"a","one"\n"b","two\nlines"\n"c","three"\n'  # a value in quotes holds a line break
    path.write_bytes(head + b'"d","four"\n"e","five"\n')
    expected = hashlib.sha256(head).hexdigest()  # the header and rows 1 to 3: frictionless reads 2
    assert package_check.checked_prefix_sha256(path, 2) == expected
    path.write_bytes(head + b'"d","FOUR, changed"\n')  # beyond the prefix
    assert package_check.checked_prefix_sha256(path, 2) == expected
    path.write_bytes(head.replace(b"three", b"3") + b'"d","four"\n')  # the row read ahead is in it
    assert package_check.checked_prefix_sha256(path, 2) != expected
    assert package_check.checked_prefix_sha256(path, 3) is not None  # 4 rows: the header and 3 + 1
    assert package_check.checked_prefix_sha256(path, 4) is None  # no row beyond the 4 it would read
    path.write_bytes(b'id,text\n"a","unclosed\n' * 3)
    assert package_check.checked_prefix_sha256(path, 2) is None

    # Files frictionless would not read as the csv module's default: not taken
    path.write_bytes(b'id,text\n' + b"".join(b'%d, "row %d"\n' % (i, i) for i in range(20)))  # a space after ","
    assert csv.Sniffer().sniff(path.read_text(), ",\t;|").skipinitialspace
    assert package_check.checked_prefix_sha256(path, 2) is None
    path.write_bytes(b"id;text\n" + b"".join(b"%d;row %d\n" % (i, i) for i in range(20)))
    assert package_check.checked_prefix_sha256(path, 2) is None
    path.write_bytes(b'id,text\n"a","one\r\ntwo"\n' * 5)
    assert package_check.checked_prefix_sha256(path, 2) is None


def test_a_byte_that_is_not_utf8_just_after_the_rows_read_is_in_the_prefix(tmp_path):
    # frictionless decodes its text ahead of the row it parses: a bad byte just beyond row
    # FULL_ROWS + 1 fails its read, so it must change the prefix (a measured case, by review)
    path = tmp_path / "t.csv"
    rows = [b'"%05d","some text of the row"\n' % i for i in range(20_000)]
    path.write_bytes(b'"id","text"\n' + b"".join(rows))
    before = package_check.checked_prefix_sha256(path, 10_000)
    rows[10_050] = rows[10_050].replace(b"some", b"s\xffme")
    path.write_bytes(b'"id","text"\n' + b"".join(rows))
    assert package_check.checked_prefix_sha256(path, 10_000) != before


def test_a_large_csv_whose_first_rows_the_checked_package_had_is_not_read_again(package, monkeypatch):
    """frictionless reads FULL_ROWS rows of a large CSV: when those rows (and one more), its
    description and the tables its keys point to are what a checked package had, its verdict
    stands; the round trip of its Parquet file still reads every row."""
    monkeypatch.setattr(package_check, "FULL_ROWS", 5)  # crossings has 23 rows: a large table
    monkeypatch.setattr(package_check, "PREFIX_BYTES", 0)  # its prefix: the rows alone, not the first 100 kB
    monkeypatch.setattr(package_check, "PREFIX_MARGIN", 0)
    tables_only = package.parent / ".tables.json"

    def begin(before, prefixes):
        descriptor = json.loads(package.read_text())
        tables_only.write_text(json.dumps({"resources": package_check.table_resources(descriptor)}))
        return package_check.start_table_checks(tables_only, before, prefixes)

    def taken(before, prefixes) -> bool:
        """Whether checks begun now would take crossings.csv as checked (they are stopped at once)."""
        started = begin(before, prefixes)
        started.stop()
        return ("csv", "crossings_csv") in started.unchanged

    def crossings(descriptor):
        return next(r for r in descriptor["resources"] if r["name"] == "crossings_csv")

    def crossings_lines():
        return (package.parent / "csv" / "crossings.csv").read_text(encoding="utf-8").splitlines(keepends=True)

    checked = json.loads(package.read_text())
    first = package_check.check_package(package, None, begin(None, {}))
    assert first.problems == KNOWN_DEFECTS.get(LATEST, []) and first.first_rows_unchanged == 0
    prefixes = first.prefixes
    assert "crossings_csv" in prefixes and "incidents_csv" not in prefixes  # incidents has 3 rows

    def with_last_row_changed(old, new):
        lines = crossings_lines()
        assert old in lines[-1]
        lines[-1] = lines[-1].replace(old, new, 1)
        (package.parent / "csv" / "crossings.csv").write_text("".join(lines), encoding="utf-8")
        rehash(package)

    with_last_row_changed(',"uk-home-office",', ',"no-such-office",')  # a row frictionless does not read
    started = begin(checked, prefixes)
    assert ("csv", "crossings_csv") in started.unchanged and ("parquet", "crossings") not in started.unchanged
    check = package_check.check_package(package, checked, started)
    assert check.first_rows_unchanged == 1 and check.prefixes["crossings_csv"] == prefixes["crossings_csv"]
    assert any(p.startswith("crossings_csv: differs from crossings") for p in check.problems), check.problems
    assert not any(p.startswith("crossings_csv: row") for p in check.problems)

    # Read again: a prefix that differs, a recorded prefix missing, a description that differs
    # (a title, a constraint), a table its keys point to that differs
    assert not taken(checked, {**prefixes, "crossings_csv": "0" * 64})
    assert not taken(checked, {})
    for change in ({"title": "Another title"}, {"schema": {**crossings(checked)["schema"], "primaryKey": ["source_id"]}}):
        described = copy.deepcopy(checked)
        crossings(described).update(change)
        assert not taken(described, prefixes)
    assert taken(checked, prefixes)  # and as it was: taken again
    people = package.parent / "csv" / "people.csv"
    people.write_text(people.read_text(encoding="utf-8") + people.read_text(encoding="utf-8").splitlines()[-1] + "\n",
                      encoding="utf-8")
    rehash(package)
    assert not taken(checked, prefixes)
    lines = crossings_lines()
    lines[6] = lines[6].replace(',"', ',"x', 1)  # the row after those frictionless reads
    (package.parent / "csv" / "crossings.csv").write_text("".join(lines), encoding="utf-8")
    rehash(package)
    assert package_check.checked_prefix_sha256(package.parent / "csv" / "crossings.csv", 5) != prefixes["crossings_csv"]
    tables_only.unlink(missing_ok=True)
