"""TY rules: CJK typography in the prose of a document (punctuation width, quotation marks).

The rules look at prose only: the `text` tokens of markdown-it's inline tokens (paragraphs,
headings, table cells, footnote definitions). Code spans, fenced and indented code, HTML,
autolinks, link destinations, images and the front matter are never prose. Bare URLs, e-mail
addresses and domain paths inside prose are masked too.

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
from functools import lru_cache

from corpuslint.diagnostics import Edit, Fix, Problem, Severity
from corpuslint.document import Document
from corpuslint.registry import RuleContext, rule

# Han (BMP and the supplementary planes), kana. Hangul is left out on purpose: Korean uses
# half-width punctuation.
_CJK_LETTER = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\U00020000-\U0003134f"
HAS_CJK = re.compile(f"[{_CJK_LETTER}]")
# What counts as a CJK neighbour: CJK letters, CJK symbols and punctuation, full-width forms.
# (Compiled on first use: a class this large takes milliseconds, and most runs never need it.)
_CJK_CONTEXT_CHARS = f"{_CJK_LETTER}\u3000-\u303f\uff01-\uff60"


@lru_cache(maxsize=1)
def _cjk_context() -> re.Pattern:
    return re.compile(f"[{_CJK_CONTEXT_CHARS}]")


PLACEHOLDER = "\ue000"  # a code span, image, footnote reference, raw HTML or autolink

HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
FULL_TO_HALF = {v: k for k, v in HALF_TO_FULL.items()}
_SENTENCE_MARKS = ",:;!?"
_KIND = {
    ",": "comma",
    ":": "colon",
    ";": "semicolon",
    "!": "exclamation mark",
    "?": "question mark",
    "(": "parenthesis",
    ")": "parenthesis",
}

_URLISH = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//[^\s<>\"'，。、；：！？（）“”‘’《》【】]+"
    r"|\bwww\.[^\s<>\"'，。、；：！？（）“”‘’《》【】]+"
    r"|[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
    r"|\b[\w\-]+(?:\.[\w\-]+)+/[^\s<>\"'，。、；：！？（）“”‘’《》【】]*"
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_PUNCT = re.compile(r"[,:;!?()（）]")
_FULL_SENTENCE = re.compile(r"[，：；！？（）]")


def is_cjk(char: str | None) -> bool:
    return char is not None and _cjk_context().match(char) is not None


@dataclass
class ProseBlock:
    """The prose of one inline token."""

    text: str  # the virtual string
    starts: list[int] = field(default_factory=list)  # virtual start of each mapped run
    sources: list[int] = field(default_factory=list)  # doc.text offset of each mapped run
    lengths: list[int] = field(default_factory=list)
    masked: list[tuple[int, int]] = field(default_factory=list)  # URL-like ranges

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
    for token in doc.tokens:
        if token.type != "inline" or token.map is None or not token.children:
            continue
        first, last = token.map[0] + base_line, token.map[1] + base_line
        begin = line_starts[first] if first < len(line_starts) else len(text)
        end = line_starts[last] - 1 if last < len(line_starts) else len(text)
        cursor = max(begin, row_cursor.get(first, begin))
        block = ProseBlock("")
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


# --- shared analysis ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """A half-width mark in CJK context (TY001) with its fix."""

    block: ProseBlock
    index: int  # virtual position
    char: str
    edit: Edit | None


def _neighbour(text: str, index: int, step: int, skip: str = " \t") -> str | None:
    index += step
    while 0 <= index < len(text):
        char = text[index]
        if char == "\n":
            return None
        if char not in skip:
            return char
        index += step
    return None


def _space_run(block: ProseBlock, index: int, step: int) -> int:
    """Offset bound of the mapped spaces next to virtual position `index` (in direction `step`)."""
    origin = block.source(index)
    bound = origin if step < 0 else origin + 1
    k = index + step
    while 0 <= k < len(block.text) and block.text[k] in " \t":
        source = block.source(k)
        expected = bound - 1 if step < 0 else bound
        if source != expected:
            break
        bound = source if step < 0 else source + 1
        k += step
    return bound


def _fix_edit(block: ProseBlock, index: int, replacement: str, before: bool, after: bool) -> Edit | None:
    source = block.source(index)
    if source < 0:
        return None
    start = _space_run(block, index, -1) if before else source
    stop = _space_run(block, index, 1) if after else source + 1
    return Edit(start, stop, replacement)


# --- cheap pre-checks on the source (no parse, no prose map) ----------------------------------
#
# Sound over-approximations: when they say "nothing here", the prose map could not hold what
# the rule looks for (tests/test_typography.py checks this against the full path with
# hypothesis). When they say "maybe", the full path decides.

# One pass finds what matters: a footnote definition's `[^label]:` at the start of a line (its
# text starts after the colon); `](destination)` with a plain destination, a link's or an
# image's, which is not prose (or, where it is literal text, a pair `(...)` without CJK after a
# `]` or a placeholder, which is never converted); any other half-width mark or parenthesis.
_DEF_MARKER = r" {0,3}\[\^[^\]\s]+\]:"
_FIRST_DEF_MARKER = re.compile(_DEF_MARKER)
# (printable ASCII but for quotes, parentheses, angle brackets, square brackets and backslash;
# only ASCII: a class with the CJK ranges takes milliseconds to compile at start-up)
_DESTINATION_CHARS = "[!#-&*-;=?-Z^-~]"
_SCAN_PATTERN = rf"\]\({_DESTINATION_CHARS}*\)|\n{_DEF_MARKER}|[,:;!?()]"
# Characters that may disappear between a mark and its neighbour in the prose (spaces and marks,
# which the rule skips too; emphasis, strikethrough, link brackets, escapes): a mark is a
# candidate when the first other character on either side is CJK.
_TRANSPARENT = frozenset(" \t,:;!?*_~[]\\")


@lru_cache(maxsize=1)
def _slow_path_scan() -> re.Pattern:
    """Compiled on first use: most documents never need it."""
    return re.compile(_SCAN_PATTERN)


_PLAIN_DESTINATION = re.compile(rf"\]\({_DESTINATION_CHARS}*\)")
_DEF_MARKER_LINE = re.compile(rf"\n{_DEF_MARKER}")
# An autolink whose characters are never CJK, marks or parentheses: a placeholder in the prose,
# and where it is literal text, its colons have no CJK or parenthesis next to them.
# (printable ASCII but for angle brackets, parentheses and `,;!?`)
_PLAIN_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.\-]{1,31}:[\x22-\x27*+\x2d-\x3a=\x40-\x7e]*>")


# A line before a definition's `[^n]:` (up to the blank line above) after which the marker is
# sure to start a definition: not a table row, block quote, list item or indented line (a
# table or a block quote's lazy continuation would take the marker in as text), nor a
# definition whose text opens one of those blocks.
_OPENS_BLOCK = r"(?![ \t>*+\-`~<=]|[0-9]{1,9}[.)])"
_SAFE_LINE_BEFORE_DEFINITION = re.compile(
    rf"\[\^[^\]\s]+\]: ?{_OPENS_BLOCK}[^|\n]*|(?!\[\^[^\]\s]+\]:){_OPENS_BLOCK}[^|\n]*"
)


def _definition_colons(body: str) -> int | None:
    """How many `:` of `body` are in footnote definitions' markers; None when one of the markers
    may not start a definition (see _SAFE_LINE_BEFORE_DEFINITION)."""
    count = 1 if _FIRST_DEF_MARKER.match(body) else 0
    checked = 0  # body[:checked] is known to be fine
    for match in _DEF_MARKER_LINE.finditer(body):
        index = match.start()
        blank = body.rfind("\n\n", 0, index + 1)
        run_start = blank + 2 if blank >= 0 else 0
        for line in body[max(run_start, checked) : index].split("\n"):
            if line and not _SAFE_LINE_BEFORE_DEFINITION.fullmatch(line):
                return None
        checked = index
        count += 1
    return count


def may_have_halfwidth_marks(body: str) -> bool:
    """False only when TY001 cannot find a half-width mark in CJK context in `body`'s prose."""
    if "&" in body and _ENTITY.search(body):
        return True  # an entity may decode to a mark (or to a CJK character)
    if "," not in body and ";" not in body and "!" not in body and "?" not in body:
        # Usually every `:`, `(` and `)` is in a link destination or a definition's `[^n]:`:
        # count them (str.count is much faster than a scan) and skip the scan when they add up.
        colons, opens, closes = body.count(":"), body.count("("), body.count(")")
        if opens or closes:
            for match in _PLAIN_DESTINATION.finditer(body):
                colons -= match.group().count(":")
                opens -= 1
                closes -= 1
        if colons and "<" in body:
            for match in _PLAIN_AUTOLINK.finditer(body):
                colons -= match.group().count(":")
        if colons:
            markers = _definition_colons(body)
            if markers is None:
                return True
            colons -= markers
        if not (colons or opens or closes):
            return False
    if _definition_colons(body) is None:
        return True
    first = _FIRST_DEF_MARKER.match(body)
    size = len(body)
    # (a half-width parenthesis next to a mark matters only if converted, and then the
    # parenthesis itself returns True: CJK neighbours are enough here)
    scan, near_trigger = _slow_path_scan(), _cjk_context()
    for match in scan.finditer(body, first.end() if first else 0):
        index = match.start()
        char = body[index]
        if char == "]":
            continue  # a plain link destination
        if char == "\n":
            continue  # a definition's marker (checked by _definition_colons)
        if char in "()":
            if _parenthesis_may_convert(body, index):
                return True
            continue
        if char == ":" and index and body[index - 1] == "]":
            return True  # a link reference definition: `[x][ref]` would hide `[ref]` from the prose
        left = _skip_left(body, index - 1, 0)
        if left >= 0 and near_trigger.match(body, left):
            return True
        right = _skip_right(body, index + 1, size)
        if right < size and near_trigger.match(body, right):
            return True
    return False


def _skip_left(body: str, index: int, stop: int) -> int:
    """From `index` leftwards, the first character that is not _TRANSPARENT nor part of a plain
    link destination (which is not in the prose); -1 when there is none from `stop` on."""
    while index >= stop:
        char = body[index]
        if char in _TRANSPARENT:
            index -= 1
            continue
        if char == ")":
            opening = body.rfind("](", stop, index)
            if opening >= 0 and _PLAIN_DESTINATION.fullmatch(body, opening, index + 1):
                index = opening - 1  # (its `]` is transparent too)
                continue
        return index
    return -1


def _skip_right(body: str, index: int, stop: int) -> int:
    """Rightwards, as _skip_left; `stop` when there is no such character before it."""
    while index < stop:
        char = body[index]
        if char in _TRANSPARENT:
            if char == "]" and body.startswith("](", index):
                destination = _PLAIN_DESTINATION.match(body, index)
                if destination is not None:
                    index = destination.end()
                    continue
            index += 1
            continue
        return index
    return stop


# On a line with a half-width parenthesis, what may hide a parenthesis from the prose (code spans,
# HTML and autolinks, image descriptions, entities, escapes): then its pair is not the one the
# source shows.
_PAREN_LINE_BLOCKERS = ("`", "<", "![", "&", "\\")
_PAREN_IN_FOOTNOTE_LABEL = re.compile(r"\[\^[^\]\n]*[()（）]")
_ANY_PARENTHESIS = re.compile(r"[()（）]")


def _parenthesis_may_convert(body: str, index: int) -> bool:
    """False only when the half-width parenthesis at `index` is in a pair TY001 leaves alone:
    `(` and `)` on one line with no other parenthesis between them, no CJK letter inside and no
    CJK before the `(`, on a line where nothing can hide a parenthesis from the prose."""
    line_start = body.rfind("\n", 0, index) + 1
    line_end = body.find("\n", index)
    line_end = len(body) if line_end < 0 else line_end
    line = body[line_start:line_end]
    if any(blocker in line for blocker in _PAREN_LINE_BLOCKERS):
        return True
    if "](" in line and "](" in _PLAIN_DESTINATION.sub("]", line):
        return True  # a destination (or title) that may hold a parenthesis
    if "[^" in line and _PAREN_IN_FOOTNOTE_LABEL.search(line):
        return True  # a footnote label is not prose
    if body[index] == ")":
        before = [m.start() for m in _ANY_PARENTHESIS.finditer(body, line_start, index)]
        return not before or body[before[-1]] != "("  # (the pair is judged at its `(`)
    closing = _ANY_PARENTHESIS.search(body, index + 1, line_end)
    if closing is None or closing.group() != ")":
        return True
    if HAS_CJK.search(body, index + 1, closing.start()):
        return True
    left = _skip_left(body, index - 1, line_start)
    return left >= 0 and _cjk_context().match(body, left) is not None


# On a line with curly double quotes, what may hide a quotation mark from the prose (code spans,
# HTML and autolinks, entities, escapes, table cells, image descriptions, reference labels).
_QUOTE_LINE_BLOCKERS = ("`", "<", "&", "\\", "|", "![", "][")
_QUOTE_IN_FOOTNOTE_LABEL = re.compile(r"\[\^[^\]\n]*[“”]")


def quotes_may_be_mismatched(body: str, linkify: bool = False) -> bool:
    """False only when TY002 cannot report anything in `body`.

    A paragraph (heading, table cell) is made of whole lines, or of the text part of one line
    (after a heading's `#`, a list or quote marker, a definition's `[^n]:`). So when on every
    line the double quotes alternate `“` `”` `“` `”` ... and end closed, and nothing on such a
    line can hide a quotation mark from the prose, every paragraph alternates too. Single quotes
    (apostrophes are told apart by their neighbours in the prose) go to the full check.
    """
    if "‘" in body:
        return True
    if "&" in body and _ENTITY.search(body):
        return True  # `&ldquo;` is a quotation mark in the prose
    if "“" not in body and "”" not in body:
        return False
    for line in body.split("\n"):
        if "“" not in line and "”" not in line:
            continue
        if any(blocker in line for blocker in _QUOTE_LINE_BLOCKERS):
            return True
        if "[^" in line and _QUOTE_IN_FOOTNOTE_LABEL.search(line):
            return True  # a footnote label is not prose
        if "](" in line and "](" in _PLAIN_DESTINATION.sub("]", line):
            return True  # a destination or title that may hold a quotation mark
        if linkify and ("://" in line or "www." in line or "@" in line):
            return True  # a bare URL becomes a placeholder
        expected = "“"
        for char in line:
            if char == "“" or char == "”":
                if char != expected:
                    return True
                expected = "”" if char == "“" else "“"
        if expected != "“":
            return True
    return False


def halfwidth_marks(doc: Document) -> list[Mark]:
    """Every half-width `,:;!?()` in CJK context (what TY001 reports), in document order."""
    cached = doc.cache.get("typography.halfwidth")
    if cached is not None:
        return cached
    marks: list[Mark] = []
    body = doc.body
    if HAS_CJK.search(body) and may_have_halfwidth_marks(body):
        for block in prose_blocks(doc):
            marks.extend(_block_marks(block))
    marks.sort(key=lambda m: m.block.source(m.index))
    doc.cache["typography.halfwidth"] = marks
    return marks


def _neighbour_index(text: str, index: int, step: int, skip: str) -> int:
    index += step
    while 0 <= index < len(text):
        char = text[index]
        if char == "\n":
            return -1
        if char not in skip:
            return index
        index += step
    return -1


def _block_marks(block: ProseBlock) -> Iterator[Mark]:
    text = block.text
    if not HAS_CJK.search(text):
        return
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    sentence: list[int] = []
    for match in _PUNCT.finditer(text):
        index = match.start()
        if block.is_masked(index):
            continue
        char = text[index]
        if char in "(（":
            stack.append(index)
        elif char in ")）":
            if stack:
                pairs.append((stack.pop(), index))
        else:
            sentence.append(index)
    # Parentheses first: a pair that becomes full-width is CJK context for the marks next to it.
    converted: set[int] = set()
    for opening, closing in pairs:
        inside = text[opening + 1 : closing]
        if (
            HAS_CJK.search(inside)
            or is_cjk(_neighbour(text, opening, -1))
            or (text[opening] == "（" or text[closing] == "）")
        ):
            converted.update((opening, closing))
    skip = " \t" + _SENTENCE_MARKS
    for index in sentence:
        char = text[index]
        prev_char = text[index - 1] if index else ""
        next_char = text[index + 1] if index + 1 < len(text) else ""
        if char in ",:" and prev_char.isdigit() and next_char.isdigit():
            continue  # 3,000 and 10:30
        if any(
            near >= 0 and (is_cjk(text[near]) or near in converted)
            for near in (_neighbour_index(text, index, -1, skip), _neighbour_index(text, index, 1, skip))
        ):
            yield Mark(block, index, char, _fix_edit(block, index, HALF_TO_FULL[char], True, True))
    for index in sorted(converted):
        char = text[index]
        if char in "()":
            yield Mark(block, index, char, _fix_edit(block, index, HALF_TO_FULL[char], True, True))


def _location(doc: Document, block: ProseBlock, index: int) -> tuple[int, int] | None:
    source = block.source(index)
    return None if source < 0 else doc.position(source)


# --- the rules ----------------------------------------------------------------------------------


@rule("TY001", "halfwidth-punctuation-in-cjk", severity=Severity.WARNING, fixable=True)
def halfwidth_punctuation_in_cjk(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Half-width punctuation in Chinese or Japanese text.

    ## What it does
    Reports a half-width `,` `:` `;` `!` `?` `(` `)` next to a CJK character (spaces between do
    not matter) and fixes it to the full-width form (`，` `：` `；` `！` `？` `（` `）`), removing
    the spaces around it.

    Left alone: numbers (`3,000`, `10:30`), URLs, e-mail addresses, code spans and blocks, HTML,
    link destinations, and Latin text whose marks have no CJK neighbour (`Hello, world`).

    Parentheses are converted as a pair, following zhlint: when the text inside contains a CJK
    character (`面子(GPT 系列)` → `面子（GPT 系列）`), when the character before the opening one is
    CJK (`通用人工智能(AGI)` → `通用人工智能（AGI）`), or when the other one of the pair is already
    full-width. Parentheses around Latin text after Latin text stay half-width
    (`Claude 3 (Opus) 发布`): that is the conservative choice where the two conventions
    disagree. An unpaired parenthesis is not reported.

    ## Why is this bad?
    Chinese typography uses full-width punctuation; half-width marks squeezed between Han
    characters look cramped and mark text pasted from an English keyboard or a scraper.

    ## Example
    ```markdown
    昨晚,微软正式推出新产品:Copilot。
    ```

    Use instead:
    ```markdown
    昨晚，微软正式推出新产品：Copilot。
    ```
    """
    if not HAS_CJK.search(doc.body):
        return
    for mark in halfwidth_marks(doc):
        where = _location(doc, mark.block, mark.index)
        if where is None:
            continue
        line, column = where
        full = HALF_TO_FULL[mark.char]
        fix = Fix(f"Replace `{mark.char}` with `{full}`", (mark.edit,)) if mark.edit else None
        yield Problem(
            line,
            column,
            f"half-width {_KIND[mark.char]} `{mark.char}` in CJK text; use `{full}`",
            line,
            column + 1,
            fix=fix,
        )


_DOUBLE = ("“", "”")
_SINGLE = ("‘", "’")


@rule("TY002", "mismatched-quotes", severity=Severity.WARNING, fixable=True)
def mismatched_quotes(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Curly quotation marks that are unpaired or point the wrong way.

    ## What it does
    Within each paragraph (heading, table cell), curly double quotes `“` `”` must alternate
    opening, closing, opening, ... and so must single quotes `‘` `’`. A closing mark used as an
    opening one (`”叛逃”`), or the reverse, is reported at the offending mark. When the paragraph
    has an even number of marks the intent is unambiguous and the fix rewrites them in
    alternation (`”叛逃”` → `“叛逃”`); an odd number is reported (at the mark left unpaired)
    without a fix.

    Single quotes are checked only in a paragraph that has at least one `‘`, and a `’` between
    two letters (`it’s`) is an apostrophe, not a quotation mark. Straight quotes (`"`) are not
    checked. Only documents with CJK text are checked.

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
    body = doc.body
    if not HAS_CJK.search(body) or not quotes_may_be_mismatched(body, doc.linkify):
        return
    for block in prose_blocks(doc):
        text = block.text
        if "“" in text or "”" in text:
            yield from _check_quotes(doc, block, _DOUBLE, "double")
        if "‘" in text:
            yield from _check_quotes(doc, block, _SINGLE, "single")


def _check_quotes(doc: Document, block: ProseBlock, marks: tuple[str, str], name: str) -> Iterator[Problem]:
    opening, closing = marks
    text = block.text
    found: list[int] = []
    for index, char in enumerate(text):
        if char != opening and char != closing:
            continue
        if block.is_masked(index):
            continue
        if (
            char == "’"
            and index
            and index + 1 < len(text)
            and text[index - 1].isalpha()
            and text[index + 1].isalpha()
        ):
            continue  # an apostrophe
        found.append(index)
    if len(found) % 2 == 0:
        for position, index in enumerate(found):
            expected = opening if position % 2 == 0 else closing
            if text[index] == expected:
                continue
            where = _location(doc, block, index)
            if where is None:
                continue
            line, column = where
            role = "opening" if expected == opening else "closing"
            fix = Fix(
                f"Replace `{text[index]}` with `{expected}`",
                (Edit(block.source(index), block.source(index) + 1, expected),),
            )
            yield Problem(
                line,
                column,
                f"`{text[index]}` used as an {role} {name} quotation mark; use `{expected}`",
                line,
                column + 1,
                fix=fix,
            )
        return
    if name == "single":
        return  # apostrophes make an odd count of single marks too ambiguous to report
    # An odd number: report the first mark that cannot be paired, without a fix.
    open_at = None
    culprit = None
    for index in found:
        if text[index] == opening:
            if open_at is not None:
                culprit = open_at  # opened again before it was closed
                break
            open_at = index
        elif open_at is None:
            culprit = index  # closes nothing
            break
        else:
            open_at = None
    else:
        culprit = open_at
    if culprit is None:
        return
    where = _location(doc, block, culprit)
    if where is None:
        return
    line, column = where
    yield Problem(
        line, column, f"unpaired {name} quotation mark `{text[culprit]}` in this paragraph", line, column + 1
    )


@rule("TY003", "mixed-punctuation-width", severity=Severity.WARNING)
def mixed_punctuation_width(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Full-width and half-width forms of the same punctuation mixed in one document's CJK text.

    ## What it does
    Counts, per mark, the full-width forms (`，` `：` `；` `！` `？` `（` `）`) in the prose and the
    half-width forms in CJK context (what TY001 reports). When a mark is used in both forms, it
    reports once per document, at the first occurrence of the less frequent form, with the
    counts. There is no automatic fix: TY001 fixes the half-width marks one by one.

    ## Why is this bad?
    A document that uses both `，` and `,` between Chinese characters was usually assembled
    from several sources; the mix is visible to readers and hints at other pasting damage.

    ## Example
    ```markdown
    微软推出了新产品，用户反应热烈,股价上涨。
    ```
    reports `mixed punctuation width in CJK text: comma 1 full-width, 1 half-width`.
    """
    if not HAS_CJK.search(doc.body):
        return
    half: dict[str, list[tuple[ProseBlock, int]]] = {}
    for mark in halfwidth_marks(doc):
        half.setdefault(_KIND[mark.char], []).append((mark.block, mark.index))
    if not half:
        return
    full: dict[str, list[tuple[ProseBlock, int]]] = {}
    for block in prose_blocks(doc):
        if not HAS_CJK.search(block.text):
            continue
        for match in _FULL_SENTENCE.finditer(block.text):
            if not block.is_masked(match.start()):
                full.setdefault(_KIND[FULL_TO_HALF[match.group()]], []).append((block, match.start()))
    mixed = [kind for kind in half if kind in full]
    if not mixed:
        return
    half_total = sum(len(half[k]) for k in mixed)
    full_total = sum(len(full[k]) for k in mixed)
    minority = half if half_total <= full_total else full
    candidates = []
    for kind in mixed:
        for block, index in minority[kind]:
            source = block.source(index)
            if source >= 0:
                candidates.append(source)
    if not candidates:
        return
    line, column = doc.position(min(candidates))
    counts = ", ".join(
        f"{kind} {len(full[kind])} full-width, {len(half[kind])} half-width" for kind in sorted(mixed)
    )
    form = "half-width" if minority is half else "full-width"
    yield Problem(
        line,
        column,
        f"mixed punctuation width in CJK text: {counts} (first {form} one here)",
        line,
        column + 1,
    )
