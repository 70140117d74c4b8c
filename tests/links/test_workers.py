"""Link workers: the checker in other processes, a shard of the hosts each, fed while the files
are still being linted. Against the loopback server; every URL is an address literal (no name is
ever looked up)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from corpuslint.links import urlchecks
from corpuslint.links.extract import LinkOccurrence
from corpuslint.links.outcomes import LinkResult
from corpuslint.links.schedule import Feed
from corpuslint.links.workers import LinkWorkers, shard_key, split

HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3")


def occ(url, text="t", label="1"):
    return LinkOccurrence("a.md", 1, 1, None, None, url, text, label)


def corpus_urls(server, n):
    """n distinct URLs over three hosts: good, gone and moved ones."""
    urls = []
    for i in range(n):
        host = HOSTS[i % 3]
        path = (f"/ok?i={i}", f"/status/404?i={i}", f"/moved/301/ok?i={i}")[i % 7 % 3]
        urls.append(server.url(host, path))
    return urls


def outcomes(results):
    return {url: (r.outcome, r.status, r.new_url) for url, r in results.items()}


# --- the feed: URLs that arrive while others are checked ------------------------------------


def test_the_feed_takes_hosts_in_turn_and_keeps_a_crowd_of_one_host_out_of_the_window():
    started: list[str] = []
    gates: dict[str, asyncio.Event] = {}

    async def check(url):
        started.append(url)
        gates[url] = asyncio.Event()
        await gates[url].wait()
        return LinkResult(url, "ok")

    async def main():
        done: list[str] = []
        feed = Feed(check, lambda r: done.append(r.url), window=4, per_host=2)
        for i in range(5):
            feed.add(f"http://a/{i}")
        feed.add("http://b/0")
        feed.add("http://b/1")
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        # one of each host in turn, at most two of host a although five of it came first
        assert started == ["http://a/0", "http://b/0", "http://a/1", "http://b/1"]
        gates["http://a/0"].set()
        await asyncio.sleep(0.01)
        assert started[4] == "http://a/2"  # a's room is back: its next URL
        feed.close()
        for _ in range(10):
            for gate in list(gates.values()):
                gate.set()
            await asyncio.sleep(0.01)
        await asyncio.wait_for(feed.wait(), 1)
        return done

    done = asyncio.run(main())
    assert sorted(done) == sorted([f"http://a/{i}" for i in range(5)] + ["http://b/0", "http://b/1"])


def test_the_feed_ends_with_the_first_error():
    async def check(url):
        if url.endswith("bad"):
            raise RuntimeError("boom")
        await asyncio.sleep(10)
        return LinkResult(url, "ok")

    async def main():
        feed = Feed(check, lambda r: None, window=8, per_host=4)
        feed.add("http://a/slow")
        feed.add("http://a/bad")
        feed.close()
        await asyncio.wait_for(feed.wait(), 2)

    with pytest.raises(RuntimeError, match="boom"):
        asyncio.run(main())


def test_an_empty_closed_feed_is_done():
    async def main():
        feed = Feed(lambda url: None, lambda r: None, window=8, per_host=4)
        feed.close()
        await asyncio.wait_for(feed.wait(), 1)

    asyncio.run(main())


# --- sharding --------------------------------------------------------------------------------


def test_shards_split_the_concurrency_and_keep_www_with_its_host():
    assert split(100, 2) == [50, 50]
    assert split(7, 3) == [3, 2, 2]
    assert split(1, 3) == [1, 1, 1]  # at least one request each
    assert shard_key("https://www.Example.org/a") == shard_key("http://example.org/b") == "example.org"


def test_workers_give_the_same_results_as_the_checker_in_this_process(server, fast):
    urls = corpus_urls(server, 60)
    here = urlchecks.UrlChecks(fast, use_cache=False, jobs=1)
    here.add(occ(u) for u in urls)
    here.finish()
    before = server.stats.total()
    workers = LinkWorkers(fast, 2)
    for url in urls:
        workers.add(url, False)
    found = workers.finish()
    assert outcomes(found) == outcomes(here.fresh)
    assert workers.requests == server.stats.total() - before == here.requests


def test_a_large_run_starts_workers_and_a_title_cited_later_is_read(server, fast, monkeypatch):
    monkeypatch.setattr(urlchecks, "WORKERS_FROM", 10)
    title_page = server.url("127.0.0.2", "/p/read-later")
    urls = corpus_urls(server, 30)
    checks = urlchecks.UrlChecks(fast, use_cache=False, want_titles=True, jobs=2)
    checks.add([occ(title_page, text=title_page)])  # a bare URL: no title to compare
    checks.add(occ(u, text=u) for u in urls)
    assert checks._workers is not None  # started before the end of the lint
    checks.add([occ(title_page, text="An article")])  # cited with a title later on
    checks.finish()
    assert checks._workers is None
    assert "An article" in (checks.fresh[title_page].titles or ())
    assert set(checks.fresh) == {title_page, *urls}


def test_a_worker_that_dies_leaves_its_urls_to_this_process(server, fast, monkeypatch):
    monkeypatch.setattr(urlchecks, "WORKERS_FROM", 10)
    urls = corpus_urls(server, 40)
    checks = urlchecks.UrlChecks(fast, use_cache=False, jobs=2)
    checks.start_workers()
    workers = checks._workers
    os.kill(workers._processes[0].pid, signal.SIGKILL)
    workers._processes[0].join(5)
    checks.add(occ(u) for u in urls)
    checks.finish()
    assert set(checks.fresh) == set(urls)
    assert {r.outcome for r in checks.fresh.values()} <= {"ok", "LK001", "LK003"}


def test_workers_that_get_nothing_end_without_a_request(server, fast):
    before = server.stats.total()
    workers = LinkWorkers(fast, 2)
    assert workers.finish() == {} and workers.requests == 0
    assert server.stats.total() == before
    assert not any(p.is_alive() for p in workers._processes)


def test_a_worker_ends_by_itself_when_the_main_process_is_gone(fast):
    workers = LinkWorkers(fast, 1)
    process = workers._processes[0]
    workers._connections[0].close()  # what the main process's death does to the pipe
    process.join(10)
    assert process.exitcode is not None


def test_the_cli_checks_a_large_corpus_in_workers_and_its_report_is_the_same(server, tmp_path):
    """The real command in a new process (fork there: it has one thread when the workers start),
    200 files, against a single-process run of the same corpus."""
    files = {"corpuslint.toml": "[links]\nallow_private = true\ntimeout = 5\n"}
    urls = corpus_urls(server, 400)
    for n in range(200):
        refs = "".join(f"[^{k}]" for k in (1, 2))
        defs = "\n".join(
            f"[^{k}]: 某某（2025/6/17）。[标题]({urls[(2 * n + k) % len(urls)]})。来源。" for k in (1, 2)
        )
        files[f"f{n:03}.md"] = f"---\ntitle: t\n---\n\n正文{refs}。\n\n{defs}\n"
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "corpuslint",
        "check",
        "--links-only",
        "--no-cache",
        "--output-format",
        "json",
        ".",
    ]
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}

    def run(*extra):
        started = time.monotonic()
        done = subprocess.run(
            command[:4] + list(extra) + command[4:],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 1, done.stderr
        return json.loads(done.stdout), time.monotonic() - started

    in_workers, _ = run()
    in_one_process, _ = run("--jobs", "1")
    assert in_workers == in_one_process
    assert {d["code"] for d in in_workers} == {"LK001", "LK003"}


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to see the worker processes")
def test_sigterm_while_the_workers_check_ends_every_process(server, tmp_path):
    from tests.test_cli_signals import _group_members

    (tmp_path / "corpuslint.toml").write_text("[links]\nallow_private = true\ntimeout = 60\n")
    for n in range(200):
        url = server.url(HOSTS[n % 3], f"/hang?i={n}")
        (tmp_path / f"f{n:03}.md").write_text(f"正文[^1]。\n\n[^1]: 某某 <{url}>。\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "corpuslint", "check", "--links-only", "--no-cache", "--jobs", "2", "."],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while server.stats.count("/hang") < 10 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None and server.stats.count("/hang") >= 10
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err.decode()
    assert b"Traceback" not in err
    deadline = time.monotonic() + 10
    while _group_members(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _group_members(proc.pid) == []  # no link worker left behind


def test_workers_start_before_the_lint_only_when_no_link_cache_is_there(server, fast, tmp_path):
    settings = dataclasses.replace(fast, cache_dir=str(tmp_path / "cache"))
    cold = urlchecks.UrlChecks(settings, use_cache=True, jobs=2)
    cold.start_workers()  # no cache yet: a cold run, the workers start at once
    assert cold._workers is not None
    cold.add([occ(server.url("127.0.0.1", "/ok?warm"))])
    cold.finish()
    warm = urlchecks.UrlChecks(settings, use_cache=True, jobs=2)
    warm.start_workers()  # a cache: they start when enough URLs miss it, not before
    assert warm._workers is None
    warm.add([occ(server.url("127.0.0.1", "/ok?warm"))])
    warm.finish()
    assert warm.cached and not warm.fresh and warm.requests == 0


def test_how_many_workers(monkeypatch):
    from corpuslint.links.settings import LinkSettings, settings_from_config

    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    auto = LinkSettings()
    assert urlchecks.worker_count(auto, None) == 4  # one per two cores, at most four
    assert urlchecks.worker_count(auto, 4) == 2  # --jobs 4
    assert urlchecks.worker_count(auto, 2) == 1
    assert urlchecks.worker_count(auto, 1) == 0  # --jobs 1: the main process checks
    assert urlchecks.worker_count(LinkSettings(workers=3), 1) == 3  # links.workers wins
    # --suggest: the archive is asked only about hosts this process saw resolve to public
    # addresses, so the checks stay here, whatever the settings
    assert urlchecks.worker_count(LinkSettings(workers=3, suggest=True), 8) == 0
    monkeypatch.setattr(sys, "platform", "win32")  # no add_reader in its event loop
    assert urlchecks.worker_count(LinkSettings(workers=3), 8) == 0
    assert settings_from_config({"workers": 0}, None).workers == 0
    with pytest.raises(ValueError, match="links.workers"):
        settings_from_config({"workers": -1}, None)


def test_no_link_workers_when_told(server, fast, monkeypatch):
    monkeypatch.setattr(urlchecks, "WORKERS_FROM", 1)
    checks = urlchecks.UrlChecks(dataclasses.replace(fast, workers=0), use_cache=False, jobs=4)
    checks.prepare(1000)
    checks.add(occ(u) for u in corpus_urls(server, 5))
    assert checks._workers is None
    checks.finish()
    assert len(checks.fresh) == 5
