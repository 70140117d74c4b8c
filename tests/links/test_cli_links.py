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
