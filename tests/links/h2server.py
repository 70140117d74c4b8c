"""An HTTP/2-only server (the h2 package) for link-checker tests, on a loopback address.

With a TLS context it offers ALPN `h2` only (as nghttpd does); without one it speaks HTTP/2
with prior knowledge on cleartext and nothing else: an HTTP/1.1 request gets a GOAWAY frame.
Routes: `/ok` (200, a page), anything else 404. Counts requests per path.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections import Counter

import h2.config
import h2.connection
import h2.events

PAGE = b"<html><head><title>An article</title></head><body>text</body></html>"


class _Protocol(asyncio.Protocol):
    def __init__(self, seen: Counter) -> None:
        self._seen = seen
        self._conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
        self._transport = transport
        self._conn.initiate_connection()
        transport.write(self._conn.data_to_send())

    def data_received(self, data: bytes) -> None:
        try:
            events = self._conn.receive_data(data)
        except Exception:  # noqa: BLE001 - not HTTP/2: h2 has queued a GOAWAY
            assert self._transport is not None
            self._transport.write(self._conn.data_to_send())
            self._transport.close()
            return
        for event in events:
            if isinstance(event, h2.events.RequestReceived):
                headers = {k.decode() if isinstance(k, bytes) else k: v for k, v in event.headers}
                path = headers.get(":path", "/")
                path = path.decode() if isinstance(path, bytes) else path
                method = headers.get(":method", "GET")
                method = method.decode() if isinstance(method, bytes) else method
                self._seen[(method, path)] += 1
                status, body = (200, PAGE) if path.startswith("/ok") else (404, b"<title>Not Found</title>")
                self._conn.send_headers(
                    event.stream_id,
                    [
                        (":status", str(status)),
                        ("content-type", "text/html"),
                        ("content-length", str(len(body))),
                    ],
                    end_stream=method == "HEAD",
                )
                if method != "HEAD":
                    self._conn.send_data(event.stream_id, body, end_stream=True)
        assert self._transport is not None
        self._transport.write(self._conn.data_to_send())


class H2Server:
    def __init__(self, host: str, ssl_context: ssl.SSLContext | None = None) -> None:
        self.host = host
        self.ssl_context = ssl_context
        self.seen: Counter = Counter()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="h2server")
        self._server: asyncio.base_events.Server | None = None

    def start(self) -> H2Server:
        self._thread.start()

        async def start() -> None:
            self._server = await asyncio.get_running_loop().create_server(
                lambda: _Protocol(self.seen), self.host, 0, ssl=self.ssl_context
            )
            self.port = self._server.sockets[0].getsockname()[1]

        asyncio.run_coroutine_threadsafe(start(), self._loop).result(10)
        return self

    def stop(self) -> None:
        async def stop() -> None:
            if self._server is not None:
                self._server.close()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def url(self, path: str) -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://{self.host}:{self.port}{path}"
