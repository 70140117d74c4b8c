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
    before_get = server.stats.count(path, "GET")
    result = one(dataclasses.replace(fast, retries=2), server.url("127.0.0.3", path))
    assert result.outcome == "LK001"
    # HEAD answered 503: asked again with GET, which is retried twice
    assert server.stats.count(path) - before == 4
    assert server.stats.count(path, "GET") - before_get == 3


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
    result = one(
        dataclasses.replace(fast, retry_after_cap=0.2), server.url("127.0.0.2", path) + "?after=3600"
    )
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


@pytest.mark.parametrize("path", ["/gzipbomb", "/huge", "/bomb/br", "/bomb/zstd"])
def test_bodies_are_bounded(server, fast, path):
    from linkserver import coding_bomb, gzip_bomb

    gzip_bomb()  # made once (compressing 100 MB takes the server longer than read_timeout)
    if path.startswith("/bomb/"):
        coding_bomb(path.split("/")[2])
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


@pytest.mark.parametrize(
    "url", ["http://", "https://exa mple.com/", "http://[::1/", "ftp//x", "http://x:99999/"]
)
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
    [
        "http://127.0.0.1/",
        "http://localhost:8080/",
        "http://[::1]/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://127.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://api.localhost/",
        "http://169.254.169.254/latest",
    ],
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
    result = one(
        dataclasses.replace(settings, allow_private=True),
        f"http://public.example:{port}/moved/302/ok",
        resolver=resolver,
    )
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


# --- the time limit of one URL check, refused connections --------------------------------------


@pytest.fixture(scope="module")
def sluggish_server():
    """0.4 s before every answer, and a redirect into the dripping route."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from linkserver import LinkServer

    routes = {"/to-drip": lambda method, seen: (302, {"Location": "/drip"}, b"")}
    srv = LinkServer(["127.0.0.8"], latency=0.4, extra_routes=routes).start()
    yield srv
    srv.stop()


def test_timeout_covers_the_redirects(sluggish_server, fast):
    # five requests of 0.4 s each: every one is within a 1 s limit, the whole check is not
    settings = dataclasses.replace(fast, timeout=1.0, connect_timeout=1.0, read_timeout=1.0)
    started = time.monotonic()
    result = one(settings, sluggish_server.url("127.0.0.8", "/chain/3"))
    elapsed = time.monotonic() - started
    assert result.outcome == "LK002", result
    assert "within 1 s (redirects included)" in result.message
    assert elapsed < 1.6


def test_timeout_covers_a_redirect_to_a_dripping_server(sluggish_server, fast):
    settings = dataclasses.replace(fast, timeout=1.5, connect_timeout=1.0, read_timeout=1.0)
    started = time.monotonic()
    result = one(settings, sluggish_server.url("127.0.0.8", "/to-drip"))
    elapsed = time.monotonic() - started
    assert result.outcome == "LK002", result
    assert 1.4 <= elapsed < 2.1


def test_timeout_is_per_url_not_per_queue(sluggish_server, fast):
    # one at a time: the last URL waits about 2 s for its turn, but its own check takes 0.4 s
    settings = dataclasses.replace(fast, timeout=1.0, max_per_host=1)
    urls = [sluggish_server.url("127.0.0.8", f"/ok/{uuid.uuid4().hex}") for _ in range(5)]
    results, requests = check(settings, urls)
    assert [r.outcome for r in results.values()] == ["ok"] * 5
    assert requests == 5


def test_refused_is_retried_once_only(fast):
    settings = dataclasses.replace(fast, retries=3, retry_backoff=0.2)
    started = time.monotonic()
    results, requests = check(settings, ["http://127.0.0.1:1/x"])
    elapsed = time.monotonic() - started
    assert results["http://127.0.0.1:1/x"].outcome == "LK001"
    assert requests == 2
    assert elapsed < 0.6


# --- LK003 carries a fix ---------------------------------------------------------------------------


def test_redirect_fix_only_where_the_url_is_literal():
    from corpuslint.document import Document
    from corpuslint.links.extract import extract_links
    from corpuslint.links.phase import redirect_fix

    text = (
        "正文[^1][^2][^3]。\n\n"
        "[^1]: [a](https://a.example/x)。\n"
        "[^2]: [b](https://a.example/%E4%B8%AD)。\n"
        "[^3]: 见 www.example.com/y。\n"
    )
    doc = Document.from_bytes("a.md", text.encode())
    links = {o.url: o for o in extract_links(doc, "footnotes")}
    literal = links["https://a.example/x"]
    assert doc.text[literal.start : literal.end] == "https://a.example/x"
    fix = redirect_fix(literal, "https://www.a.example/x2")
    assert fix is not None and fix.safe and fix.edits[0].replacement == "https://www.a.example/x2"
    assert not redirect_fix(literal, "https://elsewhere.example/x").safe  # another site: unsafe
    assert redirect_fix(literal, "https://a.example/x y") is None  # would not read back as a URL
    assert redirect_fix(literal, "https://a.example/x(") is None
    encoded = links["https://a.example/%E4%B8%AD"]
    assert encoded.start is not None  # written as it is checked
    schemeless = links["http://www.example.com/y"]
    assert schemeless.start is None and redirect_fix(schemeless, "https://www.example.com/z") is None


# --- answers the test server does not give: chunked, 1xx, HTTP/1.0, bare LF, not HTTP -----------


@pytest.fixture(scope="module")
def raw_server():
    """Canned raw answers by path, on 127.0.0.9: chunked bodies, 1xx, HTTP/1.0, bare \\n."""
    import socket
    import threading

    page = "<html><head><title>页面不存在</title></head></html>".encode()
    pieces = [page[i : i + 7] for i in range(0, len(page), 7)]
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces)
    answers = {
        "/chunked": b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + chunked + b"0\r\nX-Trailer: 1\r\n\r\n",
        "/interim": b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "/http10": b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + page,
        "/bare-lf": b"HTTP/1.1 301 Moved\nLocation: /chunked\nContent-Length: 0\n\n",
        "/garbage": b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
        "/utf8-location": b"HTTP/1.1 301 Moved\r\nLocation: /chunked/" + "页面".encode() + b"\r\n"
        b"Content-Length: 0\r\n\r\n",
        "/chunked/%E9%A1%B5%E9%9D%A2": b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    }
    counts = {"connections": 0}
    listener = socket.create_server(("127.0.0.9", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve(conn):
        with conn:
            conn.settimeout(5)
            buffer = b""
            while not stop.is_set():
                while b"\r\n\r\n" not in buffer:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffer += data
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                words = head.split(b" ")
                if len(words) < 3:  # not HTTP/1.1 (e.g. an HTTP/2 preface after a protocol error)
                    return
                method, path = words[:2]
                missing = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                answer = answers.get(path.decode(), missing)
                if method == b"HEAD" and b"chunked" in answer:
                    answer = answer.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
                conn.sendall(answer)
                if b"HTTP/1.0" in answer[:8] or path == b"/garbage":
                    return

    def accept():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            counts["connections"] += 1
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    yield (lambda path: f"http://127.0.0.9:{port}{path}"), counts
    stop.set()
    thread.join(5)
    listener.close()


@pytest.mark.parametrize(
    "path, outcome, text",
    [
        ("/chunked", "LK005", "页面不存在"),  # the title read from a chunked body
        ("/interim", "ok", ""),
        ("/http10", "LK005", "页面不存在"),  # body until the server closes
        ("/bare-lf", "LK005", "after redirects to"),
        ("/garbage", "LK001", "protocol error"),
        ("/utf8-location", "LK003", "/chunked/页面"),  # a raw UTF-8 Location, sent percent-encoded
    ],
)
def test_framings_the_test_server_does_not_give(raw_server, fast, path, outcome, text):
    url, _ = raw_server
    result = one(dataclasses.replace(fast, method="get"), url(path))
    assert result.outcome == outcome, result
    assert text in result.message


def test_connections_are_kept_alive(raw_server, fast):
    url, counts = raw_server
    before = counts["connections"]
    settings = dataclasses.replace(fast, method="get", max_per_host=1)
    results, requests = check(settings, [url("/chunked") + f"?{i}" for i in range(5)] + [url("/interim")])
    assert requests == 6 and len(results) == 6
    assert counts["connections"] - before == 1


def test_request_targets_are_percent_encoded_and_hosts_idna_encoded(server, fast):
    asked = []

    async def resolver(host, port):
        asked.append(host)
        return ["127.0.0.2"]

    port = server.ports["127.0.0.2"]
    result = one(fast, f"http://例子.测试:{port}/ok/路径?q=中文", resolver=resolver)
    assert result.outcome == "ok", result
    assert asked == ["xn--fsqu00a.xn--0zwm56d"]
    assert server.stats.count("/ok/%E8%B7%AF%E5%BE%84") == 1


def test_invalid_host_is_malformed(fast):
    assert one(fast, "http://exa<mple.com/").outcome == "LK004"


def test_an_error_in_the_result_callback_ends_the_run(server, fast):
    def explode(result):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        check(fast, [server.url("127.0.0.1", f"/ok/{uuid.uuid4().hex}") for _ in range(3)], on_result=explode)


@pytest.mark.parametrize("space", [" ", "\t", "\u00a0", "\u3000", "\u2028", "\x1c", "\x85"])
def test_a_url_with_any_whitespace_is_malformed_without_a_request(fast, space):
    result = Checker(fast).precheck(f"http://127.0.0.1/a{space}b")
    assert result is not None and result.outcome == "LK004" and "whitespace" in result.message


def test_a_url_without_whitespace_passes_the_precheck(fast):
    assert Checker(fast).precheck("http://127.0.0.1/a\u200bb") is None  # zero width: not a space
