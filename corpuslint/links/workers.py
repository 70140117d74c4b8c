"""Link workers: the checker in other processes, one shard of the hosts each.

One process's event loop spends about a millisecond of CPU per request in httpx's stack, so a
large corpus keeps one core busy while the servers' latency leaves the other idle. Link workers
split the run by host: every host belongs to one worker (`www.` and the bare name to the same
one), so its limits (`max_per_host`, `host_interval`), its cookies and its HTTP/2 knowledge stay
in one place; `max_concurrency` is divided between the workers. A redirect hop to a host of
another worker is made by the worker that follows it, within that worker's own limit for it.

The main process sends batches of (url, read the title) and receives batches of results; it may
go on linting meanwhile (`poll` between files). A worker whose main process is gone exits.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from corpuslint.links.outcomes import LinkResult
from corpuslint.links.schedule import host_of
from corpuslint.links.settings import LinkSettings

SEND_EVERY = 0.05  # seconds: a worker sends what it has found at least this often
SEND_BATCH = 64  # ... or as soon as it has this many results


def shard_key(url: str) -> str:
    """The host a URL's shard is chosen by: `www.example.org` and `example.org` go together
    (the common redirect between them stays in one worker)."""
    return host_of(url).lower().removeprefix("www.")


def split(total: int, parts: int) -> list[int]:
    """`total` requests in flight divided between `parts` workers, each at least one."""
    share, extra = divmod(max(total, parts), parts)
    return [share + (1 if i < extra else 0) for i in range(parts)]


def _context() -> Any:
    """fork on Linux when this process has one thread (a forked child of a threaded process may
    inherit a lock that another thread held; macOS's TLS and trust libraries are not safe after
    fork), spawn otherwise."""
    import multiprocessing
    import sys
    import threading

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class LinkWorkers:
    """`shards` worker processes; `add` URLs, `poll` now and then, `finish` for every result."""

    def __init__(
        self, settings: LinkSettings, shards: int, on_result: Callable[[LinkResult], None] | None = None
    ) -> None:
        context = _context()
        self.on_result = on_result
        self.results: dict[str, LinkResult] = {}
        self.requests = 0
        self.sent: set[str] = set()
        self._shard_of: dict[str, int] = {}
        self._load = [0] * shards
        self._outbox: list[list[tuple[str, bool]]] = [[] for _ in range(shards)]
        self._connections: list[Any] = []
        self._processes: list[Any] = []
        self._open: list[bool] = []
        try:
            for share in split(settings.max_concurrency, shards):
                mine, theirs = context.Pipe()
                process = context.Process(
                    target=serve,
                    args=(theirs, replace(settings, max_concurrency=share)),
                    daemon=True,
                    name="corpuslint-links",
                )
                process.start()
                theirs.close()
                self._connections.append(mine)
                self._processes.append(process)
                self._open.append(True)
        except BaseException:
            self.terminate()
            raise

    def add(self, url: str, title: bool) -> None:
        key = shard_key(url)
        shard = self._shard_of.get(key)
        if shard is None:  # a new host goes to the worker with the fewest URLs so far
            shard = self._shard_of[key] = self._load.index(min(self._load))
        self._load[shard] += 1
        self._outbox[shard].append((url, title))
        self.sent.add(url)

    def flush(self) -> None:
        for shard, box in enumerate(self._outbox):
            if box and self._open[shard]:
                try:
                    self._connections[shard].send(box)
                except OSError:  # the worker is gone: its URLs are checked again by the caller
                    self._open[shard] = False
            self._outbox[shard] = []

    def poll(self) -> None:
        """Take whatever results have arrived, without waiting."""
        self.flush()
        for shard, connection in enumerate(self._connections):
            while self._open[shard] and connection.poll():
                self._receive(shard)

    def finish(self) -> dict[str, LinkResult]:
        """Wait for every worker to finish what it was sent; URL -> result (a worker that died
        leaves its URLs out: the caller checks them again)."""
        from multiprocessing.connection import wait

        self.flush()
        for shard, connection in enumerate(self._connections):
            if self._open[shard]:
                try:
                    connection.send(None)
                except OSError:
                    self._open[shard] = False
        try:
            while any(self._open):
                ready = wait([c for c, open_ in zip(self._connections, self._open, strict=True) if open_])
                for connection in ready:
                    self._receive(self._connections.index(connection))
        finally:
            self.terminate()
        return self.results

    def _receive(self, shard: int) -> None:
        try:
            message = self._connections[shard].recv()
        except (EOFError, OSError):
            self._open[shard] = False
            return
        if isinstance(message, tuple):  # ("done", requests)
            self.requests += message[1]
            self._open[shard] = False
            return
        for result in message:
            known = self.results.get(result.url)
            # the same URL sent again to read its title: the answer with titles wins
            if known is None or known.titles is None or result.titles is not None:
                self.results[result.url] = result
            if self.on_result is not None:
                self.on_result(result)

    def terminate(self) -> None:
        for connection in self._connections:
            connection.close()
        for process in self._processes:
            process.join(timeout=2)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)


# --- in the worker process --------------------------------------------------------------------


def serve(connection: Any, settings: LinkSettings) -> None:
    """A worker's life: check what the main process sends until it sends None, then say done."""
    import asyncio
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process's business: it ends us
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    try:
        first = connection.recv()  # workers started before the lint may get nothing to check
    except (EOFError, OSError):
        return
    if first is None:
        connection.send(("done", 0))
    else:
        asyncio.run(_serve(connection, settings, first))
    connection.close()


async def _serve(connection: Any, settings: LinkSettings, first: list[tuple[str, bool]]) -> None:
    import asyncio
    import queue
    import threading

    import sniffio

    from corpuslint.links.checker import Checker
    from corpuslint.links.schedule import Feed

    loop = asyncio.get_running_loop()
    outgoing: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def write() -> None:  # a thread: a full pipe never stalls the event loop
        while True:
            message = outgoing.get()
            if message is None:
                return
            try:
                connection.send(message)
            except OSError:
                os._exit(1)  # the main process is gone

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    found: list[LinkResult] = []

    def send_found() -> None:
        if found:
            outgoing.put(list(found))
            found.clear()

    def tick() -> None:
        send_found()
        loop.call_later(SEND_EVERY, tick)

    def on_result(result: LinkResult) -> None:
        found.append(result)
        if len(found) >= SEND_BATCH:
            send_found()

    sniffio.current_async_library_cvar.set("asyncio")
    async with Checker(settings) as checker:
        window = max(256, 8 * settings.max_concurrency)
        feed = Feed(checker.check, on_result, window=window, per_host=2 * settings.max_per_host)
        fd = connection.fileno()

        def readable() -> None:
            while True:
                try:
                    message = connection.recv()
                except (EOFError, OSError):
                    os._exit(1)  # the main process is gone: nothing is waiting for the rest
                if message is None:
                    loop.remove_reader(fd)
                    feed.close()
                    return
                for url, title in message:
                    if title:
                        checker.title_urls.add(url)
                    feed.add(url)
                if not connection.poll():
                    return

        for url, title in first:
            if title:
                checker.title_urls.add(url)
            feed.add(url)
        loop.add_reader(fd, readable)
        loop.call_later(SEND_EVERY, tick)
        await feed.wait()
    send_found()
    outgoing.put(("done", checker.requests))
    outgoing.put(None)
    writer.join()
