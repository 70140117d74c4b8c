"""The httpx client of the link checker: trust, proxies, cookies, HTTP/2, bounded bodies.

- Trust: the system's store (`truststore`), which honours `SSL_CERT_FILE` / `SSL_CERT_DIR`;
  `ca_bundle` adds its CAs to it; `verify_tls = false` checks nothing.
- Proxies: httpx's own reading of `HTTP(S)_PROXY` / `ALL_PROXY` / `NO_PROXY` (trust_env), or
  `links.proxy` for every URL (NO_PROXY still exempts its hosts). The proxy itself may be a
  private address; the address policy applies to the target.
- Every transport uses `PinnedBackend`: connections go to checked addresses only.
- Cookies: the client's jar, for the run (cookie-gated redirects pass).
- Bodies: `read_body` decodes gzip, deflate, br and zstd itself, never more than `max_body`
  bytes whatever the ratio (httpx's decoders inflate a chunk whole: a bomb's 64 KiB of input
  would be gigabytes).
"""

from __future__ import annotations

import asyncio
import ssl
import zlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import httpx

from corpuslint.links.net import Blocked, PinnedBackend
from corpuslint.links.outcomes import ProxyUnreachable
from corpuslint.links.settings import LinkSettings

ACCEPT_ENCODING = "gzip, deflate, br, zstd"


def ssl_context(settings: LinkSettings) -> ssl.SSLContext:
    """The system's trust store, plus `ca_bundle`; nothing checked when verify_tls is off."""
    if not settings.verify_tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        import truststore

        context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    except ImportError:  # pragma: no cover - a dependency; OpenSSL's default paths otherwise
        context = ssl.create_default_context()
    if settings.ca_bundle:
        context.load_verify_locations(cafile=settings.ca_bundle)
    return context


class _OriginTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over one httpcore pool (made by PinnedTransport, for one origin)."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool


class _Released(httpx.AsyncByteStream):
    """A response body that gives its pool back when it is closed."""

    def __init__(self, inner: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._inner = inner
        self._release: Callable[[], None] | None = release

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            if self._release is not None:
                release, self._release = self._release, None
                release()


class _Slot:
    """One connection serving one request at a time: what a pool of the "slot" variant holds,
    without the pool (httpcore's pool bookkeeping costs more than the request it assigns).

    The connection is used again when it is idle and neither expired nor closed by the server
    (httpcore's own checks, the ones its pool makes); otherwise a new one is opened, through the
    same `PinnedBackend`.
    """

    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        self._connection: Any = None

    def _usable(self) -> bool:
        connection = self._connection
        return (
            connection is not None
            and not connection.is_closed()
            and connection.is_idle()
            and not connection.has_expired()
        )

    async def _fresh(self, origin: Any) -> Any:
        import httpcore

        if self._connection is not None:
            await self._connection.aclose()
        self._connection = httpcore.AsyncHTTPConnection(origin=origin, **self._options)
        return self._connection

    async def handle_async_request(self, request: Any) -> Any:
        from httpcore import ConnectionNotAvailable

        connection = self._connection if self._usable() else await self._fresh(request.url.origin)
        try:
            return await connection.handle_async_request(request)
        except ConnectionNotAvailable:  # lost between the check and the request: one new connection
            return await (await self._fresh(request.url.origin)).handle_async_request(request)

    async def aclose(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.aclose()


POOLS = ("slot", "origin", "shared")


class PinnedTransport(httpx.AsyncBaseTransport):
    """httpx's transport on a `PinnedBackend`, with small connection pools.

    httpcore's pool walks all its connections and queued requests at every request and every
    release, which costs more CPU than the request itself once many connections are open
    (bench/README.md, "Link checker"). So by default ("slot") a request takes a slot of its
    origin that no other request is using, or makes one: each slot holds one connection
    (`_Slot`, no pool at all; through a proxy a one-connection httpcore proxy pool) and serves
    one request at a time (the checker already bounds requests per host). "origin": one
    pool per origin; "shared": httpx's one pool (both for the benchmark). Through a proxy, the
    target is checked against the policy first.
    """

    def __init__(
        self,
        backend: PinnedBackend,
        context: ssl.SSLContext,
        limits: httpx.Limits,
        *,
        http1: bool = True,
        http2: bool = True,
        proxy: httpx.Proxy | None = None,
        pools: str = "slot",
    ) -> None:
        if pools not in POOLS:
            raise ValueError(f"pools: one of {', '.join(POOLS)}, not {pools!r}")
        self._backend = backend
        self.proxied = proxy is not None
        self._proxy = proxy
        self._pools = pools
        self._common: dict[str, Any] = {
            "ssl_context": context,
            "max_connections": limits.max_connections,
            "max_keepalive_connections": limits.max_keepalive_connections,
            "keepalive_expiry": limits.keepalive_expiry,
            "http1": http1,
            "http2": http2,
            "network_backend": backend,
        }
        self._slot_options: dict[str, Any] = {
            "ssl_context": context,
            "keepalive_expiry": limits.keepalive_expiry,
            "http1": http1,
            "http2": http2,
            "network_backend": backend,
        }
        self._unsupported: str | None = None
        if proxy is not None and proxy.url.scheme not in ("http", "https"):
            # e.g. ALL_PROXY=socks5://...: every request through it fails, and LK000 says why
            self._unsupported = f"the proxy {proxy.url} is not supported (only http:// and https:// proxies)"
        elif proxy is not None:
            url = proxy.url
            backend.trusted.add((url.host, url.port or (443 if url.scheme == "https" else 80)))
        self._origins: dict[tuple[bytes, bytes, int | None], _OriginTransport] = {}
        self._free: dict[tuple[bytes, bytes, int | None], list[_OriginTransport]] = {}
        self._every: list[_OriginTransport] = []
        self._idle: OrderedDict[_OriginTransport, tuple[bytes, bytes, int | None]] = OrderedDict()
        self._max_idle = limits.max_keepalive_connections or 16
        self._closing: set[asyncio.Task[None]] = set()

    def _pool(self) -> Any:
        import httpcore

        proxy = self._proxy
        if proxy is None and self._pools == "slot":
            return _Slot(self._slot_options)
        if proxy is None:
            return httpcore.AsyncConnectionPool(**self._common)
        url = proxy.url
        return httpcore.AsyncHTTPProxy(
            proxy_url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            proxy_auth=proxy.raw_auth,
            proxy_headers=proxy.headers.raw,
            proxy_ssl_context=proxy.ssl_context,
            **self._common,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._unsupported:
            raise ProxyUnreachable(self._unsupported)
        url = request.url
        if self.proxied:
            await self._backend.check_target(url.host, url.port or (443 if url.scheme == "https" else 80))
        key = (url.raw_scheme, url.raw_host, url.port) if self._pools != "shared" else (b"", b"", None)
        if self._pools != "slot":
            transport = self._origins.get(key)
            if transport is None:
                transport = self._origins[key] = _OriginTransport(self._pool())
                self._every.append(transport)
            return await transport.handle_async_request(request)
        free = self._free.setdefault(key, [])
        if free:
            transport = free.pop()
            del self._idle[transport]
        else:
            transport = _OriginTransport(self._pool())
            self._every.append(transport)
        try:
            response = await transport.handle_async_request(request)
        except BaseException:
            self._release(key, transport)  # the failed connection is closed; the slot serves the next one
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Released(response.stream, lambda: self._release(key, transport))
        return response

    def _release(self, key: tuple[bytes, bytes, int | None], transport: _OriginTransport) -> None:
        """The slot is free again; past `max_keepalive` idle slots the least recently used one's
        connection is closed (a corpus citing thousands of hosts would otherwise keep a socket
        open per host until the run ends)."""
        self._free[key].append(transport)
        self._idle[transport] = key
        if len(self._idle) <= self._max_idle:
            return
        oldest, oldest_key = self._idle.popitem(last=False)
        self._free[oldest_key].remove(oldest)
        self._every.remove(oldest)
        task = asyncio.get_running_loop().create_task(oldest.aclose())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        for transport in self._every:
            await transport.aclose()
        self._idle.clear()
        self._every.clear()
        self._origins.clear()
        self._free.clear()


class _RunCookies(httpx.Cookies):
    """The run's cookie jar, read only from answers that set a cookie: httpx hands every
    response to the jar, and wrapping it for `http.cookiejar` costs more than a request."""

    def extract_cookies(self, response: httpx.Response) -> None:
        headers = response.headers
        if "set-cookie" in headers or "set-cookie2" in headers:
            super().extract_cookies(response)


class LinkClient(httpx.AsyncClient):
    """An AsyncClient whose every transport, the proxies' too, is a PinnedTransport."""

    @property
    def cookies(self) -> httpx.Cookies:
        return self._cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        self._cookies = _RunCookies(cookies)

    def __init__(
        self,
        settings: LinkSettings,
        backend: PinnedBackend,
        *,
        http1: bool = True,
        headers: dict[str, str],
        pools: str = "slot",
        environment: bool = True,
    ) -> None:
        self._backend = backend
        self._pools = pools
        self._context = ssl_context(settings)
        self._http1 = http1
        limits = httpx.Limits(
            max_connections=None,  # the checker bounds requests in flight itself
            max_keepalive_connections=max(2 * settings.max_concurrency, 16),
            keepalive_expiry=30.0,
        )
        timeout = httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=None,
        )
        mounts: dict[str, httpx.AsyncBaseTransport | None] | None = None
        if settings.proxy:
            # links.proxy for every URL; NO_PROXY's hosts still go direct
            mounts = {"all://": self._init_proxy_transport(httpx.Proxy(settings.proxy), limits=limits)}
            mounts.update({key: None for key, value in _environment_proxies().items() if value is None})
        super().__init__(
            headers=headers,
            timeout=timeout,
            limits=limits,
            http1=http1,
            http2=True,
            follow_redirects=False,
            trust_env=environment and settings.proxy is None,
            mounts=mounts,
        )
        self._cookies = _RunCookies(self._cookies.jar)

    def _init_transport(
        self, *args: Any, limits: httpx.Limits | None = None, **kwargs: Any
    ) -> PinnedTransport:
        limits = limits or httpx.Limits()
        return PinnedTransport(self._backend, self._context, limits, http1=self._http1, pools=self._pools)

    def _init_proxy_transport(
        self, proxy: httpx.Proxy, *args: Any, limits: httpx.Limits | None = None, **kwargs: Any
    ) -> PinnedTransport:
        limits = limits or httpx.Limits()
        return PinnedTransport(
            self._backend, self._context, limits, http1=self._http1, proxy=proxy, pools=self._pools
        )


def _environment_proxies() -> dict[str, str | None]:
    from httpx._utils import get_environment_proxies

    return get_environment_proxies()


# Bodies ------------------------------------------------------------------------------------------

_ZSTD_SLICE = 16  # input bytes per step: a zstd block expands at most to 128 KiB


def _decoder(coding: str, limit: int) -> Callable[[bytes], bytes] | None:
    """A function decoding the next input piece, bounded to about `limit` bytes of output."""
    coding = coding.strip().lower()
    if coding in ("", "identity"):
        return lambda chunk: chunk
    if coding in ("gzip", "x-gzip", "deflate"):
        wbits = 16 + zlib.MAX_WBITS if coding != "deflate" else zlib.MAX_WBITS
        state = {"z": zlib.decompressobj(wbits), "first": True}

        def inflate(chunk: bytes) -> bytes:
            z = state["z"]
            try:
                return z.decompress(chunk, limit + 1)
            except zlib.error:
                if coding == "deflate" and state["first"]:  # raw deflate, as some servers send
                    state["z"] = zlib.decompressobj(-zlib.MAX_WBITS)
                    state["first"] = False
                    return state["z"].decompress(chunk, limit + 1)
                raise
            finally:
                state["first"] = False

        return inflate
    if coding == "br":
        import brotli

        br = brotli.Decompressor()
        try:
            br.process(b"", output_buffer_limit=limit + 1)
        except TypeError:  # brotli < 1.2 cannot bound its output: the title is not read
            return None
        return lambda chunk: br.process(chunk, output_buffer_limit=limit + 1)
    if coding == "zstd":
        import zstandard

        zd = zstandard.ZstdDecompressor().decompressobj()

        def unzstd(chunk: bytes) -> bytes:
            out = bytearray()
            for start in range(0, len(chunk), _ZSTD_SLICE):
                out += zd.decompress(chunk[start : start + _ZSTD_SLICE])
                if len(out) > limit:
                    break
            return bytes(out)

        return unzstd
    return None


def _decoding_error(exc: BaseException) -> bool:
    return isinstance(exc, zlib.error) or type(exc).__module__.split(".")[0] in (
        "brotli",
        "_brotli",
        "zstandard",
    )


async def read_body(response: httpx.Response, limit: int, *, stop_at_title: bool = True) -> bytes | None:
    """At most `limit` bytes of an HTML (or Markdown) body, decoded; None when it is something
    else or cannot be decoded.

    Reading stops at `</title` when that is all the checks need, or at the limit; a compressed
    body is read from the wire at most 4 × `limit` bytes.
    """
    content_type = response.headers.get("content-type", "").lower()
    kinds = ("html",) if stop_at_title else ("html", "markdown", "text/plain")
    if limit <= 0 or (content_type and not any(kind in content_type for kind in kinds)):
        return None
    codings = [c for c in response.headers.get("content-encoding", "").split(",") if c.strip()]
    if len(codings) > 1:
        return None  # stacked codings: not worth decoding for a title
    decode = _decoder(codings[0] if codings else "", limit)
    if decode is None:
        return None
    out = bytearray()
    raw_seen = 0
    done = False
    length = response.headers.get("content-length", "")
    drain = length.isdigit() and int(length) <= limit  # read small bodies to their end: keep-alive
    try:
        async for chunk in response.aiter_raw():
            if done:
                continue
            raw_seen += len(chunk)
            out += decode(chunk)
            if len(out) >= limit or raw_seen >= 4 * limit:
                done = True
            elif stop_at_title and b"</title" in out[-4096 - len(chunk) :]:
                done = True
            if done and not drain:
                break
    except Exception as exc:
        if not _decoding_error(exc):
            raise
        return None  # a broken body: the status stands, the title is not read
    return bytes(out[:limit])


__all__ = ["ACCEPT_ENCODING", "Blocked", "LinkClient", "PinnedBackend", "read_body", "ssl_context"]
