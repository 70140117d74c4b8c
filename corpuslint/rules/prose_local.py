"""The prose of a document, built from markdown-it's tokens (temporary: H1's
`corpuslint.markdown.prose` replaces this module).

`prose_blocks(doc)` computes, once per document (cached in `doc.cache`), one `ProseBlock` per
inline token: a "virtual" string made of its text tokens (code spans and other non-prose inline
elements stand in as a neutral placeholder character, line breaks as "\n") and a map from every
virtual position back to an offset into `doc.text` (or -1 where the text differs from the source,
e.g. an entity or a backslash escape).
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from corpuslint.document import Document

PLACEHOLDER = "\ue000"  # a code span, image, footnote reference, raw HTML or autolink

_URLISH = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//[^\s<>\"'，。、；：！？（）“”‘’《》【】]+"
    r"|\bwww\.[^\s<>\"'，。、；：！？（）“”‘’《》【】]+"
    r"|[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
    r"|\b[\w\-]+(?:\.[\w\-]+)+/[^\s<>\"'，。、；：！？（）“”‘’《》【】]*"
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


_CONTAINERS = {"blockquote_open": "blockquote", "list_item_open": "list_item"}
_KINDS = {
    "paragraph_open": "paragraph",
    "heading_open": "heading",
    "th_open": "table_cell",
    "td_open": "table_cell",
}


@dataclass
class ProseBlock:
    """The prose of one inline token."""

    text: str  # the virtual string
    starts: list[int] = field(default_factory=list)  # virtual start of each mapped run
    sources: list[int] = field(default_factory=list)  # doc.text offset of each mapped run
    lengths: list[int] = field(default_factory=list)
    masked: list[tuple[int, int]] = field(default_factory=list)  # URL-like ranges
    kind: str = "paragraph"  # "paragraph", "heading", "table_cell"
    container: tuple[str, ...] = ()  # enclosing "blockquote" / "list_item", outermost first

    def source(self, index: int) -> int:
        """The doc.text offset of virtual position `index`, or -1."""
        run = bisect_right(self.starts, index) - 1
        if run < 0 or index >= self.starts[run] + self.lengths[run]:
            return -1
        return self.sources[run] + index - self.starts[run]

    def is_masked(self, index: int) -> bool:
        return any(start <= index < end for start, end in self.masked)


# --- building the prose of a document ---------------------------------------------------------


def prose_blocks(doc: Document) -> list[ProseBlock]:
    cached = doc.cache.get("typography.prose")
    if cached is None:
        cached = doc.cache["typography.prose"] = list(_build(doc))
    return cached


def _build(doc: Document) -> Iterator[ProseBlock]:
    text = doc.text
    line_starts = doc.line_starts
    base_line = doc.body_line
    row_cursor: dict[int, int] = {}  # table cells share a source line: continue from the last
    containers: list[str] = []
    kind = "paragraph"
    for token in doc.tokens:
        if token.type in _CONTAINERS:
            containers.append(_CONTAINERS[token.type])
            continue
        if token.type in ("blockquote_close", "list_item_close"):
            if containers:
                containers.pop()
            continue
        if token.type in _KINDS:
            kind = _KINDS[token.type]
            continue
        if token.type != "inline" or token.map is None or not token.children:
            continue
        first, last = token.map[0] + base_line, token.map[1] + base_line
        begin = line_starts[first] if first < len(line_starts) else len(text)
        end = line_starts[last] - 1 if last < len(line_starts) else len(text)
        cursor = max(begin, row_cursor.get(first, begin))
        block = ProseBlock("", kind=kind, container=tuple(containers))
        pieces: list[str] = []
        length = 0
        in_autolink = 0
        for child in token.children:
            kind = child.type
            if kind in ("text", "text_special"):
                content = child.content
                if not content:
                    continue
                if in_autolink:
                    pieces.append(PLACEHOLDER)
                    length += 1
                    continue
                found = text.find(content, cursor, end)
                if found >= 0:
                    block.starts.append(length)
                    block.sources.append(found)
                    block.lengths.append(len(content))
                    cursor = found + len(content)
                else:
                    cursor = _align(text, content, cursor, end, length, block)
                pieces.append(content)
                length += len(content)
            elif kind in ("softbreak", "hardbreak"):
                pieces.append("\n")
                length += 1
            elif kind == "link_open" and child.markup in ("autolink", "linkify"):
                in_autolink += 1
            elif kind == "link_close":
                if child.markup in ("autolink", "linkify"):
                    in_autolink = max(0, in_autolink - 1)
                    pieces.append(PLACEHOLDER)
                    length += 1
                    if child.markup == "autolink":
                        found = text.find(">", cursor, end)
                        cursor = found + 1 if found >= 0 else cursor
                else:
                    cursor = _skip_link_tail(text, text.find("]", cursor, end), end, cursor)
            elif kind in ("code_inline", "image", "html_inline", "footnote_ref", "math_inline"):
                pieces.append(PLACEHOLDER)
                length += 1
                cursor = _skip_inline(doc, child, cursor, end)
        block.text = "".join(pieces)
        row_cursor[first] = cursor
        joined = block.text
        if "/" in joined or "@" in joined or "www." in joined:
            block.masked = [m.span() for m in _URLISH.finditer(joined)]
        yield block


def _skip_inline(doc: Document, child, cursor: int, end: int) -> int:
    """Move the cursor past a non-prose inline element, so its text is never matched as prose."""
    text = doc.text
    kind = child.type
    if kind == "code_inline":
        start = text.find(child.markup, cursor, end)
        if start < 0:
            return cursor
        stop = text.find(child.markup, start + len(child.markup), end)
        return stop + len(child.markup) if stop >= 0 else cursor
    if kind == "html_inline":
        found = text.find(child.content, cursor, end)
        return found + len(child.content) if found >= 0 else cursor
    if kind == "footnote_ref":
        if "end" in child.meta:
            return max(cursor, doc.body_offset + child.meta["end"])
        label = child.meta.get("label", "")
        found = text.find(f"[^{label}]", cursor, end)
        return found + len(label) + 3 if found >= 0 else cursor
    if kind == "image":
        start = text.find("![", cursor, end)
        if start < 0:
            return cursor
        depth, j = 0, start + 1
        while j < end:
            char = text[j]
            if char == "\\":
                j += 2
                continue
            if char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
                if depth == 0:
                    return _skip_link_tail(text, j, end, cursor)
            j += 1
    return cursor


def _skip_link_tail(text: str, bracket: int, end: int, cursor: int) -> int:
    """From the `]` that ends a link text, past its `(destination "title")` or `[label]`."""
    if bracket < 0:
        return cursor
    j = bracket + 1
    if j < end and text[j] == "(":
        depth = 0
        while j < end:
            char = text[j]
            if char == "\\":
                j += 2
                continue
            if char == "<":
                close = text.find(">", j, end)
                j = close if close >= 0 else j
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    return j + 1
            elif char == "\n" and text[j - 1] == "\n":
                break
            j += 1
        return bracket + 1
    if j < end and text[j] == "[":
        close = text.find("]", j, end)
        return close + 1 if close >= 0 else bracket + 1
    return bracket + 1


def _align(text: str, content: str, cursor: int, end: int, vbase: int, block: ProseBlock) -> int:
    """Map `content` (which differs from the source by escapes or entities) char by char.

    Only characters that are equal in the source are mapped, so an edit never lands on a
    character other than the one the rule saw. Returns the new cursor.
    """
    i, j, size = 0, cursor, len(content)
    run_start = -1
    skipped = 0

    def close(at: int) -> None:
        nonlocal run_start
        if run_start >= 0:
            block.starts.append(vbase + run_start)
            block.sources.append(run_source)
            block.lengths.append(at - run_start)
            run_start = -1

    run_source = 0
    while i < size and j < end and skipped < 64:
        char = content[i]
        if text[j] == char:
            if run_start < 0 or run_source + (i - run_start) != j:
                close(i)
                run_start, run_source = i, j
            i += 1
            j += 1
            continue
        if text[j] == "\\" and j + 1 < end and text[j + 1] == char:
            close(i)
            run_start, run_source = i, j + 1
            i += 1
            j += 2
            continue
        if text[j] == "&":
            match = _ENTITY.match(text, j, end)
            if match:
                decoded = html.unescape(match.group())
                if content.startswith(decoded, i):
                    close(i)
                    i += len(decoded)
                    j = match.end()
                    continue
        close(i)
        j += 1
        skipped += 1 if i else 0
    close(i)
    return j if i >= size else cursor
