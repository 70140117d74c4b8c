"""A minimal HTTP/1.1 client for the link checker: HEAD and GET, one request at a time per
connection, on an asyncio Protocol.

The checker asks tens of thousands of small questions ("is this URL there?") and needs only
the status, a few headers and at most `max_body` bytes of a page. A general client (httpx over
httpcore over anyio over asyncio streams, with h11 parsing every event) spent about a
millisecond of CPU per request on layers this does not need; here a request is one write of
prebuilt bytes and the answer is parsed with `bytes.split`.

What it does:
  * plain TCP or TLS (`ssl.SSLContext`, SNI from the URL's host) to an address chosen by the
    caller (the checker resolves names itself and pins the address it checked);
  * status line and headers (lenient: `\\n` line ends, folded lines, duplicate headers joined,
    values read as UTF-8 when they are, else Latin-1);
  * bodies framed by Content-Length, chunked transfer coding, or the end of the connection;
    no body for HEAD, 1xx, 204 and 304; 1xx interim answers skipped;
  * keep-alive: a connection whose answer was read to its end, that neither side asked to close,
    goes back to the caller's free list;
  * every wait for the network is bounded by a deadline the caller passes (and by the read
    timeout between two reads); reads pause the socket when a buffer grows past 256 KiB, so a
    server sending fast cannot fill memory.

What it does not do: proxies, HTTP/2, request bodies, pipelining, cookies, redirects (the
checker follows them itself, hop by hop, checking each target against its policy).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable

_HIGH_WATER = 256 * 1024
MAX_HEAD = 64 * 1024  # status line and headers together


class ProtocolError(Exception):
    """The server's answer is not HTTP/1.x as this client reads it."""


class ServerDisconnected(ProtocolError):
    """The connection ended before a complete answer (`received`: whether any byte came)."""

    def __init__(self, message: str, received: bool) -> None:
        super().__init__(message)
        self.received = received


class Deadline(Exception):
    """A wait for the network went past the caller's deadline (`what`: which wait)."""

    def __init__(self, what: str, read_timeout: bool = False) -> None:
        super().__init__(what)
        self.what = what
        self.read_timeout = read_timeout  # silence between two reads, not the whole deadline


class Response:
    __slots__ = ("status", "headers", "version", "framing", "remaining", "done", "keep_alive")

    def __init__(self, status: int, headers: dict[str, str], version: bytes) -> None:
        self.status = status
        self.headers = headers
        self.version = version
        self.framing = "none"  # "none", "length", "chunked" or "close"
        self.remaining = 0  # "length": bytes of body left; "chunked": bytes left in this chunk
        self.done = True  # body read to its end
        self.keep_alive = False


def parse_head(head: bytes) -> Response:
    """Status line and header lines (without the blank line that ends them)."""
    lines = head.split(b"\n")
    status_line = lines[0].rstrip(b"\r")
    parts = status_line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or len(parts[1]) != 3 or not parts[1].isdigit():
        raise ProtocolError(f"not an HTTP response: {status_line[:60]!r}")
    headers: dict[str, str] = {}
    last: str | None = None
    for raw in lines[1:]:
        line = raw.rstrip(b"\r")
        if not line:
            continue
        if line[:1] in (b" ", b"\t"):  # obsolete line folding: part of the previous header
            if last is not None:
                headers[last] += " " + line.strip().decode("latin-1")
            continue
        name, sep, value = line.partition(b":")
        if not sep:
            continue  # not a header line: ignored, as browsers do
        key = name.strip().lower().decode("latin-1")
        raw_value = value.strip()
        try:  # servers send raw UTF-8 (a Location with Chinese in it) more often than Latin-1
            text = raw_value.decode("utf-8")
        except UnicodeDecodeError:
            text = raw_value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
        last = key
    return Response(int(parts[1]), headers, parts[0])


class Connection(asyncio.Protocol):
    """One HTTP/1.1 connection. `request()` sends, `response()` reads the head, then the body
    is read with `read_body()` (or not: `close()`)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, read_timeout: float) -> None:
        self._loop = loop
        self._read_timeout = read_timeout
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False
        self.closed = False
        self._error: BaseException | None = None
        self.idle_since = 0.0
        self.received = False  # any byte of the current answer came

    # --- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) > _HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.closed = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._error = exc
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # --- reading --------------------------------------------------------------------------------

    def usable(self) -> bool:
        """Idle, open and with nothing unread: safe to send the next request on."""
        transport = self.transport
        return not self.closed and not self._buffer and transport is not None and not transport.is_closing()

    async def _more(self, deadline: float) -> None:
        """Wait until more bytes came (or the connection ended), within the read timeout and
        the deadline."""
        if self.closed:
            raise self._disconnected()
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        now = self._loop.time()
        if now >= deadline:
            raise Deadline("deadline")
        waiter = self._waiter = self._loop.create_future()
        read_limit = now + self._read_timeout
        at_deadline = deadline <= read_limit
        timer = self._loop.call_at(min(deadline, read_limit), _expire, waiter)
        try:
            await waiter
        except _Expired:
            raise Deadline("deadline" if at_deadline else "read", read_timeout=not at_deadline) from None
        finally:
            timer.cancel()
            self._waiter = None
        if self._buffer:
            self.received = True

    def _disconnected(self) -> BaseException:
        if self._error is not None and not isinstance(self._error, ssl.SSLError):
            if isinstance(self._error, OSError):
                return self._error
        if isinstance(self._error, ssl.SSLError):
            return self._error
        return ServerDisconnected("server closed the connection", self.received)

    def _take(self, n: int) -> bytes:
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data

    async def _line(self, deadline: float, limit: int = 8192) -> bytes:
        while True:
            index = self._buffer.find(b"\n")
            if index >= 0:
                return self._take(index + 1).rstrip(b"\r\n")
            if len(self._buffer) > limit:
                raise ProtocolError("line too long in a chunked body")
            await self._more(deadline)

    # --- one exchange ---------------------------------------------------------------------------

    def request(self, head: bytes) -> None:
        self.received = False
        assert self.transport is not None
        self.transport.write(head)

    async def response(self, method: str, deadline: float) -> Response:
        """Read the status line and headers of the final answer (1xx interim answers skipped)."""
        while True:
            while True:
                end = self._buffer.find(b"\r\n\r\n")
                if end >= 0:
                    head, skip = end, 4
                    break
                end = self._buffer.find(b"\n\n")
                if end >= 0:
                    head, skip = end, 2
                    break
                if len(self._buffer) > MAX_HEAD:
                    raise ProtocolError(f"response headers larger than {MAX_HEAD // 1024} KiB")
                await self._more(deadline)
            if head > MAX_HEAD:
                raise ProtocolError(f"response headers larger than {MAX_HEAD // 1024} KiB")
            response = parse_head(bytes(self._buffer[:head]))
            del self._buffer[: head + skip]
            if 100 <= response.status < 200 and response.status != 101:
                continue
            break
        self._frame(response, method)
        return response

    def _frame(self, response: Response, method: str) -> None:
        headers = response.headers
        connection = headers.get("connection", "").lower()
        keep_alive = response.version == b"HTTP/1.1" and "close" not in connection
        if response.version == b"HTTP/1.0" and "keep-alive" in connection:
            keep_alive = True
        if method == "HEAD" or response.status in (204, 304) or response.status < 200:
            response.framing = "none"
        elif "transfer-encoding" in headers:
            codings = [c.strip().lower() for c in headers["transfer-encoding"].split(",")]
            if codings[-1] == "chunked":
                response.framing = "chunked"
                response.remaining = -1  # a chunk size line comes first
            else:
                response.framing = "close"
                keep_alive = False
        elif "content-length" in headers:
            values = {v.strip() for v in headers["content-length"].split(",")}
            if len(values) != 1 or not next(iter(values)).isdigit():
                raise ProtocolError(f"bad Content-Length: {headers['content-length'][:40]!r}")
            response.framing = "length"
            response.remaining = int(next(iter(values)))
        else:
            response.framing = "close"
            keep_alive = False
        response.done = response.framing == "none" or (
            response.framing == "length" and response.remaining == 0
        )
        response.keep_alive = keep_alive

    async def read_body(self, response: Response, sink: Callable[[bytes], bool], deadline: float) -> None:
        """Pass the body to `sink` piece by piece (de-chunked, still content-coded) until it
        ends or `sink` returns True (enough). `response.done` tells whether it ended."""
        framing = response.framing
        while not response.done:
            if framing == "length":
                if not self._buffer:
                    await self._more(deadline)
                piece = self._take(min(len(self._buffer), response.remaining))
                response.remaining -= len(piece)
                response.done = response.remaining == 0
                if piece and sink(piece):
                    return
            elif framing == "chunked":
                if response.remaining == -1:
                    line = await self._line(deadline)
                    size_text = line.split(b";", 1)[0].strip()
                    try:
                        size = int(size_text, 16)
                    except ValueError:
                        raise ProtocolError(f"bad chunk size {size_text[:20]!r}") from None
                    if size == 0:
                        while await self._line(deadline):  # trailers, up to the blank line
                            pass
                        response.done = True
                        return
                    response.remaining = size
                if response.remaining == 0:  # the CRLF after a chunk's data
                    await self._line(deadline)
                    response.remaining = -1
                    continue
                if not self._buffer:
                    await self._more(deadline)
                piece = self._take(min(len(self._buffer), response.remaining))
                response.remaining -= len(piece)
                if piece and sink(piece):
                    return
            else:  # until the server closes
                if not self._buffer:
                    if self.closed:
                        response.done = True
                        return
                    try:
                        await self._more(deadline)
                    except ServerDisconnected:
                        response.done = True
                        return
                    continue
                piece = self._take(len(self._buffer))
                if sink(piece):
                    return

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()


class _Expired(Exception):
    pass


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(_Expired())


async def connect(
    address: str,
    port: int,
    *,
    ssl_context: ssl.SSLContext | None,
    server_hostname: str | None,
    timeout: float,
    read_timeout: float,
) -> Connection:
    """Open a connection to `address` (an IP address), with TLS when `ssl_context` is given."""
    loop = asyncio.get_running_loop()
    kwargs: dict = {}
    if ssl_context is not None:
        kwargs = {
            "ssl": ssl_context,
            "server_hostname": server_hostname,
            "ssl_handshake_timeout": max(timeout, 0.001),
        }
    _transport, protocol = await asyncio.wait_for(
        loop.create_connection(lambda: Connection(loop, read_timeout), address, port, **kwargs),
        timeout=max(timeout, 0.0),
    )
    return protocol
