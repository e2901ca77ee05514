"""The blocking check of a build or a release: is the data package what it says it is?

1. The descriptor against the Data Package v2 profile (frictionless).
2. Every file's size and sha256 against the descriptor (`verify_files`).
3. The rows of every table, once. frictionless reads the CSV resource with its descriptor:
   every cell parsed to its declared type, constraints, primary and foreign keys. The
   Parquet twin is then held to that CSV by `roundtrip.verify_round_trip`, vectorised: the
   declared Arrow types, and the same rows, value for value. Validating each table a
   second time as Parquet in frictionless doubled the cost of the check (measured: 2.6 s
   against 1.3 s on the real sources) and could find nothing these two do not.

frictionless reads every cell in Python (about 90 microseconds a row of iom_incidents), so a
resource of more than FULL_ROWS rows is read up to that row, without its foreign keys into
other such resources (a key check reads the whole target); its every row was checked
before writing by the Pandera schema and the foreign-key checks of the core assets, and the
round trip holds every row of both files to the declared types.

Each table's two checks (frictionless on its CSV, the round trip of its Parquet file) read
only that table's files and, for its foreign keys, the CSV files they point to; so they are
independent tasks, run in worker processes on every core when the package has rows enough
for the workers to pay (in a build, on one worker when it has not: the build has other work
meanwhile), and their problems are put back in the descriptor's order. The workers read the
files themselves: nothing checked in one task is taken on trust in another.

A release's check reads the whole package afresh: a release must prove what it publishes.
A build's check may be told the descriptor of the build it replaces (`checked_before`):
a table whose files, and the files its foreign keys point to, are byte for byte those that
build published (the same sha256 and size in both descriptors, and the new files are held to
their descriptor's sha256 here, every time) is not read again, since the previous build
passed this very check on those bytes. The caller vouches that the previous build was made
and checked by the same code and libraries (pipelines/assets/publish.py `previous_build`:
Dagster's record of that build, the two manifests and the installed distributions); nothing
else is kept between builds.

A large table's CSV (more than FULL_ROWS rows) is not read again either when only rows
frictionless does not read changed: when its description (but the sha256 and size of its
file) and the files its foreign keys point to are those of the build it replaces, and what
frictionless reads of it (its first rows, one more, and a margin: `checked_prefix_sha256`) is
byte for byte what that build's check read: the sha256 of that prefix is recorded with each
build Dagster records (`PackageCheck.prefixes`), as the verdicts are, and given back as
`prefixes_before`. The round trip of its Parquet file, which reads every row, is done again.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import dataclasses
import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from pipelines.ingest.parallel import MIN_ITEMS, worker_count
from pipelines.publish.datapackage import verify_files
from pipelines.publish.roundtrip import round_trip_problems

FULL_ROWS = 10_000
# frictionless reads 10,000 to 20,000 rows a second on a core, and a worker takes about 0.6 s
# of CPU to start: below this many rows in all (the real sources have some 13,000), starting
# workers costs more than sharing the rows saves (a build's check, begun while it writes the
# SQLite file and draws the charts, still takes one: see TableChecks).
PARALLEL_ROWS = 30_000


def validate_package(descriptor_path: Path, checked_before: dict[str, Any] | None = None) -> list[str]:
    """Problems with the package at descriptor_path, one line each ([] when it is valid).
    checked_before: the descriptor of a package that passed this check (see the module
    docstring); its tables' verdicts stand for byte-identical tables here."""
    return check_package(descriptor_path, checked_before).problems


@dataclass
class PackageCheck:
    problems: list[str]
    tables_read: int  # tables whose rows were read (by frictionless, by the round trip, or both)
    tables_unchanged: int  # tables not read: byte for byte those of `checked_before`
    # `environment_sha256` as each worker started before the check saw it once it had
    # imported its libraries (`PreparedWorker`): the caller compares them with its own
    environments: frozenset[str] = frozenset()
    # `checked_prefix_sha256` of each large CSV resource (when asked for: `start_table_checks`),
    # for the next build to be given as prefixes_before once this one is published
    prefixes: dict[str, str] = dataclasses.field(default_factory=dict)
    # large CSV resources not read again: only rows beyond those frictionless reads changed
    first_rows_unchanged: int = 0


def check_package(descriptor_path: Path, checked_before: dict[str, Any] | None = None,
                  started: TableChecks | None = None) -> PackageCheck:
    """The check of the package at descriptor_path. started: its table checks, begun by
    `start_table_checks` while the rest of the package was written; they stand when the
    descriptor declares the very table files they were given, and are done again otherwise."""
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    # The files are hashed on threads while this one validates the descriptor (and, in a
    # build, imports frictionless for it): at 10,000 sources each takes some 0.3-0.5 s.
    with ThreadPoolExecutor(1) as pool:
        hashed = pool.submit(verify_files, descriptor_path)
        problems = _descriptor_problems(descriptor, descriptor_path.parent)
        file_problems = hashed.result()
    tables = {name for kind, name in _table_tasks(descriptor) if kind == "parquet"}
    if started is not None and (problems or started.resources != table_resources(descriptor)):
        started.stop()
        started = None
    if problems:
        return PackageCheck(problems + file_problems, 0, 0)
    if started is None:
        unchanged = _unchanged_tasks(descriptor, checked_before) if checked_before and not file_problems else set()
        started = TableChecks(descriptor_path, descriptor, unchanged)
    csv_problems, round_trip = started.problems()
    _give_back_memory(collect=started.read_here)
    tables_unchanged = {name for name in tables if {("parquet", name), ("csv", f"{name}_csv")} <= started.unchanged}
    return PackageCheck(csv_problems + file_problems + round_trip, len(tables) - len(tables_unchanged),
                        len(tables_unchanged), started.environments, started.prefixes,
                        len(started.first_rows_unchanged))


def start_table_checks(descriptor_path: Path, checked_before: dict[str, Any] | None = None,
                       prefixes_before: dict[str, str] | None = None) -> TableChecks:
    """Begin the table checks of a package whose tables are written but whose other files
    (the SQLite file, the charts) may not be yet: descriptor_path declares the tables' files
    (`table_resources`); it is removed once the checks are done. Pass the result to
    `check_package`, or `.stop()` it. The prefixes of the large CSV resources are taken
    (`TableChecks.prefixes`); prefixes_before: those recorded with the build of
    checked_before (see the module docstring)."""
    # No verify_files here: the caller has just hashed the files to write descriptor_path, and
    # `check_package` holds every file to the final descriptor, failing the check on any
    # difference, before the package can be published.
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    unchanged = _unchanged_tasks(descriptor, checked_before) if checked_before else set()
    return TableChecks(descriptor_path, descriptor, unchanged, remove_descriptor=True, beside_other_work=True,
                       checked_before=checked_before, prefixes_before=prefixes_before or {})


def table_resources(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    """The resources of a descriptor that the table checks read: its CSV and Parquet tables."""
    return [r for r in descriptor.get("resources", []) if r.get("type") == "table"]


def _table_tasks(descriptor: dict[str, Any]) -> list[tuple[str, str]]:
    """("csv", name) for each CSV resource, then ("parquet", name) for each Parquet resource."""
    return ([("csv", r["name"]) for r in csv_resources(descriptor)]
            + [("parquet", r["name"]) for r in descriptor["resources"] if r.get("format") == "parquet"])


def _task_resources(by_name: dict[str, dict[str, Any]], task: tuple[str, str]) -> list[str]:
    """The resources whose files a task reads: a CSV and the CSVs its foreign keys point to,
    or a Parquet file and its CSV twin."""
    kind, name = task
    if kind == "csv":
        return [name, *(t for t in _key_targets(by_name[name], frozenset()) if t != name)]
    return [name, f"{name}_csv"]


def _unchanged_tasks(descriptor: dict[str, Any], before: dict[str, Any]) -> set[tuple[str, str]]:
    """The tasks every resource of which is, as declared (path, schema, sha256, size), the
    same in both descriptors."""
    now, then = {r["name"]: r for r in descriptor["resources"]}, _resources_before(before)
    return {task for task in _table_tasks(descriptor) if _declared_alike(now, then, _task_resources(now, task))}


def _resources_before(before: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The resources of a descriptor that passed the check, by name (whatever else it holds)."""
    return {r.get("name"): r for r in before.get("resources", []) if isinstance(r, dict)}


def _declared_alike(now: dict[str, dict[str, Any]], then: dict[str, dict[str, Any]], names: list[str]) -> bool:
    """Whether each of the resources named is declared alike (path, schema, sha256, size) now and then."""
    return all(name in now and now[name] == then.get(name) for name in names)


def _descriptor_problems(descriptor: dict[str, Any], basepath: Path) -> list[str]:
    """The descriptor against the Data Package profile (whatever the files hold)."""
    from frictionless import Package

    report = Package.validate_descriptor(descriptor, basepath=str(basepath))
    return [f"datapackage.json: {error.type}: {error.note}" for error in report.errors]


def csv_resources(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in descriptor["resources"] if r.get("type") == "table" and r.get("format") == "csv"]


class TableChecks:
    """frictionless on every CSV resource and the round trip of every Parquet resource of a
    descriptor, but the unchanged tasks, begun at once: on worker processes when there are
    rows enough, so that the caller can go on meanwhile; on one worker when there are few
    rows but the caller has other work to do meanwhile (beside_other_work: a build drawing
    its charts and writing its SQLite file); serially (in `problems`) otherwise."""

    def __init__(self, descriptor_path: Path, descriptor: dict[str, Any], unchanged: set[tuple[str, str]],
                 remove_descriptor: bool = False, beside_other_work: bool = False,
                 checked_before: dict[str, Any] | None = None, prefixes_before: dict[str, str] | None = None):
        self.resources = table_resources(descriptor)
        self._descriptor_path, self._remove = descriptor_path, remove_descriptor
        basepath = descriptor_path.parent
        by_name = {r["name"]: r for r in descriptor["resources"]}
        self._csv_names = [r["name"] for r in csv_resources(descriptor)]
        self._parquet_names = [name for name, r in by_name.items() if r.get("format") == "parquet"]
        rows = {name: _rows(basepath, by_name.get(name.removesuffix("_csv")))
                for name in self._csv_names + self._parquet_names}
        self._large = frozenset(name for name in self._csv_names if rows[name] > FULL_ROWS)
        # The prefixes frictionless reads of the large CSV files, taken only when asked for (a
        # build's check, which records them). A large CSV task whose prefix and everything else
        # it reads are those of the build before stands as that build's verdict (module docstring).
        self.prefixes: dict[str, str] = {}
        self.first_rows_unchanged: set[str] = set()
        if prefixes_before is not None:
            self.prefixes = _prefixes(basepath, by_name, self._large, unchanged, prefixes_before)
            before = _resources_before(checked_before or {})
            self.first_rows_unchanged = {
                name for name, prefix in self.prefixes.items()
                if ("csv", name) not in unchanged and prefix == prefixes_before.get(name)
                and _without_file(by_name[name]) == _without_file(before.get(name))
                and _declared_alike(by_name, before, _task_resources(by_name, ("csv", name))[1:])}
            unchanged = unchanged | {("csv", name) for name in self.first_rows_unchanged}
        self.unchanged = unchanged
        tasks = [task for task in _table_tasks(descriptor) if task not in unchanged]

        def cost(task: tuple[str, str]) -> float:
            """Cells to read, roughly: frictionless parses a cell in Python (and every cell of
            the resources its foreign keys point to), the round trip some ten times faster."""
            kind, name = task
            if kind == "parquet":
                return rows[name] * len(_fields(by_name[name])) / 10
            targets = _key_targets(by_name[name], self._large if name in self._large else frozenset())
            return (min(rows[name], FULL_ROWS) * len(_fields(by_name[name]))
                    + sum(rows.get(t, 0) * len(_fields(by_name[t])) for t in targets if t in by_name))

        # The costliest first, so that no core is left alone with a large table at the end.
        self._ordered = sorted(tasks, key=cost, reverse=True)
        read_by_frictionless = sum(min(rows[name], FULL_ROWS) for kind, name in tasks if kind == "csv")
        # One worker beside other work: the checks (and the worker's start, about 0.6 s of CPU)
        # then run while the build draws its charts and waits for its SQLite file, rather than
        # after both.
        workers = (worker_count(MIN_ITEMS) if read_by_frictionless >= PARALLEL_ROWS
                   else 1 if beside_other_work and tasks else 0)
        self._workers = (_start_workers(descriptor_path, self._large, self._ordered,
                                        [cost(task) for task in self._ordered], workers) if workers else None)
        self.read_here = self._workers is None and bool(self._ordered)  # by frictionless, in this process
        self.environments: frozenset[str] = frozenset()  # reported by prepared workers (`PackageCheck.environments`)

    def problems(self) -> tuple[list[str], list[str]]:
        """(the problems of the CSV resources, of the round trips), each in the descriptor's order."""
        try:
            if self._workers is not None:
                found, self.environments = _collect(self._workers)
            else:
                found = _run_tasks(self._descriptor_path, self._large, FULL_ROWS, self._ordered)
        finally:
            self.stop()
        return ([p for name in self._csv_names for p in found.get(("csv", name), [])],
                [p for name in self._parquet_names for p in found.get(("parquet", name), [])])

    def stop(self) -> None:
        for process in self._workers or []:
            process.stop()
        if self._remove:
            self._descriptor_path.unlink(missing_ok=True)


def _start_workers(descriptor_path: Path, large: frozenset[str], tasks: list[tuple[str, str]], costs: list[float],
                   workers: int) -> list:
    """New Python processes (not forks: see `FreshProcess`) running the tasks, each given
    the share that evens out the estimated costs (each task in turn, the costliest first,
    to the least loaded)."""
    from pipelines.ingest.parallel import FreshProcess

    shares: list[list[tuple[str, str]]] = [[] for _ in range(workers)]
    loads = [0.0] * workers
    for task, task_cost in zip(tasks, costs):
        least = loads.index(min(loads))
        shares[least].append(task)
        loads[least] += task_cost
    started = []
    try:
        for share in filter(None, shares):
            job = json.dumps({"descriptor": str(descriptor_path), "large": sorted(large), "limit": FULL_ROWS,
                              "tasks": share})
            ready = _prepared.pop() if _prepared else None
            if ready is not None and not ready.waiting():  # it ended (killed, out of memory): not used
                ready.stop()
                ready = None
            started.append(ready.give(job) if ready is not None else FreshProcess(WORKER, job))
    except BaseException:
        for process in started:
            process.stop()
        raise
    return started


def _collect(started: list) -> tuple[dict[tuple[str, str], list[str]], frozenset[str]]:
    """(the problems each worker found, the environments the prepared workers among them reported)"""
    found: dict[tuple[str, str], list[str]] = {}
    environments = set()
    for process in started:
        said = json.loads(process.output("a worker of the package check"))
        if isinstance(said, dict):  # a prepared worker's
            environments.add(said["environment"])
            said = said["found"]
        found.update({(kind, name): problems for kind, name, problems in said})
    return found, frozenset(environments)


WORKER = "from pipelines.publish.package_check import work; work()"
PREPARED_WORKER = "from pipelines.publish.package_check import work_when_given; work_when_given()"


class PreparedWorker:
    """A worker of the package check started before there is anything to check: it imports
    what it reads with (frictionless, pyarrow: about a second of CPU) while the build does
    its other steps on the other core, then waits for its job, which `give` sends down a
    pipe of its own. Until then it does nothing; the caller's end of the pipe closing (the
    caller ended, or `stop`) ends it."""

    def __init__(self):
        from pipelines.ingest.parallel import FreshProcess

        read, self._write = os.pipe()
        try:
            self._process = FreshProcess(PREPARED_WORKER, str(read), pass_fds=(read,))
        except BaseException:
            os.close(self._write)
            raise
        finally:
            os.close(read)

    def give(self, job: str):
        """Send the job (JSON, as `work` takes it): returns the process, to wait on as any other."""
        write, self._write = self._write, None  # the file below closes it, whatever happens
        try:
            with os.fdopen(write, "w", encoding="utf-8") as pipe:
                pipe.write(job + "\n")  # one line: a forked process that inherited this end would keep it open
        except BrokenPipeError:
            pass  # it ended meanwhile: waiting for it says how
        return self._process

    def waiting(self) -> bool:
        """Whether it still runs, waiting for its job."""
        return self._write is not None and self._process.running()

    def stop(self) -> None:
        if self._write is not None:
            os.close(self._write)
            self._write = None
        self._process.stop()


_prepared: list[PreparedWorker] = []  # started by `worker_prepared`, taken by the first checks that start one


@contextlib.contextmanager
def worker_prepared() -> Iterator[None]:
    """A worker of the package check started now, for the first table checks begun within the
    block (`start_table_checks` in a build's data_package step) to take rather than start
    one then, when its imports would delay the check. Stopped at the end in any case (taken,
    it has finished by then). Begin the block after reading the code the build is made from
    (a manifest): the worker imports the code now, and only a change after that read is
    caught by comparing it with the code at the end. The libraries it imports now are told
    by the environment it reports (`PackageCheck.environments`)."""
    worker = PreparedWorker()
    _prepared.append(worker)
    try:
        yield
    finally:
        if worker in _prepared:
            _prepared.remove(worker)
        worker.stop()


def work_when_given() -> None:
    """A `PreparedWorker`: the imports of a check, then `work` on the job read from the pipe
    named by the first argument (nothing at all when the pipe closes without one)."""
    import sys

    import frictionless  # noqa: F401 (imported now: the point of starting early)
    import pyarrow.csv  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    from pipelines.publish.manifest import environment_sha256

    # The libraries as they were imported, for the build to compare with those it records
    # (it reads them later, when its data_package step begins).
    environment = environment_sha256()
    with os.fdopen(int(sys.argv[1]), "r", encoding="utf-8") as pipe:
        job = pipe.readline()
    if job.strip():
        work(job, environment)


def work(job_text: str | None = None, environment: str | None = None) -> None:
    """A worker of `_start_workers`: the problems of the tasks of the job (JSON; by default its
    first argument), printed as JSON ([kind, name, problems] per task; with the environment
    a prepared worker gives, {"environment": ..., "found": that list})."""
    import sys

    job = json.loads(job_text if job_text is not None else sys.argv[1])
    found = _run_tasks(Path(job["descriptor"]), frozenset(job["large"]), job["limit"],
                       [(kind, name) for kind, name in job["tasks"]])
    said = [[kind, name, problems] for (kind, name), problems in found.items()]
    json.dump(said if environment is None else {"environment": environment, "found": said}, sys.stdout)


def _run_tasks(descriptor_path: Path, large: frozenset[str], limit: int,
               tasks: list[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    """The problems of each task (("csv" or "parquet", resource name)), in a worker or here;
    frictionless reads `limit` rows of the large resources."""
    # Read once for all the tasks: at 10,000 sources the descriptor is some 300 kB, and
    # parsing it again for each of some fifty tasks was a tenth of a worker's time.
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    csv = {r["name"]: r for r in csv_resources(descriptor)}
    resources = {r["name"]: r for r in descriptor["resources"]}
    found = {}
    for kind, name in tasks:
        found[(kind, name)] = (_validate_csv(descriptor_path.parent, csv, name, large, limit) if kind == "csv"
                               else round_trip_problems(descriptor_path.parent, resources, name))
    return found


def _validate_csv(basepath: Path, csv: dict[str, dict[str, Any]], name: str, large: frozenset[str],
                  limit: int) -> list[str]:
    """frictionless on one CSV resource (every row, or `limit` rows of a large one: see the
    module docstring), in a package of it and the CSV resources its foreign keys point to."""
    from frictionless import Package

    resource = copy.deepcopy(csv[name])
    schema = resource.get("schema") or {}
    if name in large:
        schema["foreignKeys"] = [fk for fk in schema.get("foreignKeys", [])
                                 if (fk["reference"].get("resource") or name) not in large]
    keys = (resource.get("schema") or {}).get("foreignKeys", [])
    targets = [_key_source(csv[t], {f for fk in keys if fk["reference"].get("resource") == t
                                    for f in fk["reference"]["fields"]})
               for t in _key_targets(resource, frozenset()) if t in csv and t != name]
    package = Package({"resources": [resource, *targets]}, basepath=str(basepath))
    report = package.get_resource(name).validate(limit_rows=limit if name in large else None)
    errors = [error for task in report.tasks for error in task.errors] + list(report.errors)
    return [f"{name}: row {getattr(error, 'row_number', '-')}: {error.type}: {error.note}" for error in errors]


def checked_prefix_sha256(path: Path, rows: int) -> str | None:
    """The sha256 of what frictionless reads of a CSV file with limit_rows=rows: its header
    and first rows + 1 rows (a row more, in case it reads ahead), then at least PREFIX_BYTES
    from the start (the bytes it samples first) and PREFIX_MARGIN more (the text it decodes
    ahead of the row it parses), or the whole file when shorter. None when the file has no
    more rows than rows + 1, when frictionless would not read it as the CSV written here
    (comma, double quotes, no escape character: it guesses the dialect from the first 100
    lines, as `_excel_like` does), or when it cannot be read so (a value longer than the csv
    module's limit, a character that is not UTF-8, a carriage return): the table is then read.

    Each record's bytes are those of the lines Python's csv module (which frictionless
    parses with) takes for it: a value in quotes may hold line breaks."""
    digest = hashlib.sha256()
    taken: list[bytes] = []
    size = count = 0

    def lines(handle):
        for line in iter(handle.readline, b""):  # b"\n" never falls inside a UTF-8 character
            taken.append(line)
            yield line.decode("utf-8")

    try:
        with open(path, "rb") as handle:
            if not _excel_like([handle.readline() for _ in range(DIALECT_SAMPLE_LINES)]):
                return None
            handle.seek(0)
            for count, _ in enumerate(csv.reader(lines(handle)), start=1):
                record = b"".join(taken)  # the lines of this record: the reader stops at its end
                taken.clear()
                digest.update(record)
                size += len(record)
                if count >= rows + 2 and size >= PREFIX_BYTES:
                    digest.update(handle.read(PREFIX_MARGIN))
                    return digest.hexdigest()
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return digest.hexdigest() if count >= rows + 2 else None


PREFIX_BYTES = 100_000  # frictionless's settings.DEFAULT_BUFFER_SIZE (tested): the sample it reads first
PREFIX_MARGIN = 65_536  # more than the 8 kB Python's text reader decodes ahead of the line it gives
DIALECT_SAMPLE_LINES = 100  # the lines frictionless's CSV parser guesses the dialect from (formats/csv/parser.py)


def _excel_like(sample: list[bytes]) -> bool:
    """Whether frictionless, given no dialect (as this project's descriptors give none), reads
    a CSV file whose first lines are sample as the csv module's default does: it guesses with
    csv.Sniffer among these delimiters, as here (its guess of ' as the quote is taken as ")."""
    try:
        text = b"".join(sample).decode("utf-8")
    except UnicodeDecodeError:
        return False
    if "\r" in text:  # frictionless's lines would end there: another sample
        return False
    try:
        guess = csv.Sniffer().sniff(text, ",\t;|")
    except csv.Error:
        return True  # frictionless then reads it as csv.excel
    return (guess.delimiter == "," and guess.quotechar in ('"', "'") and guess.escapechar is None
            and not guess.skipinitialspace)


def _prefixes(basepath: Path, by_name: dict[str, dict[str, Any]], large: frozenset[str],
              unchanged: set[tuple[str, str]], prefixes_before: dict[str, str]) -> dict[str, str]:
    """`checked_prefix_sha256` of each large CSV resource: the one recorded before for a file
    byte for byte that of the build before (its task unchanged), read from the file otherwise."""
    found = {}
    for name in sorted(large):
        prefix = (("csv", name) in unchanged and prefixes_before.get(name)
                  or checked_prefix_sha256(basepath / by_name[name]["path"], FULL_ROWS))
        if prefix is not None:
            found[name] = prefix
    return found


def _without_file(resource: dict[str, Any] | None) -> dict[str, Any] | None:
    """A resource's description but what its file's bytes are (sha256, size)."""
    return None if resource is None else {k: v for k, v in resource.items() if k not in ("hash", "bytes")}


def _key_source(target: dict[str, Any], key_fields: set[str]) -> dict[str, Any]:
    """A resource as a foreign key's target: frictionless only collects the values of its key
    fields from it (it is validated whole in its own task), so its other fields are read as
    they are ("any"), without parsing them (0.5 s of the 8 s of CPU the check takes at 10,000
    sources, where nine tables point to sources)."""
    target = copy.deepcopy(target)
    schema = target["schema"]
    schema["fields"] = [f if f["name"] in key_fields else {"name": f["name"], "type": "any"} for f in schema["fields"]]
    schema.pop("primaryKey", None)
    schema.pop("foreignKeys", None)
    return target


def _key_targets(resource: dict[str, Any], skipped: frozenset[str]) -> list[str]:
    """The resources a resource's foreign keys point to (itself for a key within it), less
    those skipped, each once, in order."""
    keys = (resource.get("schema") or {}).get("foreignKeys", [])
    targets = [fk["reference"].get("resource") or resource["name"] for fk in keys]
    return [t for t in dict.fromkeys(targets) if t not in skipped]


def _fields(resource: dict[str, Any]) -> list[dict[str, Any]]:
    return (resource.get("schema") or {}).get("fields", [])


def _rows(basepath: Path, parquet: dict[str, Any] | None) -> int:
    """Rows of a table, from the footer of its Parquet resource (the CSV twin of the same name
    without "_csv"; the round trip checks that both hold the same rows)."""
    import pyarrow.parquet as pq

    path = basepath / parquet["path"] if parquet else None
    return pq.read_metadata(path).num_rows if path and path.is_file() else 0


def _give_back_memory(collect: bool) -> None:
    """frictionless leaves reference cycles behind for the rows it reads, and Arrow's
    allocator keeps the pages of freed tables. In the build process, which holds millions of
    long-lived objects, CPython postpones full collections, so both piled up (0.7 GB on a
    10,000-source build): return them before the next step (benchmarks/RESULTS.md). The
    full collection (0.1 s even for the real sources) only when frictionless read tables in
    this process (collect), not when workers read them all."""
    import gc

    import pyarrow as pa

    if collect:
        gc.collect()
    pa.default_memory_pool().release_unused()
