"""Hostile input: files a contributor (or an attacker's pull request) can put under sources/.

Every such input must end as a validate problem with file:line and what to do, exit code 1,
never a traceback, a crash, a hang, or a file read that should not be: links and special
files are refused without being opened, sizes and nesting depth are bounded before
anything big is built, and the GitHub report cannot be made to print a workflow command.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.cli import main

from conftest import FIXTURE, REPO, edit, line_of, only  # noqa: E402,F401 (shared: conftest.py)

SOURCE = "sources/news/2024-03-04-fixture-strait-talks"
ANNOTATIONS = f"{SOURCE}/annotations.yaml"
METADATA = f"{SOURCE}/source.yaml"
RAW = f"{SOURCE}/article.html"


def run(capsys, root, *args):
    code = main(["--root", str(root), "validate", "--format", "json", *args])
    report = json.loads(capsys.readouterr().out)
    return code, report["problems"]


def run_subprocess(root, *args, timeout=120):
    """validate in its own process: a crash (segfault) or a hang must not take pytest with it."""
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "--root", str(root), "validate", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=timeout)


def codes(problems):
    return sorted(p["code"] for p in problems)


# --- 1. links and special files are never read --------------------------------------------

def test_raw_file_linked_outside_is_not_read(corpus, tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:SECRET-LINE-FROM-OUTSIDE\n", encoding="utf-8")
    (corpus / RAW).unlink()
    (corpus / RAW).symlink_to(secret)
    code, problems = run(capsys, corpus)
    assert code == 1
    problem = only(problems, "not-a-regular-file")
    assert problem["path"] == RAW and problem["line"] == 0
    assert "symbolic link" in problem["message"] and problem["hint"]
    report = json.dumps(problems)
    assert "SECRET-LINE" not in report
    assert hashlib.sha256(secret.read_bytes()).hexdigest() not in report
    assert str(secret) not in report


@pytest.mark.skipif(not Path("/etc/passwd").is_file(), reason="no /etc/passwd here")
def test_raw_file_linked_to_etc_passwd_is_not_read(corpus, capsys):
    (corpus / RAW).unlink()
    (corpus / RAW).symlink_to("/etc/passwd")
    code, problems = run(capsys, corpus)
    assert code == 1
    assert only(problems, "not-a-regular-file")["path"] == RAW
    report = json.dumps(problems)
    assert "root:" not in report
    assert hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest() not in report


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_annotations_linked_to_dev_zero_is_refused_at_once(corpus):
    (corpus / ANNOTATIONS).unlink()
    (corpus / ANNOTATIONS).symlink_to("/dev/zero")
    started = time.monotonic()
    done = run_subprocess(corpus, "--format", "json", timeout=60)
    assert time.monotonic() - started < 60
    assert done.returncode == 1, done.stderr
    problem = only(json.loads(done.stdout)["problems"], "not-a-regular-file")
    assert problem["path"] == ANNOTATIONS


def test_fifo_is_refused_without_blocking(corpus):
    (corpus / METADATA).unlink()
    os.mkfifo(corpus / METADATA)  # opening it to read would wait for a writer forever
    done = run_subprocess(corpus, "--format", "json", timeout=60)
    assert done.returncode == 1, done.stderr
    problem = only(json.loads(done.stdout)["problems"], "not-a-regular-file")
    assert problem["path"] == METADATA
    assert "named pipe" in problem["message"]


def test_dangling_link_is_a_link_not_a_missing_file(corpus, capsys):
    (corpus / ANNOTATIONS).unlink()
    (corpus / ANNOTATIONS).symlink_to(corpus / "nowhere.yaml")
    code, problems = run(capsys, corpus)
    assert code == 1
    assert codes(problems) == ["not-a-regular-file"]
    assert problems[0]["path"] == ANNOTATIONS


def test_source_folder_linked_is_not_read(corpus, tmp_path, capsys):
    outside = tmp_path / "outside"
    shutil.copytree(corpus / SOURCE, outside)
    (corpus / SOURCE).rename(tmp_path / "moved")
    (corpus / SOURCE).symlink_to(outside, target_is_directory=True)
    code, problems = run(capsys, corpus)
    assert code == 1
    problem = only(problems, "not-a-regular-file")
    assert problem["path"] == SOURCE
    assert "not a folder" in problem["message"]
    assert codes(problems) == ["not-a-regular-file"]  # nothing read through it


def test_registry_file_linked_is_not_read(corpus, tmp_path, capsys):
    people = corpus / "sources/registry/people.yaml"
    copy = tmp_path / "people.yaml"
    shutil.copy(people, copy)
    people.unlink()
    people.symlink_to(copy)
    code, problems = run(capsys, corpus)
    assert code == 1
    assert only(problems, "not-a-regular-file")["path"] == "sources/registry/people.yaml"


def test_registry_folder_linked_is_not_read(corpus, tmp_path, capsys):
    registry = corpus / "sources/registry"
    registry.rename(tmp_path / "registry")
    registry.symlink_to(tmp_path / "registry", target_is_directory=True)
    code, problems = run(capsys, corpus)
    assert code == 1
    assert only(problems, "not-a-regular-file")["path"] == "sources/registry"


def test_news_folder_linked_is_not_read(corpus, tmp_path, capsys):
    news = corpus / "sources/news"
    news.rename(tmp_path / "news")
    news.symlink_to(tmp_path / "news", target_is_directory=True)
    code, problems = run(capsys, corpus)
    assert code == 1
    assert only(problems, "not-a-regular-file")["path"] == "sources/news"


def test_raw_file_over_5_mb_is_not_read(corpus, capsys):
    with open(corpus / RAW, "r+b") as raw:
        raw.truncate(5_000_001)  # sparse: no 5 MB written
    code, problems = run(capsys, corpus)
    assert code == 1
    problem = only(problems, "file-too-large")
    assert problem["path"] == RAW
    assert "5,000,001 bytes" in problem["message"] and "5 MB" in problem["message"]


def test_build_loaders_refuse_links_too(corpus, tmp_path):
    """The Dagster assets call these same loaders (pipelines/core/checked.py)."""
    from pipelines.ingest.corpus import Corpus, admit, check_folders, source_folders
    from pipelines.ingest.problems import ProblemList
    from pipelines.ingest.registry import load_registries

    (corpus / ANNOTATIONS).unlink()
    (corpus / ANNOTATIONS).symlink_to("/dev/zero" if os.path.exists("/dev/zero") else tmp_path / "x")
    problems = ProblemList()
    built = Corpus(corpus, registries=load_registries(corpus, problems))
    checks, _ = check_folders(corpus, built.context(), None, source_folders(corpus))
    admit(built, checks)
    assert [(p.path, p.code) for p in problems + built.problems] == [(ANNOTATIONS, "not-a-regular-file")]


# --- 2. nesting depth is bounded before PyYAML's recursive composer sees it --------------

def deep_flow(depth):
    return "deep: " + "[" * depth + "]" * depth + "\n"


def deep_block(depth):
    return "deep:\n  " + "- " * depth + "x\n"


@pytest.mark.parametrize("shape", [deep_flow, deep_block], ids=["flow", "block"])
def test_nesting_500_deep_is_refused_with_its_line(corpus, capsys, shape):
    path = corpus / ANNOTATIONS
    path.write_text(path.read_text(encoding="utf-8") + shape(500), encoding="utf-8")
    code, problems = run(capsys, corpus)
    assert code == 1
    problem = only(problems, "yaml-too-deep")
    assert problem["path"] == ANNOTATIONS
    assert problem["line"] == line_of(corpus, ANNOTATIONS, "deep:") + (shape is deep_block)
    assert "20 levels" in problem["message"]


def test_nesting_deep_by_indentation_is_refused(corpus, capsys):
    nested = "deep:\n" + "".join(" " * i + "k:\n" for i in range(1, 600)) + " " * 600 + "v\n"
    path = corpus / ANNOTATIONS
    path.write_text(path.read_text(encoding="utf-8") + nested, encoding="utf-8")
    code, problems = run(capsys, corpus)
    assert code == 1
    assert only(problems, "yaml-too-deep")["line"] > line_of(corpus, ANNOTATIONS, "deep:")


@pytest.mark.parametrize("shape", [deep_flow, deep_block], ids=["flow", "block"])
def test_nesting_50000_deep_is_refused_not_a_crash(corpus, shape):
    path = corpus / ANNOTATIONS
    path.write_text(path.read_text(encoding="utf-8") + shape(50_000), encoding="utf-8")
    line = line_of(corpus, ANNOTATIONS, "deep:") + (shape is deep_block)
    done = run_subprocess(corpus)
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])  # a segfault is -11
    assert "Traceback" not in done.stderr
    assert f"{ANNOTATIONS}:{line}:" in done.stdout
    assert "yaml-too-deep" in done.stdout


def test_nesting_20_deep_is_allowed_21_is_not():
    from pipelines.ingest.yamlfile import YamlError, parse_yaml

    parse_yaml("a: " + "[" * 19 + "]" * 19, "f")  # the root mapping is level 1
    with pytest.raises(YamlError) as err:
        parse_yaml("a: " + "[" * 20 + "]" * 20, "f")
    assert err.value.code == "yaml-too-deep" and err.value.line == 1


def test_registry_nested_deep_is_refused(corpus):
    path = corpus / "sources/registry/places.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "- " * 50_000 + "x\n", encoding="utf-8")
    done = run_subprocess(corpus)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "sources/registry/places.yaml:" in done.stdout and "yaml-too-deep" in done.stdout


# --- 3. huge numbers, dates out of range, control characters ------------------------------

def test_integer_of_5001_digits_is_a_problem(corpus, capsys):
    edit(corpus, ANNOTATIONS, "dead: 7", "dead: " + "7" * 5001)
    code, problems = run(capsys, corpus)
    assert code == 1
    problem = only(problems, "bad-value")
    assert problem["line"] == line_of(corpus, ANNOTATIONS, "dead: 777")
    assert "more than 15 digits" in problem["message"]
    assert problem["hint"] == "write the number as digits of a real count"


@pytest.mark.parametrize("number", ["0x" + "f" * 40, "1" * 16, "-" + "9" * 400, "1_000_000_000_000_000"])
def test_integers_longer_than_15_digits_are_refused(corpus, capsys, number):
    edit(corpus, ANNOTATIONS, "survivors: 41", f"survivors: {number}")
    code, problems = run(capsys, corpus)
    assert code == 1
    assert "more than 15 digits" in only(problems, "bad-value")["message"]


def test_integer_of_15_digits_is_checked_as_usual(corpus, capsys):
    edit(corpus, ANNOTATIONS, "survivors: 41", "survivors: 123456789012345")
    code, problems = run(capsys, corpus)
    assert code == 1
    assert codes(problems) == ["number-not-quoted"]


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_published_date_out_of_range_is_a_problem(corpus, capsys, day):
    edit(corpus, METADATA, "published_date: 2024-03-04", f"published_date: {day}")
    code, problems = run(capsys, corpus)
    assert code == 1
    problem = only(problems, "bad-value")
    assert problem["path"] == METADATA
    assert problem["line"] == line_of(corpus, METADATA, "published_date:")
    assert "1900" in problem["message"] and "2100" in problem["message"]


def test_retrieved_date_out_of_range_is_a_problem(corpus, capsys):
    edit(corpus, METADATA, "retrieved_date: 2024-03-05", "retrieved_date: 0001-01-01")
    code, problems = run(capsys, corpus)
    assert code == 1
    assert only(problems, "bad-value")["line"] == line_of(corpus, METADATA, "retrieved_date:")


def test_annotation_date_out_of_range_is_a_problem(corpus, capsys):
    edit(corpus, ANNOTATIONS, "date: on Monday", "date: 0001-01-01")
    code, problems = run(capsys, corpus)
    assert code == 1
    assert only(problems, "bad-value")["line"] == line_of(corpus, ANNOTATIONS, "date: 0001-01-01")


def test_date_phrases_near_year_1_and_9999_never_overflow():
    import datetime as dt

    from pipelines.ingest.dates import DateError, resolve_date

    phrases = ["last month", "last week", "last year", "this week", "next month", "next year", "tomorrow",
               "yesterday", "on Monday", "last Friday", "next Friday", "the weekend", "last weekend",
               "December 31", "Friday 1 January", "in September", "since the start of the week"]
    for published in (dt.date(1, 1, 1), dt.date(1, 1, 3), dt.date(9999, 12, 31), dt.date(9999, 12, 28)):
        for phrase in phrases:
            for planned in (False, True):
                try:
                    resolve_date(phrase, published, planned=planned)
                except DateError as err:
                    assert str(err)


def test_nul_byte_is_reported_on_its_line(corpus, capsys):
    edit(corpus, ANNOTATIONS, "    location: 3km off Calais", "    location: 3km off\0 Calais")
    code, problems = run(capsys, corpus)
    assert code == 1
    problem = only(problems, "yaml-syntax")
    assert problem["path"] == ANNOTATIONS
    assert problem["line"] == line_of(corpus, ANNOTATIONS, "3km off\0")
    assert problem["col"] == len("    location: 3km off") + 1
    assert "U+0000" in problem["message"] and "position" not in problem["message"]


def test_other_control_character_is_reported_on_its_line(corpus, capsys):
    edit(corpus, METADATA, "publisher: Fixture Times", "publisher: Fixture\x07 Times")
    code, problems = run(capsys, corpus)
    assert code == 1
    problem = only(problems, "yaml-syntax")
    assert (problem["path"], problem["line"]) == (METADATA, line_of(corpus, METADATA, "publisher:"))


# --- 4. url ---------------------------------------------------------------------------

@pytest.mark.parametrize("url", ['"not a uri at all"', "ftp://example.org/a", "example.org/a", '"https://exa mple.org/"',
                                 "https://", "javascript:alert(1)", '"https://example.org/\\n::warning::x"'])
def test_url_that_is_not_a_web_address_is_a_problem(corpus, capsys, url):
    edit(corpus, METADATA, "url: https://example.org/fixture-strait-talks", f"url: {url}")
    code, problems = run(capsys, corpus)
    assert code == 1
    problem = only(problems, "bad-value")
    assert problem["path"] == METADATA
    assert problem["line"] == line_of(corpus, METADATA, "url:")
    assert "http" in problem["hint"] or "http" in problem["message"]


@pytest.mark.parametrize("url", ["http://example.org", "https://www.example.co.uk/news/a-b?id=3#top",
                                 "https://example.org:8443/caf\u00e9", "null"])
def test_web_addresses_pass(corpus, capsys, url):
    edit(corpus, METADATA, "url: https://example.org/fixture-strait-talks", f"url: {url}")
    code, problems = run(capsys, corpus)
    assert (code, problems) == (0, [])


# --- 5. problems on the right file, and no cascade from a failed quote ---------------------

def test_changed_raw_file_is_reported_on_the_raw_file(corpus, capsys):
    raw = corpus / RAW
    raw.write_bytes(raw.read_bytes().replace(b"seven", b"eight"))
    code, problems = run(capsys, corpus)
    assert code == 1
    problem = only(problems, "hash-mismatch")
    assert (problem["path"], problem["line"]) == (RAW, 0)
    assert hashlib.sha256(raw.read_bytes()).hexdigest() in problem["message"]


def test_failed_quote_does_not_cascade(corpus, capsys):
    edit(corpus, ANNOTATIONS, "More than 1,200 people crossed the Channel last month",
         "more than 1,200 people crossed the channel last month")
    code, problems = run(capsys, corpus)
    assert code == 1
    # Not also date-phrase-not-quoted (twice), qualifier-cue-missing or number-not-quoted.
    assert codes(problems) == ["quote-not-found"]
    assert problems[0]["line"] == line_of(corpus, ANNOTATIONS, "more than 1,200")


def test_failed_quote_with_fields_does_not_cascade(corpus, capsys):
    edit(corpus, ANNOTATIONS, "quote: Some 45 people travelled in two boats on Saturday",
         "quote: Some 45 people travelled in 2 boats on Saturday")
    code, problems = run(capsys, corpus)
    assert code == 1
    assert codes(problems) == ["quote-not-found"]


def test_checks_a_failed_quote_does_not_support_still_run(corpus, capsys):
    # The failed quote supports only `route`: the value is still checked against the others.
    edit(corpus, ANNOTATIONS, "        fields: [value, period_start, period_end]\n",
         "        fields: [value, period_start, period_end]\n"
         "      - quote: the Channel crossing by sea\n        fields: [route]\n")
    edit(corpus, ANNOTATIONS, "    value: 2\n", "    value: 3\n")
    code, problems = run(capsys, corpus)
    assert code == 1
    assert codes(problems) == ["number-not-quoted", "quote-not-found"]


# --- 6. the GitHub report cannot be made to print a workflow command ----------------------

HOSTILE_NAME = "2024-03-04-x\n::warning file=x::pwned"


def test_github_report_escapes_a_hostile_folder_name(corpus):
    hostile = corpus / "sources/news" / HOSTILE_NAME
    shutil.copytree(corpus / SOURCE, hostile)
    done = run_subprocess(corpus, "--format", "github")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    # The runner reads a line as a command if it starts with "::" (after spaces): only ours do.
    assert [line for line in lines if line.lstrip().startswith("::") and not line.startswith("::error ")] == []
    # The folder is refused by its name, which every report shows escaped, on one line.
    shown = "sources/news/2024-03-04-x\\n::warning file=x::pwned"
    assert f"::error file={shown.replace(':', '%3A')},title=bad-file-name::" in done.stdout
    assert any(line.startswith(f"{shown}: bad-file-name ") for line in lines)


def test_hostile_folder_name_is_refused_and_shown_escaped(corpus, capsys):
    shutil.copytree(corpus / SOURCE, corpus / "sources/news" / HOSTILE_NAME)
    code, problems = run(capsys, corpus)
    assert code == 1
    assert [(p["path"], p["code"]) for p in problems] == [
        ("sources/news/2024-03-04-x\\n::warning file=x::pwned", "bad-file-name")]


def test_raw_file_name_with_a_line_break_is_refused(corpus, capsys):
    edit(corpus, METADATA, "raw_file: article.html", 'raw_file: "article\\n::warning::x.html"')
    code, problems = run(capsys, corpus)
    assert code == 1
    problem = only(problems, "bad-file-name")
    assert (problem["path"], problem["line"]) == (METADATA, line_of(corpus, METADATA, "raw_file:"))
    assert all("\n" not in value for p in problems for value in p.values() if isinstance(value, str))


def test_github_report_escapes_every_part():
    from pipelines.cli import report_github
    from pipelines.ingest.problems import Problem

    problem = Problem("a\n::warning::x,y:z%.yaml", 3, 1, "co:de,x", "50%\r\n::error::m", "h\n::notice::n", "e")
    out = report_github([problem], "summary")
    lines = out.splitlines()
    assert lines[0] == ("::error file=a%0A%3A%3Awarning%3A%3Ax%2Cy%3Az%25.yaml,line=3,col=1,title=co%3Ade%2Cx::"
                        "50%25%0D%0A::error::m (h%0A::notice::n)")
    assert lines[1] == "Full list:"
    assert lines[2].startswith("a%0A::warning::x,y:z%25.yaml:3:1: co:de,x 50%25%0D%0A::error::m")
    assert all(not line.lstrip().startswith("::") for line in lines[1:])


def test_a_raw_file_named_like_editor_litter_is_refused(corpus, capsys):
    """The build and the manifest leave hidden, backup and draft files out of what they hash:
    an article so named would change unseen."""
    folder = corpus / "sources/news/2024-03-04-fixture-strait-talks"
    meta = (folder / "source.yaml").read_text(encoding="utf-8")
    raw_name = next(line.split(":", 1)[1].strip() for line in meta.splitlines() if line.startswith("raw_file:"))
    (folder / raw_name).rename(folder / f".{raw_name}")
    (folder / "source.yaml").write_text(meta.replace(f"raw_file: {raw_name}", f"raw_file: .{raw_name}"), encoding="utf-8")
    code, problems = run(capsys, corpus)
    assert code == 1
    problem = only(problems, "bad-file-name")
    assert problem["path"].endswith("source.yaml") and "backup" in problem["message"]
