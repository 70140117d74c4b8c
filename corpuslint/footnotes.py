"""The footnote index of a document: every reference and definition with its exact position.

`index(doc)` computes it once per document and keeps it in `doc.cache["footnotes"]`; the FN rules
and the link extractor share it.

Shape::

    FootnoteIndex
        references: tuple[Reference, ...]    # source order
        definitions: tuple[Definition, ...]  # source order
        fast: bool                           # True when the plain scan produced it

    Reference(label, key, offset, end, line, column)
    Definition(label, key, offset, content_start, end, line, column, end_line)

* `label` is the label's source text (`a\\+b` stays `a\\+b`); `key` is the label normalised the
  way cmark-gfm (GitHub) normalises link labels: surrounding whitespace stripped, internal runs
  of whitespace collapsed to one space, case folded. Two labels match when their keys are equal,
  so `[^Note]` cites `[^note]:`, but `[^a\\+b]` does not cite `[^a+b]:`.
* `offset`/`end` are offsets into `doc.text` of the `[` and just past the `]` of a reference;
  for a definition, `offset` is its `[` and `content_start` the offset just after `]:`.
* `line`/`column` are 1-based, columns in characters, of that `[` in the file (front matter
  included).
* A definition's `end` is where its source span ends (trailing blank lines excluded) and
  `end_line` the 1-based line of its last character: `doc.text[d.content_start:d.end]` is its
  raw Markdown, continuation paragraphs included. A nested definition (`[^a]:[^b]: x`) lies
  inside the span of the one around it.

`definitions(doc)` returns `index(doc).definitions`; the link extractor finds the URLs a footnote
cites in `doc.text[d.content_start:d.end]`, or in the block tokens of `doc.tokens` between the
`footnote_reference_open` whose `meta["offset"] + doc.body_offset == d.offset` and its close.

Two ways to build the index give the same answer:

* The full parse (markdown-it-py + mdit-py-plugins, `doc.tokens`), with the positions that
  `markdown.py` records on footnote tokens. Correct for every input: references in code spans,
  fences, indented code, HTML, autolinks, link destinations and after `\\` are not references.
* A plain scan (`fast_index(body)`), used only when the body holds nothing that could make the
  scan differ from the parse: no backtick, `~~~`, `\\`, `&`, `|`, tab or NUL; no `<` but in a
  line holding only an HTML comment (a suppression comment) and no `[^`; no `[^` in a
  block quote or its lazy continuation lines, nor in a list item's first line; no line indented
  by 4+ spaces; no indented definition, nor one whose text opens a block; no `]:` outside a
  definition's label; no link destination that could hold a reference; no reference followed
  by `(` (a link); with linkify, no URL right before a reference. Anything else falls back to
  the full parse. A property test checks that the two agree whenever the scan claims the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from corpuslint.lines import line_starts

if TYPE_CHECKING:
    from markdown_it.token import Token

    from corpuslint.document import Document

CACHE_KEY = "footnotes"

_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")


def normalize_label(label: str) -> str:
    """A label's matching key: stripped, whitespace runs collapsed, case folded (as cmark-gfm)."""
    return _WHITESPACE.sub(" ", label.strip(" \t\n\r\f\v")).casefold()


@dataclass(frozen=True)
class Reference:
    label: str
    key: str
    offset: int  # of "[" in doc.text
    end: int  # just past "]"
    line: int
    column: int


@dataclass(frozen=True)
class Definition:
    label: str
    key: str
    offset: int  # of "[" in doc.text
    content_start: int  # just past "]:"
    end: int  # end of the definition's source span (trailing blank lines excluded)
    line: int
    column: int
    end_line: int  # 1-based line of the span's last character


@dataclass(frozen=True)
class FootnoteIndex:
    references: tuple[Reference, ...]
    definitions: tuple[Definition, ...]
    fast: bool = False

    def same_as(self, other: FootnoteIndex) -> bool:
        return self.references == other.references and self.definitions == other.definitions


# Raw results, offsets into the body: references (offset, end), definitions (offset, end_line)
# where end_line is the 0-based line where the definition's block ends (exclusive).
_Raw = tuple[list[tuple[int, int]], list[tuple[int, int]]]


def index(doc: Document) -> FootnoteIndex:
    """The footnote index of `doc`, computed once (fast scan when safe, else the full parse)."""
    cached = doc.cache.get(CACHE_KEY)
    if cached is None:
        cached = build(doc)
        doc.cache[CACHE_KEY] = cached
    return cached


def definitions(doc: Document) -> tuple[Definition, ...]:
    """Every footnote definition of `doc` in source order (see the module docstring)."""
    return index(doc).definitions


def build(doc: Document, *, allow_fast: bool = True) -> FootnoteIndex:
    body = doc.body
    raw = fast_index(body, linkify=doc.linkify) if allow_fast else None
    fast = raw is not None
    if raw is None:
        raw = parsed_index(doc.tokens)
    return _assemble(doc, body, raw, fast)


# --- the full parse ---------------------------------------------------------------------------


def parsed_index(tokens: list[Token]) -> _Raw:
    refs: list[tuple[int, int]] = []
    defs: list[tuple[int, int]] = []

    def walk(items: list[Token]) -> None:
        for token in items:
            if token.type == "footnote_ref":
                if "offset" in token.meta:
                    refs.append((token.meta["offset"], token.meta["end"]))
            elif token.type == "footnote_reference_open" and token.map is not None:
                defs.append((token.meta["offset"], token.map[1]))
            if token.children:
                walk(token.children)

    walk(tokens)
    refs.sort()
    defs.sort()
    return refs, defs


# --- the plain scan ---------------------------------------------------------------------------

# Anything here sends the document to the full parse (besides the checks in fast_index).
_BLOCKING_CHARS = ("`", "\\", "&", "|", "\t", "\r", "\x00")  # code, escapes, entities, tables
# The one kind of HTML the scan accepts: a line holding only a comment (a suppression comment),
# an HTML block that ends on the line it starts.
_COMMENT_LINE = re.compile(r" {0,3}<!--[^<\n]*?-->[^<\n]*")
_INDENTED = re.compile(r"^(?: {4,}[^ \n]| {1,3}\[\^)", re.MULTILINE)  # indented code; indented definitions
# A block quote (maybe in a list item) and its lazy continuation lines, up to a blank line.
_QUOTE = re.compile(r" {0,3}(?:(?:[-+*]|[0-9]{1,9}[.)]) +)*>")
_BLANK_LINE = re.compile(r"\n *(?:\n|$)")
_CANDIDATE = re.compile(r"\[\^([^\] \n]*)(\]?)")
_LIST_ITEM = re.compile(r" {0,3}(?:[-+*]|[0-9]{1,9}[.)])(?: |$)")
# What a definition's first line may not start with (it would open a block inside it).
_BLOCK_START = re.compile(r" {4}|(?:#{1,6}|[-+*]|[0-9]{1,9}[.)])(?: |$)|([-*_])(?: *\1){2,} *$|>")
# Lines that end a definition's paragraph (they interrupt it).
_TERMINATOR = re.compile(
    r" {0,3}(?:>|<!--|#{1,6}(?: |$)|(?:[-+*]|[0-9]{1,9}[.)])(?: |$)|([-*_])(?: *\1){2,} *$|\[\^[^\] ]+\]:)"
)
_DESTINATION_BLOCKERS = re.compile(r"[\[(\"']")


def fast_index(body: str, *, linkify: bool = False) -> _Raw | None:
    """The references and definitions of `body` by a plain scan, or None when it is not safe.

    Offsets are into `body`; a definition's second item is the 0-based line where its block
    ends (exclusive), as markdown-it's token map has it.
    """
    if "[^" not in body:
        return [], []
    for text in _BLOCKING_CHARS:
        if text in body:
            return None
    if "~" in body and "~~~" in body:
        return None
    html = body.find("<")
    while html >= 0:
        line_start = body.rfind("\n", 0, html) + 1
        line_end = body.find("\n", html)
        line_end = len(body) if line_end < 0 else line_end
        if (
            not _COMMENT_LINE.fullmatch(body, line_start, line_end)
            or body.find("[^", line_start, line_end) >= 0
        ):
            return None
        html = body.find("<", line_end)
    if (body.startswith(" ") or "\n " in body) and _INDENTED.search(body):
        return None
    quote = body.find(">")
    while quote >= 0:
        line_start = body.rfind("\n", 0, quote) + 1
        match = _QUOTE.match(body, line_start)
        if match and match.end() == quote + 1:
            blank = _BLANK_LINE.search(body, quote)
            stop = blank.start() if blank else len(body)
            if body.find("[^", line_start, stop) >= 0:
                return None  # a reference or definition in a block quote or its lazy lines
            quote = body.find(">", stop)
        else:
            quote = body.find(">", quote + 1)
    # Link destinations: `](` must be followed by a plain destination closed on the same line.
    position = body.find("](")
    while position >= 0:
        close = body.find(")", position + 2)
        newline = body.find("\n", position + 2)
        if close < 0 or (0 <= newline < close):
            return None
        if _DESTINATION_BLOCKERS.search(body, position + 2, close):
            return None
        position = body.find("](", close)
    refs: list[tuple[int, int]] = []
    definitions: list[tuple[int, int]] = []  # (offset of "[", offset after "]:")
    for match in _CANDIDATE.finditer(body):
        if not match.group(2) or not match.group(1):
            continue  # "[^" then a space, a newline or the end: not a reference
        if "[" in match.group(1):
            return None
        start, end = match.start(), match.end()
        line_start = body.rfind("\n", 0, start) + 1
        if start == line_start and body.startswith(":", end):
            definitions.append((start, end + 1))
            continue
        if _LIST_ITEM.match(body, line_start):
            return None  # a reference (or a definition) in a list item's first line
        if body.startswith("(", end):
            return None  # `[^1](x)` is a link
        if linkify:
            run_start = max(body.rfind(" ", 0, start), line_start)
            if ":" in body[run_start:start]:
                return None  # a bare URL the linkify rule may extend over the reference
        refs.append((start, end))
    if body.count("]:") != len(definitions):
        return None  # a link reference definition, a nested definition, or "]:" in text
    if not definitions:
        return refs, []
    newlines = body.count("\n")
    last = body[body.rfind("\n") + 1 :]
    # markdown-it counts no line for a final line of only spaces (or nothing) without a newline
    count = newlines + 1 if last.strip(" ") else newlines
    defs: list[tuple[int, int]] = []
    line, counted = 0, 0
    for start, content in definitions:
        line += body.count("\n", counted, start)
        counted = start
        stop = body.find("\n", content)
        rest = body[content : (len(body) if stop < 0 else stop)]
        first = rest.lstrip(" ")
        if first and _BLOCK_START.match(rest if rest.startswith("    ") else first):
            return None
        next_start = len(body) + 1 if stop < 0 else stop + 1
        defs.append((start, _definition_end(body, count, line, next_start, bool(first))))
    return refs, defs


def _definition_end(body: str, count: int, line: int, position: int, has_content: bool) -> int:
    """The 0-based line where a definition starting on `line` ends (exclusive), as parsed.

    `position` is the offset of the next line. The definition's paragraph runs to a blank line
    or a line that interrupts it; then blank lines up to the next block belong to it.
    """
    j = line + 1
    if has_content:
        while j < count:
            stop = body.find("\n", position)
            text = body[position : (len(body) if stop < 0 else stop)]
            if not text.strip(" "):
                break
            if _TERMINATOR.match(text):
                return j
            j += 1
            position = len(body) + 1 if stop < 0 else stop + 1
    while j < count:
        stop = body.find("\n", position)
        if body[position : (len(body) if stop < 0 else stop)].strip(" "):
            break
        j += 1
        position = len(body) + 1 if stop < 0 else stop + 1
    return j


# --- assembling -------------------------------------------------------------------------------


def _assemble(doc: Document, body: str, raw: _Raw, fast: bool) -> FootnoteIndex:
    base = doc.body_offset
    body_line_starts = None
    references = []
    for start, end in raw[0]:
        label = body[start + 2 : end - 1]
        line, column = doc.position(base + start)
        references.append(Reference(label, normalize_label(label), base + start, base + end, line, column))
    definitions = []
    for start, end_line in raw[1]:
        close = body.index("]", start + 2)
        label = body[start + 2 : close]
        if body_line_starts is None:
            body_line_starts = line_starts(body)
        stop = body_line_starts[end_line] if end_line < len(body_line_starts) else len(body)
        while stop > close + 2 and body[stop - 1] in " \t\n":
            stop -= 1
        line, column = doc.position(base + start)
        last_line = doc.position(base + max(stop - 1, start))[0]
        definitions.append(
            Definition(
                label,
                normalize_label(label),
                base + start,
                base + close + 2,
                base + stop,
                line,
                column,
                last_line,
            )
        )
    return FootnoteIndex(tuple(references), tuple(definitions), fast)

