"""Derive the canonical plain text of a raw source: the text every quote is anchored in.

Rules (also in the codebook): decode UTF-8 (a leading BOM is dropped), turn CRLF and CR
into LF; for HTML, remove tags, decode entities, drop <script>/<style> content, and end a
block element (p, div, li, h1-h6, tr) or <br> with a line break; finally Unicode NFC.
Links in HTML become data: anchor text, href and code-point offsets in the final text.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

from pipelines.ingest.safety import formula_risk, link_problem


@dataclass(frozen=True)
class Link:
    anchor_text: str
    href: str
    start: int  # code-point offsets in the canonical text
    end: int


_BLOCK_TAGS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "section", "article"}
_SKIP_TAGS = {"script", "style", "head", "title"}


class _TextAndLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.length = 0  # characters emitted so far (before NFC)
        self.open_links: list[tuple[str, int]] = []
        self.links: list[tuple[str, int, int]] = []  # href, start, end (pre-NFC offsets)
        self.skipping = 0

    def _emit(self, text: str) -> None:
        self.chunks.append(text)
        self.length += len(text)

    def _break(self) -> None:
        if self.chunks and not self.chunks[-1].endswith("\n"):
            self._emit("\n")

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.open_links.append((href, self.length))
        elif tag == "br":
            self._emit("\n")
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "a" and self.open_links:
            href, start = self.open_links.pop()
            self.links.append((href, start, self.length))
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_data(self, data):
        if not self.skipping:
            self._emit(data)


def decode_raw(raw: bytes) -> str:
    """UTF-8 text with BOM dropped and LF line ends (raises UnicodeDecodeError)."""
    text = raw.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def canonical_text(raw: bytes, raw_format: str) -> tuple[str, list[Link]]:
    """Canonical text and links of a raw file. raw_format is "text" or "html"."""
    text = decode_raw(raw)
    if raw_format == "text":
        return unicodedata.normalize("NFC", text), []
    parser = _TextAndLinks()
    parser.feed(text)
    parser.close()
    joined = "".join(parser.chunks)
    canonical = unicodedata.normalize("NFC", joined)

    def offset(i: int) -> int:
        # NFC can merge characters; an offset is the length of the normalised prefix.
        return i if canonical is joined or len(canonical) == len(joined) else len(unicodedata.normalize("NFC", joined[:i]))

    links = []
    for href, start, end in sorted(parser.links, key=lambda link: link[1]):
        if link_problem(href):  # only http(s), mailto and relative links become data (ingest/safety.py)
            continue
        s, e = offset(start), offset(end)
        if formula_risk(canonical[s:e]):  # the anchor text goes to the CSV of source_links
            continue
        links.append(Link(anchor_text=canonical[s:e], href=href, start=s, end=e))
    return canonical, links


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
