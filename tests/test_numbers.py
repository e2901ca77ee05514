"""Tests for pipelines.ingest.numbers, on the sentences of the two seed articles."""

import pytest

from pipelines.ingest.numbers import QUALIFIER_CUES, NumberMention, find_cue, number_mentions, numbers_in

SEED_000 = (
    "Nearly 300 migrants arrived in the UK in the first crossings in the English Channel "
    "for a fortnight, figures released on Saturday show. Some 292 people travelled in "
    "seven boats on Friday December 15, according to the Home Office figures."
)


# --- numbers_in -------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("More than 28,000 people have crossed the Channel this year, compared with about 46,000",
     {28000, 46000}),
    ("Some 292 people travelled in seven boats", {292, 7}),
    ("ran into difficulty 8km off Calais", {8}),
    ("which has seen a 60 per cent drop in irregular arrivals by sea", {60}),
    ("irregular arrivals to Italy by sea are down 60 per cent since 2022", {60, 2022}),
    ("It comes a day after eight people died", {8}),
    ("the total number of people who have lost their lives this year ... to 46", {46}),
    ("More than 1,000 people made the perilous journey", {1000}),
    ("capable of accommodating up to 3,000 migrants", {3000}),
    ("one person died and another was critically injured", {1}),
    ("was carrying more than 60 migrants", {60}),
    ("within 30 minutes of receiving the report", {30}),
    ("with more than 130,000 recorded", {130000}),
    ("for a fortnight", set()),
    ("someone often", set()),
    ("Someone said nothing often.", set()),
    ("the Channel", set()),
    ("", set()),
])
def test_numbers_in_seed_sentences(text, expected):
    assert numbers_in(text) == expected


def test_second_highest():
    assert 2 in numbers_in("about 800 migrants cross the Channel on Saturday, the second-highest figure")


def test_almost_double():
    assert numbers_in("almost double the 70,000 in the same period of 2022") == {2, 70000, 2022}


@pytest.mark.parametrize("text, expected", [
    ("28 000 people", {28000}),
    ("28\u00a0000 people", {28000}),
    ("1 000 000", {1000000}),
    ("In 2022 300 people", {2022, 300}),     # a 4-digit group is not a thousands group
    ("15 2023", {15, 2023}),
    ("1,000,000", {1000000}),
    ("2.5", {2.5}),
    ("1,234.5", {1234.5}),
    ("60%", {60}),
    ("39 per cent", {39}),
    ("13 percent", {13}),
    ("1.2 million", {1200000}),
    ("4.35 million", {4350000}),
    ("3 thousand", {3000}),
    ("forty-six", {46}),
    ("Forty six", {46}),
    ("two hundred", {200}),
    ("five thousand", {5000}),
    ("two hundred and fifty", {250}),
    ("three hundred thousand", {300000}),
    ("one million two hundred thousand", {1200000}),
    ("a dozen", {12}),
    ("two dozen", {24}),
    ("half a dozen", {6}),
    ("twice", {2}), ("double", {2}), ("triple", {3}), ("half", {0.5}),
    ("first", {1}), ("Third", {3}), ("twentieth", {20}), ("twenty-first", {21}),
    ("nineteen", {19}), ("ninety", {90}), ("zero", {0}),
    ("the 15th", {15}),
    ("ELEVEN", {11}),
])
def test_numbers_in_forms(text, expected):
    assert numbers_in(text) == expected


@pytest.mark.parametrize("text", [
    "a hundred", "hundreds of migrants", "thousands", "dozens of boats", "a fortnight",
    "someone", "often", "tone", "bone", "oneself", "seventeenths", "fortnightly",
    "G7 leaders", "doubled", "halfway", "firstly", "anyone",
])
def test_not_numbers(text):
    assert numbers_in(text) == set()


def test_values_are_floats():
    assert all(isinstance(v, float) for v in numbers_in("two dozen and 28,000 and forty-six"))


# --- find_cue ---------------------------------------------------------------------------

def test_find_cue_returns_text_as_written():
    assert find_cue("more_than", "More than 1,000 people") == "More than"
    assert find_cue("about", "Some 292 people") == "Some"
    assert find_cue("nearly", "Nearly 300 migrants") == "Nearly"
    assert find_cue("up_to", "capable of accommodating up to 3,000 migrants") == "up to"
    assert find_cue("more_than", "with more than 130,000 recorded") == "more than"
    assert find_cue("about", "which saw about 800 migrants") == "about"
    assert find_cue("nearly", "almost double the 70,000") == "almost"


def test_find_cue_absent():
    assert find_cue("about", "exactly 5") is None
    assert find_cue("more_than", "Some 292 people") is None
    assert find_cue("at_least", "at last, 5") is None


def test_find_cue_word_boundaries():
    assert find_cue("about", "someone said 5") is None        # not "some"
    assert find_cue("more_than", "he overcame dissent") is None  # not "over"
    assert find_cue("less_than", "thunder") is None
    assert find_cue("more_than", "over 5") == "over"


def test_find_cue_flexible_spacing_and_case():
    assert find_cue("at_least", "AT  LEAST 3") == "AT  LEAST"
    assert find_cue("about", "an estimated 300") == "an estimated"
    assert find_cue("up_to", "as many as\u00a0400") == "as many as"


def test_find_cue_exact_needs_nothing():
    assert find_cue("exact", "anything") == ""


def test_find_cue_unknown_qualifier():
    with pytest.raises(ValueError, match="unknown qualifier"):
        find_cue("approx", "about 5")


def test_cue_table_matches_contributing():
    assert set(QUALIFIER_CUES) == {"about", "more_than", "at_least", "nearly", "less_than", "up_to"}
    assert {"about", "around", "some", "roughly", "approximately", "an estimated"} <= set(QUALIFIER_CUES["about"])
    assert {"more than", "over", "above"} <= set(QUALIFIER_CUES["more_than"])
    assert {"at least", "no fewer than"} <= set(QUALIFIER_CUES["at_least"])
    assert {"nearly", "almost", "close to", "just under"} <= set(QUALIFIER_CUES["nearly"])
    assert {"less than", "fewer than", "under", "below"} <= set(QUALIFIER_CUES["less_than"])
    assert {"up to", "as many as"} <= set(QUALIFIER_CUES["up_to"])


# --- number_mentions --------------------------------------------------------------------

def _check_offsets(text, mentions):
    for m in mentions:
        assert isinstance(m, NumberMention)
        assert text[m.start:m.end] == m.text
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)


def test_mentions_seed_000_short():
    text = "Nearly 300 migrants arrived. Some 292 people travelled in seven boats"
    ms = number_mentions(text)
    _check_offsets(text, ms)
    assert [(m.qualifier, m.value) for m in ms] == [("nearly", 300), ("about", 292), ("exact", 7)]
    assert [m.text for m in ms] == ["Nearly 300", "Some 292", "seven"]
    assert [m.unit for m in ms] == ["migrants", "people", "boats"]
    assert ms[0].start == 0 and ms[0].end == 10


def test_mentions_seed_000_full_passage():
    ms = number_mentions(SEED_000)
    _check_offsets(SEED_000, ms)
    pairs = [(m.qualifier, m.value) for m in ms]
    assert pairs == [("nearly", 300), ("exact", 1), ("about", 292), ("exact", 7), ("exact", 15)]
    assert ms[1].text == "first"
    assert ms[4].unit is None


def test_mentions_more_than_and_about():
    text = "More than 28,000 people have crossed the Channel this year, compared with about 46,000 for all of last year."
    ms = number_mentions(text)
    _check_offsets(text, ms)
    assert [(m.text, m.qualifier, m.value, m.unit) for m in ms] == [
        ("More than 28,000", "more_than", 28000, "people"),
        ("about 46,000", "about", 46000, None),
    ]


def test_mentions_almost_double_does_not_qualify_the_next_number():
    text = "with more than 130,000 recorded by September, almost double the 70,000 in the same period of 2022."
    ms = number_mentions(text)
    _check_offsets(text, ms)
    assert [(m.text, m.qualifier, m.value) for m in ms] == [
        ("more than 130,000", "more_than", 130000),
        ("almost double", "nearly", 2),
        ("70,000", "exact", 70000),
        ("2022", "exact", 2022),
    ]


def test_mentions_units():
    text = "ran into difficulty 8km off Calais; a 60 per cent drop; down 60% since 2022; up to 3,000 migrants"
    ms = {m.text: m for m in number_mentions(text)}
    assert ms["8km"].value == 8 and ms["8km"].unit == "km"
    assert ms["60"].unit == "per cent"
    assert ms["60%"].unit == "per cent" and ms["60%"].value == 60
    assert ms["up to 3,000"].qualifier == "up_to" and ms["up to 3,000"].unit == "migrants"
    assert ms["2022"].unit is None


def test_mentions_seed_001_sentence():
    text = ("which saw about 800 migrants cross the Channel on Saturday to the UK, "
            "the second-highest figure since the start of the year.")
    ms = number_mentions(text)
    _check_offsets(text, ms)
    assert [(m.text, m.qualifier, m.value) for m in ms] == [("about 800", "about", 800), ("second", "exact", 2)]


def test_mentions_cue_window_and_punctuation():
    # The cue may be up to three words back, but not across punctuation.
    assert number_mentions("an estimated 300 people")[0].qualifier == "about"
    assert number_mentions("no fewer than 40 boats")[0].qualifier == "at_least"
    assert number_mentions("just under 300 people")[0].qualifier == "nearly"  # longer cue wins
    assert number_mentions("over the years, 300 people")[0].qualifier == "exact"
    assert number_mentions("about. 300")[0].qualifier == "exact"
    assert number_mentions("about five hundred and two people went")[0].value == 502


def test_mentions_with_offsets_after_non_ascii():
    text = "“Nearly 300” – said the Home Office’s figures: 12 boats"
    ms = number_mentions(text)
    _check_offsets(text, ms)
    assert [(m.qualifier, m.value) for m in ms] == [("nearly", 300), ("exact", 12)]


def test_mentions_agree_with_numbers_in():
    for text in (SEED_000, "More than 1,000 people made the perilous journey in small boats over the weekend."):
        assert {m.value for m in number_mentions(text)} == numbers_in(text)


def test_no_mentions():
    assert number_mentions("for a fortnight") == []
