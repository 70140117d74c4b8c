"""Link occurrences of one document, from its markdown-it-py tokens, with exact file positions.

Runs in worker processes: everything here is picklable and free of network code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it.token import Token

    from corpuslint.document import Document

# Full-width punctuation and the ideographic space end a bare URL: in Chinese text a citation
# reads `https://www.36kr.com/p/1。36氪。`, and linkify-it would take `。36氪。` into the URL.
CJK_STOP = "，。）」』】》〉〕：；！？、…—“”‘’（「『【《〈〔　～·｜"
_CJK_CUT = re.compile(f"[{re.escape(CJK_STOP)}]")
_TRAILING = ".,;:!?'\""
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class LinkOccurrence:
    """One link in one file. `url` is what is checked; the span covers its text in the file."""

    path: str
    line: int  # 1-based
    column: int  # 1-based, in characters
    end_line: int | None
    end_column: int | None  # exclusive
    url: str
    text: str  # the link text (alt text for an image)
    label: str | None  # footnote label when the link is in a footnote definition
    # offsets of the URL in the document's text, when it is written there literally (fixes)
    start: int | None = None
    end: int | None = None


def cut_bare_url(text: str) -> str:
    """The URL part of a linkify match: up to the first full-width punctuation mark."""
    match = _CJK_CUT.search(text)
    if match:
        text = text[: match.start()]
    # Balance a closing ASCII parenthesis and drop sentence punctuation left in front of the cut.
    while text and text[-1] in _TRAILING:
        text = text[:-1]
    return text


def _link_text(children: list[Token], start: int) -> tuple[str, int]:
    """Text of the link opened at children[start], and the index of its link_close."""
    parts: list[str] = []
    depth = 0
    index = start + 1
    while index < len(children):
        child = children[index]
        if child.type == "link_open":
            depth += 1
        elif child.type == "link_close":
            if depth == 0:
                break
            depth -= 1
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "image":
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        index += 1
    return "".join(parts), index


class _Locator:
    """Finds the text of successive links within a block's source lines."""

    def __init__(self, doc: Document, block_map: list[int] | None) -> None:
        self.doc = doc
        base = doc.body_line
        if block_map:
            first, last = block_map[0] + base, block_map[1] + base
        else:
            first, last = base, len(doc.line_starts)
        starts = doc.line_starts
        self.start = starts[first] if first < len(starts) else len(doc.text)
        self.end = starts[last] if last < len(starts) else len(doc.text)
        self.cursor = self.start

    def find(self, *candidates: str) -> tuple[int, int] | None:
        text = self.doc.text
        for candidate in candidates:
            if not candidate:
                continue
            index = text.find(candidate, self.cursor, self.end)
            if index < 0:
                index = text.find(candidate, self.start, self.end)
            if index >= 0:
                self.cursor = index + len(candidate)
                return index, index + len(candidate)
        return None

    def find_anywhere(self, candidate: str) -> tuple[int, int] | None:
        """A reference definition may stand anywhere in the body."""
        index = self.doc.text.find(candidate, self.doc.body_offset)
        return (index, index + len(candidate)) if index >= 0 else None


def _decoded(href: str) -> str:
    from corpuslint.markdown._markdown_it import parser

    try:
        return parser(True).normalizeLinkText(href)
    except Exception:  # pragma: no cover - defensive: malformed escapes
        return href


def _tokens(doc: Document) -> list[Token]:
    if doc.linkify:
        return doc.tokens
    cached = doc.cache.get("links.tokens")
    if cached is None:
        from corpuslint.markdown._markdown_it import parse

        cached = doc.cache["links.tokens"] = parse(doc.body, linkify=True)
    return cached


def extract_links(doc: Document, scope: str) -> list[LinkOccurrence]:
    """Every link to check in `doc`: footnote definitions only (scope "footnotes"), or all."""
    if scope not in ("footnotes", "all"):
        raise ValueError(f"unknown links scope {scope!r}")
    if doc.read_problem is not None or not doc.body.strip():
        return []
    found: list[LinkOccurrence] = []
    labels: list[str] = []  # open footnote definitions, innermost last
    for token in _tokens(doc):
        kind = token.type
        if kind == "footnote_reference_open":
            labels.append(str((token.meta or {}).get("label", "")))
            continue
        if kind == "footnote_reference_close":
            if labels:
                labels.pop()
            continue
        if kind != "inline" or not token.children:
            continue
        label = labels[-1] if labels else None
        if scope == "footnotes" and label is None:
            continue
        locator = _Locator(doc, token.map)
        children = token.children
        index = 0
        while index < len(children):
            child = children[index]
            if child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                text, close = _link_text(children, index)
                occurrence = _occurrence(doc, locator, child, href, text, label)
                if occurrence is not None:
                    found.append(occurrence)
                index = close + 1
                continue
            if child.type == "image" and scope == "all":
                src = str(child.attrs.get("src", ""))
                occurrence = _occurrence(doc, locator, child, src, child.content, label)
                if occurrence is not None:
                    found.append(occurrence)
            index += 1
    return found


def _occurrence(
    doc: Document, locator: _Locator, token: Token, href: str, text: str, label: str | None
) -> LinkOccurrence | None:
    if token.markup == "linkify":
        raw = cut_bare_url(text)
        lowered = raw.lower()
        if "://" in raw:
            url = raw
        elif lowered.startswith("www."):
            url = "http://" + raw
        else:
            return None  # fuzzy matches (`36kr.com`, e-mail addresses) are names, not citations
        span = locator.find(raw)
        text = raw
    elif token.markup == "autolink":
        url = text or href
        span = locator.find("<" + url + ">")
        if span:
            span = (span[0] + 1, span[1] - 1)
    else:
        url = href
        span = locator.find("](" + href, "](<" + href)
        decoded = None
        if span is None:  # the source spells the URL differently (escapes, entities, spaces)
            decoded = _decoded(href)
            span = locator.find("](" + decoded, "](<" + decoded)
        if span:
            prefix = 3 if doc.text.startswith("](<", span[0]) else 2
            start = span[0] + prefix
            end = span[1]
            url = doc.text[start:end]
            span = (start, end)
        else:
            if decoded is None:
                decoded = _decoded(href)
            span = (
                locator.find(href, decoded) or locator.find_anywhere(href) or locator.find_anywhere(decoded)
            )
            if span:
                url = doc.text[span[0] : span[1]]
    if not url.strip():
        url = href
    if span is None:
        line, column = doc.position(locator.start)
        return LinkOccurrence(doc.path, line, column, None, None, url, text, label)
    line, column = doc.position(span[0])
    end_line, end_column = doc.position(span[1])
    literal = doc.text[span[0] : span[1]] == url
    return LinkOccurrence(
        doc.path,
        line,
        column,
        end_line,
        end_column,
        url,
        text,
        label,
        span[0] if literal else None,
        span[1] if literal else None,
    )


def has_scheme(url: str) -> bool:
    return bool(_SCHEME.match(url))
