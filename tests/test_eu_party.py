"""The European Union as a party to an agreement (issue 16): written EU, the code ISO 3166-1
reserves for it, and accepted only by the fields whose declaration lists it (`also_allowed`
in schemas/tables/): an agreement's party and event country, an organisation's or a
person's country. A place, a crossing or an incident is still in a state. A text of a body
of the EU (an intergovernmental organisation with country EU, the European Commission) is
primary for an agreement the EU is a party to (pipelines/core/sql/precedence.sql).

The corpus is a copy of tests/fixtures/precedence/ (three sources of one agreement) with
the UK's part in the agreement given to the EU.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.cli import main
from pipelines.contribute.finders import find_names
from pipelines.ingest.offices import country_words
from pipelines.schemas import load_tables

from conftest import TESTS, build, edit, failed_checks, line_of, only  # noqa: E402 (shared: conftest.py)

PRECEDENCE = TESTS / "fixtures" / "precedence"
READOUT = "sources/news/2024-05-03-fixture-downing-readout"  # the fixture government's text, capacity 500
REPORT = "sources/news/2024-05-06-fixture-herald-summit-report"  # a newspaper, three days later, 600
ORGANISATIONS = "sources/registry/organisations.yaml"
DEAL = "fixture-returns-deal"


def _validate(capsys, root: Path) -> tuple[int, list[dict]]:
    code = main(["--root", str(root), "validate", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)["problems"]


@pytest.fixture
def eu_corpus(tmp_path) -> Path:
    """The precedence corpus, with the EU in the UK's place as a party to the deal (in both
    sources that report it) and the readout published by a fixture Commission of the EU."""
    root = tmp_path / "corpus"
    shutil.copytree(PRECEDENCE, root)
    edit(root, f"{READOUT}/annotations.yaml", "      - {country: GB}\n      - {country: FR}\n",
         "      - {country: EU}\n      - {country: FR}\n    events:\n      - {event_type: agreed, country: EU, date: null}\n")
    edit(root, f"{REPORT}/annotations.yaml", "{country: GB, described_as: Britain}", "{country: EU}")
    edit(root, ORGANISATIONS, "organisation_type: government\n  country: GB",
         "organisation_type: intergovernmental\n  country: EU")
    return root


def test_the_declarations_accept_eu_only_where_they_list_it():
    tables = load_tables()
    for table, field in [("agreement_parties", "country"), ("agreement_events", "country"),
                         ("organisations", "country"), ("people", "country")]:
        assert tables[table].field(field).check_value("EU") is None, (table, field)
        assert "European Union" in tables[table].field(field).also_allowed["EU"]
    for table, field in [("places", "country"), ("crossings", "destination_country"), ("incidents", "country"),
                         ("meetings", "country")]:
        problem = tables[table].field(field).check_value("EU")
        assert problem is not None and "not an ISO 3166-1 alpha-2 country code" in problem[0], (table, field)
    # a code that is neither a country nor listed is refused where EU is accepted
    assert tables["agreement_parties"].field("country").check_value("EX") is not None


def test_eu_as_a_party_and_in_an_agreement_event_validates(eu_corpus, capsys):
    code, problems = _validate(capsys, eu_corpus)
    assert (code, problems) == (0, [])


def test_eu_is_refused_as_a_places_country(eu_corpus, capsys):
    edit(eu_corpus, "sources/registry/places.yaml", "name: Dover\n  place_type: city\n  country: GB",
         "name: Dover\n  place_type: city\n  country: EU")
    code, problems = _validate(capsys, eu_corpus)
    problem = only(problems, "bad-value")
    assert code == 1
    assert problem["path"].endswith("sources/registry/places.yaml")
    assert problem["line"] == line_of(eu_corpus, "sources/registry/places.yaml", "country: EU")
    assert "not an ISO 3166-1 alpha-2 country code" in problem["message"]


def test_eu_is_refused_as_a_crossings_country(eu_corpus, capsys):
    annotations = eu_corpus / READOUT / "annotations.yaml"
    annotations.write_text(annotations.read_text(encoding="utf-8").replace("\nincidents:\n", """
crossings:
  - crossing_id: 2024-05-02-fixture-channel-rescued
    route: english_channel
    destination_country: EU
    period_start: on Thursday
    period_end: on Thursday
    measure: people
    value: 14
    evidence:
      - rescued 14 people near Dover on Thursday

incidents:
""", 1), encoding="utf-8")
    code, problems = _validate(capsys, eu_corpus)
    problem = only(problems, "bad-value")
    assert code == 1 and problem["path"].endswith(f"{READOUT}/annotations.yaml")
    assert problem["line"] == line_of(eu_corpus, f"{READOUT}/annotations.yaml", "destination_country: EU")


def _capacity(root: Path, out: Path) -> tuple:
    result = build(root, out)
    assert result.success, failed_checks(result)
    con = duckdb.connect(str(out / "borderlines.duckdb"), read_only=True)
    try:
        capacity = con.execute("SELECT capacity FROM agreements WHERE agreement_id = ?", [DEAL]).fetchone()[0]
        rule = con.execute("SELECT source_id, rule FROM value_sources WHERE table_name = 'agreements' "
                           "AND record_id = ? AND field = 'capacity'", [DEAL]).fetchone()
        parties = con.execute("SELECT country FROM agreement_parties WHERE agreement_id = ? ORDER BY country",
                              [DEAL]).fetchall()
    finally:
        con.close()
    return capacity, rule, parties


def test_a_commission_text_outranks_a_later_news_report_for_an_eu_agreement(eu_corpus, tmp_path):
    capacity, rule, parties = _capacity(eu_corpus, tmp_path / "build")
    assert parties == [("EU",), ("FR",)]
    assert (capacity, rule) == (500, (READOUT.split("/")[-1], "primary_source"))

    # an intergovernmental body with no country (IOM, Frontex) speaks for no party: the later report wins
    edit(eu_corpus, ORGANISATIONS, "organisation_type: intergovernmental\n  country: EU",
         "organisation_type: intergovernmental\n  country: null")
    capacity, rule, _ = _capacity(eu_corpus, tmp_path / "build-no-country")
    assert (capacity, rule) == (600, (REPORT.split("/")[-1], "later_publication"))


def test_the_eu_and_the_european_union_are_read_as_eu():
    assert country_words()["European Union"] == "EU" and country_words()["EU"] == "EU"
    text = "The European Union and Tunisia signed a memorandum; the EU will fund it."
    found = {n.value: n.label for n in find_names(text, {}) if n.field == "country"}
    assert found == {"EU": "European Union", "TN": "Tunisia"}


def test_suggest_drafts_eu_as_a_party_never_as_a_figures_country():
    from pipelines.contribute.suggest import make_suggestions, render
    from pipelines.ingest.corpus import load_corpus

    from conftest import REPO  # noqa: E402 (shared: conftest.py)

    corpus = load_corpus(REPO)
    text = ("The European Union and Tunisia signed a memorandum of understanding on migration on Sunday.\n\n"
            "More than 2,000 people crossed from Tunisia to the EU this week.\n")
    s = make_suggestions("draft", text, dt.date(2023, 7, 17), corpus.registries, {}, corpus.records)
    [agreement] = [e for e in s.events if e.section == "agreements"]
    assert yaml.safe_load("\n".join(agreement.lines))[0]["parties"] == [{"country": "EU"}, {"country": "TN"}]
    drafted = render(s)
    figure = drafted[drafted.index("# figure 1"):drafted.index("# ---- ", drafted.index("# figure 1"))]
    assert "destination_country: TN" in figure and "EU" not in figure.split("evidence")[0]
    assert '# country: EU  ("European Union", 2 mention(s); use in parties, events)' in drafted
