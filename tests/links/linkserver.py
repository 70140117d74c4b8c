"""A small HTTP/1.1 server for link-checker tests and the link benchmark.

Runs an asyncio loop in a background thread and listens on loopback addresses only (127.0.0.1,
127.0.0.2, ... are distinct hosts to a client). Every route is a behaviour a real site shows:
statuses, redirect chains and loops, rate limits, HEAD refused, soft 404s, a server that never
answers, one that drips bytes, a gzip bomb and a huge body. It counts requests and the most
requests in flight per host.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
import zlib
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}


@dataclass
class Stats:
    requests: Counter = field(default_factory=Counter)  # (host, method, path) -> count
    in_flight: Counter = field(default_factory=Counter)
    max_in_flight: Counter = field(default_factory=Counter)
    seen: Counter = field(default_factory=Counter)  # path -> count, for "fail first time" routes
    lock: threading.Lock = field(default_factory=threading.Lock)

    def total(self, host: str | None = None) -> int:
        with self.lock:
            return sum(n for (h, _m, _p), n in self.requests.items() if host is None or h == host)

    def count(self, path: str, method: str | None = None) -> int:
        with self.lock:
            return sum(n for (_h, m, p), n in self.requests.items() if p == path and method in (None, m))


_BOMB: bytes | None = None


def gzip_bomb() -> bytes:
    """About 100 KB on the wire, 100 MB decompressed (compressed in pieces: no 100 MB buffer)."""
    global _BOMB
    if _BOMB is None:
        compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        parts = [compressor.compress(b"<html><head><title>ok</title></head><body>")]
        zeros = b"\0" * (1024 * 1024)
        for _ in range(100):
            parts.append(compressor.compress(zeros))
        parts.append(compressor.flush())
        _BOMB = b"".join(parts)
    return _BOMB


_CODING_BOMBS: dict[str, bytes] = {}


def coding_bomb(coding: str) -> bytes:
    """20 MB of zeros after an HTML head without a title, in br or zstd (made once)."""
    if coding not in _CODING_BOMBS:
        body = b"<html><head></head><body>" + b"\0" * (20 * 1024 * 1024)
        if coding == "br":
            import brotli

            _CODING_BOMBS[coding] = brotli.compress(body, quality=1)
        else:
            import zstandard

            _CODING_BOMBS[coding] = zstandard.ZstdCompressor(level=1).compress(body)
    return _CODING_BOMBS[coding]


def encode(body: bytes, coding: str) -> bytes:
    if coding == "br":
        import brotli

        return brotli.compress(body)
    import zstandard

    return zstandard.ZstdCompressor().compress(body)


class LinkServer:
    def __init__(
        self,
        hosts: list[str],
        *,
        latency: float = 0.0,
        ssl_context: ssl.SSLContext | None = None,
        extra_routes=None,  # type: ignore[no-untyped-def]
    ) -> None:
        self.hosts = hosts
        self.latency = latency
        self.ssl_context = ssl_context
        self.extra_routes = extra_routes or {}
        self.stats = Stats()
        self.ports: dict[str, int] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="linkserver")
        self._servers: list[asyncio.base_events.Server] = []
        self._hang = asyncio.Event()

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> LinkServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> None:
        self._hang = asyncio.Event()
        for host in self.hosts:
            server = await asyncio.start_server(
                lambda r, w, h=host: self._serve(h, r, w), host, 0, ssl=self.ssl_context, backlog=1024
            )
            self._servers.append(server)
            self.ports[host] = server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        async def _stop() -> None:
            self._hang.set()
            for server in self._servers:
                server.close()
            for task in [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]:
                task.cancel()

        try:
            asyncio.run_coroutine_threadsafe(_stop(), self._loop).result(10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def url(self, host: str, path: str) -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://{host}:{self.ports[host]}{path}"

    # --- HTTP ---------------------------------------------------------------------------------

    async def _serve(self, host: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _version = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                path = urlsplit(target).path
                stats = self.stats
                with stats.lock:
                    stats.requests[(host, method, path)] += 1
                    for key in (host, "*"):  # "*": all hosts together
                        stats.in_flight[key] += 1
                        stats.max_in_flight[key] = max(stats.max_in_flight[key], stats.in_flight[key])
                    stats.seen[(host, path)] += 1
                    seen = stats.seen[(host, path)]
                try:
                    if self.latency:
                        await asyncio.sleep(self.latency)
                    keep = await self._respond(host, method, target, headers, seen, writer)
                finally:
                    with stats.lock:
                        stats.in_flight[host] -= 1
                        stats.in_flight["*"] -= 1
                if not keep or headers.get("connection", "").lower() == "close":
                    return
        except (ConnectionError, asyncio.CancelledError, ssl.SSLError, OSError):
            return
        finally:
            try:
                writer.close()
            except Exception:
                pass

    async def _send(
        self,
        writer: asyncio.StreamWriter,
        method: str,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        content_type: str = "text/html; charset=utf-8",
    ) -> bool:
        out = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}", f"Content-Length: {len(body)}"]
        if content_type:
            out.append(f"Content-Type: {content_type}")
        for name, value in (headers or {}).items():
            out.append(f"{name}: {value}")
        writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1"))
        if method != "HEAD":
            writer.write(body)
        await writer.drain()
        return True

    async def _respond(
        self,
        host: str,
        method: str,
        target: str,
        headers: dict[str, str],
        seen: int,
        writer: asyncio.StreamWriter,
    ) -> bool:
        parts = urlsplit(target)
        path = parts.path
        query = parse_qs(parts.query)
        page = b"<html><head><title>An article</title></head><body>text</body></html>"
        if path in self.extra_routes:
            status, extra, body = self.extra_routes[path](method, seen)
            return await self._send(writer, method, status, body, extra)
        if path in ("/", "/ok") or path.startswith("/ok/") or path.startswith("/p/"):
            return await self._send(writer, method, 200, page)
        if path.startswith("/gone/"):
            return await self._send(writer, method, 404, b"<html><title>Not Found</title></html>")
        if path.startswith("/status/"):
            status = int(path.split("/")[2])
            return await self._send(writer, method, status, b"<html><title>error</title></html>")
        if path.startswith("/flaky/"):  # 500 the first time, then 200
            return await self._send(writer, method, 500 if seen == 1 else 200, page)
        if path.startswith("/ratelimit/"):  # 429 + Retry-After the first time, then 200
            if seen == 1:
                wait = query.get("after", ["1"])[0]
                return await self._send(writer, method, 429, b"slow down", {"Retry-After": wait})
            return await self._send(writer, method, 200, page)
        if path.startswith("/moved/"):  # /moved/<code>/<rest> -> Location /<rest>
            _, _, code, rest = path.split("/", 3)
            return await self._send(writer, method, int(code), b"", {"Location": "/" + rest})
        if path.startswith("/chain/"):  # /chain/<n> -> /chain/<n-1> ... /chain/0 -> /ok
            n = int(path.split("/")[2])
            location = "/ok" if n == 0 else f"/chain/{n - 1}"
            return await self._send(writer, method, 301, b"", {"Location": location})
        if path == "/loop/a":
            return await self._send(writer, method, 302, b"", {"Location": "/loop/b"})
        if path == "/loop/b":
            return await self._send(writer, method, 302, b"", {"Location": "/loop/a"})
        if path.startswith("/nohead"):
            if method == "HEAD":
                return await self._send(writer, method, 405, b"")
            return await self._send(writer, method, 200, page)
        if path.startswith("/deep/"):  # a removed article sent to the home page
            return await self._send(writer, method, 301, b"", {"Location": "/"})
        if path.startswith("/soft404"):
            body = "<html><head><title>页面不存在 - 某新闻网</title></head><body>抱歉</body></html>"
            return await self._send(writer, method, 200, body.encode())
        if path.startswith("/cookie-gate/"):  # 302 to itself with a cookie, then 200 with it
            if "gate=open" in headers.get("cookie", ""):
                return await self._send(writer, method, 200, page)
            return await self._send(
                writer, method, 302, b"", {"Location": path, "Set-Cookie": "gate=open; Path=/; HttpOnly"}
            )
        if path.startswith(("/br/", "/zstd/")):  # a soft 404 in a coding nobody asked for
            soft = "<html><head><title>页面不存在</title></head><body>抱歉</body></html>".encode()
            coding = path.split("/")[1]
            return await self._send(writer, method, 200, encode(soft, coding), {"Content-Encoding": coding})
        if path.startswith("/head5xx/"):  # HEAD is broken on this server, GET works
            return await self._send(writer, method, 503 if method == "HEAD" else 200, page)
        if path.startswith("/gbk-meta/"):  # GBK declared in <meta> only
            body = '<html><head><meta charset="gbk"><title>页面不存在</title></head></html>'.encode("gbk")
            return await self._send(writer, method, 200, body, content_type="text/html")
        if path.startswith("/gbk-bare/"):  # GBK declared nowhere
            body = "<html><head><title>页面不存在 - 某新闻网</title></head></html>".encode("gbk")
            return await self._send(writer, method, 200, body, content_type="text/html")
        if path.startswith("/busy/"):  # 503 with Retry-After (seconds in the query), always
            wait = query.get("after", ["30"])[0]
            return await self._send(writer, method, 503, b"busy", {"Retry-After": wait})
        if path == "/hang":  # accepts, reads the request, never answers
            await self._hang.wait()
            return False
        if path == "/drip":  # one byte of the response at a time, forever
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: " + b"a" * 10000:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.2)
            return False
        if path in ("/bomb/br", "/bomb/zstd"):  # 20 MB of zeros in a few KB, no title
            coding = path.split("/")[2]
            return await self._send(writer, method, 200, coding_bomb(coding), {"Content-Encoding": coding})
        if path == "/gzipbomb":
            return await self._send(writer, method, 200, gzip_bomb(), {"Content-Encoding": "gzip"})
        if path == "/huge":  # 200 MB of HTML, streamed
            size = 200 * 1024 * 1024
            writer.write(
                f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {size}\r\n\r\n".encode()
            )
            if method == "HEAD":
                await writer.drain()
                return True
            chunk = b"<p>" + b"x" * 65533
            sent = 0
            while sent < size:
                writer.write(chunk)
                sent += len(chunk)
                await writer.drain()
            return True
        return await self._send(writer, method, 404, b"<html><title>Not Found</title></html>")
