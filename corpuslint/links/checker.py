"""The async link checker: each unique URL is requested once, politely and within limits.

Requests go through httpx (`client.LinkClient`: HTTP/1.1 and HTTP/2, proxies, cookies, the
system's CAs) over `net.PinnedBackend`, which resolves names itself, applies the address policy
to every address and connects to the address it checked. Redirects are followed here, hop by
hop, so every hop is checked again and permanent moves, loops and soft 404s are seen.

Limits: `max_concurrency` requests in flight overall, `max_per_host` per host, and an optional
minimum interval between request starts to one host. A task waits for its host's slot before it
takes a global one, so a crowd of URLs of one slow host never holds the global slots idle.

`timeout` bounds the whole check of one URL: the name's lookup, connects, TLS, every request
(redirect hops, the GET after a refused HEAD, retries) and the back-off sleeps between them;
only the time spent waiting for a free slot is not counted. A Retry-After longer than what is
left ends the check at once as LK002. `connect_timeout` bounds opening one connection and
`read_timeout` the silence between two reads.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Awaitable, Callable, Iterable
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import httpx

from corpuslint.links import policy
from corpuslint.links.client import LinkClient
from corpuslint.links.exchange import Exchange, request_headers, send
from corpuslint.links.fragments import fragment_of, wants_fragment_check
from corpuslint.links.net import Blocked, PinnedBackend, Resolver, system_resolver
from corpuslint.links.outcomes import (
    BROKEN,
    CAUSE_PROXY,
    MALFORMED,
    OK,
    PERMANENT,
    SKIPPED,
    SOFT404,
    TIMEOUT,
    TIMEOUTS,
    LinkError,
    LinkResult,
    classify,
    parse_retry_after,
    within,
)
from corpuslint.links.schedule import interleaved_by_host, run_window
from corpuslint.links.settings import LinkSettings

__all__ = [
    "BROKEN",
    "MALFORMED",
    "OK",
    "PERMANENT",
    "SKIPPED",
    "SOFT404",
    "TIMEOUT",
    "Checker",
    "LinkError",
    "LinkResult",
    "classify",
    "parse_retry_after",
    "system_resolver",
]

_REASONS = {status.value: status.phrase for status in HTTPStatus}
_HOST_CHARS = re.compile(r"[a-z0-9._~!$&'()*+,;=%-]+")
_SPACE = re.compile(r"\s")  # what str.isspace says (both are Py_UNICODE_ISSPACE), in one call
HEAD_FINAL = {404, 410}  # a HEAD answer believed; any other error is asked again with GET
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


class _Budget:
    """What is left of `timeout` for one URL: every request and sleep of its check draws on it."""

    __slots__ = ("left",)

    def __init__(self, seconds: float) -> None:
        self.left = seconds


class Checker:
    """Checks URLs. Use as `async with Checker(settings) as checker: await checker.check_all(urls)`."""

    def __init__(
        self,
        settings: LinkSettings,
        *,
        resolver: Resolver | None = None,
        on_result: Callable[[LinkResult], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        pools: str = "slot",
    ) -> None:
        self.settings = settings
        self._pools = pools  # client.POOLS: "origin" and "shared" are for bench/links/run.py
        self._on_result = on_result
        self._sleep = sleep
        self._excludes = [re.compile(p) for p in settings.exclude]
        self.backend = PinnedBackend(resolver, settings.allow_private)
        self._header_values = request_headers(settings)
        self._client: LinkClient | None = None
        self._h2_client: LinkClient | None = None  # HTTP/2 with prior knowledge, made when needed
        self._h2_origins: set[tuple[str, str, int]] = set()
        self._global = asyncio.Semaphore(settings.max_concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._last_start: dict[str, float] = {}
        self._setup_error: str | None = None
        self._environment = True  # proxies from the environment (False once they proved unusable)
        self.requests = 0
        self.title_urls: set[str] = set()  # GET these (not HEAD) and keep their titles (CT001)

    async def __aenter__(self) -> Checker:
        try:
            self._client = self._new_client()
        except (ValueError, httpx.InvalidURL) as exc:  # e.g. HTTP_PROXY=ftp://...: every check says so
            self._setup_error = f"the proxy configuration is not usable: {exc}"
            self._environment = False
            self._client = self._new_client()
        return self

    def _new_client(self, http1: bool = True) -> LinkClient:
        return LinkClient(
            self.settings,
            self.backend,
            http1=http1,
            headers=self._header_values,
            pools=self._pools,
            environment=self._environment,
        )

    async def __aexit__(self, *exc: object) -> None:
        for client in (self._client, self._h2_client):
            if client is not None:
                await client.aclose()

    @property
    def client(self) -> LinkClient:
        if self._client is None:
            raise RuntimeError("use the Checker as `async with Checker(...) as checker`")
        return self._client

    # --- scheduling ---------------------------------------------------------------------------

    async def check_all(self, urls: Iterable[str]) -> dict[str, LinkResult]:
        """Check every URL once. Hosts are interleaved and at most a window of tasks exists."""
        import sniffio

        # httpcore and anyio ask sniffio which event loop runs at every lock and cancel scope;
        # said once here, every check task (created from this context) is answered at once
        sniffio.current_async_library_cvar.set("asyncio")
        window = max(256, 8 * self.settings.max_concurrency)
        return await run_window(interleaved_by_host(urls), self.check, self._on_result, window)

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

    def _precheck(self, url: str) -> tuple[LinkResult | None, httpx.URL | None]:
        stripped = url.strip()
        for pattern in self._excludes:
            if pattern.search(stripped):
                return LinkResult(url, SKIPPED, "excluded by links.exclude"), None
        scheme = stripped.split(":", 1)[0].lower() if ":" in stripped else ""
        if scheme in ("mailto", "file", "tel", "data", "javascript", "ftp", "news", "irc", "sms"):
            return LinkResult(url, SKIPPED, f"{scheme}: links are not fetched"), None
        if scheme not in ("http", "https"):
            return LinkResult(url, MALFORMED, f"not an http(s) URL: {url!r}"), None
        if _SPACE.search(stripped):
            return LinkResult(url, MALFORMED, f"URL contains whitespace: {url!r}"), None
        try:
            parts = urlsplit(stripped)
            port = parts.port
        except ValueError as exc:
            text = str(exc)
            if "port" in text.lower():
                return LinkResult(url, MALFORMED, f"URL has an invalid port: {url!r}"), None
            return LinkResult(url, MALFORMED, f"malformed URL: {text}"), None
        if not parts.hostname:
            return LinkResult(url, MALFORMED, f"URL has no host: {url!r}"), None
        if port is not None and not 0 < port < 65536:
            return LinkResult(url, MALFORMED, f"URL has an invalid port: {url!r}"), None
        try:
            parsed = httpx.URL(stripped)
        except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
            return LinkResult(url, MALFORMED, f"malformed URL: {exc}"), None
        host = parsed.host
        if ":" in host:
            if policy.parse_ip(host) is None:
                return LinkResult(url, MALFORMED, f"malformed URL: invalid IPv6 address {host!r}"), None
        elif not _HOST_CHARS.fullmatch(parsed.raw_host.decode("ascii", "replace")):
            return LinkResult(url, MALFORMED, f"malformed URL: invalid host {parts.hostname!r}"), None
        if not self.settings.allow_private:
            reason = policy.host_blocked_reason(parts.hostname)
            if reason:
                return LinkResult(url, SKIPPED, f"not checked: {reason}"), None
        return None, parsed

    async def check(self, url: str) -> LinkResult:
        early, parsed = self._precheck(url)
        if early is not None:
            return early
        assert parsed is not None
        if self._setup_error:
            error = self._setup_error
            return LinkResult(url, BROKEN, error, unavailable=True, hard_unavailable=True, cause=CAUSE_PROXY)
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
                url,
                exc.outcome,
                message,
                unavailable=exc.unavailable,
                hard_unavailable=exc.hard,
                cause=exc.cause,
            )

    def _method(self, url: str, fragment: str | None) -> str:
        if self.settings.method == "get" or url in self.title_urls or fragment is not None:
            return "GET"
        return "HEAD"

    async def _follow(self, url: str, parsed: httpx.URL, budget: _Budget) -> LinkResult:
        settings = self.settings
        current = url.strip()
        fragment = fragment_of(current) if settings.fragments and wants_fragment_check(current) else None
        seen = {current}
        permanent_to: str | None = None
        all_permanent = True
        redirected = False
        requests = 0
        method = self._method(url, fragment)
        for _hop in range(settings.max_redirects + 1):
            try:
                exchange, used = await self._attempts(parsed, method, budget, fragment is not None)
            except LinkError as exc:
                if method != "HEAD" or not (exc.protocol or "reset" in exc.message):
                    raise
                exchange, used = await self._attempts(
                    parsed, "GET", budget, False
                )  # HEAD failed: ask with GET
            requests += used
            if method == "HEAD" and exchange.status >= 400 and exchange.status not in HEAD_FINAL:
                if exchange.status != 429:  # rate limited: retried as it was asked, not with GET
                    exchange, used = await self._attempts(parsed, "GET", budget, False)
                    requests += used
            status = exchange.status
            if status in (301, 302, 303, 307, 308) and exchange.location:
                target = urljoin(current, exchange.location.strip())
                if target in seen and not exchange.sets_cookie:
                    return LinkResult(
                        url, BROKEN, f"redirect loop at {target}", status=status, requests=requests
                    )
                if all_permanent and status in (301, 308) and target.split("#")[0] != current.split("#")[0]:
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
        return self._verdict(url, current, redirected, exchange, requests, permanent_to, fragment)

    def _verdict(
        self,
        url: str,
        current: str,
        redirected: bool,
        exchange: Exchange,
        requests: int,
        permanent_to: str | None,
        fragment: str | None,
    ) -> LinkResult:
        status = exchange.status
        where = f" (after redirects to {current})" if redirected else ""
        if not self.settings.accepts(status):
            reason = _REASONS.get(status, "unexpected status")
            return LinkResult(url, BROKEN, f"HTTP {status} {reason}{where}", status=status, requests=requests)
        if redirected and _is_home(url, current):
            message = f"likely soft 404: redirects to the home page {current}"
            return LinkResult(url, SOFT404, message, status=status, requests=requests)
        if exchange.title is not None and _SOFT404_TITLE.search(exchange.title):
            title = " ".join(exchange.title.split())[:80]
            message = f"likely soft 404: HTTP {status} page titled {title!r}{where}"
            return LinkResult(url, SOFT404, message, status=status, requests=requests)
        if fragment is not None and exchange.anchors is not None and fragment not in exchange.anchors:
            message = f"fragment #{fragment} not found on the page{where}"
            return LinkResult(url, BROKEN, message, status=status, requests=requests)
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

    async def _attempts(
        self, url: httpx.URL, method: str, budget: _Budget, anchors: bool
    ) -> tuple[Exchange, int]:
        """One exchange with retries for connection errors, 5xx and 429, within the budget."""
        settings = self.settings
        host = url.host
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            attempt += 1
            error: LinkError | None = None
            exchange: Exchange | None = None
            async with self._host_slot(host):
                await self._polite_start(host)
                async with self._global:
                    self.requests += 1
                    started = loop.time()
                    try:
                        if budget.left <= 0:
                            raise TimeoutError
                        exchange = await within(budget.left, self._exchange(url, method, anchors))
                    except Blocked:
                        budget.left -= loop.time() - started
                        raise
                    except TIMEOUTS:
                        error = LinkError(TIMEOUT, "timed out waiting for the server")
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
                # a HEAD answered 5xx is asked with GET at once, unless the server said when to come back
                server_error = 500 <= exchange.status <= 599 and (
                    method != "HEAD" or exchange.retry_after is not None
                )
                if last or not (exchange.status == 429 or server_error):
                    return exchange, attempt
                if exchange.retry_after is not None:
                    delay = min(exchange.retry_after, settings.retry_after_cap)
                    if delay >= budget.left:
                        raise LinkError(
                            TIMEOUT,
                            f"HTTP {exchange.status}: the server asks to retry after {exchange.retry_after:g} s "
                            f"(Retry-After), more than the {max(budget.left, 0):.1f} s left of the "
                            f"{settings.timeout:g} s limit",
                        )
                else:
                    delay = self._backoff(attempt)
            if delay >= budget.left:  # a back-off past the deadline: this answer is the last
                if error is not None:
                    raise error
                assert exchange is not None
                return exchange, attempt
            started = loop.time()
            await self._sleep(delay)
            budget.left -= loop.time() - started

    def _backoff(self, attempt: int) -> float:
        base = self.settings.retry_backoff * (2 ** (attempt - 1))
        return base * (0.5 + random.random())

    async def _exchange(self, url: httpx.URL, method: str, anchors: bool) -> Exchange:
        """One request and its answer (HTTP/2 with prior knowledge where HTTP/1.1 was not understood)."""
        origin = (url.scheme, url.host, url.port or 0)
        if origin in self._h2_origins:
            return await self._send(self._prior_knowledge(), url, method, anchors)
        try:
            return await self._send(self.client, url, method, anchors)
        except Exception as exc:
            error = classify(exc)
            if not error.protocol or error.retry:
                raise
            try:
                exchange = await self._send(self._prior_knowledge(), url, method, anchors)
            except Exception:  # noqa: BLE001 - not an HTTP/2 server either: the first error stands
                raise error from exc
            self._h2_origins.add(origin)
            return exchange

    async def _send(self, client: LinkClient, url: httpx.URL, method: str, anchors: bool) -> Exchange:
        return await send(client, url, method, self.settings, titles=bool(self.title_urls), anchors=anchors)

    def _prior_knowledge(self) -> LinkClient:
        if self._h2_client is None:
            self._h2_client = self._new_client(http1=False)
            self._h2_client.cookies = self.client.cookies.jar  # the same jar: one for the run
        return self._h2_client


def _is_home(original: str, final: str) -> bool:
    before = urlsplit(original)
    after = urlsplit(final)
    deep = before.path.rstrip("/") not in ("",) or bool(before.query)
    return deep and after.path.lower() in _HOME_PATHS and not after.query
