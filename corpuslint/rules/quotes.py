"""TY002 and TY004: quotation marks in the CJK prose of a document.

Chinese quotation practice, as TY002 reads it: `“` opens and `”` closes; quotes nest, with
`‘` `’` inside `“` `”` or with the same marks again (`“他说“WiFi”不好”`); a quotation over
several paragraphs opens on the first paragraph and on every following one (or only on the
first) and closes on the last; it may run through list items and block quotes, never through a
heading or a table cell. Marks are checked with a stack, so nesting is balanced, not
alternation; a fix is offered only when the intended pairing is certain.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from corpuslint.diagnostics import Edit, Fix, Problem, Severity
from corpuslint.document import Document
from corpuslint.registry import RuleContext, rule
from corpuslint.rules.cjk_prose import CjkBlock, char_edit, cjk_blocks, location
from corpuslint.rules.cjk_text import HAS_CJK, is_cjk_letter

_OPEN, _CLOSE = "“", "”"
_SINGLE_OPEN, _SINGLE_CLOSE = "‘", "’"
_LEADING_MARKUP = " \t*_>-~"
_STRAIGHT = re.compile('"')


_MARK_PATTERNS = {(_OPEN, _CLOSE): re.compile("[“”]"), (_SINGLE_OPEN, _SINGLE_CLOSE): re.compile("[‘’]")}


def _marks(item: CjkBlock, opening: str, closing: str) -> list[int]:
    text = item.block.text
    found = []
    for match in _MARK_PATTERNS[opening, closing].finditer(text):
        index = match.start()
        char = text[index]
        if not item.masked(index):
            if (
                char == "’"
                and 0 < index < len(text) - 1
                and text[index - 1].isalpha()
                and text[index + 1].isalpha()
            ):
                continue  # an apostrophe (`it’s`)
            found.append(index)
    return found


def _balance(text: str, marks: list[int], opening: str, stack: list) -> tuple[list, list[int]]:
    """Push opening marks, pop on closing ones. Returns (open marks left, unmatched closing)."""
    stack = list(stack)
    unmatched = []
    for index in marks:
        if text[index] == opening:
            stack.append(index)
        elif stack:
            stack.pop()
        else:
            unmatched.append(index)
    return stack, unmatched


@dataclass
class _Chain:
    """Paragraphs of a quotation still open at the end of the last one."""

    items: list[CjkBlock] = field(default_factory=list)
    depth: int = 0


def _continues(item: CjkBlock, marks: list[int], depth: int) -> int | None:
    """The open depth after `item` when it continues a quotation open `depth` deep, or None
    when it cannot (a closing mark with nothing open). A `“` that starts the paragraph re-opens
    the quotation (Chinese practice) rather than nesting."""
    text = item.block.text
    if marks and text[marks[0]] == _OPEN and not text[: marks[0]].strip(_LEADING_MARKUP):
        marks = marks[1:]
    for index in marks:
        if text[index] == _OPEN:
            depth += 1
        elif depth:
            depth -= 1
        else:
            return None
    return depth


def _kind(item: CjkBlock) -> str:
    return getattr(item.block, "kind", "paragraph")


def _double_quote_problems(doc: Document, items: list[CjkBlock]) -> Iterator[Problem]:
    chain = _Chain()
    for item in items:
        marks = _marks(item, _OPEN, _CLOSE)
        if chain.items:
            depth = _continues(item, marks, chain.depth) if _kind(item) == "paragraph" else None
            if depth is not None:
                chain.items.append(item)
                chain.depth = depth
                if depth == 0:
                    chain = _Chain()  # the quotation closed
                continue
            yield from _flush(doc, chain)
            chain = _Chain()
        if not marks:
            continue
        left, unmatched = _balance(item.block.text, marks, _OPEN, [])
        if left and not unmatched and _kind(item) == "paragraph":
            chain = _Chain([item], len(left))  # may go on in the next paragraphs
        elif left or unmatched:
            yield from _standalone(doc, item, marks, _OPEN, _CLOSE, "double", fixable=True)
    yield from _flush(doc, chain)


def _flush(doc: Document, chain: _Chain) -> Iterator[Problem]:
    """A quotation that never closed: report its paragraphs one by one, with fixes only when it
    was a single paragraph."""
    for item in chain.items:
        marks = _marks(item, _OPEN, _CLOSE)
        yield from _standalone(doc, item, marks, _OPEN, _CLOSE, "double", fixable=len(chain.items) == 1)


def _standalone(
    doc: Document, item: CjkBlock, marks: list[int], opening: str, closing: str, name: str, fixable: bool
) -> Iterator[Problem]:
    """Problems of one paragraph's marks taken alone."""
    block = item.block
    text = block.text
    left, unmatched = _balance(text, marks, opening, [])
    if not left and not unmatched:
        return
    chars = [text[i] for i in marks]
    certain = len(marks) % 2 == 0 and (len(set(chars)) == 1 or chars == [closing, opening])
    if certain:
        for position, index in enumerate(marks):
            expected = opening if position % 2 == 0 else closing
            if text[index] == expected:
                continue
            where = location(doc, block, index)
            if where is None:
                continue
            edit = char_edit(item, index, expected) if fixable else None
            fix = Fix(f"Replace `{text[index]}` with `{expected}`", (edit,)) if edit else None
            role = "opening" if expected == opening else "closing"
            message = f"`{text[index]}` used as an {role} {name} quotation mark; use `{expected}`"
            yield Problem(where[0], where[1], message, where[0], where[1] + 1, fix=fix)
        return
    if name == "single":
        return  # apostrophes make any other count of single marks too ambiguous to report
    culprit = unmatched[0] if unmatched else left[0]
    where = location(doc, block, culprit)
    if where is not None:
        message = f"unpaired {name} quotation mark `{text[culprit]}` in this paragraph"
        yield Problem(where[0], where[1], message, where[0], where[1] + 1)


@rule("TY002", "mismatched-quotes", severity=Severity.WARNING, fixable=True)
def mismatched_quotes(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Curly quotation marks that are unpaired or point the wrong way.

    ## What it does
    Checks that curly double quotes `“` `”` pair up the way Chinese text uses them: `“` opens,
    `”` closes, quotations may nest (`“他说‘好’”`, and `“…“WiFi”…”` with the same marks), and a
    quotation over several paragraphs opens on the first paragraph (and, usually, again on each
    following one) and closes on the last, through list items and block quotes but not through
    a heading or a table cell. A closing mark with nothing open or a quotation never closed is
    reported at that mark.

    The fix is offered only when the pairing is certain: one paragraph whose marks are all the
    same (`”叛逃”` → `“叛逃”`, `“你好“` → `“你好”`) or a single reversed pair (`”…“`). Anything
    else is reported without a fix. Single quotes `‘` `’` are checked the same way in a
    paragraph that has a `‘`, only for those certain cases; a `’` between two letters is an
    apostrophe (`it’s`). Straight quotes are TY004's.

    ## Why is this bad?
    A closing mark at the start of a quotation is a common input-method and scraping error; it
    reads as a typo and breaks search for the quoted phrase.

    ## Example
    ```markdown
    这是美国科技史上最大的一次”技术出轨”。
    ```

    Use instead:
    ```markdown
    这是美国科技史上最大的一次“技术出轨”。
    ```
    """
    if not HAS_CJK.search(doc.body):
        return
    items = cjk_blocks(doc)
    if not any("“" in i.block.text or "”" in i.block.text or "‘" in i.block.text for i in items):
        return
    problems = list(_double_quote_problems(doc, items))
    for item in items:
        if "‘" in item.block.text:
            marks = _marks(item, _SINGLE_OPEN, _SINGLE_CLOSE)
            problems += _standalone(doc, item, marks, _SINGLE_OPEN, _SINGLE_CLOSE, "single", True)
    problems.sort(key=lambda p: (p.line, p.column))
    yield from problems


# --- straight quotes ----------------------------------------------------------------------------


def _straight_pairs(item: CjkBlock) -> list[tuple[int, int]] | None:
    """The `"` pairs of a block in order, or None when the pairing is not certain (an odd
    count, or a mark that faces the wrong way: an opening one before a space, a closing one
    after a space)."""
    text = item.block.text
    found = [m.start() for m in _STRAIGHT.finditer(text) if not item.masked(m.start())]
    if not found or len(found) % 2:
        return None
    pairs = list(zip(found[::2], found[1::2], strict=True))
    for opening, closing in pairs:
        if closing == opening + 1 or text[opening + 1].isspace() or text[closing - 1].isspace():
            return None
    return pairs


def _around_cjk(text: str, opening: int, closing: int) -> bool:
    """The quoted text has a CJK letter, or is next to one on either side."""
    if HAS_CJK.search(text, opening + 1, closing):
        return True
    before = text[opening - 1] if opening else None
    after = text[closing + 1] if closing + 1 < len(text) else None
    return is_cjk_letter(before) or is_cjk_letter(after)


@rule("TY004", "straight-quotes-in-cjk", severity=Severity.WARNING, fixable=True)
def straight_quotes_in_cjk(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Straight double quotes around or next to Chinese text.

    ## What it does
    Reports a pair of straight quotes `"…"` in CJK text when the quoted text contains a CJK
    character or touches one (`称为"幽灵文字"`, `叫"ghost"的`), and fixes it to `“…”`. The
    pairing must be certain: the block has an even number of `"` outside code-like tokens,
    and each opening mark is followed, each closing mark preceded, by a non-space; otherwise
    nothing is reported. Quotes in code, HTML, shortcodes (`{{< x title="…" >}}`) and blocks
    that are mostly Latin script are left alone.

    ## Why is this bad?
    Chinese text quotes with `“` `”`; straight quotes are what an English keyboard or a
    scraper left, and they sit next to full-width punctuation with the wrong width.

    ## Example
    ```markdown
    这种现象被称为"幽灵文字"。
    ```

    Use instead:
    ```markdown
    这种现象被称为“幽灵文字”。
    ```
    """
    if '"' not in doc.body or not HAS_CJK.search(doc.body):
        return
    for item in cjk_blocks(doc):
        if '"' not in item.block.text or not item.cjk_text:
            continue
        pairs = _straight_pairs(item)
        if pairs is None:
            continue
        text = item.block.text
        for opening, closing in pairs:
            if not _around_cjk(text, opening, closing):
                continue
            where = location(doc, item.block, opening)
            if where is None:
                continue
            edits = (char_edit(item, opening, _OPEN), char_edit(item, closing, _CLOSE))
            fix = None
            if all(isinstance(e, Edit) for e in edits):
                fix = Fix("Replace the straight quotes with `“` `”`", tuple(e for e in edits if e))
            line, column = where
            yield Problem(
                line, column, 'straight quotes `"…"` in CJK text; use `“…”`', line, column + 1, fix=fix
            )
