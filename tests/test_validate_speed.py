"""The shortcuts that make `validate` faster give exactly what the longer way gives.

- yamlfile's resolver (a shorter function than PyYAML's, called for every node) composes
  the same node tree as PyYAML's safe loader: same kinds, tags, values, styles and marks
  (every problem's file:line comes from those marks);
- numbers._in_date skips the search for a date where no date can be (no month name and no
  digit-separator-digit in the window): it answers as the search over the window does;
- FieldSpec.check_value keeps its answers per field: a kept answer is the computed one,
  True, 1 and 1.0 are told apart, and no more than CHECKED_VALUES_KEPT are kept;
- records._layout works out a table's facts once, and they are the declaration's;
- meaning.quote_too_short stops at the second word: it answers as counting them all does;
- identity._candidates leaves out versions of one id, and still offers every pair of
  records of different ids that looks alike;
- yamlfile.read_bytes reads what fstat says is there, and on if the file grew since.

Deterministic: fixed inputs and a seeded random generator.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import dataclasses
import datetime as dt
import os

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines import schemas
from pipelines.ingest import identity, meaning, numbers, records, yamlfile
from pipelines.ingest.problems import ProblemList

REPO = Path(__file__).resolve().parent.parent
STOCK = yamlfile._Loader  # PyYAML's safe loader (the C one with libyaml)
DIGIT_RUN = re.compile(r"\d+")


def node_shape(node: yaml.Node | None) -> object:
    """Everything of a node tree that validate reads: kind, tag, value, style, both marks."""
    if node is None:
        return None
    marks = (node.start_mark.line, node.start_mark.column, node.start_mark.index,
             node.end_mark.line, node.end_mark.column, node.end_mark.index)
    if isinstance(node, yaml.ScalarNode):
        return ("scalar", node.tag, node.value, node.style, marks)
    if isinstance(node, yaml.SequenceNode):
        return ("seq", node.tag, node.flow_style, marks, [node_shape(item) for item in node.value])
    return ("map", node.tag, node.flow_style, marks, [(node_shape(k), node_shape(v)) for k, v in node.value])


def test_the_fast_resolver_is_used_with_the_safe_loaders_rules():
    assert yamlfile._Composer is yamlfile._FastResolver
    assert issubclass(yamlfile._Composer, STOCK)


# Scalars of every implicit type YAML 1.1 knows, quoted and not, and what looks like them.
SCALARS = ["yes", "Yes", "YES", "no", "No", "n", "y", "on", "Off", "true", "False", "TRUE", "null", "Null",
           "~", "", "0", "-1", "+12", "1_000", "0x1F", "0o17", "017", "0b101", "190:20:30", "1.5", "-1.5e3",
           ".inf", "-.Inf", ".nan", ".NaN", "2023-12-05", "2023-12-05 10:00:00", "2023-12-5", "2023-1-05T1:2:3Z",
           "<<", "=", "!", "&x", "*x", "on Saturday", "nothing", "Friday", "true story", "12 people",
           "1,000", "3.", "+", "-", ".", "0.", "1e3", "1.0e+3", "  spaced  ", "é", "Ünïcode", "2023"]


def _composes(text: str) -> bool:
    try:
        yaml.compose(text, Loader=STOCK)
    except yaml.YAMLError:
        return False
    return True


def _documents() -> list[str]:
    docs = [path.read_text(encoding="utf-8") for folder in ("tests/fixtures", "sources")
            for path in sorted((REPO / folder).rglob("*.yaml"))]
    def composable(lines):  # the scalars a line of this form can hold (a plain "-" cannot)
        return "\n".join(line for line in lines if _composes(line))

    plain = composable(f"k{i}: {s}" for i, s in enumerate(SCALARS))
    quoted = composable(f"k{i}: '{s}'" for i, s in enumerate(SCALARS))
    double = composable(f'k{i}: "{s}"' for i, s in enumerate(SCALARS))
    listed = composable(f"- {s}" for s in SCALARS)
    flow = "{" + ", ".join(f"{s!r}: [{i}, '{s}', {{n: {i}}}]" for i, s in enumerate(SCALARS)) + "}"
    tagged = "a: !!str 12\nb: !!int '12'\nc: !!float 1\nd: !!null ''\ne: !!bool yes\nf: !custom x\n"
    block = "text: |\n  line one\n  line two\nfolded: >\n  one\n  two\n? complex\n: key\n"
    return [*docs, plain, quoted, double, listed, flow, tagged, block, "", "just a scalar", "- - - nested"]


@pytest.mark.parametrize("text", _documents())
def test_the_fast_resolver_composes_what_pyyamls_safe_loader_composes(text):
    expected = node_shape(yaml.compose(text, Loader=STOCK))
    assert node_shape(yaml.compose(text, Loader=yamlfile._Composer)) == expected


def test_the_documents_cover_every_implicit_tag():
    """The comparison above means something only if the documents reach every rule."""
    tags = set()

    def walk(node):
        tags.add(node.tag)
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                walk(k)
                walk(v)

    for text in _documents():
        root = yaml.compose(text, Loader=STOCK)
        if root is not None:
            walk(root)
    implicit = {tag for rules in STOCK.yaml_implicit_resolvers.values() for tag, _ in rules}
    assert implicit - {"tag:yaml.org,2002:yaml"} <= tags  # "!", "&", "*" start a tag, an anchor or an alias


@settings(max_examples=300, derandomize=True, database=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 \n-+/.,:%'TZabyonfe~<=!")), max_size=40))
def test_the_fast_resolver_agrees_on_arbitrary_plain_scalars(value):
    for text in (f"k: {value}", f"- {value}", f"[{value}]"):
        try:
            expected = node_shape(yaml.compose(text, Loader=STOCK))
        except yaml.YAMLError as err:
            with pytest.raises(type(err)):
                yaml.compose(text, Loader=yamlfile._Composer)
            continue
        assert node_shape(yaml.compose(text, Loader=yamlfile._Composer)) == expected


def in_date_by_search_alone(text: str, start: int, end: int) -> bool:
    """numbers._in_date as it was: the search for a date over the window, no shortcut."""
    window = max(0, start - 30), min(len(text), end + 30)
    return any(m.start() <= start and end <= m.end() for m in numbers._DATES.finditer(text, *window))


DATES = ["15 December 2023", "15th of Dec. 2023", "December 15", "Dec 15, 2023", "May 2024", "Sept 3",
         "2023-12-15", "2023-1-5", "15/12/2023", "15.12.23", "1/2/2024", "3 June", "July 4th"]


@pytest.mark.parametrize("date", DATES)
def test_every_date_holds_what_the_shortcut_looks_for(date):
    text = f"On {date}, 31 people"
    match = numbers._DATES.search(text)
    assert match is not None and match.group(0).rstrip(",") in (date, date.rstrip(","))
    assert numbers._DATE_HINT.search(match.group(0))
    start = text.index(date) + next(i for i, ch in enumerate(date) if ch.isdigit())
    end = start + len(DIGIT_RUN.match(text, start).group(0))
    assert numbers._in_date(text, start, end) is in_date_by_search_alone(text, start, end) is True


def test_in_date_answers_as_the_search_does_on_random_texts():
    rng = random.Random(20261123)
    pieces = ["15", "3", "2023", "12", "7", " ", " ", "-", "/", ".", ",", "of ", "Dec", "December ", "May ",
              "Sept", "Jan.", "th", "st", "March", "people", "\n", "on ", "since "]
    checked = in_date = skipped = 0
    for _ in range(6000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 30)))
        for run in DIGIT_RUN.finditer(text):
            expected = in_date_by_search_alone(text, run.start(), run.end())
            assert numbers._in_date(text, run.start(), run.end()) is expected, (text, run.span())
            checked += 1
            in_date += expected
            skipped += not numbers._DATE_HINT.search(text, max(0, run.start() - 30), run.end() + 30)
    # Both answers, and the shortcut itself, were exercised.
    assert checked > 10_000 and 500 < in_date < checked - 500 and skipped > 500


# --- FieldSpec.check_value keeps its answers -----------------------------------------------

VALUES = [True, False, 1, 1.0, 0, 0.0, -1, 2.5, 10**15, "1", "", "  ", "GB", "UK", "EU", "XX", "gb", "exact",
          "about", "people", "people_pct_change", "english_channel", "=1+1", "@x", "-1+HYPERLINK(1)", "+13%",
          "https://example.org/news/1", "http://", "not a url", "2023-12-05", "on Saturday", "rishi-sunak",
          "Rishi_Sunak", "rome", None, ["a", "list"], {"a": "mapping"}, float("nan")]


@pytest.mark.parametrize("table", sorted(schemas.load_tables()))
def test_a_kept_answer_is_the_computed_one(table):
    for spec in schemas.load_tables()[table].fields:
        fresh = dataclasses.replace(spec)  # the same declaration, nothing kept yet
        for value in VALUES + VALUES:  # the second time from what was kept
            assert fresh.check_value(value) == spec._check_value(value), (table, spec.name, value)


def test_true_one_and_one_point_zero_are_told_apart():
    value = dataclasses.replace(schemas.load_tables()["crossings"].field("value"))  # a number
    people = dataclasses.replace(schemas.load_tables()["incidents"].field("dead"))  # an integer
    assert people.check_value(1) is None and people.check_value(1.0) is not None
    assert people.check_value(True) is not None and people.check_value(1) is None
    assert value.check_value(1.0) is None and value.check_value(True) is not None


def test_no_more_answers_are_kept_than_the_limit():
    spec = dataclasses.replace(schemas.load_tables()["crossings"].field("crossing_id"))
    ids = [f"source-{i}-crossing-1" for i in range(schemas.CHECKED_VALUES_KEPT + 50)] + ["Not An Id"]
    answers = [spec.check_value(v) for v in ids]
    assert len(spec._checked) == schemas.CHECKED_VALUES_KEPT
    assert answers[:-1] == [None] * (len(ids) - 1) and answers[-1] is not None  # past the limit: still checked


# --- records._layout ---------------------------------------------------------------------

def _checked_tables():
    tables = schemas.load_tables()
    return [t for t in tables.values() if "section" in t.annotation or "parent" in t.annotation]


def test_a_tables_layout_is_worked_out_once_and_is_its_declaration():
    checked = _checked_tables()
    assert {t.name for t in checked} >= {"crossings", "incidents", "meetings", "agreements", "meeting_participants"}
    for table in checked:
        layout = records._layout(table)
        assert records._layout(table) is layout
        annotated = [f for f in table.fields if f.annotation]
        names = {f.name for f in annotated}
        assert layout.fields == annotated and set(layout.by_name) == names
        assert layout.required == {f.name for f in annotated if f.annotation == "required"}
        assert [spec.name for spec, _ in layout.dates] == [f.name for f in annotated if f.type == "date"]
        assert all(has == (f"{spec.name}_precision" in names) for spec, has in layout.dates)
        assert [f.name for f in layout.figures] == [
            f.name for f in annotated if f.type in ("integer", "number") or f.name.endswith("qualifier")]
    incidents = records._layout(schemas.load_tables()["incidents"])
    assert ("date", True) in [(spec.name, has) for spec, has in incidents.dates]
    assert {"dead", "people_aboard", "people_aboard_qualifier"} <= {f.name for f in incidents.figures}


# --- meaning.quote_too_short ---------------------------------------------------------------

@settings(max_examples=500, derandomize=True, database=None)
@given(st.text(alphabet=st.sampled_from(list("ab1_ -.,'\n\té9Ω—")), max_size=12))
def test_quote_too_short_answers_as_counting_every_word(quote):
    assert meaning.quote_too_short(quote) is (len(meaning._WORD.findall(quote)) < meaning.MIN_QUOTE_WORDS)


# --- identity._candidates ------------------------------------------------------------------

def _random_identities(rng: random.Random) -> list[identity.Identity]:
    """Records of a few ids, each in several versions (sources), with few places, people,
    days and counts, so that many look alike."""
    day0 = dt.date(2024, 3, 1)
    out = []
    for n in range(rng.randrange(5, 40)):
        table = rng.choice(identity.TABLES)
        record_id = f"{table}-{rng.randrange(6)}"
        for version in range(rng.randrange(1, 4)):
            day = day0 + dt.timedelta(days=rng.randrange(4)) if rng.random() < 0.9 else None
            out.append(identity.Identity(
                table, record_id, f"sources/news/s{n}-{version}/annotations.yaml", rng.randrange(1, 40), day,
                place_id=rng.choice([None, "rome", "calais", "dover"]), country=rng.choice([None, None, "IT"]),
                people=frozenset(rng.sample(["a", "b", "c", "d"], rng.randrange(0, 4))),
                route=rng.choice([None, "english_channel", "central_mediterranean"]),
                counts=tuple((name, rng.randrange(3), rng.random() < 0.5)
                             for name in rng.sample(identity.COUNTS, rng.randrange(0, 3))),
                latlon=rng.choice([None, (50.95, 1.85), (51.12, 1.31)]),
                kind=rng.choice(["bilateral", "returns"]),
                parties=frozenset(rng.sample(["GB", "FR", "IT"], rng.randrange(0, 3)))))
    return out


def test_candidates_offer_every_look_alike_and_no_versions_of_one_id():
    rng = random.Random(20261126)
    offered = alike = 0
    for _ in range(300):
        idents = _random_identities(rng)
        pairs = set()
        for a, b in identity._candidates(idents):
            assert a.record_id != b.record_id
            pairs.add((id(a), id(b)))
        offered += len(pairs)
        for i, a in enumerate(idents):
            for b in idents[i + 1:]:
                if a.record_id != b.record_id and identity.looks_alike(a, b) is not None:
                    assert (id(a), id(b)) in pairs or (id(b), id(a)) in pairs, (a, b)
                    alike += 1
    assert alike > 200 and offered > alike  # both sides of the claim were exercised


# --- yamlfile.read_bytes -------------------------------------------------------------------

def _under_reporting_fstat(monkeypatch, size: int):
    """os.fstat as if the file were `size` bytes when opened (it grew after that)."""
    real = os.fstat

    def fstat(fd):
        found = real(fd)
        fields = list(found)
        fields[6] = size  # st_size
        return os.stat_result(fields)

    monkeypatch.setattr(yamlfile.os, "fstat", fstat)


@pytest.mark.parametrize("size,limit,whole", [(100, 1000, True), (100, 100, True), (101, 100, False),
                                              (5000, 10_000, True), (10_001, 10_000, False)])
def test_a_file_that_grew_since_fstat_is_read_on_to_the_limit(tmp_path, monkeypatch, size, limit, whole):
    path = tmp_path / "grown.yaml"
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path.write_bytes(data)
    _under_reporting_fstat(monkeypatch, 10)
    problems = ProblemList()
    got = yamlfile.read_bytes(path, problems, "grown.yaml", max_bytes=limit)
    if whole:
        assert got == data and not problems
    else:
        assert got is None and [p.code for p in problems] == ["file-too-large"]


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 4097, 100_000])
def test_read_bytes_reads_a_file_whole(tmp_path, size):
    path = tmp_path / "file.txt"
    data = (b"0123456789abcdef\n" * (size // 17 + 1))[:size]
    path.write_bytes(data)
    problems = ProblemList()
    assert yamlfile.read_bytes(path, problems, "file.txt", max_bytes=100_000) == data and not problems
