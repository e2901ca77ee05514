"""Check that a record means what its quotes say (CONTRIBUTING.md, "What validate refuses
and why"). records.py anchors the quotes; these checks read them:

- every number is in a supporting quote as a number of its own, not only inside a date
  ("December 15") or a longer number (`number-not-quoted`, `number-in-date`);
- a qualifier's cue comes just before its number ("more than 1,000"), not anywhere in the
  quote, and a figure given only with a cue is not `exact` (`qualifier-cue-missing`,
  `qualifier-cue-not-attached`, `qualifier-cue-ignored`);
- a count (people, boats, deaths, a ratio) is never negative; only a measure declared
  `signed: true` in schemas/tables/ (a percentage change) may be (`negative-count`);
- a signed change goes the way its quote says: "up", "rose", "increase" ... is positive,
  "down", "fell", "drop" ... is negative (`sign-contradicts-quote`);
- a quote must say something: at least MIN_QUOTE_WORDS words (`evidence-too-short`, checked
  while anchoring in records.py), and a record's place is named in the quotes that support
  it (`place-not-quoted`);
- a record's place, country and route agree: the place's country (sources/registry/
  places.yaml) is the record's country, and both are among the countries its route touches
  (declared on the route's category in schemas/tables/crossings.yaml) (`country-mismatch`,
  `not-on-route`).

Stdlib only, like the rest of validate's checks.
"""

from __future__ import annotations

import re

from pipelines.ingest.numbers import NumberMention, date_around, find_cue, mentions_in

MIN_QUOTE_WORDS = 2  # "the Channel" can support a route; "-", "46" or "Rome" alone support nothing
_WORD = re.compile(r"[^\W_]+")  # a run of letters or digits

# Words that say which way a change went. "more than", "less than", "fewer than" and "up to"
# are qualifier cues, not directions, and are skipped.
_UP = frozenset("""up rise rises rising rose risen increase increases increased increasing
    more higher grew grow grows growing grown growth surge surged surges surging jump jumped
    jumps climb climbed climbs soar soared soars spike spiked""".split())
_DOWN = frozenset("""down fall falls falling fell fallen drop drops dropped dropping decrease
    decreases decreased decreasing decline declines declined declining fewer less lower cut
    cuts reduction reduced slump slumped plunge plunged plummeted shrank shrunk""".split())
_NOT_A_DIRECTION = {("more", "than"), ("less", "than"), ("fewer", "than"), ("up", "to")}
_SENTENCE_END = re.compile(r"[.!?;](?=\s|$)|\n")  # quotes are joined by line breaks: each its own passage
_MINUS = "-\u2212\u2013"  # hyphen-minus, minus sign, en dash: "-13%"


def supporting_text(quotes, *names: str) -> str:
    """The quotes that support any of these fields (a quote without `fields` supports all)."""
    return "\n".join(q.quote for q in quotes if q.fields is None or any(n in q.fields for n in names))


def unchecked(failed, *names: str) -> bool:
    """True if a quote that did not anchor supports one of these fields (a quote without
    `fields` supports them all): the checks that would read it wait until it is fixed."""
    return any(supports is None or any(n in supports for n in names) for supports in failed)


def same_number(a: float, b: float) -> bool:
    return abs(abs(a) - abs(b)) < 1e-9


def quote_too_short(quote: str) -> bool:
    """Fewer than MIN_QUOTE_WORDS words. The words are looked for one after another, up to
    that many, rather than all listed: this runs for every quote of the corpus."""
    end = 0
    for _ in range(MIN_QUOTE_WORDS):
        word = _WORD.search(quote, end)
        if word is None:
            return True
        end = word.end()
    return False


def check_numbers_and_cues(doc, keys, values, fields, quotes, problems, failed=()) -> None:
    """Each number is in a supporting quote as a number of its own (not only as part of a
    date: "December 15" is no count of 15), and each qualifier's cue is attached to it
    ("more than 1,000"; "over the Channel" qualifies nothing)."""
    if not quotes:
        return  # no-evidence was reported already
    for spec in fields:
        value = values.get(spec.name)
        if value is None:
            continue
        if spec.type in ("integer", "number"):
            if failed and unchecked(failed, spec.name):
                continue
            text = supporting_text(quotes, spec.name)
            found = mentions_in(text)  # remembered: the fields of a record mostly share their quotes
            if any(not m.in_date and same_number(m.value, value) for m in found):
                continue
            in_dates = [date_around(text, m) for m in found if same_number(m.value, value)]
            if in_dates:
                problems.add(doc.path, *doc.position(*keys, spec.name), "number-in-date",
                             f"{spec.name} {value!r} appears in the supporting quotes only as part of a date",
                             "quote the words that give the figure itself; a day of the month or a year is "
                             "not a count", f"in the date: {in_dates[0]}")
                continue
            own = sorted({m.value for m in found if not m.in_date})
            problems.add(doc.path, *doc.position(*keys, spec.name), "number-not-quoted",
                         f"{spec.name} {value!r} does not appear in a supporting quote",
                         "quote the words that give the number (digits or words such as 'seven')",
                         f"numbers in the quotes: {', '.join(f'{n:g}' for n in own) or 'none'}")
        elif spec.name == "qualifier" or spec.name.endswith("_qualifier"):
            qualified = "value" if spec.name == "qualifier" else spec.name[: -len("_qualifier")]
            if failed and unchecked(failed, spec.name, qualified):
                continue
            text = supporting_text(quotes, spec.name, qualified)
            number = values.get(qualified)
            own = [m for m in mentions_in(text) if not m.in_date and same_number(m.value, number)] \
                if isinstance(number, (int, float)) else []
            if any(m.qualifier == value for m in own):
                continue
            if value == "exact":
                # exact (typed, or the default) for a figure the quotes give only with a cue:
                # "More than 28,000" recorded as exactly 28,000.
                if own:
                    problems.add(doc.path, *doc.position(*keys, spec.name if spec.name in doc_keys(doc, keys)
                                                         else qualified), "qualifier-cue-ignored",
                                 f"{spec.name} is 'exact', but the quote qualifies {number:g}: {own[0].text!r}",
                                 f"use the qualifier the quote gives ({own[0].qualifier}); see CONTRIBUTING.md, "
                                 "Evidence, for the cues", own[0].text)
                continue
            cue = find_cue(value, text)
            if own and cue:
                problems.add(doc.path, *doc.position(*keys, spec.name), "qualifier-cue-not-attached",
                             f"{spec.name} is {value!r}, but its cue {cue!r} does not qualify {number:g} in the quote",
                             f"the cue must come just before the figure ('{cue} {number:g}'); use the qualifier "
                             "the quote gives the figure, or exact", ", ".join(m.text for m in own))
            elif not cue or own:
                # Not found with the figure, or nowhere. If the figure itself is not in these
                # quotes, number-not-quoted says so; a cue anywhere is then enough here.
                problems.add(doc.path, *doc.position(*keys, spec.name), "qualifier-cue-missing",
                             f"{spec.name} is {value!r} but no supporting quote has a cue for it",
                             f"quote the words that qualify the figure ({value.replace('_', ' ')}), or use exact")


def doc_keys(doc, keys) -> set:
    """The keys typed in the mapping at `keys` (a defaulted field is not among them)."""
    node = doc.data
    for key in keys:
        node = node[key]
    return set(node) if isinstance(node, dict) else set()


def check_sign(doc, keys, values, table, quotes, problems, failed) -> None:
    """A count is not negative; a signed change agrees with the direction its quote states."""
    if "measure" not in table.field_names or "value" not in values:
        return
    measure, value = values.get("measure"), values["value"]
    if measure is None:
        return
    if measure not in table.field("measure").signed:
        if value < 0:
            problems.add(doc.path, *doc.position(*keys, "value"), "negative-count",
                         f"value {value!r} is negative, but a {measure} figure is a count and cannot be",
                         "write the figure as the article gives it; a fall is a people_pct_change "
                         "(negative = fewer), recorded as its own figure", str(value))
        return
    if value == 0 or (failed and unchecked(failed, "value")):
        return
    text = supporting_text(quotes, "value")
    stated = [d for m in mentions_in(text) if not m.in_date and same_number(m.value, value)
              for d in [stated_direction(text, m)] if d is not None]
    if stated and all((sign > 0) != (value > 0) for sign, _ in stated):
        sign, word = stated[0]
        problems.add(doc.path, *doc.position(*keys, "value"), "sign-contradicts-quote",
                     f"value {value!r} is a {'rise' if value > 0 else 'fall'}, but the quote says {word!r}",
                     f"a rise is positive and a fall negative: write {abs(value) * sign:g}, or check the quote",
                     word)


def stated_direction(text: str, mention: NumberMention) -> tuple[int, str] | None:
    """(+1 or -1, the word that says so) for the change a number states, or None.

    A sign written on the number ("-13%", "+13%") decides; otherwise the direction word
    nearest to the number in its sentence ("fell by 77 per cent", "a 60 per cent drop")."""
    before = text[mention.start - 1] if mention.start else ""
    edge = mention.start < 2 or not text[mention.start - 2].isalnum()
    if before in _MINUS and edge:
        return -1, before + text[mention.start:mention.end]
    if before == "+" and edge:
        return 1, before + text[mention.start:mention.end]
    start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, mention.start)), default=0)
    end_match = _SENTENCE_END.search(text, mention.end)
    end = end_match.start() if end_match else len(text)
    best = None
    words = list(_WORD.finditer(text, start, end))
    for i, w in enumerate(words):
        low = w.group(0).lower()
        if low not in _UP and low not in _DOWN:
            continue
        following = words[i + 1].group(0).lower() if i + 1 < len(words) else ""
        if (low, following) in _NOT_A_DIRECTION or mention.start <= w.start() < mention.end:
            continue
        distance = mention.start - w.end() if w.end() <= mention.start else w.start() - mention.end
        if best is None or distance < best[0]:
            best = (distance, 1 if low in _UP else -1, w.group(0))
    return None if best is None else (best[1], best[2])


def check_place(doc, keys, values, quotes, places, problems, failed, venue_name: str | None = None) -> None:
    """The place is named in its quotes (or the venue inside it is: "at Palazzo Chigi" puts a
    meeting in Rome), is in the record's country, and is on its route."""
    place = places.get(values.get("place_id"))
    if place is None:
        return  # no place, or one the registry lacks (unknown-id is reported)
    name, place_country = place
    supporting = supporting_text(quotes, "place_id", "venue_id")
    named = _names(supporting, name) or bool(venue_name and _names(supporting, venue_name))
    if not (failed and unchecked(failed, "place_id")) and not named:
        problems.add(doc.path, *doc.position(*keys, "place_id"), "place-not-quoted",
                     f"place_id {values['place_id']!r} ({name}) is not named in any quote supporting it",
                     f"quote the words that name the place (e.g. {name!r}), or leave place_id out", values["place_id"])
    country = values.get("country")
    if place_country and country and country != place_country:
        problems.add(doc.path, *doc.position(*keys, "country"), "country-mismatch",
                     f"country is {country} but place_id {values['place_id']!r} ({name}) is in {place_country} "
                     "(sources/registry/places.yaml)",
                     "correct the country or the place", country)


def check_route(doc, keys, values, table, places, problems) -> None:
    """The record's countries and its place's country are among those its route touches."""
    if "route" not in table.field_names:
        return
    touched = table.field("route").countries.get(values.get("route"))
    if not touched:
        return  # a route whose definition names no countries (other, all_eu_external_borders, ...)
    place = places.get(values.get("place_id"))
    stated = [(name, values[name]) for name in ("country", "destination_country") if values.get(name)]
    if place and place[1] and place[1] not in {code for _, code in stated}:
        stated.append(("place_id", place[1]))
    for name, code in stated:
        if code in touched:
            continue
        what = f"place_id {values['place_id']!r} is in {code}, which" if name == "place_id" else f"{name} {code}"
        problems.add(doc.path, *doc.position(*keys, name), "not-on-route",
                     f"{what} is not on the route {values['route']} ({', '.join(touched)})",
                     "correct the route, the country or the place; each route's countries are declared on "
                     "its category in schemas/tables/crossings.yaml (route)", code)


def _names(text: str, name: str) -> bool:
    """True if the text has a word of the place's name ("Calais", "Channel" of "English
    Channel", "Boulogne" of "Boulogne-sur-Mer"); words of two letters or fewer do not count."""
    words = {w.casefold() for w in _WORD.findall(text)}
    return any(w.casefold() in words for w in _WORD.findall(name) if len(w) > 2 and w.casefold() != "the")
