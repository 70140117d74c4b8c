"""The prose map of a document, built once from its one parse (`doc.markdown`), in linear time.

`prose_blocks(doc)` gives one `ProseBlock` per block with inline content (paragraphs, headings,
table cells; also those inside block quotes, list items and footnote definitions), in source
order, cached in `doc.cache`. A block's `text` is a virtual string: the text of the block as it
renders, where every non-prose inline element stands as one PLACEHOLDER character ("\\ue000": code
spans, images, footnote references, raw inline HTML (comments too), autolinks and GFM bare
URLs, `$...$`/`$$...$$` math, task-list markers) and every line break as "\\n". Link text is prose;
link destinations are not. Code blocks, HTML blocks and the front matter are never prose.

Every virtual position maps back to an offset into `doc.text` through runs (`starts`, `sources`,
`lengths`): `source(index)` is that offset, or -1 where the rendered text differs from the source
(an entity, an escaped pipe in a table...). `masked` holds the URL-like ranges of `text` (bare
URLs, e-mail addresses, domain paths the parser left as text), sorted; `is_masked(index)` is a
bisect. Nothing here is quadratic in the size of a block or of the document.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from corpuslint.markdown import types as t

if TYPE_CHECKING:
    from corpuslint.document import Document

PLACEHOLDER = "\ue000"
CACHE_KEY = "markdown.prose"

_URLISH = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//[^\s<>\"'，。、；：！？（）“”‘’《》【】]+"
    r"|\bwww\.[^\s<>\"'，。、；：！？（）“”‘’《》【】]+"
    r"|[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
    r"|\b[\w\-]+(?:\.[\w\-]+)+/[^\s<>\"'，。、；：！？（）“”‘’《》【】]*"
)
_OPAQUE = frozenset((t.CODE, t.HTML, t.MATH, t.DISPLAY_MATH, t.FOOTNOTE_REF, t.IMAGE, t.AUTOLINK, t.TASK))


@dataclass
class ProseBlock:
    """The prose of one block with inline content.

    `kind` is "paragraph", "heading" or "table_cell"; `containers` the blocks around it,
    outermost first (`Container.kind`: "block_quote", "list_item", "footnote_definition"), each
    with an `id` shared by every block inside it; `ordinal` its position among the document's
    prose blocks; `start`/`end` its source span in doc.text; `level` a heading's level or a
    table cell's row (0 = header row).
    """

    text: str  # the virtual string
    starts: list[int] = field(default_factory=list)  # virtual start of each mapped run
    sources: list[int] = field(default_factory=list)  # doc.text offset of each mapped run
    lengths: list[int] = field(default_factory=list)
    masked: list[tuple[int, int]] = field(default_factory=list)  # URL-like ranges, sorted
    kind: str = t.PARAGRAPH
    containers: tuple[t.Container, ...] = ()
    ordinal: int = 0
    start: int = 0
    end: int = 0
    level: int = 0
    _mask_starts: list[int] = field(default_factory=list, repr=False)

    def source(self, index: int) -> int:
        """The doc.text offset of virtual position `index`, or -1."""
        run = bisect_right(self.starts, index) - 1
        if run < 0 or index >= self.starts[run] + self.lengths[run]:
            return -1
        return self.sources[run] + index - self.starts[run]

    def is_masked(self, index: int) -> bool:
        """Whether virtual position `index` is in a URL-like range (a bisect, not a scan)."""
        if not self.masked:
            return False
        if len(self._mask_starts) != len(self.masked):
            self._mask_starts = [start for start, _ in self.masked]
        k = bisect_right(self._mask_starts, index) - 1
        return k >= 0 and index < self.masked[k][1]

    # --- context ----------------------------------------------------------------------------

    @property
    def path(self) -> tuple[str, ...]:
        """The container kinds around the block, outermost first, then the block's own kind."""
        return (*(c.kind for c in self.containers), self.kind)

    @property
    def quote_depth(self) -> int:
        return sum(1 for c in self.containers if c.kind == t.BLOCK_QUOTE)

    @property
    def list_depth(self) -> int:
        return sum(1 for c in self.containers if c.kind == t.LIST_ITEM)

    @property
    def footnote(self) -> str | None:
        """The label of the footnote definition the block is in, or None."""
        for container in reversed(self.containers):
            if container.kind == t.FOOTNOTE_DEFINITION:
                return container.label
        return None

    def follows(self, other: ProseBlock) -> bool:
        """Whether this block is the paragraph right after paragraph `other` in the same
        container (the next paragraph of one quotation or one list item)."""
        return (
            self.kind == other.kind == t.PARAGRAPH
            and self.ordinal == other.ordinal + 1
            and tuple(c.id for c in self.containers) == tuple(c.id for c in other.containers)
        )


def prose_blocks(doc: Document, dialects: tuple[str, ...] = ()) -> list[ProseBlock]:
    """The prose blocks of `doc`, in source order (computed once, cached in doc.cache).

    With `dialects` (see corpuslint.markdown.dialects), from the parse that reads admonition
    containers as Markdown."""
    key = CACHE_KEY if not dialects else (CACHE_KEY, tuple(dialects))
    cached = doc.cache.get(key)
    if cached is None:
        if dialects:
            from corpuslint.markdown import parse

            inlines = parse(doc, tuple(dialects)).inlines
        else:
            inlines = doc.markdown.inlines
        cached = doc.cache[key] = [_block(inline) for inline in inlines]
    return cached


def _block(inline: t.Inline) -> ProseBlock:
    block = ProseBlock(
        "",
        kind=inline.kind,
        containers=inline.containers,
        ordinal=inline.ordinal,
        start=inline.start,
        end=inline.end,
        level=inline.level,
    )
    pieces: list[str] = []
    length = 0
    starts, sources, lengths = block.starts, block.sources, block.lengths
    for item in inline.items:
        kind = item.kind
        if kind == t.TEXT:
            content = item.content
            if not content:
                continue
            if item.verbatim:
                if starts and starts[-1] + lengths[-1] == length and sources[-1] + lengths[-1] == item.start:
                    lengths[-1] += len(content)  # continues the previous run
                else:
                    starts.append(length)
                    sources.append(item.start)
                    lengths.append(len(content))
            pieces.append(content)
            length += len(content)
        elif kind in _OPAQUE:
            pieces.append(PLACEHOLDER)
            length += 1
        elif kind == t.SOFTBREAK or kind == t.HARDBREAK:
            pieces.append("\n")
            length += 1
    text = block.text = "".join(pieces)
    if "/" in text or "@" in text or "www." in text:
        block.masked = [m.span() for m in _URLISH.finditer(text)]
    return block
