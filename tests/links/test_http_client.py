"""What the link checker gets from httpx, each against a real server started here on 127.0.0.0/8:
HTTP/2, a forward proxy (HTTP and HTTPS via CONNECT), cookies, content codings, trust, HEAD
refused with 5xx, GBK pages, one deadline per URL. Names are never given to a real resolver."""

from __future__ import annotations

import dataclasses
import os
import socket
import ssl
import time
import uuid

import pytest
from h2server import H2Server
from test_checker import check, loopback_only, one

from corpuslint.links.checker import Checker


def fresh(path):
    return f"{path}{uuid.uuid4().hex}"


# --- HTTP/2 ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca_files(tmp_path_factory):
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    directory = tmp_path_factory.mktemp("ca")
    bundle = directory / "system-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return ca, str(bundle)


@pytest.fixture(scope="module")
def h2_tls(ca_files):
    ca, _ = ca_files
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.12").configure_cert(context)
    context.set_alpn_protocols(["h2"])  # HTTP/2 only, as nghttpd
    server = H2Server("127.0.0.12", context).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def h2_cleartext():
    server = H2Server("127.0.0.13").start()  # prior knowledge only: no ALPN, no HTTP/1.1
    yield server
    server.stop()


def test_http2_only_server_with_alpn(h2_tls, ca_files, fast):
    settings = dataclasses.replace(fast, ca_bundle=ca_files[1])
    path = fresh("/ok/")
    assert one(settings, h2_tls.url(path)).outcome == "ok"
    assert h2_tls.seen[("HEAD", path)] == 1
    assert one(settings, h2_tls.url("/missing")).outcome == "LK001"


def test_http2_only_server_without_alpn_is_reached_with_prior_knowledge(h2_cleartext, fast):
    # HTTP/1.1 is not understood (the server answers a GOAWAY): the checker asks once more
    # with HTTP/2 prior knowledge and keeps to it for that origin
    first, second = fresh("/ok/"), fresh("/ok/")
    results, _ = check(fast, [h2_cleartext.url(first)])
    assert results[h2_cleartext.url(first)].outcome == "ok", results
    assert h2_cleartext.seen[("HEAD", first)] == 1
    results, _ = check(fast, [h2_cleartext.url(second), h2_cleartext.url("/gone")])
    assert results[h2_cleartext.url(second)].outcome == "ok"
    assert results[h2_cleartext.url("/gone")].message == "HTTP 404 Not Found"


def test_not_http_at_all_stays_a_protocol_error(fast):
    listener = socket.create_server(("127.0.0.14", 0))
    port = listener.getsockname()[1]
    import threading

    def serve():
        for _ in range(4):
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(1024)
                conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        result = one(fast, f"http://127.0.0.14:{port}/x")
    finally:
        listener.close()
    assert result.outcome == "LK001" and "protocol error" in result.message


# --- a forward proxy ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def forward_proxy(tmp_path_factory):
    proxy = pytest.importorskip("proxy")
    log = tmp_path_factory.mktemp("proxy") / "seen.txt"
    log.write_text("")
    os.environ["CORPUSLINT_TEST_PROXY_LOG"] = str(log)
    from proxy_recorder import Recorder

    flags = ["--hostname", "127.0.0.15", "--port", "0", "--num-workers", "1", "--num-acceptors", "1"]
    flags += ["--threaded", "--log-level", "ERROR"]
    with proxy.Proxy(flags, plugins=[Recorder]) as running:
        yield f"http://127.0.0.15:{running.flags.port}", log


def test_proxy_from_the_environment(server, forward_proxy, fast, monkeypatch):
    address, log = forward_proxy
    monkeypatch.setenv("HTTP_PROXY", address)
    monkeypatch.delenv("NO_PROXY", raising=False)
    path = fresh("/ok/")
    assert one(fast, server.url("127.0.0.2", path)).outcome == "ok"
    assert f"HEAD 127.0.0.2 {server.ports['127.0.0.2']}" in log.read_text()
    assert server.stats.count(path) == 1


def test_no_proxy_is_honoured(server, forward_proxy, fast, monkeypatch):
    address, log = forward_proxy
    monkeypatch.setenv("HTTP_PROXY", address)
    monkeypatch.setenv("NO_PROXY", "127.0.0.3")
    before = log.read_text()
    assert one(fast, server.url("127.0.0.3", fresh("/ok/"))).outcome == "ok"
    assert log.read_text() == before


def test_https_through_the_proxy_with_connect(tls, forward_proxy, fast, monkeypatch):
    address, log = forward_proxy
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    settings = dataclasses.replace(fast, proxy=address, ca_bundle=tls["bundle"])
    url = tls["trusted"].url("127.0.0.1", fresh("/ok/"))
    assert one(settings, url).outcome == "ok"
    assert f"CONNECT 127.0.0.1 {tls['trusted'].ports['127.0.0.1']}" in log.read_text()


def test_the_policy_applies_to_the_target_not_to_the_proxy(server, forward_proxy, monkeypatch):
    from corpuslint.links.settings import LinkSettings

    address, log = forward_proxy
    before = log.read_text()
    settings = LinkSettings(proxy=address, timeout=2.0)  # no allow_private: the proxy is loopback

    async def rebinding(host, port):
        return ["127.0.0.2"]  # a public-looking name that resolves to loopback

    port = server.ports["127.0.0.2"]
    result = one(settings, f"http://rebind.example:{port}/ok", resolver=rebinding)
    assert result.outcome == "skipped" and "private or local" in result.message
    assert one(settings, f"http://127.0.0.2:{port}/ok").outcome == "skipped"
    assert log.read_text() == before


def test_unreachable_proxy_is_named_as_the_cause(fast):
    from corpuslint.links.extract import LinkOccurrence
    from corpuslint.links.phase import run_links_phase

    settings = dataclasses.replace(fast, proxy="http://127.0.0.15:1", retries=0)
    occurrences = [
        LinkOccurrence("a.md", 3 + i, 1, 3 + i, 10, f"http://127.0.0.{2 + i}:8/p", "t", "1") for i in range(3)
    ]
    outcome = run_links_phase(
        occurrences, dataclasses.replace(settings, require=True), use_cache=False, progress=False
    )
    assert [code for _, code, _ in outcome.problems] == ["LK000"]
    message = outcome.problems[0][2]
    assert "3 links not checked" in message and "proxy" in message
    assert outcome.unavailable_is_error


# --- cookies, codings, HEAD refused, charsets -----------------------------------------------------


def test_cookie_gated_redirect_passes(server, fast):
    result = one(fast, server.url("127.0.0.1", fresh("/cookie-gate/")))
    assert result.outcome == "ok", result


def test_a_redirect_to_itself_without_a_cookie_is_still_a_loop(server, fast):
    assert one(fast, server.url("127.0.0.1", "/loop/a")).outcome == "LK001"


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_unasked_content_codings_are_decoded_for_the_title(server, fast, coding):
    settings = dataclasses.replace(fast, method="get")
    result = one(settings, server.url("127.0.0.1", fresh(f"/{coding}/")))
    assert result.outcome == "LK005" and "页面不存在" in result.message, result


def test_head_answered_5xx_get_answered_200(server, fast):
    path = fresh("/head5xx/")
    assert one(fast, server.url("127.0.0.2", path)).outcome == "ok"
    assert server.stats.count(path, "HEAD") == 1 and server.stats.count(path, "GET") == 1


@pytest.mark.parametrize("route", ["/gbk-meta/", "/gbk-bare/"])
def test_gbk_soft_404_with_meta_charset_or_undeclared(server, fast, route):
    result = one(dataclasses.replace(fast, method="get"), server.url("127.0.0.1", fresh(route)))
    assert result.outcome == "LK005" and "页面不存在" in result.message, result


# --- trust ----------------------------------------------------------------------------------------


def test_a_ca_only_in_the_system_style_bundle_is_trusted(tls, fast, monkeypatch):
    url = tls["trusted"].url("127.0.0.1", "/ok")
    monkeypatch.setenv("SSL_CERT_FILE", tls["bundle"])
    assert one(fast, url).outcome == "ok"
    monkeypatch.setenv("SSL_CERT_FILE", os.devnull)
    monkeypatch.setenv("SSL_CERT_DIR", os.devnull)
    result = one(fast, url)
    assert result.outcome == "LK001" and "certificate" in result.message


def test_ca_bundle_adds_to_the_default_store(tls, h2_tls, ca_files, fast, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", ca_files[1])  # the "system" store knows the h2 server's CA
    settings = dataclasses.replace(fast, ca_bundle=tls["bundle"])  # the bundle knows the other one
    assert one(settings, h2_tls.url(fresh("/ok/"))).outcome == "ok"
    assert one(settings, tls["trusted"].url("127.0.0.1", "/ok")).outcome == "ok"


def test_verify_tls_false_checks_nothing(tls, fast):
    settings = dataclasses.replace(fast, verify_tls=False)
    assert one(settings, tls["untrusted"].url("127.0.0.1", "/ok")).outcome == "ok"


# --- one deadline per URL -------------------------------------------------------------------------


def test_retry_after_longer_than_the_deadline_ends_as_timeout(server, fast):
    settings = dataclasses.replace(fast, timeout=1.5, retry_after_cap=60.0)
    started = time.monotonic()
    result = one(settings, server.url("127.0.0.3", fresh("/busy/")) + "?after=30")
    elapsed = time.monotonic() - started
    assert result.outcome == "LK002", result
    assert "30 s (Retry-After)" in result.message
    assert elapsed < 1.5 + 1


def test_a_resolver_that_never_answers_is_within_the_deadline(fast):
    import asyncio

    async def silent(host, port):
        await asyncio.sleep(30)
        return []

    settings = dataclasses.replace(fast, timeout=1.0)
    urls = [f"http://host{i}.example/p" for i in range(12)]
    started = time.monotonic()
    results, _ = check(settings, urls, resolver=silent)
    assert time.monotonic() - started < 1.0 + 1
    assert {r.outcome for r in results.values()} == {"LK002"}


def test_a_blocking_system_lookup_does_not_hold_the_run(fast, monkeypatch):
    import asyncio

    def stuck(*args, **kwargs):
        time.sleep(5)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", stuck)
    settings = dataclasses.replace(fast, timeout=1.0)

    async def main():
        async with Checker(settings) as checker:  # the system resolver, in threads
            return await checker.check_all(["http://slow.example/a", "http://slower.example/b"])

    started = time.monotonic()
    results = asyncio.run(main())
    assert time.monotonic() - started < 1.0 + 1
    assert {r.outcome for r in results.values()} == {"LK002"}


# --- fragments ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def anchor_server():
    from linkserver import LinkServer

    page = (
        b'<html><head><title>Doc</title></head><body><h2 id="install">Install</h2>'
        b'<a name="legacy"></a><div id="user-content-usage">x</div></body></html>'
    )
    readme = "# Guide\n\n## Getting Started\n\n## 安装 步骤\n\n## Getting Started\n".encode()
    routes = {
        "/doc": lambda method, seen: (200, {}, page),
        "/README.md": lambda method, seen: (200, {"Content-Type": "text/markdown; charset=utf-8"}, readme),
    }
    srv = LinkServer(["127.0.0.16"], extra_routes=routes).start()
    yield srv
    srv.stop()


@pytest.mark.parametrize(
    "path, outcome",
    [
        ("/doc#install", "ok"),
        ("/doc#legacy", "ok"),
        ("/doc#usage", "ok"),  # GitHub's user-content- prefix
        ("/doc#missing", "LK001"),
        ("/README.md#getting-started", "ok"),
        ("/README.md#getting-started-1", "ok"),
        ("/README.md#安装-步骤", "ok"),
        ("/README.md#installation", "LK001"),
        ("/doc#L10-L20", "ok"),  # a line range, not an anchor
    ],
)
def test_fragments_are_checked_when_asked(anchor_server, fast, path, outcome):
    settings = dataclasses.replace(fast, fragments=True)
    result = one(settings, anchor_server.url("127.0.0.16", path))
    assert result.outcome == outcome, result
    if outcome == "LK001":
        assert "fragment #" in result.message


def test_fragments_are_not_checked_by_default(anchor_server, fast):
    assert one(fast, anchor_server.url("127.0.0.16", "/doc#missing")).outcome == "ok"


# --- --suggest --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def archive():
    import json

    from linkserver import LinkServer

    asked = []

    def available(method, seen):
        return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()

    answer = {
        "archived_snapshots": {
            "closest": {
                "available": True,
                "status": "200",
                "url": "http://127.0.0.17/web/2020/dead",
                "timestamp": "2020",
            }
        }
    }
    srv = LinkServer(["127.0.0.17"], extra_routes={"/wayback/available": available}).start()
    yield srv, asked
    srv.stop()


def _phase(settings, urls, resolver=loopback_only):
    from corpuslint.links.extract import LinkOccurrence
    from corpuslint.links.phase import run_links_phase

    def factory(s, on_result=None):
        return Checker(s, resolver=resolver, on_result=on_result)

    occurrences = [LinkOccurrence("a.md", 3 + i, 1, 3 + i, len(u), u, "t", "1") for i, u in enumerate(urls)]
    return run_links_phase(occurrences, settings, use_cache=False, progress=False, checker_factory=factory)


def test_suggest_offers_an_archived_copy_for_a_dead_public_link(archive, fast):
    srv, _ = archive
    endpoint = srv.url("127.0.0.17", "/wayback/available")
    settings = dataclasses.replace(fast, allow_private=False, suggest=True, archive_endpoint=endpoint)

    async def public(host, port):
        if host == "gone.example":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        raise AssertionError(host)

    outcome = _phase(settings, ["http://gone.example/article"], resolver=public)
    [(occurrence, code, message)] = outcome.problems
    assert code == "LK001" and "archived copy: http://127.0.0.17/web/2020/dead" in message
    assert outcome.archived == {"http://gone.example/article": "http://127.0.0.17/web/2020/dead"}
    assert srv.stats.count("/wayback/available") == 1


def test_suggest_never_sends_a_private_target(archive, server, fast):
    srv, _ = archive
    before = srv.stats.count("/wayback/available")
    endpoint = srv.url("127.0.0.17", "/wayback/available")
    settings = dataclasses.replace(fast, suggest=True, archive_endpoint=endpoint)  # allow_private
    outcome = _phase(settings, [server.url("127.0.0.1", "/status/404")])
    assert [code for _, code, _ in outcome.problems] == ["LK001"]
    assert outcome.archived == {}
    assert srv.stats.count("/wayback/available") == before


def test_suggest_is_off_by_default(archive, fast):
    srv, _ = archive
    before = srv.stats.count("/wayback/available")
    settings = dataclasses.replace(fast, allow_private=False)
    _phase(settings, ["http://gone.example/article"])
    assert srv.stats.count("/wayback/available") == before


def test_an_unsupported_proxy_from_the_environment_is_lk000_not_a_crash(fast, monkeypatch):
    from corpuslint.links.extract import LinkOccurrence
    from corpuslint.links.phase import run_links_phase

    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.15:1080")
    urls = [f"http://127.0.0.{2 + i}:8/p" for i in range(2)]
    occurrences = [LinkOccurrence("a.md", 3 + i, 1, 3 + i, 10, u, "t", "1") for i, u in enumerate(urls)]
    outcome = run_links_phase(occurrences, fast, use_cache=False, progress=False)
    [(_, code, message)] = outcome.problems
    assert code == "LK000" and "socks5://127.0.0.15:1080" in message and "not supported" in message


def test_suggest_end_to_end_is_an_unsafe_fix(archive, corpus, cli, monkeypatch):
    import json

    import corpuslint.links.net as net

    async def nothing_resolves(host, port):  # the system resolver, never asked in tests
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(net, "system_resolver", nothing_resolves)
    srv, _ = archive
    endpoint = srv.url("127.0.0.17", "/wayback/available")
    root = corpus(
        {
            "corpuslint.toml": f'[links]\ntimeout = 2\narchive_endpoint = "{endpoint}"\n',
            "a.md": """
                ---
                title: 测试
                ---

                正文[^1]。

                [^1]: 某某。[标题](http://gone.example/article)。来源。
                """,
        }
    )
    args = ("check", "--links-only", "--no-cache", "--suggest", "--select", "LK", "a.md")
    report = cli(*args, "--output-format", "json", cwd=root)
    [found] = json.loads(report.out)
    assert found["code"] == "LK001" and "archived copy: http://127.0.0.17/web/2020/dead" in found["message"]
    cli(*args, "--fix", cwd=root)
    assert "http://gone.example/article" in (root / "a.md").read_text(
        encoding="utf-8"
    )  # unsafe: not by --fix
    cli(*args, "--fix", "--unsafe-fixes", cwd=root)
    assert "[标题](http://127.0.0.17/web/2020/dead)" in (root / "a.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("value", ["ftp://127.0.0.15:21", "http://127.0.0.15:::"])
def test_an_unusable_proxy_variable_is_lk000_not_a_crash(fast, monkeypatch, value):
    from corpuslint.links.extract import LinkOccurrence
    from corpuslint.links.phase import run_links_phase

    monkeypatch.setenv("HTTP_PROXY", value)
    urls = [f"http://127.0.0.{2 + i}:8/p" for i in range(2)]
    occurrences = [LinkOccurrence("a.md", 3 + i, 1, 3 + i, 10, u, "t", "1") for i, u in enumerate(urls)]
    outcome = run_links_phase(occurrences, fast, use_cache=False, progress=False)
    [(_, code, message)] = outcome.problems
    assert code == "LK000" and "proxy configuration is not usable" in message
