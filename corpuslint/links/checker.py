"""The async link checker: each unique URL is requested once, politely and within limits.

One `httpx.AsyncClient` serves the run. Its transport routes every request to a small
connection pool of its own host (httpcore's pool scans all its connections for every request,
so one big pool costs CPU in proportion to the number of hosts). The pools connect through a
network backend that resolves names itself, applies the address policy to every address and
connects to the address it checked.

Limits: `max_concurrency` requests in flight overall, `max_per_host` per host, and an optional
minimum interval between request starts to one host. A task waits for its host's slot before it
takes a global one, so a crowd of URLs of one slow host never holds the global slots idle.
"""

from __future__ import annotations

import asyncio
import email.utils
import errno
import random
import re
import socket
import ssl
import sys
import time
import zlib
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from corpuslint.citations import page_titles
from corpuslint.links import policy
from corpuslint.links.settings import LinkSettings

# Results -----------------------------------------------------------------------------------------

OK = "ok"
BROKEN = "LK001"
TIMEOUT = "LK002"
PERMANENT = "LK003"
MALFORMED = "LK004"
SOFT404 = "LK005"
SKIPPED = "skipped"


@dataclass(frozen=True)
class LinkResult:
    url: str
    outcome: str  # OK, SKIPPED or a code
    message: str = ""
    status: int | None = None
    new_url: str | None = None  # LK003: where the link moved
    unavailable: bool = False  # failed because the network (not the host) could not be reached
    hard_unavailable: bool = False  # ... and the error says so unambiguously (no route, DNS down)
    requests: int = 0
    titles: tuple[str, ...] | None = None  # the page's titles when it was read with GET (CT001)

    @property
    def cacheable(self) -> bool:
        return self.outcome not in (SKIPPED, MALFORMED) and not self.unavailable


class LinkError(Exception):
    """A failed exchange, classified: `outcome` is BROKEN or TIMEOUT."""

    def __init__(
        self,
        outcome: str,
        message: str,
        *,
        retry: bool = False,
        unavailable: bool = False,
        hard: bool = False,
    ) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message
        self.retry = retry
        self.unavailable = unavailable
        self.hard = hard


class Blocked(Exception):
    """The target resolves to an address the policy excludes."""


# Error classification --------------------------------------------------------------------------

_UNREACHABLE = {errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT}
_GAI_NONAME = {getattr(socket, n) for n in ("EAI_NONAME", "EAI_NODATA", "EAI_ADDRFAMILY") if hasattr(socket, n)}
_GAI_DOWN = {getattr(socket, n) for n in ("EAI_AGAIN", "EAI_FAIL") if hasattr(socket, n)}


def _causes(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        nested = getattr(current, "exceptions", None)
        if nested:
            stack.extend(nested)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                stack.append(linked)


def classify(exc: BaseException) -> LinkError:
    """Turn whatever a request raised into a LinkError with a reason a user understands."""
    if isinstance(exc, LinkError):
        return exc
    causes = list(_causes(exc))
    for cause in causes:
        if isinstance(cause, LinkError):
            return cause
    for cause in causes:
        if isinstance(cause, socket.gaierror):
            if cause.errno in _GAI_DOWN:
                return LinkError(BROKEN, f"DNS lookup failed: {cause.strerror}", unavailable=True, hard=True)
            return LinkError(BROKEN, f"DNS lookup failed: {cause.strerror or 'no such host'}", unavailable=True)
        if isinstance(cause, ssl.SSLCertVerificationError):
            return LinkError(BROKEN, f"TLS certificate not trusted: {cause.verify_message or cause.reason}")
        if isinstance(cause, ssl.SSLError):
            return LinkError(BROKEN, f"TLS error: {cause.reason or cause}")
        if isinstance(cause, ConnectionRefusedError):
            return LinkError(BROKEN, "connection refused", retry=True)
        if isinstance(cause, ConnectionResetError):
            return LinkError(BROKEN, "connection reset by the server", retry=True)
        if isinstance(cause, OSError) and cause.errno in _UNREACHABLE:
            return LinkError(
                BROKEN, f"cannot connect: {cause.strerror or cause}", unavailable=True, hard=True
            )
    if isinstance(exc, (httpcore.ConnectTimeout, httpx.ConnectTimeout)):
        return LinkError(TIMEOUT, "timed out connecting")
    if isinstance(exc, (httpcore.TimeoutException, httpx.TimeoutException, TimeoutError, asyncio.TimeoutError)):
        return LinkError(TIMEOUT, "timed out waiting for the server")
    if isinstance(exc, (httpcore.RemoteProtocolError, httpx.RemoteProtocolError)):
        return LinkError(BROKEN, f"protocol error: {exc or 'server closed the connection'}", retry=True)
    if isinstance(exc, (httpcore.NetworkError, httpx.NetworkError, OSError)):
        return LinkError(BROKEN, f"connection failed: {exc or type(exc).__name__}", retry=True)
    return LinkError(BROKEN, f"request failed: {type(exc).__name__}: {exc}")


# Network backend: resolve, check, pin ------------------------------------------------------------

Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        if sockaddr[0] not in addresses:
            addresses.append(str(sockaddr[0]))
    return addresses


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Resolves a name once per run, drops excluded addresses, connects to a checked one."""

    def __init__(self, settings: LinkSettings, resolver: Resolver | None = None) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._resolver = resolver or system_resolver
        self._allow_private = settings.allow_private
        self._lookups: dict[tuple[str, int], asyncio.Future[list[str]]] = {}

    async def _addresses(self, host: str, port: int) -> list[str]:
        literal = policy.parse_ip(host)
        if literal is not None:
            return [str(literal)]
        key = (host.lower(), port)
        future = self._lookups.get(key)
        if future is None:
            future = asyncio.ensure_future(self._resolver(host, port))
            self._lookups[key] = future
        return list(await asyncio.shield(future))

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._addresses(host, port)
        if not self._allow_private:
            allowed = [a for a in addresses if not policy.address_blocked(a)]
            if not allowed and addresses:
                raise Blocked(f"{host} resolves to a private or local address ({addresses[0]})")
            addresses = allowed
        if not addresses:
            raise LinkError(BROKEN, f"DNS lookup failed: no address for {host}", unavailable=True)
        last: BaseException | None = None
        for address in addresses[:3]:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectTimeout:
                raise
            except (httpcore.ConnectError, OSError) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise LinkError(BROKEN, "unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class HostRouter(httpx.AsyncBaseTransport):
    """Keep-alive connections per (scheme, host, port), without a pool that scans them all.

    httpcore's pool walks every connection and queued request on each request and retries
    assignments that lose a race; the checker already bounds requests per host with its own
    semaphore, so a free list of idle connections per origin is all that is needed. Idle
    connections are capped overall (oldest closed first) so thousands of hosts do not exhaust
    file descriptors.
    """

    def __init__(self, settings: LinkSettings, ssl_context: ssl.SSLContext, backend: PinnedBackend) -> None:
        self._ssl = ssl_context
        self._backend = backend
        self._idle: dict[tuple[bytes, bytes, int], list[httpcore.AsyncHTTPConnection]] = {}
        self._idle_order: dict[httpcore.AsyncHTTPConnection, tuple[bytes, bytes, int]] = {}
        self._idle_cap = max(2 * settings.max_concurrency, 16)

    def _take(self, key: tuple[bytes, bytes, int]) -> httpcore.AsyncHTTPConnection | None:
        idle = self._idle.get(key)
        while idle:
            connection = idle.pop()
            self._idle_order.pop(connection, None)
            if connection.is_idle() and not connection.has_expired():
                return connection
            self._discard(connection)
        return None

    def _discard(self, connection: httpcore.AsyncHTTPConnection) -> None:
        task = asyncio.ensure_future(connection.aclose())
        task.add_done_callback(lambda t: t.cancelled() or t.exception())

    def _release(self, key: tuple[bytes, bytes, int], connection: httpcore.AsyncHTTPConnection) -> None:
        if not connection.is_idle():
            self._discard(connection)
            return
        self._idle.setdefault(key, []).append(connection)
        self._idle_order[connection] = key
        while len(self._idle_order) > self._idle_cap:
            oldest, oldest_key = next(iter(self._idle_order.items()))
            del self._idle_order[oldest]
            self._idle[oldest_key].remove(oldest)
            self._discard(oldest)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.raw_scheme
        port = url.port or (443 if scheme == b"https" else 80)
        key = (scheme, url.raw_host, port)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=scheme, host=url.raw_host, port=port, target=url.raw_path),
            headers=request.headers.raw,
            content=request.stream,  # type: ignore[arg-type]
            extensions=request.extensions,
        )
        connection = self._take(key)
        reused = connection is not None
        if connection is None:
            connection = httpcore.AsyncHTTPConnection(
                origin=httpcore.Origin(scheme, url.raw_host, port),
                ssl_context=self._ssl,
                keepalive_expiry=30.0,
                http1=True,
                http2=False,
                network_backend=self._backend,
            )
        try:
            response = await connection.handle_async_request(core_request)
        except BaseException as exc:
            await connection.aclose()
            if reused and isinstance(exc, (httpcore.RemoteProtocolError, httpcore.ReadError, httpcore.WriteError)):
                # the server dropped a kept-alive connection: one more try on a new one
                return await self.handle_async_request(request)
            raise
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Stream(response.stream, lambda: self._release(key, connection)),  # type: ignore[arg-type]
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                await connection.aclose()
        self._idle.clear()
        self._idle_order.clear()


class _Stream(httpx.AsyncByteStream):
    def __init__(self, inner: Iterable[bytes], on_close: Callable[[], None]) -> None:
        self._inner = inner
        self._on_close: Callable[[], None] | None = on_close

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        async for part in self._inner:  # type: ignore[attr-defined]
            yield part

    async def aclose(self) -> None:
        close = getattr(self._inner, "aclose", None)
        if close is not None:
            await close()
        if self._on_close is not None:
            on_close, self._on_close = self._on_close, None
            on_close()


# The checker ---------------------------------------------------------------------------------------

HEAD_FALLBACK = {400, 403, 404, 405, 406, 409, 410, 501}  # statuses servers give HEAD alone: ask with GET
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_SOFT404_TITLE = re.compile(
    r"(?<!\d)404(?!\d)|not\s*found|no\s+longer\s+available|页面不存在|页面未找到|找不到(该)?页面|网页不存在|"
    r"页面已删除|文章不存在|内容不存在|您访问的页面",
    re.IGNORECASE,
)
_HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.php", "/home", "/en", "/en/", "/zh", "/zh-cn", "/cn"}

if sys.version_info >= (3, 11):
    _deadline = asyncio.timeout
else:  # pragma: no cover - Python 3.10
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def _deadline(seconds: float):  # type: ignore[no-untyped-def]
        import anyio

        with anyio.fail_after(seconds):
            yield


@dataclass
class _Exchange:
    status: int
    location: str | None
    retry_after: float | None
    title: str | None
    titles: tuple[str, ...] | None = None


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _ssl_context(settings: LinkSettings) -> ssl.SSLContext:
    if not settings.verify_tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if settings.ca_bundle:
        return ssl.create_default_context(cafile=settings.ca_bundle)
    try:
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:  # pragma: no cover
        return ssl.create_default_context()


class Checker:
    """Checks URLs. Use as `async with Checker(settings) as checker: await checker.check_all(urls)`."""

    def __init__(
        self,
        settings: LinkSettings,
        *,
        resolver: Resolver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        on_result: Callable[[LinkResult], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self._on_result = on_result
        self._sleep = sleep
        self._excludes = [re.compile(p) for p in settings.exclude]
        if transport is None:
            backend = PinnedBackend(settings, resolver)
            transport = HostRouter(settings, _ssl_context(settings), backend)
        headers = {
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Encoding": "gzip, deflate",  # the only codings decoded here, with a size bound
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
        }
        headers.update(settings.headers)
        self.client = httpx.AsyncClient(
            transport=transport,
            headers=headers,
            timeout=httpx.Timeout(
                settings.timeout,
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                pool=None,
            ),
            follow_redirects=False,
            trust_env=False,
        )
        self._global = asyncio.Semaphore(settings.max_concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._last_start: dict[str, float] = {}
        self.requests = 0
        self.title_urls: set[str] = set()  # GET these (not HEAD) and keep their titles (CT001)

    async def __aenter__(self) -> Checker:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    # --- scheduling ---------------------------------------------------------------------------

    async def check_all(self, urls: Iterable[str]) -> dict[str, LinkResult]:
        """Check every URL once. Hosts are interleaved and at most a window of tasks exists."""
        by_host: dict[str, deque[str]] = {}
        for url in dict.fromkeys(urls):
            try:
                host = (urlsplit(url).hostname or "") if "://" in url else ""
            except ValueError:
                host = ""
            by_host.setdefault(host, deque()).append(url)
        order: list[str] = []
        queues = list(by_host.values())
        while queues:
            for queue in queues:
                order.append(queue.popleft())
            queues = [q for q in queues if q]
        results: dict[str, LinkResult] = {}
        window = max(256, 8 * self.settings.max_concurrency)
        pending: set[asyncio.Task[LinkResult]] = set()
        iterator = iter(order)
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < window:
                url = next(iterator, None)
                if url is None:
                    exhausted = True
                    break
                pending.add(asyncio.ensure_future(self.check(url)))
            if not pending:
                break
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                result = task.result()
                results[result.url] = result
                if self._on_result is not None:
                    self._on_result(result)
        return results

    def _host_slot(self, host: str) -> asyncio.Semaphore:
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = asyncio.Semaphore(self.settings.max_per_host)
        return slot

    async def _polite_start(self, host: str) -> None:
        interval = self.settings.host_interval
        if interval <= 0:
            return
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            wait = self._last_start.get(host, -1e9) + interval - now
            if wait <= 0:
                self._last_start[host] = now
                return
            await self._sleep(wait)

    # --- one URL ------------------------------------------------------------------------------

    def precheck(self, url: str) -> LinkResult | None:
        """Decide without a request: malformed, excluded, not fetchable, not allowed."""
        stripped = url.strip()
        for pattern in self._excludes:
            if pattern.search(stripped):
                return LinkResult(url, SKIPPED, "excluded by links.exclude")
        scheme = stripped.split(":", 1)[0].lower() if ":" in stripped else ""
        if scheme in ("mailto", "file", "tel", "data", "javascript", "ftp", "news", "irc", "sms"):
            return LinkResult(url, SKIPPED, f"{scheme}: links are not fetched")
        if scheme not in ("http", "https"):
            return LinkResult(url, MALFORMED, f"not an http(s) URL: {url!r}")
        if any(c.isspace() for c in stripped):
            return LinkResult(url, MALFORMED, f"URL contains whitespace: {url!r}")
        try:
            parsed = httpx.URL(stripped)
        except (httpx.InvalidURL, ValueError) as exc:
            return LinkResult(url, MALFORMED, f"malformed URL: {exc}")
        if not parsed.host:
            return LinkResult(url, MALFORMED, f"URL has no host: {url!r}")
        try:
            port = urlsplit(stripped).port
        except ValueError:
            port = -1
        if port is not None and not 0 < port < 65536:
            return LinkResult(url, MALFORMED, f"URL has an invalid port: {url!r}")
        if not self.settings.allow_private:
            reason = policy.host_blocked_reason(parsed.host)
            if reason:
                return LinkResult(url, SKIPPED, f"not checked: {reason}")
        return None

    async def check(self, url: str) -> LinkResult:
        early = self.precheck(url)
        if early is not None:
            return early
        try:
            return await self._follow(url)
        except Blocked as exc:
            return LinkResult(url, SKIPPED, f"not checked: {exc}")
        except LinkError as exc:
            return LinkResult(url, exc.outcome, exc.message, unavailable=exc.unavailable, hard_unavailable=exc.hard)

    async def _follow(self, url: str) -> LinkResult:
        settings = self.settings
        current = url.strip()
        seen = {current}
        permanent_to: str | None = None
        all_permanent = True
        redirected = False
        requests = 0
        for _hop in range(settings.max_redirects + 1):
            method = "HEAD" if settings.method == "head" and url not in self.title_urls else "GET"
            exchange, used = await self._attempts(current, method)
            requests += used
            if method == "HEAD" and exchange.status in HEAD_FALLBACK:
                exchange, used = await self._attempts(current, "GET")
                requests += used
            status = exchange.status
            if status in (301, 302, 303, 307, 308) and exchange.location:
                target = urljoin(current, exchange.location.strip())
                if target in seen:
                    return LinkResult(url, BROKEN, f"redirect loop at {target}", status=status, requests=requests)
                if all_permanent and status in (301, 308):
                    permanent_to = target
                else:
                    all_permanent = False
                redirected = True
                seen.add(target)
                early = self.precheck(target)
                if early is not None:
                    if early.outcome == SKIPPED:
                        return LinkResult(url, SKIPPED, f"redirects to {target}, {early.message}", requests=requests)
                    return LinkResult(url, BROKEN, f"redirects to a bad URL: {early.message}", requests=requests)
                current = target
                continue
            break
        else:
            return LinkResult(
                url, BROKEN, f"too many redirects (more than {settings.max_redirects})", requests=requests
            )
        where = f" (after redirects to {current})" if redirected else ""
        if not settings.accepts(status):
            reason = httpx.codes.get_reason_phrase(status) or "unexpected status"
            return LinkResult(url, BROKEN, f"HTTP {status} {reason}{where}", status=status, requests=requests)
        if redirected and _is_home(url, current):
            return LinkResult(
                url, SOFT404, f"likely soft 404: redirects to the home page {current}", status=status,
                requests=requests,
            )
        if exchange.title is not None and _SOFT404_TITLE.search(exchange.title):
            title = " ".join(exchange.title.split())[:80]
            return LinkResult(
                url, SOFT404, f"likely soft 404: HTTP {status} page titled {title!r}{where}", status=status,
                requests=requests,
            )
        if permanent_to is not None:
            return LinkResult(
                url, PERMANENT, f"permanent redirect to {permanent_to}", status=status, new_url=permanent_to,
                requests=requests, titles=exchange.titles,
            )
        return LinkResult(url, OK, "", status=status, requests=requests, titles=exchange.titles)

    async def _attempts(self, url: str, method: str) -> tuple[_Exchange, int]:
        """One exchange with retries for connection errors, 5xx and 429."""
        settings = self.settings
        host = urlsplit(url).hostname or ""
        attempt = 0
        while True:
            attempt += 1
            error: LinkError | None = None
            exchange: _Exchange | None = None
            async with self._host_slot(host):
                await self._polite_start(host)
                async with self._global:
                    self.requests += 1
                    try:
                        exchange = await self._exchange(url, method)
                    except Blocked:
                        raise
                    except Exception as exc:  # noqa: BLE001 - every failure is classified
                        error = classify(exc)
            last = attempt > settings.retries
            if error is not None:
                if last or not error.retry:
                    raise error
                delay = self._backoff(attempt)
            else:
                assert exchange is not None
                if last or not (exchange.status == 429 or 500 <= exchange.status <= 599):
                    return exchange, attempt
                delay = exchange.retry_after if exchange.retry_after is not None else self._backoff(attempt)
                delay = min(delay, settings.retry_after_cap)
            await self._sleep(delay)

    def _backoff(self, attempt: int) -> float:
        base = self.settings.retry_backoff * (2 ** (attempt - 1))
        return base * (0.5 + random.random())

    async def _exchange(self, url: str, method: str) -> _Exchange:
        async with _deadline(self.settings.timeout):
            request = self.client.build_request(method, url)
            response = await self.client.send(request, stream=True)
            try:
                status = response.status_code
                headers = response.headers
                title = None
                titles = None
                if method == "GET":
                    body = await self._read_body(response)
                    if self.title_urls:
                        titles = page_titles(body, headers.get("content-type"))
                    if body is not None:
                        match = _TITLE.search(body)
                        if match:
                            title = match.group(1)[:1000].decode(response.encoding or "utf-8", "replace")
                    else:
                        await self._drain(response)
                else:
                    await self._drain(response)
                return _Exchange(
                    status,
                    headers.get("location"),
                    parse_retry_after(headers.get("retry-after")),
                    title,
                    titles,
                )
            finally:
                await response.aclose()

    async def _drain(self, response: httpx.Response) -> None:
        """Read a small (or empty) body to its end, so the connection can be used again."""
        length = response.headers.get("content-length")
        if response.request.method != "HEAD" and (
            length is None or not length.isdigit() or int(length) > self.settings.max_body
        ):
            return  # unknown or large: closing the connection is cheaper than reading it
        read = 0
        async for chunk in response.aiter_raw():
            read += len(chunk)
            if read > self.settings.max_body:
                break

    async def _read_body(self, response: httpx.Response) -> bytes | None:
        """At most max_body bytes of an HTML body, decompressed with a bound (no gzip bomb)."""
        limit = self.settings.max_body
        if limit <= 0 or response.status_code != 200:
            return None
        content_type = response.headers.get("content-type", "").lower()
        if content_type and "html" not in content_type:
            return None
        coding = response.headers.get("content-encoding", "identity").lower().strip()
        if coding in ("gzip", "x-gzip"):
            decoder: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            decoder = zlib.decompressobj()
        elif coding in ("identity", ""):
            decoder = None
        else:
            return None
        out = bytearray()
        raw_seen = 0
        async for chunk in response.aiter_raw():
            raw_seen += len(chunk)
            if decoder is None:
                out += chunk
            else:
                try:
                    out += decoder.decompress(chunk, limit - len(out) + 1)
                except zlib.error:
                    return bytes(out)
                if decoder.unconsumed_tail and len(out) > limit:
                    break
            if len(out) >= limit or raw_seen >= 4 * limit or b"</title" in out[-4096 - len(chunk) :]:
                break
        return bytes(out[:limit])


def _is_home(original: str, final: str) -> bool:
    before = urlsplit(original)
    after = urlsplit(final)
    deep = before.path.rstrip("/") not in ("",) or bool(before.query)
    return deep and after.path.lower() in _HOME_PATHS and not after.query
