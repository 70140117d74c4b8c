"""The prose blocks the TY rules look at, with their code-like masks, and the edits they make.

Shared by the punctuation rules (typography.py) and the quotation rules (quotes.py). An edit
is built only from positions the prose map ties to the source, one character at a time, so a
fix can only change the marks a rule reported (and, for TY001, the spaces next to them).
"""

from __future__ import annotations

from functools import cached_property

from corpuslint.diagnostics import Edit
from corpuslint.document import Document
from corpuslint.markdown.prose import ProseBlock, prose_blocks
from corpuslint.rules.cjk_text import HAS_CJK, PLACEHOLDER, Masks, code_like_masks, is_cjk, mostly_latin


class CjkBlock:
    """A prose block with what in it is not Chinese prose (computed when first asked: most
    blocks have no mark a rule looks at)."""

    def __init__(self, block: ProseBlock, source: str) -> None:
        self.block = block
        self.source = source  # the document's text, which the block's map points into

    @cached_property
    def masks(self) -> Masks:
        block = self.block
        return code_like_masks(block.text, list(block.masked), getattr(block, "quote_depth", 0) > 0)

    @cached_property
    def cjk_text(self) -> bool:
        """Not mostly Latin: the block is CJK text."""
        return not mostly_latin(self.block.text)

    def masked(self, index: int) -> bool:
        return index in self.masks


def cjk_document(doc: Document) -> bool:
    """A document is CJK text when its prose as a whole is not mostly Latin."""
    cached = doc.cache.get("typography.cjk_document")
    if cached is None:
        cached = False
        if HAS_CJK.search(doc.body):
            cached = not mostly_latin("".join(block.text for block in prose_blocks(doc)))
        doc.cache["typography.cjk_document"] = cached
    return cached


def cjk_blocks(doc: Document) -> list[CjkBlock]:
    """Every prose block of a CJK document, in document order (none for other documents)."""
    cached = doc.cache.get("typography.cjk_blocks")
    if cached is None:
        cached = []
        if cjk_document(doc):
            cached = [CjkBlock(block, doc.text) for block in prose_blocks(doc)]
        doc.cache["typography.cjk_blocks"] = cached
    return cached


def location(doc: Document, block: ProseBlock, index: int) -> tuple[int, int] | None:
    source = block.source(index)
    return None if source < 0 else doc.position(source)


def _escape_start(item: CjkBlock, source: int) -> int:
    """Where the source form of the character at `source` starts: before its backslash when
    it is escaped (`\\"`, `\\(`), since a backslash before a full-width mark would be literal."""
    text = item.source
    slashes = 0
    while source - slashes > 0 and text[source - slashes - 1] == "\\":
        slashes += 1
    return source - 1 if slashes % 2 else source


def char_edit(item: CjkBlock, index: int, replacement: str) -> Edit | None:
    """Replace exactly the character at virtual position `index` (with its escaping
    backslash), if the source has it."""
    source = item.block.source(index)
    if source < 0:
        return None
    return Edit(_escape_start(item, source), source + 1, replacement)


def _joins(char: str | None) -> bool:
    """Spaces between a full-width mark and this character go (CJK, letters, digits, code)."""
    return char is not None and (is_cjk(char) or char.isalnum() or char == PLACEHOLDER)


def _space_bound(block: ProseBlock, index: int, step: int, origin: int) -> int:
    """The source offset where the spaces next to `index` (direction `step`) end, or the
    offset next to the mark itself when they must stay: only ASCII spaces that the prose
    maps contiguously to the source, on the mark's line, followed by a character that joins
    a full-width mark. Tabs, anchors (`{#id}`), line ends and other marks keep their spaces.
    `origin` is the mark's source offset."""
    own = origin if step < 0 else origin + 1
    text = block.text
    bound = own
    k = index + step
    while 0 <= k < len(text) and text[k] == " ":
        source = block.source(k)
        if source != (bound - 1 if step < 0 else bound):
            return own
        bound = source if step < 0 else source + 1
        k += step
    if bound == own:
        return own
    beyond = text[k] if 0 <= k < len(text) else None
    return bound if _joins(beyond) else own


def fullwidth_edit(item: CjkBlock, index: int, replacement: str, source: int | None = None) -> Edit | None:
    """Replace the mark at `index` (with its escaping backslash) and the plain spaces around it
    that a full-width mark makes redundant. `source`: the mark's source offset, if known."""
    block = item.block
    if source is None:
        source = block.source(index)
    if source < 0:
        return None
    text = block.text
    # (most marks have no space beside them and no backslash before them: no bound to look for)
    start = _space_bound(block, index, -1, source) if index and text[index - 1] == " " else source
    if start == source and source and item.source[source - 1] == "\\":
        start = _escape_start(item, source)
    next_index = index + 1
    end = (
        _space_bound(block, index, 1, source)
        if next_index < len(text) and text[next_index] == " "
        else source + 1
    )
    return Edit(start, end, replacement)
