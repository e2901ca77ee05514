"""`validate` checks that a record means what its quotes say (issue 13, point 3).

For each rule, a case that passes and one that fails. The hostile records of the issue are
written verbatim against the repository's two real articles (their raw files, source.yaml
and registries copied, with an annotation file of the test's own); the finer cases use a
small invented article.
"""

import hashlib
import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.ingest.numbers import number_mentions
from pipelines.schemas import load_tables

from conftest import FIXTURE, line_of, only  # noqa: E402 (shared: conftest.py)

REPO = Path(__file__).resolve().parent.parent
DEC_2023 = "2023-12-16-sunak-rome-meloni-rama"
SEP_2024 = "2024-09-16-starmer-meloni-rome"
INVENTED = "2024-03-20-invented-harbour-figures"
ARTICLE = (
    "Border officials said on Tuesday that 2,150 people had crossed since January, and that 15 people "
    "arrived on 15 March 2024 in three boats. Arrivals fell by 40 per cent compared with 2023, while "
    "returns rose by 25 per cent. Some 120 people were rescued over the weekend off Calais, where "
    "nearly 300 migrants waited. Departures changed by 12 per cent. Figures showed -8% for boats.\n"
)


def run(capsys, root, *args):
    code = main(["--root", str(root), "validate", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)["problems"]


def codes(problems):
    return sorted(p["code"] for p in problems)


@pytest.fixture
def real(tmp_path) -> Path:
    """The real registries and the two real articles (raw file and source.yaml), with empty
    annotation files that each test fills in."""
    root = tmp_path / "real"
    shutil.copytree(REPO / "sources/registry", root / "sources/registry")
    for source_id in (DEC_2023, SEP_2024):
        folder = root / "sources/news" / source_id
        folder.mkdir(parents=True)
        for path in (REPO / "sources/news" / source_id).iterdir():
            if path.name != "annotations.yaml":
                shutil.copy(path, folder / path.name)
        annotate(root, source_id, "")
    return root


@pytest.fixture
def invented(tmp_path) -> Path:
    """The hand-made corpus's registries with one invented text article (ARTICLE)."""
    root = tmp_path / "invented"
    shutil.copytree(FIXTURE / "sources/registry", root / "sources/registry")
    folder = root / "sources/news" / INVENTED
    folder.mkdir(parents=True)
    raw = ARTICLE.encode("utf-8")
    (folder / "article.txt").write_bytes(raw)
    (folder / "source.yaml").write_text(textwrap.dedent(f"""\
        source_id: {INVENTED}
        title: Invented harbour figures
        publisher: Fixture Times
        url: https://example.org/invented-harbour-figures
        published_date: 2024-03-20
        published_date_method: stated
        language: en
        retrieved_date: 2024-03-21
        rights: Invented text for tests.
        raw_file: article.txt
        raw_format: text
        raw_sha256: {hashlib.sha256(raw).hexdigest()}
        """), encoding="utf-8")
    annotate(root, INVENTED, "")
    return root


def annotate(root: Path, source_id: str, body: str) -> str:
    rel = f"sources/news/{source_id}/annotations.yaml"
    (root / rel).write_text(f"source_id: {source_id}\n" + textwrap.dedent(body), encoding="utf-8")
    return rel


def crossing(quote: str, value, measure: str = "people", qualifier: str = "exact", route: str = "english_channel",
             destination: str = "GB", period: str = "2024-03-01", extra: str = "") -> str:
    baseline = "    baseline_start: null\n    baseline_end: null\n" if measure.endswith(("_change", "_ratio")) else ""
    return (f"crossings:\n  - crossing_id: test-figure\n    route: {route}\n    destination_country: {destination}\n"
            f"    period_start: {period}\n    period_end: {period}\n    measure: {measure}\n    value: {value}\n"
            f"    qualifier: {qualifier}\n{baseline}{extra}    evidence:\n      - quote: {json.dumps(quote)}\n")


# --- the hostile records of the issue, verbatim -------------------------------------------------

def test_real_sources_stay_valid(capsys):
    code, problems = run(capsys, REPO)
    assert problems == [] and code == 0


def test_a_negative_count_of_people_is_refused(real, capsys):
    quote = "More than 28,000 people have crossed the Channel this year"
    rel = annotate(real, DEC_2023, crossing(quote, 28000, qualifier="more_than", period="this year"))
    assert run(capsys, real) == (0, [])
    annotate(real, DEC_2023, crossing(quote, -28000, qualifier="more_than", period="this year"))
    code, problems = run(capsys, real)
    assert code == 1 and codes(problems) == ["negative-count"]
    problem = problems[0]
    assert (problem["path"], problem["line"]) == (rel, line_of(real, rel, "value: -28000"))
    assert "cannot be" in problem["message"] and problem["hint"]


def test_up_13_per_cent_over_the_channel_stored_as_minus_13_more_than(real, capsys):
    quote = "Crossings are up 13 per cent over the Channel this year, Frontex said."
    annotate(real, SEP_2024, crossing(quote, 13, measure="people_pct_change", period="this year"))
    assert run(capsys, real) == (0, [])
    rel = annotate(real, SEP_2024, crossing(quote, -13, measure="people_pct_change", qualifier="more_than",
                                            period="this year"))
    code, problems = run(capsys, real)
    assert code == 1 and codes(problems) == ["qualifier-cue-not-attached", "sign-contradicts-quote"]
    sign = only(problems, "sign-contradicts-quote")
    assert sign["line"] == line_of(real, rel, "value: -13") and "'up'" in sign["message"]
    assert "write 13" in sign["hint"]
    cue = only(problems, "qualifier-cue-not-attached")
    assert cue["line"] == line_of(real, rel, "qualifier: more_than") and "'over'" in cue["message"]


def test_15_supported_only_by_december_15_is_refused(real, capsys):
    quote = "Some 292 people travelled in seven boats on Friday December 15, according to the Home Office figures"
    annotate(real, DEC_2023, crossing(quote, 292, qualifier="about", period="Friday December 15"))
    assert run(capsys, real) == (0, [])
    rel = annotate(real, DEC_2023, crossing("on Friday December 15, according to the Home Office figures", 15,
                                            period="Friday December 15"))
    code, problems = run(capsys, real)
    assert code == 1 and codes(problems) == ["number-in-date"]
    assert problems[0]["line"] == line_of(real, rel, "value: 15")
    assert "December 15" in problems[0]["excerpt"]


MEETING = """\
    meetings:
      - meeting_id: 2023-12-14-rome-invented-talks
        date: 2023-12-14
        place_id: rome
        status: held
        participants:
          - {person_id: rishi-sunak, role: participant}
        evidence:
          - QUOTE
    """


def test_a_dash_as_the_only_evidence_of_an_invented_meeting_is_refused(real, capsys):
    annotate(real, DEC_2023, MEETING.replace("QUOTE", "British Prime Minister Rishi Sunak is travelling to Rome"))
    assert run(capsys, real) == (0, [])
    rel = annotate(real, DEC_2023, MEETING.replace("QUOTE", '"-"'))
    code, problems = run(capsys, real)
    assert code == 1 and codes(problems) == ["evidence-too-short"]
    assert problems[0]["line"] == line_of(real, rel, '- "-"')


INCIDENT = """\
    incidents:
      - incident_id: 2023-12-15-calais-capsize
        date: the early hours of Friday
        route: ROUTE
        location: 8km off Calais
        place_id: calais
        country: COUNTRY
        dead: 1
        evidence:
          - The inflatable boat, which was carrying more than 60 migrants, ran into difficulty 8km off Calais in the early hours of Friday.
          - quote: one person died and another was critically injured
            fields: [dead]
    """


def test_an_incident_at_calais_with_country_au_on_the_central_mediterranean_route(real, capsys):
    annotate(real, DEC_2023, INCIDENT.replace("ROUTE", "english_channel").replace("COUNTRY", "FR"))
    assert run(capsys, real) == (0, [])
    rel = annotate(real, DEC_2023, INCIDENT.replace("ROUTE", "central_mediterranean").replace("COUNTRY", "AU"))
    code, problems = run(capsys, real)
    assert code == 1 and codes(problems) == ["country-mismatch", "not-on-route", "not-on-route"]
    country_line = line_of(real, rel, "country: AU")
    assert only(problems, "country-mismatch")["line"] == country_line
    assert "FR" in only(problems, "country-mismatch")["message"]
    routes = {p["line"]: p["message"] for p in problems if p["code"] == "not-on-route"}
    assert set(routes) == {country_line, line_of(real, rel, "place_id: calais")}
    assert all("central_mediterranean (LY, TN, IT, MT)" in m for m in routes.values())
    # the place alone, off its route, is caught too
    annotate(real, DEC_2023, INCIDENT.replace("ROUTE", "central_mediterranean").replace("        country: COUNTRY\n", ""))
    assert codes(run(capsys, real)[1]) == ["not-on-route"]


# --- counts are not negative; changes may be ---------------------------------------------------

@pytest.mark.parametrize("measure, quote, value, expected", [
    ("boats", "15 people arrived on 15 March 2024 in three boats", 3, []),
    ("boats", "15 people arrived on 15 March 2024 in three boats", -3, ["negative-count"]),
    ("deaths", "15 people arrived on 15 March 2024 in three boats", -15, ["negative-count"]),
    ("people_ratio", "15 people arrived on 15 March 2024 in three boats", -3, ["negative-count"]),
    ("people_pct_change", "Arrivals fell by 40 per cent compared with 2023", -40, []),
])
def test_only_declared_signed_measures_may_be_negative(invented, capsys, measure, quote, value, expected):
    annotate(invented, INVENTED, crossing(quote, value, measure=measure))
    assert codes(run(capsys, invented)[1]) == expected


def test_signed_measures_are_declared_not_coded():
    assert load_tables()["crossings"].field("measure").signed == {"people_pct_change", "boats_pct_change",
                                                                  "people_prevented_pct_change"}


# --- the sign of a change agrees with its quote ------------------------------------------------

@pytest.mark.parametrize("quote, value, expected", [
    ("Arrivals fell by 40 per cent compared with 2023", -40, []),
    ("Arrivals fell by 40 per cent compared with 2023", 40, ["sign-contradicts-quote"]),
    ("returns rose by 25 per cent", 25, []),
    ("returns rose by 25 per cent", -25, ["sign-contradicts-quote"]),
    # the nearest direction word decides: "fell" for 40, "rose" for 25, in one sentence
    ("Arrivals fell by 40 per cent compared with 2023, while returns rose by 25 per cent", -40, []),
    ("Arrivals fell by 40 per cent compared with 2023, while returns rose by 25 per cent", 25, []),
    ("Arrivals fell by 40 per cent compared with 2023, while returns rose by 25 per cent", -25,
     ["sign-contradicts-quote"]),
    # no direction stated: either sign is the annotator's reading
    ("Departures changed by 12 per cent", -12, []),
    ("Departures changed by 12 per cent", 12, []),
    # a sign written on the number
    ("Figures showed -8% for boats", -8, []),
    ("Figures showed -8% for boats", 8, ["sign-contradicts-quote"]),
])
def test_the_sign_of_a_change_follows_its_quote(invented, capsys, quote, value, expected):
    annotate(invented, INVENTED, crossing(quote, value, measure="people_pct_change"))
    assert codes(run(capsys, invented)[1]) == expected


# --- a qualifier's cue is attached to its number ------------------------------------------------

@pytest.mark.parametrize("quote, value, qualifier, expected", [
    ("nearly 300 migrants waited", 300, "nearly", []),
    ("Some 120 people were rescued over the weekend off Calais", 120, "about", []),
    # "over" qualifies "the weekend", not 120
    ("Some 120 people were rescued over the weekend off Calais", 120, "more_than", ["qualifier-cue-not-attached"]),
    ("nearly 300 migrants waited", 300, "less_than", ["qualifier-cue-missing"]),
])
def test_a_qualifier_needs_its_cue_just_before_the_number(invented, capsys, quote, value, qualifier, expected):
    annotate(invented, INVENTED, crossing(quote, value, qualifier=qualifier))
    assert codes(run(capsys, invented)[1]) == expected


# --- a number of its own, not part of a date or of a longer number ------------------------------

@pytest.mark.parametrize("quote, value, expected", [
    ("15 people arrived on 15 March 2024 in three boats", 15, []),       # 15 stands on its own once
    ("arrived on 15 March 2024 in three boats", 15, ["number-in-date"]),
    ("arrived on 15 March 2024 in three boats", 2024, ["number-in-date"]),
    ("Arrivals fell by 40 per cent compared with 2023", 2023, ["number-in-date"]),
    ("2,150 people had crossed since January", 2150, []),
    ("2,150 people had crossed since January", 15, ["number-not-quoted"]),  # inside a longer number
    ("2,150 people had crossed since January", 150, ["number-not-quoted"]),
])
def test_a_number_must_stand_on_its_own(invented, capsys, quote, value, expected):
    annotate(invented, INVENTED, crossing(quote, value, period="2024-03-15"))
    assert codes(run(capsys, invented)[1]) == expected


@pytest.mark.parametrize("text, in_date", [
    ("on Friday December 15, figures show", [True]),
    ("on 15th of December", [True]),
    ("on 2023-12-15", [True, True, True]),
    ("on 15/12/2023", [True, True, True]),
    ("since 2022 arrivals have fallen", [True]),
    ("2023 migrants", [False]),             # a unit follows: a count
    ("may 15 people", [False]),             # "may" in lower case is not the month
    ("15 people, 15 December", [False, True]),
])
def test_numbers_inside_dates(text, in_date):
    assert [m.in_date for m in number_mentions(text)] == in_date


# --- evidence too short to support the record ---------------------------------------------------

def test_a_one_word_quote_is_too_short(invented, capsys):
    body = crossing("nearly 300 migrants waited", 300, qualifier="nearly")
    annotate(invented, INVENTED, body + "      - quote: Calais\n        fields: [route]\n")
    assert codes(run(capsys, invented)[1]) == ["evidence-too-short"]
    annotate(invented, INVENTED, body + "      - quote: off Calais\n        fields: [route]\n")
    assert run(capsys, invented) == (0, [])


INVENTED_INCIDENT = """\
    incidents:
      - incident_id: 2024-03-16-invented-rescue
        date: 2024-03-16
        route: english_channel
        place_id: calais
        country: FR
        survivors: 120
        evidence:
          - QUOTE
    """


def test_the_place_must_be_named_in_its_quotes(invented, capsys):
    annotate(invented, INVENTED, INVENTED_INCIDENT.replace("QUOTE", "Some 120 people were rescued over the weekend off Calais"))
    assert run(capsys, invented) == (0, [])
    rel = annotate(invented, INVENTED, INVENTED_INCIDENT.replace("QUOTE", "Some 120 people were rescued over the weekend"))
    code, problems = run(capsys, invented)
    assert code == 1 and codes(problems) == ["place-not-quoted"]
    assert problems[0]["line"] == line_of(invented, rel, "place_id: calais")


# --- places, countries and routes agree ---------------------------------------------------------

@pytest.mark.parametrize("route, destination, expected", [
    ("english_channel", "GB", []),
    ("english_channel", "IT", ["not-on-route"]),
    ("central_mediterranean", "IT", []),
    ("sea_arrivals_italy", "IT", []),         # a route whose definition names no countries
    ("other", "AU", []),
])
def test_the_destination_is_on_the_route(invented, capsys, route, destination, expected):
    annotate(invented, INVENTED, crossing("nearly 300 migrants waited", 300, qualifier="nearly", route=route,
                                          destination=destination))
    assert codes(run(capsys, invented)[1]) == expected


def test_route_countries_are_declared_and_in_the_codebook():
    route = load_tables()["crossings"].field("route")
    assert route.countries["english_channel"] == ("FR", "GB")
    assert "all_eu_external_borders" not in route.countries
    assert load_tables()["incidents"].field("route").countries == route.countries  # same_categories_as
    codebook = (REPO / "datasets/CODEBOOK.md").read_text(encoding="utf-8")
    assert "Countries: FR, GB." in codebook


# --- --changed-since runs the same checks --------------------------------------------------------

def test_changed_since_runs_the_meaning_checks(real, capsys):
    quote = "More than 28,000 people have crossed the Channel this year"
    annotate(real, DEC_2023, crossing(quote, 28000, qualifier="more_than", period="this year"))
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "corpus"]):
        subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c",
                        "commit.gpgsign=false", *args], cwd=real, check=True, capture_output=True)
    annotate(real, DEC_2023, crossing(quote, -28000, qualifier="more_than", period="this year"))
    code, problems = run(capsys, real, "--changed-since", "HEAD")
    assert code == 1 and codes(problems) == ["negative-count"]


def test_incident_counts_are_never_negative(real, capsys):
    rel = annotate(real, DEC_2023, INCIDENT.replace("ROUTE", "english_channel").replace("COUNTRY", "FR")
                   .replace("dead: 1", "dead: -1"))
    code, problems = run(capsys, real)
    assert code == 1 and codes(problems) == ["bad-value"]
    assert problems[0]["line"] == line_of(real, rel, "dead: -1") and "never negative" in problems[0]["hint"]


@pytest.mark.parametrize("quote, value, typed, expected", [
    ("15 people arrived on 15 March 2024 in three boats", 15, True, []),
    ("nearly 300 migrants waited", 300, True, ["qualifier-cue-ignored"]),
    ("nearly 300 migrants waited", 300, False, ["qualifier-cue-ignored"]),   # exact by default
])
def test_exact_for_a_figure_the_quote_qualifies_is_refused(invented, capsys, quote, value, typed, expected):
    body = crossing(quote, value, period="2024-03-15")
    rel = annotate(invented, INVENTED, body if typed else body.replace("    qualifier: exact\n", ""))
    code, problems = run(capsys, invented)
    assert codes(problems) == expected
    if expected:
        assert problems[0]["line"] == line_of(invented, rel, "qualifier: exact" if typed else f"value: {value}")
        assert "nearly" in problems[0]["hint"]
