"""The events the synthetic corpus reports (benchmarks/events.py): a shared id is one event
in every source that names it, and distinct events do not look alike to the identity guard."""

import datetime as dt
from collections import defaultdict

from benchmarks import events
from benchmarks.corpus import generate_corpus
from pipelines.ingest.corpus import load_corpus
from pipelines.ingest.identity import identities_of_records, looks_alike, point_places


def chance_collisions(incidents: list[events.Incident], meetings: list[events.Meeting]) -> list[str]:
    """Pairs the guard would call one event: incidents on one route a day or less apart with
    as many dead and survivors; meetings in one city a day or less apart sharing two people."""
    found = []
    for i, a in enumerate(incidents):
        for b in incidents[i + 1:]:
            if a.route == b.route and abs((a.day - b.day).days) <= 1 and (a.dead, a.aboard) == (b.dead, b.aboard):
                found.append(f"incidents {a} {b}")
    for i, a in enumerate(meetings):
        for b in meetings[i + 1:]:
            if a.city == b.city and abs((a.day - b.day).days) <= 1 and len(set(a.people) & set(b.people)) >= 2:
                found.append(f"meetings {a} {b}")
    return found


def crowded(n: int) -> tuple[list[list], list[list]]:
    """n incidents and n meetings on one route and in one city within three days, as [facts] cells."""
    rng = events._rng(0, "crowded")
    days = [dt.date(2022, 5, 1) + dt.timedelta(days=k % 3) for k in range(n)]
    incidents = [[events.Incident(day, "english_channel", events.COAST["english_channel"][0], events.VESSELS[0], 5,
                                  8 + k % 2, "exact", 1, None)] for k, day in enumerate(days)]
    meetings = [[events.Meeting(day, events.CAPITALS[0], tuple(rng.sample(events.PEOPLE[:3], 2)), "Prime Minister",
                                "returns")] for day in days]
    return incidents, meetings


def test_crowded_events_are_set_apart():
    incidents, meetings = crowded(30)
    before = chance_collisions([c[0] for c in incidents], [c[0] for c in meetings])
    assert len(before) > 100  # the check finds collisions where there are some
    events._set_incidents_apart(incidents)
    events._set_meetings_apart(meetings, seed=0)
    assert chance_collisions([c[0] for c in incidents], [c[0] for c in meetings]) == []
    assert {c[0].dead for c in incidents} == {1}  # only the survivors moved (and the people aboard with them)
    assert all(c[0].people[0] in events.PEOPLE[:3] for c in meetings)  # the host stays


def test_a_corpus_plan_has_no_chance_look_alikes_and_is_drawn_once():
    planned = events.plan(11, 2000)
    assert planned is events.plan(11, 2000)  # cached: every worker and write_source share it
    incidents = [*(f for s in planned.sources for rid, f in s.incidents if rid is None),
                 *(f for f in planned.shared.values() if isinstance(f, events.Incident))]
    meetings = [*(f for s in planned.sources for rid, f in s.meetings if rid is None),
                *(f for f in planned.shared.values() if isinstance(f, events.Meeting))]
    by_route = defaultdict(list)
    for facts in incidents:
        by_route[facts.route].append(facts)
    by_city = defaultdict(list)
    for facts in meetings:
        by_city[facts.city].append(facts)
    for group in [*by_route.values(), *by_city.values()]:
        group.sort(key=lambda f: f.day)
    near = [c for g in by_route.values() for k in range(len(g)) for c in chance_collisions(g[k:k + 40], [])]
    near += [c for g in by_city.values() for k in range(len(g)) for c in chance_collisions([], g[k:k + 40])]
    assert near == []
    shared = [rid for s in planned.sources for rid, _ in s.incidents + s.meetings if rid]
    assert len(shared) > 1000 and len(set(shared)) < len(shared)  # some 15% of the records, several per event


def test_a_shared_id_is_one_event_in_every_source_that_reports_it(tmp_path):
    generate_corpus(tmp_path, 120, seed=7, workers=1)
    corpus = load_corpus(tmp_path)
    assert list(corpus.problems) == []  # warnings (reused-id-differs) included
    published = {s.source_id: s.metadata["published_date"] for s in corpus.sources.values()}
    identities = identities_of_records(corpus.records, published)
    versions = defaultdict(list)
    for ident in identities:
        versions[ident.record_id].append(ident)
    reused = {rid: v for rid, v in versions.items() if rid.startswith("shared-") and len(v) > 1}
    assert len(reused) >= 5
    for rid, idents in reused.items():
        facts = {(i.day, i.place_id, i.people, i.route, i.counts, i.kind) for i in idents}
        assert len(facts) == 1, (rid, facts)  # the same day, place, people, route and counts
    points = point_places(corpus.registries)
    alike = [(a.record_id, b.record_id) for k, a in enumerate(identities) for b in identities[k + 1:]
             if a.day and b.day and abs((a.day - b.day).days) <= 1 and looks_alike(a, b, points)]
    assert alike == []
