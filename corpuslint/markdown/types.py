"""corpuslint's own view of a parsed Markdown document (no parser type leaks out of the package).

Every offset is a character offset into `Document.text` (front matter included), never a byte
offset: the parser's UTF-8 byte ranges are converted once, in `corpuslint.markdown.parse`.
"""

from __future__ import annotations

from typing import Any

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


class Record:
    """A record of the parse: a slotted class whose fields are its `__slots__`, in the order of
    its `__init__`'s parameters. Equality, repr and pickling are a dataclass's; they are written
    out once here because `@dataclass` generates every class's methods with `exec` at import,
    ~1 ms of start-up per class, which every one-file run (pre-commit) paid."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]  # mutable: compared by value, unhashable

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__qualname__}({fields})"

    def __reduce__(self) -> tuple:
        return type(self), self._values()


class FrozenRecord(Record):
    """A record that cannot change after `__init__` (which sets fields with object.__setattr__)."""

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self._values())

    def __setattr__(self, name: str, value: Any) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot delete field {name!r}")


_set = object.__setattr__


class Container(FrozenRecord):
    """A block that holds other blocks. `id` is unique in the document, so two paragraphs of one
    block quote (or list item) share it; `start`/`end` is the container's source span."""

    __slots__ = ("kind", "id", "start", "end", "label")
    kind: str
    id: int
    start: int
    end: int
    label: str | None  # a footnote definition's label

    def __init__(self, kind: str, id: int, start: int, end: int, label: str | None = None) -> None:
        _set(self, "kind", kind)
        _set(self, "id", id)
        _set(self, "start", start)
        _set(self, "end", end)
        _set(self, "label", label)


class Item(Record):
    """One inline element, in source order. `start`/`end` is its source span."""

    __slots__ = ("kind", "start", "end", "content", "verbatim")
    kind: str
    start: int
    end: int
    content: str  # text: what renders; code/math/html: the content; links: the destination
    verbatim: bool  # text only: content == doc.text[start:end]

    def __init__(self, kind: str, start: int, end: int, content: str = "", verbatim: bool = True) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.content = content
        self.verbatim = verbatim


class Inline(Record):
    """A leaf block with inline content: a paragraph, a heading or a table cell."""

    __slots__ = ("kind", "start", "end", "containers", "items", "ordinal", "level")
    kind: str
    start: int
    end: int
    containers: tuple[Container, ...]  # outermost first
    items: list[Item]
    ordinal: int  # position among the document's inline blocks (0-based, source order)
    level: int  # a heading's level; a table cell's row (0 = header)

    def __init__(
        self,
        kind: str,
        start: int,
        end: int,
        containers: tuple[Container, ...],
        items: list[Item] | None = None,
        ordinal: int = 0,
        level: int = 0,
    ) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.containers = containers
        self.items = [] if items is None else items
        self.ordinal = ordinal
        self.level = level


class FootnoteRef(FrozenRecord):
    __slots__ = ("label", "start", "end", "defined", "container")
    label: str  # as written between `[^` and `]`
    start: int  # of "["
    end: int  # just past "]"
    defined: bool  # the parser found a matching definition
    container: int  # the Container.id of the innermost footnote definition it is in, or -1

    def __init__(self, label: str, start: int, end: int, defined: bool, container: int = -1) -> None:
        _set(self, "label", label)
        _set(self, "start", start)
        _set(self, "end", end)
        _set(self, "defined", defined)
        _set(self, "container", container)


class FootnoteDef(FrozenRecord):
    __slots__ = ("label", "start", "content_start", "end", "id")
    label: str
    start: int  # of "["
    content_start: int  # just past "]:"
    end: int  # end of its source span, trailing blank lines excluded
    id: int  # its Container.id

    def __init__(self, label: str, start: int, content_start: int, end: int, id: int) -> None:
        _set(self, "label", label)
        _set(self, "start", start)
        _set(self, "content_start", content_start)
        _set(self, "end", end)
        _set(self, "id", id)


class Link(FrozenRecord):
    """A link or image and where its parts are in the source.

    `kind` is "inline", "reference", "autolink" (`<...>`), "bare" (a GFM bare URL) or "image".
    `dest` is the destination as the parser resolved it (reference links: the definition's).
    `dest_start`/`dest_end` locate the destination in doc.text when it is written there
    literally (else -1); `text` is the link text as rendered (an image's alt text).
    """

    __slots__ = ("kind", "start", "end", "dest", "text", "dest_start", "dest_end", "footnote")
    kind: str
    start: int
    end: int
    dest: str
    text: str
    dest_start: int
    dest_end: int
    footnote: str | None  # label of the footnote definition the link is in

    def __init__(
        self,
        kind: str,
        start: int,
        end: int,
        dest: str,
        text: str,
        dest_start: int = -1,
        dest_end: int = -1,
        footnote: str | None = None,
    ) -> None:
        _set(self, "kind", kind)
        _set(self, "start", start)
        _set(self, "end", end)
        _set(self, "dest", dest)
        _set(self, "text", text)
        _set(self, "dest_start", dest_start)
        _set(self, "dest_end", dest_end)
        _set(self, "footnote", footnote)


class CodeBlock(FrozenRecord):
    __slots__ = ("start", "end", "fenced", "info")
    start: int
    end: int
    fenced: bool
    info: str

    def __init__(self, start: int, end: int, fenced: bool, info: str = "") -> None:
        _set(self, "start", start)
        _set(self, "end", end)
        _set(self, "fenced", fenced)
        _set(self, "info", info)


class Span(FrozenRecord):
    """A block-level span: an HTML block, a display-math block, a table, a heading..."""

    __slots__ = ("kind", "start", "end")
    kind: str
    start: int
    end: int

    def __init__(self, kind: str, start: int, end: int) -> None:
        _set(self, "kind", kind)
        _set(self, "start", start)
        _set(self, "end", end)


class Parsed(Record):
    """Everything a rule needs from one parse of one document."""

    __slots__ = (
        "inlines",
        "footnote_refs",
        "footnote_defs",
        "links",
        "code_blocks",
        "html_blocks",
        "containers",
        "tables",
    )
    inlines: list[Inline]
    footnote_refs: list[FootnoteRef]
    footnote_defs: list[FootnoteDef]
    links: list[Link]
    code_blocks: list[CodeBlock]
    html_blocks: list[Span]
    containers: list[Container]  # source order of their starts
    tables: list[Span]

    def __init__(
        self,
        inlines: list[Inline] | None = None,
        footnote_refs: list[FootnoteRef] | None = None,
        footnote_defs: list[FootnoteDef] | None = None,
        links: list[Link] | None = None,
        code_blocks: list[CodeBlock] | None = None,
        html_blocks: list[Span] | None = None,
        containers: list[Container] | None = None,
        tables: list[Span] | None = None,
    ) -> None:
        self.inlines = [] if inlines is None else inlines
        self.footnote_refs = [] if footnote_refs is None else footnote_refs
        self.footnote_defs = [] if footnote_defs is None else footnote_defs
        self.links = [] if links is None else links
        self.code_blocks = [] if code_blocks is None else code_blocks
        self.html_blocks = [] if html_blocks is None else html_blocks
        self.containers = [] if containers is None else containers
        self.tables = [] if tables is None else tables
