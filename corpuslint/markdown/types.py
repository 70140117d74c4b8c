"""corpuslint's own view of a parsed Markdown document (no parser type leaks out of the package).

Every offset is a character offset into `Document.text` (front matter included), never a byte
offset: the parser's UTF-8 byte ranges are converted once, in `corpuslint.markdown.parse`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Kinds of inline items (`Item.kind`):
TEXT = "text"  # prose characters; `content` is what renders, `verbatim` when it equals the source
SOFTBREAK = "softbreak"
HARDBREAK = "hardbreak"
CODE = "code"  # a code span
HTML = "html"  # inline raw HTML (a comment too)
MATH = "math"  # $...$
DISPLAY_MATH = "display_math"  # $$...$$ (inline or as its own paragraph)
FOOTNOTE_REF = "footnote_ref"
IMAGE = "image"  # the whole `![alt](src)`
AUTOLINK = "autolink"  # `<scheme:...>` or a GFM bare URL (`https://...`, `www....`)
LINK_OPEN = "link_open"  # the text of an inline/reference link follows, up to LINK_CLOSE
LINK_CLOSE = "link_close"
TASK = "task"  # a task list marker `[ ]` / `[x]`

# Kinds of blocks with inline content (`Inline.kind`):
PARAGRAPH = "paragraph"
HEADING = "heading"
TABLE_CELL = "table_cell"

# Kinds of containers (`Container.kind`):
BLOCK_QUOTE = "block_quote"
LIST_ITEM = "list_item"
FOOTNOTE_DEFINITION = "footnote_definition"
TABLE = "table"


@dataclass(frozen=True, slots=True)
class Container:
    """A block that holds other blocks. `id` is unique in the document, so two paragraphs of one
    block quote (or list item) share it; `start`/`end` is the container's source span."""

    kind: str
    id: int
    start: int
    end: int
    label: str | None = None  # a footnote definition's label


@dataclass(slots=True)
class Item:
    """One inline element, in source order. `start`/`end` is its source span."""

    kind: str
    start: int
    end: int
    content: str = ""  # text: what renders; code/math/html: the content; links: the destination
    verbatim: bool = True  # text only: content == doc.text[start:end]


@dataclass(slots=True)
class Inline:
    """A leaf block with inline content: a paragraph, a heading or a table cell."""

    kind: str
    start: int
    end: int
    containers: tuple[Container, ...]  # outermost first
    items: list[Item] = field(default_factory=list)
    ordinal: int = 0  # position among the document's inline blocks (0-based, source order)
    level: int = 0  # a heading's level; a table cell's row (0 = header)


@dataclass(frozen=True, slots=True)
class FootnoteRef:
    label: str  # as written between `[^` and `]`
    start: int  # of "["
    end: int  # just past "]"
    defined: bool  # the parser found a matching definition
    container: int = -1  # the Container.id of the innermost footnote definition it is in, or -1


@dataclass(frozen=True, slots=True)
class FootnoteDef:
    label: str
    start: int  # of "["
    content_start: int  # just past "]:"
    end: int  # end of its source span, trailing blank lines excluded
    id: int  # its Container.id


@dataclass(frozen=True, slots=True)
class Link:
    """A link or image and where its parts are in the source.

    `kind` is "inline", "reference", "autolink" (`<...>`), "bare" (a GFM bare URL) or "image".
    `dest` is the destination as the parser resolved it (reference links: the definition's).
    `dest_start`/`dest_end` locate the destination in doc.text when it is written there
    literally (else -1); `text` is the link text as rendered (an image's alt text).
    """

    kind: str
    start: int
    end: int
    dest: str
    text: str
    dest_start: int = -1
    dest_end: int = -1
    footnote: str | None = None  # label of the footnote definition the link is in


@dataclass(frozen=True, slots=True)
class CodeBlock:
    start: int
    end: int
    fenced: bool
    info: str = ""


@dataclass(frozen=True, slots=True)
class Span:
    """A block-level span: an HTML block, a display-math block, a table, a heading..."""

    kind: str
    start: int
    end: int


@dataclass
class Parsed:
    """Everything a rule needs from one parse of one document."""

    inlines: list[Inline] = field(default_factory=list)
    footnote_refs: list[FootnoteRef] = field(default_factory=list)
    footnote_defs: list[FootnoteDef] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)
    html_blocks: list[Span] = field(default_factory=list)
    containers: list[Container] = field(default_factory=list)  # source order of their starts
    tables: list[Span] = field(default_factory=list)
