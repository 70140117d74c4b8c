"""TY fixes never corrupt: only reported marks change, code-like and English text is left alone.

One fixture per corruption seen on real corpora (written for these tests, not copied).
"""

from __future__ import annotations

import pytest
from typography_helpers import all_findings, fix_all, fixed, lint

BOTH_STYLES = pytest.mark.parametrize("style", ["zhlint", "gbt15834"])


@BOTH_STYLES
@pytest.mark.parametrize(
    "line",
    [
        "在调试时调用 dbg! 宏，再用 println! 打印。",
        "五的阶乘 n! 等于一百二十。",
        "这种场景也可以用 panic!。",
        "把条件写成 !False 或者 !important 都行。",
        "CSS 伪类 :hover 和伪元素 ::before 常一起用。",
        "表单校验用 :user-valid 和 :nth-child(2n) 选择。",
        "用 `?` 运算符或者 x?.y 访问，a != b 时报错。",
        '{{< figure src="a.png" title="图:说明" >}}',
        '{{% notice title="注意:标题" %}}',
        "fix(core): 修复一个崩溃",
        "仅由 $($ 和 $)$ 构成的串，以及 $$a,b$$ 中的逗号。",
        "配置写在 ./src/main.rs:10 和 ~/.cargo/config:3 里。",
        "运行 Hello, world! 程序。",
        "他在书页上写着（Don't ever grow up. Play on!）。",
        "原点的坐标 (0.0, 0.0) 在左上角。",
    ],
)
def test_code_like_and_english_text_in_chinese_is_left_alone(line, style):
    assert lint("TY001", f"中文段落。\n\n{line}\n", style=style) == []


@BOTH_STYLES
def test_a_commit_type_prefix_keeps_its_colon(style):
    marks = [p.message.split("`")[1] for p in lint("TY001", "style: (全局)调整按钮的颜色\n", style=style)]
    assert ":" not in marks


def test_a_diagram_in_a_block_quote_is_code():
    text = "下面是图：\n\n> 甲: 中文标签\n> A: 甲方\n> B: 乙方\n> A -> B: 调用\n"
    assert lint("TY001", text) == []


def test_key_value_lines_in_a_block_quote_are_a_diagram_but_not_outside_one():
    assert lint("TY001", "图：\n\n> A: 甲方\n> B: 乙方\n") == []
    assert [p.line for p in lint("TY001", "图：\n\nA: 甲方\nB: 乙方\n")] == [3, 4]


def test_admonition_markers_are_not_punctuation():
    text = "::: tip 提示\n内容。\n:::\n\n> [!NOTE]\n> 注意,这里\n"
    assert [p.line for p in lint("TY001", text)] == [6]  # only the comma in the note's text


def test_an_english_paragraph_with_a_few_chinese_words_is_not_cjk_text():
    text = '中文文档。\n\n(e.g., from "M03L" to "M03", which is from 闰三月 to 三月), see the table; ok!\n'
    assert lint("TY001", text, style="gbt15834") == [] and lint("TY004", text) == []


def test_a_mostly_english_document_is_not_cjk_text():
    text = "# Writing modes\n\nSet it: 中文 text flows vertically, right to left; see the example!\n"
    assert lint("TY001", text) == [] and lint("TY003", text) == []


def test_a_handle_in_parentheses_after_a_name_is_left_alone():
    assert lint("TY001", "- 二手掉包工程师 (hi-rustin)\n", style="gbt15834") == []


def test_caption_colons_are_reported_between_a_number_and_latin_text_or_code():
    text = (
        "表格 3-1: Rust 中的整型\n\n示例 7-12: `use` 语句\n\n版本 1.2: 发布\n\n"
        '<span class="caption">表 B-5: Trait 约束</span>\n'
    )
    assert [p.line for p in lint("TY001", text)] == [1, 3, 5, 7]
    assert fixed("TY001", text) == (
        "表格 3-1：Rust 中的整型\n\n示例 7-12：`use` 语句\n\n版本 1.2：发布\n\n"
        '<span class="caption">表 B-5：Trait 约束</span>\n'
    )


@BOTH_STYLES
def test_the_fix_keeps_tab_separators(style):
    text = "1.\t氧 (O)\t46.1%,然后\t下一项\n"
    assert fixed("TY001", text, style=style) == "1.\t氧 (O)\t46.1%，然后\t下一项\n"


def test_the_fix_keeps_the_space_before_an_anchor():
    text = "## 可选的参数 (可选) {#optional}\n\n## 标题: {#colon}\n"
    out = fixed("TY001", text, style="gbt15834")
    assert out == "## 可选的参数（可选） {#optional}\n\n## 标题： {#colon}\n"


def test_the_fix_replaces_an_escaped_mark_with_its_backslash():
    assert fixed("TY001", "面子\\(GPT 系列\\),但\n", style="gbt15834") == "面子（GPT 系列），但\n"
    assert fixed("TY004", '媒体称\\"核选项\\"提起。\n') == "媒体称“核选项”提起。\n"


def test_the_fix_never_touches_math_code_html_urls_or_shortcodes():
    text = (
        '公式 $f(x),g(x)$ 里,还有 `代码,里` 和 <span title="中,文">标签</span>,'
        '网址 https://例子.com/a,b?c=甲,乙 以及 {{< ref "甲,乙" >}},完\n'
    )
    out = fixed("TY001", text, style="gbt15834")
    assert out == (
        '公式 $f(x),g(x)$ 里，还有 `代码,里` 和 <span title="中,文">标签</span>，'
        '网址 https://例子.com/a,b?c=甲,乙 以及 {{< ref "甲,乙" >}}，完\n'
    )


def test_nested_quotes_are_not_flipped():
    text = "他说“我们叫它“WiFi”，也叫“无线”，都行”，然后“走了”。\n"
    assert lint("TY002", text) == []
    assert fixed("TY002", text) == text


FIXTURE = """---
title: 固定样例
---
# 标题: 说明 {#intro}

昨晚, 微软推出新产品:Copilot。真的吗?当然!

这种现象被称为"幽灵文字"，也叫”技术出轨”。

1.\t氧 (O)\t46.1%
2.\t硅 (Si)\t28.2%

调用 dbg! 宏，阶乘 n!，CSS 伪类 :hover。[链接](https://example.com/a,b),完[^1]

| 列 | 值 |
|---|---|
| 甲,乙 | 丙: 丁 |

[^1]: 脚注,来源 <https://example.com/x>。
"""


@BOTH_STYLES
def test_fixing_the_fixture_changes_only_marks_adds_no_finding_and_is_idempotent(style):
    once = fix_all(FIXTURE, style=style)
    assert once != FIXTURE
    changed = [
        (a, b) for a, b in zip(FIXTURE.replace(" ", ""), once.replace(" ", ""), strict=False) if a != b
    ]
    assert all(a in ',:;!?()"”' for a, _ in changed), changed
    for code in ("TY001", "TY002", "TY004"):
        assert lint(code, once, style=style) == [] if code == "TY001" else lint(code, once) == []
    before, after = all_findings(FIXTURE, style=style), all_findings(once, style=style)
    assert all(after[code] <= before[code] for code in after), (before, after)
    assert fix_all(once, style=style) == once
    assert "\t氧 (O)\t" in once and "{#intro}" in once and " {#intro}" in once


# --- property: on any mix of prose and protected text, fixes change marks only ---------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PROTECTED = [
    "`中,文(甲)`",
    "$f(x),g(x)$",
    '<span title="中,文">',
    "https://例子.com/a,b?c=(甲)",
    '{{< figure title="图:说明" >}}',
    "{#id}",
    "dbg!",
    ":hover",
    "[链接](https://example.com/a,(b))",
]
FRAGMENTS = st.sampled_from(
    [
        "中文",
        "文",
        "测试",
        "Latin",
        "Hello world",
        "3",
        " ",
        "\t",
        ",",
        ":",
        ";",
        "!",
        "?",
        "(",
        ")",
        "（",
        "）",
        "，",
        "“",
        "”",
        "‘",
        "’",
        '"',
        "\\(",
        '\\"',
        "*",
        "**",
        "\n",
        "\n\n",
        "\n> ",
        "\n- ",
        "\n## ",
        "\n| a | b |\n|---|---|\n| ",
        *(f" {p} " for p in PROTECTED),  # (spaced: a bare URL before would take them in)
    ]
)
BODIES = st.lists(FRAGMENTS, max_size=30).map("".join)
_FULL = str.maketrans(
    {"，": ",", "：": ":", "；": ";", "！": "!", "？": "?", "（": "(", "）": ")", "“": '"', "”": '"'}
)


def _marks_only(text: str) -> str:
    return text.translate(_FULL).replace(" ", "").replace("\\", "").replace("‘", "'").replace("’", "'")


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(BODIES, st.sampled_from(["zhlint", "gbt15834"]))
def test_fixes_change_only_marks_never_protected_text_and_are_idempotent(body, style):
    text = "中文正文。\n\n" + body + "\n"
    once = fix_all(text, style=style)
    assert _marks_only(once) == _marks_only(text)
    for protected in PROTECTED:
        assert once.count(protected) == text.count(protected)
    assert once.count("\t") == text.count("\t") and once.count("\n") == text.count("\n")
    assert fix_all(once, style=style) == once
