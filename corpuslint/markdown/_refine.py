"""What the parser leaves for corpuslint to find in a block's inline items, as cmark-gfm finds it:
GFM bare URLs (AUTOLINK items and "bare" Links; references GitHub's autolink swallows are
dropped), `[^label]` left as text for want of a definition (undefined references), `[^x]` in
math (cmark-gfm has no math)."""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import TYPE_CHECKING

from corpuslint.markdown import types as t
from corpuslint.markdown.autolinks import find_bare_urls

if TYPE_CHECKING:
    from corpuslint.markdown._builder import Builder

# A reference the parser left as text because no definition matches (GitHub shows it as text,
# corpuslint reports it): `[^label]` over contiguous plain text.
_CANDIDATE = re.compile(r"\[\^((?:\\[^\]\n]|[^\[\]\\\n]){1,1000})\]")


def post_process(b: Builder, inline: t.Inline, candidates: bool = True) -> None:
    """GFM bare URLs in the block's plain text become AUTOLINK items (and Links); references
    GitHub's autolink swallows are dropped; `[^x]` left as text (no definition) are recorded as
    undefined references."""
    text = b.text
    items = inline.items
    runs: list[tuple[int, int, bool]] = []  # contiguous text items: (first, last + 1, in a link)
    depth = 0
    index = 0
    size = len(items)
    while index < size:
        item = items[index]
        if item.kind != t.TEXT:
            if item.kind == t.LINK_OPEN:
                depth += 1
            elif item.kind == t.LINK_CLOSE:
                depth -= 1
            index += 1
            continue
        first = index
        stop = item.end
        index += 1
        while (
            index < size
            and items[index].kind == t.TEXT
            and (items[index].start == stop or (items[index].start == stop + 1 and text[stop] == "\\"))
        ):
            stop = items[index].end
            index += 1
        runs.append((first, index, depth > 0))
    label = b.footnote_label()
    container = b.footnote_container()
    if candidates:
        candidates_in(b, items, container)
    swallowed: list[tuple[int, int]] = []
    replacements: list[tuple[int, int, list[t.Item]]] = []
    for first, last, in_link in runs:
        start, stop = items[first].start, items[last - 1].end
        if in_link or not ("://" in text[start:stop] or "www." in text[start:stop]):
            continue
        sub = first
        while sub < last:  # maximal runs of verbatim items
            if not items[sub].verbatim:
                sub += 1
                continue
            end_sub = sub + 1
            while end_sub < last and items[end_sub].verbatim:
                end_sub += 1
            pieces = _bare_urls(b, items, sub, end_sub, inline.end, label, swallowed)
            if pieces is not None:
                replacements.append((sub, end_sub, pieces))
            sub = end_sub
    for first, last, pieces in sorted(replacements, reverse=True):
        items[first:last] = pieces
    if swallowed:
        b.out.footnote_refs = [
            ref for ref in b.out.footnote_refs if not any(s <= ref.start < e for s, e in swallowed)
        ]


def math_references(b: Builder, start: int, end: int) -> None:
    """`[^x]` in `$...$`: math for pulldown-cmark (and the typography rules), but GitHub's
    cmark-gfm has no math and reads a footnote reference there, so the index does too."""
    for match in _CANDIDATE.finditer(b.text, start, end):
        b.out.footnote_refs.append(
            t.FootnoteRef(match.group(1), match.start(), match.end(), False, b.footnote_container())
        )


def candidates_in(b: Builder, items: list[t.Item], container: int) -> None:
    """`[^label]` written over plain text (emphasis delimiters and escapes may stand between the
    text items): references the parser left as text for want of a definition."""
    text = b.text
    texts = [item for item in items if item.kind == t.TEXT]
    if not texts:
        return
    starts = [item.start for item in texts]
    for match in _CANDIDATE.finditer(text, texts[0].start, texts[-1].end):
        at, stop = match.start(), match.end()
        k = bisect_right(starts, at) - 1
        if k < 0 or texts[k].end <= at:
            continue  # the "[" is not text (a link's bracket, a code span...)
        if at > 0 and text[at - 1] == "\\" and (at - 1) < texts[k].start:
            continue  # an escaped bracket
        position = at
        ok = True
        while k < len(texts) and texts[k].start < stop:
            gap = text[position : texts[k].start] if texts[k].start > position else ""
            if gap.strip("*_~\\"):
                ok = False
                break
            position = max(position, texts[k].end)
            k += 1
        if not ok or position < stop:
            continue
        b.out.footnote_refs.append(t.FootnoteRef(match.group(1), at, stop, False, container))


def _bare_urls(
    b: Builder,
    items: list[t.Item],
    first: int,
    last: int,
    block_end: int,
    label: str | None,
    swallowed: list[tuple[int, int]],
) -> list[t.Item] | None:
    """The items replacing the verbatim text items[first:last] when bare URLs are in them."""
    text = b.text
    start, stop = items[first].start, items[last - 1].end
    if not ("://" in text[start:stop] or "www." in text[start:stop]):
        return None
    urls = find_bare_urls(text, start, stop, block_end)
    if not urls:
        return None
    pieces: list[t.Item] = []
    cursor = start
    for url in urls:
        swallowed.append((url.start, url.github_end))
        if url.start > cursor:
            pieces.append(t.Item(t.TEXT, cursor, url.start, text[cursor : url.start]))
        written = text[url.start : url.end]
        pieces.append(t.Item(t.AUTOLINK, url.start, url.end, written))
        b.out.links.append(t.Link("bare", url.start, url.end, written, written, url.start, url.end, label))
        cursor = url.end
    if cursor < stop:
        pieces.append(t.Item(t.TEXT, cursor, stop, text[cursor:stop]))
    return pieces


def _covered(items: list[t.Item], first: int, last: int, offset: int) -> bool:
    for index in range(first, last):
        if items[index].start <= offset < items[index].end:
            return True
    return False
