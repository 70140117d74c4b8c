"""Citation helpers (titles, similarity, URL keys, dates) and CT002 (retrieval dates), offline."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpuslint import citations
from corpuslint.citations import (
    find_dates,
    has_marker_hint,
    inconsistent_titles,
    is_title_text,
    masked,
    normalize_title,
    page_titles,
    parse_date,
    retrieval_dates,
    similarity,
    title_candidates,
    title_mismatches,
    title_score,
    url_key,
)
from corpuslint.document import Document
from corpuslint.registry import RuleContext, all_rules
from corpuslint.runner import RunOptions, enabled_codes

THRESHOLD = all_rules()["CT001"].options["threshold"]

# --- normalisation and similarity ---------------------------------------------------------------


def test_normalize_title_folds_width_case_punctuation_and_spaces():
    assert normalize_title("ＯｐｅｎＡＩ 发布「GPT-5」！") == "openai发布gpt5"
    assert normalize_title("The State of AI, 2025.") == "thestateofai2025"
    assert normalize_title("——") == ""


# Realistic (link text, page title) pairs: the same article, usually wrapped in the site's name.
SAME = [
    ("OpenAI发布GPT-5", "OpenAI发布GPT-5，称其为迄今最强模型_腾讯新闻"),
    ("如何评价GPT-5？", "如何评价 GPT-5？ - 知乎"),
    ("英伟达市值突破4万亿美元", "【独家】英伟达市值突破4万亿美元，成全球首家"),
    ("字节跳动发布豆包大模型1.5", "字节跳动发布豆包大模型1.5 Pro丨36氪"),
    ("2025年中国人工智能产业发展报告", "2025年中国人工智能产业发展报告（全文）_中国政府网"),
    ("DeepSeek-R1技术报告解读", "DeepSeek-R1 技术报告解读 - 知乎"),
    ("小米汽车SU7交付量超预期", "小米SU7交付超预期，雷军发文感谢用户"),
    ("华为发布Mate 70系列", "华为Mate 70系列正式发布：售价5499元起 | 36氪"),
    ("The State of AI in 2025", "The State of AI in 2025 | McKinsey"),
    ("The State of AI in 2025", "State of AI report 2025 - McKinsey & Company"),
    ("Attention Is All You Need", "[1706.03762] Attention Is All You Need"),
    ("Apple announces iPhone 17", "Apple unveils iPhone 17 lineup - The Verge"),
    ("ＧＰＴ－５ 的十个问题", "GPT-5的十个问题 – 36氪"),
]
# Another article: a wrong URL, a site-wide page, or another story of the same site or brand.
DIFFERENT = [
    ("英伟达市值突破4万亿美元", "特斯拉第二季度交付量下滑13% | 36氪"),
    ("字节跳动发布豆包大模型1.5", "首页 - 36氪"),
    ("小米汽车SU7交付量超预期", "比亚迪海外销量创新高"),
    ("OpenAI发布GPT-5", "OpenAI推出GPT-4o，免费向所有用户开放 - 新浪科技"),
    ("华为发布Mate 70系列", "华为Mate 60销量分析 - 知乎"),
    ("DeepSeek-R1技术报告解读", "DeepSeek V3 发布：性能对标GPT-4o - 知乎"),
    ("The State of AI in 2025", "Tesla recalls 2 million cars - BBC News"),
    ("Apple announces iPhone 17", "Samsung Galaxy S25 review: a great phone | TechRadar"),
    ("Apple announces iPhone 17", "Apple reports record quarterly revenue - Apple Newsroom"),
    ("Attention Is All You Need", "arXiv.org e-Print archive"),
]


@pytest.mark.parametrize("text, title", SAME)
def test_same_article_matches(text, title):
    assert title_score(text, title) >= THRESHOLD


@pytest.mark.parametrize("text, title", DIFFERENT)
def test_other_article_does_not_match(text, title):
    assert title_score(text, title) < THRESHOLD


def test_site_name_stripping_only_helps():
    for text, title in SAME + DIFFERENT:
        assert title_score(text, title) >= similarity(text, title)


def test_title_candidates_split_at_site_separators():
    assert title_candidates("如何评价 GPT-5？ - 知乎")[1:] == [
        "如何评价 GPT-5",
        "如何评价 GPT-5 知乎",
        "知乎",
    ]
    assert "英伟达市值" in title_candidates("【独家】英伟达市值")
    assert "Title" in title_candidates("Title | Site")
    assert "标题" in title_candidates("标题_腾讯新闻")
    assert "GPT-5" not in title_candidates("GPT-5")[1:]  # a hyphen inside a word is no separator


def test_a_shared_brand_name_is_one_token():
    # five shared letter bigrams in "openai" would make these look alike
    assert similarity("OpenAI发布GPT-5", "OpenAI推出GPT-4o") < 0.5


def test_containment_needs_more_than_one_token():
    assert similarity("OpenAI", "OpenAI推出GPT-4o免费开放") < 1.0
    assert similarity("豆包大模型", "字节跳动发布豆包大模型1.5 Pro") == 1.0


def test_is_title_text():
    assert is_title_text("标题", "https://a.example/p/1")
    assert not is_title_text("https://a.example/p/1", "https://a.example/p/1")
    assert not is_title_text("www.example.com/p/1", "http://www.example.com/p/1")
    assert not is_title_text("  ", "https://a.example/")
    assert not is_title_text("——", "https://a.example/")


def test_url_key():
    assert url_key("HTTPS://WWW.Example.COM:443/p/1/#top") == "https://www.example.com/p/1"
    assert url_key("http://example.com/p/1?x=1") == "http://example.com/p/1?x=1"
    assert url_key("http://example.com:8080/") == "http://example.com:8080"
    assert url_key("http://example.com/P/1") != url_key("http://example.com/p/1")  # paths keep case


# --- page titles --------------------------------------------------------------------------------


def test_page_titles_title_and_og_title_with_entities():
    body = (
        b"<html><head><meta charset='utf-8'><TITLE>\n  A &amp; B &#8212; Site </TITLE>"
        b'<meta content="A &quot;B&quot;" property="og:title"><meta name="twitter:title" content=\'A B\'>'
    )
    assert page_titles(body) == ("A & B \u2014 Site", 'A "B"', "A B")


@pytest.mark.parametrize(
    "head, content_type",
    [
        (b'<meta charset="gbk">', None),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', None),
        (b"", "text/html; charset=GBK"),
        (b"", None),  # undeclared: not UTF-8, so GB18030
    ],
)
def test_page_titles_charset(head, content_type):
    body = b"<html><head>" + head + "<title>英伟达市值突破4万亿美元_腾讯新闻</title>".encode("gbk")
    assert page_titles(body, content_type) == ("英伟达市值突破4万亿美元_腾讯新闻",)


def test_page_titles_header_wins_and_cut_prefix_is_fine():
    body = "<title>标题</title><p>正文".encode()[:-1]  # cut in the middle of a character
    assert page_titles(body, "text/html; charset=utf-8") == ("标题",)
    assert page_titles(body) == ("标题",)
    assert page_titles(b"") == ()
    assert page_titles(b"<html><title></title></html>") == ()


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2025/6/19", dt.date(2025, 6, 19)),
        ("2025-06-19", dt.date(2025, 6, 19)),
        ("2025.6.19", dt.date(2025, 6, 19)),
        ("2025年6月19日", dt.date(2025, 6, 19)),
        ("２０２５年６月１９日", dt.date(2025, 6, 19)),
        ("June 19, 2025", dt.date(2025, 6, 19)),
        ("Jun. 19 2025", dt.date(2025, 6, 19)),
        ("19 Sept. 2025", dt.date(2025, 9, 19)),
        ("3rd March 2024", dt.date(2024, 3, 3)),
    ],
)
def test_find_dates(text, expected):
    assert [d for d, _s, _e in find_dates(f"（{text}）")] == [expected]


@pytest.mark.parametrize(
    "text", ["2025/13/40", "2025/2/30", "v1.2025.6.19", "12025/6/19", "2025年6月", "June 2025"]
)
def test_find_dates_skips_impossible_and_partial(text):
    assert list(find_dates(text)) == []


def test_retrieval_dates_markers_before_and_after():
    text = (
        "作者（2025/6/17）。检索日期2025/6/19。检索于：2025年6月20日；访问日期 2025-06-21；"
        "2025年6月22日访问。Retrieved 2025-06-23. accessed on June 24, 2025. Accessed: 25 June 2025"
    )
    found = [(d.day, text[s:e]) for d, s, e in retrieval_dates(text)]
    assert [day for day, _ in found] == [19, 20, 21, 22, 23, 24, 25]
    assert found[0][1] == "2025/6/19"
    assert all(d.day != 17 for d, _s, _e in retrieval_dates(text))


_DATE_ATOMS = st.sampled_from(
    [
        "2025/6/17",
        "2025-06-19",
        "2025.6.19",
        "2025 / 6 / 19",
        "2025年6月19日",
        "June 19, 2025",
        "Jun. 19 2025",
        "19 June 2025",
        "19th Sept 2025",
        "SEPT 3 2025",
        "\u017fept 3 2025",
        "\u212aan",
        "\u0130",
        "检索日期",
        "检索于：",
        "访问",
        "Retrieved",
        "RETRIEVED on",
        "accessed",
        "acce\u017f\u017fed ",
        "retr\u0130eved ",
        " ",
        "\n",
        "。",
        "12",
        "2025",
        "1.2025",
        "20250",
        "may",
        "dec 1, 2024",
        "/",
        "-",
        "年",
        "月",
        "2025/2/30",
        "x",
    ]
)
_DATE_TEXTS = st.lists(_DATE_ATOMS, max_size=14).map("".join)


# _DATE before its lookahead prefix was added
_ORIGINAL_DATE = re.compile(
    r"(?<![\d.])(?P<y>\d{4})\s*(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})(?![\d])"
    r"|(?<!\d)(?P<y2>\d{4})\s*年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})(?:\s*[日号])?(?!\d)"
    r"|\b"
    + citations._MONTH_NAME.format("mn")
    + r"\s+(?P<d3>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y3>\d{4})(?!\d)"
    r"|(?<![\d.])(?P<d4>\d{1,2})(?:st|nd|rd|th)?\s+"
    + citations._MONTH_NAME.format("mn4")
    + r",?\s+(?P<y4>\d{4})(?!\d)",
    re.IGNORECASE,
)


@settings(max_examples=1500, deadline=None)
@given(_DATE_TEXTS, st.data())
def test_find_dates_shortcut_finds_what_the_full_pattern_finds(text, data):
    # without a month name, find_dates uses the numeric branches alone
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    spans = [m.span() for m in citations._DATE().finditer(text, start, end)]
    assert spans == [m.span() for m in _ORIGINAL_DATE.finditer(text, start, end)]
    found = [(s, e) for _d, s, e in find_dates(text, start, end)]
    assert set(found) <= set(spans)
    assert found == [span for span in spans if span in found]
    for s, e in spans:
        if (s, e) not in found:  # only impossible dates are dropped
            assert list(find_dates(text[s:e])) == []
    dates = list(find_dates(text))
    assert retrieval_dates(text, dates=dates) == retrieval_dates(text)


@settings(max_examples=1500, deadline=None)
@given(_DATE_TEXTS, st.lists(st.tuples(st.integers(-2, 60), st.integers(-2, 60)), max_size=4))
def test_marker_hint_and_masking_match_their_definitions(text, spans):
    assert has_marker_hint(text) == any(hint in text.lower() for hint in citations.MARKER_HINTS)
    chars = list(text)
    for start, stop in spans:
        for i in range(max(start, 0), min(stop, len(chars))):
            if chars[i] != "\n":
                chars[i] = " "
    assert masked(text, spans) == "".join(chars)


def test_parse_date():
    assert parse_date(dt.date(2025, 6, 19)) == dt.date(2025, 6, 19)
    assert parse_date(dt.datetime(2025, 6, 19, 8, 0)) == dt.date(2025, 6, 19)
    assert parse_date("2025-06-19T08:00:00+08:00") == dt.date(2025, 6, 19)
    assert parse_date("2025/6/19") == dt.date(2025, 6, 19)
    assert parse_date("soon") is None and parse_date(None) is None and parse_date(20250619) is None


# --- CT002 ---------------------------------------------------------------------------------------


def ct002(text: str, **options):
    rule = all_rules()["CT002"]
    doc = Document.from_bytes("a.md", text.encode("utf-8"))
    context = RuleContext(options={**rule.options, "today": "2025-06-20", **options})
    return [(p.line, p.column, p.end_column, p.message) for p in rule.check(doc, context)]


ARTICLE = "---\ntitle: 测试\ndate: 2025-06-19\n---\n\n正文[^1]。\n\n"


def test_ct002_good_footnote_is_quiet():
    assert (
        ct002(
            ARTICLE
            + "[^1]: 张三（2025/6/17）。[标题](https://www.example.com/p/334)。示例网。检索日期2025/6/19。\n"
        )
        == []
    )


def test_ct002_future():
    line = "[^1]: 张三（2025/6/17）。[标题](https://www.example.com/p/334)。示例网。检索日期2026/6/19。\n"
    [(row, column, end, message)] = ct002(ARTICLE + line)
    assert row == 8 and column == line.index("2026") + 1 and end == column + len("2026/6/19")
    assert message == "retrieval date 2026-06-19 is in the future (today is 2025-06-20)"


def test_ct002_future_allows_one_day_for_time_zones():
    assert ct002(ARTICLE + "[^1]: [标题](https://a.example/)。检索日期2025/6/21。\n") == []
    assert ct002(ARTICLE + "[^1]: [标题](https://a.example/)。检索日期2025/6/22。\n") != []


def test_ct002_today_from_settings():
    rule = all_rules()["CT002"]
    doc = Document.from_bytes("a.md", "[^1]: [t](https://a.example/)。检索日期2030/1/1。\n".encode())
    found = list(rule.check(doc, RuleContext(options=rule.options, settings={"today": "2030-01-01"})))
    assert found == []


def test_ct002_before_the_item():
    line = "[^1]: 张三（2025/6/17）。[标题](https://www.example.com/p/334)。示例网。检索日期2025/6/15。\n"
    [(_row, column, _end, message)] = ct002(ARTICLE + line)
    assert column == line.index("2025/6/15") + 1
    assert message == "retrieval date 2025-06-15 is earlier than the cited item's date 2025-06-17"


def test_ct002_dates_in_urls_and_link_texts_are_not_the_items():
    text = ARTICLE + (
        "[^1]: 张三。[2025年6月30日发布会前瞻](https://www.example.com/2025/06/18/a)。检索日期2025/6/17。\n"
        "[^2]: 李四。https://www.example.com/2025/06/30/b 检索日期2025/6/17。\n"
    )
    assert ct002(text) == []


def test_ct002_long_after_the_article():
    line = "[^1]: 张三（2025/6/17）。[标题](https://a.example/)。Retrieved 2025-08-01.\n"
    text = ARTICLE.replace("2025-06-19", "2025-06-01") + line
    [(_row, _col, _end, message)] = ct002(text, today="2025-09-01")
    assert (
        message == "retrieval date 2025-08-01 is 61 days after the article's date 2025-06-01 (more than 30)"
    )
    assert ct002(text, today="2025-09-01", max_days_after_article=90) == []
    # before the article is fine
    assert ct002(ARTICLE + "[^1]: [标题](https://a.example/)。检索日期2025/1/1。\n") == []


def test_ct002_date_key_and_string_dates():
    text = "---\npublished: 2025/5/1\n---\n\n[^1]: [t](https://a.example/)。accessed June 19, 2025\n"
    assert ct002(text) == []
    [(_r, _c, _e, message)] = ct002(text, date_key="published")
    assert "49 days after the article's date 2025-05-01" in message


def test_ct002_every_marker_in_a_definition_and_continuation_lines():
    text = (
        ARTICLE
        + "[^1]: 张三（2025/6/17）。[t](https://a.example/)。\n    检索于2025年6月16日；2025/7/30访问。\n"
    )
    found = ct002(text)
    assert [(row, message.split(" is ")[0]) for row, _c, _e, message in found] == [
        (9, "retrieval date 2025-06-16"),
        (9, "retrieval date 2025-07-30"),
    ]


def test_ct002_no_footnotes_or_no_markers():
    assert ct002("检索日期2030/1/1，不在脚注里。\n") == []
    assert ct002("正文[^1]。\n\n[^1]: 张三（2025/6/17）。2030/1/1。\n") == []


# --- CT001 and CT003 helpers over occurrences (no network) --------------------------------------


def occ(url, text, path="a.md", line=1, label="1"):
    return SimpleNamespace(path=path, line=line, column=1, url=url, text=text, label=label)


def test_title_mismatches_messages_and_generic_titles():
    occurrences = [
        occ("https://a.example/p/1", "英伟达市值突破4万亿美元", line=1),
        occ("https://a.example/p/2", "英伟达市值突破4万亿美元", line=2),
        occ("https://a.example/p/3", "特斯拉交付量", line=3),
        occ("https://a.example/p/4", "https://a.example/p/4", line=4),  # a bare URL
        occ("https://a.example/p/5", "特斯拉交付量", line=5, label=None),  # not a citation
    ]
    titles = {
        "https://a.example/p/1": ("英伟达市值突破4万亿美元 - 某网",),
        "https://a.example/p/2": ("特斯拉第二季度交付量下滑13% - 某网",),
        "https://a.example/p/3": ("首页 - 某网",),
        "https://a.example/p/4": ("首页 - 某网",),
        "https://a.example/p/5": ("其他",),
    }
    found = title_mismatches(occurrences, titles, 0.5)
    assert [o.line for o, _ in found] == [2]  # p/3's title is the site's, shared by p/4
    assert found[0][1].startswith("link text '英伟达市值突破4万亿美元' does not match the page title '特斯拉")


def test_inconsistent_titles():
    url = "https://a.example/p/1"
    occurrences = [
        occ(url, "英伟达市值突破4万亿美元", "a.md", 3),
        occ(url + "/", "英伟达市值突破 4 万亿美元！", "a.md", 9),  # same after normalisation
        occ(url.upper().replace("/P/", "/p/") + "#x", "英伟达成全球首家4万亿美元公司", "b.md", 5),
        occ(url, url, "c.md", 1),  # a bare URL: no title
        occ("https://a.example/p/2", "别的", "c.md", 2),
    ]
    found = [(o.path, o.line, m) for o, m in inconsistent_titles(occurrences)]
    assert found == [
        ("a.md", 3, "the same URL is also cited as '英伟达成全球首家4万亿美元公司' (b.md:5)"),
        ("a.md", 9, "the same URL is also cited as '英伟达成全球首家4万亿美元公司' (b.md:5)"),
        ("b.md", 5, "the same URL is also cited as '英伟达市值突破4万亿美元' (a.md:3)"),
    ]


# --- registration -------------------------------------------------------------------------------


def test_registration_and_no_links():
    rules = all_rules()
    assert (rules["CT001"].phase, rules["CT002"].phase, rules["CT003"].phase) == (
        "links",
        "document",
        "links",
    )
    config = SimpleNamespace(select=None, ignore=())
    offline = enabled_codes(config, RunOptions(links=False))
    assert "CT002" in offline and "CT001" not in offline and "CT003" not in offline
    links_only = enabled_codes(config, RunOptions(links_only=True))
    assert {"CT001", "CT003"} <= links_only and "CT002" not in links_only


@pytest.mark.parametrize(
    "code, name",
    [("CT001", "title-mismatch"), ("CT002", "retrieval-date"), ("CT003", "inconsistent-citation-title")],
)
def test_rule_docs(cli, code, name):
    result = cli("rule", code)
    assert result.code == 0, result.err
    assert f"# {name} ({code})" in result.out
    for heading in ("## What it does", "## Why is this bad?", "## Example"):
        assert heading in result.out
