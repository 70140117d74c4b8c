"""CT001 and CT003 in the links phase, against a real loopback server with titled pages."""

from __future__ import annotations

import dataclasses
import functools
import json

import pytest
from linkserver import LinkServer
from test_checker import loopback_only

from corpuslint.links.checker import Checker
from corpuslint.links.extract import LinkOccurrence
from corpuslint.links.phase import run_links_phase


def page(head: str):
    body = f"<!doctype html><html><head>{head}</head><body>正文</body></html>".encode()
    return lambda method, seen: (200, {}, body)


ROUTES = {
    "/t/match": page("<title>英伟达市值突破4万亿美元_腾讯新闻</title>"),
    "/t/wrapped": page("<title>【独家】英伟达市值突破4万亿美元 - 某新闻网</title>"),
    "/t/differ": page("<title>特斯拉第二季度交付量下滑13% | 36氪</title>"),
    "/t/og": page('<title></title><meta property="og:title" content="OpenAI发布GPT-5，称其为迄今最强模型">'),
    "/t/entities": page("<title>A &amp; B &#8211; Example Site</title>"),
    "/t/moved": lambda method, seen: (301, {"Location": "/t/differ"}, b""),
}


@pytest.fixture(scope="module")
def titled():
    srv = LinkServer(["127.0.0.1", "127.0.0.2"], extra_routes=ROUTES).start()
    yield srv
    srv.stop()


def occ(url, text, path="a.md", line=1, label="1"):
    return LinkOccurrence(path, line, 7, line, 7 + len(url), url, text, label)


def run(occurrences, settings, codes, use_cache=False):
    factory = functools.partial(Checker, resolver=loopback_only)
    return run_links_phase(
        occurrences,
        settings,
        use_cache=use_cache,
        progress=False,
        checker_factory=factory,
        rule_options={code: ({"threshold": 0.5} if code == "CT001" else {}) for code in codes},
    )


def problems(outcome, prefix="CT"):
    return sorted(
        (o.path, o.line, code, message) for o, code, message in outcome.problems if code.startswith(prefix)
    )


LK = ("LK000", "LK001", "LK002", "LK003", "LK004", "LK005")


def test_ct001_match_wrapped_og_and_mismatch(titled, fast):
    url = functools.partial(titled.url, "127.0.0.1")
    moved = titled.url("127.0.0.2", "/t/moved")
    occurrences = [
        occ(url("/t/match"), "英伟达市值突破4万亿美元", line=1),
        occ(url("/t/wrapped"), "英伟达市值突破4万亿美元", line=2),
        occ(url("/t/differ"), "英伟达市值突破4万亿美元", line=3),
        occ(url("/t/og"), "OpenAI发布GPT-5", line=4),
        occ(url("/t/entities"), "A & B", line=5),
        occ(moved, "英伟达市值突破4万亿美元", line=6),
    ]
    outcome = run(occurrences, fast, (*LK, "CT001"))
    found = problems(outcome)
    assert [(line, code) for _p, line, code, _m in found] == [(3, "CT001"), (6, "CT001")]
    assert found[0][3] == (
        "link text '英伟达市值突破4万亿美元' does not match the page title "
        "'特斯拉第二季度交付量下滑13% | 36氪' (similarity 0.00)"
    )
    assert [code for _o, code, _m in outcome.problems if code.startswith("LK")] == ["LK003"]
    assert outcome.titles[url("/t/og")] == ("OpenAI发布GPT-5，称其为迄今最强模型",)
    assert outcome.titles[url("/t/entities")] == ("A & B \u2013 Example Site",)
    assert outcome.titles[moved] == ("特斯拉第二季度交付量下滑13% | 36氪",)


def test_ct001_reads_titles_with_get_only_for_titled_links(titled, fast):
    titled_url = titled.url("127.0.0.1", "/t/match?a=1")
    bare = titled.url("127.0.0.1", "/t/wrapped?b=1")
    before_get = titled.stats.count("/t/match", "GET")
    before_head = titled.stats.count("/t/wrapped", "HEAD")
    outcome = run([occ(titled_url, "标题"), occ(bare, bare, line=2)], fast, (*LK, "CT001"))
    assert titled.stats.count("/t/match", "GET") - before_get == 1
    assert titled.stats.count("/t/wrapped", "HEAD") - before_head == 1
    assert set(outcome.titles) == {titled_url}


def test_without_ct001_links_are_checked_with_head_and_no_titles(titled, fast):
    url = titled.url("127.0.0.1", "/t/differ?no-ct001")
    before = titled.stats.count("/t/differ", "GET")
    outcome = run([occ(url, "英伟达市值突破4万亿美元")], fast, LK)
    assert titled.stats.count("/t/differ", "GET") == before
    assert outcome.titles == {} and outcome.problems == []


def test_ct001_alone_requests_only_titled_links(titled, fast):
    bare = titled.url("127.0.0.1", "/status/404")
    url = titled.url("127.0.0.1", "/t/differ?alone")
    before = titled.stats.total()
    outcome = run([occ(bare, bare), occ(url, "英伟达市值突破4万亿美元", line=2)], fast, ("CT001",))
    assert titled.stats.total() - before == 1
    assert [code for _o, code, _m in outcome.problems] == ["CT001"]


def test_ct003_across_two_files_without_requests(titled, fast):
    url = titled.url("127.0.0.1", "/t/match")
    occurrences = [
        occ(url, "英伟达市值突破4万亿美元", "a.md", 3),
        occ(url + "#section", "英伟达成全球首家4万亿美元公司", "b.md", 7),
        occ(url + "/", "英伟达市值突破 4 万亿美元！", "b.md", 9),
    ]
    before = titled.stats.total()
    outcome = run(occurrences, fast, ("CT003",))
    assert titled.stats.total() == before
    assert problems(outcome) == [
        ("a.md", 3, "CT003", "the same URL is also cited as '英伟达成全球首家4万亿美元公司' (b.md:7)"),
        ("b.md", 7, "CT003", "the same URL is also cited as '英伟达市值突破4万亿美元' (a.md:3)"),
        ("b.md", 9, "CT003", "the same URL is also cited as '英伟达成全球首家4万亿美元公司' (b.md:7)"),
    ]


def test_titles_are_cached_and_head_results_refetched(titled, fast, tmp_path):
    settings = dataclasses.replace(fast, cache_dir=str(tmp_path / "cache"))
    url = titled.url("127.0.0.1", "/t/differ?cached")
    occurrences = [occ(url, "英伟达市值突破4万亿美元")]
    run(occurrences, settings, LK, use_cache=True)  # HEAD, cached without titles
    before = titled.stats.count("/t/differ", "GET")
    first = run(occurrences, settings, (*LK, "CT001"), use_cache=True)
    assert titled.stats.count("/t/differ", "GET") - before == 1
    second = run(occurrences, settings, (*LK, "CT001"), use_cache=True)
    assert titled.stats.count("/t/differ", "GET") - before == 1  # from the cache, titles included
    assert problems(first) == problems(second) != []
    assert second.stats["cached"] == 1


def test_cli_end_to_end(titled, corpus, cli):
    match = titled.url("127.0.0.1", "/t/match?cli")
    differ = titled.url("127.0.0.1", "/t/differ?cli")
    root = corpus(
        {
            "corpuslint.toml": (
                '[links]\nallow_private = true\ntimeout = 3\n\n[rules.CT002]\ntoday = "2025-06-20"\n'
            ),
            "a.md": f"""
                ---
                title: 测试
                date: 2025-06-19
                ---

                正文[^1][^2]。

                [^1]: 张三（2025/6/17）。[英伟达市值突破4万亿美元]({match})。腾讯新闻。检索日期2025/6/19。
                [^2]: 李四（2025/6/17）。[英伟达市值突破4万亿美元]({differ})。36氪。检索日期2026/6/19。
                """,
            "b.md": f"""
                ---
                title: 测试二
                date: 2025-06-19
                ---

                正文[^1]。

                [^1]: 张三（2025/6/17）。[英伟达成全球首家4万亿美元公司]({match})。检索日期2025/6/19。
                """,
        }
    )
    result = cli("check", "--output-format", "json", "--select", "CT", "a.md", "b.md", cwd=root)
    found = sorted((d["path"], d["line"], d["code"]) for d in json.loads(result.out))
    assert found == [
        ("a.md", 8, "CT003"),
        ("a.md", 9, "CT001"),
        ("a.md", 9, "CT002"),
        ("b.md", 8, "CT003"),
    ], result
    offline = cli(
        "check", "--output-format", "json", "--select", "CT", "--no-links", "a.md", "b.md", cwd=root
    )
    assert [(d["line"], d["code"]) for d in json.loads(offline.out)] == [(9, "CT002")]
