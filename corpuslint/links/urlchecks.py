"""Every unique URL of a run decided once: without a request, from the link cache, or checked.

`add` takes the link occurrences of each file as the files are linted; `finish` returns when
every URL is decided. A run with many URLs to request checks them in link workers (other
processes, `links.workers`), started as soon as enough URLs are waiting, so the checks overlap
the rest of the lint; a small run checks them in this process at `finish`, as it always did.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from corpuslint.links.extract import LinkOccurrence, has_scheme
from corpuslint.links.outcomes import MALFORMED, OK, PERMANENT, SKIPPED, SOFT404, LinkResult
from corpuslint.links.settings import LinkSettings

WORKERS_FROM = 200  # URLs waiting for a request before link workers pay for their start
# a run of this many files or more forks its link workers before the lint (runner.py): a fork
# costs a few milliseconds, and a worker that gets nothing exits without importing httpx
EAGER_FROM_FILES = 50
LOOKUP_BATCH = 128  # URLs looked up in the link cache at once
MAX_WORKERS = 4


def needs_scheme(occurrence: LinkOccurrence) -> bool:
    """A link without a scheme: a citation's URL must be absolute; a body link may be relative."""
    return not has_scheme(occurrence.url) and not occurrence.url.startswith("//")


PROGRESS_MIN_URLS = 20  # fewer than this finish before a progress line would help


class Progress:
    """One line on stderr, redrawn at most ten times a second."""

    def __init__(self, total: int, stream=None) -> None:  # type: ignore[no-untyped-def]
        self.total = total
        self.done = 0
        self.failed = 0
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._drawn = 0.0

    def update(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        now = time.monotonic()
        if now - self._drawn >= 0.1 or self.done == self.total:
            self._drawn = now
            self.draw(now)

    def draw(self, now: float) -> None:
        rate = self.done / max(now - self.started, 1e-6)
        left = int((self.total - self.done) / rate + 0.5) if rate > 0 else 0
        self.stream.write(
            f"\rlinks: {self.done}/{self.total} checked, {self.failed} failed, {rate:.0f}/s, "
            f"ETA {left // 60}:{left % 60:02d}\x1b[K"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.total:
            self.draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()


class UrlChecks:
    """The URLs of one links phase. `check_every_url`: an LK code is enabled (else only the
    URLs whose titles CT001 compares are requested); `want_titles`: CT001 is enabled."""

    def __init__(
        self,
        settings: LinkSettings,
        *,
        use_cache: bool,
        check_every_url: bool = True,
        want_titles: bool = False,
        jobs: int | None = None,
        checker_factory: Callable[..., object] | None = None,
    ) -> None:
        self.settings = settings
        self.check_every_url = check_every_url
        self.want_titles = want_titles
        self.checker_factory = checker_factory
        self.results: dict[str, LinkResult] = {}  # every URL decided, whichever way
        self.cached: dict[str, LinkResult] = {}
        self.fresh: dict[str, LinkResult] = {}
        self.requests = 0
        self.title_urls: set[str] = set()
        self._seen: set[str] = set()
        self._lookup: list[str] = []  # to look up in the cache
        self._waiting: dict[str, None] = {}  # cache misses, not yet sent to a checker
        self._workers: Any = None
        self._cache: Any = None
        self._use_cache = use_cache
        self._max_workers = 0 if checker_factory is not None else worker_count(settings, jobs)

    # --- while the files are linted ---------------------------------------------------------

    def add(self, occurrences: Iterable[LinkOccurrence]) -> None:
        for occurrence in occurrences:
            url = occurrence.url
            title = (
                self.want_titles
                and occurrence.label is not None
                and url not in self.title_urls
                and _is_title_text(occurrence.text, url)
            )
            if url not in self._seen:
                self._seen.add(url)
                if needs_scheme(occurrence):
                    if occurrence.label is not None and not url.startswith("#"):
                        self.results[url] = LinkResult(url, MALFORMED, f"not an absolute URL: {url!r}")
                    else:
                        self.results[url] = LinkResult(url, SKIPPED, "relative link")
                    continue
                if title:
                    self.title_urls.add(url)
                if self.check_every_url or title:
                    self._lookup.append(url)
                continue
            if title and url not in self.results:
                self._newly_a_title(url)
        if len(self._lookup) >= (LOOKUP_BATCH if self._use_cache else 1):
            self._look_up()
        if self._workers is not None:
            self._workers.poll()

    def _newly_a_title(self, url: str) -> None:
        """A URL seen before, now cited with a title (CT001): its page is read after all."""
        self.title_urls.add(url)
        if url in self._waiting or url in self._lookup:
            return
        cached = self.cached.get(url)
        if cached is not None:
            if cached.titles is not None or cached.outcome not in (OK, PERMANENT):
                return
            del self.cached[url]
        elif not self.check_every_url:  # not requested so far: only titles are
            self._lookup.append(url)
            return
        self._to_check([url])

    def _look_up(self) -> None:
        urls, self._lookup = self._lookup, []
        if not urls:
            return
        found: dict[str, LinkResult] = {}
        if self._use_cache:
            if self._cache is None:
                from corpuslint.links.cache import LinkCache

                self._cache = LinkCache(self.settings)
            found = self._cache.get_many(urls)
            for url in self.title_urls.intersection(found):
                if found[url].titles is None and found[url].outcome in (OK, PERMANENT):
                    del found[url]  # checked with HEAD before: read the page this time
            self.cached.update(found)
        self._to_check([u for u in urls if u not in found])

    def _to_check(self, urls: list[str]) -> None:
        workers = self._workers
        if workers is not None:
            for url in urls:
                workers.add(url, url in self.title_urls)
            return
        self._waiting.update(dict.fromkeys(urls))
        if self._max_workers >= 1 and len(self._waiting) >= WORKERS_FROM:
            self._start_workers()

    def prepare(self, files: int) -> None:
        """Before the lint of `files` files: start the link workers now (before the lint's pool,
        while this process has one thread and a fork is cheap) when the run is likely to need
        them: `EAGER_FROM_FILES` files or more and no link cache yet (or none used). With a
        cache, they start only when enough URLs miss it, so a warm rerun forks nothing."""
        if files >= EAGER_FROM_FILES:
            self.start_workers()

    def start_workers(self) -> None:
        """Start the link workers now unless the cache promises hits. No-op when this run's
        checker stays in this process."""
        if self._workers is not None or self._max_workers < 1:
            return
        if not (self.check_every_url or self.want_titles):
            return
        if self._use_cache and _has_cache(self.settings):
            return
        self._start_workers(self._max_workers)

    def _start_workers(self, shards: int | None = None) -> None:
        from corpuslint.links.schedule import host_of
        from corpuslint.links.workers import LinkWorkers

        if shards is None:
            hosts = len({host_of(url).removeprefix("www.") for url in self._waiting})
            shards = max(1, min(self._max_workers, hosts))
        self._workers = LinkWorkers(self.settings, shards)
        waiting, self._waiting = list(self._waiting), {}
        self._to_check(waiting)
        self._workers.flush()

    # --- at the end ---------------------------------------------------------------------------

    def finish(self, progress: bool = False) -> None:
        """Decide every URL still open; `progress`: a progress line on stderr while it lasts."""
        self._look_up()
        workers = self._workers
        todo = len(workers.sent) if workers is not None else len(self._waiting)
        bar = Progress(todo) if progress and todo >= PROGRESS_MIN_URLS else None
        failed = (OK, SKIPPED, PERMANENT, SOFT404)

        def on_result(result: LinkResult) -> None:
            if bar is not None:
                bar.update(result.outcome not in failed)

        try:
            if workers is not None:
                if bar is not None:
                    bar.done = len(workers.results)
                workers.on_result = on_result
                self.fresh = dict(workers.finish())
                self.requests = workers.requests
                # a worker that died: its URLs are checked here
                self._waiting = {url: None for url in workers.sent if url not in self.fresh}
                self._workers = None
            if self._waiting or (self.settings.suggest and self.fresh):
                self._check_here(list(self._waiting), on_result)
        finally:
            if bar is not None:
                bar.close()
        self.results.update(self.cached)
        self.results.update(self.fresh)
        if self._cache is not None:
            if self.fresh:
                self._cache.put_many(self.fresh.values())
            self._cache.close()
            self._cache = None

    def close(self) -> None:
        """End the link workers and the cache without deciding anything more (a run that stopped)."""
        if self._workers is not None:
            self._workers.terminate()
            self._workers = None
        if self._cache is not None:
            self._cache.close()
            self._cache = None

    def _check_here(self, urls: list[str], on_result: Callable[[LinkResult], None]) -> None:
        """The checker in this process: the URLs of a small run, then --suggest's archive lookups."""
        import asyncio

        factory = self.checker_factory
        if factory is None:  # httpx is imported only when a URL needs a request
            from corpuslint.links.checker import Checker

            factory = Checker
        settings = self.settings
        already = dict(self.fresh)

        async def main() -> tuple[dict[str, LinkResult], int]:
            checker = factory(settings, on_result=on_result)
            if self.title_urls:
                checker.title_urls = self.title_urls  # type: ignore[attr-defined]
            async with checker:  # type: ignore[attr-defined]
                found = await checker.check_all(urls) if urls else {}  # type: ignore[attr-defined]
                found = {**already, **found}
                if settings.suggest:
                    from corpuslint.links.archive import with_archived_copies

                    found = await with_archived_copies(checker, found)
                return found, checker.requests  # type: ignore[attr-defined]

        self._waiting = {}
        self.fresh, requests = asyncio.run(main())
        self.requests += requests


def _is_title_text(text: str, url: str) -> bool:
    from corpuslint.citations import is_title_text

    return is_title_text(text, url)


def worker_count(settings: LinkSettings, jobs: int | None) -> int:
    """How many link workers a run may start: none with --suggest; `links.workers` when set;
    else none with `--jobs 1` or one core, and one per two cores otherwise (at most
    MAX_WORKERS). Half, because the lint's
    pool, the servers of a local test and the main process share the cores: on two cores a
    second checking process costs more CPU (one more event loop, IPC) than it gives back."""
    if settings.suggest:
        # the archive is asked only about hosts that resolved to public addresses, which the
        # process that resolved them knows: --suggest keeps every check in the main process
        return 0
    if sys.platform == "win32":
        return 0  # a worker reads its pipe with loop.add_reader, which Windows' event loop lacks
    if settings.workers is not None:
        return settings.workers
    count = jobs if jobs and jobs > 0 else (os.cpu_count() or 1)
    return 0 if count < 2 else max(1, min(MAX_WORKERS, count // 2))


def _has_cache(settings: LinkSettings) -> bool:
    """Whether the link cache database has been written (it has pages beyond its header)."""
    from corpuslint.cachedir import LINKS_FILE

    try:
        return os.path.getsize(settings.resolved_cache_dir() / LINKS_FILE) > 0
    except OSError:
        return False
