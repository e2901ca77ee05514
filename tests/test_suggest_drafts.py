"""`borderlines suggest` drafts meetings, incidents and agreements, names the people a readout
names by office, and lists the existing records a draft probably is."""

import datetime as dt
import json
import re
import pytest
import yaml

from pipelines.cli import main
from pipelines.contribute.suggest import make_suggestions, render
from pipelines.ingest.corpus import load_corpus

from conftest import REPO, TESTS  # noqa: E402 (shared: conftest.py)

TEXTS = TESTS / "fixtures" / "drafts"
DOWNING_STREET = {"publisher": "Prime Minister's Office, 10 Downing Street",
                  "url": "https://www.gov.uk/government/news/pm-meeting-with-prime-minister-meloni"}


@pytest.fixture(scope="module")
def repo_corpus():
    """The repository's own registries and records: the meetings already in the dataset."""
    return load_corpus(REPO)


def drafts(corpus, name, published, metadata=DOWNING_STREET):
    text = (TEXTS / name).read_text(encoding="utf-8")
    return make_suggestions("draft", text, published, corpus.registries, metadata, corpus.records)


def events(s, section):
    return [(e, probable) for e, probable in zip(s.events, s.probable) if e.section == section]


def uncommented(lines):
    """The draft's YAML, as a contributor gets it by removing the comments."""
    return yaml.safe_load("\n".join(lines))[0]


def test_a_readout_after_the_meeting_drafts_it_held_with_the_prime_minister_of_the_day(repo_corpus):
    s = drafts(repo_corpus, "readout-held.txt", dt.date(2023, 12, 16))
    [(meeting, probable)] = events(s, "meetings")
    record = uncommented(meeting.lines)
    assert record["status"] == "held"
    assert (record["date"], record["place_id"]) == ("today", "rome")
    assert meeting.values["date"] == dt.date(2023, 12, 16)
    # "The Prime Minister" of a Downing Street readout of 2023-12-16 is Rishi Sunak
    assert sorted(p["person_id"] for p in record["participants"]) == ["giorgia-meloni", "rishi-sunak"]
    assert record["meeting_type"] == "bilateral"
    assert any(re.search(r'check: "(PM|Prime Minister)" = GB prime minister on 2023-12-16', line)
               for line in meeting.lines)
    # the meeting already in the dataset on that day in Rome, with its id and file:line
    assert re.search(r"2023-12-16-rome-sunak-meloni-rama  \(sources/news/2023-12-16-sunak-rome-meloni-rama/"
                     r"annotations\.yaml:\d+: same day 2023-12-16, same place rome, shared participants "
                     r"giorgia-meloni, rishi-sunak\)", "\n".join(probable))


def test_the_prime_minister_is_resolved_by_the_date(repo_corpus):
    s = drafts(repo_corpus, "readout-held.txt", dt.date(2024, 9, 16))
    [(meeting, probable)] = events(s, "meetings")
    assert sorted(meeting.values["participants"]) == ["giorgia-meloni", "keir-starmer"]
    assert "2024-09-16-rome-starmer-meloni  (" in "\n".join(probable)  # that day's meeting in the dataset
    assert "2023-12-16" not in "\n".join(probable)
    s = drafts(repo_corpus, "readout-held.txt", dt.date(2024, 5, 10))
    [(meeting, probable)] = events(s, "meetings")
    assert sorted(meeting.values["participants"]) == ["giorgia-meloni", "rishi-sunak"]
    assert probable == ["no existing record looks like it: give it a new id"]


def test_whose_prime_minister_comes_from_the_publisher(repo_corpus):
    # An Italian publisher: "The Prime Minister" is Italy's, named already; nobody is added.
    s = drafts(repo_corpus, "readout-held.txt", dt.date(2023, 12, 16),
               {"publisher": "Governo italiano", "url": "https://www.governo.it/en/news"})
    [(meeting, _)] = events(s, "meetings")
    assert meeting.values["participants"] == ["giorgia-meloni"]


def test_a_readout_before_the_meeting_drafts_it_planned(repo_corpus):
    s = drafts(repo_corpus, "readout-planned.txt", dt.date(2023, 12, 15))
    [(meeting, probable)] = events(s, "meetings")
    record = uncommented(meeting.lines)
    assert record["status"] == "planned"
    assert any("future \"will\"" in line for line in meeting.lines)
    assert meeting.values["date"] == dt.date(2023, 12, 16)  # "on Saturday", as planned
    assert sorted(p["person_id"] for p in record["participants"]) == ["giorgia-meloni", "rishi-sunak"]
    assert "2023-12-16-rome-sunak-meloni-rama" in "\n".join(probable)


def test_an_incident_is_drafted_with_its_counts(repo_corpus):
    s = drafts(repo_corpus, "capsize.txt", dt.date(2024, 3, 12), {})
    [(incident, probable)] = events(s, "incidents")
    record = uncommented(incident.lines)
    assert (record["date"], record["place_id"]) == ("on Friday", "calais")
    assert incident.values["date"] == dt.date(2024, 3, 8)
    assert (record["people_aboard"], record["people_aboard_qualifier"], record["dead"], record["survivors"]) == \
        (50, "about", 7, 41)
    assert "missing" not in record  # not given: not drafted, never 0
    assert len(record["evidence"]) == 2  # the capsize and the counts
    assert probable == ["no existing record looks like it: give it a new id"]
    # its figures are in the incident, not drafted again one by one
    assert "figure 1: 'about 50': in event 1 below" in render(s)


def test_an_agreement_is_drafted_with_its_parties_type_and_event(repo_corpus):
    s = drafts(repo_corpus, "returns-deal.txt", dt.date(2024, 3, 13), {})
    [(agreement, probable)] = events(s, "agreements")
    record = uncommented(agreement.lines)
    assert record["agreement_type"] == "returns"
    assert [p["country"] for p in record["parties"]] == ["GB", "AL"]
    assert record["events"] == [{"event_type": "signed", "date": "on Tuesday"}]
    # the record annotated already (by several sources now), with the same parties and type
    assert any(line.strip().startswith("uk-albania-returns-agreement  (sources/news/") for line in probable)


def test_no_meeting_is_drafted_from_a_text_without_one(repo_corpus):
    s = drafts(repo_corpus, "capsize.txt", dt.date(2024, 3, 12), {})
    assert events(s, "meetings") == [] and events(s, "agreements") == []


def test_suggest_write_puts_the_events_in_suggestions_yaml(corpus, capsys):
    people = corpus / "sources/registry/people.yaml"
    people.write_text(people.read_text(encoding="utf-8") + "- person_id: giorgia-meloni\n  name: Giorgia Meloni\n"
                      "  country: IT\n", encoding="utf-8")
    assert main(["--root", str(corpus), "new-source", str(TEXTS / "readout-held.txt"), "--url",
                 DOWNING_STREET["url"], "--publisher", "Fixture Times", "--published", "2023-12-16",
                 "--title", "PM meeting with Prime Minister Meloni"]) == 0
    source_id = "2023-12-16-pm-meeting-prime-minister-meloni"
    assert main(["--root", str(corpus), "suggest", source_id, "--write"]) == 0
    assert "1 event(s)" in capsys.readouterr().out
    text = (corpus / "sources/news" / source_id / "suggestions.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text) is None  # nothing but comments
    assert "#   - meeting_id: 2023-12-16-<place>-meloni" in text  # Rome is not in this corpus's places
    assert "#       - person_id: giorgia-meloni" in text


def test_a_completed_meeting_draft_validates(corpus, capsys):
    """The meeting drafted from the contributors' example article, uncommented as it is,
    passes validate: the drafts follow the checker's rules."""
    article = TESTS / "fixtures" / "contribute" / "harbour-talks.html"
    assert main(["--root", str(corpus), "new-source", str(article), "--url", "https://example.org/news/harbour-talks",
                 "--publisher", "Fixture Times", "--published", "2024-03-12",
                 "--title", "Ministers meet in London as Channel crossings rise"]) == 0
    source_id = "2024-03-12-ministers-meet-london-channel-crossings-rise"
    assert main(["--root", str(corpus), "suggest", source_id, "--write"]) == 0
    folder = corpus / "sources/news" / source_id
    lines = (folder / "suggestions.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("# event 1: meetings")
    end = lines.index("#", start)
    draft = [line[2:] for line in lines[start:end] if line.startswith("#   ") or line.startswith("#     ")]
    assert draft[0].startswith("  - meeting_id: 2024-03-12-london-fixture-example")
    annotations = folder / "annotations.yaml"
    text = annotations.read_text(encoding="utf-8")
    annotations.write_text(text.replace("meetings:\n", "meetings:\n" + "\n".join(draft) + "\n"), encoding="utf-8")
    capsys.readouterr()
    code = main(["--root", str(corpus), "validate", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert (code, report["problems"]) == (0, [])
    assert report["records"] == 6  # the fixture's five and the drafted meeting
