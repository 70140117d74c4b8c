"""Benchmark: `corpuslint.api.lint_text` in a warm process, and `corpuslint server`'s answer to a
didChange (the time from sending the change to receiving the document's diagnostics).

    .venv/bin/python bench/run_api_server.py [--runs 300] [--changes 60] [--json FILE]

Articles come from bench/generate_corpus.py (about 7 KB each); the 200 KB document is the
bodies of 28 of them under one front matter. Nothing touches the network: links are never
checked by lint_text, and the server runs with its default settings (links off).
Targets (issue 14): lint_text on a 7 KB article <= 2 ms after warm-up; didChange -> diagnostics
<= 50 ms for 7 KB, <= 200 ms for 200 KB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate_corpus import _sentence_pool, make_article  # noqa: E402

from corpuslint import api  # noqa: E402


def articles(seed: int = 7) -> tuple[str, str]:
    """A ~7 KB article and a ~200 KB document made of many articles' bodies."""
    pool = _sentence_pool(random.Random(seed))
    texts = [make_article(seed, index, pool)[1] for index in range(40)]
    small = min(texts, key=lambda text: abs(len(text.encode()) - 7 * 1024))
    front, _, _ = small.partition("\n---\n")
    bodies = []
    for n, text in enumerate(texts):
        body = text.split("\n---\n", 1)[-1]
        bodies.append(body.replace("[^", f"[^{n}-"))  # distinct footnote labels per article
        if sum(len(b.encode()) for b in bodies) >= 200 * 1024:
            break
    return small, front + "\n---\n" + "\n".join(bodies)


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 3),
        "min_ms": round(ordered[0] * 1000, 3),
        "runs": len(ordered),
    }


def bench_lint_text(text: str, runs: int, root: Path) -> dict[str, float]:
    config = api.default_config(root)
    path = str(root / "article.md")
    for _ in range(20):
        api.lint_text(text, path, config)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        api.lint_text(text, path, config)
        samples.append(time.perf_counter() - start)
    result = summary(samples)
    # the same with config discovery on every call (config=None), as the server does
    discovered = []
    for _ in range(max(runs // 3, 10)):
        start = time.perf_counter()
        api.lint_text(text, path)
        discovered.append(time.perf_counter() - start)
    result["discovered_median_ms"] = summary(discovered)["median_ms"]
    # the same without the TY rules (TY001 computes the CJK prose analysis TY003 reuses)
    without = []
    for _ in range(max(runs // 3, 10)):
        start = time.perf_counter()
        api.lint_text(text, path, config, ignore=["TY"])
        without.append(time.perf_counter() - start)
    result["without_TY_median_ms"] = summary(without)["median_ms"]
    result["bytes"] = len(text.encode())
    return result


def where_the_time_goes(text: str, runs: int, root: Path) -> dict[str, float]:
    """Median milliseconds of lint_text's parts on one document: decoding and front matter, the
    parse, the prose map, and each enabled document rule (on a document already parsed)."""
    from corpuslint import registry
    from corpuslint.document import Document
    from corpuslint.markdown.prose import prose_blocks
    from corpuslint.registry import RuleContext

    config = api.default_config(root)
    plan = api._plan(config, None, ())
    rules = registry.all_rules()
    data = text.encode()
    parts: dict[str, list[float]] = {"read+front matter": [], "parse": [], "prose map": []}
    for _ in range(runs):
        start = time.perf_counter()
        doc = Document.from_bytes("a.md", data)
        parts["read+front matter"].append(time.perf_counter() - start)
        start = time.perf_counter()
        doc.markdown  # noqa: B018
        parts["parse"].append(time.perf_counter() - start)
        start = time.perf_counter()
        prose_blocks(doc)
        parts["prose map"].append(time.perf_counter() - start)
        for code in plan.document_codes:
            context = RuleContext(options=plan.options[code])
            start = time.perf_counter()
            list(rules[code].check(doc, context))
            parts.setdefault(code, []).append(time.perf_counter() - start)
    return {name: round(statistics.median(samples) * 1000, 3) for name, samples in parts.items()}


async def bench_server(texts: dict[str, str], changes: int, root: Path) -> dict[str, dict[str, float]]:
    from lsprotocol import types
    from pygls.lsp.client import BaseLanguageClient

    client = BaseLanguageClient("corpuslint-bench", "1")
    published: dict[str, asyncio.Queue] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        published.setdefault(params.uri, asyncio.Queue()).put_nowait((time.perf_counter(), params.version))

    executable = Path(sys.executable).with_name("corpuslint")
    await client.start_io(str(executable), "server")
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=root.as_uri(), process_id=os.getpid()
        )
    )
    client.initialized(types.InitializedParams())
    results = {}
    for name, text in texts.items():
        path = root / f"{name}.md"
        uri = path.as_uri()
        queue = published.setdefault(uri, asyncio.Queue())
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "markdown", 1, text))
        )
        await asyncio.wait_for(queue.get(), 60)
        line = text.count("\n") // 2
        samples = []
        for version in range(2, changes + 2):
            start = time.perf_counter()
            position = types.Position(line=line, character=0)
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[
                        types.TextDocumentContentChangePartial(
                            range=types.Range(start=position, end=position), text="字"
                        )
                    ],
                )
            )
            while True:
                received, got = await asyncio.wait_for(queue.get(), 60)
                if got == version:
                    break
            samples.append(received - start)
            await asyncio.sleep(0.02)  # typing speed: one change at a time
        results[name] = {**summary(samples), "bytes": len(text.encode())}
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return results


def plugin_discovery() -> dict[str, float]:
    """Entry-point discovery in a fresh process: corpuslint's scan vs importlib.metadata."""
    code = (
        "import time; from corpuslint import plugins; t = time.perf_counter(); plugins._scan(); "
        "a = time.perf_counter() - t; t = time.perf_counter(); import importlib.metadata as m; "
        "m.entry_points(group='corpuslint.rules'); b = time.perf_counter() - t; print(a, b)"
    )
    scans, metadata = [], []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
        scans.append(float(out[0]))
        metadata.append(float(out[1]))
    return {
        "corpuslint_scan_ms": round(statistics.median(scans) * 1000, 2),
        "importlib_metadata_ms": round(statistics.median(metadata) * 1000, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--changes", type=int, default=60)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    small, large = articles()
    with tempfile.TemporaryDirectory(prefix="corpuslint-bench-") as directory:
        root = Path(directory)
        report = {
            "lint_text_7k": bench_lint_text(small, args.runs, root),
            "lint_text_200k": bench_lint_text(large, max(args.runs // 20, 10), root),
            "lint_text_7k_parts_ms": where_the_time_goes(small, min(args.runs, 100), root),
            "server_did_change": asyncio.run(bench_server({"7k": small, "200k": large}, args.changes, root)),
            "plugin_discovery": plugin_discovery(),
        }
    print(json.dumps(report, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
