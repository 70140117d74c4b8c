#!/usr/bin/env python3
"""Compare the Markdown parsers corpuslint could use, on the bench corpus (and dense text).

    .venv/bin/python bench/parsers.py [--files 300] [--seed 1] [--dense]

For each candidate: median µs per article (body only, front matter stripped) to parse it with
footnotes and tables on; whether it has source offsets, and checks of what it gets right on a few
probe documents (GFM footnote semantics as cmark-gfm has them, CJK offsets). The comparison in
bench/README.md ("Choosing the parser") was produced with this script.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))


def _bodies(files: int, seed: int, profile: str) -> list[str]:
    import generate_corpus

    from corpuslint import front_matter

    out = Path(tempfile.mkdtemp(prefix="corpuslint-parsers-"))
    kwargs = {"profile": profile} if profile != "clean" else {}
    generate_corpus.generate(out, files, seed, **kwargs)
    bodies = []
    for path in sorted((out / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        bodies.append(text[front_matter.split(text)[1] :])
    return bodies


def candidates() -> dict:
    found = {}
    try:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.footnote import footnote_plugin

        md = MarkdownIt("commonmark").enable("table").enable("strikethrough")
        footnote_plugin(md)
        found["markdown-it-py + footnote plugin"] = lambda s: md.parse(s)
    except ImportError:
        pass
    try:
        from markdown_it_pyrs import MarkdownIt as MarkdownItRs

        mdrs = MarkdownItRs("commonmark").enable_many(["table", "strikethrough", "footnote"])
        found["markdown-it-pyrs (tree with srcmap)"] = lambda s: mdrs.tree(s)
    except (ImportError, Exception):
        pass
    try:
        import pyromark

        o = pyromark.Options
        opts = o.ENABLE_TABLES | o.ENABLE_FOOTNOTES | o.ENABLE_STRIKETHROUGH | o.ENABLE_MATH | o.ENABLE_GFM
        found["pyromark (events with ranges, list)"] = lambda s: list(
            pyromark.events_with_range(s, options=opts)
        )
    except ImportError:
        pass
    try:
        from corpuslint.markdown import parse_text

        found["corpuslint.markdown (pyromark + own types)"] = lambda s: parse_text(s)
    except ImportError:
        pass
    try:
        import cmarkgfm
        from cmarkgfm.cmark import Options

        found["cmarkgfm (to HTML, footnotes)"] = lambda s: cmarkgfm.github_flavored_markdown_to_html(
            s, options=Options.CMARK_OPT_FOOTNOTES
        )
    except ImportError:
        pass
    return found


def timeit(fn, bodies: list[str], rounds: int = 3) -> float:
    per = []
    for _ in range(rounds):
        start = time.perf_counter()
        for body in bodies:
            fn(body)
        per.append((time.perf_counter() - start) / len(bodies) * 1e6)
    return statistics.median(per)


# Probes: (name, document, what cmark-gfm (GitHub) renders as footnote references).
PROBES = [
    ("definition after a table", "|a|\n|-|\n[^1]: a\n\nt[^1]\n", 1),
    ("definition after a quote", "> q\n[^1]: a\n\nt[^1]\n", 1),
    ("edge whitespace in label", "t[^1 ]\n\n[^1]: a\n", 1),
    ("bare URL takes [^1]", "http://x[^1]\n\n[^1]: a\n", 0),
]


def probe_pyromark(doc: str) -> int:
    from corpuslint.markdown import parse_text

    return sum(1 for r in parse_text(doc).footnote_refs if r.defined)


def probe_markdown_it(doc: str) -> int:
    try:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.footnote import footnote_plugin
    except ImportError:
        return -1
    md = MarkdownIt("commonmark", {"linkify": True}).enable("table")
    footnote_plugin(md)
    try:
        md.enable("linkify")
    except Exception:  # linkify-it-py not installed
        pass
    count = 0
    for token in md.parse(doc):
        for child in token.children or ():
            count += child.type == "footnote_ref"
    return count


def probe_cmark(doc: str) -> int:
    import cmarkgfm
    from cmarkgfm.cmark import Options

    return cmarkgfm.github_flavored_markdown_to_html(doc, options=Options.CMARK_OPT_FOOTNOTES).count(
        "data-footnote-ref"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", default="clean", choices=["clean", "dense"])
    args = parser.parse_args(argv)
    bodies = _bodies(args.files, args.seed, args.profile)
    size = statistics.mean(len(b.encode()) for b in bodies)
    print(f"{len(bodies)} bodies ({args.profile}), mean {size / 1024:.1f} KB")
    print("| parser | µs per article | × markdown-it-py |")
    print("|---|---|---|")
    results = {name: timeit(fn, bodies) for name, fn in candidates().items()}
    base = results.get("markdown-it-py + footnote plugin")
    for name, us in results.items():
        ratio = f"{us / base:.3f}" if base else "-"
        print(f"| {name} | {us:,.0f} | {ratio} |")
    print()
    print("| probe | cmark-gfm | corpuslint.markdown | markdown-it-py |")
    print("|---|---|---|---|")
    for name, doc, _ in PROBES:
        print(f"| {name} | {probe_cmark(doc)} | {probe_pyromark(doc)} | {probe_markdown_it(doc)} |")
    cjk = "中文[^1]。\n\n[^1]: 注\n"
    from corpuslint.markdown import parse_text

    ref = parse_text(cjk).footnote_refs[0]
    print(f"\nCJK offsets: [^1] at characters {ref.start}-{ref.end} -> {cjk[ref.start : ref.end]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
