"""TY001 and TY003: CJK punctuation width, in prose only; styles and what is not CJK text."""

from __future__ import annotations

import pytest
from typography_helpers import col, fixed, lint, positions

# --- TY001 ----------------------------------------------------------------------------------------


def test_halfwidth_marks_between_cjk_are_reported_at_their_column():
    text = "昨晚,微软推出新品:Copilot。真的吗?当然!\n"
    assert positions("TY001", text) == [(1, 3), (1, 10), (1, 22), (1, 25)]
    problem = lint("TY001", text)[0]
    assert "`,`" in problem.message and "`，`" in problem.message
    assert problem.end_column == problem.column + 1


def test_fix_converts_to_fullwidth_and_removes_the_surrounding_spaces():
    assert fixed("TY001", "昨晚, 微软推出 : Copilot ;好\n") == "昨晚，微软推出：Copilot；好\n"


def test_a_mark_between_latin_and_cjk_counts_as_cjk_context():
    assert fixed("TY001", "OpenAI,正式宣布。\n") == "OpenAI，正式宣布。\n"


@pytest.mark.parametrize(
    "line",
    [
        "价格是 3,000 元，时间是 10:30。",
        "中文段落里的英文句子：Hello, world! How are you?",
        "访问 https://example.com/a?b=1,c 看看。",
        "见https://例子.com/路径?q=甲,乙 吧。",
        "代码 `中,文` 不算。",
        "链接 [标题](https://example.com/中,文) 不算。",
        "自动链接 <https://example.com/中,文?x> 不算。",
        '网页 <span title="中,文">标签</span> 不算。',
        "QQ:4156828 不算。",
    ],
)
def test_numbers_urls_code_links_and_latin_are_left_alone(line):
    assert lint("TY001", f"中文文章。\n\n{line}\n") == []


def test_code_blocks_html_blocks_and_front_matter_are_not_prose():
    text = (
        "---\ntitle: 标题,副标题\nsummary: 你好:世界\n---\n"
        "正文。\n\n```\n中,文\n```\n\n    缩进,代码\n\n<div>\n中,文\n</div>\n"
    )
    assert lint("TY001", text) == []


def test_documents_without_cjk_are_skipped():
    assert lint("TY001", "Hello, world (really)! Is it?\n") == []


def test_the_default_style_leaves_parentheses_half_width():
    assert positions("TY001", "通用人工智能(AGI)的开发,和面子(GPT 系列)\n") == [(1, 15)]


def test_gbt15834_parentheses_follow_their_content_and_the_character_before_them():
    gbt = {"style": "gbt15834"}
    assert fixed("TY001", "面子(GPT 系列还留着),但\n", **gbt) == "面子（GPT 系列还留着），但\n"
    assert fixed("TY001", "通用人工智能(AGI)的开发\n", **gbt) == "通用人工智能（AGI）的开发\n"
    assert fixed("TY001", "微软（Microsoft)发布\n", **gbt) == "微软（Microsoft）发布\n"
    # Latin inside after Latin text or a space: left as it is.
    assert lint("TY001", "发布了 Claude 3 (Opus) 模型。\n", **gbt) == []
    assert lint("TY001", "原点的坐标 (0.0, 0.0) 在左上角。\n", **gbt) == []
    assert lint("TY001", "- 二手掉包工程师 (hi-rustin)\n", **gbt) == []
    # An unpaired parenthesis is not reported.
    assert lint("TY001", "一个括号(没有闭合\n", **gbt) == []


def test_per_mark_overrides_take_marks_out_of_and_into_the_style():
    text = "真的吗?当然!面子(GPT 系列)\n"
    assert [p.message.split("`")[1] for p in lint("TY001", text)] == ["?", "!"]
    assert [p.message.split("`")[1] for p in lint("TY001", text, halfwidth="!?")] == []
    assert [p.message.split("`")[1] for p in lint("TY001", text, fullwidth="()")] == ["?", "!", "(", ")"]
    assert [p.message.split("`")[1] for p in lint("TY001", text, style="gbt15834", halfwidth="（）!")] == [
        "?"
    ]


def test_an_unknown_style_or_mark_is_one_problem_at_the_top():
    problems = lint("TY001", "中文,正文\n", style="chicago")
    assert [(p.line, p.column) for p in problems] == [(1, 1)] and "gbt15834" in problems[0].message
    assert "not a mark" in lint("TY001", "中文,正文\n", halfwidth="x")[0].message


def test_columns_in_containers_and_after_inline_markup():
    text = (
        "> 引用,文本\n"
        "\n"
        "- 列表,项\n"
        "\n"
        "| 表头 | 中,文 |\n"
        "|---|---|\n"
        "| 甲,乙 | 丙,丁 |\n"
        "\n"
        "**微软**,然后 `代码,` ,继续[链接](https://x.com/a,b),结束[^1],好\n"
        "\n"
        "微软&amp;谷歌,合作 \\*星号,好\n"
        "\n"
        "[^1]: 脚注,来源。\n"
    )
    lines = text.split("\n")
    expected = [
        (1, col(lines[0], ",")),
        (3, col(lines[2], ",")),
        (5, col(lines[4], ",")),
        (7, col(lines[6], ",")),
        (7, col(lines[6], ",", col(lines[6], ","))),
        (9, col(lines[8], "**,") + 2),
        (9, col(lines[8], " ,继续") + 1),
        (9, col(lines[8], "),结束") + 1),
        (9, col(lines[8], "],好") + 1),
        (11, col(lines[10], ",合作")),
        (11, col(lines[10], ",好")),
        (13, col(lines[12], ",")),
    ]
    assert positions("TY001", text) == expected


def test_fix_never_touches_urls_code_or_front_matter():
    text = "---\ntitle: 标题,副标题\n---\n正文,内容 `a,b` [链接](https://x.com/a,b),完\n\n```\n中,文\n```\n"
    out = fixed("TY001", text)
    assert (
        out
        == "---\ntitle: 标题,副标题\n---\n正文，内容 `a,b` [链接](https://x.com/a,b)，完\n\n```\n中,文\n```\n"
    )


def test_fix_is_idempotent():
    text = "昨晚, 微软(Microsoft)推出: 新品(真的)!\n\n第二段,好?\n"
    for style in ("zhlint", "gbt15834"):
        once = fixed("TY001", text, style=style)
        assert lint("TY001", once, style=style) == []
        assert fixed("TY001", once, style=style) == once


# --- TY003 ----------------------------------------------------------------------------------------


def test_mixed_widths_are_reported_once_at_the_first_minority_form():
    text = "微软，谷歌,苹果，亚马逊。\n\n第二段，还有,这个：那个。\n"
    problems = lint("TY003", text)
    assert [(p.line, p.column) for p in problems] == [(1, 6)]
    assert "comma 3 full-width, 2 half-width" in problems[0].message
    assert problems[0].fix is None


def test_fullwidth_minority_is_reported_at_the_first_fullwidth_mark():
    text = "微软,谷歌,苹果,亚马逊，还有,脸书。\n"
    assert [(p.line, p.column) for p in lint("TY003", text)] == [(1, 13)]


def test_consistent_documents_are_clean():
    assert lint("TY003", "微软，谷歌：苹果！\n") == []
    assert lint("TY003", "微软,谷歌:苹果!\n") == []
    assert lint("TY003", "微软，谷歌。English, text; here!\n") == []
