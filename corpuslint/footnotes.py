"""The footnote index of a document: every reference and definition with its exact position.

`index(doc)` computes it once per document from the one parse (`doc.markdown`) and keeps it in
`doc.cache["footnotes"]`; the FN rules, the CT rules and the link extractor share it.

Shape::

    FootnoteIndex
        references: tuple[Reference, ...]    # source order
        definitions: tuple[Definition, ...]  # source order

    Reference(label, key, offset, end, line, column, defined)
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
  raw Markdown, continuation paragraphs included.

What is a reference and what is a definition is what the parser (pulldown-cmark, GFM footnotes)
says, and where it differs from GitHub's cmark-gfm, what cmark-gfm says (docs/footnotes.md lists
every case, tests/test_footnotes_differential.py compares the two on generated documents). A
`[^label]` that would be a reference if a definition matched it (GitHub then shows it as text) is
a reference with `defined=False`: FN001 reports it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import TYPE_CHECKING

from corpuslint.diagnostics import _fields, _Record, _tuple_new

if TYPE_CHECKING:
    from corpuslint.document import Document

CACHE_KEY = "footnotes"

_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")


def normalize_label(label: str) -> str:
    """A label's matching key: stripped, whitespace runs collapsed, case folded (as cmark-gfm)."""
    return _WHITESPACE.sub(" ", label.strip(" \t\n\r\f\v")).casefold()


@_fields
class Reference(_Record):
    __slots__ = ()
    _fields = ("label", "key", "offset", "end", "line", "column", "defined")
    label: str
    key: str
    offset: int  # of "[" in doc.text
    end: int  # just past "]"
    line: int
    column: int
    defined: bool  # the parser matched it to a definition

    def __new__(
        cls, label: str, key: str, offset: int, end: int, line: int, column: int, defined: bool = True
    ) -> Reference:
        return _tuple_new(cls, (label, key, offset, end, line, column, defined))


@_fields
class Definition(_Record):
    __slots__ = ()
    _fields = ("label", "key", "offset", "content_start", "end", "line", "column", "end_line")
    label: str
    key: str
    offset: int  # of "[" in doc.text
    content_start: int  # just past "]:"
    end: int  # end of the definition's source span (trailing blank lines excluded)
    line: int
    column: int
    end_line: int  # 1-based line of the span's last character

    def __new__(
        cls,
        label: str,
        key: str,
        offset: int,
        content_start: int,
        end: int,
        line: int,
        column: int,
        end_line: int,
    ) -> Definition:
        return _tuple_new(cls, (label, key, offset, content_start, end, line, column, end_line))


@_fields
class FootnoteIndex(_Record):
    __slots__ = ()
    _fields = ("references", "definitions")
    references: tuple[Reference, ...]
    definitions: tuple[Definition, ...]

    def __new__(cls, references: tuple[Reference, ...], definitions: tuple[Definition, ...]) -> FootnoteIndex:
        return _tuple_new(cls, (references, definitions))


_EMPTY = FootnoteIndex((), ())


def index(doc: Document, dialects: tuple[str, ...] = ()) -> FootnoteIndex:
    """The footnote index of `doc`, computed once (per set of container dialects, see
    corpuslint.markdown.dialects; none by default)."""
    key = CACHE_KEY if not dialects else (CACHE_KEY, tuple(dialects))
    cached = doc.cache.get(key)
    if cached is None:
        cached = build(doc, tuple(dialects))
        doc.cache[key] = cached
    return cached


def definitions(doc: Document) -> tuple[Definition, ...]:
    """Every footnote definition of `doc` in source order (see the module docstring)."""
    return index(doc).definitions


def build(doc: Document, dialects: tuple[str, ...] = ()) -> FootnoteIndex:
    if doc.read_problem is not None or "[^" not in doc.text:
        return _EMPTY
    if dialects:
        from corpuslint.markdown import parse

        parsed = parse(doc, dialects)
    else:
        parsed = doc.markdown
    text = doc.text
    starts = doc.line_starts
    normalize = normalize_label
    # records built as tuples directly (Reference(...) is the same, through __new__)
    references = []
    for ref in parsed.footnote_refs:
        start = ref.start
        label = text[start + 2 : ref.end - 1]
        line = bisect_right(starts, start)
        references.append(
            _tuple_new(
                Reference,
                (label, normalize(label), start, ref.end, line, start - starts[line - 1] + 1, ref.defined),
            )
        )
    found = []
    for definition in parsed.footnote_defs:
        start = definition.start
        content_start = definition.content_start
        label = text[start + 2 : content_start - 2]
        line = bisect_right(starts, start)
        end = definition.end
        found.append(
            _tuple_new(
                Definition,
                (
                    label,
                    normalize(label),
                    start,
                    content_start,
                    max(end, content_start),
                    line,
                    start - starts[line - 1] + 1,
                    bisect_right(starts, max(end - 1, start)),
                ),
            )
        )
    return _tuple_new(FootnoteIndex, (tuple(references), tuple(found)))
