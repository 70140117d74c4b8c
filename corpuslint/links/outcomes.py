"""What a link check ends with (`LinkResult`), and failures classified for a user (`classify`).

Free of httpx at import time: the cache and the phase use these names without the client.
"""

from __future__ import annotations

import errno
import socket
import sys
import time
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
# asyncio and ssl are imported where used: a run answered by the link cache needs neither
if sys.version_info >= (3, 11):
    TIMEOUTS: tuple[type[BaseException], ...] = (TimeoutError,)  # asyncio.TimeoutError is TimeoutError
else:  # pragma: no cover - Python 3.10
    import asyncio

    TIMEOUTS = (TimeoutError, asyncio.TimeoutError)


async def within(seconds: float, awaitable: Awaitable[T]) -> T:
    """`awaitable`, cancelled after `seconds` (TimeoutError, or asyncio.TimeoutError on 3.10)."""
    import asyncio

    if sys.version_info >= (3, 11):
        async with asyncio.timeout(seconds):
            return await awaitable
    return await asyncio.wait_for(awaitable, seconds)  # pragma: no cover - Python 3.10


OK = "ok"
BROKEN = "LK001"
TIMEOUT = "LK002"
PERMANENT = "LK003"
MALFORMED = "LK004"
SOFT404 = "LK005"
SKIPPED = "skipped"

# why a request never reached a server (LK000 names it)
CAUSE_DNS = "DNS"
CAUSE_ROUTE = "no route"
CAUSE_PROXY = "proxy unreachable"


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
    cause: str | None = None  # CAUSE_* when unavailable
    archived: str | None = None  # --suggest: an archived copy of a dead page

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
        cause: str | None = None,
        protocol: bool = False,
    ) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message
        self.retry = retry
        self.retry_limit = retry_limit  # at most this many retries, whatever `retries` says
        self.unavailable = unavailable
        self.hard = hard
        self.cause = cause
        self.protocol = protocol  # the server spoke something else than HTTP/1.1 expects


class ProxyUnreachable(OSError):
    """The configured proxy could not be connected to."""


_UNREACHABLE = {
    errno.ENETUNREACH,
    errno.ENETDOWN,
    errno.EHOSTUNREACH,
    errno.EADDRNOTAVAIL,
    errno.EAFNOSUPPORT,
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
        found = _classify_os(cause)
        if found is not None:
            return found
    names = {type(c).__name__ for c in causes}
    if "ProxyError" in names:
        message = f"the proxy refused the request: {exc}"
        return LinkError(BROKEN, message, unavailable=True, hard=True, cause=CAUSE_PROXY)
    if "ConnectTimeout" in names:
        return LinkError(TIMEOUT, "timed out connecting")
    if names & {"ReadTimeout", "WriteTimeout", "PoolTimeout"} or isinstance(exc, TIMEOUTS):
        return LinkError(TIMEOUT, "timed out waiting for the server")
    if "RemoteProtocolError" in names:
        text = str(exc)
        if "disconnected without sending" in text.lower():
            return LinkError(
                BROKEN, "protocol error: server closed the connection", retry=True, protocol=True
            )
        return LinkError(BROKEN, f"protocol error: {text or 'not an HTTP answer'}", protocol=True)
    if names & {"LocalProtocolError", "ProtocolError", "DecodingError"}:
        return LinkError(BROKEN, f"protocol error: {exc}", protocol=True)
    if isinstance(exc, OSError):
        return LinkError(BROKEN, f"connection failed: {exc or type(exc).__name__}", retry=True)
    if "ConnectError" in names or "NetworkError" in names:
        return LinkError(BROKEN, f"connection failed: {exc or type(exc).__name__}", retry=True)
    return LinkError(BROKEN, f"request failed: {type(exc).__name__}: {exc}")


def _classify_os(cause: BaseException) -> LinkError | None:
    import ssl

    if isinstance(cause, ProxyUnreachable):
        return LinkError(BROKEN, str(cause), unavailable=True, hard=True, cause=CAUSE_PROXY)
    if isinstance(cause, socket.gaierror):
        hard = cause.errno in _GAI_DOWN
        reason = cause.strerror or "no such host"
        return LinkError(BROKEN, f"DNS lookup failed: {reason}", unavailable=True, hard=hard, cause=CAUSE_DNS)
    if type(cause).__name__ == "NoAddress":
        return LinkError(BROKEN, f"DNS lookup failed: {cause}", unavailable=True, cause=CAUSE_DNS)
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
        message = f"cannot connect: {cause.strerror or cause}"
        return LinkError(BROKEN, message, unavailable=True, hard=True, cause=CAUSE_ROUTE)
    return None


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
