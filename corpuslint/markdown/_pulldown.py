"""The adapter from pyromark (pulldown-cmark) events to corpuslint's types. The only module that
imports the parser: no rule ever sees a pyromark event.

pulldown-cmark gives every event a UTF-8 byte range; those of the events whose position is kept
are converted to character offsets as the events come (identity for ASCII text; see _Far). The
state of the conversion (open containers, the inline block, links) is `_builder.Builder`.
"""

from __future__ import annotations

import gc
import re
from functools import lru_cache
from itertools import accumulate, repeat
from typing import Any

from corpuslint.markdown import types as t
from corpuslint.markdown._builder import Builder
from corpuslint.markdown._refine import math_references

_CONTINUATION = bytes(1 if 0x80 <= b < 0xC0 else 0 for b in range(256))


@lru_cache(maxsize=1)
def _options() -> Any:
    import pyromark

    o = pyromark.Options
    return (
        o.ENABLE_TABLES
        | o.ENABLE_FOOTNOTES
        | o.ENABLE_STRIKETHROUGH
        | o.ENABLE_TASKLISTS
        | o.ENABLE_MATH
        | o.ENABLE_GFM
    )


# A line that pulldown-cmark takes for a footnote definition but cmark-gfm does not (whitespace
# in the label, or over 1,000 characters): its "^" is hidden from the parser (one character for
# one, so byte ranges keep their meaning), so the line is what it is on GitHub: a link reference
# definition or text.
_DEFINITION_LINE = re.compile(r"^([ \t>*+\-0-9.)]*\[)\^([^\]\n]*)\]:", re.MULTILINE)


def _hide_labels(body: str) -> str:
    """`body` with the "^" of every such line hidden. Only a line holding "]:" can be one: each
    is matched once, from its start (a search for the MULTILINE pattern tried every position of
    the body, which cost half as much as the native parse on the bench corpus)."""
    hidden: list[int] = []
    at = body.find("]:")
    while at >= 0:
        match = _DEFINITION_LINE.match(body, body.rfind("\n", 0, at) + 1)
        if match is not None:
            label = match.group(2)
            if len(label) > 1000 or " " in label or "\t" in label:
                hidden.append(match.end(1))
        line_end = body.find("\n", at)
        if line_end < 0:
            break
        at = body.find("]:", line_end)
    if not hidden:
        return body
    pieces = []
    last = 0
    for caret in hidden:
        pieces.append(body[last:caret])
        pieces.append("\x1a")
        last = caret + 1
    pieces.append(body[last:])
    return "".join(pieces)


def raw_events(body: str) -> list:
    import pyromark

    if "]:" in body:
        body = _hide_labels(body)
    return list(pyromark.events_with_range(body, options=_options()))


# Byte offsets become character offsets with a cursor: a count of the UTF-8 continuation bytes
# between the last converted offset and the next (events come in document order, and an event
# usually starts where the last one ended). Over _BLOCK bytes apart, from a table of the counts
# before every _BLOCK-th byte (built on first use), so no conversion scans more than _BLOCK bytes.
_BLOCK_BITS = 10
_BLOCK = 1 << _BLOCK_BITS


class _Far:
    """Byte offset -> doc.text offset of any offset of a non-ASCII body."""

    def __init__(self, flags: bytes, base: int) -> None:
        self.flags = flags
        self.base = base
        self.blocks: list[int] | None = None

    def __call__(self, point: int) -> int:
        flags = self.flags
        if self.blocks is None:
            starts = range(0, len(flags) + 1, _BLOCK)
            counts = map(flags.count, repeat(1), starts, map(_BLOCK.__add__, starts))
            self.blocks = list(accumulate(counts, initial=0))
        block = point >> _BLOCK_BITS
        return point - self.blocks[block] - flags.count(1, block << _BLOCK_BITS, point) + self.base


def build(body: str, base: int, text: str) -> t.Parsed:
    """Parse `body` (which is text[base:]) and return its corpuslint view.

    The collector is paused meanwhile: the build allocates one small object per event and never
    a cycle, and on a large document the collector's passes over the growing heap made the
    build superlinear (120 KB of `*a`: 7x the time of 30 KB with it, 3.7x without)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(body, base, text)
    finally:
        if enabled:
            gc.enable()


_CLOSES_INLINE = frozenset(("Paragraph", "Heading", "TableCell"))
_CLOSES_CONTAINER = frozenset(("Item", "BlockQuote", "FootnoteDefinition"))
# Starts that end the open inline block (a tight list item's text) and open none
_ENDS_INLINE = frozenset(("Table", "BlockQuote", "FootnoteDefinition", "CodeBlock", "HtmlBlock"))
# Starts whose offsets are kept (the others: List, TableHead, TableRow, Emphasis, Strong...)
_POSITIONED = _ENDS_INLINE | {"Paragraph", "Heading", "TableCell", "Item", "Link", "Image"}


def _build(body: str, base: int, text: str) -> t.Parsed:
    """One pass over the events, most frequent first (Text, End, then the rest).

    Only the events that keep a position have their offsets converted: starts from the cursor
    (`at` is the byte offset of character `char`, see _Far), ends from their starts; after a
    leaf event the cursor moves to its end, where the next one usually starts. `plain` says
    that no image, link or autolink is open: a Text then needs only its item.

    The cursor's step is written out twice (for Text, the most frequent event, and for the
    rest) rather than put in a function: it runs for nearly every event, and a call costs more
    than the step."""
    events = raw_events(body)
    b = Builder(text, base)
    out = b.out
    items: list[t.Item] | None = None
    plain = True
    startswith = text.startswith
    Item, TEXT = t.Item, t.TEXT  # noqa: N806
    ascii = body.isascii()
    if not ascii:
        flags = body.encode().translate(_CONTINUATION)
        count = flags.count
        far = _Far(flags, base)
    at = 0
    char = base
    for event, span in events:
        # a str event (SoftBreak, HardBreak, Rule) holds neither "Text" nor "End"
        if "Text" in event:
            if plain and items is None:
                continue  # code block text, a table's row outside its cells
            value = event["Text"]
            start = span["start"]
            end = span["end"]
            if ascii:
                start += base
                end += base
            else:
                if start != at:
                    gap = start - at
                    if 0 < gap <= _BLOCK:
                        char += gap - count(1, at, start)
                    elif -_BLOCK <= gap < 0:
                        char += gap + count(1, start, at)
                    else:
                        char = far(start)
                size = end - start
                if size == len(value) and value.isascii() and startswith(value, char):
                    # ASCII text written as it renders: its characters are its bytes
                    at, start, char = end, char, char + size
                elif size <= _BLOCK:
                    at, start, char = end, char, char + size - count(1, start, end)
                else:
                    at, start, char = end, char, far(end)
                end = char
            if plain:
                items.append(  # type: ignore[union-attr]
                    Item(TEXT, start, end, value, end - start == len(value) and startswith(value, start))
                )
            else:
                b.text_in_link(items, value, start, end)
            continue
        if "End" in event:  # needs no offsets: the Start had them
            value = event["End"]
            if type(value) is not str:
                (value,) = value
            if b.image_depth:
                if value == "Image":
                    b.image_depth -= 1
                    if not b.image_depth and b.image is not None:
                        b.close_image()
                        plain = not b.links and not b.autolink_depth
            elif value in _CLOSES_INLINE:
                if b.inline is not None:
                    b.close_inline()
                items = None
            elif value in _CLOSES_CONTAINER:
                if b.inline is not None:
                    b.close_inline()
                items = None
                if b.containers:
                    b.close_container(value)
            elif value == "Link":
                b.close_link(items)
                plain = not b.links and b.image is None and not b.autolink_depth
            continue
        if type(event) is str:
            if event == "Rule":
                continue
            if b.image is not None:
                b.image[4].append(" ")
            elif b.links:
                b.links[-1][4].append(" ")
            if items is None or b.image_depth or b.autolink_depth:
                continue
            kind = event
            leaf = True
        else:
            (kind,) = event
            value = event[kind]
            if kind == "Start":
                leaf = False
                if type(value) is str:
                    kind = value
                    value = None
                else:
                    (kind,) = value
                    value = value[kind]
                if b.image_depth:
                    if kind == "Image":
                        b.image_depth += 1
                    continue
                if kind not in _POSITIONED:
                    if kind == "TableRow":
                        b.row += 1
                    elif kind == "TableHead":
                        b.row = 0
                    elif kind == "List":
                        if b.inline is not None:
                            b.close_inline()
                        items = None
                    continue
            else:
                if plain and items is None or kind == "Html":
                    continue  # HTML blocks, code block text...
                leaf = True
        # the event's character offsets
        start = span["start"]
        end = span["end"]
        if ascii:
            start += base
            end += base
        else:
            if start != at:
                gap = start - at
                if 0 < gap <= _BLOCK:
                    char += gap - count(1, at, start)
                elif -_BLOCK <= gap < 0:
                    char += gap + count(1, start, at)
                else:
                    char = far(start)
                at = start
            start = char
            if end - at <= _BLOCK:
                end = char + (end - at) - count(1, at, end)
            else:
                end = far(end)
            if leaf:
                at, char = span["end"], end
        if leaf:
            if kind == "FootnoteReference" and items is not None and plain:
                items.append(Item(t.FOOTNOTE_REF, start, end, value))
                b.reference(value, start, end)
            else:
                items = _leaf(b, items, kind, value, start, end)
            continue
        if kind == "Paragraph":
            items = b.open_inline(t.PARAGRAPH, start, end)
        elif kind in _ENDS_INLINE:
            if b.inline is not None:
                b.close_inline()
            items = None
            if kind == "Table":
                out.tables.append(t.Span(t.TABLE, start, end))
                b.row = -1
            elif kind == "BlockQuote":
                b.open_container(t.BLOCK_QUOTE, start, end)
            elif kind == "FootnoteDefinition":
                b.reopen_nested(start, end)
                b.open_container(t.FOOTNOTE_DEFINITION, start, end, str(value))
            elif kind == "CodeBlock":
                fenced = isinstance(value, dict)
                info = str(value.get("Fenced", "")) if fenced else ""  # type: ignore[union-attr]
                out.code_blocks.append(t.CodeBlock(start, end, fenced, info))
            else:  # HtmlBlock
                out.html_blocks.append(t.Span("html", start, end))
        elif kind == "Link":
            b.open_link(items, value, start, end)  # type: ignore[arg-type]
            plain = False
        elif kind == "Heading":
            level = int(value["level"][1:]) if value else 1  # type: ignore[index]
            items = b.open_inline(t.HEADING, start, end, level)
        elif kind == "TableCell":
            items = b.open_inline(t.TABLE_CELL, start, end, b.row)
        elif kind == "Item":
            b.open_container(t.LIST_ITEM, start, end)
            # a tight list item's text comes without a Paragraph event
            items = b.open_inline(t.PARAGRAPH, start, end, tight=True)
        else:  # Image
            b.open_image(items, value, start, end)  # type: ignore[arg-type]
            plain = False
    return b.finish()


def _leaf(
    b: Builder, items: list[t.Item] | None, kind: str, value: Any, start: int, end: int
) -> list[t.Item] | None:
    """A leaf event other than Text: a break, a footnote reference, a code span, HTML, math."""
    if b.image_depth:
        if kind == "FootnoteReference":
            b.reference(value, start, end)
        elif b.image is not None and kind in ("Code", "InlineMath", "DisplayMath"):
            b.image[4].append(value)
        return items
    if items is None or b.autolink_depth:
        return items
    if kind == "FootnoteReference":
        items.append(t.Item(t.FOOTNOTE_REF, start, end, value))
        b.reference(value, start, end)
    elif kind == "SoftBreak":
        items.append(t.Item(t.SOFTBREAK, start, end))
    elif kind == "HardBreak":
        items.append(t.Item(t.HARDBREAK, start, end))
    elif kind == "Code":
        items.append(t.Item(t.CODE, start, end, value))
        if b.links:
            b.links[-1][4].append(value)
    elif kind == "InlineHtml":
        items.append(t.Item(t.HTML, start, end, value))
    elif kind == "InlineMath":
        items.append(t.Item(t.MATH, start, end, value))
        if "[^" in value:
            math_references(b, start, end)  # type: ignore[arg-type]
    elif kind == "DisplayMath":
        items.append(t.Item(t.DISPLAY_MATH, start, end, value))
        if "[^" in value:
            math_references(b, start, end)  # type: ignore[arg-type]
    elif kind == "TaskListMarker":
        items.append(t.Item(t.TASK, start, end))
    return items
