"""SR001: site boilerplate left in the body, and its unsafe trailing-block fix."""

from __future__ import annotations

from corpuslint.diagnostics import Diagnostic, Severity
from corpuslint.document import Document
from corpuslint.fixes import apply_fixes
from corpuslint.registry import RuleContext, all_rules

ARTICLE = "---\ntitle: 标题\n---\n正文第一段，写得很好。\n\n这个问题，比什么都重要。\n"
TRAILER = (
    "\n© 版权声明\nTHE END\n喜欢就支持一下吧\n点赞12 分享\n评论 抢沙发\n\n"
    "请登录后发表评论\n\n    暂无评论内容"
)


def lint(text: str, **options):
    rule = all_rules()["SR001"]
    doc = Document.from_bytes("a.md", text.encode("utf-8"))
    return list(rule.check(doc, RuleContext(options={**rule.options, **options})))


def lines(text: str, **options) -> list[int]:
    return [p.line for p in lint(text, **options)]


def fix(text: str, unsafe: bool) -> str:
    diagnostics = [
        Diagnostic("a.md", p.line, p.column, "SR001", Severity.WARNING, p.message, fix=p.fix)
        for p in lint(text)
    ]
    return apply_fixes(text, diagnostics, unsafe=unsafe)[0]


def test_trailing_widgets_are_reported_line_by_line():
    text = ARTICLE + TRAILER
    problems = lint(text)
    assert [(p.line, p.column) for p in problems] == [
        (8, 1),
        (9, 1),
        (10, 1),
        (11, 1),
        (12, 1),
        (14, 1),
        (16, 5),
    ]
    assert all("trailing block" in p.message for p in problems)
    assert problems[0].end_column == len("© 版权声明") + 1


def test_the_fix_removes_the_trailing_block_and_is_unsafe():
    text = ARTICLE + TRAILER
    problems = lint(text)
    assert problems[0].fix is not None and problems[0].fix.safe is False
    assert all(p.fix is None for p in problems[1:])
    assert fix(text, unsafe=False) == text
    assert fix(text, unsafe=True) == ARTICLE
    assert lint(ARTICLE) == []


def test_footer_licence_and_template_code():
    text = (
        "正文。\n\n更新时间:2025-11-01\n本站资料均由网友自行发布提供，仅用于学习交流。\n"
        '© CopyRight 2020-=date("Y",time());?> All Rights Reserved. '
        "Powered By example.com 京ICP备12345678号\n"
        "闽公网安备35020302034903号\n"
    )
    assert lines(text) == [3, 4, 5, 6]
    assert fix(text, unsafe=True) == "正文。\n"


def test_residue_in_the_middle_has_no_fix_and_weak_lines_there_are_not_reported():
    text = "第一段。\n\n京ICP备12345678号\n\n更新时间：2025-11-01\n\n分享\n\n第二段，正文继续。\n"
    problems = lint(text)
    assert [p.line for p in problems] == [3]
    assert problems[0].fix is None


def test_prose_that_mentions_widget_words_is_not_residue():
    text = (
        "欢迎分享这篇文章，也欢迎在评论区留言。\n\n点赞和分享是社交网络的核心机制。\n\n"
        "版权所有者有权决定是否授权。\n\nCopyright law differs between countries.\n\n## 评论\n\n"
        "他说：“THE END 是一首歌。”\n"
    )
    assert lint(text) == []


def test_code_and_front_matter_are_not_residue():
    text = (
        "---\ntitle: 标题\ncopyright: © 2024 All rights reserved\n---\n正文。\n\n"
        '```php\n<?php echo date("Y"); ?>\n© 版权声明\n```\n\n    <?php echo 1; ?>\n'
    )
    assert lint(text) == []


def test_custom_patterns_and_builtin_switch():
    text = "正文。\n\n本文完\n"
    assert lint(text) == []
    assert lines(text, patterns=[r"^本文完$"]) == [3]
    assert fix(text, unsafe=True) == text  # no pattern: nothing to fix
    assert lines(ARTICLE + TRAILER, builtin=False) == []
    assert lines(ARTICLE + TRAILER, builtin=False, patterns=["抢沙发"]) == [12]


def test_invalid_custom_pattern_is_reported_once():
    problems = lint("正文。\n", patterns=["("])
    assert len(problems) == 1 and "invalid regular expression" in problems[0].message


def test_a_document_that_is_all_residue_is_emptied():
    assert fix("© 版权声明\nTHE END\n", unsafe=True) == ""


# --- only the patterns a body admits are searched (property test) -------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from corpuslint.rules import residue  # noqa: E402

# Characters besides ASCII whose case folding holds an ASCII letter (Python 3.11's Unicode), and
# the two that (?i) matches with `i`.
_FOLDS_TO_ASCII = (
    "\xdf\u0130\u0131\u0149\u017f\u01f0\u1e96\u1e97\u1e98\u1e99\u1e9a\u1e9e\u212a"
    "\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"
)
_TRIGGER_TEXT = st.lists(
    st.one_of(
        st.sampled_from(
            list("icpCPIgGhHtTsSrRyYoO中文 \n©侵权公网安备友自行>\t")
            + ["rights", "ICP", "copyright", "COPYRIGHT", "all rights reserved", " 2020", "(c)", "备123号"]
            + ["京ICP备", "京公网安备 1号", "本站均由网友自行发布", "如有侵权请联系删除"]
        ),
        st.sampled_from(list(_FOLDS_TO_ASCII)),
        st.characters(max_codepoint=0x2FFFF),
    ),
    max_size=12,
).map("".join)


def _found(pattern, body):
    return [] if pattern is None else [(m.start(), m.end(), m.lastgroup) for m in pattern.finditer(body)]


def test_g_h_and_t_match_only_ascii_letters_ignoring_case():
    """What the "ght" need relies on, for this Python's Unicode database."""
    import re
    import sys

    pattern = re.compile("(?i)[ght]")
    assert [c for c in map(chr, range(sys.maxunicode + 1)) if pattern.fullmatch(c)] == list("GHTght")


@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(_TRIGGER_TEXT)
def test_the_admitted_patterns_find_what_all_of_them_find(body):
    combined = residue._builtin()[0]
    assert _found(residue._search_for(body), body) == _found(combined, body)


def test_a_copyright_line_with_a_dotted_capital_i_is_residue():
    # (?i) matches `İ` with `i`; the case-folded trigger test this replaced missed the line.
    assert [p.line for p in lint("正文。\n\nCOPYRİGHT 2020 某网站\n")] == [3]


def test_sr001_never_parses_the_document():
    from corpuslint.document import Document
    from corpuslint.registry import RuleContext, all_rules

    text = "正文。\n\n```\n代码\n```\n\n    缩进代码\n\n© 版权声明\n"
    doc = Document.from_bytes("a.md", text.encode())
    assert [p.line for p in all_rules()["SR001"].check(doc, RuleContext(options={}))] == [9]
    assert "tokens" not in doc.__dict__


def test_residue_inside_fenced_code_is_ignored_when_a_candidate_is_elsewhere():
    from corpuslint.document import Document
    from corpuslint.registry import RuleContext, all_rules

    text = "正文。\n\n```\n© 版权声明\n```\n\n© 版权声明\n"
    doc = Document.from_bytes("a.md", text.encode())
    lines = [p.line for p in all_rules()["SR001"].check(doc, RuleContext(options={}))]
    assert lines == [7]


# --- what SR001 never looks at ----------------------------------------------------------------------


def test_a_licence_line_in_an_html_comment_is_not_residue():
    text = "Intro text.\n\n<!--\n// Copyright 2015 Example Authors. All rights reserved.\n-->\n\nBody.\n"
    assert lines(text) == []
    assert lines("正文。\n\n<!-- © 版权声明 -->\n") == []


def test_an_unclosed_html_comment_runs_to_the_end():
    assert lines("正文。\n\n<!-- 草稿\n© 版权声明\n") == []


def test_headings_are_never_residue():
    assert lines("正文。\n\n#### All rights reserved\n\nTHE END\n---------\n\n段落。\n") == []


def test_table_rows_are_never_residue():
    text = "正文。\n\n| 字体 | 许可 |\n|---|---|\n| 某字体 | All rights reserved |\n| 乙 | 版权所有 |\n"
    assert lines(text) == []


def test_code_in_fences_of_either_kind_and_in_block_quotes_is_never_residue():
    text = "正文。\n\n~~~\n版权所有\n~~~\n\n> ```\n> © 2020 Example\n> ```\n"
    assert lines(text) == []


def test_front_matter_is_never_residue():
    assert lines("---\ntitle: 标题\nrights: All rights reserved\n---\n正文。\n") == []


def test_prose_after_a_table_or_comment_is_still_checked():
    text = "| a | b |\n|---|---|\n| 1 | 2 |\n\n<!-- x -->\n\n正文。\n\n© 版权声明\n"
    assert lines(text) == [9]


def test_include_limits_sr001_to_the_configured_content():
    rule = all_rules()["SR001"]
    text = "Font licence.\n\nCopyright (c) 2010 Someone. All rights reserved.\n"
    options = {**rule.options, "include": ["files/**"]}
    for path, expected in (("static/fonts/LICENSE.md", []), ("corpus/files/en-us/a.md", [3])):
        doc = Document.from_bytes(path, text.encode())
        assert [p.line for p in rule.check(doc, RuleContext(options=options))] == expected


_LINE_PIECES = st.lists(
    st.sampled_from(
        [
            "©",
            "版权声明",
            "版权所有",
            "版权归",
            "作者",
            "所有",
            "本文",
            "THE",
            "the",
            "End",
            "END",
            "-",
            " ",
            "喜欢就支持一下吧",
            "！",
            "请",
            "登录后",
            "发表",
            "评论",
            "暂无",
            "内容",
            "快来",
            "抢沙发",
            "吧",
            "点赞",
            "分享",
            "收藏",
            "打赏",
            "举报",
            "转发",
            "赞",
            "关注",
            "阅读",
            "浏览",
            "5",
            "(",
            "（",
            "）",
            "|",
            "·",
            "更新时间",
            "发布于",
            "：",
            ":",
            "2025-11-01",
            "12:30",
            "上一篇",
            "下一篇",
            "标题",
            "。",
        ]
    ),
    max_size=8,
).map("".join)


@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(_LINE_PIECES)
def test_every_whole_line_pattern_needs_a_hint_word(line):
    _, _, _, whole_line, weak = residue._builtin()
    stripped = line.strip()
    matched = residue._whole_line(stripped, whole_line) is not None or any(
        pattern.fullmatch(stripped) for _, pattern in weak
    )
    if matched:
        assert residue._LINE_HINT.search(stripped)
