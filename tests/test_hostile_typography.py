"""The TY rules on hostile prose: time grows about linearly with the input (loose bounds)."""

from __future__ import annotations

import time

import pytest

from corpuslint.document import Document
from corpuslint.registry import RuleContext, all_rules

UNITS = {
    "shortcode openers": "中{{<文",
    "dollars": "中$文",
    "angle brackets": "中<文%",
    "straight quotes": '中"文',
    "curly quotes": "中“文“",
    "marks after latin": "中 ab, cd! ",
    "bangs and colons": "中!a:b?",
    "diagram lines": "A -> B: 中{\n",
}


def _lint_seconds(text: str) -> float:
    """CPU seconds of this process (what else runs on a loaded CI machine does not count)."""
    start = time.process_time()
    for code in ("TY001", "TY002", "TY003", "TY004"):
        rule = all_rules()[code]
        doc = Document.from_bytes("a.md", text.encode("utf-8"))
        for style in ("zhlint", "gbt15834"):
            options = {**rule.options, **({"style": style} if "style" in rule.options else {})}
            list(rule.check(doc, RuleContext(options=options)))
    return time.process_time() - start


@pytest.mark.parametrize("name", sorted(UNITS))
def test_hostile_prose_is_linted_in_about_linear_time(name):
    unit = UNITS[name]
    small = _lint_seconds("中文。\n\n" + unit * 2000 + "\n")
    large = min(_lint_seconds("中文。\n\n" + unit * 8000 + "\n") for _ in range(2))
    assert large < 10
    assert large < 8 * max(small, 0.05), (small, large)
