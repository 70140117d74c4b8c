"""The adapter from pyromark (pulldown-cmark) events to corpuslint's types. The only module that
imports the parser: no rule ever sees a pyromark event.

pulldown-cmark gives every event a UTF-8 byte range; they are converted to character offsets
once (identity for ASCII text), in one sorted sweep over the distinct offsets.
"""

from __future__ import annotations

import gc
import re
from functools import lru_cache
from typing import Any

from corpuslint.markdown import types as t
from corpuslint.markdown._refine import candidates_in, math_references, post_process

_CONTINUATION = bytes(1 if 0x80 <= b < 0xC0 else 0 for b in range(256))
# What cmark-gfm accepts between `[^` and `]:` of a definition (scan_footnote_definition: no
# whitespace, no `]`), and between `[^` and `]` of a reference (a link label: no unescaped `[`).
_GFM_DEFINITION_LABEL = re.compile(r"[^\] \t\r\n\x00]{1,1000}")
_GFM_LABEL = re.compile(r"(?:\\[^\]]|[^\[\]\\]){1,1000}")


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


def _hide(match: re.Match[str]) -> str:
    label = match.group(2)
    if len(label) > 1000 or " " in label or "\t" in label:
        return match.group(1) + "\x1a" + label + "]:"
    return match.group()


def raw_events(body: str) -> list:
    import pyromark

    if "]:" in body:
        body = _DEFINITION_LINE.sub(_hide, body)
    return list(pyromark.events_with_range(body, options=_options()))


def _offsets(body: str, events: list, base: int) -> dict[int, int] | None:
    """Byte offset -> doc.text offset for every offset in `events`; None when they are equal
    (up to `base`), i.e. for ASCII text."""
    if body.isascii():
        return None
    points = sorted(
        {
            point
            for event, span in events
            if type(event) is str or "End" not in event
            for point in (span["start"], span["end"])
        }
    )
    flags = body.encode().translate(_CONTINUATION)
    result: dict[int, int] = {}
    previous = 0
    chars = base
    count = flags.count
    for point in points:
        chars += point - previous - count(1, previous, point)
        previous = point
        result[point] = chars
    return result


class _Builder:
    def __init__(self, text: str, base: int) -> None:
        self.text = text
        self.base = base
        self.out = t.Parsed()
        self.containers: list[t.Container] = []
        self.inline: t.Inline | None = None
        self.links: list[list[Any]] = []  # open links: [kind, start, end, dest, text parts]
        self.image: list[Any] | None = None
        self.image_depth = 0
        self.autolink_depth = 0
        self.row = -1
        self.next_id = 0
        self.tight = False
        self.image_items: list[t.Item] = []
        self.last_definition: tuple[t.Container, int] | None = None
        self.block_refs = 0  # footnote references found in the open block
        self.nested: set[int] = set()

    # --- blocks ---------------------------------------------------------------------------

    def open_container(self, kind: str, start: int, end: int, label: str | None = None) -> None:
        container = t.Container(kind, self.next_id, start, end, label)
        self.next_id += 1
        self.containers.append(container)
        self.out.containers.append(container)
        if kind == t.FOOTNOTE_DEFINITION:
            text = self.text
            close = text.find("]:", start + 2, end)
            if close < 0 or not _GFM_DEFINITION_LABEL.fullmatch(text, start + 2, close):
                return  # cmark-gfm takes no bracket in a label: a paragraph on GitHub
            content = close + 2 if close >= 0 else start
            stop = end
            while stop > content and text[stop - 1] in " \t\n":
                stop -= 1
            self.out.footnote_defs.append(t.FootnoteDef(label or "", start, content, stop, container.id))

    def reopen_nested(self, start: int, end: int) -> None:
        """`[^a]: [^b]: x`: pulldown-cmark ends the empty outer definition where the inner one
        starts; cmark-gfm nests the inner one in it. Put the outer one back around it."""
        last = self.last_definition
        self.last_definition = None
        if last is None:
            return
        outer, inlines = last
        if outer.end != start or inlines != len(self.out.inlines) or "\n" in self.text[outer.start : start]:
            return
        widened = t.Container(outer.kind, outer.id, outer.start, end, outer.label)
        self.containers.append(widened)
        self.out.containers[self.out.containers.index(outer)] = widened
        for k, definition in enumerate(self.out.footnote_defs):
            if definition.id == outer.id:
                stop = end
                while stop > definition.content_start and self.text[stop - 1] in " \t\n":
                    stop -= 1
                self.out.footnote_defs[k] = t.FootnoteDef(
                    definition.label, definition.start, definition.content_start, stop, definition.id
                )
        self.nested.add(self.next_id)  # the inner definition's id, opened next

    def open_inline(self, kind: str, start: int, end: int, level: int = 0, tight: bool = False) -> None:
        self.close_inline()
        self.block_refs = 0
        self.inline = t.Inline(kind, start, end, tuple(self.containers), [], len(self.out.inlines), level)
        self.tight = tight

    def close_inline(self) -> None:
        inline = self.inline
        self.inline = None
        if inline is None:
            return
        if self.tight:  # the text of a tight list item: its span is its items'
            if not inline.items:
                return
            inline.start, inline.end = inline.items[0].start, inline.items[-1].end
        self.out.inlines.append(inline)
        refs, self.block_refs = self.block_refs, 0
        source = self.text[inline.start : inline.end]
        # every "[^" of the block is a reference the parser found: no undefined one to look for
        candidates = source.count("[^") > refs
        if candidates or "://" in source or "www." in source:
            post_process(self, inline, candidates)

    def footnote_container(self) -> int:
        for container in reversed(self.containers):
            if container.kind == t.FOOTNOTE_DEFINITION:
                return container.id
        return -1

    def footnote_label(self) -> str | None:
        for container in reversed(self.containers):
            if container.kind == t.FOOTNOTE_DEFINITION:
                return container.label
        return None


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


def _build(body: str, base: int, text: str) -> t.Parsed:
    events = raw_events(body)
    table = _offsets(body, events, base)
    b = _Builder(text, base)
    out = b.out
    items: list[t.Item] | None = None
    for event, span in events:
        if type(event) is not str and "End" in event:  # needs no offsets: the Start had them
            end_event = event["End"]
            name = end_event if type(end_event) is str else next(iter(end_event))
            if b.image_depth:
                if name == "Image":
                    b.image_depth -= 1
                    if not b.image_depth and b.image is not None:
                        _close_image(b)
                continue
            if name in ("Paragraph", "Heading", "TableCell"):
                b.close_inline()
                items = None
            elif name in ("Item", "BlockQuote", "FootnoteDefinition"):
                b.close_inline()
                items = None
                if b.containers:
                    closed = b.containers.pop()
                    if closed.id in b.nested:  # the definition around it ends with it
                        b.containers.pop()
                    elif name == "FootnoteDefinition":
                        b.last_definition = (closed, len(out.inlines))
            elif name == "Link":
                _close_link(b, items)
            continue
        if table is None:
            start = span["start"] + base
            end = span["end"] + base
        else:
            start = table[span["start"]]
            end = table[span["end"]]
        if type(event) is str:  # SoftBreak, HardBreak, Rule
            if items is not None and not b.image_depth and not b.autolink_depth:
                if event == "SoftBreak":
                    items.append(t.Item(t.SOFTBREAK, start, end))
                elif event == "HardBreak":
                    items.append(t.Item(t.HARDBREAK, start, end))
            if event in ("SoftBreak", "HardBreak"):
                if b.image is not None:
                    b.image[4].append(" ")
                elif b.links:
                    b.links[-1][4].append(" ")
            continue
        if "Text" in event:
            content = event["Text"]
            if b.image is not None:
                b.image[4].append(content)
                b.image_items.append(t.Item(t.TEXT, start, end, content))
                continue
            if b.links:
                b.links[-1][4].append(content)
            if items is not None and not b.autolink_depth:
                verbatim = end - start == len(content) and text.startswith(content, start)
                items.append(t.Item(t.TEXT, start, end, content, verbatim))
            continue
        if "Start" in event:
            start_event = event["Start"]
            if type(start_event) is str:
                name = start_event
                value = None
            else:
                name, value = next(iter(start_event.items()))
            if b.image_depth:
                if name == "Image":
                    b.image_depth += 1
                continue
            if name == "Paragraph":
                b.open_inline(t.PARAGRAPH, start, end)
                items = b.inline.items  # type: ignore[union-attr]
            elif name == "Heading":
                level = int(value["level"][1:]) if value else 1
                b.open_inline(t.HEADING, start, end, level)
                items = b.inline.items  # type: ignore[union-attr]
            elif name == "TableCell":
                b.open_inline(t.TABLE_CELL, start, end, b.row)
                items = b.inline.items  # type: ignore[union-attr]
            elif name == "TableHead":
                b.row = 0
            elif name == "TableRow":
                b.row += 1
            elif name == "Table":
                b.close_inline()
                items = None
                out.tables.append(t.Span(t.TABLE, start, end))
                b.row = -1
            elif name == "Item":
                b.open_container(t.LIST_ITEM, start, end)
                # a tight list item's text comes without a Paragraph event
                b.open_inline(t.PARAGRAPH, start, end, tight=True)
                items = b.inline.items  # type: ignore[union-attr]
            elif name == "BlockQuote":
                b.close_inline()
                items = None
                b.open_container(t.BLOCK_QUOTE, start, end)
            elif name == "FootnoteDefinition":
                b.close_inline()
                items = None
                b.reopen_nested(start, end)
                b.open_container(t.FOOTNOTE_DEFINITION, start, end, str(value))
            elif name == "CodeBlock":
                b.close_inline()
                items = None
                fenced = isinstance(value, dict)
                info = str(value.get("Fenced", "")) if fenced else ""
                out.code_blocks.append(t.CodeBlock(start, end, fenced, info))
            elif name == "HtmlBlock":
                b.close_inline()
                items = None
                out.html_blocks.append(t.Span("html", start, end))
            elif name == "Link":
                _open_link(b, items, value, start, end)
            elif name == "Image":
                b.image_depth = 1
                b.image = ["image", start, end, str(value.get("dest_url", "")), []]
                b.image_items = []
                if items is not None:
                    items.append(t.Item(t.IMAGE, start, end, b.image[3]))
            elif name == "List":
                b.close_inline()
                items = None
            continue
        if b.image_depth:
            if "FootnoteReference" in event:
                _reference(b, event["FootnoteReference"], start, end)
            elif b.image is not None:
                for key in ("Code", "InlineMath", "DisplayMath"):
                    if key in event:
                        b.image[4].append(event[key])
            continue
        if items is None:
            continue  # Html of an HTML block, code block text
        if b.autolink_depth:
            continue
        if "Code" in event:
            items.append(t.Item(t.CODE, start, end, event["Code"]))
            if b.links:
                b.links[-1][4].append(event["Code"])
        elif "FootnoteReference" in event:
            items.append(t.Item(t.FOOTNOTE_REF, start, end, event["FootnoteReference"]))
            _reference(b, event["FootnoteReference"], start, end)
        elif "InlineHtml" in event:
            items.append(t.Item(t.HTML, start, end, event["InlineHtml"]))
        elif "InlineMath" in event:
            items.append(t.Item(t.MATH, start, end, event["InlineMath"]))
            if "[^" in event["InlineMath"]:
                math_references(b, start, end)
        elif "DisplayMath" in event:
            items.append(t.Item(t.DISPLAY_MATH, start, end, event["DisplayMath"]))
            if "[^" in event["DisplayMath"]:
                math_references(b, start, end)
        elif "TaskListMarker" in event:
            items.append(t.Item(t.TASK, start, end))
    b.close_inline()
    _finish(b)
    return out


def _reference(b: _Builder, label: str, start: int, end: int) -> None:
    b.block_refs += 1
    if _GFM_LABEL.fullmatch(b.text, start + 2, end - 1):
        b.out.footnote_refs.append(t.FootnoteRef(label, start, end, True, b.footnote_container()))


def _open_link(b: _Builder, items: list[t.Item] | None, value: dict, start: int, end: int) -> None:
    link_type = value.get("link_type", "Inline")
    dest = str(value.get("dest_url", ""))
    if link_type in ("Autolink", "Email"):
        b.autolink_depth += 1
        if items is not None:
            items.append(t.Item(t.AUTOLINK, start, end, dest))
        b.out.links.append(t.Link("autolink", start, end, dest, dest, start + 1, end - 1, b.footnote_label()))
        b.links.append(["autolink", start, end, dest, []])
        return
    kind = "inline" if link_type == "Inline" else "reference"
    b.links.append([kind, start, end, dest, []])
    if items is not None:
        items.append(t.Item(t.LINK_OPEN, start, end, dest))


def _close_link(b: _Builder, items: list[t.Item] | None) -> None:
    if not b.links:
        return
    kind, start, end, dest, parts = b.links.pop()
    if kind == "autolink":
        b.autolink_depth -= 1
        return
    if items is not None:
        items.append(t.Item(t.LINK_CLOSE, start, end, dest))
    dest_start, dest_end = _locate_destination(b.text, start, end, dest, kind)
    b.out.links.append(
        t.Link(kind, start, end, dest, "".join(parts), dest_start, dest_end, b.footnote_label())
    )


def _close_image(b: _Builder) -> None:
    kind, start, end, dest, parts = b.image  # type: ignore[misc]
    b.image = None
    if b.image_items:
        if b.text.find("[^", start, end) >= 0:
            candidates_in(b, b.image_items, b.footnote_container())
        b.image_items = []
    if b.links:
        b.links[-1][4].append("".join(parts))
    dest_start, dest_end = _locate_destination(b.text, start, end, dest, "inline")
    b.out.links.append(
        t.Link("image", start, end, dest, "".join(parts), dest_start, dest_end, b.footnote_label())
    )


def _locate_destination(text: str, start: int, end: int, dest: str, kind: str) -> tuple[int, int]:
    """Where `dest` is written literally in the link's source (an inline link's `](dest`), or
    (-1, -1): a reference link's destination is in its definition, found by the caller."""
    if not dest:
        return -1, -1
    if kind == "inline":
        found = text.rfind("](" + dest, start, end)
        if found >= 0:
            return found + 2, found + 2 + len(dest)
        found = text.rfind("](<" + dest, start, end)
        if found >= 0:
            return found + 3, found + 3 + len(dest)
        found = text.rfind(dest, start, end)
        if found >= 0:
            return found, found + len(dest)
    return -1, -1


def _finish(b: _Builder) -> None:
    out = b.out
    out.footnote_refs.sort(key=lambda ref: ref.start)
    out.links.sort(key=lambda link: link.start)
