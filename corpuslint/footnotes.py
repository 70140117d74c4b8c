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
  scan differ from the parse. It first masks what is opaque to references, keeping offsets:
  fenced blocks whose opening fence (no pipe in it) starts at column 0; code spans, when every
  backtick run outside those blocks and comment lines closes on its own line (then every
  paragraph pairs its runs the same way, whatever the block structure); autolinks
  `<http(s):...>` without a backtick or pipe. Then, on the masked text: no `\\`, `&`, tab or NUL
  and no other `~~~`; no `<` but in a line holding only an HTML comment (a suppression comment)
  and no `[^`; no line indented by 4+ spaces; in a block quote and its lazy continuation lines,
  no definition (nor `]:`) and no quoted line holding `[^` that opens indented code or a list
  item; no `[^` in a list item's first line; no indented definition, nor one whose text opens a
  block; no definition in a run of non-blank lines holding a pipe (a table takes it as a row); no
  line holding a pipe and a backtick (a row splits code spans); no `]:` outside a definition's
  label (counted with code spans unmasked); no link destination that could hold a reference or
  a masked character; no reference followed by `(` (a link), none whose label holds a masked
  character (labels are read raw) or a pipe; with linkify, no code span, fence or table and no
  URL right before a reference. Anything else falls back to the full parse. Property tests check
  that the two agree whenever the scan claims the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

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
_BLOCKING_CHARS = ("\\", "&", "\t", "\r", "\x00")  # escapes, entities, tabs; NUL marks fences below
# The one kind of HTML the scan accepts: a line holding only a comment (a suppression comment),
# an HTML block that ends on the line it starts.
_COMMENT_LINE = re.compile(r" {0,3}<!--[^<\n]*?-->[^<\n]*")
_INDENTED = re.compile(r"^(?: {4,}[^ \n]| {1,3}\[\^)", re.MULTILINE)  # indented code; indented definitions
# A block quote (maybe in a list item) and its lazy continuation lines, up to a blank line.
_QUOTE = re.compile(r" {0,3}(?:(?:[-+*]|[0-9]{1,9}[.)]) +)*>")
_QUOTE_MARKERS = re.compile(r"(?: {0,3}> ?)+")
_BLANK_LINE = re.compile(r"\n *(?:\n|$)")
_CANDIDATE = re.compile(r"\[\^([^\] \n]*)(\]?)")
_LIST_ITEM = re.compile(r" {0,3}(?:[-+*]|[0-9]{1,9}[.)])(?: |$)")
# What a definition's first line may not start with (it would open a block inside it).
_BLOCK_START = re.compile(r" {4}|(?:#{1,6}|[-+*]|[0-9]{1,9}[.)])(?: |$)|([-*_])(?: *\1){2,} *$|>")
# Lines that end a definition's paragraph (they interrupt it); NUL is a fenced block's opening.
_TERMINATOR = re.compile(
    r" {0,3}(?:>|<!--|\x00|#{1,6}(?: |$)|(?:[-+*]|[0-9]{1,9}[.)])(?: |$)|([-*_])(?: *\1){2,} *$|\[\^[^\] ]+\]:)"
)
_DESTINATION_BLOCKERS = re.compile(r"[\[(\"'`<|]")
# A fenced code block the scan takes opens at column 0: no container (list item, block quote,
# definition) holds a line starting at column 0 with a fence, and a fence interrupts any
# paragraph, table or lazy continuation, so the block is at the top level and runs to a closing
# fence (the same character, at least as long, indented up to 3 spaces) or to the end. Not with
# a pipe: followed by a delimiter row, the line is a table's header (markdown-it tries tables
# first).
_FENCE_OPEN = re.compile(r"^(?:(`{3,})[^`|\n]*|(~{3,})[^|\n]*)$", re.MULTILINE)
_NOT_NEWLINE = re.compile(r"[^\n]")
_BACKTICKS_OR_LT = re.compile(r"`+|<")
# An autolink markdown-it takes in any context (http and https pass validateLink); without a
# backtick (it would compete with a code span) or a pipe (a table row splits cells at pipes).
_AUTOLINK = re.compile(r"<[Hh][Tt][Tt][Pp][Ss]?:[^<>\x00-\x20`|]*>")
_DEFINITION_LINE = re.compile(r"^\[\^[^\] \n]+\]:", re.MULTILINE)
_RUNS: dict[int, re.Pattern[str]] = {}
_CLOSING_FENCES: dict[str, re.Pattern[str]] = {}


def _run_of(length: int) -> re.Pattern[str]:
    """A run of exactly `length` backticks."""
    pattern = _RUNS.get(length)
    if pattern is None:
        pattern = _RUNS[length] = re.compile(rf"(?<!`)`{{{length}}}(?!`)")
    return pattern


def _mask_fences(body: str) -> str:
    """`body` with each fenced block opening at column 0 masked, offsets and newlines kept: its
    first character becomes NUL (a line that interrupts a paragraph, see _TERMINATOR), the rest
    of the block spaces (blank lines)."""
    pieces: list[str] = []
    done = 0
    for fence in _FENCE_OPEN.finditer(body):
        start = fence.start()
        if start < done:
            continue  # inside the previous block
        mark = fence.group(1) or fence.group(2)
        closing = _CLOSING_FENCES.get(mark)
        if closing is None:
            closing = _CLOSING_FENCES[mark] = re.compile(
                rf"^ {{0,3}}{re.escape(mark[0])}{{{len(mark)},}} *$", re.MULTILINE
            )
        close = closing.search(body, fence.end() + 1) if fence.end() < len(body) else None
        stop = close.end() if close else len(body)
        pieces.append(body[done:start])
        pieces.append("\x00" + _NOT_NEWLINE.sub(" ", body[start + 1 : stop]))
        done = stop
    if not pieces:
        return body
    pieces.append(body[done:])
    return "".join(pieces)


def _mask_inline(text: str) -> str | None:
    """`text` with code spans and autolinks replaced by `x`s (offsets kept), or None.

    Code spans are taken only when every backtick run (outside fenced blocks and comment lines)
    closes on its own line. markdown-it pairs a run with the next run of the same length in the
    same paragraph (else the run is text); when every line pairs up by itself, every paragraph
    pairs up the same way, whatever the block structure. Runs and `<` are taken left to right,
    as the inline parser meets them. What could take a backtick before the code span rule is
    refused: raw HTML and other `<` (here), escapes, link destinations and titles, footnote
    labels (fast_index). A line holding a pipe and a backtick is refused: a table row is split
    at every pipe, in code spans too.
    """
    pieces: list[str] = []
    done = position = 0
    search = _BACKTICKS_OR_LT.search
    while True:
        found = search(text, position)
        if found is None:
            break
        start = found.start()
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        line_end = len(text) if line_end < 0 else line_end
        if _COMMENT_LINE.fullmatch(text, line_start, line_end):
            position = line_end  # an HTML block: text, checked by fast_index
            continue
        if found.group() == "<":
            link = _AUTOLINK.match(text, start)
            if link is None:
                return None
            stop = link.end()
        else:
            if text.find("|", line_start, line_end) >= 0:
                return None
            close = _run_of(found.end() - start).search(text, found.end(), line_end)
            if close is None:
                return None  # a literal run, or a code span across lines
            stop = close.end()
        pieces.append(text[done:start])
        pieces.append("x" * (stop - start))
        done = position = stop
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def _quoted_references_are_plain(text: str, start: int, stop: int) -> bool:
    """Whether the references in the block quote text[start:stop] (lines from a quote marker to
    a blank line, lazy continuation lines included) are references where they stand.

    A quoted line's text after its markers may not open indented code (4 spaces) or a list
    item (whose first line might too); no definition (or `]:`) may stand in the quote. Lazy
    lines are a paragraph's continuation or blocks of their own; fast_index checks those as it
    checks any line.
    """
    if text.find("]:", start, stop) >= 0:
        return False
    line_start = start
    while line_start < stop:
        line_end = text.find("\n", line_start, stop)
        line_end = stop if line_end < 0 else line_end
        if text.find("[^", line_start, line_end) >= 0:
            markers = _QUOTE_MARKERS.match(text, line_start, line_end)
            if markers and markers.end() > line_start:
                inner = markers.end()
                if text.startswith("    ", inner) or _LIST_ITEM.match(text, inner, line_end):
                    return False
        line_start = line_end + 1
    return True


def fast_index(body: str, *, linkify: bool = False) -> _Raw | None:
    """The references and definitions of `body` by a plain scan, or None when it is not safe.

    Offsets are into `body`; a definition's second item is the 0-based line where its block
    ends (exclusive), as markdown-it's token map has it.
    """
    if "[^" not in body:
        return [], []
    for blocking in _BLOCKING_CHARS:
        if blocking in body:
            return None
    fenced = text = body
    if linkify:
        if "`" in body or "|" in body or "~~~" in body:
            return None  # code, fences and tables are taken without linkify only
    else:
        if "```" in body or "~~~" in body:
            fenced = text = _mask_fences(body)
        if "`" in text or "<" in text:
            masked = _mask_inline(text)
            if masked is None:
                return None
            text = masked
    if "~~~" in text:
        return None
    html = text.find("<")
    while html >= 0:
        line_start = text.rfind("\n", 0, html) + 1
        line_end = text.find("\n", html)
        line_end = len(text) if line_end < 0 else line_end
        if (
            not _COMMENT_LINE.fullmatch(text, line_start, line_end)
            or text.find("[^", line_start, line_end) >= 0
        ):
            return None
        html = text.find("<", line_end)
    if (text.startswith(" ") or "\n " in text) and _INDENTED.search(text):
        return None
    quote = text.find(">")
    while quote >= 0:
        line_start = text.rfind("\n", 0, quote) + 1
        match = _QUOTE.match(text, line_start)
        if match and match.end() == quote + 1:
            blank = _BLANK_LINE.search(text, quote)
            stop = blank.start() if blank else len(text)
            if text.find("[^", line_start, stop) >= 0 and not _quoted_references_are_plain(
                text, line_start, stop
            ):
                return None
            quote = text.find(">", stop)
        else:
            quote = text.find(">", quote + 1)
    # Tables: a row takes any next non-blank line that no block interrupts, a definition too;
    # so no definition in a run of non-blank lines holding a pipe.
    pipe = text.find("|")
    while pipe >= 0:
        blank = _BLANK_LINE.search(text, pipe)
        chunk_end = blank.start() if blank else len(text)
        chunk_start = pipe
        while True:  # back to the line after the previous blank line
            previous = text.rfind("\n", 0, chunk_start)
            if previous < 0:
                chunk_start = 0
                break
            line_start = text.rfind("\n", 0, previous) + 1
            if not text[line_start:previous].strip(" "):
                chunk_start = previous + 1
                break
            chunk_start = line_start
        if _DEFINITION_LINE.search(text, chunk_start, chunk_end):
            return None
        pipe = text.find("|", chunk_end)
    # Link destinations: `](` must be followed by a plain destination closed on the same line.
    position = text.find("](")
    while position >= 0:
        close = text.find(")", position + 2)
        newline = text.find("\n", position + 2)
        if close < 0 or (0 <= newline < close):
            return None
        if _DESTINATION_BLOCKERS.search(body, position + 2, close):
            return None
        position = text.find("](", close)
    refs: list[tuple[int, int]] = []
    definitions: list[tuple[int, int]] = []  # (offset of "[", offset after "]:")
    for match in _CANDIDATE.finditer(text):
        start, end = match.start(), match.end()
        if text is not body and body[start:end] != text[start:end]:
            return None  # a code span or autolink in the label: markdown-it reads labels raw
        label = match.group(1)
        if not match.group(2) or not label:
            continue  # "[^" then a space, a newline or the end: not a reference
        if "[" in label or "|" in label:
            return None
        line_start = text.rfind("\n", 0, start) + 1
        if start == line_start and text.startswith(":", end):
            definitions.append((start, end + 1))
            continue
        if _LIST_ITEM.match(text, line_start):
            return None  # a reference (or a definition) in a list item's first line
        if text.startswith("(", end):
            return None  # `[^1](x)` is a link
        if linkify:
            run_start = max(body.rfind(" ", 0, start), line_start)
            if ":" in body[run_start:start]:
                return None  # a bare URL the linkify rule may extend over the reference
        refs.append((start, end))
    # Counted with code spans unmasked: a `]:` in a code span may still close a link label.
    if fenced.count("]:") != len(definitions):
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
        line += text.count("\n", counted, start)
        counted = start
        stop = text.find("\n", content)
        rest = text[content : (len(text) if stop < 0 else stop)]
        first = rest.lstrip(" ")
        if first and _BLOCK_START.match(rest if rest.startswith("    ") else first):
            return None
        next_start = len(text) + 1 if stop < 0 else stop + 1
        defs.append((start, _definition_end(text, count, line, next_start, bool(first))))
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
    # the body starts a line: its line starts are the document's from doc.body_line on
    starts = doc.line_starts
    first_line = doc.body_line
    references = []
    for start, end in raw[0]:
        label = body[start + 2 : end - 1]
        line, column = doc.position(base + start)
        references.append(Reference(label, normalize_label(label), base + start, base + end, line, column))
    definitions = []
    for start, end_line in raw[1]:
        close = body.index("]", start + 2)
        label = body[start + 2 : close]
        at = first_line + end_line
        stop = starts[at] - base if at < len(starts) else len(body)
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
