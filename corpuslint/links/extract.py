"""Link occurrences of one document, from its one parse (`doc.markdown`), with exact file positions.

Runs in worker processes: everything here is picklable and free of network code.

A bare URL (GFM autolink) ends at whitespace, `<` or full-width punctuation: in Chinese text a
citation reads `https://www.36kr.com/p/1。36氪。`, and a Markdown link after a bare URL on the
same line (`入口：http://h/a；另见[公告](http://h/b)。`) is a link of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from corpuslint.markdown.autolinks import CJK_STOP

if TYPE_CHECKING:
    from corpuslint.document import Document
    from corpuslint.markdown.types import Link

__all__ = ["CJK_STOP", "LinkOccurrence", "cut_bare_url", "extract_links", "has_scheme"]

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
    """The URL part of a bare URL: up to the first full-width punctuation mark."""
    match = _CJK_CUT.search(text)
    if match:
        text = text[: match.start()]
    while text and text[-1] in _TRAILING:
        text = text[:-1]
    return text


def extract_links(doc: Document, scope: str) -> list[LinkOccurrence]:
    """Every link to check in `doc`: footnote definitions only (scope "footnotes"), or all."""
    if scope not in ("footnotes", "all"):
        raise ValueError(f"unknown links scope {scope!r}")
    if doc.read_problem is not None or not doc.body.strip():
        return []
    found: list[LinkOccurrence] = []
    for link in doc.markdown.links:
        if scope == "footnotes" and link.footnote is None:
            continue
        if link.kind == "image" and scope != "all":
            continue
        occurrence = _occurrence(doc, link)
        if occurrence is not None:
            found.append(occurrence)
    return found


def _occurrence(doc: Document, link: Link) -> LinkOccurrence | None:
    text = doc.text
    span: tuple[int, int] | None = None
    label_text = link.text
    if link.kind == "bare":
        raw = cut_bare_url(link.dest)
        if "://" in raw:
            url = raw
        elif raw.lower().startswith("www."):
            url = "http://" + raw
        else:
            return None
        span = (link.start, link.start + len(raw))
        label_text = raw
    elif link.kind == "autolink":
        if "@" in link.dest and "://" not in link.dest and not link.dest.lower().startswith("mailto:"):
            url = text[link.dest_start : link.dest_end]  # an e-mail autolink, as written
        else:
            url = link.dest
        span = (link.dest_start, link.dest_end)
        url = text[span[0] : span[1]] or url
    else:
        url = link.dest
        if link.dest_start >= 0:
            span = (link.dest_start, link.dest_end)
        elif url:  # a reference link: its destination is written in the definition
            found = text.find(url, doc.body_offset)
            if found >= 0:
                span = (found, found + len(url))
        if span is not None:
            url = text[span[0] : span[1]]
    if not url.strip():
        url = link.dest
    if span is None:
        line, column = doc.position(link.start)
        return LinkOccurrence(doc.path, line, column, None, None, url, label_text, link.footnote)
    line, column = doc.position(span[0])
    end_line, end_column = doc.position(span[1])
    literal = text[span[0] : span[1]] == url
    return LinkOccurrence(
        doc.path,
        line,
        column,
        end_line,
        end_column,
        url,
        label_text,
        link.footnote,
        span[0] if literal else None,
        span[1] if literal else None,
    )


def has_scheme(url: str) -> bool:
    return bool(_SCHEME.match(url))
