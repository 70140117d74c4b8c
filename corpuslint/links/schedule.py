"""The order and the window in which the checker's URLs run.

URLs are interleaved by host (one of each host in turn), so a crowd of URLs of one slow host
never fills the window. At most a window of tasks exists; each one that ends starts the next
(asyncio.wait over the window would walk every pending task at each completion).
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
