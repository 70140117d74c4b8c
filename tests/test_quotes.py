"""TY002 (curly quotation marks, Chinese practice) and TY004 (straight quotes in CJK text)."""

from __future__ import annotations

from typography_helpers import fixed, lint

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


def test_a_quotation_over_paragraphs_opens_on_the_first_and_closes_on_the_last():
    assert lint("TY002", "他说：“第一段开始。\n\n第二段继续。\n\n第三段结束。”\n") == []


def test_each_paragraph_of_a_quotation_may_open_again():
    assert lint("TY002", "他说：“第一段。\n\n“第二段。\n\n“第三段。”\n\n后文“引语”。\n") == []


def test_a_quotation_runs_through_block_quotes_and_list_items():
    assert lint("TY002", "> 他说：“引文开始，\n>\n> 引文结束。”\n") == []
    assert lint("TY002", "- 他说“第一项，\n- 第二项”完\n") == []


def test_a_quotation_never_closed_is_reported_at_its_opening_mark_without_a_fix():
    problems = lint("TY002", "他说：“第一段。\n\n“第二段。\n")
    assert [(p.line, p.column) for p in problems] == [(1, 4), (3, 1)]
    assert all(p.fix is None for p in problems)


def test_a_heading_ends_a_quotation():
    problems = lint("TY002", "他说“开始\n\n## 标题”\n")
    assert [(p.line, p.column) for p in problems] == [(1, 3), (3, 6)]


def test_nested_quotes_of_both_kinds_are_balanced():
    assert lint("TY002", "他说：“我听到‘你好’，又听到‘再见’。”\n") == []
    assert lint("TY002", "文章写道“大家都说“WiFi”不好，“蓝牙”也不好”。\n") == []


def test_nested_quotes_are_never_flipped_by_a_fix():
    text = "他说“甲“乙”丙“丁”戊”己“庚”辛”。\n"  # one close too many: reported, never rewritten
    problems = lint("TY002", text)
    assert len(problems) == 1 and problems[0].fix is None


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


# --- TY004 ----------------------------------------------------------------------------------------


def test_straight_quotes_around_chinese_are_reported_and_fixed():
    text = '这种现象被称为"幽灵文字"，也叫"ghost"的东西。\n'
    problems = lint("TY004", text)
    assert [(p.line, p.column) for p in problems] == [(1, 8), (1, 17)]
    assert fixed("TY004", text) == "这种现象被称为“幽灵文字”，也叫“ghost”的东西。\n"


def test_straight_quotes_are_left_alone_when_the_pairing_is_uncertain():
    assert lint("TY004", '他说"你好，然后走了。\n') == []  # odd count
    assert lint("TY004", '一个 " 孤立的" 引号"。\n') == []  # faces the wrong way


def test_straight_quotes_around_latin_away_from_cjk_are_not_reported():
    assert lint("TY004", '配置项 "name" 和 "version" 都要写。\n') == []


def test_straight_quotes_in_code_shortcodes_html_and_english_are_not_prose():
    text = (
        '中文 `"代码"` 里。\n\n{{< figure title="图:说明" >}}\n\n<span title="中文">标签</span>\n\n'
        'An English sentence with "quotes" and 一个词.\n'
    )
    assert lint("TY004", text) == []


def test_straight_quote_fix_leaves_curly_quotes_balanced():
    once = fixed("TY004", '他说“文章里写着"幽灵文字"”。\n')
    assert once == "他说“文章里写着“幽灵文字””。\n"
    assert lint("TY002", once) == [] and lint("TY004", once) == []
