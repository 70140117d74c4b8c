#!/usr/bin/env python3
"""Peak memory of `corpuslint check` against the number of findings (issue 9.4).

Writes corpora of the same files with 1x, 2x and 4x as many TY001 findings per file (a line of
Chinese with a half-width comma, repeated), lints each with every output format in one
process (`--jobs 1`: the reporter's process is the one that holds the diagnostics), and
prints the peak RSS of that process and the per-diagnostic growth. Flat means: the peak grows
by a small constant per diagnostic (the compact record), not by the size of a whole report
held as text or as a tree.

    .venv/bin/python bench/run_memory.py [--files 500] [--findings 40]

Nothing touches the network (`--no-links`).

Measured on the shared 2-core machine (300 files, 9,000 / 18,000 / 36,000 TY001 findings):
before this change 29 / 36 / 49 MiB (text), 46 / 63 / 99 MiB (junit): 750 and 2,070 bytes per
diagnostic; after (slotted Diagnostic/Fix/Edit, repeated strings shared, JUnit written in 64 KiB
pieces) 26 / 29 / 35 MiB for every format: ~365 bytes per diagnostic.
With the run's findings kept as one compressed record blob per file (corpuslint.diagstore),
read by json/sarif/junit one file at a time (300 files, 9,000 / 18,000 / 36,000 findings):
json 21 / 21 / 21, sarif 22 / 22 / 22, junit 27 / 27 / 27 MiB (6-21 bytes per diagnostic);
text, which decodes them into one list, 23 / 26 / 33 MiB (~370 bytes per diagnostic).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LINE = "这是一段中文,后面还有中文。\n"
MEASURE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def make_corpus(root: Path, files: int, findings: int) -> None:
    body = "---\ntitle: 标题\n---\n" + LINE * findings
    for i in range(files):
        directory = root / f"d{i // 500}"
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"a{i:05d}.md").write_text(body, encoding="utf-8")


def peak_kib(root: Path, output_format: str) -> int:
    command = [
        sys.executable,
        "-m",
        "corpuslint",
        "check",
        "--no-links",
        "--no-cache",
        "--no-progress",
        "--jobs",
        "1",
        "--output-format",
        output_format,
        str(root),
    ]
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip())


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--findings", type=int, default=40, help="findings per file at 1x")
    parser.add_argument("--formats", default="text,json,sarif,junit")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="corpuslint-memory-"))
    try:
        print(f"{args.files} files; peak RSS of the linting process (MiB) by findings per file")
        factors = (1, 2, 4)
        roots = {}
        for factor in factors:
            roots[factor] = work / f"x{factor}"
            make_corpus(roots[factor], args.files, args.findings * factor)
        print(
            "| format | "
            + " | ".join(f"{args.findings * f * args.files:,} findings" for f in factors)
            + " | bytes/diagnostic |"
        )
        print("| --- |" + " ---: |" * (len(factors) + 1))
        for output_format in args.formats.split(","):
            peaks = [peak_kib(roots[f], output_format) for f in factors]
            extra = (peaks[-1] - peaks[0]) * 1024 / (args.findings * args.files * (factors[-1] - factors[0]))
            cells = " | ".join(f"{p / 1024:.0f}" for p in peaks)
            print(f"| {output_format} | {cells} | {extra:.0f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
