"""`borderlines validate` on the hand-made corpus and on broken copies of it.

Every broken input must give a message naming file, line and problem code, and no input
may make it raise (an exception here would fail the test: that is the "no traceback" rule).
"""

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from pipelines.cli import main

from conftest import FIXTURE, edit, line_of, only  # noqa: E402 (shared: conftest.py)
SOURCE = "sources/news/2024-03-04-fixture-strait-talks"
ANNOTATIONS = f"{SOURCE}/annotations.yaml"
METADATA = f"{SOURCE}/source.yaml"


def run(capsys, root, *args):
    code = main(["--root", str(root), "validate", "--format", "json", *args])
    report = json.loads(capsys.readouterr().out)
    return code, report["problems"]


def test_fixture_corpus_is_valid(capsys):
    code, problems = run(capsys, FIXTURE)
    assert problems == []
    assert code == 0


def test_text_report_names_file_line_and_code(corpus, capsys):
    edit(corpus, ANNOTATIONS, "route: english_channel", "route: english_chanel")
    code = main(["--root", str(corpus), "validate"])
    out = capsys.readouterr().out
    line = line_of(corpus, ANNOTATIONS, "english_chanel")
    assert code == 1
    assert f"{ANNOTATIONS}:{line}:12: bad-value route 'english_chanel' is not one of the allowed values" in out
    assert "did you mean 'english_channel'?" in out
    assert "1 problem(s) in 1 file(s)" in out


# (description, file, old text, new text, expected code, text on the expected line or None)
BROKEN_ANNOTATIONS = [
    ("unknown key", ANNOTATIONS, "    measure: boats", "    mesure: boats", "unknown-key", "mesure: boats"),
    ("bad enum", ANNOTATIONS, "vessel_type: small_boat", "vessel_type: dinghy", "bad-value", "vessel_type: dinghy"),
    ("wrong type", ANNOTATIONS, "dead: 7", "dead: seven", "bad-value", "dead: seven"),
    ("missing required", ANNOTATIONS, "    measure: boats\n", "", "missing-field", None),
    ("quote not found", ANNOTATIONS, "met Ben Example in London on Monday", "met Ben Example in Paris on Monday",
     "quote-not-found", "met Ben Example in Paris"),
    ("straight quotes", ANNOTATIONS, "the “returns deal” signed last year", 'the "returns deal" signed last year',
     "quote-not-found", "signed last year"),
    ("ambiguous quote", ANNOTATIONS, "      - seven people died and 41 were rescued", "      - 0 people",
     "quote-ambiguous", "      - 0 people"),  # "1,200 people" and "500 people"
    ("number not quoted", ANNOTATIONS, "survivors: 41", "survivors: 42", "number-not-quoted", "survivors: 42"),
    ("cue missing", ANNOTATIONS, "capacity_qualifier: up_to", "capacity_qualifier: about", "qualifier-cue-missing",
     "capacity_qualifier: about"),
    ("weekday mismatch", ANNOTATIONS, "date: Friday February 23", "date: Friday February 22", "bad-date",
     "date: Friday February 22"),
    ("unresolvable date", ANNOTATIONS, "date: on Monday", "date: a while ago", "bad-date", "date: a while ago"),
    ("date phrase not quoted", ANNOTATIONS, "period_start: on Saturday", "period_start: yesterday",
     "date-phrase-not-quoted", "period_start: yesterday"),
    ("future date", ANNOTATIONS, "    status: held", "    status: held\n    purpose: x", None, None),
    ("unknown person", ANNOTATIONS, "person_id: ben-example", "person_id: ben-exampel", "unknown-id", "ben-exampel"),
    ("bad country", ANNOTATIONS, "country: FR\n    distance", "country: UK\n    distance", "bad-value", "country: UK"),
    ("not a country", ANNOTATIONS, "{country: FR}", "{country: XZ}", "bad-value", "{country: XZ}"),
    ("no evidence", ANNOTATIONS, "      - met Ben Example in London on Monday\n", "", "no-evidence", None),
    ("period reversed", ANNOTATIONS, "period_end: last month", "period_end: 2024-01-15", "bad-period", None),
    ("yaml syntax", ANNOTATIONS, "    route: english_channel\n    destination_country: GB",
     "    route: [english_channel\n    destination_country: GB", "yaml-syntax", None),
    ("duplicate key", ANNOTATIONS, "    dead: 7\n", "    dead: 7\n    dead: 8\n", "duplicate-key", "dead: 8"),
    ("unknown section", ANNOTATIONS, "incidents:", "incident:", "unknown-key", "incident:"),
    ("source id mismatch", ANNOTATIONS, "source_id: 2024-03-04-fixture-strait-talks", "source_id: other",
     "id-mismatch", "source_id: other"),
    ("bad metadata enum", METADATA, "raw_format: html", "raw_format: pdf", "bad-value", "raw_format: pdf"),
    ("inferred date without note", METADATA, "published_date_method: stated", "published_date_method: inferred_from_text",
     "missing-field", "published_date_method"),
    ("date from the address without note", METADATA, "published_date_method: stated",
     "published_date_method: inferred_from_url", "missing-field", "published_date_method"),
    ("hash mismatch", METADATA, "raw_sha256: ", "raw_sha256: 0000", "bad-value", "raw_sha256"),
    ("a meeting dated by its month only", ANNOTATIONS, "date: on Monday", "date: in March", "date-not-a-day",
     "date: in March"),
    ("planned date in the past is fine but future held is not", ANNOTATIONS, "date: on Monday", "date: 2024-03-09",
     "date-after-publication", "date: 2024-03-09"),
]


@pytest.mark.parametrize("case", BROKEN_ANNOTATIONS, ids=[c[0] for c in BROKEN_ANNOTATIONS])
def test_broken_annotation_is_reported_with_its_line(corpus, capsys, case):
    _, rel, old, new, code_expected, line_text = case
    edit(corpus, rel, old, new)
    code, problems = run(capsys, corpus)
    if code_expected is None:  # a control case: the edit is valid
        assert problems == [] and code == 0
        return
    assert code == 1
    problem = only(problems, code_expected)
    assert problem["path"] == rel
    if line_text:
        assert problem["line"] == line_of(corpus, rel, line_text)


def test_nearest_passage_names_the_differing_characters(corpus, capsys):
    edit(corpus, ANNOTATIONS, "the “returns deal” signed last year", 'the "returns deal" signed last year')
    _, problems = run(capsys, corpus)
    problem = only(problems, "quote-not-found")
    assert "left double quote “" in problem["message"]
    assert "straight double quote" in problem["message"]
    assert problem["excerpt"] == "the “returns deal” signed last year"


def test_occurrence_disambiguates(corpus, capsys):
    edit(corpus, ANNOTATIONS, "      - seven people died and 41 were rescued",
         "      - seven people died and 41 were rescued\n      - {quote: 0 people, occurrence: 2}")
    code, problems = run(capsys, corpus)
    assert problems == [] and code == 0
    edit(corpus, ANNOTATIONS, "occurrence: 2}", "occurrence: 9}")
    _, problems = run(capsys, corpus)
    assert only(problems, "bad-occurrence")


def test_duplicate_crossing_id_across_sources(corpus, capsys):
    other = corpus / "sources/news/2024-03-05-fixture-copy"
    shutil.copytree(corpus / SOURCE, other)
    for name in ("source.yaml", "annotations.yaml"):
        edit(corpus, f"sources/news/2024-03-05-fixture-copy/{name}", "source_id: 2024-03-04-fixture-strait-talks",
             "source_id: 2024-03-05-fixture-copy")
    code, problems = run(capsys, corpus)
    dupes = [p for p in problems if p["code"] == "duplicate-id"]
    # The two crossings clash; the shared incident, meeting and agreement ids do not:
    # several sources reporting one event is how sources corroborate.
    assert len(dupes) == 2 and code == 1
    assert all(p["path"].startswith("sources/news/2024-03-05-fixture-copy/") for p in dupes)


def test_same_record_twice_in_one_source(corpus, capsys):
    text = (corpus / ANNOTATIONS).read_text(encoding="utf-8")
    meeting = text[text.index("  - meeting_id"): text.index("agreements:")]
    edit(corpus, ANNOTATIONS, "agreements:", meeting + "agreements:")
    _, problems = run(capsys, corpus)
    assert "already stated on line" in only(problems, "duplicate-record")["message"]


def test_registry_problems(corpus, capsys):
    edit(corpus, "sources/registry/people.yaml", "- person_id: ben-example", "- person_id: anna-fixture")
    edit(corpus, "sources/registry/places.yaml", "place_type: city\n  country: GB", "place_type: town\n  country: GB")
    _, problems = run(capsys, corpus)
    assert only(problems, "duplicate-id")["path"] == "sources/registry/people.yaml"
    assert only(problems, "duplicate-id")["line"] == 4
    assert "'town'" in only(problems, "bad-value")["message"]


WHOLE_FILE = [
    ("bom", lambda b: b"\xef\xbb\xbf" + b, "bom"),
    ("crlf", lambda b: b.replace(b"\n", b"\r\n"), "crlf"),
    ("latin-1", lambda b: b.replace("“".encode(), b"\x93"), "not-utf8"),
    ("too large", lambda b: b + b"#" * 1_000_001, "file-too-large"),
    ("alias bomb", lambda b: b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                             b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n" + b, "yaml-alias"),
    ("python tag", lambda b: b"x: !!python/object/apply:os.system ['true']\n" + b, "yaml-tag"),
    ("not a mapping", lambda b: b"- just\n- a list\n", "wrong-type"),
]


@pytest.mark.parametrize("name,mutate,code_expected", WHOLE_FILE, ids=[c[0] for c in WHOLE_FILE])
def test_whole_file_problems(corpus, capsys, name, mutate, code_expected):
    path = corpus / ANNOTATIONS
    path.write_bytes(mutate(path.read_bytes()))
    code, problems = run(capsys, corpus)
    assert code == 1
    assert only(problems, code_expected)["path"] == ANNOTATIONS


def test_raw_file_changed_is_a_hash_mismatch(corpus, capsys):
    raw = corpus / SOURCE / "article.html"
    raw.write_bytes(raw.read_bytes().replace(b"seven", b"eight"))
    _, problems = run(capsys, corpus)
    problem = only(problems, "hash-mismatch")
    assert problem["path"] == f"{SOURCE}/article.html"  # the file that changed, as a whole (line 0)
    assert problem["line"] == 0
    assert hashlib.sha256(raw.read_bytes()).hexdigest() in problem["message"]


def test_raw_file_not_utf8(corpus, capsys):
    raw = corpus / SOURCE / "article.html"
    raw.write_bytes(raw.read_bytes().replace("“".encode(), b"\x93"))
    edit(corpus, METADATA, "raw_sha256: ", "raw_sha256: " + hashlib.sha256(raw.read_bytes()).hexdigest() + "\n#")
    _, problems = run(capsys, corpus)
    assert only(problems, "not-utf8")["path"] == f"{SOURCE}/article.html"


def test_missing_files(corpus, capsys):
    (corpus / ANNOTATIONS).unlink()
    (corpus / "sources/registry/agreements.yaml").unlink()
    _, problems = run(capsys, corpus)
    paths = {p["path"] for p in problems if p["code"] == "missing-file"}
    assert paths == {ANNOTATIONS, "sources/registry/agreements.yaml"}


def test_only_given_paths_are_checked(corpus, capsys):
    other = corpus / "sources/news/2024-03-05-broken"
    other.mkdir()
    (other / "source.yaml").write_text("source_id: [\n", encoding="utf-8")
    code, problems = run(capsys, corpus, str(corpus / SOURCE / "annotations.yaml"))
    assert code == 0 and problems == []
    code, problems = run(capsys, corpus)
    assert code == 1 and only(problems, "yaml-syntax")["path"] == "sources/news/2024-03-05-broken/source.yaml"


def test_usage_errors_exit_2(corpus, capsys):
    assert main(["--root", str(corpus), "validate", str(corpus / "nope")]) == 2
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--format", "xml"])
    assert exit_info.value.code == 2


def test_github_format_caps_annotations(corpus, capsys):
    for n in range(12):  # twelve unknown keys, each its own problem
        edit(corpus, ANNOTATIONS, "    measure: boats\n", f"    measure: boats\n    extra{n}: 1\n")
    code = main(["--root", str(corpus), "validate", "--format", "github"])
    out = capsys.readouterr().out.splitlines()
    errors = [line for line in out if line.startswith("::error file=")]
    assert code == 1
    assert len(errors) == 10
    assert errors[0].startswith(f"::error file={ANNOTATIONS},line=")
    assert ",title=unknown-key::" in errors[0]
    assert "::error::2 more problem(s) not annotated; the full list follows in the log" in out
    assert sum("unknown-key" in line for line in out if not line.startswith("::")) == 12


def test_github_escapes_newlines_and_percent():
    from pipelines.cli import report_github
    from pipelines.ingest.problems import Problem

    out = report_github([Problem("a,b.yaml", 3, 1, "x", "50% of\nit")], "s")
    assert out.splitlines()[0] == "::error file=a%2Cb.yaml,line=3,col=1,title=x::50%25 of%0Ait"


def test_validate_imports_neither_dagster_nor_pandas():
    import subprocess
    import sys

    code = ("import sys; from pipelines.cli import main; main(['--root', sys.argv[1], 'validate']); "
            "print(sorted(m for m in ('dagster', 'pandas', 'pandera', 'pyarrow', 'duckdb') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(FIXTURE)], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])  # this checkout's code, wherever pytest runs
    assert out.stdout.strip().splitlines()[-1] == "[]"

