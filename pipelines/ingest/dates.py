"""Resolve the date values of annotations: ISO dates, partial ISO dates and date phrases.

This implements the "Dates" table of CONTRIBUTING.md. Stdlib only: the fast checker
(`borderlines validate`) imports it. Every value resolves to an inclusive span
[start, end] with a precision; callers take `start` for start dates and single dates,
`end` for end dates, and check "after publication" themselves (they know whether the
record is planned).

ISO values
  YYYY-MM-DD -> that day (day); YYYY-MM -> the whole month (month); YYYY -> the whole year
  (year). An impossible date (2024-04-31, 2023-13-01) is a DateError.

Phrases (case-insensitive; surrounding whitespace and punctuation and the leading words
"on", "in", "the", "by", "over (the)", "during (the)" are ignored; "Saturday's" counts
as "Saturday"). `published` is the publication date (P).
  today, this morning/afternoon/evening, tonight -> P            yesterday, last night -> P-1
  tomorrow -> P+1
  <weekday>, also with "early hours of", "morning", "night", "late on" ... -> the nearest
      such day on or before P (0..6 days back); planned: on or after P (0..6 forward).
      "last <weekday>" is strictly before P (1..7 back); "next <weekday>" strictly after.
      Only those time-of-day words may surround the weekday, so that "the Friday before
      last" is refused rather than silently misread.
  [weekday] 15 December / December 15 / 15th of December [2023] -> that day, in P's year,
      or the year before if that day is after P; planned: the next one on or after P.
      A stated weekday must match the date.
  this week / this month / this year (also "earlier this ...", "so far this ...") -> from
      the Monday / 1st / 1 January to P; planned: the whole week / month / year.
  last week / last month / last year -> the whole previous one.
  next week / next month / next year -> the whole next one.
  weekend, this weekend, over the weekend -> the latest Saturday on or before P and the
      following Sunday, clipped to P; planned: the next Saturday and Sunday (from P if P is
      a Sunday). "last weekend" is the latest weekend that ended before P.
  September, by/in September, early/mid/late September, end of September [2023] -> that
      month, in P's year if not after P's month, else the year before; planned: the next
      one (this month counts).
  since X (X any phrase above or ISO; "since the start/beginning of the year/month/week")
      -> from the start of X to P, with X's precision.
  "the same period of 2022" is refused: it is relative to another period, so write ISO.

Precision is the unit the phrase names ("this year" -> year, "since January" -> month,
"since 2022" -> year, a weekend -> week), even when the span is clipped at publication.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

# The years a date may have (published_date and every date of an annotation): nothing
# outside is a date anyone means, and counting from year 1 or 9999 overflows.
FIRST_YEAR, LAST_YEAR = 1900, 2100
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july",
                "august", "september", "october", "november", "december")
MONTHS = {name: i + 1 for i, name in enumerate(_MONTH_NAMES)}
MONTHS.update({name[:3]: i + 1 for i, name in enumerate(_MONTH_NAMES)}, sept=9)

_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_ISO_SHAPE = re.compile(r"\d{4}-\d{1,2}(?:-\d{1,2})?")  # looks like ISO, may be impossible
_EDGE = " \t\r\n\u00a0\u202f.,;:!?\"'“”‘’()[]"
_PREFIXES = ("over the ", "during the ", "on ", "in ", "the ", "by ", "over ", "during ")
# Words allowed around a lone weekday: times of day only, so nothing can shift the date.
_WEEKDAY_FILLERS = {"early", "late", "hours", "of", "morning", "afternoon", "evening",
                    "night", "overnight", "midday", "noon", "on", "the", "at", "in", "this"}
_MON = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
_WD = "(" + "|".join(WEEKDAYS) + ")"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_DAY_MONTH = re.compile(rf"(?:{_WD} )?(?:the )?{_DAY} (?:of )?{_MON}(?: (\d{{4}}))?")
_MONTH_DAY = re.compile(rf"(?:{_WD} )?{_MON} (?:the )?{_DAY}(?: (\d{{4}}))?")
_MONTH = re.compile(rf"(?:(?:early|mid|late|end of|start of|beginning of) )?{_MON}(?: (\d{{4}}))?")
_DAY_WORDS = {"today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0,
              "this evening": 0, "yesterday": -1, "last night": -1, "tomorrow": 1}
_PRECISION_WORD = {"day": "that day", "month": "the whole month", "year": "the whole year"}
_UNKNOWN = ("'{v}' is neither an ISO date (YYYY-MM-DD) nor a date phrase the checker knows "
            "(on Saturday, Friday December 15, this year, last month, by September, "
            "since 2022, ...); write the date as YYYY-MM-DD")


@dataclass(frozen=True)
class ResolvedDate:
    start: date          # first day of the span the value denotes
    end: date            # last day (inclusive)
    precision: str       # "day" | "week" | "month" | "year": the unit the value names
    phrase: str | None   # the phrase as written, None for ISO input
    rule: str            # one line: how it was resolved


class DateError(ValueError):
    """str(err) is a full sentence for a contributor: what is wrong and what to write instead."""


def _iso_span(s: str) -> tuple[date, date, str] | None:
    """The span of a well-formed ISO (partial) date; None if `s` is not ISO-shaped.
    Raises ValueError (from `date`) when it is shaped right but impossible."""
    m = _ISO.fullmatch(s)
    if not m:
        return None
    y, mo, d = (int(g) if g else None for g in m.groups())
    if d is not None:
        return date(y, mo, d), date(y, mo, d), "day"
    if mo is not None:
        return date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1]), "month"
    return date(y, 1, 1), date(y, 12, 31), "year"


def is_iso_date(value: str) -> bool:
    """True for a real 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY' (a date object also counts)."""
    if isinstance(value, date):  # YAML turns unquoted 2023-12-15 into a date
        return True
    try:
        return isinstance(value, str) and _iso_span(value) is not None
    except ValueError:
        return False


def _impossible(v: str, s: str) -> DateError:
    parts = [int(p) for p in s.split("-")]
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        why = f"there is no month {parts[1]}"
    elif len(parts) == 3 and 1 <= parts[0]:
        last = calendar.monthrange(parts[0], parts[1])[1]
        why = f"{_MONTH_NAMES[parts[1] - 1].title()} {parts[0]} has {last} days"
    else:
        why = "the year, month or day is out of range"
    return DateError(f"'{v}' is not a real date: {why}; check it and write it as YYYY-MM-DD")


def _fmt(start: date, end: date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()}..{end.isoformat()}"


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


# Memoised: a corpus repeats the same few phrases ("this year", "on Saturday") against the
# same publication date, period_start and period_end usually share one, and the result
# (a frozen dataclass) depends on nothing else. Errors are not cached: they raise again.
@functools.lru_cache(maxsize=8192)
def resolve_date(value: str, published: date, *, planned: bool = False) -> ResolvedDate:
    """Resolve an ISO date or a date phrase against the publication date (see module doc)."""
    if isinstance(value, date):
        value = value.isoformat()
    shown = str(value).strip()
    if is_iso_date(shown):
        start, end, precision = _iso_span(shown)
        why = _PRECISION_WORD[precision]
        return ResolvedDate(start, end, precision, None, f"'{shown}' -> {_fmt(start, end)}: {why} (ISO)")
    s = _normalise(shown)
    try:
        start, end, precision, why = _resolve(s, shown, published, planned)
    except DateError:
        raise
    except (OverflowError, ValueError):  # counted from a publication date near year 1 or 9999
        raise DateError(f"'{shown}' resolves to a date out of range from the publication date "
                        f"{published.isoformat()}; check the publication date, or write the date as YYYY-MM-DD") from None
    rule = f"'{shown}' -> {_fmt(start, end)}: {why}"
    return ResolvedDate(start, end, precision, shown, rule)


# The patterns of the phrases, compiled once (resolve_date runs for every date of a corpus).
_SPACES = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"['’]s\b")
_PUNCTUATION = re.compile(r",|(?<=[a-z])[.\-–]")
_THIS_LAST_NEXT = re.compile(r"(?:(?:earlier|so far) )?(this|last|next) (week|month|year)")
_WEEKEND = re.compile(r"(this |last )?weekend")


# Remembered: a corpus writes a few hundred phrases, each against many publication dates.
@functools.lru_cache(maxsize=4096)
def _normalise(shown: str) -> str:
    s = _SPACES.sub(" ", shown.strip(_EDGE).lower().replace("\u00a0", " "))
    changed = True
    while changed:  # "over the weekend", "on the 15th", "in the early hours of Friday"
        changed = False
        for p in _PREFIXES:
            if s.startswith(p):
                s, changed = s[len(p):], True
    return s


@functools.lru_cache(maxsize=4096)
def _phrase_words(s: str) -> str:
    """Phrase words only: "saturday's" -> "saturday", "mid-september" -> "mid september"."""
    s = _POSSESSIVE.sub("", s)
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", s)).strip()


def _resolve(s: str, v: str, pub: date, planned: bool) -> tuple[date, date, str, str]:
    """(start, end, precision, reason) for a normalised phrase `s` (`v` is as written)."""
    if _ISO_SHAPE.fullmatch(s) and not _ISO.fullmatch(s):
        raise DateError(f"'{v}' is not written as YYYY-MM-DD; give the month and day two digits "
                        "each (2023-12-05)")
    if _ISO.fullmatch(s):  # "in 2022", "in 2023-12", or an impossible date
        try:
            start, end, precision = _iso_span(s)
        except ValueError:
            raise _impossible(v, s) from None
        return start, end, precision, f"{_PRECISION_WORD[precision]} (ISO)"
    if "same period" in s:
        raise DateError(f"'{v}' is relative to another period, so the checker cannot resolve it; "
                        "write its start and end as ISO dates (YYYY-MM-DD)")
    # Phrase words only from here: "Saturday's" -> "saturday", "mid-September" -> "mid september".
    s = _phrase_words(s)
    if s.startswith(("since ", "ever since ")):
        return _since(s.split("since ", 1)[1], v, pub)

    if s in _DAY_WORDS:
        d = pub + timedelta(days=_DAY_WORDS[s])
        why = {0: "the publication date", -1: "the day before publication"}.get(
            _DAY_WORDS[s], "the day after publication")
        return d, d, "day", f"{why} ({pub.isoformat()})"
    m = _THIS_LAST_NEXT.fullmatch(s)
    if m:
        return _this_last_next(m.group(1), m.group(2), pub, planned)
    m = _WEEKEND.fullmatch(s)
    if m:
        return _weekend((m.group(1) or "").strip(), pub, planned)
    m = _DAY_MONTH.fullmatch(s)
    if m:
        return _day_month(m.group(1), int(m.group(2)), MONTHS[m.group(3)], m.group(4), v, pub, planned)
    m = _MONTH_DAY.fullmatch(s)
    if m:
        return _day_month(m.group(1), int(m.group(3)), MONTHS[m.group(2)], m.group(4), v, pub, planned)
    m = _MONTH.fullmatch(s)
    if m:
        return _month(MONTHS[m.group(1)], m.group(2), pub, planned)
    words = s.split()
    named = [w for w in words if w in WEEKDAYS]
    if len(named) == 1 and all(w in WEEKDAYS or w in _WEEKDAY_FILLERS or w in ("last", "next")
                               for w in words):
        return _weekday(WEEKDAYS.index(named[0]), words, v, pub, planned)
    raise DateError(_UNKNOWN.format(v=v))


def _this_last_next(which: str, unit: str, pub: date, planned: bool):
    if unit == "week":
        monday = pub - timedelta(days=pub.weekday())
        first = monday + timedelta(weeks={"this": 0, "last": -1, "next": 1}[which])
        last = first + timedelta(days=6)
    elif unit == "month":
        first = pub.replace(day=1)
        if which == "last":
            first = (first - timedelta(days=1)).replace(day=1)
        elif which == "next":
            first = (first + timedelta(days=31)).replace(day=1)
        last = _month_end(first.year, first.month)
    else:
        year = pub.year + {"this": 0, "last": -1, "next": 1}[which]
        first, last = date(year, 1, 1), date(year, 12, 31)
    if which == "this" and not planned:
        # Something that has happened "this year" happened between 1 January and publication.
        return first, pub, unit, f"from the start of the {unit} to publication ({pub.isoformat()})"
    if which == "this":
        return first, last, unit, f"the whole {unit} of publication (planned)"
    which = "previous" if which == "last" else which
    return first, last, unit, f"the whole {which} {unit} (publication {pub.isoformat()})"


def _weekend(which: str, pub: date, planned: bool):
    saturday = pub - timedelta(days=(pub.weekday() - 5) % 7)  # latest Saturday on or before pub
    if which == "last":
        if pub.weekday() >= 5:  # on a weekend, "last weekend" is the one before
            saturday -= timedelta(weeks=1)
        why = f"the latest weekend that ended before publication ({pub.isoformat()})"
    elif planned:
        if pub.weekday() == 6:
            return pub, pub, "week", f"the rest of the weekend from publication ({pub.isoformat()})"
        saturday = pub + timedelta(days=(5 - pub.weekday()) % 7)
        why = f"the next Saturday and Sunday on or after publication ({pub.isoformat()})"
    else:
        why = f"the latest Saturday on or before publication ({pub.isoformat()}) and the Sunday after"
    sunday = saturday + timedelta(days=1)
    return saturday, sunday if planned else min(sunday, pub), "week", why


def _day_month(wd: str | None, d: int, mo: int, year: str | None, v: str, pub: date, planned: bool):
    if year:
        years, why = [int(year)], "the day and year stated"
    elif planned:
        years, why = [pub.year, pub.year + 1], "the next such day on or after publication"
    else:
        years, why = [pub.year, pub.year - 1], "the latest such day on or before publication"
    found = None
    for y in years:
        try:
            found = date(y, mo, d)
        except ValueError:
            continue
        if year or (found >= pub if planned else found <= pub):
            break
    if found is None:
        raise DateError(f"'{v}': {_MONTH_NAMES[mo - 1].title()} has no day {d} in "
                        f"{' or '.join(map(str, years))}; check the day and write it as YYYY-MM-DD")
    if wd and found.weekday() != WEEKDAYS.index(wd):
        raise DateError(f"'{v}': {found.isoformat()} is a {WEEKDAYS[found.weekday()].title()}, "
                        f"not a {wd.title()}; check the day or the weekday")
    return found, found, "day", f"{why} ({pub.isoformat()})"


def _month(mo: int, year: str | None, pub: date, planned: bool):
    if year:
        y, why = int(year), "the month and year stated"
    elif planned:
        y = pub.year if mo >= pub.month else pub.year + 1
        why = "the next such month (this month counts)"
    else:
        y = pub.year if mo <= pub.month else pub.year - 1
        why = "the latest such month not after publication"
    return date(y, mo, 1), _month_end(y, mo), "month", f"{why} ({pub.isoformat()})"


def _weekday(wd: int, words: list[str], v: str, pub: date, planned: bool):
    name = WEEKDAYS[wd].title()
    back = (pub.weekday() - wd) % 7
    ahead = (wd - pub.weekday()) % 7
    if "last" in words and "next" in words:
        raise DateError(_UNKNOWN.format(v=v))
    if "last" in words:
        d, why = pub - timedelta(days=back or 7), f"the latest {name} before publication"
    elif "next" in words:
        d, why = pub + timedelta(days=ahead or 7), f"the first {name} after publication"
    elif planned:
        d, why = pub + timedelta(days=ahead), f"the nearest {name} on or after publication"
    else:
        d, why = pub - timedelta(days=back), f"the nearest {name} on or before publication"
    return d, d, "day", f"{why} ({pub.isoformat()})"


def _since(rest: str, v: str, pub: date):
    # "since the start of the year" -> the start of "this year"; "since the start of 2022" -> 2022.
    inner = re.sub(r"^(?:the )?(?:start|beginning) of (?:the )?", "", rest)
    inner = {"year": "this year", "month": "this month", "week": "this week"}.get(inner, inner)
    inner = _normalise(inner)
    if not inner:
        raise DateError(_UNKNOWN.format(v=v))
    start, _, precision, _ = _resolve(inner, v, pub, False)
    if start > pub:
        raise DateError(f"'{v}' starts on {start.isoformat()}, after publication "
                        f"({pub.isoformat()}); check the phrase or write ISO dates")
    return start, pub, precision, f"from the start of '{inner}' to publication ({pub.isoformat()})"
