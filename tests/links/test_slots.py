"""The request slots of the checker's transport: connections kept alive, idle ones bounded."""

from __future__ import annotations

import asyncio
import ssl

import httpx
from test_checker import loopback_only

from corpuslint.links.client import PinnedTransport
from corpuslint.links.net import PinnedBackend


def _open_connections(transport: PinnedTransport) -> int:
    return sum(1 for slot in transport._every if slot._pool._connection is not None)  # noqa: SLF001


def _run(server, hosts: list[str], max_idle: int) -> tuple[list[int], int, int]:  # type: ignore[no-untyped-def]
    async def main() -> tuple[list[int], int, int]:
        backend = PinnedBackend(loopback_only, allow_private=True)
        limits = httpx.Limits(max_keepalive_connections=max_idle)
        transport = PinnedTransport(backend, ssl.create_default_context(), limits)
        statuses = []
        async with httpx.AsyncClient(transport=transport) as client:
            for host in hosts:
                response = await client.get(server.url(host, "/ok"))
                statuses.append(response.status_code)
            await asyncio.sleep(0)  # the eviction closes in a task of its own
            open_now = _open_connections(transport)
            connects = backend.connects
        return statuses, open_now, connects

    return asyncio.run(main())


def test_idle_connections_beyond_the_bound_are_closed_least_recently_used_first(server):
    hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
    statuses, open_now, connects = _run(server, hosts, max_idle=2)
    assert statuses == [200, 200, 200]
    assert open_now <= 2
    assert connects == 3


def test_an_origin_asked_again_reuses_its_idle_connection(server):
    statuses, open_now, connects = _run(
        server, ["127.0.0.1", "127.0.0.2", "127.0.0.1", "127.0.0.2"], max_idle=2
    )
    assert statuses == [200, 200, 200, 200]
    assert connects == 2
    assert open_now == 2


def test_an_evicted_origin_connects_again(server):
    hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.1"]
    statuses, _open_now, connects = _run(server, hosts, max_idle=2)
    assert statuses == [200, 200, 200, 200]
    assert connects == 4
