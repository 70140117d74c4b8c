"""Real servers for the link checker tests: HTTP on 127.0.0.1-3 (distinct hosts), a slow one,
and HTTPS with a throwaway CA (trusted when its bundle is configured) and an unknown CA."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from linkserver import LinkServer  # noqa: E402

from corpuslint.links.settings import LinkSettings  # noqa: E402

_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxy_from_the_environment(monkeypatch):
    """The tests' requests go where the tests say: a proxy of the machine's is not used."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(scope="session")
def server():
    srv = LinkServer(["127.0.0.1", "127.0.0.2", "127.0.0.3"]).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def slow_server():
    """50 ms before every answer: long enough to see how many requests overlap."""
    srv = LinkServer(["127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7"], latency=0.05).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def tls(tmp_path_factory):
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    other_ca = trustme.CA()
    directory = tmp_path_factory.mktemp("tls")
    bundle = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    servers = {}
    for name, authority in (("trusted", ca), ("untrusted", other_ca)):
        import ssl

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        servers[name] = LinkServer(["127.0.0.1"], ssl_context=context).start()
    yield {"bundle": str(bundle), **servers}
    for srv in servers.values():
        srv.stop()


@pytest.fixture
def fast():
    """Settings for tests: loopback allowed, short timeouts and back-offs."""
    return LinkSettings(
        allow_private=True,
        timeout=2.0,
        connect_timeout=1.0,
        read_timeout=1.0,
        retry_backoff=0.01,
        retry_after_cap=2.0,
        cache_dir=None,
    )
