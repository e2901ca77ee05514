"""Find the numbers a text writes and the qualifier cues around them.

This implements the number rules of CONTRIBUTING.md "Evidence": every number in a numeric
field must appear in a supporting quote, as digits or words, and a qualifier other than
`exact` needs its cue in a quote. Stdlib only: the fast checker imports it.

What counts as a number (matched case-insensitively, on whole words: "someone" holds no
"one", "often" no "ten"):
  digits: 28,000 / 28 000 (normal or non-breaking space, groups of exactly 3) / 2.5 /
      8km (glued unit) / 15th / 60% / 2022 (years are numbers too);
  digits or number words followed by hundred, thousand, million, billion: 1.2 million;
  words: zero, one..nineteen, twenty..ninety, compounds (forty-six, forty six),
      two hundred and fifty, five thousand; "a dozen" = 12, "two dozen" = 24,
      "half a dozen" = 6;
  ordinals first..twentieth, thirtieth..ninetieth, twenty-first ("second-highest" = 2);
  multipliers double, twice = 2; triple, treble = 3; half = 0.5.
Not numbers: "a fortnight", "a hundred", "hundreds", "thousands", "dozens" (vague or
easily misread; write the figure as stated). Digits glued after letters ("G7") are skipped.

A mention's text runs from its cue (if any) to the end of the number as written, glued
suffixes included ("8km", "60%", "15th"); a spaced unit ("60 per cent", "300 migrants") is
reported in `unit` but not included in the text. A mention inside a date ("December 15",
"15 March 2024", "2023-12-15", "15/12/2023") or that is a year ("since 2022") is marked
`in_date`: validate does not take it as support for a figure.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

QUALIFIER_CUES: dict[str, tuple[str, ...]] = {
    "about": ("about", "around", "some", "roughly", "approximately", "an estimated",
              "estimated", "circa"),
    "more_than": ("more than", "over", "above", "in excess of", "upwards of"),
    "at_least": ("at least", "no fewer than", "a minimum of"),
    "nearly": ("nearly", "almost", "close to", "just under", "approaching"),
    "less_than": ("less than", "fewer than", "under", "below"),
    "up_to": ("up to", "as many as"),
}

_ONES = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())}
_ORDINALS = {w: i + 1 for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth".split())}
_ORDINALS.update({w[:-1] + "ieth": v for w, v in _TENS.items()})  # twentieth..ninetieth
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_MULTIPLIERS = {"double": 2, "twice": 2, "triple": 3, "treble": 3, "half": 0.5}
# Units worth reporting: the word right after the number (or after one adjective).
_UNITS = set("""people persons person migrants migrant refugees refugee children
    child minors adults men women boys girls boats boat dinghies dinghy vessels vessel
    crossings arrivals deaths dead bodies survivors passengers applications claims returns
    deportations removals centres places beds km kilometres kilometers miles metres meters
    nautical minutes hours days weeks months years euros pounds dollars cases nationals
    families individuals officers""".split())

_TWO_WORD_UNITS = {("asylum", "seekers"), ("asylum", "seeker"), ("nautical", "miles")}
_DIGITS = (r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+(?!\d)"                # 28,000
           r"|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,.]?\d)"        # 28 000
           r"|\d+)(?:\.\d+)?")
_TOKEN = re.compile(rf"(?P<num>{_DIGITS})|(?P<word>[^\W\d_]+)|(?P<pct>%)")
_JOIN = re.compile(r"\s+|\s*-\s*")  # what may separate the words of one number


@dataclass(frozen=True)
class NumberMention:
    start: int           # code-point offsets of the whole mention (cue included) in text
    end: int
    text: str            # the mention as written, e.g. "more than 28,000"
    value: float
    qualifier: str       # "exact" or a QUALIFIER_CUES key
    unit: str | None     # the informative word after the number, e.g. "people", "per cent"
    in_date: bool = False  # part of a date ("December 15", "15/12/2023", "since 2022"): not a count


def _cue_pattern(cue: str) -> str:
    return r"(?<!\w)" + r"\s+".join(map(re.escape, cue.split())) + r"(?!\w)"


# Compiled once: find_cue runs for every qualified figure (benchmarks/RESULTS.md).
_CUE_PATTERNS = {q: [re.compile(_cue_pattern(cue), re.IGNORECASE) for cue in cues]
                 for q, cues in QUALIFIER_CUES.items()}


def find_cue(qualifier: str, text: str) -> str | None:
    """The first cue for `qualifier` in `text` as written, "" for "exact", else None."""
    if qualifier == "exact":
        return ""
    if qualifier not in QUALIFIER_CUES:
        raise ValueError(f"unknown qualifier {qualifier!r}; use exact or one of "
                         + ", ".join(QUALIFIER_CUES))
    hits = [m for pattern in _CUE_PATTERNS[qualifier] for m in pattern.finditer(text)]
    if not hits:
        return None
    best = min(hits, key=lambda m: (m.start(), -m.end()))  # earliest, then longest
    return best.group(0)


class _Scanner:
    """Walks the tokens of a text and yields (start, end, value, unit) per number."""

    def __init__(self, text: str):
        self.text = text
        # One tuple per token of every quote validate reads: the fewest calls per token.
        self.toks = [(m.lastgroup, *m.span(), m[0].lower()) for m in _TOKEN.finditer(text)]

    def word(self, i: int, joined: bool = True) -> str | None:
        """Token i's lower-case word, if it is a word (and, if `joined`, separated from the
        previous token only by spaces or a hyphen, so it can continue a number)."""
        if i >= len(self.toks) or self.toks[i][0] != "word":
            return None
        if joined and not _JOIN.fullmatch(self.text[self.toks[i - 1][2]:self.toks[i][1]]):
            return None
        return self.toks[i][3]

    def glued(self, i: int) -> bool:
        return i < len(self.toks) and self.toks[i][1] == self.toks[i - 1][2]

    def _small(self, i: int, first: bool = True) -> tuple[float, int, bool] | None:
        """one..ninety-nine at token i: (value, next index, is ordinal)."""
        w = self.word(i, joined=not first)
        if w in _TENS:
            nxt = self.word(i + 1)
            if nxt in _ONES and 0 < _ONES[nxt] < 10:
                return _TENS[w] + _ONES[nxt], i + 2, False
            if nxt in _ORDINALS and _ORDINALS[nxt] < 10:  # twenty-first
                return _TENS[w] + _ORDINALS[nxt], i + 2, True
            return _TENS[w], i + 1, False
        if w in _ONES:
            return _ONES[w], i + 1, False
        return None

    def _group(self, i: int, first: bool) -> tuple[float, int, bool] | None:
        """A number below a thousand in words: small [hundred [and small]]."""
        got = self._small(i, first)
        if got is None or got[2]:
            return got
        value, i, _ = got
        if self.word(i) == "hundred":
            value, i = value * 100, i + 1
            j = i + 1 if self.word(i) == "and" else i
            more = self._small(j, first=False)
            if more and not more[2]:
                value, i = value + more[0], more[1]
        return value, i, False

    def _scale(self, value: float, i: int) -> tuple[float, int]:
        """Apply hundred / thousand / million ... after a number: '1.2 million'."""
        total, last = 0.0, float("inf")
        while True:
            w = self.word(i)
            if w == "hundred" and value < 100 and last == float("inf"):
                value, i = value * 100, i + 1
                continue
            if w not in _SCALES or _SCALES[w] >= last:
                return total + value, i
            total, last, i = total + value * _SCALES[w], _SCALES[w], i + 1
            j = i + 1 if self.word(i) == "and" else i
            more = self._group(j, first=False)
            if more is None or more[2]:
                return total, i
            value, i = more[0], more[1]

    def numbers(self):
        i = 0
        while i < len(self.toks):
            kind, start, end, low = self.toks[i]
            got = None
            if kind == "num" and not (i and self.glued(i) and self.toks[i - 1][0] == "word"):
                got = self._digits(i)
            elif kind == "word" and low in _NUMBER_STARTS:  # most words cannot start a number: skip them fast
                got = self._words(i, low)
            if got is None:
                i += 1
                continue
            value, j, ordinal = got
            end, unit = self.toks[j - 1][2], None
            if j < len(self.toks) and self.glued(j):  # 8km, 60%, 15th: part of the number
                suffix = self.toks[j][3]
                if suffix == "%":
                    unit = "per cent"
                elif suffix not in ("st", "nd", "rd", "th"):
                    unit = suffix
                end, j = self.toks[j][2], j + 1
            elif not ordinal:
                unit = self._unit(j)
            yield start, end, float(round(value, 6)), unit  # 4.35 million: 4350000, not ...9.99
            i = j

    def _digits(self, i: int):
        raw = _SEPARATORS.sub("", self.toks[i][3])
        value, j = self._scale(float(raw), i + 1)
        return value, j, False

    def _words(self, i: int, low: str):
        if low == "a" and self.word(i + 1) == "dozen":
            return 12.0, i + 2, False
        if low == "half" and self.word(i + 1) == "a" and self.word(i + 2) == "dozen":
            return 6.0, i + 3, False
        if low in _MULTIPLIERS:
            return float(_MULTIPLIERS[low]), i + 1, True
        if low in _ORDINALS:
            return float(_ORDINALS[low]), i + 1, True
        got = self._group(i, first=True)
        if got is None:
            return None
        value, j, ordinal = got
        if ordinal:
            return value, j, True
        if self.word(j) == "dozen":
            return value * 12, j + 1, False
        value, j = self._scale(value, j)
        return value, j, False

    def _unit(self, j: int) -> str | None:
        """The informative word after a number: '60 per cent', '300 migrants',
        'seven small boats' (one adjective skipped); None when there is none."""
        if j < len(self.toks) and self.toks[j][0] == "pct" and \
                _JOIN.fullmatch(self.text[self.toks[j - 1][2]:self.toks[j][1]]):
            return "per cent"  # "60 %"
        first, second = self.word(j), self.word(j + 1)
        if first == "percent" or (first, second) == ("per", "cent"):
            return "per cent"
        if (first, second) in _TWO_WORD_UNITS:
            return f"{first} {second}"
        if first in _UNITS:
            return first
        if first and first not in _STOP and second in _UNITS:
            return second
        return None


# Every word _words() can start a number with; any other word yields nothing there.
_NUMBER_STARTS = frozenset({"a", "half", *_MULTIPLIERS, *_ORDINALS, *_ONES, *_TENS})
_SEPARATORS = re.compile(r"[,\s\u00a0\u202f]")

_STOP = {"the", "a", "an", "of", "for", "in", "on", "at", "to", "and", "or", "than", "by",
         "from", "with", "who", "which", "that", "were", "was", "have", "had", "are"}


def numbers_in(text: str) -> set[float]:
    """Every number the text writes, as floats (see the module doc for what counts)."""
    return {value for _, _, value, _ in _Scanner(text).numbers()}


# One pattern for all cues, longest first so that the alternation prefers "an estimated"
# over a shorter cue starting at the same place; group names are "<qualifier>_<n>".
_ANY_CUE = re.compile("|".join(
    f"(?P<{q}_{n}>{_cue_pattern(c)})" for n, (q, c) in enumerate(sorted(
        ((q, c) for q, cues in QUALIFIER_CUES.items() for c in cues),
        key=lambda qc: -len(qc[1])))), re.IGNORECASE)


def number_mentions(text: str) -> list[NumberMention]:
    """Every number in `text` with the cue just before it (within the 3 words before the
    number, with no other number and no punctuation in between), the unit after it, and
    whether it is part of a date (see date_spans and _is_year)."""
    return list(mentions_in(text))


@functools.lru_cache(maxsize=256)
def mentions_in(text: str) -> tuple[NumberMention, ...]:
    """number_mentions, remembered: validate reads the mentions of a record's quotes once for
    its numbers and qualifiers and again for the sign of a change."""
    mentions, floor = [], 0
    for start, end, value, unit in _Scanner(text).numbers():
        qualifier, begin = "exact", start
        # Most numbers have no cue word just before them: then no window need be measured.
        if _CUE_START.search(text, max(floor, start - 60), start):
            best = None
            for m in _cue_matches(text, _window(text, floor, start), start):
                # the cue closest to the number wins; on a tie the longer ("just under" > "under")
                if best is None or (m.end(), -m.start()) > (best.end(), -best.start()):
                    best = m
            if best is not None:
                qualifier, begin = best.lastgroup.rsplit("_", 1)[0], best.start()
        in_date = False
        if text[start].isdigit() and (value <= 31 or end - start == 4):  # a day, a month or a year
            in_date = _in_date(text, start, end) or _is_year(text, start, end, value, unit)
        mentions.append(NumberMention(begin, end, text[begin:end], value, qualifier, unit, in_date))
        floor = end
    return tuple(sorted(mentions, key=lambda n: n.start))


# Dates written with a month name or in figures. Month names are matched with their capital
# ("May 15", not "may 15"); a day may carry its ordinal suffix ("15th of December").
_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
          r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATES = re.compile(
    rf"(?<![\w.,]){_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?(?!\w)"       # 15 December (2023)
    rf"|(?<!\w){_MONTH}\s+{_DAY}(?:,?\s+\d{{4}})?(?![\w,.]?\d)"            # December 15(, 2023)
    rf"|(?<!\w){_MONTH}\s+\d{{4}}(?!\w)"                                       # December 2023
    r"|(?<![\w.,])\d{4}-\d{1,2}-\d{1,2}(?!\w)"                                # 2023-12-15
    r"|(?<![\w.,])\d{1,2}[/.]\d{1,2}[/.]\d{2,4}(?!\w)")                      # 15/12/2023
# Words after which a four-figure number is a year even before a unit: "since 2022 arrivals".
_YEAR_LEADS = frozenset("""in since of by from until till before after during between year
    early late mid end start summer winter spring autumn""".split())


def date_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every date the text writes with a month name or in figures."""
    return [m.span() for m in _DATES.finditer(text)]


# What every date _DATES matches holds: a month name's first three letters, or a digit, a
# separator and a digit ("2023-12", "15/12", "15.12"). Where none is, no date is: the
# slower search for one is skipped (most numbers near which _in_date looks).
_DATE_HINT = re.compile(r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|\d[-/.]\d")


def _in_date(text: str, start: int, end: int) -> bool:
    """True if text[start:end] is inside a date. A date is at most about 25 characters long
    ("Wednesday" is not part of it): only the text around the number is searched."""
    window = max(0, start - 30), min(len(text), end + 30)
    if not _DATE_HINT.search(text, *window):
        return False
    return any(m.start() <= start and end <= m.end() for m in _DATES.finditer(text, *window))


def date_around(text: str, mention: NumberMention) -> str:
    """The date a mention is part of, as written ("Friday December 15" gives "December 15";
    a year, with the word before it: "since 2022")."""
    for start, end in date_spans(text):
        if start <= mention.start and mention.end <= end:
            return text[start:end]
    before = _WORD_BEFORE.search(text[max(0, mention.start - 20):mention.start])
    return (before.group(0) if before else "") + text[mention.start:mention.end]


def _is_year(text: str, start: int, end: int, value: float, unit: str | None) -> bool:
    """A plain four-figure number from 1900 to 2100 is a year unless a unit follows it
    ("2023 migrants"), or when a word such as "in" or "since" comes just before it."""
    if not (end - start == 4 and text[start:end].isdigit() and 1900 <= value <= 2100):
        return False
    before = _WORD_BEFORE.search(text[max(0, start - 20):start])
    return unit is None or (before is not None and before.group(1).lower() in _YEAR_LEADS)


_WORD_BEFORE = re.compile(r"([^\W\d_]+)[\s-]*$")  # the word just before a number, and the gap after it


_LETTERS = re.compile(r"[^\W\d_]+")
_CUE_GAP = re.compile(r"[\s\-£€$]*")  # what may stand between a cue's words and its number


def _window(text: str, floor: int, start: int) -> int:
    """Where the 3 words before `start` begin, stopping at punctuation or `floor`."""
    # Three words and their gaps fit in 100 characters: the text before them need not be
    # scanned (validate finds the mentions of every quote; scanning from the previous number
    # was slow). A word cut at the edge is dropped ("moreover" must not read as "over").
    cut = start - 100 > floor
    floor = max(floor, start - 100)
    words = list(_LETTERS.finditer(text, floor, start))
    if cut and words and words[0].start() == floor:
        words = words[1:]
    words = words[-3:]
    begin = start
    for m in reversed(words):
        gap = text[m.end():begin]
        if not _CUE_GAP.fullmatch(gap):  # "more than £300" keeps its cue
            break
        begin = m.start()
    return begin


_CUE_START = re.compile(r"(?<!\w)(?:" + "|".join(sorted({re.escape(c.split()[0]) for cues in QUALIFIER_CUES.values()
                                                          for c in cues})) + r")(?!\w)", re.IGNORECASE)


def _cue_matches(text: str, window: int, start: int):
    """Cues that begin inside the window and end before the number. Cues overlap ("under"
    inside "just under"), so every word in the window is tried (a cue starts with a word)."""
    for word in _LETTERS.finditer(text, window, start):
        m = _ANY_CUE.match(text, word.start(), start)
        if m:
            yield m
