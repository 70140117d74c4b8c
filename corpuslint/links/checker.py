"""The async link checker: each unique URL is requested once, politely and within limits.

Requests go through `http11`, a minimal HTTP/1.1 client on asyncio (HEAD and GET, bounded
bodies): at a few thousand URLs a general client's layers cost more CPU than the questions.
`Pool` resolves names itself, applies the address policy to every address, connects to the
address it checked and keeps connections alive per origin.

Limits: `max_concurrency` requests in flight overall, `max_per_host` per host, and an optional
minimum interval between request starts to one host. A task waits for its host's slot before it
takes a global one, so a crowd of URLs of one slow host never holds the global slots idle.

`timeout` bounds the whole check of one URL: all its requests (redirect hops, the GET after a
refused HEAD, retries) together, time spent waiting for a free slot or a back-off excepted.
`connect_timeout` bounds opening one connection and `read_timeout` the silence between two reads.
"""

from __future__ import annotations

import asyncio
import errno
import random
import re
import socket
import ssl
import time
import zlib
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import SplitResult, urljoin, urlsplit

from corpuslint.citations import page_titles
from corpuslint.links import http11, policy
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
        retry_limit: int | None = None,
        unavailable: bool = False,
        hard: bool = False,
    ) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message
        self.retry = retry
        self.retry_limit = retry_limit  # at most this many retries, whatever `retries` says
        self.unavailable = unavailable
        self.hard = hard


class Blocked(Exception):
    """The target resolves to an address the policy excludes."""


# Error classification --------------------------------------------------------------------------

_UNREACHABLE = {
    errno.ENETUNREACH,
    errno.ENETDOWN,
    errno.EHOSTUNREACH,
    errno.EADDRNOTAVAIL,
    errno.EAFNOSUPPORT,
}
_GAI_NONAME = {
    getattr(socket, n) for n in ("EAI_NONAME", "EAI_NODATA", "EAI_ADDRFAMILY") if hasattr(socket, n)
}
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
            return LinkError(
                BROKEN, f"DNS lookup failed: {cause.strerror or 'no such host'}", unavailable=True
            )
        if isinstance(cause, ssl.SSLCertVerificationError):
            return LinkError(BROKEN, f"TLS certificate not trusted: {cause.verify_message or cause.reason}")
        if isinstance(cause, ssl.SSLError):
            return LinkError(BROKEN, f"TLS error: {cause.reason or cause}")
        if isinstance(cause, ConnectionRefusedError):
            # deterministic as a rule (nothing listens there): one more try covers a restart
            return LinkError(BROKEN, "connection refused", retry=True, retry_limit=1)
        if isinstance(cause, ConnectionResetError):
            return LinkError(BROKEN, "connection reset by the server", retry=True)
        if isinstance(cause, OSError) and cause.errno in _UNREACHABLE:
            return LinkError(
                BROKEN, f"cannot connect: {cause.strerror or cause}", unavailable=True, hard=True
            )
    if isinstance(exc, http11.Deadline):
        if exc.what == "connect":
            return LinkError(TIMEOUT, "timed out connecting")
        if exc.what == "read":
            return LinkError(TIMEOUT, "timed out waiting for the server")
        return LinkError(TIMEOUT, "timed out: no complete answer within the time limit")
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):
        return LinkError(TIMEOUT, "timed out waiting for the server")
    if isinstance(exc, http11.ServerDisconnected):
        return LinkError(BROKEN, "protocol error: server closed the connection", retry=True)
    if isinstance(exc, http11.ProtocolError):
        return LinkError(BROKEN, f"protocol error: {exc}")
    if isinstance(exc, OSError):
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


class Pool:
    """Connections to checked addresses, kept alive per (scheme, host, port).

    Resolves a name once per run, drops addresses the policy excludes and connects to an address
    it checked (no second lookup that could answer differently). Idle connections wait in a free
    list per origin; the checker already bounds requests per host with its own semaphore, so no
    pool-wide bookkeeping is needed. Idle connections are capped overall (oldest closed first) so
    thousands of hosts do not exhaust file descriptors.
    """

    KEEPALIVE = 30.0

    def __init__(self, settings: LinkSettings, resolver: Resolver | None = None) -> None:
        self._settings = settings
        self._ssl: ssl.SSLContext | None = None  # made on the first https URL (loading CAs costs)
        self._resolver = resolver or system_resolver
        self._allow_private = settings.allow_private
        self._lookups: dict[tuple[str, int], asyncio.Future[list[str]]] = {}
        self._idle: dict[tuple[bytes, bytes, int], list[http11.Connection]] = {}
        self._idle_order: dict[http11.Connection, tuple[bytes, bytes, int]] = {}
        self._idle_cap = max(2 * settings.max_concurrency, 16)

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

    async def open(self, scheme: bytes, host: str, port: int, deadline: float) -> http11.Connection:
        addresses = await self._addresses(host, port)
        if not self._allow_private:
            allowed = [a for a in addresses if not policy.address_blocked(a)]
            if not allowed and addresses:
                raise Blocked(f"{host} resolves to a private or local address ({addresses[0]})")
            addresses = allowed
        if not addresses:
            raise LinkError(BROKEN, f"DNS lookup failed: no address for {host}", unavailable=True)
        settings = self._settings
        loop = asyncio.get_running_loop()
        last: BaseException | None = None
        tls = scheme == b"https"
        if tls and self._ssl is None:
            self._ssl = _ssl_context(settings)
        for address in addresses[:3]:
            timeout = min(settings.connect_timeout, deadline - loop.time())
            if timeout <= 0:
                raise http11.Deadline("deadline")
            try:
                return await http11.connect(
                    address,
                    port,
                    ssl_context=self._ssl if tls else None,
                    server_hostname=host if tls else None,
                    timeout=timeout,
                    read_timeout=settings.read_timeout,
                )
            except (asyncio.TimeoutError, TimeoutError):
                what = "connect" if timeout >= settings.connect_timeout else "deadline"
                raise http11.Deadline(what) from None
            except ssl.SSLError:
                raise
            except OSError as exc:
                last = exc
        assert last is not None
        raise last

    def take(self, key: tuple[bytes, bytes, int]) -> http11.Connection | None:
        idle = self._idle.get(key)
        if not idle:
            return None
        now = asyncio.get_running_loop().time()
        while idle:
            connection = idle.pop()
            self._idle_order.pop(connection, None)
            if connection.usable() and now - connection.idle_since < self.KEEPALIVE:
                return connection
            connection.close()
        return None

    def release(self, key: tuple[bytes, bytes, int], connection: http11.Connection) -> None:
        if not connection.usable():
            connection.close()
            return
        connection.idle_since = asyncio.get_running_loop().time()
        self._idle.setdefault(key, []).append(connection)
        self._idle_order[connection] = key
        while len(self._idle_order) > self._idle_cap:
            oldest, oldest_key = next(iter(self._idle_order.items()))
            del self._idle_order[oldest]
            self._idle[oldest_key].remove(oldest)
            oldest.close()

    def close(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
        self._idle_order.clear()


# URLs ------------------------------------------------------------------------------------------------

_REASONS = {status.value: status.phrase for status in HTTPStatus}
_HOST_CHARS = re.compile(r"[a-z0-9._~!$&'()*+,;=%-]+")
_ENCODE = re.compile(r"[^\x21-\x7e]|[\"<>`{}]")  # what a request target cannot carry as it is


def _encode_target(text: str) -> bytes:
    """Percent-encode (as UTF-8) what may not stand in a request target; keep the rest as
    written, existing escapes included (as browsers and httpx do)."""
    if _ENCODE.search(text):
        text = _ENCODE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), text)
    return text.encode("ascii")


def _ascii_host(host: str) -> str:
    if host.isascii():
        return host
    try:
        import idna

        return idna.encode(host, uts46=True).decode("ascii")
    except ImportError:  # pragma: no cover - idna comes with most installs; the codec is IDNA 2003
        return host.encode("idna").decode("ascii")
    except Exception as exc:  # idna.IDNAError and friends
        raise ValueError(f"invalid international domain name {host!r}: {exc}") from None


class Target:
    """What a request needs of a URL: scheme, host (IDNA-encoded), port, request target, Host."""

    __slots__ = ("scheme", "host", "ascii_host", "port", "target", "netloc")

    def __init__(
        self, scheme: bytes, host: str, ascii_host: str, port: int, target: bytes, netloc: bytes
    ) -> None:
        self.scheme = scheme
        self.host = host  # as written, lowercased (for the address policy and per-host limits)
        self.ascii_host = ascii_host
        self.port = port
        self.target = target
        self.netloc = netloc

    @classmethod
    def of(cls, parts: SplitResult, port: int | None) -> Target:
        scheme = parts.scheme.lower()
        host = parts.hostname or ""
        ascii_host = _ascii_host(host)
        ipv6 = ":" in ascii_host
        if ipv6:
            if policy.parse_ip(ascii_host) is None:
                raise ValueError(f"invalid IPv6 address {host!r}")
        elif not _HOST_CHARS.fullmatch(ascii_host):
            raise ValueError(f"invalid host {host!r}")
        default = 443 if scheme == "https" else 80
        shown = f"[{ascii_host}]" if ipv6 else ascii_host
        if port is not None and port != default:
            shown += f":{port}"
        path = parts.path or "/"
        target = _encode_target(path + ("?" + parts.query if parts.query else ""))
        return cls(scheme.encode(), host, ascii_host, port or default, target, shown.encode("ascii"))


# The checker ---------------------------------------------------------------------------------------

HEAD_FALLBACK = {400, 403, 404, 405, 406, 409, 410, 501}  # statuses servers give HEAD alone: ask with GET
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_SOFT404_TITLE = re.compile(
    r"(?<!\d)404(?!\d)|not\s*found|no\s+longer\s+available|页面不存在|页面未找到|找不到(该)?页面|网页不存在|"
    r"页面已删除|文章不存在|内容不存在|您访问的页面",
    re.IGNORECASE,
)
_HOME_PATHS = {
    "",
    "/",
    "/index.html",
    "/index.htm",
    "/index.php",
    "/home",
    "/en",
    "/en/",
    "/zh",
    "/zh-cn",
    "/cn",
}


@dataclass
class _Exchange:
    status: int
    location: str | None
    retry_after: float | None
    title: str | None
    titles: tuple[str, ...] | None = None


class _Budget:
    """What is left of `timeout` for one URL: every request of its check draws on it."""

    __slots__ = ("left",)

    def __init__(self, seconds: float) -> None:
        self.left = seconds


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    import email.utils  # only for the rare HTTP-date form

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


_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)


def _charset(content_type: str) -> str | None:
    match = _CHARSET.search(content_type)
    return match.group(1) if match else None


def _header_block(settings: LinkSettings) -> bytes:
    """The request headers every request carries (after Host), prebuilt once."""
    headers = {
        "user-agent": ("User-Agent", settings.user_agent),
        "accept": ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
        "accept-encoding": ("Accept-Encoding", "gzip, deflate"),  # the only codings decoded here, bounded
        "accept-language": ("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8"),
    }
    for name, value in settings.headers.items():
        if name.lower() in ("host", "content-length", "transfer-encoding", "connection"):
            continue  # framing is this client's business
        headers[name.lower()] = (name, value)
    lines = []
    for name, value in headers.values():
        if any(c in value for c in "\r\n\0"):
            raise ValueError(f"links.headers: the value of {name!r} contains a line break")
        lines.append(f"{name}: {value}\r\n")
    return "".join(lines).encode("latin-1", "replace")


class Checker:
    """Checks URLs. Use as `async with Checker(settings) as checker: await checker.check_all(urls)`."""

    def __init__(
        self,
        settings: LinkSettings,
        *,
        resolver: Resolver | None = None,
        on_result: Callable[[LinkResult], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self._on_result = on_result
        self._sleep = sleep
        self._excludes = [re.compile(p) for p in settings.exclude]
        self._pool = Pool(settings, resolver)
        self._headers = _header_block(settings)
        self._global = asyncio.Semaphore(settings.max_concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._last_start: dict[str, float] = {}
        self.requests = 0
        self.title_urls: set[str] = set()  # GET these (not HEAD) and keep their titles (CT001)

    async def __aenter__(self) -> Checker:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._pool.close()

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
        # A window of tasks; each one that ends starts the next. (asyncio.wait over the window
        # would walk every pending task at each completion.)
        results: dict[str, LinkResult] = {}
        window = max(256, 8 * self.settings.max_concurrency)
        loop = asyncio.get_running_loop()
        finished: asyncio.Future[None] = loop.create_future()
        running: set[asyncio.Task[LinkResult]] = set()
        iterator = iter(order)

        def start_next() -> bool:
            url = next(iterator, None)
            if url is None:
                return False
            task = loop.create_task(self.check(url))
            running.add(task)
            task.add_done_callback(on_done)
            return True

        def on_done(task: asyncio.Task[LinkResult]) -> None:
            running.discard(task)
            if finished.done():
                return
            if task.cancelled():
                finished.cancel()
                return
            error = task.exception()
            if error is not None:
                finished.set_exception(error)
                return
            result = task.result()
            results[result.url] = result
            try:
                if self._on_result is not None:
                    self._on_result(result)
                start_next()
            except Exception as exc:  # noqa: BLE001 - a callback's error ends the run, not the loop
                finished.set_exception(exc)
                return
            if not running:
                finished.set_result(None)

        for _ in range(window):
            if not start_next():
                break
        if not running:
            return results
        try:
            await finished
        finally:
            for task in list(running):
                task.cancel()
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
        return self._precheck(url)[0]

    def _precheck(self, url: str) -> tuple[LinkResult | None, Target | None]:
        stripped = url.strip()
        for pattern in self._excludes:
            if pattern.search(stripped):
                return LinkResult(url, SKIPPED, "excluded by links.exclude"), None
        scheme = stripped.split(":", 1)[0].lower() if ":" in stripped else ""
        if scheme in ("mailto", "file", "tel", "data", "javascript", "ftp", "news", "irc", "sms"):
            return LinkResult(url, SKIPPED, f"{scheme}: links are not fetched"), None
        if scheme not in ("http", "https"):
            return LinkResult(url, MALFORMED, f"not an http(s) URL: {url!r}"), None
        if any(c.isspace() for c in stripped):
            return LinkResult(url, MALFORMED, f"URL contains whitespace: {url!r}"), None
        try:
            parts = urlsplit(stripped)
        except ValueError as exc:
            return LinkResult(url, MALFORMED, f"malformed URL: {exc}"), None
        if not parts.hostname:
            return LinkResult(url, MALFORMED, f"URL has no host: {url!r}"), None
        try:
            port = parts.port
        except ValueError:
            port = -1
        if port is not None and not 0 < port < 65536:
            return LinkResult(url, MALFORMED, f"URL has an invalid port: {url!r}"), None
        try:
            parsed = Target.of(parts, port)
        except ValueError as exc:
            return LinkResult(url, MALFORMED, f"malformed URL: {exc}"), None
        if not self.settings.allow_private:
            reason = policy.host_blocked_reason(parsed.host)
            if reason:
                return LinkResult(url, SKIPPED, f"not checked: {reason}"), None
        return None, parsed

    async def check(self, url: str) -> LinkResult:
        early, parsed = self._precheck(url)
        if early is not None:
            return early
        assert parsed is not None
        budget = _Budget(self.settings.timeout)
        try:
            return await self._follow(url, parsed, budget)
        except Blocked as exc:
            return LinkResult(url, SKIPPED, f"not checked: {exc}")
        except LinkError as exc:
            message = exc.message
            if exc.outcome == TIMEOUT and budget.left <= 0:
                limit = self.settings.timeout
                message = f"timed out: no complete answer within {limit:g} s (redirects included)"
            return LinkResult(
                url, exc.outcome, message, unavailable=exc.unavailable, hard_unavailable=exc.hard
            )

    async def _follow(self, url: str, parsed: Target, budget: _Budget) -> LinkResult:
        settings = self.settings
        current = url.strip()
        seen = {current}
        permanent_to: str | None = None
        all_permanent = True
        redirected = False
        requests = 0
        for _hop in range(settings.max_redirects + 1):
            method = "HEAD" if settings.method == "head" and url not in self.title_urls else "GET"
            exchange, used = await self._attempts(parsed, method, budget)
            requests += used
            if method == "HEAD" and exchange.status in HEAD_FALLBACK:
                exchange, used = await self._attempts(parsed, "GET", budget)
                requests += used
            status = exchange.status
            if status in (301, 302, 303, 307, 308) and exchange.location:
                target = urljoin(current, exchange.location.strip())
                if target in seen:
                    return LinkResult(
                        url, BROKEN, f"redirect loop at {target}", status=status, requests=requests
                    )
                if all_permanent and status in (301, 308):
                    permanent_to = target
                else:
                    all_permanent = False
                redirected = True
                seen.add(target)
                early, next_parsed = self._precheck(target)
                if early is not None:
                    if early.outcome == SKIPPED:
                        return LinkResult(
                            url, SKIPPED, f"redirects to {target}, {early.message}", requests=requests
                        )
                    return LinkResult(
                        url, BROKEN, f"redirects to a bad URL: {early.message}", requests=requests
                    )
                assert next_parsed is not None
                current, parsed = target, next_parsed
                continue
            break
        else:
            return LinkResult(
                url, BROKEN, f"too many redirects (more than {settings.max_redirects})", requests=requests
            )
        where = f" (after redirects to {current})" if redirected else ""
        if not settings.accepts(status):
            reason = _REASONS.get(status, "unexpected status")
            return LinkResult(url, BROKEN, f"HTTP {status} {reason}{where}", status=status, requests=requests)
        if redirected and _is_home(url, current):
            return LinkResult(
                url,
                SOFT404,
                f"likely soft 404: redirects to the home page {current}",
                status=status,
                requests=requests,
            )
        if exchange.title is not None and _SOFT404_TITLE.search(exchange.title):
            title = " ".join(exchange.title.split())[:80]
            return LinkResult(
                url,
                SOFT404,
                f"likely soft 404: HTTP {status} page titled {title!r}{where}",
                status=status,
                requests=requests,
            )
        if permanent_to is not None:
            return LinkResult(
                url,
                PERMANENT,
                f"permanent redirect to {permanent_to}",
                status=status,
                new_url=permanent_to,
                requests=requests,
                titles=exchange.titles,
            )
        return LinkResult(url, OK, "", status=status, requests=requests, titles=exchange.titles)

    async def _attempts(self, url: Target, method: str, budget: _Budget) -> tuple[_Exchange, int]:
        """One exchange with retries for connection errors, 5xx and 429."""
        settings = self.settings
        host = url.host
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            attempt += 1
            error: LinkError | None = None
            exchange: _Exchange | None = None
            async with self._host_slot(host):
                await self._polite_start(host)
                async with self._global:
                    self.requests += 1
                    started = loop.time()
                    try:
                        exchange = await self._exchange(url, method, started + budget.left)
                    except (Blocked, LinkError) as exc:
                        if isinstance(exc, Blocked) or not exc.retry:
                            budget.left -= loop.time() - started
                            raise
                        error = exc
                    except Exception as exc:  # noqa: BLE001 - every failure is classified
                        error = classify(exc)
                    budget.left -= loop.time() - started
            retries = settings.retries
            if error is not None and error.retry_limit is not None:
                retries = min(retries, error.retry_limit)
            last = attempt > retries or budget.left <= 0
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

    async def _exchange(self, url: Target, method: str, deadline: float) -> _Exchange:
        """One request and its answer, within `deadline` (event-loop time)."""
        scheme = url.scheme
        host = url.ascii_host
        port = url.port
        key = (scheme, host, port)
        head = b"%s %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (
            method.encode(),
            url.target,
            url.netloc,
            self._headers,
        )
        pool = self._pool
        connection = pool.take(key)
        reused = connection is not None
        if connection is None:
            connection = await pool.open(scheme, host, port, deadline)
        release = False
        try:
            connection.request(head)
            try:
                response = await connection.response(method, deadline)
            except (http11.ServerDisconnected, ConnectionResetError, BrokenPipeError):
                if reused and not connection.received:
                    # the server dropped a kept-alive connection: once more on a new one
                    connection.abort()
                    connection = await pool.open(scheme, host, port, deadline)
                    connection.request(head)
                    response = await connection.response(method, deadline)
                else:
                    raise
            headers = response.headers
            title = None
            titles = None
            if method == "GET":
                body = await self._read_body(connection, response, deadline)
                if self.title_urls:
                    titles = page_titles(body, headers.get("content-type"))
                if body is not None:
                    match = _TITLE.search(body)
                    if match:
                        encoding = _charset(headers.get("content-type", "")) or "utf-8"
                        try:
                            title = match.group(1)[:1000].decode(encoding, "replace")
                        except LookupError:
                            title = match.group(1)[:1000].decode("utf-8", "replace")
            if not response.done:
                await self._drain(connection, response, deadline)
            release = response.done and response.keep_alive
            return _Exchange(
                response.status,
                headers.get("location"),
                parse_retry_after(headers.get("retry-after")),
                title,
                titles,
            )
        finally:
            if release:
                pool.release(key, connection)
            else:
                connection.abort()

    async def _drain(self, connection: http11.Connection, response: http11.Response, deadline: float) -> None:
        """Read a small body to its end, so the connection can be used again."""
        limit = self.settings.max_body
        if response.framing == "close" or (response.framing == "length" and response.remaining > limit):
            return  # unknown end or large: closing the connection is cheaper than reading it
        read = 0

        def sink(chunk: bytes) -> bool:
            nonlocal read
            read += len(chunk)
            return read > limit

        await connection.read_body(response, sink, deadline)

    async def _read_body(
        self, connection: http11.Connection, response: http11.Response, deadline: float
    ) -> bytes | None:
        """At most max_body bytes of an HTML body, decompressed with a bound (no gzip bomb)."""
        limit = self.settings.max_body
        if limit <= 0 or response.status != 200:
            return None
        headers = response.headers
        content_type = headers.get("content-type", "").lower()
        if content_type and "html" not in content_type:
            return None
        coding = headers.get("content-encoding", "identity").lower().strip()
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
        broken = False

        def sink(chunk: bytes) -> bool:
            nonlocal raw_seen, broken
            raw_seen += len(chunk)
            if decoder is None:
                out.extend(chunk)
            else:
                try:
                    out.extend(decoder.decompress(chunk, limit - len(out) + 1))
                except zlib.error:
                    broken = True
                    return True
                if decoder.unconsumed_tail and len(out) > limit:
                    return True
            return len(out) >= limit or raw_seen >= 4 * limit or b"</title" in out[-4096 - len(chunk) :]

        await connection.read_body(response, sink, deadline)
        return bytes(out[:limit])


def _is_home(original: str, final: str) -> bool:
    before = urlsplit(original)
    after = urlsplit(final)
    deep = before.path.rstrip("/") not in ("",) or bool(before.query)
    return deep and after.path.lower() in _HOME_PATHS and not after.query
