"""`borderlines suggest --measure`, per table: drafted records against the final ones
(pipelines/contribute/measure.py)."""

from __future__ import annotations

from conftest import FIXTURE, edit
from pipelines.cli import main
from pipelines.contribute.measure import measure_all

SOURCE = "2024-03-04-fixture-strait-talks"
ANNOTATIONS = f"sources/news/{SOURCE}/annotations.yaml"


def counts(root) -> dict[str, tuple[int, int, int, int, int]]:
    """(drafted, kept unchanged, edited, dropped, missed) per table, of the fixture's source."""
    _, records = measure_all(root)
    return {table: (s.drafted, s.unchanged, s.edited, s.dropped, s.missed) for table, s in records[SOURCE].items()}


def test_kept_edited_dropped_and_missed_records_of_the_fixture():
    assert counts(FIXTURE) == {
        # five figures drafted: "More than 1,200" and "two" (boats) kept as drafted, though in a
        # sentence with another figure; "about 300", "Some 45" and "up to 500" dropped
        "crossings": (5, 2, 0, 3, 0),
        # the capsize kept: the annotator added route, location, vessel type; nothing drafted changed
        "incidents": (1, 1, 0, 0, 0),
        # the meeting kept: suggest proposes no role (only the text can give one); the
        # annotator's host for Ben Example is a value added, not one changed
        "meetings": (1, 1, 0, 0, 0),
        # the "returns deal" sentence names no country: suggest drafted no agreement
        "agreements": (0, 0, 0, 0, 1),
    }


def test_a_drafted_value_taken_away_is_an_edit_and_a_kept_role_is_not(corpus):
    edit(corpus, ANNOTATIONS, "      - {person_id: ben-example, role: host}", "      - {person_id: ben-example}")
    edit(corpus, ANNOTATIONS, "    survivors: 41\n", "")
    found = counts(corpus)
    assert found["meetings"] == (1, 1, 0, 0, 0)  # role participant (the default), as drafted
    assert found["incidents"] == (1, 0, 1, 0, 0)  # the drafted survivors were removed


def test_totals_and_precision_and_recall(corpus):
    _, records = measure_all(corpus)
    crossings = records["total"]["crossings"]
    assert (crossings.matched, crossings.precision(), crossings.recall()) == (2, "40%", "100%")
    assert records["total"]["agreements"].precision() == "n/a"  # nothing drafted
    assert records["total"]["agreements"].recall() == "0%"


def test_the_command_prints_the_records_per_table(corpus, capsys):
    assert main(["--root", str(corpus), "suggest", "--measure"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any("numbers recall" in line for line in lines)  # the value scores stay
    header = next(line for line in lines if line.split()[:2] == ["source", "table"])
    assert header.split()[2:] == ["drafted", "unchanged", "edited", "dropped", "missed", "precision", "recall"]
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in lines[lines.index(header) + 1:]}
    assert rows[(SOURCE, "crossings")] == ["5", "2", "0", "3", "0", "40%", "100%"]
    assert rows[("total", "meetings")] == ["1", "1", "0", "0", "0", "100%", "100%"]
    assert lines[-1].startswith("total")
