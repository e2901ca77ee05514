"""The shortcuts that make `validate` faster give exactly what the longer way gives.

- yamlfile's resolver (a shorter function than PyYAML's, called for every node) composes
  the same node tree as PyYAML's safe loader: same kinds, tags, values, styles and marks
  (every problem's file:line comes from those marks);
- numbers._in_date skips the search for a date where no date can be (no month name and no
  digit-separator-digit in the window): it answers as the search over the window does.

Deterministic: fixed inputs and a seeded random generator.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.ingest import numbers, yamlfile

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
