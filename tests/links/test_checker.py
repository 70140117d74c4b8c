"""The checker against real loopback servers."""

from __future__ import annotations

import asyncio
import dataclasses
import time
import tracemalloc
import uuid

import pytest

from corpuslint.links.checker import Checker, parse_retry_after


async def loopback_only(host, port):
    """Tests never ask a real resolver: names other than loopback addresses do not resolve."""
    import socket

    from corpuslint.links.policy import parse_ip

    if parse_ip(host) is None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return [host]


def check(settings, urls, **kwargs):
    kwargs.setdefault("resolver", loopback_only)

    async def main():
        async with Checker(settings, **kwargs) as checker:
            return await checker.check_all(urls), checker.requests

    return asyncio.run(main())


def one(settings, url, **kwargs):
    results, _ = check(settings, [url], **kwargs)
    return results[url]


def fresh(path):
    return f"{path}/{uuid.uuid4().hex}"


@pytest.mark.parametrize(
    "path, outcome, text",
    [
        ("/ok", "ok", ""),
        ("/status/404", "LK001", "HTTP 404 Not Found"),
        ("/status/410", "LK001", "HTTP 410 Gone"),
        ("/status/500", "LK001", "HTTP 500"),
        ("/moved/302/ok", "ok", ""),
        ("/moved/307/ok", "ok", ""),
        ("/moved/301/ok", "LK003", "permanent redirect to http://127.0.0.1:"),
        ("/moved/308/ok", "LK003", "/ok"),
        ("/moved/301/status/404", "LK001", "HTTP 404 Not Found (after redirects to"),
        ("/chain/3", "LK003", "/ok"),
        ("/chain/12", "LK001", "too many redirects (more than 10)"),
        ("/loop/a", "LK001", "redirect loop"),
        ("/nohead", "ok", ""),
        ("/deep/2024/article", "LK005", "redirects to the home page"),
        ("/hang", "LK002", "timed out"),
    ],
)
def test_routes(server, fast, path, outcome, text):
    result = one(fast, server.url("127.0.0.1", path))
    assert result.outcome == outcome, result
    assert text in result.message


def test_permanent_redirect_gives_new_url(server, fast):
    result = one(fast, server.url("127.0.0.2", "/moved/308/p/new"))
    assert result.new_url == server.url("127.0.0.2", "/p/new")


def test_head_refused_falls_back_to_get(server, fast):
    path = fresh("/nohead")
    assert one(fast, server.url("127.0.0.2", path)).outcome == "ok"
    assert server.stats.count(path, "HEAD") == 1
    assert server.stats.count(path, "GET") == 1


def test_server_error_is_retried(server, fast):
    path = fresh("/flaky")
    assert one(fast, server.url("127.0.0.2", path)).outcome == "ok"
    assert server.stats.count(path) == 2


def test_retries_are_bounded(server, fast):
    path = "/status/503"
    before = server.stats.count(path)
    result = one(dataclasses.replace(fast, retries=2), server.url("127.0.0.3", path))
    assert result.outcome == "LK001"
    assert server.stats.count(path) - before == 3


def test_429_honours_retry_after(server, fast):
    path = fresh("/ratelimit")
    started = time.monotonic()
    result = one(fast, server.url("127.0.0.2", path) + "?after=1")
    assert result.outcome == "ok"
    assert time.monotonic() - started >= 0.95
    assert server.stats.count(path) == 2


def test_retry_after_is_capped(server, fast):
    path = fresh("/ratelimit")
    started = time.monotonic()
    result = one(dataclasses.replace(fast, retry_after_cap=0.2), server.url("127.0.0.2", path) + "?after=3600")
    assert result.outcome == "ok"
    assert time.monotonic() - started < 2


def test_parse_retry_after():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 10) == pytest.approx(10)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_soft_404_title_read_with_get(server, fast):
    result = one(dataclasses.replace(fast, method="get"), server.url("127.0.0.1", "/soft404"))
    assert result.outcome == "LK005"
    assert "页面不存在" in result.message


def test_dripping_server_cannot_hold_the_run(server, fast):
    started = time.monotonic()
    result = one(dataclasses.replace(fast, timeout=1.0), server.url("127.0.0.3", "/drip"))
    assert result.outcome == "LK002"
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("path", ["/gzipbomb", "/huge"])
def test_bodies_are_bounded(server, fast, path):
    settings = dataclasses.replace(fast, method="get", timeout=10.0)
    tracemalloc.start()
    try:
        result = one(settings, server.url("127.0.0.1", path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.outcome == "ok"
    assert peak < 8 * 1024 * 1024


def test_refused(fast):
    result = one(fast, "http://127.0.0.1:1/x")
    assert result.outcome == "LK001" and "refused" in result.message
    assert not result.unavailable


def test_per_host_and_global_limits(slow_server, fast):
    settings = dataclasses.replace(fast, max_per_host=3, max_concurrency=10)
    hosts = slow_server.hosts
    urls = [slow_server.url(h, f"/ok/{uuid.uuid4().hex}") for h in hosts for _ in range(12)]
    results, requests = check(settings, urls)
    assert all(r.outcome == "ok" for r in results.values())
    assert requests == len(urls)
    for host in hosts:
        assert slow_server.stats.max_in_flight[host] <= 3
    assert max(slow_server.stats.max_in_flight[h] for h in hosts) == 3
    assert 3 < slow_server.stats.max_in_flight["*"] <= 10


def test_host_interval(slow_server, fast):
    settings = dataclasses.replace(fast, host_interval=0.1, max_per_host=4)
    urls = [slow_server.url("127.0.0.4", f"/ok/{uuid.uuid4().hex}") for _ in range(5)]
    started = time.monotonic()
    check(settings, urls)
    assert time.monotonic() - started >= 0.4


def test_each_unique_url_once(server, fast):
    url = server.url("127.0.0.3", fresh("/ok"))
    results, requests = check(fast, [url, url, url])
    assert requests == 1 and list(results) == [url]


def test_exclude_and_schemes_never_fetched(server, fast):
    settings = dataclasses.replace(fast, exclude=(r"/status/",))
    urls = [server.url("127.0.0.1", "/status/404"), "mailto:a@b.example", "file:///etc/passwd"]
    results, requests = check(settings, urls)
    assert requests == 0
    assert {r.outcome for r in results.values()} == {"skipped"}


def test_accept_setting(server, fast):
    settings = dataclasses.replace(fast, accept=((200, 299), (403, 403)))
    assert one(settings, server.url("127.0.0.1", "/status/403")).outcome == "ok"




@pytest.mark.parametrize("url", ["http://", "https://exa mple.com/", "http://[::1/", "ftp//x", "http://x:99999/"])
def test_malformed(fast, url):
    result = one(fast, url)
    assert result.outcome == "LK004", result


# --- the address policy at request time ----------------------------------------------------------


def fake_resolver(table):
    async def resolve(host, port):
        return list(table[host])

    return resolve


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/", "http://localhost:8080/", "http://[::1]/", "http://2130706433/", "http://0x7f.1/",
     "http://127.1/", "http://[::ffff:127.0.0.1]/", "http://api.localhost/", "http://169.254.169.254/latest"],
)
def test_private_literals_skipped(url):
    from corpuslint.links.settings import LinkSettings

    result = one(LinkSettings(), url, resolver=fake_resolver({}))
    assert result.outcome == "skipped", result


def test_private_after_resolution_skipped(server):
    from corpuslint.links.settings import LinkSettings

    resolver = fake_resolver({"intranet.example": ["10.0.0.5"], "rebind.example": ["127.0.0.1"]})
    port = server.ports["127.0.0.1"]
    before = server.stats.total("127.0.0.1")
    for host in ("intranet.example", "rebind.example"):
        result = one(LinkSettings(timeout=2.0), f"http://{host}:{port}/ok", resolver=resolver)
        assert result.outcome == "skipped", result
    assert server.stats.total("127.0.0.1") == before


def test_redirect_to_private_is_not_followed(server):
    from corpuslint.links.settings import LinkSettings

    port = server.ports["127.0.0.1"]
    resolver = fake_resolver({"public.example": ["127.0.0.1"]})
    settings = LinkSettings(timeout=2.0)
    # the pinned connection goes to 127.0.0.1 only because the name is faked as allowed below
    result = one(dataclasses.replace(settings, allow_private=True), f"http://public.example:{port}/moved/302/ok",
                 resolver=resolver)
    assert result.outcome == "ok"
    blocked = one(settings, f"http://public.example:{port}/ok", resolver=resolver)
    assert blocked.outcome == "skipped"


# --- TLS ----------------------------------------------------------------------------------------


def test_tls_trusted_with_ca_bundle(tls, fast):
    settings = dataclasses.replace(fast, ca_bundle=tls["bundle"])
    assert one(settings, tls["trusted"].url("127.0.0.1", "/ok")).outcome == "ok"


def test_tls_untrusted(tls, fast):
    settings = dataclasses.replace(fast, ca_bundle=tls["bundle"])
    result = one(settings, tls["untrusted"].url("127.0.0.1", "/ok"))
    assert result.outcome == "LK001"
    assert "certificate" in result.message
