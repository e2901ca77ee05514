"""Time a command in fresh subprocesses: wall and CPU time (median, min, max) and peak memory.

Each run is a new process, so every figure includes interpreter start-up and imports
(a "cold" run, as a contributor or CI sees it). CPU time (user + system) and peak RSS come
from GNU time (`-v`) when /usr/bin/time exists, else from a small Python wrapper reading
getrusage(RUSAGE_CHILDREN) after its only child exits. Either way they cover the children
the command waited for (validate's and the build's workers), but the peak RSS is that of
the largest single process, not of the processes alive together. So the process tree is
also sampled every SAMPLE_SECONDS while it runs: the sum of its processes' PSS
(proportional set size, so that pages a forked worker shares with its parent count once),
or of their RSS where PSS cannot be read. `peak_mib` is the larger of the two peaks.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

GNU_TIME = Path("/usr/bin/time")
PROC = Path("/proc")
SAMPLE_SECONDS = 0.25


@dataclass
class Stats:
    label: str
    command: str
    runs: list[float] = field(default_factory=list)  # wall seconds, one per run
    cpu: list[float] = field(default_factory=list)  # user + system seconds of the process tree, one per run
    peak_rss_mib: float | None = None  # the largest process's, the largest over the runs
    peak_tree_mib: float | None = None  # the sampled sum over the process tree, the largest over the runs
    returncode: int | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def add(self, seconds: float, cpu: float | None, rss: float | None, tree: float | None) -> None:
        self.runs.append(seconds)
        if cpu is not None:
            self.cpu.append(cpu)
        if rss is not None:
            self.peak_rss_mib = max(self.peak_rss_mib or 0, round(rss, 1))
        if tree is not None:
            self.peak_tree_mib = max(self.peak_tree_mib or 0, round(tree, 1))

    def to_dict(self) -> dict:
        out = asdict(self)
        out.update(median=round(self.median, 3), min=round(min(self.runs), 3), max=round(max(self.runs), 3),
                   repeat=len(self.runs))
        out["runs"] = [round(r, 3) for r in self.runs]
        out["cpu"] = [round(c, 2) for c in self.cpu]
        if self.cpu:
            out["cpu_median"] = round(statistics.median(self.cpu), 2)
        peaks = [p for p in (self.peak_rss_mib, self.peak_tree_mib) if p is not None]
        out["peak_mib"] = max(peaks) if peaks else None
        return out


def _rss_wrapper(argv: list[str], report: str) -> int:
    """Run argv; write its peak RSS (KiB) to report. Used when GNU time is missing."""
    import resource

    code = subprocess.call(argv)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(report, "w") as handle:
        json.dump({"max_rss_kib": usage.ru_maxrss, "cpu_seconds": usage.ru_utime + usage.ru_stime}, handle)
    return code


def parse_gnu_time(text: str) -> tuple[float | None, float | None]:
    """(CPU seconds, peak RSS MiB) from the report of GNU time -v."""
    values = {}
    for line in text.splitlines():
        name, _, value = line.strip().rpartition(": ")
        values[name] = value
    try:
        cpu = float(values["User time (seconds)"]) + float(values["System time (seconds)"])
    except (KeyError, ValueError):
        cpu = None
    rss = values.get("Maximum resident set size (kbytes)")
    return cpu, int(rss) / 1024 if rss and rss.isdigit() else None


def tree_kib(root: int) -> int | None:
    """The summed PSS (RSS where PSS is unreadable) of root and its descendants, in KiB;
    None where /proc cannot be read."""
    parents: dict[int, list[int]] = {}
    try:
        entries = list(PROC.iterdir())
    except OSError:
        return None
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:  # the parent pid is the second field after the parenthesised command name
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        parents.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += parents.get(pid, [])
        total += _process_kib(pid)
    return total


def _process_kib(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    try:  # statm counts pages: the second field is resident
        return int((PROC / str(pid) / "statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        return 0


def run_once(argv: list[str], cwd: Path | None = None, env: dict | None = None) -> dict:
    """One fresh run of argv: wall seconds, CPU seconds, peak RSS of its largest process and
    sampled peak of its whole tree (MiB), exit status and the last lines of stderr."""
    with tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp:
        report = Path(tmp) / "rss"
        if GNU_TIME.exists():
            wrapped = [str(GNU_TIME), "-v", "-o", str(report), *argv]
        else:
            wrapped = [sys.executable, "-m", "benchmarks.measure", str(report), *argv]
        start = time.perf_counter()
        proc = subprocess.Popen(wrapped, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        peak = {"kib": None}
        done = threading.Event()

        def sample() -> None:
            while not done.wait(SAMPLE_SECONDS):
                kib = tree_kib(proc.pid)
                if kib is not None:
                    peak["kib"] = max(peak["kib"] or 0, kib)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, stderr = proc.communicate()
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        cpu = rss = None
        if report.exists():
            text = report.read_text()
            if GNU_TIME.exists():
                cpu, rss = parse_gnu_time(text)
            else:
                data = json.loads(text)
                cpu, rss = data["cpu_seconds"], data["max_rss_kib"] / 1024
    tail = "\n".join(stderr.decode("utf-8", "replace").splitlines()[-15:])
    tree = peak["kib"] / 1024 if peak["kib"] is not None else None
    return {"seconds": seconds, "cpu": cpu, "rss": rss, "tree": tree, "code": proc.returncode, "tail": tail}


_REPO = str(Path(__file__).resolve().parent.parent) + "/"


def shown(argv: list[str]) -> str:
    """The command as it is recorded: relative to the repository and the temporary folder,
    so that results name no path of the machine they ran on."""
    text = " ".join(argv).replace(_REPO, "").replace(" " + _REPO.rstrip("/") + " ", " . ")
    return text.replace(tempfile.gettempdir().rstrip("/") + "/", "<tmp>/")


def measure(label: str, argv: list[str], repeat: int, *, expect: int | None = 0, cwd: Path | None = None,
            env: dict | None = None, before_each=None) -> Stats:
    stats = Stats(label, shown(argv))
    for _ in range(repeat):
        if before_each:
            before_each()
        run = run_once(argv, cwd, env)
        if expect is not None and run["code"] != expect:
            raise RuntimeError(f"{label}: exit status {run['code']}, expected {expect}\n$ {stats.command}\n{run['tail']}")
        stats.add(run["seconds"], run["cpu"], run["rss"], run["tree"])
        stats.returncode = run["code"]
    return stats


def interleaved(pairs: list[tuple[str, list[str], dict]], repeat: int) -> list[Stats]:
    """Measure several commands in turn (a, b, a, b, ...) so that drift in the machine's
    speed affects each alike: a command and its floor are compared within one run."""
    out = [Stats(label, shown(argv)) for label, argv, _ in pairs]
    for _ in range(repeat):
        for stats, (label, argv, options) in zip(out, pairs):
            one = measure(label, argv, 1, **options)
            stats.add(one.runs[0], one.cpu[0] if one.cpu else None, one.peak_rss_mib, one.peak_tree_mib)
            stats.returncode = one.returncode
    return out


def environment(**extra: str) -> dict:
    env = dict(os.environ)
    env.update(extra)
    return env


if __name__ == "__main__":
    sys.exit(_rss_wrapper(sys.argv[2:], sys.argv[1]))
