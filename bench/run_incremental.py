#!/usr/bin/env python3
"""Incremental runs: cold vs warm per-file cache on a generated corpus, and the one-file hook.

    python bench/run_incremental.py [--files 10000] [--repeat 3] [--skip-pre-commit]

1. Generates FILES articles with bench/generate_corpus.py into bench/.work/incremental/.
2. `corpuslint check --no-links` with `--no-cache`, then cold (empty cache) and warm (same
   corpus), then warm after touching one file's content.
3. One file: `corpuslint check one.md` vs the real `pre-commit run corpuslint --files one.md`
   (hook environment installed from a snapshot of this checkout first, not timed).

Prints a Markdown table (median of --repeat runs, wall-clock seconds).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work" / "incremental"
BIN = Path(sys.executable).parent
CORPUSLINT = str(BIN / "corpuslint")


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {proc.returncode}: {proc.stderr.decode()[-2000:]}")
    return elapsed, proc.returncode


def median(command: list[str], cwd: Path, repeat: int, before=None, env=None) -> float:
    times = []
    for _ in range(repeat):
        if before:
            before()
        times.append(timed(command, cwd, env)[0])
    return statistics.median(times)


def git(*args: str, cwd: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@example.invalid",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@example.invalid",
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-pre-commit", action="store_true")
    args = parser.parse_args(argv)

    corpus = WORK / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate_corpus.py"), str(corpus), "--files", str(args.files)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    cache = corpus / ".corpuslint_cache"
    check = [CORPUSLINT, "check", "--no-links", "."]
    rows = []

    def clear() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    rows.append(("no cache (`--no-cache`)", median([*check[:-1], "--no-cache", "."], corpus, args.repeat)))
    rows.append(("cold cache", median(check, corpus, args.repeat, before=clear)))
    timed(check, corpus)
    rows.append(("warm cache, nothing changed", median(check, corpus, args.repeat)))
    articles = sorted(p for p in corpus.rglob("*.md") if ".corpuslint_cache" not in p.parts)
    one = articles[len(articles) // 2]
    counter = iter(range(1_000_000))

    def touch_one() -> None:
        one.write_text(one.read_text(encoding="utf-8") + f"\nEdited {next(counter)}.\n", encoding="utf-8")

    rows.append(("warm cache, one file edited", median(check, corpus, args.repeat, before=touch_one)))
    rel = one.relative_to(corpus).as_posix()
    rows.append(
        (
            f"one file: `corpuslint check {rel}`",
            median([CORPUSLINT, "check", "--no-links", rel], corpus, args.repeat),
        )
    )

    if not args.skip_pre_commit:
        hooks = WORK / "hooks-repo"
        shutil.rmtree(hooks, ignore_errors=True)
        hooks.mkdir(parents=True)
        listed = (
            subprocess.run(
                ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                cwd=ROOT,
                capture_output=True,
                check=True,
            )
            .stdout.decode()
            .split("\0")
        )
        for name in filter(None, listed):
            if (ROOT / name).is_file() and not name.startswith(("bench/", "tests/")):
                (hooks / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, hooks / name)
        git("init", "-q", cwd=hooks)
        git("add", "-A", cwd=hooks)
        git("commit", "-q", "-m", "snapshot", cwd=hooks)
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=hooks, capture_output=True, text=True
        ).stdout.strip()
        if not (corpus / ".git").exists():
            git("init", "-q", cwd=corpus)
            git("add", "-A", cwd=corpus)
            git("commit", "-q", "-m", "corpus", cwd=corpus)
        (corpus / ".pre-commit-config.yaml").write_text(
            f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: corpuslint\n"
        )
        env = {**os.environ, "PRE_COMMIT_HOME": str(WORK / "pre-commit-home")}
        pre_commit = [str(BIN / "pre-commit"), "run", "corpuslint", "--files", rel]
        subprocess.run(
            [str(BIN / "pre-commit"), "install-hooks"], cwd=corpus, env=env, check=True, capture_output=True
        )
        rows.append(
            (
                f"one file: `pre-commit run corpuslint --files {rel}`",
                median(pre_commit, corpus, args.repeat, env=env),
            )
        )

    print(
        f"{args.files} generated articles, median of {args.repeat} runs, `--no-links`, {os.cpu_count()} CPUs\n"
    )
    print("| run | seconds |\n| --- | ---: |")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
