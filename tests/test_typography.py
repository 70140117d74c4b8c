"""TY001-TY003: CJK punctuation width and quotation marks, in prose only."""

from __future__ import annotations

import pytest

from corpuslint.diagnostics import Diagnostic, Severity
from corpuslint.document import Document
from corpuslint.fixes import apply_fixes
from corpuslint.registry import RuleContext, all_rules


def lint(code: str, text: str, **options):
    rule = all_rules()[code]
    doc = Document.from_bytes("a.md", text.encode("utf-8"))
    return list(rule.check(doc, RuleContext(options={**rule.options, **options})))


def positions(code: str, text: str) -> list[tuple[int, int]]:
    return [(p.line, p.column) for p in lint(code, text)]


def fixed(code: str, text: str, unsafe: bool = False) -> str:
    problems = lint(code, text)
    diagnostics = [
        Diagnostic("a.md", p.line, p.column, code, Severity.WARNING, p.message, fix=p.fix) for p in problems
    ]
    new, _ = apply_fixes(Document.from_bytes("a.md", text.encode()).text, diagnostics, unsafe=unsafe)
    return new


def col(line: str, needle: str, start: int = 0) -> int:
    return line.index(needle, start) + 1


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


def test_parentheses_follow_their_content_and_the_text_before_them():
    assert fixed("TY001", "面子(GPT 系列还留着),但\n") == "面子（GPT 系列还留着），但\n"
    assert fixed("TY001", "通用人工智能(AGI)的开发\n") == "通用人工智能（AGI）的开发\n"
    assert fixed("TY001", "微软（Microsoft)发布\n") == "微软（Microsoft）发布\n"
    # Latin inside, Latin before: the conservative choice keeps them half-width.
    assert lint("TY001", "发布了 Claude 3 (Opus) 模型。\n") == []
    # An unpaired parenthesis is not reported.
    assert lint("TY001", "一个括号(没有闭合\n") == []


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
    once = fixed("TY001", text)
    assert lint("TY001", once) == []
    assert fixed("TY001", once) == once


# --- TY002 ----------------------------------------------------------------------------------------


def test_closing_mark_used_as_opening_is_reported_and_fixed():
    text = "微软”叛逃”OpenAI，又一次”出轨”。\n"
    problems = lint("TY002", text)
    assert [(p.line, p.column) for p in problems] == [(1, 3), (1, 17)]
    assert "opening" in problems[0].message
    assert fixed("TY002", text) == "微软“叛逃”OpenAI，又一次“出轨”。\n"


def test_opening_mark_used_as_closing_is_fixed():
    assert fixed("TY002", "他说“你好“。\n") == "他说“你好”。\n"


def test_well_formed_quotes_are_clean():
    assert lint("TY002", "他说“你好”，她说‘再见’。\n\n“第二段”也好。\n") == []


def test_odd_number_of_marks_is_reported_without_fix():
    problems = lint("TY002", "他说“你好，然后走了。\n")
    assert [(p.line, p.column) for p in problems] == [(1, 3)]
    assert problems[0].fix is None and "unpaired" in problems[0].message
    problems = lint("TY002", "他说”你好”然后”走了。\n")
    assert [(p.line, p.column) for p in problems] == [(1, 3)] and problems[0].fix is None


def test_quotes_pair_within_a_paragraph_not_across():
    assert [(p.line, p.column) for p in lint("TY002", "第一段“开始\n\n第二段”结束。\n")] == [(1, 4), (3, 4)]


def test_single_quotes_and_apostrophes():
    assert fixed("TY002", "他说‘叛逃‘了。\n") == "他说‘叛逃’了。\n"
    assert lint("TY002", "中文里的 OpenAI’s 模型和 users’ 数据。\n") == []


def test_quotes_in_code_are_ignored():
    assert lint("TY002", "中文 `”代码”` 里。\n\n```\n”块”\n```\n") == []


def test_quote_fix_is_idempotent_together_with_ty001():
    text = "微软”叛逃”OpenAI:Copilot,好\n"
    once = fixed("TY002", text)
    assert lint("TY002", once) == []
    assert fixed("TY001", once) == "微软“叛逃”OpenAI:Copilot，好\n"


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


# --- the source pre-checks against the prose map (property tests) ---------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from corpuslint.rules import typography  # noqa: E402

_TY_FRAGMENTS = st.one_of(
    st.sampled_from(
        [
            "中文",
            "文",
            "测试",
            "カナ",
            "word",
            "Latin text",
            "3",
            "10",
            " ",
            "  ",
            "\t",
            "\u3000",
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
            "：",
            "。",
            "“",
            "”",
            "‘",
            "’",
            "*",
            "**",
            "_",
            "__",
            "~~",
            "[",
            "]",
            "![",
            "](",
            "]:",
            "][",
            "\\",
            "\\,",
            "\\(",
            "`",
            "``",
            "<",
            ">",
            "|",
            "\\|",
            "#",
            "-",
            "=",
            "^",
            "[^1]",
            "[^注]",
            "[^a b]",
            "[t](https://e.com/a)",
            "[中文](https://e.com/a)",
            "[t](u:x)",
            '[t](u "ti")',
            "[t](<u v>)",
            "[t](中文)",
            "[t](a(b)c)",
            "](u)",
            "(u)",
            "[x][r]",
            "[x][]",
            "![图](i.png)",
            "![(](i.png)",
            "`,`",
            "`(`",
            "<https://e.com/a:b>",
            "<javascript:x>",
            "<span>",
            "<!-- , -->",
            "&#44;",
            "&#x28;",
            "&lpar;",
            "&amp;",
            "&ldquo;",
            "&#20013;",
            "https://e.com/a?b=1,c",
            "a@b.com",
            "www.e.com",
            "e.com/p",
        ]
    ),
)
_TY_PREFIXES = st.sampled_from(
    [
        "",
        "",
        "",
        "",
        " ",
        "   ",
        "    ",
        "> ",
        "- ",
        "* ",
        "1. ",
        "1) ",
        "# ",
        "## ",
        "[^1]: ",
        "[^a]:",
        "   [^2]: ",
        "[r]: /u ",
        "| ",
        "|---|---|",
        "```",
        "~~~",
        "---",
        "===",
    ]
)
_TY_LINES = st.builds(
    lambda prefix, parts: prefix + "".join(parts), _TY_PREFIXES, st.lists(_TY_FRAGMENTS, max_size=7)
)
_TY_BODIES = st.lists(_TY_LINES, max_size=10).map("\n".join)


# Mostly what the pre-check lets through (marks in Latin text, links, definitions, autolinks),
# with markup that may vanish from the prose around it.
_TY_NEAR_MISS = st.sampled_from(
    [
        "中文",
        "文",
        "word",
        "a",
        "x",
        " ",
        "\t",
        "*",
        "**",
        "_",
        "~~",
        "[",
        "]",
        "\\",
        "`",
        "<b>",
        "|",
        "#",
        "a, b",
        "x:y",
        "ok!",
        "why?",
        "a;b",
        "10:30",
        "3,000",
        "e.com/p,q",
        "x@y.z",
        "[t](https://e.com/a)",
        "[中文](https://e.com/a:b)",
        "![图](i.png)",
        "[^1]",
        "[^1](u)",
        "<https://e.com/a:b>",
        "](u:x)",
        "[x][r]",
        "\n",
        "\n\n",
        "\n[^1]: ",
        "\n[^2]:",
        "\n> ",
        "\n- ",
        "\n    ",
        "\n```\n",
        "\n>",
        "\n1. ",
        "\n| a | b |\n|---|---|\n",
        "（注）",
        "，",
        "“",
        "”",
        "(AGI)",
        " (Opus) ",
        "(",
        ")",
        "`(`",
        "<i>(</i>",
        "[^(]",
        "[x](a(b)c)",
    ]
)
_TY_NEAR_BODIES = st.lists(_TY_NEAR_MISS, max_size=30).map("".join)


def _full_marks(text: str) -> list:
    """TY001's marks by the prose map alone (the path the pre-check lets the rule skip)."""
    doc = Document.from_bytes("a.md", text.encode("utf-8"))
    return [mark for block in typography.prose_blocks(doc) for mark in typography._block_marks(block)]


@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(_TY_BODIES)
def test_halfwidth_precheck_never_hides_a_mark(body):
    if not typography.may_have_halfwidth_marks(body):
        assert _full_marks(body) == []


@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(_TY_NEAR_BODIES)
def test_halfwidth_precheck_never_hides_a_mark_near_misses(body):
    if not typography.may_have_halfwidth_marks(body):
        assert _full_marks(body) == []


def _quote_problems(text: str, linkify: bool = False) -> list:
    """What TY002 reports, by the prose map (the path the pre-check lets the rule skip)."""
    doc = Document.from_bytes("a.md", text.encode("utf-8"), linkify=linkify)
    if not typography.HAS_CJK.search(doc.body):
        return []
    problems = []
    for block in typography.prose_blocks(doc):
        if "“" in block.text or "”" in block.text:
            problems += typography._check_quotes(doc, block, typography._DOUBLE, "double")
        if "‘" in block.text:
            problems += typography._check_quotes(doc, block, typography._SINGLE, "single")
    return problems


_QUOTE_NEAR_MISS = st.sampled_from(
    [
        "中文",
        "word",
        " ",
        "“",
        "”",
        "“引文”",
        "”反”",
        "‘",
        "’",
        "it’s",
        "\n",
        "\n\n",
        "\n> ",
        "\n- ",
        "\n# ",
        "\n[^1]: ",
        "[^1]",
        "[^“]",
        "*",
        "**",
        "_",
        "[",
        "]",
        "`",
        "`“`",
        "<b>",
        "<!-- “ -->",
        "&ldquo;",
        "\\",
        "|",
        "\n| a | b |\n|---|---|\n",
        "![“图”](i.png)",
        "[“题”](https://e.com/a)",
        '[t](u "“t”")',
        "[t](中文“)",
        "](u)",
        "[x][r]",
        "\n[r]: /u\n",
        "https://e.com/“",
        "\n```\n",
        "\n    ",
    ]
)
_QUOTE_BODIES = st.lists(_QUOTE_NEAR_MISS, max_size=25).map("".join)


@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(_QUOTE_BODIES, st.booleans())
def test_quote_precheck_never_hides_a_problem(body, linkify):
    if not typography.quotes_may_be_mismatched(body, linkify):
        assert _quote_problems(body, linkify) == []


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(_TY_BODIES)
def test_quote_precheck_never_hides_a_problem_any_markup(body):
    if not typography.quotes_may_be_mismatched(body):
        assert _quote_problems(body) == []


@pytest.mark.parametrize(
    "body, expected",
    [
        ("中文正文[^1]。\n\n[^1]: 作者（2025/6/17）。[标题](https://e.com/p/1)。站点。\n", False),
        ("中文 <https://e.com/a> 正文。\n", False),
        ("Hello, world: fine.\n", False),
        ("中文,正文\n", True),
        ("中文 (AGI) 正文\n", True),
        ("Claude 3 (Opus) 发布。\n", False),  # Latin in parentheses after Latin: left alone
        ("[中文](https://e.com/a) (Opus)\n", True),  # the destination is not prose: CJK before `(`
        ("[中文](https://e.com/a),x\n", True),
        ("[a,](https://e.com/a)中\n", True),
        ("（中文 `(` x)\n", True),  # a code span hides the `(` the `)` pairs with
        ("中文[^1]\n\n[r]: /u\n", True),  # a link reference definition
        ("中文&#44;正文\n", True),  # an entity
        ("| a | b |\n|---|---|\n[^1]:中文\n", True),  # a table row without a pipe
    ],
)
def test_halfwidth_precheck_examples(body, expected):
    assert typography.may_have_halfwidth_marks(body) is expected


@pytest.mark.parametrize(
    "body",
    [
        ">q\n[^1]:中文",  # a block quote's lazy continuation: the marker is text
        "x\n\n>q\n[^1]:中文",
        "[^1]: > q\n[^2]:中文",  # the same inside a definition
        "| a | b |\n|---|---|\n[^1]:中文",  # a table row
    ],
)
def test_a_definition_marker_that_may_be_text_is_a_candidate(body):
    assert typography.may_have_halfwidth_marks(body)
    assert _full_marks(body) != []


def test_quote_precheck_examples():
    article = "他说“你好”，又说“再见”。\n\n[^1]: 作者（2025/6/17）。[“标题”发布](https://e.com/x)。站点。\n"
    assert not typography.quotes_may_be_mismatched(article)
    assert typography.quotes_may_be_mismatched("他说”你好”。\n")
    assert typography.quotes_may_be_mismatched("他说“你好\n还没说完”。\n")  # a paragraph over two lines
    assert typography.quotes_may_be_mismatched("中文 `“` 代码”\n")
