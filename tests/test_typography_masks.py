"""The code-like tokens of a prose block are found by only those patterns that can match in it.

`cjk_text._code_like_for(text)` leaves out of the alternation every pattern whose required
characters (`_NEEDS`) are missing from the text; the tokens it finds must be exactly those of
the whole alternation `_code_like()`.
"""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpuslint.rules import cjk_text

_ALPHABET = "中文、，a1Zw .-_/@\\:{}%$!?<>#[]()\"'~+\t\n"


def _spans(pattern: re.Pattern | None, text: str) -> list[tuple[int, int]]:
    if pattern is None:
        return []
    return [m.span() for m in pattern.finditer(text) if m.end() > m.start()]


def test_every_pattern_has_its_needs():
    assert len(cjk_text._NEEDS) == len(cjk_text._CODE_LIKE)


@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(alphabet=_ALPHABET, max_size=60))
def test_the_patterns_that_can_match_find_what_all_of_them_find(text):
    assert _spans(cjk_text._code_like_for(text), text) == _spans(cjk_text._code_like(), text)


_PIECES = st.sampled_from(
    [
        "https://a.b/c",
        "www.x.y",
        "a.b@c.d",
        "x.io/p",
        "./src/m.rs:10",
        "C:\\U",
        "m.rs:3",
        '{{< f t="图:说" >}}',
        "{% x %}",
        "%}}",
        "$$a$$",
        "$a$",
        "dbg!",
        "!F",
        "a?.b",
        " ? x",
        ":hover",
        "::before",
        "fix(core):",
        "::: tip",
        "!!! note",
        "[!NOTE]",
        "{#id}",
        "{.c}",
        "中文",
        "，",
        " ",
        "\n",
        "a",
        ":",
        "!",
        "?",
        ".",
        "/",
    ]
)


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_tokens_of_every_kind_are_found_as_by_the_whole_alternation(text):
    assert _spans(cjk_text._code_like_for(text), text) == _spans(cjk_text._code_like(), text)


def test_each_pattern_is_left_out_without_its_characters():
    assert cjk_text._code_like_for("中文，没有任何代码。") is None
    only_colon = cjk_text._code_like_for("注意:hover")
    assert only_colon is not None and "www" not in only_colon.pattern
