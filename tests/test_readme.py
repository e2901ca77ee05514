"""The README's examples run as written, in the repository's folder, once `make data` or
`make test` has installed .venv/; and the `make` targets and `borderlines` commands it
names exist."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from conftest import REPO, VENV_BIN

README = (REPO / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)
ACTIVATE = ". .venv/bin/activate"

# Blocks of "Get the data" that cannot run here, each with why (matched by a piece of its text).
NOT_RUN = {
    "https://raw.githubusercontent.com/<owner>/": "needs the network and the GitHub account hosting the repository",
    "library(arrow)": "needs R with its arrow package, which `make` does not install",
}
# What each block that runs must print (matched by a piece of its text): real rows of the
# release, not only an exit status.
EXPECTED = {
    'duckdb -c "SELECT route, ': ["qualifier", "english_channel", "2023-12-16-sunak-rome-meloni-rama"],
    "crossings.merge(evidence": ["2023-12-16-channel-people-2023-12-15-292", "Some 292 people travelled in seven boats"],
    "frictionless validate datapackage.json": ["crossings_csv", "VALID", "2023-12-16-rome-sunak-meloni-rama"],
}


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end >= 0 else None]


def blocks(text: str) -> list[tuple[str, str]]:
    return [(lang, code) for lang, code in FENCE.findall(text)]


GET_THE_DATA = blocks(section("Get the data"))


def key_of(code: str, table: dict) -> str | None:
    found = [key for key in table if key in code]
    assert len(found) <= 1, f"two keys match one block: {found}"
    return found[0] if found else None


def examples():
    """Every block but the activation line; those of NOT_RUN are reported as skipped, with why."""
    for lang, code in GET_THE_DATA:
        if code.strip() == ACTIVATE:
            continue
        reason = NOT_RUN.get(key_of(code, NOT_RUN))
        yield pytest.param(lang, code, id=f"{lang}:{code.strip().splitlines()[0][:40]}",
                           marks=[pytest.mark.skip(reason=f"not run: {reason}")] if reason else [])


def test_every_block_is_run_or_skipped_with_a_reason():
    langs = [lang for lang, _ in GET_THE_DATA]
    assert [code.strip() for _, code in GET_THE_DATA].count(ACTIVATE) == 1, "the README shows how to activate .venv"
    assert len(langs) >= 6 and "sh" in langs and "python" in langs
    for table in (NOT_RUN, EXPECTED):  # test_releases.py counts on the frictionless one
        for key in table:
            assert any(key in code for _, code in GET_THE_DATA), f"no block of the README has {key!r}"
    for lang, code in GET_THE_DATA:
        if code.strip() == ACTIVATE or key_of(code, NOT_RUN):
            continue
        assert lang in ("sh", "python"), f"a {lang!r} block this test cannot run: {code[:60]!r}"
        assert key_of(code, EXPECTED), f"no expected output for {code[:60]!r}: add it to EXPECTED"


def test_examples_read_the_latest_release():
    latest = json.loads((REPO / "datapackage.json").read_text())["version"]
    named = set(re.findall(r"datasets/(\d+\.\d+\.\d+)/", section("Get the data")))
    assert named == {latest}, f"the examples read {sorted(named)}; the latest release is {latest}"


@pytest.fixture(scope="module")
def shell_env():
    """The user's environment without this venv: the README's activation line must supply it."""
    if not (REPO / ".venv" / "bin" / "activate").is_file():
        pytest.skip("no .venv/ in the repository: the README's examples run in the one `make` installs")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p and os.path.realpath(p) != os.path.realpath(VENV_BIN)
                                  and os.path.realpath(p) != os.path.realpath(REPO / ".venv" / "bin"))
    return env


@pytest.mark.parametrize("lang, code", list(examples()))
def test_example_runs_as_written(lang, code, shell_env):
    if lang == "sh":  # in a shell where the reader ran the activation line first
        command = ["sh", "-c", f"{ACTIVATE}\nset -e\n{code}"]
    else:  # pasted into the venv's Python
        command = [str(REPO / ".venv" / "bin" / "python"), "-c", code]
    done = subprocess.run(command, cwd=REPO, env=shell_env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{code}\nexit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    key = key_of(code, EXPECTED)
    assert key, f"no expected output for {code[:60]!r}: add it to EXPECTED"
    for expected in EXPECTED[key]:
        assert expected in done.stdout, f"{expected!r} not printed by\n{code}\n{done.stdout[-3000:]}"
    assert "INVALID" not in done.stdout


def code_spans(text: str) -> list[str]:
    """The text of every fenced block and every `inline` code span: where commands are named."""
    fenced = [code for _, code in FENCE.findall(text)]
    inline = re.findall(r"`([^`\n]+)`", FENCE.sub("", text))
    return fenced + inline


def test_every_make_target_named_in_the_readme_exists():
    named = {m for span in code_spans(README) for m in re.findall(r"(?:^|[\s;&|(])make\s+([A-Za-z][\w.-]*)", span)}
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    targets = {t for line in re.findall(r"^([A-Za-z][\w.\- ]*?)\s*:(?!=)", makefile, re.MULTILINE)
               for t in line.split()}
    assert {"data", "test"} <= named
    assert named <= targets, f"named in README.md, not in the Makefile: {sorted(named - targets)}"


def test_every_borderlines_command_named_in_the_readme_exists():
    named = {m for span in code_spans(README) for m in re.findall(r"(?:^|[\s;&|(/])borderlines\s+([a-z][\w-]*)", span)}
    done = subprocess.run([str(VENV_BIN / "borderlines"), "--help"], capture_output=True, text=True, check=True)
    choices = re.search(r"\{([\w,-]+)\}", done.stdout)
    assert choices, done.stdout
    commands = set(choices.group(1).split(","))
    assert {"validate", "build"} <= commands and "validate" in named
    assert named <= commands, f"named in README.md, not commands of borderlines: {sorted(named - commands)}"
