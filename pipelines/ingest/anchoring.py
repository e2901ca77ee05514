"""Anchor verbatim quotes in a canonical text.

Only an exact match anchors a quote. When there is none, we look for the passage the
contributor probably meant (first ignoring the usual typing differences: curly versus
straight quotes, dashes, spaces, case; then by longest common run) so the message can show
it and name the characters that differ. The suggestion never anchors anything.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

# Characters people type differently from how articles print them.
_TYPING_VARIANTS = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\t": " ", "\n": " ",
})

_NAMES = {
    "\u2018": "left single quote ‘", "\u2019": "right single quote ’", "'": "straight apostrophe '",
    "\u201c": "left double quote “", "\u201d": "right double quote ”", '"': 'straight double quote "',
    "\u2013": "en dash –", "\u2014": "em dash —", "-": "hyphen -", "\u00a0": "no-break space",
    " ": "space", "\n": "line break",
}


@dataclass(frozen=True)
class Anchor:
    quote: str
    start: int
    end: int


@dataclass(frozen=True)
class AnchorFailure:
    code: str  # quote-not-found, quote-ambiguous, bad-occurrence
    message: str
    hint: str
    excerpt: str = ""


def occurrences(text: str, quote: str) -> list[int]:
    starts, i = [], text.find(quote)
    while i != -1:
        starts.append(i)
        i = text.find(quote, i + 1)
    return starts


def anchor_quote(text: str, quote: str, occurrence: int | None = None) -> Anchor | AnchorFailure:
    if not quote or not quote.strip():
        return AnchorFailure("quote-empty", "the quote is empty", "copy the words from the article")
    # The usual case in one pass instead of count() then find(): the quote occurs once
    # exactly when it is found and not found again after that match (count() does not overlap).
    start = text.find(quote)
    if start != -1 and occurrence in (None, 1) and text.find(quote, start + len(quote)) == -1:
        return Anchor(quote, start, start + len(quote))
    count = text.count(quote)
    if count == 0:
        return _not_found(text, quote)
    starts = occurrences(text, quote)
    if occurrence is None:
        where = "; ".join(f"{n}: …{_context(text, s, len(quote))}…" for n, s in enumerate(starts[:5], 1))
        return AnchorFailure(
            "quote-ambiguous",
            f"the quote occurs {len(starts)} times in the text",
            "add `occurrence: N` (1 = first) or a few more words of context to the quote",
            where,
        )
    if not 1 <= occurrence <= len(starts):
        return AnchorFailure("bad-occurrence", f"occurrence {occurrence} asked for, but the quote occurs {len(starts)} time(s)",
                             f"use a number from 1 to {len(starts)}")
    start = starts[occurrence - 1]
    return Anchor(quote, start, start + len(quote))


def _context(text: str, start: int, length: int, pad: int = 25) -> str:
    return " ".join(text[max(0, start - pad): start + length + pad].split())


def _normalise_with_map(s: str) -> tuple[str, list[int]]:
    """Fold typing variants, collapse runs of spaces and casefold, keeping original positions."""
    out, positions, prev_space = [], [], False
    for i, ch in enumerate(s.translate(_TYPING_VARIANTS)):
        if ch == " ":
            if prev_space:
                continue
            prev_space = True
        else:
            prev_space = False
        out.append(ch.casefold() if len(ch.casefold()) == 1 else ch)
        positions.append(i)
    return "".join(out), positions


def _not_found(text: str, quote: str) -> AnchorFailure:
    norm_text, positions = _normalise_with_map(text)
    norm_quote, _ = _normalise_with_map(quote.strip())
    i = norm_text.find(norm_quote)
    if i != -1:
        start, end = positions[i], positions[i + len(norm_quote) - 1] + 1
        passage = text[start:end]
        return AnchorFailure(
            "quote-not-found",
            "the quote is not in the text exactly; the text has it with different characters: "
            + describe_differences(quote, passage),
            "copy the passage from the article as it is: " + repr(passage),
            passage,
        )
    matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    match = matcher.find_longest_match(0, len(text), 0, len(quote))
    if match.size < max(4, len(quote) // 5):
        return AnchorFailure("quote-not-found", "the quote is not in the text, and nothing like it is",
                             "check that the annotation belongs to this source, and copy the words from the article")
    # Align the quote with a window around that run; the passage spans the matched parts.
    w0 = max(0, match.a - match.b - 10)
    window = text[w0: match.a - match.b + len(quote) + 10]
    blocks = [b for b in difflib.SequenceMatcher(None, window, quote, autojunk=False).get_matching_blocks() if b.size]
    passage = window[blocks[0].a: blocks[-1].a + blocks[-1].size]
    if difflib.SequenceMatcher(None, passage, quote, autojunk=False).ratio() < 0.75:
        return AnchorFailure("quote-not-found", "the quote is not in the text, and nothing close to it is",
                             "check that the annotation belongs to this source, and copy the words from the article")
    return AnchorFailure(
        "quote-not-found",
        "the quote is not in the text; the nearest passage differs: " + describe_differences(quote, passage),
        "copy the passage from the article as it is",
        passage,
    )


def describe_differences(quote: str, passage: str, limit: int = 4) -> str:
    diffs = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, quote, passage, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        theirs, ours = passage[b1:b2], quote[a1:a2]
        diffs.append(f"text has {_name(theirs)} where the quote has {_name(ours)}")
        if len(diffs) == limit:
            break
    return "; ".join(diffs) or "differences in spacing"


def _name(s: str) -> str:
    if not s:
        return "nothing"
    return _NAMES.get(s, repr(s))
