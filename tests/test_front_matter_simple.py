"""The line-based YAML fast path gives exactly what the event-stream builder gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from corpuslint import front_matter as fm_module
from corpuslint.front_matter import FrontMatter


def _load(raw: str, fast: bool) -> FrontMatter:
    fm = FrontMatter("yaml", raw, 1, 2, 10)
    if fast:
        fm_module.load(fm)
        return fm
    original = fm_module._load_simple_yaml
    fm_module._load_simple_yaml = lambda fm: False
    try:
        fm_module.load(fm)
    finally:
        fm_module._load_simple_yaml = original
    return fm


def _same(raw: str) -> bool:
    fast, slow = _load(raw, True), _load(raw, False)
    assert repr(fast.data) == repr(slow.data), raw
    assert fast.error == slow.error, raw
    assert list(fast.positions.items()) == list(slow.positions.items()), raw
    assert fast.duplicates == slow.duplicates, raw
    assert fast.strings == slow.strings, raw
    return fm_module._load_simple_yaml(FrontMatter("yaml", raw, 1, 2, 10))


KEYS = ["title", "date", "draft", "tags", "summary", "$schema", "a.b", "x-y", "true", "2024", "k"]
SCALARS = [
    "标题",
    "A: B",
    "a:b",
    "a :b",
    "http://x/y",
    "2025-06-25",
    "2025-06-25T17:10:04+08:00",
    "false",
    "yes",
    "No",
    "~",
    "null",
    "1",
    "1.5",
    "0x1F",
    "1_000",
    "=",
    "<<",
    "-1",
    "- a",
    "-a",
    "?x",
    "[a, b",
    "[a]",
    "{a: 1}",
    "&a x",
    "*a",
    "!tag x",
    "|",
    ">",
    "%x",
    "@x",
    "`x`",
    "a # c",
    "a#b",
    '"q"',
    "'q'",
    "'it''s'",
    '"a\\"b"',
    '"a\\tb"',
    "'a\\tb'",
    "a\\b",
    '"unclosed',
    "'unclosed",
    "x:",
    "a  b",
    "a\tb",
    "C#",
    "昨天",
    " ",
    "",
    "a, b",
    "x}",
    '""',
    "''",
    "\u3000全角",
    "a\u00a0b",
    "tail  ",
]


@st.composite
def documents(draw):
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["key", "key", "empty", "item", "item", "blank", "odd"]))
        indent = draw(st.sampled_from(["", "  ", "  ", " ", "    "]))
        if kind == "key":
            lines.append(
                f"{draw(st.sampled_from(KEYS))}:"
                f"{draw(st.sampled_from([' ', '  ', '']))}{draw(st.sampled_from(SCALARS))}"
            )
        elif kind == "empty":
            lines.append(f"{draw(st.sampled_from(KEYS))}:{draw(st.sampled_from(['', ' ']))}")
        elif kind == "item":
            lines.append(f"{indent}-{draw(st.sampled_from([' ', '  ', '']))}{draw(st.sampled_from(SCALARS))}")
        elif kind == "blank":
            lines.append(draw(st.sampled_from(["", "  ", "# c"])))
        else:
            lines.append(
                draw(st.sampled_from(["  nested: x", "plain", "k : v", "- top", "  more", "---x", "\tk: v"]))
            )
    return "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


@settings(max_examples=4000, deadline=None)
@given(documents())
def test_fast_path_matches_the_builder(raw):
    _same(raw)


def test_the_common_front_matter_takes_the_fast_path():
    raw = (
        "title: 北辰实验室的云端算力新棋局\ndate: 2025-10-13T13:21:26+08:00\ndraft: false\n"
        'featured_image: "images/default (20).png"\nsummary: 值得注意的是\ntags: \n  - Orbital AI\n'
        "  - 编程助手\nmain_topics:\n- 推理芯片\ntitle: again\n"
    )
    assert _same(raw)
    assert not _same("title: a\nsummary: |\n  x\n")


GOOD_SCALARS = [
    "标题",
    "a:b",
    "http://x/y",
    "2025-06-25",
    "false",
    "yes",
    "~",
    "a  b",
    '"q: r"',
    "'q'",
    "x}",
    '""',
    "a, b",
]


@st.composite
def simple_documents(draw):
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        lines.append(f"{draw(st.sampled_from(KEYS))}: {draw(st.sampled_from(GOOD_SCALARS))}")
        if draw(st.booleans()):
            lines[-1] = lines[-1].split(":")[0] + ":" + draw(st.sampled_from(["", " "]))
            indent = draw(st.sampled_from(["", "  ", "    "]))
            for _ in range(draw(st.integers(0, 3))):
                lines.append(f"{indent}- {draw(st.sampled_from(GOOD_SCALARS))}")
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", "  ", "  x", "# c", "- y"])))
    return "\n".join(lines) + "\n"


@settings(max_examples=3000, deadline=None)
@given(simple_documents())
def test_fast_path_matches_the_builder_on_simple_shapes(raw):
    _same(raw)
