"""The shape of the links phase's cost, not its speed on this machine: requests per URL, parses
per file, work per request and per occurrence growing linearly, nothing slow imported.

Bounds are loose (several times what a loaded two-core machine needs) so they catch a change of
shape (a scan per completion, a second parse, a general HTTP stack back in the import path),
not noise. Only loopback servers started here are contacted.
"""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
import time
import uuid

from test_checker import check, loopback_only

from corpuslint.links.checker import OK, LinkResult
from corpuslint.links.extract import LinkOccurrence
from corpuslint.links.phase import run_links_phase


def test_requests_per_url_are_what_the_url_needs(server, fast):
    token = uuid.uuid4().hex
    paths = {
        f"/ok/{token}": 1,  # HEAD
        f"/status/404/{token}": 1,  # HEAD: a 404 is believed
        f"/status/500/{token}": 4,  # HEAD, then GET retried twice
        f"/nohead/{token}": 2,  # HEAD refused (405), then GET
        f"/moved/301/p/{token}": 2,  # HEAD, HEAD of the target
        f"/flaky/{token}": 2,  # 500, retried once
    }
    urls = [server.url("127.0.0.3", p) for p in paths]
    results, requests = check(fast, urls + urls)  # every URL twice: still checked once
    assert len(results) == len(paths)
    assert requests == sum(paths.values())
    for path, expected in paths.items():
        target = "/p/" + token if path.startswith("/moved/") else None
        seen = server.stats.count(path) + (server.stats.count(target) if target else 0)
        assert seen == expected, path


def test_work_per_request_is_small_and_flat(server, fast):
    """CPU of the checking thread per request, with a server that answers at once."""
    # long limits: on a loaded machine a loopback answer can take seconds, and this is about CPU
    settings = dataclasses.replace(
        fast, max_concurrency=50, max_per_host=10, timeout=60.0, connect_timeout=30.0, read_timeout=30.0
    )

    def run(count):
        urls = [server.url(h, f"/p/{uuid.uuid4().hex}") for h in server.hosts for _ in range(count // 3)]

        async def main():
            from corpuslint.links.checker import Checker

            async with Checker(settings, resolver=loopback_only) as checker:
                started = time.thread_time()
                results = await checker.check_all(urls)
                return results, time.thread_time() - started

        results, cpu = asyncio.run(main())
        assert all(r.outcome == OK for r in results.values())
        return cpu / len(urls)

    run(60)  # warm up (imports, first connections)
    small, large = run(150), run(600)
    # httpx over one httpcore pool per origin: 0.5-3 ms (idle to loaded machine; 10 ms for one
    # pool for all origins): the bound is for a stack gone wrong, not for this machine's speed
    assert large < 0.02, f"{large * 1e6:.0f} µs of CPU per request"
    assert large < 3 * small + 0.0002, (small, large)  # no cost that grows with the run


class _Instant:
    """A checker that answers every URL at once: the phase's own cost."""

    def __init__(self, settings, on_result=None):
        self.requests = 0
        self.on_result = on_result

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return None

    async def check_all(self, urls):
        found = {}
        for url in urls:
            found[url] = LinkResult(url, OK)
            self.requests += 1
        return found


def test_phase_cost_is_linear_in_occurrences(fast):
    def run(unique, repeat):
        occurrences = [
            LinkOccurrence(f"{n % 97}.md", n, 7, n, 40, f"https://example.com/p/{n % unique}", "t", "1")
            for n in range(unique * repeat)
        ]
        started = time.process_time()
        outcome = run_links_phase(
            occurrences, fast, use_cache=False, progress=False, checker_factory=_Instant
        )
        assert outcome.stats["urls"] == unique
        return time.process_time() - started

    run(200, 2)
    small = run(1000, 5)
    large = run(4000, 5)  # 4x the occurrences and URLs
    assert large < 10 * small + 0.05, (small, large)  # a list scan per occurrence would be ~16x


def test_each_file_is_parsed_once(corpus, cli, monkeypatch):
    import corpuslint.markdown as markdown

    calls = []
    real = markdown.parse

    def counting(doc):
        calls.append(doc.path)
        return real(doc)

    monkeypatch.setattr(markdown, "parse", counting)
    files = {f"{i}.md": f"正文[^1]。\n\n[^1]: 某某。[标题](https://127.0.0.1:1/p/{i})。\n" for i in range(5)}
    root = corpus({"corpuslint.toml": "[links]\ntimeout = 1\n", **files})
    args = ("check", "--links-only", "--no-cache", "--jobs", "1", "--output-format", "json", ".")
    result = cli(*args, cwd=root)
    assert result.code in (0, 1), result
    assert len(calls) == 5 == len(set(calls))  # one parse per file, nothing else


def test_the_http_stack_is_imported_only_to_check_links():
    code = (
        "import sys, corpuslint.links.phase, corpuslint.links.cache, corpuslint.links.settings;"
        "print(sorted(m for m in ('httpx', 'httpcore', 'anyio', 'h11', 'h2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out
