"""The order and the window in which the checker's URLs run.

URLs are interleaved by host (one of each host in turn), so a crowd of URLs of one slow host
never fills the window. At most a window of tasks exists; each one that ends starts the next
(asyncio.wait over the window would walk every pending task at each completion). `Feed` does
the same for URLs that arrive while the checks run (a link worker's input).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from corpuslint.links.outcomes import LinkResult


def interleaved_by_host(urls: Iterable[str]) -> list[str]:
    """Each URL once, one of each host in turn."""
    by_host: dict[str, deque[str]] = {}
    for url in dict.fromkeys(urls):
        by_host.setdefault(host_of(url), deque()).append(url)
    order: list[str] = []
    queues = list(by_host.values())
    while queues:
        for queue in queues:
            order.append(queue.popleft())
        queues = [q for q in queues if q]
    return order


async def run_window(
    order: list[str],
    check: Callable[[str], Awaitable[LinkResult]],
    on_result: Callable[[LinkResult], None] | None,
    window: int,
) -> dict[str, LinkResult]:
    """`check` every URL of `order`, at most `window` at a time; an error (of a check or of
    `on_result`) ends the run and cancels the rest."""
    results: dict[str, LinkResult] = {}
    loop = asyncio.get_running_loop()
    finished: asyncio.Future[None] = loop.create_future()
    running: set[asyncio.Task[LinkResult]] = set()
    iterator = iter(order)

    def start_next() -> bool:
        url = next(iterator, None)
        if url is None:
            return False
        task = loop.create_task(check(url))  # type: ignore[arg-type]
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
            if on_result is not None:
                on_result(result)
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


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "") if "://" in url else ""
    except ValueError:
        return ""


class Feed:
    """URLs that arrive while others are being checked (a link worker's input).

    The same order as `interleaved_by_host` over what has arrived: one URL of each host in turn.
    A host has at most `per_host` checks started at once and all hosts together `window`, so
    URLs of one host that arrive first never fill the window while other hosts wait.
    `close()` says that no more will come; `wait()` returns when every URL added is checked.
    """

    def __init__(
        self,
        check: Callable[[str], Awaitable[LinkResult]],
        on_result: Callable[[LinkResult], None],
        *,
        window: int,
        per_host: int,
    ) -> None:
        self._check = check
        self._on_result = on_result
        self._window = window
        self._per_host = per_host
        self._loop = asyncio.get_running_loop()
        self._queues: dict[str, deque[str]] = {}
        self._turns: deque[str] = deque()  # hosts with a URL waiting and room to start it
        self._started: dict[str, int] = {}
        self._running: set[asyncio.Task[LinkResult]] = set()
        self._closed = False
        self._scheduled = False
        self._finished: asyncio.Future[None] = self._loop.create_future()

    def add(self, url: str) -> None:
        host = host_of(url)
        queue = self._queues.get(host)
        if queue is None:
            queue = self._queues[host] = deque()
        if not queue and self._started.get(host, 0) < self._per_host:
            self._turns.append(host)
        queue.append(url)
        if not self._scheduled:  # start after the whole batch is in: its hosts take turns
            self._scheduled = True
            self._loop.call_soon(self._fill)

    def close(self) -> None:
        self._closed = True
        self._maybe_finished()

    async def wait(self) -> None:
        try:
            await self._finished
        finally:
            for task in list(self._running):
                task.cancel()

    def _fill(self) -> None:
        self._scheduled = False
        turns = self._turns
        while turns and len(self._running) < self._window:
            host = turns.popleft()
            queue = self._queues[host]
            url = queue.popleft()
            started = self._started[host] = self._started.get(host, 0) + 1
            if queue and started < self._per_host:
                turns.append(host)
            task = self._loop.create_task(self._check(url))  # type: ignore[arg-type]
            task.host = host  # type: ignore[attr-defined]
            self._running.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[LinkResult]) -> None:
        self._running.discard(task)
        if self._finished.done():
            return
        if task.cancelled():
            self._finished.cancel()
            return
        error = task.exception()
        if error is not None:
            self._finished.set_exception(error)
            return
        host = task.host  # type: ignore[attr-defined]
        started = self._started[host] = self._started[host] - 1
        if self._queues[host] and started == self._per_host - 1:
            self._turns.append(host)  # it had no room: its turn again
        try:
            self._on_result(task.result())
        except Exception as exc:  # noqa: BLE001 - a callback's error ends the run, not the loop
            self._finished.set_exception(exc)
            return
        self._fill()
        self._maybe_finished()

    def _maybe_finished(self) -> None:
        if self._closed and not self._running and not self._turns and not self._finished.done():
            if not any(self._queues.values()):
                self._finished.set_result(None)
