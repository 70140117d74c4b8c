"""Where the link checker's connections go: names resolved by corpuslint, every address checked
against the address policy, each connection opened to an address that was checked (pinned).

`PinnedBackend` is an httpcore network backend: httpx asks it for a TCP stream to (host, port),
it resolves the name itself (once per run, shared by every request to the host), drops the
addresses `policy.address_blocked` refuses, and connects to the first allowed one (an asyncio
stream of `streams`; anyio's only for the proxies and unusual socket options). TLS is then
started by httpcore on that stream with the URL's host as server name, so certificates are
checked against the name while the socket stays on the checked address: a second lookup that
could answer differently never happens. Endpoints registered as proxies (the proxy may well be
a private address) are connected to without the policy; the policy of a proxied target is
applied by the transport before the request (`check_target`).

Lookups run in daemon threads (getaddrinfo cannot be cancelled): a resolver that never answers
holds neither the URL's deadline, which cancels the wait, nor the end of the run.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import httpcore

from corpuslint.links import policy, streams
from corpuslint.links.outcomes import TIMEOUTS, ProxyUnreachable

Resolver = Callable[[str, int], Awaitable[list[str]]]

_LOOKUP_THREADS = threading.BoundedSemaphore(16)  # lookups at once, whatever the number of hosts
PROXIED_LOOKUP_WAIT = 2.0  # seconds a proxied target's own lookup may take before the proxy resolves it


class Blocked(Exception):
    """The target resolves to an address the policy excludes."""


class NoAddress(OSError):
    """The name resolved to no address at all."""


async def system_resolver(host: str, port: int) -> list[str]:
    """getaddrinfo in a daemon thread; the caller's deadline cancels the wait, not the thread."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[list[str]] = loop.create_future()

    def deliver(result: list[str] | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result or [])

    def work() -> None:
        with _LOOKUP_THREADS:
            try:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting task
                _post(loop, deliver, None, exc)
                return
        addresses: list[str] = []
        for _family, _type, _proto, _name, sockaddr in infos:
            if str(sockaddr[0]) not in addresses:
                addresses.append(str(sockaddr[0]))
        _post(loop, deliver, addresses, None)

    threading.Thread(target=work, name=f"resolve {host}", daemon=True).start()
    return await future


def _post(loop: asyncio.AbstractEventLoop, callback: Callable[..., None], *args: Any) -> None:
    try:
        loop.call_soon_threadsafe(callback, *args)
    except RuntimeError:  # the loop is closed: the run ended before the lookup did
        pass


class _Stream(httpcore.AsyncNetworkStream):
    """anyio's stream, with the raw socket kept: httpcore asks every idle connection whether
    it is readable at each request of its pool, and anyio's attribute lookup costs more than
    the poll itself."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ):  # type: ignore[no-untyped-def]
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._socket is not None:
            from httpcore._utils import is_socket_readable

            return is_socket_readable(self._socket)
        return self._inner.get_extra_info(info)


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to addresses the policy allows."""

    def __init__(self, resolver: Resolver | None, allow_private: bool) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._resolver = resolver or system_resolver
        self._allow_private = allow_private
        self._lookups: dict[tuple[str, int], asyncio.Future[list[str]]] = {}
        self.trusted: set[tuple[str, int]] = set()  # (host, port) of configured proxies and endpoints
        self.connects = 0
        self._unresolvable: set[tuple[str, int]] = set()  # proxied targets left to the proxy
        self._verdicts: dict[tuple[str, int], list[str] | str] = {}  # allowed addresses, or why none

    async def addresses(self, host: str, port: int) -> list[str]:
        """Every address of `host` (a literal is its own), looked up once per run."""
        literal = policy.parse_ip(host)
        if literal is not None:
            return [str(literal)]
        key = (host.lower().rstrip("."), port)
        future = self._lookups.get(key)
        if future is None or (future.done() and future.cancelled()):
            future = asyncio.ensure_future(self._resolver(host, port))
            self._lookups[key] = future
        return list(await asyncio.shield(future))

    def known_addresses(self, host: str, port: int) -> list[str]:
        """The addresses this run's lookup of `host` gave, if it ended well; [] otherwise."""
        literal = policy.parse_ip(host)
        if literal is not None:
            return [str(literal)]
        future = self._lookups.get((host.lower().rstrip("."), port))
        if future is None or not future.done() or future.cancelled() or future.exception() is not None:
            return []
        return list(future.result())

    async def allowed(self, host: str, port: int) -> list[str]:
        """The addresses of `host` the policy allows; Blocked when there were only others.

        The run's one answer for a host is checked once: later connections reuse the verdict.
        """
        key = (host, port)
        verdict = self._verdicts.get(key)
        if verdict is None:
            addresses = await self.addresses(host, port)
            verdict = addresses
            if not self._allow_private:
                verdict = [a for a in addresses if not policy.address_blocked(a)]
                if addresses and not verdict:
                    verdict = f"{host} resolves to a private or local address ({addresses[0]})"
            self._verdicts[key] = verdict
        if isinstance(verdict, str):
            raise Blocked(verdict)
        if not verdict:
            raise NoAddress(f"no address for {host}")
        return list(verdict)

    async def check_target(self, host: str, port: int) -> None:
        """The policy for a target reached through a proxy (the proxy resolves it, not us).

        A name this machine cannot resolve (or not within PROXIED_LOOKUP_WAIT) is left to the
        proxy: where only the proxy has DNS (a CI runner behind one), no lookup answers here.
        """
        if self._allow_private:
            return
        reason = policy.host_blocked_reason(host)
        if reason:
            raise Blocked(reason)
        if (host, port) in self._unresolvable:
            return
        try:
            await asyncio.wait_for(self.allowed(host, port), PROXIED_LOOKUP_WAIT)
        except (OSError, NoAddress, *TIMEOUTS):
            self._unresolvable.add((host, port))  # not asked again: the proxy resolves it

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        if (host, port) in self.trusted:
            return await self._connect_proxy(host, port, timeout)
        addresses = await self.allowed(host, port)
        last: BaseException | None = None
        for address in addresses[:3]:
            self.connects += 1
            try:
                if local_address is None and not socket_options:
                    return await streams.connect(address, port, timeout)
                stream = await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
                return _Stream(stream)
            except httpcore.ConnectTimeout:
                raise
            except (httpcore.ConnectError, OSError) as exc:
                last = exc
        assert last is not None
        raise last

    async def _connect_proxy(
        self, host: str, port: int, timeout: float | None
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self.addresses(host, port)
            if not addresses:
                raise NoAddress(f"no address for {host}")
            self.connects += 1
            return _Stream(await self._inner.connect_tcp(addresses[0], port, timeout=timeout))
        except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as exc:
            raise ProxyUnreachable(
                f"cannot connect to the proxy {host}:{port}: {exc or type(exc).__name__}"
            ) from exc

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:  # pragma: no cover - never configured
        raise OSError("unix sockets are not used by the link checker")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
