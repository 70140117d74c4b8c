"""The links phase: unique URLs, results at every occurrence, LK000, the cache; and settings."""

from __future__ import annotations

import dataclasses
import errno
import functools
import socket
import sqlite3
import threading
from pathlib import Path

import pytest
from test_checker import loopback_only

from corpuslint.links.cache import LinkCache
from corpuslint.links.checker import Checker, LinkResult
from corpuslint.links.extract import LinkOccurrence
from corpuslint.links.phase import clear_cache, run_links_phase
from corpuslint.links.settings import LinkSettings, settings_from_config


def occ(url, path="a.md", line=1, label="1"):
    return LinkOccurrence(path, line, 7, line, 7 + len(url), url, "t", label)


def run(occurrences, settings, resolver=loopback_only, use_cache=False):
    factory = functools.partial(Checker, resolver=resolver)
    return run_links_phase(
        occurrences, settings, use_cache=use_cache, progress=False, checker_factory=factory
    )


def codes(outcome):
    return sorted((o.path, o.line, code) for o, code, _ in outcome.problems)


def test_each_url_once_reported_at_every_occurrence(server, fast):
    bad = server.url("127.0.0.1", "/status/404")
    good = server.url("127.0.0.1", "/ok")
    before = server.stats.count("/status/404")
    outcome = run([occ(bad, "a.md", 3), occ(good, "a.md", 4), occ(bad, "b.md", 9)], fast)
    assert codes(outcome) == [("a.md", 3, "LK001"), ("b.md", 9, "LK001")]
    assert server.stats.count("/status/404") - before == 1  # HEAD: a 404 is believed (as lychee does)
    assert outcome.stats["urls"] == 2 and outcome.stats["broken"] == 1 and outcome.stats["ok"] == 1


def test_permanent_redirects_listed_for_fixes(server, fast):
    url = server.url("127.0.0.1", "/moved/301/ok")
    outcome = run([occ(url)], fast)
    assert [c for _, c, _ in outcome.problems] == ["LK003"]
    assert outcome.redirects == {url: server.url("127.0.0.1", "/ok")}


def test_relative_citation_is_malformed_but_relative_body_link_is_not(fast):
    outcome = run([occ("www.example.com/p/1"), occ("/images/a.png", label=None)], fast)
    assert [(o.url, c) for o, c, _ in outcome.problems] == [("www.example.com/p/1", "LK004")]


def test_private_skipped_and_counted(fast):
    settings = dataclasses.replace(fast, allow_private=False)
    outcome = run([occ("http://127.0.0.1:1/"), occ("http://[::1]/x")], settings)
    assert outcome.problems == []
    assert outcome.stats["skipped"] == 2


def raising_resolver(error):
    async def resolve(host, port):
        raise error

    return resolve


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.ENETUNREACH, "Network is unreachable"),
        socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"),
    ],
)
def test_network_unavailable_is_one_warning(fast, error):
    occurrences = [occ(f"https://site{i}.example/p/{i}", "b.md", 10 + i) for i in range(5)]
    occurrences.append(occ("https://site0.example/p/0", "a.md", 2))
    outcome = run(occurrences, fast, resolver=raising_resolver(error))
    assert len(outcome.problems) == 1
    first, code, message = outcome.problems[0]
    assert code == "LK000" and (first.path, first.line) == ("a.md", 2)
    assert message.startswith("network unavailable: 5 links not checked")
    assert outcome.stats["unchecked"] == 5


def test_one_unknown_host_is_broken_not_unavailable(fast):
    error = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    outcome = run([occ("https://typo.example/p")], fast, resolver=raising_resolver(error))
    assert [c for _, c, _ in outcome.problems] == ["LK001"]


def test_refused_is_not_unavailable(fast):
    outcome = run([occ("http://127.0.0.1:1/a"), occ("http://127.0.0.2:1/b")], fast)
    assert [c for _, c, _ in outcome.problems] == ["LK001", "LK001"]
    assert all("refused" in m for _, _, m in outcome.problems)


def test_unavailable_results_are_not_cached(tmp_path, fast):
    settings = dataclasses.replace(fast, cache_dir=str(tmp_path / "c"))
    error = OSError(errno.ENETUNREACH, "Network is unreachable")
    run(
        [occ("https://a.example/"), occ("https://b.example/")],
        settings,
        resolver=raising_resolver(error),
        use_cache=True,
    )
    assert LinkCache(settings).get_many(["https://a.example/", "https://b.example/"]) == {}


# --- cache ------------------------------------------------------------------------------------


def test_second_run_makes_no_requests_and_reports_the_same(server, fast, tmp_path):
    settings = dataclasses.replace(fast, cache_dir=str(tmp_path / "cache"))
    paths = ["/ok", "/status/404", "/moved/308/ok", "/deep/a/b", "/loop/a"]
    occurrences = [occ(server.url("127.0.0.3", p), "a.md", i + 1) for i, p in enumerate(paths)]
    first = run(occurrences, settings, use_cache=True)
    before = server.stats.total("127.0.0.3")
    second = run(occurrences, settings, use_cache=True)
    assert server.stats.total("127.0.0.3") == before
    assert second.problems == first.problems
    assert second.redirects == first.redirects
    assert second.stats["cached"] == len(paths) and second.stats["requests"] == 0


def test_no_cache_neither_reads_nor_writes(server, fast, tmp_path):
    settings = dataclasses.replace(fast, cache_dir=str(tmp_path / "cache"))
    url = server.url("127.0.0.3", "/ok")
    run([occ(url)], settings, use_cache=False)
    assert not (tmp_path / "cache").exists()
    run([occ(url)], settings, use_cache=True)
    before = server.stats.total("127.0.0.3")
    outcome = run([occ(url)], settings, use_cache=False)
    assert server.stats.total("127.0.0.3") == before + 1 and outcome.stats["cached"] == 0


def test_ttl_per_outcome(tmp_path):
    settings = LinkSettings(cache_dir=str(tmp_path), ttl_ok=100.0, ttl_fail=10.0)
    LinkCache(settings, now=1000.0).put_many(
        [
            LinkResult("https://ok.example/", "ok", status=200),
            LinkResult("https://bad.example/", "LK001", "HTTP 404"),
        ]
    )
    urls = ["https://ok.example/", "https://bad.example/"]
    assert set(LinkCache(settings, now=1005.0).get_many(urls)) == set(urls)
    assert set(LinkCache(settings, now=1050.0).get_many(urls)) == {"https://ok.example/"}
    assert LinkCache(settings, now=1200.0).get_many(urls) == {}


def test_cache_is_per_fingerprint(tmp_path):
    settings = LinkSettings(cache_dir=str(tmp_path))
    LinkCache(settings).put_many([LinkResult("https://a.example/", "ok")])
    other = dataclasses.replace(settings, accept=((200, 299), (403, 403)))
    assert LinkCache(other).get_many(["https://a.example/"]) == {}


@pytest.mark.parametrize("garbage", [b"not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 4000])
def test_corrupt_cache_is_rebuilt(tmp_path, garbage):
    settings = LinkSettings(cache_dir=str(tmp_path))
    (tmp_path / "links.sqlite3").write_bytes(garbage)
    cache = LinkCache(settings)
    assert cache.get_many(["https://a.example/"]) == {}
    assert cache.put_many([LinkResult("https://a.example/", "ok")]) == 1
    cache.close()
    assert set(LinkCache(settings).get_many(["https://a.example/"])) == {"https://a.example/"}
    sqlite3.connect(tmp_path / "links.sqlite3").execute("PRAGMA integrity_check").fetchone()


def test_a_cache_locked_by_another_process_is_left_alone(tmp_path, monkeypatch, capsys):
    import corpuslint.links.cache as cache_module

    monkeypatch.setattr(cache_module, "LOCK_WAIT", 0.3)
    settings = LinkSettings(cache_dir=str(tmp_path))
    first = LinkCache(settings)
    first.put_many([LinkResult("https://a.example/", "ok", status=200)])
    first.close()
    holder = sqlite3.connect(tmp_path / "links.sqlite3", isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")  # as another corpuslint (or sqlite3 shell) in a transaction
    try:
        busy = LinkCache(settings)
        assert busy.get_many(["https://a.example/"]) == {}
        assert busy.put_many([LinkResult("https://b.example/", "ok")]) == 0
        busy.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "locked by another process" in capsys.readouterr().err
    assert set(LinkCache(settings).get_many(["https://a.example/"])) == {"https://a.example/"}  # intact


def test_a_locked_cache_bounds_the_wait(tmp_path, monkeypatch):
    import time

    import corpuslint.links.cache as cache_module

    monkeypatch.setattr(cache_module, "LOCK_WAIT", 0.5)
    settings = LinkSettings(cache_dir=str(tmp_path))
    writer = LinkCache(settings)
    writer.put_many([LinkResult("https://a.example/", "ok")])
    writer.close()
    holder = sqlite3.connect(tmp_path / "links.sqlite3", isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        LinkCache(settings).get_many(["https://a.example/"])
        assert time.monotonic() - started < 0.5 * 4 + 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_concurrent_writers(tmp_path):
    settings = LinkSettings(cache_dir=str(tmp_path))
    errors = []

    def writer(n):
        try:
            cache = LinkCache(settings)
            for batch in range(10):
                cache.put_many([LinkResult(f"https://{n}.example/{batch}/{i}", "ok") for i in range(50)])
            cache.close()
        except Exception as exc:  # pragma: no cover - the failure being tested for
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    urls = [f"https://{n}.example/{b}/{i}" for n in range(6) for b in range(10) for i in range(50)]
    assert len(LinkCache(settings).get_many(urls)) == len(urls)


def test_clear_cache(tmp_path):
    settings = LinkSettings(cache_dir=str(tmp_path / "c"))
    assert clear_cache(settings) == 0
    LinkCache(settings).put_many(
        [LinkResult("https://a.example/", "ok"), LinkResult("https://b.example/", "ok")]
    )
    assert clear_cache(settings) == 2
    assert LinkCache(settings).get_many(["https://a.example/"]) == {}


# --- settings -----------------------------------------------------------------------------------


def test_settings_of_the_http_client(tmp_path):
    settings = settings_from_config(
        {"proxy": "http://proxy.example:3128", "require": True, "fragments": True, "suggest": True}, tmp_path
    )
    assert settings.proxy == "http://proxy.example:3128"
    assert settings.require and settings.fragments and settings.suggest
    assert settings.archive_endpoint.endswith("/wayback/available")
    defaults = settings_from_config({}, tmp_path)
    assert defaults.proxy is None and not (defaults.require or defaults.fragments or defaults.suggest)
    assert defaults.fingerprint() != dataclasses.replace(defaults, fragments=True).fingerprint()


def test_settings_defaults_and_cache_dir(tmp_path):
    settings = settings_from_config({}, tmp_path)
    assert settings.max_concurrency == 64 and settings.max_per_host == 4
    assert settings.accept == ((200, 299),)
    assert Path(settings.cache_dir) == tmp_path / ".corpuslint_cache"


def test_settings_values(tmp_path):
    settings = settings_from_config(
        {
            "accept": ["200..299", 403],
            "exclude": ["^https://x\\."],
            "timeout": 5,
            "scope": "all",
            "headers": {"Cookie": "a=b"},
            "cache_dir": "cache",
            "allow_private": True,
        },
        tmp_path,
    )
    assert settings.accept == ((200, 299), (403, 403))
    assert settings.timeout == 5.0 and settings.connect_timeout == 5.0
    assert settings.cache_dir == str(tmp_path / "cache")


@pytest.mark.parametrize(
    "table, key",
    [
        ({"max_concurency": 3}, "links.max_concurency"),
        ({"max_concurrency": 0}, "links.max_concurrency"),
        ({"max_per_host": "4"}, "links.max_per_host"),
        ({"timeout": -1}, "links.timeout"),
        ({"accept": ["2xx"]}, "links.accept"),
        ({"accept": [700]}, "links.accept"),
        ({"scope": "body"}, "links.scope"),
        ({"exclude": ["("]}, "links.exclude"),
        ({"allow_private": "yes"}, "links.allow_private"),
        ({"headers": {"Bad Header": "x"}}, "links.headers"),
        ({"ca_bundle": "missing.pem"}, "links.ca_bundle"),
        ({"method": "post"}, "links.method"),
        ({"proxy": "socks://"}, "links.proxy"),
        ({"proxy": 3128}, "links.proxy"),
        ({"archive_endpoint": "ftp://a.example/"}, "links.archive_endpoint"),
        ({"fragments": "yes"}, "links.fragments"),
        ({"require": 1}, "links.require"),
    ],
)
def test_settings_errors(tmp_path, table, key):
    with pytest.raises(ValueError, match=f"^{key}:"):
        settings_from_config(table, tmp_path)
