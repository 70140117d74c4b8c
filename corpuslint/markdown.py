"""The one Markdown parser configuration every rule shares (markdown-it-py + footnotes)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@lru_cache(maxsize=2)
def parser(linkify: bool = False) -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"linkify": linkify})
    md.enable("table")
    md.enable("strikethrough")
    if linkify:
        md.enable("linkify")
    # Keep definitions where they stand (footnote_tail would drop unreferenced ones) and match
    # references whether or not they are defined, so undefined ones can be reported.
    footnote_plugin(md, inline=False, move_to_end=False, always_match_refs=True)
    return md


def parse(body: str, *, linkify: bool = False) -> list[Token]:
    return parser(linkify).parse(body, {})
