"""The state of one conversion of pyromark events into corpuslint's types (`_pulldown._build`
drives it): the open containers and inline block, links and images, footnote definitions.

The stack of open containers is kept with what every inline block and reference asks of it:
the tuple an `Inline` holds, and the innermost footnote definition's id and label (recomputed
when the stack changes, not at every question).
"""

from __future__ import annotations

import re
from operator import attrgetter
from typing import Any

from corpuslint.markdown import types as t
from corpuslint.markdown._refine import candidates_in, post_process

# What cmark-gfm accepts between `[^` and `]:` of a definition (scan_footnote_definition: no
# whitespace, no `]`), and between `[^` and `]` of a reference (a link label: no unescaped `[`).
_GFM_DEFINITION_LABEL = re.compile(r"[^\] \t\r\n\x00]{1,1000}")
_GFM_LABEL = re.compile(r"(?:\\[^\]]|[^\[\]\\]){1,1000}")


class Builder:
    def __init__(self, text: str, base: int) -> None:
        self.text = text
        self.base = base
        self.out = t.Parsed()
        self.containers: list[t.Container] = []
        self.held: tuple[t.Container, ...] | None = ()  # tuple(self.containers), or None: to make
        self.definitions: list[t.Container] = []  # the open footnote definitions, outermost first
        self.footnote_id = -1  # the innermost one's Container.id, or -1
        self.footnote: str | None = None  # ... and its label
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
        self.block_links = 0  # len(out.links) when the open block opened
        self.nested: set[int] = set()

    # --- the container stack ----------------------------------------------------------------

    def _push(self, container: t.Container) -> None:
        self.containers.append(container)
        self.held = None
        if container.kind == t.FOOTNOTE_DEFINITION:
            self.definitions.append(container)
            self.footnote_id = container.id
            self.footnote = container.label

    def _pop(self) -> t.Container:
        container = self.containers.pop()
        self.held = None
        if container.kind == t.FOOTNOTE_DEFINITION:
            definitions = self.definitions
            definitions.pop()
            self.footnote_id = definitions[-1].id if definitions else -1
            self.footnote = definitions[-1].label if definitions else None
        return container

    def footnote_container(self) -> int:
        return self.footnote_id

    def footnote_label(self) -> str | None:
        return self.footnote

    def open_container(self, kind: str, start: int, end: int, label: str | None = None) -> None:
        container = t.Container(kind, self.next_id, start, end, label)
        self.next_id += 1
        self._push(container)
        self.out.containers.append(container)
        if kind == t.FOOTNOTE_DEFINITION:
            text = self.text
            close = text.find("]:", start + 2, end)
            if close < 0 or not _GFM_DEFINITION_LABEL.fullmatch(text, start + 2, close):
                return  # cmark-gfm takes no bracket in a label: a paragraph on GitHub
            content = close + 2
            stop = end
            while stop > content and text[stop - 1] in " \t\n":
                stop -= 1
            self.out.footnote_defs.append(t.FootnoteDef(label or "", start, content, stop, container.id))

    def close_container(self, name: str) -> None:
        """The End of an Item, BlockQuote or FootnoteDefinition."""
        closed = self._pop()
        if closed.id in self.nested:  # the definition around it ends with it
            self._pop()
        elif name == "FootnoteDefinition":
            self.last_definition = (closed, len(self.out.inlines))

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
        self._push(widened)
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

    # --- inline blocks ------------------------------------------------------------------------

    def open_inline(
        self, kind: str, start: int, end: int, level: int = 0, tight: bool = False
    ) -> list[t.Item]:
        if self.inline is not None:
            self.close_inline()
        self.block_refs = 0
        held = self.held
        if held is None:
            held = self.held = tuple(self.containers)
        self.block_links = len(self.out.links)
        inline = self.inline = t.Inline(kind, start, end, held, [], len(self.out.inlines), level)
        self.tight = tight
        return inline.items

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
        text = self.text
        start, end = inline.start, inline.end
        # every "[^" of the block is a reference the parser found: no undefined one to look for
        candidates = text.count("[^", start, end) > refs
        if candidates:
            post_process(self, inline, candidates)
        elif text.find("://", start, end) >= 0 or text.find("www.", start, end) >= 0:
            if not self._urls_in_links(start, end):
                post_process(self, inline, False)

    def _urls_in_links(self, start: int, end: int) -> bool:
        """Whether every `://` and `www.` of the block [start, end) lies inside one of its links,
        images or autolinks (a citation's `[title](https://…)`): GitHub finds no bare URL inside
        a link, so the block has none to look for."""
        links = self.out.links
        first = self.block_links
        if first == len(links):
            return False
        text = self.text
        for marker in ("://", "www."):
            size = len(marker)
            at = text.find(marker, start, end)
            while at >= 0:
                for k in range(first, len(links)):
                    link = links[k]
                    if link.start <= at and at + size <= link.end:
                        break
                else:
                    return False
                at = text.find(marker, at + 1, end)
        return True

    # --- links and images ---------------------------------------------------------------------

    def text_in_link(self, items: list[t.Item] | None, value: str, start: int, end: int) -> None:
        """A Text event while an image, link or autolink is open."""
        if self.image is not None:
            self.image[4].append(value)
            self.image_items.append(t.Item(t.TEXT, start, end, value))
            return
        if self.links:
            self.links[-1][4].append(value)
        if items is not None and not self.autolink_depth:
            verbatim = end - start == len(value) and self.text.startswith(value, start)
            items.append(t.Item(t.TEXT, start, end, value, verbatim))

    def open_link(self, items: list[t.Item] | None, value: dict, start: int, end: int) -> None:
        link_type = value.get("link_type", "Inline")
        dest = str(value.get("dest_url", ""))
        if link_type in ("Autolink", "Email"):
            self.autolink_depth += 1
            if items is not None:
                items.append(t.Item(t.AUTOLINK, start, end, dest))
            self.out.links.append(
                t.Link("autolink", start, end, dest, dest, start + 1, end - 1, self.footnote)
            )
            self.links.append(["autolink", start, end, dest, []])
            return
        kind = "inline" if link_type == "Inline" else "reference"
        self.links.append([kind, start, end, dest, []])
        if items is not None:
            items.append(t.Item(t.LINK_OPEN, start, end, dest))

    def close_link(self, items: list[t.Item] | None) -> None:
        if not self.links:
            return
        kind, start, end, dest, parts = self.links.pop()
        if kind == "autolink":
            self.autolink_depth -= 1
            return
        if items is not None:
            items.append(t.Item(t.LINK_CLOSE, start, end, dest))
        dest_start, dest_end = _locate_destination(self.text, start, end, dest, kind)
        self.out.links.append(
            t.Link(kind, start, end, dest, "".join(parts), dest_start, dest_end, self.footnote)
        )

    def open_image(self, items: list[t.Item] | None, value: dict, start: int, end: int) -> None:
        self.image_depth = 1
        self.image = ["image", start, end, str(value.get("dest_url", "")), []]
        self.image_items = []
        if items is not None:
            items.append(t.Item(t.IMAGE, start, end, self.image[3]))

    def close_image(self) -> None:
        kind, start, end, dest, parts = self.image  # type: ignore[misc]
        self.image = None
        if self.image_items:
            if self.text.find("[^", start, end) >= 0:
                candidates_in(self, self.image_items, self.footnote_id)
            self.image_items = []
        if self.links:
            self.links[-1][4].append("".join(parts))
        dest_start, dest_end = _locate_destination(self.text, start, end, dest, "inline")
        self.out.links.append(
            t.Link("image", start, end, dest, "".join(parts), dest_start, dest_end, self.footnote)
        )

    def reference(self, label: str, start: int, end: int) -> None:
        self.block_refs += 1
        if _GFM_LABEL.fullmatch(self.text, start + 2, end - 1):
            self.out.footnote_refs.append(t.FootnoteRef(label, start, end, True, self.footnote_id))

    def finish(self) -> t.Parsed:
        if self.inline is not None:
            self.close_inline()
        out = self.out
        out.footnote_refs.sort(key=_START)
        out.links.sort(key=_START)
        return out


_START = attrgetter("start")


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
