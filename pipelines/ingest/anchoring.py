"""Anchor verbatim quotes in a canonical text.

Only an exact match anchors a quote. When there is none, we look for the passage the
contributor probably meant (first ignoring the usual typing differences: curly versus
straight quotes, dashes, spaces, case; then by longest common run) so the message can show
it and name the characters that differ. The suggestion never anchors anything.
"""

from __future__ import annotations

import difflib
import functools
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


# --- the nearest passage, in bounded time ----------------------------------------------------
# difflib's longest common run costs about len(a) * len(b) / (alphabet size), and its
# matching blocks that once per block: 2 s for a 1 KB quote in a 200 KB article, a minute for
# 3 KB. Below _EXACT_BUDGET (len(text) * len(quote), to locate) and _ALIGN_BUDGET (len(passage)
# * len(quote), to align) difflib runs as it always did, which covers ordinary quotes (a
# sentence, up to about 1,000 characters) in ordinary articles. Above them:
# - the passage is located by votes of the quote's 8-character pieces for where the quote
#   would start in the text (a few hundred str.find calls), not by a full comparison;
# - the quote is aligned with that passage chunk by chunk (_CHUNK characters at a time, after
#   taking off the common start and end), so the cost grows with the quote's length, not
#   with its square.
_EXACT_BUDGET = 10_000_000
_ALIGN_BUDGET = 1_000_000
_GRAM = 8
_GRAM_SAMPLES = 256  # pieces of the quote looked up in the text
_GRAM_MAX_HITS = 16  # a piece found more often than this says nothing about where the quote is
_CHUNK = 400


@functools.lru_cache(maxsize=2)
def _normalised_text(text: str) -> tuple[str, list[int]]:
    """The article's folded text, once per article for all its quotes that do not match."""
    return _normalise_with_map(text)


def _not_found(text: str, quote: str) -> AnchorFailure:
    norm_text, positions = _normalised_text(text)
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
    nothing = AnchorFailure("quote-not-found", "the quote is not in the text, and nothing like it is",
                            "check that the annotation belongs to this source, and copy the words from the article")
    diagonal = _nearest_diagonal(text, quote)
    if diagonal is None:
        return nothing
    # Align the quote with a window around that place; the passage spans the matched parts.
    w0 = max(0, diagonal - 10)
    window = text[w0: max(0, diagonal + len(quote) + 10)]
    blocks = _matching_blocks(window, quote)
    if not blocks or max(b[2] for b in blocks) < _min_run(quote):
        return nothing
    passage = window[blocks[0][0]: blocks[-1][0] + blocks[-1][2]]
    if _ratio(passage, quote) < 0.75:
        return AnchorFailure("quote-not-found", "the quote is not in the text, and nothing close to it is",
                             "check that the annotation belongs to this source, and copy the words from the article")
    return AnchorFailure(
        "quote-not-found",
        "the quote is not in the text; the nearest passage differs: " + describe_differences(quote, passage),
        "copy the passage from the article as it is",
        passage,
    )


def _min_run(quote: str) -> int:
    """The longest common run that makes a passage a candidate: a fifth of the quote, but
    64 characters are enough for a long quote (the ratio test then decides)."""
    return max(4, min(len(quote) // 5, 64))


def _nearest_diagonal(text: str, quote: str) -> int | None:
    """Where in the text the quote would start (text index of quote[0]), None if nowhere."""
    if len(text) * len(quote) <= _EXACT_BUDGET:
        match = difflib.SequenceMatcher(None, text, quote, autojunk=False).find_longest_match(
            0, len(text), 0, len(quote))
        return match.a - match.b if match.size >= _min_run(quote) else None
    votes: dict[int, list[int]] = {}
    step = max(1, (len(quote) - _GRAM) // _GRAM_SAMPLES)
    for q in range(0, max(1, len(quote) - _GRAM + 1), step):
        gram = quote[q: q + _GRAM]
        hits, at = [], text.find(gram)
        while at != -1 and len(hits) <= _GRAM_MAX_HITS:
            hits.append(at)
            at = text.find(gram, at + 1)
        if len(hits) > _GRAM_MAX_HITS:
            continue
        for at in hits:  # a few inserted or deleted characters keep a piece in its band
            votes.setdefault((at - q) // 64, []).append(at - q)
    if not votes:
        return None

    def score(band: int) -> int:
        return sum(len(votes.get(b, ())) for b in (band - 1, band, band + 1))

    best = max(votes, key=lambda band: (score(band), -band))
    # the exact start most pieces of that band agree on (pieces after an insertion vote one off)
    counts: dict[int, int] = {}
    for band in (best - 1, best, best + 1):
        for diagonal in votes.get(band, ()):
            counts[diagonal] = counts.get(diagonal, 0) + 1
    return max(counts, key=lambda diagonal: (counts[diagonal], -diagonal))


def _matching_blocks(a: str, b: str) -> list[tuple[int, int, int]]:
    """difflib's matching blocks of a and b (without the final empty one); bounded above
    _ALIGN_BUDGET by taking off the common start and end and aligning the rest by chunks."""
    if len(a) * len(b) <= _ALIGN_BUDGET:
        return [tuple(m) for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks() if m.size]
    head = _common_prefix(a, b)
    tail = _common_prefix(a[head:][::-1], b[head:][::-1])
    blocks = [(0, 0, head)] if head else []
    i, j, a_end, b_end = head, head, len(a) - tail, len(b) - tail
    while i < a_end and j < b_end:
        last_chunk = (a_end - i) * (b_end - j) <= _ALIGN_BUDGET  # the rest in one go
        if last_chunk:
            a_part, b_part = a[i:a_end], b[j:b_end]
        else:
            a_part, b_part = a[i: min(a_end, i + _CHUNK + _CHUNK // 2)], b[j: min(b_end, j + _CHUNK)]
        found = [m for m in difflib.SequenceMatcher(None, a_part, b_part, autojunk=False).get_matching_blocks()
                 if m.size]
        if not last_chunk:  # the chunk's last blocks may belong further on: keep its first half
            kept = [m for m in found if m.b + m.size <= len(b_part) // 2] or found[:1]
            found = kept
        if not found:  # nothing in common here: skip this stretch of the quote
            j += len(b_part)
            continue
        blocks.extend((i + m.a, j + m.b, m.size) for m in found)
        i, j = i + found[-1].a + found[-1].size, j + found[-1].b + found[-1].size
        if last_chunk:
            break
    if tail:
        blocks.append((a_end, b_end, tail))
    merged: list[tuple[int, int, int]] = []
    for block in blocks:
        if merged and merged[-1][0] + merged[-1][2] == block[0] and merged[-1][1] + merged[-1][2] == block[1]:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + block[2])
        elif not merged or (block[0] >= merged[-1][0] + merged[-1][2] and block[1] >= merged[-1][1] + merged[-1][2]):
            merged.append(block)
    return merged


def _common_prefix(a: str, b: str) -> int:
    """Length of the common start of a and b, by halving (slices compare at C speed)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _ratio(a: str, b: str) -> float:
    """difflib's ratio(), through _matching_blocks."""
    if not a and not b:
        return 1.0
    return 2.0 * sum(size for _, _, size in _matching_blocks(a, b)) / (len(a) + len(b))


def _opcodes(a: str, b: str) -> list[tuple[str, int, int, int, int]]:
    """difflib's get_opcodes(), through _matching_blocks."""
    if len(a) * len(b) <= _ALIGN_BUDGET:
        return difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    out, i, j = [], 0, 0
    for ai, bj, size in [*_matching_blocks(a, b), (len(a), len(b), 0)]:
        tag = "replace" if i < ai and j < bj else "delete" if i < ai else "insert" if j < bj else ""
        if tag:
            out.append((tag, i, ai, j, bj))
        if size:
            out.append(("equal", ai, ai + size, bj, bj + size))
        i, j = ai + size, bj + size
    return out


def describe_differences(quote: str, passage: str, limit: int = 4) -> str:
    diffs = []
    for op, a1, a2, b1, b2 in _opcodes(quote, passage):
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
    if len(s) > 60:  # a long stretch that differs: its start is enough to find it
        return repr(s[:60]) + f"… ({len(s)} characters)"
    return _NAMES.get(s, repr(s))
