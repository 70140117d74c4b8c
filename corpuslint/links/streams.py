"""httpcore network streams straight on asyncio's transports, for the link checker's own
connections.

httpcore's anyio backend wraps every read and write in an anyio cancel scope, a checkpoint and a
memory-object receive; that costs more than the socket call it wraps (bench/README.md, "Link
checker"). `AsyncioStream` is an `asyncio.Protocol` buffer: a read waits for data with the
timeout as a timer, a write goes to the transport and waits only when the transport asks to
pause. TLS is asyncio's (`loop.start_tls`), with the URL's host as server name, on the stream
that `PinnedBackend` connected to a checked address. Errors are httpcore's (ConnectError,
ReadTimeout, ...) with the OS or TLS error as their cause, as the anyio backend raises them.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import httpcore

HIGH_WATER = 256 * 1024  # bytes buffered before the transport stops reading (a body is read in 64 KiB)


class _Buffer(asyncio.Protocol):
    """What the transport delivered and not yet read (at most about HIGH_WATER: reading pauses
    until the reader catches up, so a server sending faster than we read fills no memory); the
    end of the stream; write pauses."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.reading_paused = False
        self.data = bytearray()
        self.ended = False
        self.error: BaseException | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.paused: asyncio.Future[None] | None = None

    def _wake(self) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.data += data
        if len(self.data) > HIGH_WATER and not self.reading_paused and self.transport is not None:
            self.reading_paused = True
            self.transport.pause_reading()
        self._wake()

    def consumed(self) -> None:
        if self.reading_paused and len(self.data) <= HIGH_WATER // 2 and self.transport is not None:
            self.reading_paused = False
            if not self.transport.is_closing():
                self.transport.resume_reading()

    def eof_received(self) -> bool:
        self.ended = True
        self._wake()
        return False  # close the transport: the checker never writes after the server's end

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = True
        self.error = exc
        self._wake()
        self.resume_writing()

    def pause_writing(self) -> None:
        if self.paused is None:
            self.paused = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        paused, self.paused = self.paused, None
        if paused is not None and not paused.done():
            paused.set_result(None)


class AsyncioStream(httpcore.AsyncNetworkStream):
    """An httpcore network stream on an asyncio transport and a `_Buffer` protocol."""

    def __init__(self, transport: asyncio.Transport, buffer: _Buffer) -> None:
        self._transport = transport
        self._buffer = buffer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        buffer = self._buffer
        if not buffer.data and not buffer.ended:
            buffer.waiter = waiter = asyncio.get_running_loop().create_future()
            await _wait_or_raise(waiter, timeout, httpcore.ReadTimeout)
        if buffer.data:
            chunk = bytes(buffer.data[:max_bytes])
            del buffer.data[:max_bytes]
            buffer.consumed()
            return chunk
        if buffer.error is not None:
            raise httpcore.ReadError(str(buffer.error) or type(buffer.error).__name__) from buffer.error
        return b""  # the server's end of the stream

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._transport.is_closing():
            error = self._buffer.error
            raise httpcore.WriteError(str(error) if error else "the connection is closed") from error
        self._transport.write(buffer)
        if self._buffer.paused is not None:
            await _wait_or_raise(self._buffer.paused, timeout, httpcore.WriteTimeout)

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            transport = await loop.start_tls(
                self._transport,
                self._buffer,
                ssl_context,
                server_hostname=server_hostname,
                ssl_handshake_timeout=timeout,
            )
        except (TimeoutError, asyncio.TimeoutError) as exc:
            self._transport.close()
            raise httpcore.ConnectTimeout("TLS handshake timed out") from exc
        except (OSError, ssl.SSLError) as exc:
            self._transport.close()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        if transport is None:  # pragma: no cover - the connection was closed during the handshake
            raise httpcore.ConnectError("the connection was closed during the TLS handshake")
        self._buffer.transport = transport  # type: ignore[assignment]
        self._buffer.reading_paused = False
        return AsyncioStream(transport, self._buffer)  # type: ignore[arg-type]

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # an idle connection the server closed or wrote to
            return bool(self._buffer.data) or self._buffer.ended
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        return None


async def _wait_or_raise(future: asyncio.Future[None], timeout: float | None, error: type[Exception]) -> None:
    if timeout is None:
        await future
        return
    loop = asyncio.get_running_loop()
    expired = False

    def expire() -> None:
        nonlocal expired
        if not future.done():
            expired = True
            future.set_result(None)

    timer = loop.call_later(timeout, expire)
    try:
        await future
    finally:
        timer.cancel()
    if expired:
        raise error(f"no progress in {timeout:g} s")


async def connect(address: str, port: int, timeout: float | None) -> AsyncioStream:
    """A TCP connection to `address` (an IP literal the policy allowed)."""
    loop = asyncio.get_running_loop()
    buffer = _Buffer()
    try:
        transport, _ = await asyncio.wait_for(loop.create_connection(lambda: buffer, address, port), timeout)
    except (TimeoutError, asyncio.TimeoutError) as exc:
        raise httpcore.ConnectTimeout(f"connecting to {address}:{port} timed out") from exc
    except OSError as exc:
        raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
    return AsyncioStream(transport, buffer)  # type: ignore[arg-type]
