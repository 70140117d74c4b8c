"""corpuslint.markdown's conversion of pyromark events: byte ranges become character offsets as
the events come, and the lines whose footnote label GitHub refuses are found without a search
of the whole body. Each is compared with the straightforward computation it replaces."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpuslint.markdown import _pulldown, parse_text

# Pieces that move the byte/character offsets apart (2-, 3- and 4-byte characters), lines longer
# than the conversion's block of 1,024 bytes, containers nested and closed at different places.
_PIECES = st.sampled_from(
    [
        "中文",
        "é",
        "😀",
        "abc ",
        "\n",
        "\n\n",
        "> ",
        "- ",
        "1. ",
        "[^a]",
        "[^a]: ",
        "[^中]",
        "[^中]: 注",
        "*",
        "`c`",
        "$m$",
        "<b>",
        "&amp;",
        "\\*",
        "[l](/p)",
        "![i](/p)",
        "| a |\n|-|\n",
        "  \n",
        "    ",
        "```\n",
        "字" * 400,
        "x" * 1100,
    ]
)


def _character_spans(body: str, base: int) -> set[tuple[int, int]]:
    """(start, end) in characters of every event, each offset decoded from its byte prefix."""
    raw = body.encode()
    chars = {}
    spans = set()
    for _, span in _pulldown.raw_events(body):
        for point in (span["start"], span["end"]):
            if point not in chars:
                chars[point] = len(raw[:point].decode()) + base
        spans.add((chars[span["start"]], chars[span["end"]]))
    return spans


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_PIECES, max_size=30).map("".join), st.sampled_from(["", "---\nt: 标题\n---\n"]))
def test_every_position_is_the_character_offset_of_an_event_range(body, front):
    text = front + body
    parsed = parse_text(text, len(front))
    spans = _character_spans(body, len(front))
    starts, ends = {start for start, _ in spans}, {end for _, end in spans}
    for inline in parsed.inlines:
        for item in inline.items:
            assert (item.start, item.end) in spans, item
            if item.kind == "text" and item.verbatim:
                assert text[item.start : item.end] == item.content
        for container in inline.containers:  # a nested definition widens the one around it
            assert container.start in starts and container.end in ends, container
    for ref in parsed.footnote_refs:
        if ref.defined:
            assert (ref.start, ref.end) in spans, ref
    for block in parsed.code_blocks + parsed.html_blocks + parsed.tables:
        assert (block.start, block.end) in spans, block


_REFERENCE_LINE = re.compile(r"^([ \t>*+\-0-9.)]*\[)\^([^\]\n]*)\]:", re.MULTILINE)


def _hide_by_search(body: str) -> str:
    def hide(match: re.Match[str]) -> str:
        label = match.group(2)
        if len(label) > 1000 or " " in label or "\t" in label:
            return match.group(1) + "\x1a" + label + "]:"
        return match.group()

    return _REFERENCE_LINE.sub(hide, body)


_LINE_PIECES = st.sampled_from(
    ["[", "^", "]", ":", "]:", "[^", " ", "\t", "\n", "a", "中", "-", "> ", "1.", ")", "*", "\\", "x" * 1001]
)


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_LINE_PIECES, max_size=40).map("".join))
def test_hidden_labels_are_the_lines_a_search_of_the_body_finds(body):
    assert _pulldown._hide_labels(body) == _hide_by_search(body)
