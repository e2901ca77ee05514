"""Tests for pipelines.ingest.dates, mostly on the phrases of the two seed articles.

Seed 000 (Sunak in Rome) was published on Saturday 2023-12-16; seed 001 (Starmer and
Meloni) on Monday 2024-09-16.
"""

from datetime import date

import pytest

from pipelines.ingest.dates import DateError, ResolvedDate, is_iso_date, resolve_date

SAT = date(2023, 12, 16)   # seed 000
MON = date(2024, 9, 16)    # seed 001


def span(value, published, planned=False):
    r = resolve_date(value, published, planned=planned)
    return r.start, r.end, r.precision


# --- ISO ------------------------------------------------------------------------------

@pytest.mark.parametrize("value, start, end, precision", [
    ("2023-12-15", date(2023, 12, 15), date(2023, 12, 15), "day"),
    ("2023-12", date(2023, 12, 1), date(2023, 12, 31), "month"),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "month"),   # leap year
    ("2023-02", date(2023, 2, 1), date(2023, 2, 28), "month"),
    ("2017", date(2017, 1, 1), date(2017, 12, 31), "year"),
])
def test_iso(value, start, end, precision):
    r = resolve_date(value, SAT)
    assert (r.start, r.end, r.precision) == (start, end, precision)
    assert r.phrase is None
    assert value in r.rule


def test_iso_is_not_checked_against_publication():
    # The caller decides whether a date after publication is an error (planned records).
    assert span("2024-01-10", SAT) == (date(2024, 1, 10), date(2024, 1, 10), "day")


@pytest.mark.parametrize("value, ok", [
    ("2023-12-15", True), ("2023-12", True), ("2023", True),
    ("2024-04-31", False), ("2023-13-01", False), ("2023-02-29", False), ("2024-02-29", True),
    ("2023-1-5", False), ("23-12-15", False), ("2023/12/15", False), (" 2023-12-15", False),
    ("on Saturday", False), ("", False), ("0000", False),
])
def test_is_iso_date(value, ok):
    assert is_iso_date(value) is ok


def test_date_objects_count_as_iso():
    # YAML loads an unquoted 2023-12-15 as a date.
    assert is_iso_date(date(2023, 12, 15))
    assert span(date(2023, 12, 15), SAT) == (date(2023, 12, 15), date(2023, 12, 15), "day")


@pytest.mark.parametrize("value, why", [
    ("2024-04-31", "April 2024 has 30 days"),
    ("2023-02-29", "February 2023 has 28 days"),
    ("2023-13-01", "no month 13"),
    ("2023-00", "no month 0"),
])
def test_impossible_iso_dates_are_named(value, why):
    with pytest.raises(DateError) as err:
        resolve_date(value, SAT)
    assert f"'{value}'" in str(err.value)
    assert why in str(err.value)
    assert "YYYY-MM-DD" in str(err.value)


def test_badly_written_iso_date():
    with pytest.raises(DateError, match="two digits"):
        resolve_date("2023-1-5", SAT)


# --- seed 000, published Saturday 2023-12-16 -----------------------------------------

@pytest.mark.parametrize("value, start, end, precision", [
    ("on Saturday", SAT, SAT, "day"),
    ("Friday December 15", date(2023, 12, 15), date(2023, 12, 15), "day"),
    ("the early hours of Friday", date(2023, 12, 15), date(2023, 12, 15), "day"),
    ("in the early hours of Friday", date(2023, 12, 15), date(2023, 12, 15), "day"),
    ("on Friday December 15", date(2023, 12, 15), date(2023, 12, 15), "day"),
    ("this year", date(2023, 1, 1), SAT, "year"),
    ("last year", date(2022, 1, 1), date(2022, 12, 31), "year"),
    ("all of last year", None, None, None),   # not a phrase: see test below
])
def test_seed_000(value, start, end, precision):
    if start is None:
        with pytest.raises(DateError):
            resolve_date(value, SAT)
        return
    assert span(value, SAT) == (start, end, precision)


def test_seed_000_more():
    assert span("by September", SAT) == (date(2023, 9, 1), date(2023, 9, 30), "month")
    assert span("This week", SAT) == (date(2023, 12, 11), SAT, "week")
    assert span("today", SAT) == (SAT, SAT, "day")
    assert span("yesterday", SAT) == (date(2023, 12, 15), date(2023, 12, 15), "day")
    assert span("this month", SAT) == (date(2023, 12, 1), SAT, "month")
    assert span("last week", SAT) == (date(2023, 12, 4), date(2023, 12, 10), "week")


def test_resolved_date_fields():
    r = resolve_date("on Saturday", SAT)
    assert isinstance(r, ResolvedDate)
    assert r.phrase == "on Saturday"
    assert r.rule.startswith("'on Saturday' -> 2023-12-16: ")
    assert "Saturday" in r.rule and "publication" in r.rule and "\n" not in r.rule
    with pytest.raises(AttributeError):
        r.start = date(2020, 1, 1)   # frozen


def test_span_rule_shows_both_ends():
    assert "2023-01-01..2023-12-16" in resolve_date("this year", SAT).rule


# --- seed 001, published Monday 2024-09-16 -------------------------------------------

@pytest.mark.parametrize("value, start, end, precision", [
    ("On Monday", MON, MON, "day"),
    ("on Saturday", date(2024, 9, 14), date(2024, 9, 14), "day"),
    ("over the weekend", date(2024, 9, 14), date(2024, 9, 15), "week"),
    ("the weekend", date(2024, 9, 14), date(2024, 9, 15), "week"),
    ("Last month", date(2024, 8, 1), date(2024, 8, 31), "month"),
    ("since 2022", date(2022, 1, 1), MON, "year"),
    ("Since the start of the year", date(2024, 1, 1), MON, "year"),
    ("since the beginning of the year", date(2024, 1, 1), MON, "year"),
    ("this year", date(2024, 1, 1), MON, "year"),
    ("today", MON, MON, "day"),
    ("this morning", MON, MON, "day"),
    ("since January", date(2024, 1, 1), MON, "month"),
    ("in 2017", date(2017, 1, 1), date(2017, 12, 31), "year"),
    ("this week", MON, MON, "week"),
])
def test_seed_001(value, start, end, precision):
    assert span(value, MON) == (start, end, precision)


def test_in_2022_keeps_its_phrase():
    r = resolve_date("in 2022", MON)
    assert r.phrase == "in 2022" and r.precision == "year"


# --- weekdays ------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("Friday", date(2023, 12, 15)),
    ("Friday morning", date(2023, 12, 15)),
    ("on Friday night", date(2023, 12, 15)),
    ("late on Friday", date(2023, 12, 15)),
    ("Sunday", date(2023, 12, 10)),       # 6 days back, never 0 days forward
    ("Monday", date(2023, 12, 11)),
    ("Saturday's", SAT),
    ("SATURDAY.", SAT),
    ("last Saturday", date(2023, 12, 9)),  # strictly before publication
    ("last Friday", date(2023, 12, 15)),
])
def test_weekday_backwards(value, expected):
    assert span(value, SAT) == (expected, expected, "day")


@pytest.mark.parametrize("value, expected", [
    ("on Saturday", SAT),                 # the same day counts
    ("Sunday", date(2023, 12, 17)),
    ("Friday", date(2023, 12, 22)),       # 6 days forward
])
def test_weekday_planned_forwards(value, expected):
    assert span(value, SAT, planned=True) == (expected, expected, "day")
    assert "on or after" in resolve_date(value, SAT, planned=True).rule


def test_planned_trip_announced_on_thursday():
    # "Rishi Sunak is travelling to Rome on Saturday", had it been published on Thursday.
    thu = date(2023, 12, 14)
    assert span("on Saturday", thu, planned=True)[0] == SAT
    assert span("on Saturday", thu)[0] == date(2023, 12, 9)


def test_next_weekday_is_strictly_after():
    assert span("next Saturday", SAT)[0] == date(2023, 12, 23)


@pytest.mark.parametrize("value", [
    "the Friday before last", "Friday or Saturday", "a week ago on Friday", "Fri",
    "every Friday",
])
def test_weekday_with_other_words_is_refused(value):
    with pytest.raises(DateError):
        resolve_date(value, SAT)


# --- day and month --------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("Friday 15 December", date(2023, 12, 15)),
    ("December 15", date(2023, 12, 15)),
    ("15 December", date(2023, 12, 15)),
    ("15th December", date(2023, 12, 15)),
    ("on the 15th of December", date(2023, 12, 15)),
    ("15 December 2023", date(2023, 12, 15)),
    ("Friday, December 15, 2023", date(2023, 12, 15)),
    ("Dec 15", date(2023, 12, 15)),
    ("16 December", SAT),                  # publication day itself
    ("December 17", date(2022, 12, 17)),   # after publication -> the year before
    ("25 December", date(2022, 12, 25)),
    ("1 March 2019", date(2019, 3, 1)),
])
def test_day_month(value, expected):
    assert span(value, SAT) == (expected, expected, "day")


def test_day_month_planned_is_the_next_one():
    assert span("December 17", SAT, planned=True)[0] == date(2023, 12, 17)
    assert span("January 10", SAT, planned=True)[0] == date(2024, 1, 10)
    assert span("16 December", SAT, planned=True)[0] == SAT


def test_weekday_must_match():
    with pytest.raises(DateError) as err:
        resolve_date("Friday December 14", SAT)
    msg = str(err.value)
    assert "'Friday December 14'" in msg
    assert "2023-12-14 is a Thursday, not a Friday" in msg
    assert "check the day or the weekday" in msg


def test_weekday_checked_after_year_choice():
    # 17 December is after publication, so 2022; 2022-12-17 was a Saturday.
    assert span("Saturday 17 December", SAT)[0] == date(2022, 12, 17)
    with pytest.raises(DateError, match="2022-12-17 is a Saturday, not a Sunday"):
        resolve_date("Sunday 17 December", SAT)


def test_day_that_does_not_exist():
    with pytest.raises(DateError, match="no day 31"):
        resolve_date("31 April", SAT)
    with pytest.raises(DateError, match="no day 29"):
        resolve_date("29 February", date(2023, 12, 1))
    assert span("29 February", date(2024, 3, 1))[0] == date(2024, 2, 29)


# --- weeks, months, years, weekends ---------------------------------------------------

def test_last_week_and_month_across_year_boundary():
    jan = date(2024, 1, 3)   # a Wednesday
    assert span("last week", jan)[:2] == (date(2023, 12, 25), date(2023, 12, 31))
    assert span("last month", jan)[:2] == (date(2023, 12, 1), date(2023, 12, 31))
    assert span("last month", date(2024, 3, 31))[:2] == (date(2024, 2, 1), date(2024, 2, 29))


def test_this_unit_synonyms():
    assert span("so far this year", MON) == (date(2024, 1, 1), MON, "year")
    assert span("earlier this month", MON) == (date(2024, 9, 1), MON, "month")


def test_this_unit_planned_is_the_whole_unit():
    assert span("this week", MON, planned=True)[:2] == (MON, date(2024, 9, 22))
    assert span("this year", MON, planned=True)[:2] == (date(2024, 1, 1), date(2024, 12, 31))
    assert span("next month", MON)[:2] == (date(2024, 10, 1), date(2024, 10, 31))


@pytest.mark.parametrize("published, start, end", [
    (date(2023, 12, 16), date(2023, 12, 16), date(2023, 12, 16)),   # Saturday: clipped
    (date(2023, 12, 17), date(2023, 12, 16), date(2023, 12, 17)),   # Sunday
    (date(2023, 12, 20), date(2023, 12, 16), date(2023, 12, 17)),   # Wednesday
])
def test_weekend_clipped_to_publication(published, start, end):
    for phrase in ("the weekend", "over the weekend", "this weekend"):
        assert span(phrase, published) == (start, end, "week")


def test_last_weekend():
    assert span("last weekend", MON)[:2] == (date(2024, 9, 14), date(2024, 9, 15))
    # Published on a Sunday, "last weekend" is the one before.
    assert span("last weekend", date(2024, 9, 15))[:2] == (date(2024, 9, 7), date(2024, 9, 8))


def test_weekend_planned():
    thu = date(2023, 12, 14)
    assert span("this weekend", thu, planned=True)[:2] == (SAT, date(2023, 12, 17))
    assert span("this weekend", SAT, planned=True)[:2] == (SAT, date(2023, 12, 17))
    assert span("over the weekend", MON, planned=True)[:2] == (date(2024, 9, 21), date(2024, 9, 22))


@pytest.mark.parametrize("value, start, end", [
    ("September", date(2023, 9, 1), date(2023, 9, 30)),
    ("in September", date(2023, 9, 1), date(2023, 9, 30)),
    ("December", date(2023, 12, 1), date(2023, 12, 31)),     # publication month
    ("January", date(2023, 1, 1), date(2023, 1, 31)),
    ("mid-September", date(2023, 9, 1), date(2023, 9, 30)),
    ("by the end of September", date(2023, 9, 1), date(2023, 9, 30)),
    ("September 2021", date(2021, 9, 1), date(2021, 9, 30)),
])
def test_month(value, start, end):
    assert span(value, SAT) == (start, end, "month")


def test_month_after_publication_month_is_last_year():
    assert span("by September", date(2024, 3, 5))[:2] == (date(2023, 9, 1), date(2023, 9, 30))
    assert span("in September", date(2024, 3, 5), planned=True)[:2] == (date(2024, 9, 1), date(2024, 9, 30))
    assert span("in January", SAT, planned=True)[:2] == (date(2024, 1, 1), date(2024, 1, 31))
    assert span("in December", SAT, planned=True)[:2] == (date(2023, 12, 1), date(2023, 12, 31))


def test_since():
    assert span("since January", date(2024, 3, 5)) == (date(2024, 1, 1), date(2024, 3, 5), "month")
    assert span("since September", date(2024, 3, 5))[0] == date(2023, 9, 1)
    assert span("since Saturday", MON) == (date(2024, 9, 14), MON, "day")
    assert span("since 2022-03-01", MON) == (date(2022, 3, 1), MON, "day")
    assert span("since the start of the month", MON)[0] == date(2024, 9, 1)
    with pytest.raises(DateError, match="after publication"):
        resolve_date("since 2025", MON)


# --- refusals -------------------------------------------------------------------------

def test_same_period_is_not_a_date():
    with pytest.raises(DateError) as err:
        resolve_date("the same period of 2022", SAT)
    assert "ISO" in str(err.value)


@pytest.mark.parametrize("value", [
    "a fortnight ago", "for a fortnight", "recently", "the past", "soon", "", "   ",
    "Friday and Saturday", "2023-12-15 to 2023-12-20", "a day after", "15/12/2023",
    "in the past",
])
def test_unrecognised(value):
    with pytest.raises(DateError) as err:
        resolve_date(value, SAT)
    msg = str(err.value)
    assert "neither an ISO date" in msg
    assert "write the date as YYYY-MM-DD" in msg
    assert f"'{value.strip()}'" in msg


def test_date_error_is_value_error():
    assert issubclass(DateError, ValueError)


def test_day_words():
    assert span("tomorrow", SAT, planned=True)[0] == date(2023, 12, 17)
    assert span("last night", MON)[0] == date(2024, 9, 15)
    assert span("Today.", MON)[0] == MON
