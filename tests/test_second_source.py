"""CONTRIBUTING's "A second source of an event already in the dataset", run as written:
each output it shows must be what the commands print."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

from conftest import FIXTURE, build, failed_checks
from pipelines.cli import main

REPO = Path(__file__).resolve().parent.parent
READOUT = REPO / "tests" / "fixtures" / "contribute" / "home-office-readout.txt"
SOURCE_ID = "2024-03-04-home-secretary-meets-french-minister-london"


def section() -> str:
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    return text.split("## A second source of an event already in the dataset")[1].split("\n## ")[0]


def shown(block_start: str) -> list[str]:
    """The lines of the console block of the section that starts with block_start, without
    the command and the '...' that stands for lines left out."""
    for block in re.findall(r"```console\n(.*?)```", section(), re.S):
        lines = [line.strip() for line in block.splitlines()]
        if lines[0] == block_start:
            return [line for line in lines[1:] if line and line != "..."]
    raise AssertionError(f"no block starting {block_start!r}")


def run(capsys, *argv) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_walk_through_prints_what_contributing_shows(tmp_path, capsys, monkeypatch):
    root = tmp_path / "corpus"
    shutil.copytree(FIXTURE, root)
    first = build(root, root / "build")
    assert first.success, failed_checks(first)
    shutil.copytree(root / "build/data/parquet", root / "datasets/0.1.0/parquet")
    monkeypatch.chdir(root)
    r = ["--root", str(root)]

    code, out = run(capsys, *r, "find", "--person", "anna-fixture", "--from", "2024-03-03", "--to", "2024-03-05")
    assert code == 0
    assert [line.strip() for line in out.splitlines() if line.strip()] == \
        shown("$ borderlines find --person anna-fixture --from 2024-03-03 --to 2024-03-05")

    code, _ = run(capsys, *r, "new-source", str(READOUT), "--url", "https://example.org/home-office-readout",
                  "--publisher", "UK Home Office", "--published", "2024-03-04",
                  "--title", "Home Secretary meets French minister in London", "--publisher-id", "uk-home-office")
    assert code == 0
    folder = root / "sources" / "news" / SOURCE_ID
    assert "publisher_id: uk-home-office\n" in (folder / "source.yaml").read_text()

    code, out = run(capsys, *r, "suggest", SOURCE_ID)
    assert code == 0
    for line in shown(f"$ borderlines suggest {SOURCE_ID}"):
        assert line in [l.strip() for l in out.splitlines()], line

    annotation = textwrap.dedent(re.search(r"```yaml\n(.*?)```", section(), re.S).group(1).rstrip(" "))
    assert annotation.startswith("meetings:")
    drafted = annotation.replace("meeting_id: 2024-03-04-fixture-london-talks",
                                 "meeting_id: 2024-03-04-london-example-fixture")
    (folder / "annotations.yaml").write_text(f"source_id: {SOURCE_ID}\n\n{drafted}")
    code, out = run(capsys, *r, "validate")
    assert code == 1
    assert [line.strip() for line in out.splitlines() if line.strip()] == shown("$ borderlines validate")

    (folder / "annotations.yaml").write_text(f"source_id: {SOURCE_ID}\n\n{annotation}")
    code, out = run(capsys, *r, "validate")
    assert code == 0, out
    second = build(root, root / "build")
    assert second.success, failed_checks(second)
    code, out = run(capsys, *r, "diff")
    printed = [line.strip() for line in out.splitlines()]
    for line in shown("$ borderlines diff"):
        assert line in printed, line
