"""The synthetic corpus generator of benchmarks/ (the benchmarks themselves run with `make bench`).

Small corpora only: these tests check that what the benchmarks measure is a corpus the
checker accepts, and that injected errors come back exactly, code by code.
"""

import json
from collections import Counter

import pytest

from benchmarks.corpus import error_plan, generate_corpus
from benchmarks.inject import ERROR_KINDS
from pipelines.cli import main


def validate(capsys, root):
    code = main(["--root", str(root), "validate", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_generated_corpus_is_valid(tmp_path, capsys):
    made = generate_corpus(tmp_path, 20, seed=1, workers=1)
    code, report = validate(capsys, tmp_path)
    assert report["problems"] == [], [p["code"] + " " + p["message"] for p in report["problems"][:5]]
    assert report["warnings"] == []  # a shared id is one event: no reused-id-differs
    assert code == 0
    assert report["sources"] == 20 and report["records"] == sum(made.records.values())
    assert 18 * 20 <= report["records"] <= 22 * 20  # about 20 records per source
    assert set(made.records) == {"crossings", "incidents", "meetings", "agreements"}


def test_generated_text_has_links_numbers_and_dates(tmp_path):
    generate_corpus(tmp_path, 20, seed=2, workers=1)
    raw = [p.read_text() for p in tmp_path.glob("sources/news/*/*") if p.suffix in (".html", ".txt")]
    assert len(raw) == 20
    assert any("<a href=" in text for text in raw) and any("<" not in text for text in raw)
    notes = "".join(p.read_text() for p in tmp_path.glob("sources/news/*/annotations.yaml"))
    for expected in ("qualifier: more_than", "period_start: last", "status: planned", "participants:", "parties:"):
        assert expected in notes


def test_same_seed_same_corpus_whatever_the_workers(tmp_path):
    generate_corpus(tmp_path / "a", 30, seed=3, workers=1)
    generate_corpus(tmp_path / "b", 30, seed=3, workers=2)
    generate_corpus(tmp_path / "c", 30, seed=4, workers=1)

    def files(root):
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a") != files(tmp_path / "c")


def test_injected_errors_are_reported_exactly(tmp_path, capsys):
    made = generate_corpus(tmp_path, 40, seed=5, errors_per_kind=2, workers=1)
    code, report = validate(capsys, tmp_path)
    reported = Counter(p["code"] for p in report["problems"])
    assert reported == Counter({kind: 2 for kind in ERROR_KINDS}) == made.injected
    assert report["warnings"] == []
    assert code == 1
    look_alikes = [p for p in report["problems"] if p["code"] == "look-alike"]
    for problem in look_alikes:  # a source's first incident copies another source's own incident
        ids = problem["message"].split("'")[1::2][:2]
        sources = {record_id.split("-incident-")[0] for record_id in ids}
        assert len(sources) == 2 and any(i.endswith("-incident-1") for i in ids), problem["message"]
    assert report["records"] >= 40 * 18  # a broken record is reported, not dropped


def test_error_plan_spreads_errors_one_per_source():
    plan = error_plan(1000, 3)
    assert len(plan) == 3 * len(ERROR_KINDS)
    assert Counter(plan.values()) == Counter({kind: 3 for kind in ERROR_KINDS})
    with pytest.raises(ValueError):
        error_plan(len(ERROR_KINDS) - 1, 1)  # each kind needs a source of its own


def test_build_targets_compare_cold_and_repeated_builds_with_the_same_instance_floor():
    from benchmarks.report import targets

    def stats(median):
        return {"median": median}

    real = {"build": stats(8.0), "build_again": stats(5.0), "dagster_floor": stats(2.0),
            "dagster_floor_home": stats(4.0), "validate": stats(0.3), "import_floor": stats(0.7)}
    found = {label: (value, ok) for label, value, ok in targets({"real": real, "synthetic": {}})}
    cold = next(v for label, v in found.items() if label.startswith("real sources, cold build"))
    again = next(v for label, v in found.items() if label.startswith("real sources, build again"))
    assert cold == ("2.00x", False)  # against the DAGSTER_HOME floor the build uses, not the ephemeral one
    assert again == ("1.25x", True)
