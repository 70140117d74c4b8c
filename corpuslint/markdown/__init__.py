"""One parse per document, shared by every rule: corpuslint's own types over a native parser.

`parse(doc)` (also `doc.markdown`) parses the body once with pulldown-cmark (the `pyromark`
wheel: CommonMark with GFM tables, footnotes, strikethrough, task lists and `$`/`$$` math) and
returns a `Parsed`: the blocks with inline content and their inline items, footnote references
and definitions, links and images with their destinations, code blocks, HTML blocks, tables and
containers (block quotes, list items, footnote definitions), all with character offsets into
`doc.text`. GFM bare-URL autolinks are found in the text as GitHub's autolink extension finds
them (`corpuslint.markdown.autolinks`). Rules use these types only, never the parser's API.

`corpuslint.markdown.prose` builds the prose map of a document from the same parse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from corpuslint.markdown.types import (
    CodeBlock,
    Container,
    FootnoteDef,
    FootnoteRef,
    Inline,
    Item,
    Link,
    Parsed,
    Span,
)

if TYPE_CHECKING:
    from corpuslint.document import Document

__all__ = [
    "CodeBlock",
    "Container",
    "FootnoteDef",
    "FootnoteRef",
    "Inline",
    "Item",
    "Link",
    "Parsed",
    "Span",
    "parse",
    "parse_text",
    "preload",
]


def parse_text(text: str, body_offset: int = 0) -> Parsed:
    """The parse of `text[body_offset:]`, offsets into `text`."""
    from corpuslint.markdown._pulldown import build

    return build(text[body_offset:], body_offset, text)


def parse(doc: Document, dialects: tuple[str, ...] = ()) -> Parsed:
    """The parse of `doc`'s body (see `Document.markdown`, which caches it).

    With `dialects` (corpuslint.markdown.dialects: "mkdocs", "colon"), admonition containers are
    parsed as Markdown; that parse is cached in `doc.cache` under its dialects.
    """
    if doc.read_problem is not None:
        return Parsed()
    if not dialects:
        if "markdown" in doc.__dict__:
            return doc.__dict__["markdown"]
        return parse_text(doc.text, doc.body_offset)
    key = ("markdown", tuple(dialects))
    cached = doc.cache.get(key)
    if cached is None:
        from corpuslint.markdown import _pulldown
        from corpuslint.markdown.dialects import apply

        body = doc.text[doc.body_offset :]
        cached = doc.cache[key] = _pulldown.build(apply(body, dialects), doc.body_offset, doc.text)
    return cached


def preload() -> None:
    """Import the parser (before forking workers, so they share it)."""
    from corpuslint.markdown import _pulldown

    _pulldown.raw_events("x[^1]\n\n[^1]: y\n")
