import pickle

import pytest

from corpuslint.document import Document
from corpuslint.links.extract import cut_bare_url, extract_links

TEXT = """---
title: 测试文章
---

正文[^1]引用，另见[正文链接](https://body.example/x)与 https://bare.example/y。

![图](/images/a.png)

[^1]: 腾讯科技（2025/6/17）。[标题](https://www.36kr.com/p/3340525519730946)。36氪。检索日期2025/6/17。
[^2]: 某某 https://a.example/p/1。36氪 和 www.b.com/z，后 <https://c.example/auto> [中](https://zh.wikipedia.org/wiki/中文)
[^3]: 来源：36kr.com，作者 a@b.example
"""


def doc(text=TEXT):
    return Document.from_bytes("a.md", text.encode())


def span(d, occurrence):
    assert occurrence.end_line == occurrence.line
    return d.lines[occurrence.line - 1][occurrence.column - 1 : occurrence.end_column - 1]


def test_footnote_scope_positions_and_labels():
    d = doc()
    found = extract_links(d, "footnotes")
    assert [o.url for o in found] == [
        "https://www.36kr.com/p/3340525519730946",
        "https://a.example/p/1",
        "http://www.b.com/z",
        "https://c.example/auto",
        "https://zh.wikipedia.org/wiki/中文",
    ]
    assert [o.label for o in found] == ["1", "2", "2", "2", "2"]
    first = found[0]
    assert (first.line, first.column) == (9, 28)
    assert first.text == "标题"
    for o in found:
        assert span(d, o) in (o.url, o.url.removeprefix("http://"))


def test_bare_url_stops_at_fullwidth_punctuation():
    d = doc()
    bare = [o for o in extract_links(d, "footnotes") if o.label == "2"]
    assert bare[0].url == "https://a.example/p/1" and span(d, bare[0]) == "https://a.example/p/1"
    assert bare[1].url == "http://www.b.com/z" and span(d, bare[1]) == "www.b.com/z"


@pytest.mark.parametrize(
    "raw, url",
    [
        ("https://a.com/p/1。36氪", "https://a.com/p/1"),
        ("https://a.com/p/1，后文", "https://a.com/p/1"),
        ("https://a.com/p/1）", "https://a.com/p/1"),
        ("https://a.com/p/1」：", "https://a.com/p/1"),
        ("https://a.com/p/1.。", "https://a.com/p/1"),
        ("https://a.com/p/1；！？、", "https://a.com/p/1"),
        ("https://a.com/p?q=1&r=2", "https://a.com/p?q=1&r=2"),
    ],
)
def test_cut_bare_url(raw, url):
    assert cut_bare_url(raw) == url


def test_all_scope_includes_body_links_and_images():
    d = doc()
    found = extract_links(d, "all")
    body = [o for o in found if o.label is None]
    assert [o.url for o in body] == ["https://body.example/x", "https://bare.example/y", "/images/a.png"]
    assert (body[0].line, body[0].column) == (5, 19)
    assert span(d, body[1]) == "https://bare.example/y"
    assert len(found) == len(body) + 5


def test_fuzzy_domains_and_emails_are_not_links():
    urls = [o.url for o in extract_links(doc(), "all")]
    assert not any("36kr.com" == u.removeprefix("http://") for u in urls)
    assert not any(u.startswith("mailto:") for u in urls)


def test_bare_urls_are_found_by_the_one_parse():
    found = extract_links(doc(), "footnotes")
    assert "https://a.example/p/1" in [o.url for o in found]


def test_repeated_url_in_one_block_gets_each_position():
    d = doc("[^1]: https://x.example/a 与 https://x.example/a。\n")
    found = extract_links(d, "footnotes")
    assert [(o.line, o.column) for o in found] == [(1, 7), (1, 29)]


def test_crlf_and_bom():
    d = Document.from_bytes("b.md", "\ufeff[^1]: [t](https://x.example/a)\r\n".encode())
    (o,) = extract_links(d, "footnotes")
    assert (o.line, o.column, o.end_column) == (1, 11, 30)


def test_multiline_footnote():
    d = doc("[^1]: 作者。\n    第二行 [t](https://x.example/b)。\n")
    (o,) = extract_links(d, "footnotes")
    assert (o.line, o.column) == (2, 13)


def test_picklable():
    found = extract_links(doc(), "all")
    assert pickle.loads(pickle.dumps(found)) == found


def test_bad_scope():
    with pytest.raises(ValueError):
        extract_links(doc(), "some")


def test_markdown_link_after_a_bare_url_on_the_same_line_is_kept():
    d = doc("正文\n\n入口：http://h.test/a；另见[官方公告](http://h.test/b)。\n")
    found = extract_links(d, "all")
    assert [o.url for o in found] == ["http://h.test/a", "http://h.test/b"]
    assert [span(d, o) for o in found] == ["http://h.test/a", "http://h.test/b"]
    assert found[1].text == "官方公告"


def test_links_come_from_the_documents_one_parse():
    d = doc()
    extract_links(d, "all")
    assert "markdown" in d.__dict__ and "tokens" not in d.__dict__


def test_an_ipv6_zone_id_stays_inside_its_url():
    d = doc("Text[^1].\n\n[^1]: Source http://[::1%25lo]/page and [x](http://[fe80::1%25eth0]/a)\n")
    found = extract_links(d, "footnotes")
    assert [(o.url, span(d, o)) for o in found] == [
        ("http://[::1%25lo]/page", "http://[::1%25lo]/page"),
        ("http://[fe80::1%25eth0]/a", "http://[fe80::1%25eth0]/a"),
    ]
