"""Time a command in fresh subprocesses: wall time (median, min, max) and peak RSS.

Each run is a new process, so every figure includes interpreter start-up and imports
(a "cold" run, as a contributor or CI sees it). Peak RSS comes from GNU time (`-v`) when
/usr/bin/time exists, else from a small Python wrapper reading getrusage(RUSAGE_CHILDREN)
after its only child exits. Either way it is the peak of the measured process tree's
largest process, not of the benchmark harness.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

GNU_TIME = Path("/usr/bin/time")


@dataclass
class Stats:
    label: str
    command: str
    runs: list[float] = field(default_factory=list)  # seconds, one per run
    peak_rss_mib: float | None = None  # the largest over the runs
    returncode: int | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def to_dict(self) -> dict:
        out = asdict(self)
        out.update(median=round(self.median, 3), min=round(min(self.runs), 3), max=round(max(self.runs), 3),
                   repeat=len(self.runs))
        out["runs"] = [round(r, 3) for r in self.runs]
        return out


def _rss_wrapper(argv: list[str], report: str) -> int:
    """Run argv; write its peak RSS (KiB) to report. Used when GNU time is missing."""
    import resource

    code = subprocess.call(argv)
    with open(report, "w") as handle:
        json.dump({"max_rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}, handle)
    return code


def run_once(argv: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, float | None, int, str]:
    """(seconds, peak RSS MiB, exit status, last lines of stderr) of one fresh run of argv."""
    with tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp:
        report = Path(tmp) / "rss"
        if GNU_TIME.exists():
            wrapped = [str(GNU_TIME), "-v", "-o", str(report), *argv]
        else:
            wrapped = [sys.executable, "-m", "benchmarks.measure", str(report), *argv]
        start = time.perf_counter()
        proc = subprocess.run(wrapped, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        seconds = time.perf_counter() - start
        rss = None
        if report.exists():
            text = report.read_text()
            if GNU_TIME.exists():
                for line in text.splitlines():
                    if "Maximum resident set size" in line:
                        rss = int(line.rsplit(":", 1)[1]) / 1024
            else:
                rss = json.loads(text)["max_rss_kib"] / 1024
    tail = "\n".join(proc.stderr.decode("utf-8", "replace").splitlines()[-15:])
    return seconds, rss, proc.returncode, tail


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
        seconds, rss, code, tail = run_once(argv, cwd, env)
        if expect is not None and code != expect:
            raise RuntimeError(f"{label}: exit status {code}, expected {expect}\n$ {stats.command}\n{tail}")
        stats.runs.append(seconds)
        stats.returncode = code
        if rss is not None:
            stats.peak_rss_mib = max(stats.peak_rss_mib or 0, round(rss, 1))
    return stats


def interleaved(pairs: list[tuple[str, list[str], dict]], repeat: int) -> list[Stats]:
    """Measure several commands in turn (a, b, a, b, ...) so that drift in the machine's
    speed affects each alike: a command and its floor are compared within one run."""
    out = [Stats(label, shown(argv)) for label, argv, _ in pairs]
    for _ in range(repeat):
        for stats, (label, argv, options) in zip(out, pairs):
            one = measure(label, argv, 1, **options)
            stats.runs += one.runs
            stats.returncode = one.returncode
            if one.peak_rss_mib is not None:
                stats.peak_rss_mib = max(stats.peak_rss_mib or 0, one.peak_rss_mib)
    return out


def environment(**extra: str) -> dict:
    env = dict(os.environ)
    env.update(extra)
    return env


if __name__ == "__main__":
    sys.exit(_rss_wrapper(sys.argv[2:], sys.argv[1]))
