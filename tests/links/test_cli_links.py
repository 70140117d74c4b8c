"""`corpuslint check --links-only` end to end, against the loopback server."""

from __future__ import annotations

import json


def test_check_links_only(server, corpus, cli, tmp_path):
    ok = server.url("127.0.0.2", "/ok")
    gone = server.url("127.0.0.2", "/status/404")
    moved = server.url("127.0.0.2", "/moved/301/ok")
    root = corpus(
        {
            "corpuslint.toml": "[links]\nallow_private = true\ntimeout = 3\n",
            "a.md": f"""
                ---
                title: 测试
                ---

                正文[^1][^2][^3]。

                [^1]: 某某（2025/6/17）。[标题]({ok})。来源。
                [^2]: 某某 {gone}。来源。
                [^3]: 某某（2025/6/17）。[标题]({moved})。来源。
                """,
        }
    )
    result = cli("check", "--links-only", "--output-format", "json", "a.md", cwd=root)
    found = sorted((d["line"], d["column"], d["code"]) for d in json.loads(result.out))
    assert found == [(8, 10, "LK001"), (9, 26, "LK003")], result
    assert result.code == 1
    assert (root / ".corpuslint_cache").is_dir()
    again = cli("check", "--links-only", "--output-format", "json", "a.md", cwd=root)
    assert json.loads(again.out) == json.loads(result.out)
    cleared = cli("cache", "clear", cwd=root)
    assert cleared.code == 0 and "3" in cleared.out
    skipped = cli("check", "--no-links", "--output-format", "json", "a.md", cwd=root)
    assert not [d for d in json.loads(skipped.out) if d["code"].startswith("LK")]


def test_permanent_redirect_fix_end_to_end(server, corpus, cli):
    moved = server.url("127.0.0.2", "/moved/301/p/new-home")
    bare = server.url("127.0.0.2", "/moved/308/ok") + "#part"
    root = corpus(
        {
            "corpuslint.toml": "[links]\nallow_private = true\ntimeout = 3\n",
            "a.md": f"""
                ---
                title: 测试
                ---

                正文[^1][^2]。

                [^1]: 某某（2025/6/17）。[标题]({moved})。来源。
                [^2]: 某某 {bare}。来源。
                """,
        }
    )
    report = ("check", "--links-only", "--no-cache", "--select", "LK", "--output-format", "json", "a.md")
    first = cli(*report, cwd=root)
    found = [d for d in json.loads(first.out) if d["code"] == "LK003"]
    assert [(d["line"], d["fixable"]) for d in found] == [(7, True), (8, True)], first
    fixed = cli("check", "--links-only", "--no-cache", "--select", "LK", "--fix", "a.md", cwd=root)
    text = (root / "a.md").read_text(encoding="utf-8")
    assert f"[标题]({server.url('127.0.0.2', '/p/new-home')})。来源。" in text, fixed
    assert f"某某 {server.url('127.0.0.2', '/ok')}#part。来源。" in text
    assert moved not in text
    again = cli(*report, cwd=root)
    assert json.loads(again.out) == [] and again.code == 0


def _offline_corpus(corpus, extra=""):
    # every link goes through a proxy that nothing listens on: no link can be checked
    config = (
        f'[links]\nallow_private = true\ntimeout = 2\nretries = 0\nproxy = "http://127.0.0.15:1"\n{extra}'
    )
    return corpus(
        {
            "corpuslint.toml": config,
            "a.md": """
                ---
                title: 测试
                ---

                正文[^1][^2]。

                [^1]: 某某。[标题](http://127.0.0.2:9/p/1)。来源。
                [^2]: 某某。[标题](http://127.0.0.3:9/p/2)。来源。
                """,
        }
    )


def test_no_link_checked_is_an_error_with_links_only(corpus, cli):
    root = _offline_corpus(corpus)
    result = cli("check", "--links-only", "--output-format", "json", "a.md", cwd=root)
    [found] = json.loads(result.out)
    assert found["code"] == "LK000" and found["severity"] == "error", found
    assert "2 links not checked" in found["message"] and "proxy" in found["message"]
    assert result.code == 1


def test_no_link_checked_is_a_warning_naming_the_cause_in_a_full_check(corpus, cli):
    root = _offline_corpus(corpus)
    result = cli("check", "--select", "LK", "--output-format", "json", "a.md", cwd=root)
    [found] = json.loads(result.out)
    assert found["code"] == "LK000" and found["severity"] == "warning"
    assert "likely cause" in found["message"]


def test_links_require_makes_it_an_error(corpus, cli):
    root = _offline_corpus(corpus, "require = true\n")
    result = cli("check", "--select", "LK", "--output-format", "json", "a.md", cwd=root)
    [found] = json.loads(result.out)
    assert found["code"] == "LK000" and found["severity"] == "error"
    assert result.code == 1
