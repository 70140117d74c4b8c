"""The one Markdown parser configuration every rule shares (markdown-it-py + footnotes).

Footnote tokens carry their exact source position (offsets into the parsed body):

* `footnote_reference_open` (a definition): `meta["offset"]`, the offset of its `[`, and
  `meta["content_offset"]`, the offset just after its `]:`; `map` is its line range.
* `footnote_ref` (a reference, in an inline token's children or an image's children):
  `meta["offset"]` and `meta["end"]`, the offsets of its `[` and just after its `]`.

mdit-py-plugins gives references no line map at all; the wrapped rules below record where each
one starts in its inline token's content, and the `footnote_positions` core rule maps that back
to the body (through blockquote markers, list indentation, table cells, heading markers and the
text after a definition's `]:`).
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from corpuslint.lines import line_starts

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

_BASES = "corpuslint_inline_bases"  # env key: content offsets of nested inline parses (image alt)


@lru_cache(maxsize=2)
def parser(linkify: bool = False) -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    # strikethrough_single_tilde at its default: an absent key costs a KeyError on every inline
    # parse (markdown-it's options mapping raises and catches it in `.get`).
    md = MarkdownIt("commonmark", {"linkify": linkify, "strikethrough_single_tilde": False})
    md.enable("table")
    md.enable("strikethrough")
    if linkify:
        md.enable("linkify")
    # Keep definitions where they stand (footnote_tail would drop unreferenced ones) and match
    # references whether or not they are defined, so undefined ones can be reported.
    footnote_plugin(md, inline=False, move_to_end=False, always_match_refs=True)
    _track_footnote_positions(md)
    # A pure function of the URL (parse, punycode, percent-encode): a corpus cites the same
    # sources again and again.
    md.normalizeLink = lru_cache(maxsize=4096)(md.normalizeLink)  # type: ignore[method-assign]
    return md


def parse(body: str, *, linkify: bool = False) -> list[Token]:
    return parser(linkify).parse(body, {})


# --- footnote positions ---------------------------------------------------------------------


def _track_footnote_positions(md: MarkdownIt) -> None:
    from markdown_it.rules_inline import image
    from mdit_py_plugins.footnote.index import footnote_def, footnote_ref

    def definition(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        start = state.bMarks[start_line] + state.tShift[start_line]
        first = len(state.tokens)
        if not footnote_def(state, start_line, end_line, silent):
            return False
        if not silent:
            token = state.tokens[first]
            token.meta["offset"] = start
            token.meta["content_offset"] = start + len(token.meta["label"]) + 4
        return True

    def reference(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if not footnote_ref(state, silent, always_match=True):
            return False
        if not silent:
            base = _base(state.env)
            token = state.tokens[-1]
            token.meta["content_pos"] = base + start
            token.meta["content_end"] = base + state.pos
        return True

    def image_with_base(state: StateInline, silent: bool) -> bool:
        if silent:
            return image(state, silent)
        bases = state.env.setdefault(_BASES, [])
        bases.append(_base(state.env) + state.pos + 2)  # the alt text starts after "!["
        try:
            return image(state, silent)
        finally:
            bases.pop()

    md.block.ruler.at("footnote_def", definition, {"alt": ["paragraph", "reference"]})
    md.inline.ruler.at("footnote_ref", reference)
    md.inline.ruler.at("image", image_with_base)
    md.core.ruler.after("inline", "footnote_positions", _footnote_positions)


def _base(env: Any) -> int:
    bases = env.get(_BASES)
    return bases[-1] if bases else 0


def _footnote_positions(state: StateCore) -> None:
    """Give each footnote_ref token `meta["offset"]`/`meta["end"]`: offsets into the body."""
    src = state.src
    src_starts: list[int] = []
    cursors: dict[int, int] = {}  # source line -> columns consumed by the table cells before
    previous: Token | None = None
    for token in state.tokens:
        opener, previous = previous, token
        if token.type != "inline" or token.map is None:
            continue
        in_cell = opener is not None and opener.type in ("td_open", "th_open")
        refs = list(_refs_in(token.children)) if token.children else []
        if not refs and not in_cell:
            continue
        if not src_starts:
            src_starts = line_starts(src)
        content_line_starts = line_starts(token.content)
        content_lines = token.content.split("\n")
        shifts: dict[int, int | None] = {}  # content line -> column of its start in the source line

        first_line = token.map[0]
        if len(content_lines) < token.map[1] - token.map[0]:
            # A block's content is stripped with str.strip(), which also drops leading lines of
            # Unicode whitespace (U+3000...); setext headings also span their underline.
            for skip in range(token.map[1] - token.map[0] - len(content_lines) + 1):
                if (
                    _place(
                        _source_line(src, src_starts, token.map[0] + skip)[1], content_lines[0], 0, in_cell
                    )
                    is not None
                ):
                    first_line = token.map[0] + skip
                    break
        for ref in refs:
            pos = ref.meta.pop("content_pos")
            end = ref.meta.pop("content_end")
            k = bisect_right(content_line_starts, pos) - 1
            line = first_line + k
            line_start, text = _source_line(src, src_starts, line)
            cursor = cursors.get(line, 0) if in_cell else 0
            if k not in shifts:
                shifts[k] = _place(text, content_lines[k], cursor, in_cell)
            shift = shifts[k]
            if shift is not None:
                column = shift + pos - content_line_starts[k]
            else:  # the content differs from the source (an escaped table pipe): find the reference
                found = text.find(token.content[pos:end], cursor)
                if found < 0:
                    found = text.find("[^", cursor)
                column = found if found >= 0 else cursor
            ref.meta["offset"] = line_start + column
            ref.meta["end"] = line_start + column + (end - pos)
        if in_cell:  # the cells of a row are consumed left to right
            line = token.map[0]
            _, text = _source_line(src, src_starts, line)
            cursor = cursors.get(line, 0)
            shift = shifts[0] if 0 in shifts else _place(text, content_lines[0], cursor, True)
            if shift is not None:
                cursors[line] = shift + len(content_lines[0])
            elif refs:
                cursors[line] = max(cursor, refs[-1].meta["end"] - src_starts[line])


def _source_line(src: str, line_starts: list[int], line: int) -> tuple[int, str]:
    """The offset and text (without its newline) of 0-based `line` of `src`."""
    start = line_starts[min(line, len(line_starts) - 1)]
    stop = src.find("\n", start)
    return start, src[start : (len(src) if stop < 0 else stop)]


def _refs_in(children: list[Token]):
    for child in children:
        if child.type == "footnote_ref" and "content_pos" in child.meta:
            yield child
        if child.children:
            yield from _refs_in(child.children)


def _place(source_line: str, content_line: str, cursor: int, in_cell: bool) -> int | None:
    """Column in `source_line` where `content_line` (a line of an inline token's content) starts.

    A content line is the source line minus container prefixes and indentation (a suffix), minus
    trailing whitespace on a block's last line, or a substring (a table cell, a heading's text).
    Spaces that stand for a partly consumed tab may precede it. None when it is not found.
    """
    stripped = content_line.lstrip(" ")
    lead = len(content_line) - len(stripped)
    if not stripped:
        return None
    if in_cell:
        found = source_line.find(stripped, cursor)
        return found - lead if found >= 0 else None
    tail = source_line[cursor:]
    if tail.endswith(stripped):
        return len(source_line) - len(stripped) - lead
    trimmed = tail.rstrip()
    if trimmed.endswith(stripped):
        return cursor + len(trimmed) - len(stripped) - lead
    found = source_line.find(stripped, cursor)
    if found >= 0:
        return found - lead
    return None
