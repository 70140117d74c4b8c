#!/usr/bin/env python3
"""Benchmark corpuslint's offline rules (and two other linters as anchors) on synthetic corpora.

    .venv/bin/python bench/run_offline.py                      # 1,000 and 10,000 files, anchors too
    .venv/bin/python bench/run_offline.py --sizes 1000 --skip-anchors --json results.json
    .venv/bin/python bench/run_offline.py --profiles clean,dense --targets   # the #9 targets table

Both corpus profiles of bench/generate_corpus.py are run (`--profiles`, default clean,dense), and
../shared/real-corpora/* when present. In the same run, the single-core floor (bench/floor.py:
read + PyYAML load + jsonschema validate of every front matter, one process) is measured on each
corpus, and every corpuslint wall time is also given as a ratio to it; `--select FM,FN` and
`python -c pass` (for the one-file run) are measured too.

For each size, bench/generate_corpus.py writes a corpus with injected defects into bench/.work/;
`corpuslint check --no-links --output-format json` runs on it through the venv's entry point,
and the run is measured: wall time, files/s, CPU time (user+sys of the process and every worker
it waited for), peak memory (the largest single process's max RSS, from wait4, and the peak of
the sum of the process tree's RSS, sampled from /proc every 20 ms), recall and precision against
the manifest (a diagnostic matches when path, code and line are the same). A one-file run (what a
pre-commit hook pays, interpreter start included) is timed too: the median of --one-file-runs.

The anchors (bench/anchors: remark-cli with remark-lint rules and markdownlint-cli2, installed
with `npm ci` when their node_modules is missing) run on the largest corpus; their diagnostics
are mapped to corpuslint codes where a rule of theirs means the same thing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work"
ANCHORS = BENCH / "anchors"
sys.path.insert(0, str(BENCH))

import generate_corpus  # noqa: E402

CODES = generate_corpus.FM_CODES + generate_corpus.FN_CODES


def corpuslint_command() -> list[str]:
    """The installed entry point next to this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).parent / "corpuslint"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("corpuslint")
    if found:
        return [found]
    return [sys.executable, "-m", "corpuslint"]


# --- measuring one process tree ----------------------------------------------------------------


@dataclass
class Measured:
    command: list[str]
    wall_s: float
    cpu_s: float
    max_rss_largest_mb: float  # the largest single process of the tree (wait4's ru_maxrss)
    peak_rss_sum_mb: float  # the peak of the tree's summed RSS, sampled
    peak_processes: int
    returncode: int | None
    timed_out: bool = False
    stdout: str = field(default="", repr=False)
    stderr: str = field(default="", repr=False)


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces and parentheses
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self.largest_kb = 0  # the largest single process seen (sampled, like peak_kb)
        self.peak_processes = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            children = _children_map()
            tree, stack = [], [self.pid]
            while stack:
                pid = stack.pop()
                tree.append(pid)
                stack.extend(children.get(pid, ()))
            sizes = [_rss_kb(pid) for pid in tree]
            total = sum(sizes)
            if total > self.peak_kb:
                self.peak_kb = total
            self.largest_kb = max(self.largest_kb, *sizes)
            self.peak_processes = max(self.peak_processes, len(tree))
            self.done.wait(self.interval)


def child_environment() -> dict[str, str]:
    """Every measured command keeps Python's bytecode cache (outside the work tree), as an
    installed corpuslint does: with PYTHONDONTWRITEBYTECODE=1 (set in some sandboxes) every run
    compiled corpuslint's sources again, 0.1-0.2 s per run that the floor, whose libraries come
    compiled from pip, never paid."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    return env


def measure(command: list[str], cwd: Path, timeout: float | None = None, sample: bool = True) -> Measured:
    out_path = WORK / "last.stdout"
    err_path = WORK / "last.stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=cwd,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=child_environment(),
        )
        sampler = TreeSampler(process.pid) if sample else None
        if sampler:
            sampler.start()
        timed_out = False
        timer = None
        if timeout:

            def kill() -> None:
                nonlocal timed_out
                timed_out = True
                try:
                    os.killpg(process.pid, signal.SIGKILL)  # the session this run started
                except ProcessLookupError:
                    pass

            timer = threading.Timer(timeout, kill)
            timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if timer:
            timer.cancel()
        if sampler:
            sampler.done.set()
            sampler.join()
    return Measured(
        command=command,
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        # wait4's ru_maxrss counts, on Linux, the RSS a child inherits at fork before it execs:
        # after the bench process has read a large JSON report that is the bench's size, not the
        # command's. The sampled size of the largest process is used when sampling.
        max_rss_largest_mb=(sampler.largest_kb if sampler and sampler.largest_kb else usage.ru_maxrss) / 1024,
        peak_rss_sum_mb=(sampler.peak_kb / 1024) if sampler else 0.0,
        peak_processes=sampler.peak_processes if sampler else 0,
        returncode=process.returncode,
        timed_out=timed_out,
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
    )


# --- scoring -----------------------------------------------------------------------------------


def score(expected: list[tuple[str, str, int]], reported: list[tuple[str, str, int]], codes=CODES) -> dict:
    """Recall over the expected diagnostics with a code in `codes`; precision over `reported`."""
    want = Counter(d for d in expected if d[1] in codes)
    got = Counter(reported)
    hit = want & got
    per_code = {}
    for code in codes:
        total = sum(n for d, n in want.items() if d[1] == code)
        found = sum(n for d, n in hit.items() if d[1] == code)
        extra = sum(n for d, n in (got - want).items() if d[1] == code)
        per_code[code] = {"expected": total, "found": found, "false": extra}
    tp = sum(hit.values())
    return {
        "expected": sum(want.values()),
        "reported": sum(got.values()),
        "matched": tp,
        "recall": tp / max(1, sum(want.values())),
        "precision": tp / max(1, sum(got.values())) if got else 1.0,
        "per_code": per_code,
        "missed_examples": [list(d) for d in sorted(want - got)[:10]],
        "false_examples": [list(d) for d in sorted(got - want)[:10]],
    }


def _relative(path: str, cwd: Path, corpus: Path) -> str:
    full = Path(path) if os.path.isabs(path) else cwd / path
    return os.path.relpath(os.path.normpath(full), corpus)


# --- corpuslint --------------------------------------------------------------------------------


def prepare(size: int, seed: int, profile: str = "clean") -> tuple[Path, dict]:
    corpus = WORK / (f"corpus-{size}" if profile == "clean" else f"corpus-{profile}-{size}")
    manifest_path = corpus / "manifest.json"
    t0 = time.perf_counter()
    manifest = generate_corpus.generate(corpus, size, seed, profile=profile)
    print(f"  generated {size} files in {time.perf_counter() - t0:.1f}s ({manifest_path})", flush=True)
    return corpus, manifest


def expected_of(manifest: dict) -> list[tuple[str, str, int]]:
    return [(d["path"], d["code"], d["line"]) for d in manifest["diagnostics"]]


def _corpuslint_result(tool: str, runs: list[Measured], corpus: Path, manifest: dict) -> dict:
    runs = sorted(runs, key=lambda m: m.wall_s)
    median = runs[len(runs) // 2]
    if median.returncode not in (0, 1):
        raise SystemExit(f"corpuslint failed ({median.returncode}):\n{median.stderr[-3000:]}")
    diagnostics = json.loads(median.stdout)
    if manifest.get("profile", "clean") != "clean":
        # the dense profile's prose is full of TY/SR findings on purpose: score FM and FN only
        diagnostics = [d for d in diagnostics if d["code"] in CODES]
    reported = [(_relative(d["path"], corpus, corpus), d["code"], d["line"]) for d in diagnostics]
    files = manifest["files"]
    return {
        "tool": tool,
        "files": files,
        "command": " ".join(median.command),
        "runs": len(runs),
        "wall_s": median.wall_s,
        "wall_all_s": [round(m.wall_s, 3) for m in runs],
        "files_per_s": files / median.wall_s,
        "cpu_s": median.cpu_s,
        "max_rss_largest_mb": max(m.max_rss_largest_mb for m in runs),
        "peak_rss_sum_mb": max(m.peak_rss_sum_mb for m in runs),
        "peak_processes": max(m.peak_processes for m in runs),
        "score": score(expected_of(manifest), reported),
    }


def _check_command(jobs: int | None, extra: tuple[str, ...] = (), target: str = "content") -> list[str]:
    command = corpuslint_command() + ["check", target, "--no-links", "--output-format", "json", *extra]
    return command + (["--jobs", str(jobs)] if jobs else [])


def run_floor(corpus: Path, repeat: int, schema: Path | None = None) -> dict:
    """bench/floor.py on `corpus`: the median wall of `repeat` runs."""
    command = [sys.executable, str(BENCH / "floor.py"), str(corpus)]
    if schema is not None and schema.is_file():
        command.append(str(schema))
    runs = sorted((measure(command, corpus) for _ in range(repeat)), key=lambda m: m.wall_s)
    median = runs[len(runs) // 2]
    if median.returncode != 0:
        raise SystemExit(f"floor failed:\n{median.stderr[-2000:]}")
    return {"wall_s": median.wall_s, "cpu_s": median.cpu_s, "peak_rss_sum_mb": median.peak_rss_sum_mb}


def run_select(corpus: Path, manifest: dict, repeat: int, jobs: int | None) -> dict:
    """Cold runs of `--select FM,FN` (the front-matter and footnote rules only)."""
    runs = []
    for _ in range(repeat):
        shutil.rmtree(corpus / ".corpuslint_cache", ignore_errors=True)
        runs.append(measure(_check_command(jobs, ("--select", "FM,FN")), corpus))
    result = _corpuslint_result("corpuslint --select FM,FN", runs, corpus, manifest)
    return result


def python_pass(runs: int, python: Path | None = None) -> float:
    """Median wall of `python -c pass` with a venv's interpreter (the one-file run's unit)."""
    command = [str(python or sys.executable), "-c", "pass"]
    measure(command, REPO, sample=False)
    walls = [measure(command, REPO, sample=False).wall_s for _ in range(runs)]
    return statistics.median(walls)


REAL_CORPORA = REPO.parent / "shared" / "real-corpora"


def run_real_corpora(repeat: int, jobs: int | None) -> list[dict]:
    """Every corpus under ../shared/real-corpora (when present): all offline rules, JSON output,
    and the floor on the same files. No manifest: no recall or precision."""
    found = []
    if not REAL_CORPORA.is_dir():
        return found
    for corpus in sorted(p for p in REAL_CORPORA.iterdir() if p.is_dir()):
        files = sum(1 for _ in corpus.rglob("*.md"))
        if not files:
            continue
        runs = []
        for _ in range(repeat):
            runs.append(measure(_check_command(jobs, ("--no-cache",), target="."), corpus))
        runs.sort(key=lambda m: m.wall_s)
        median = runs[len(runs) // 2]
        if median.returncode not in (0, 1):
            print(
                f"  {corpus.name}: corpuslint exited {median.returncode}: {median.stderr[-500:]}", flush=True
            )
            continue
        floor = run_floor(corpus, repeat)
        found.append(
            {
                "tool": f"corpuslint on {corpus.name}",
                "files": files,
                "wall_s": median.wall_s,
                "files_per_s": files / median.wall_s,
                "cpu_s": median.cpu_s,
                "peak_rss_sum_mb": median.peak_rss_sum_mb,
                "findings": len(json.loads(median.stdout)),
                "floor_s": floor["wall_s"],
                "floor_cpu_s": floor["cpu_s"],
            }
        )
        print(
            f"  {corpus.name}: {median.wall_s:.2f}s for {files} files (floor {floor['wall_s']:.2f}s)",
            flush=True,
        )
    return found


def targets_table(results: dict) -> str:
    """The #9 targets, from this run's numbers."""
    rows = [
        "| profile | files | run | wall | CPU | tree RSS peak | files/s | wall × floor | CPU × floor "
        "| target | recall / precision |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for entry in results.get("profiles", []):
        floor = entry["floor"]["wall_s"]
        cold = entry["all"]
        for name, r, target in (
            ("floor: read + YAML + jsonschema, 1 core", {**entry["floor"], "files": cold["files"]}, "-"),
            ("all offline rules, JSON", cold, "≤ 1.0× floor, ≤ 100 MB"),
            ("`--select FM,FN`", entry.get("select"), "≤ 0.5× floor"),
            ("warm rerun (cache)", entry.get("warm"), "≤ 0.05× cold"),
        ):
            if not r:
                continue
            s = r.get("score")
            quality = f"{s['recall']:.1%} / {s['precision']:.1%}" if s else "-"
            ratio = r["wall_s"] / floor
            cpu_ratio = r["cpu_s"] / entry["floor"]["cpu_s"] if entry["floor"]["cpu_s"] else 0.0
            extra = f" ({r['wall_s'] / cold['wall_s']:.3f}× cold)" if name.startswith("warm") else ""
            rows.append(
                f"| {entry['profile']} | {cold['files']:,} | {name} | {r['wall_s']:.2f} s{extra} | "
                f"{r['cpu_s']:.1f} s | {r['peak_rss_sum_mb']:.0f} MB | {cold['files'] / r['wall_s']:,.0f} | "
                f"{ratio:.2f} | {cpu_ratio:.2f} | {target} | {quality} |"
            )
    for r in results.get("real_corpora", []):
        rows.append(
            f"| real: {r['tool'].removeprefix('corpuslint on ')} | {r['files']:,} | all offline rules, JSON "
            f"({r['findings']:,} findings) | {r['wall_s']:.2f} s | {r['cpu_s']:.1f} s | "
            f"{r['peak_rss_sum_mb']:.0f} MB | {r['files_per_s']:,.0f} | {r['wall_s'] / r['floor_s']:.2f} | "
            f"{(r['cpu_s'] / r['floor_cpu_s']) if r.get('floor_cpu_s') else float('nan'):.2f} | ≤ 1.0× floor | - |"
        )
    rows.extend(one_file_rows(results))
    return "\n".join(rows)


def one_file_rows(results: dict) -> list[str]:
    """The one-file runs as a table: each against `python -c pass` of its own venv."""
    found = results.get("one_file", [])
    if not found:
        return []
    rows = [
        "",
        "| one-file run | case | wall (median) | `python -c pass` of that venv | ratio | target |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for one in found:
        unit = one.get("python_pass_s") or results.get("python_pass_s")
        ratio = f"{one['median_wall_s'] / unit:.1f}×" if unit else "-"
        rows.append(
            f"| {one['venv']} | {one.get('case', 'unchanged file (cache hit)')} | "
            f"{one['median_wall_s'] * 1000:.0f} ms | {unit * 1000:.0f} ms | {ratio} | ≤ 4× |"
        )
    return rows


def run_corpuslint(corpus: Path, manifest: dict, repeat: int, jobs: int | None) -> dict:
    """Cold runs: the per-file result cache is removed before each (the last run leaves it)."""
    runs = []
    for _ in range(repeat):
        shutil.rmtree(corpus / ".corpuslint_cache", ignore_errors=True)
        runs.append(measure(_check_command(jobs), corpus))
    return _corpuslint_result("corpuslint", runs, corpus, manifest)


EDITED_FRACTION = 100  # one file in this many is edited for the incremental run


def run_incremental(corpus: Path, manifest: dict, repeat: int, jobs: int | None) -> list[dict]:
    """Runs with the cache the cold runs left: nothing changed, then 1% of the files edited (a
    paragraph appended, which changes no expected diagnostic)."""
    command = _check_command(jobs)
    warm = [measure(command, corpus) for _ in range(repeat)]
    results = [_corpuslint_result("corpuslint, cached, no file changed", warm, corpus, manifest)]
    files = sorted((corpus / "content").rglob("*.md"))
    edited = []
    for round_ in range(repeat):
        for index, path in enumerate(files):
            if index % EDITED_FRACTION == round_ % EDITED_FRACTION:
                with open(path, "a", encoding="utf-8") as handle:
                    handle.write(f"\n补记第{round_ + 1}次：此段为增量测试追加的文字。\n")
        edited.append(measure(command, corpus))
    share = f"{len(files) // EDITED_FRACTION:,} files"
    results.append(_corpuslint_result(f"corpuslint, cached, {share} edited", edited, corpus, manifest))
    return results


def user_venv() -> Path | None:
    """A venv with corpuslint and its runtime dependencies only (bench/.work/venv-user), installed
    as pre-commit installs a hook: `pip install .` (not editable), the versions of the lock. The
    development venv also holds the test extras (some change what `import jsonschema` costs) and
    an editable finder. corpuslint itself is reinstalled on every bench run (it is a copy)."""
    venv = WORK / "venv-user"
    entry = venv / "bin" / "corpuslint"
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    if not entry.exists():
        print("  creating bench/.work/venv-user (pip install . without extras)", flush=True)
        made = subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)])
        if made.returncode == 0:
            made = subprocess.run(pip + ["-c", str(REPO / "constraints" / "test.txt"), str(REPO)])
    else:
        made = subprocess.run(pip + ["--no-deps", "--force-reinstall", str(REPO)])
    if made.returncode != 0 or not entry.exists():
        print("  could not create the user venv: skipping it", flush=True)
        return None
    return entry


def one_file_runs(corpus: Path, manifest: dict, runs: int, with_user_venv: bool) -> tuple[list[dict], float]:
    """The one-file runs of the development venv and (with_user_venv) of the runtime-only venv,
    each against `python -c pass` of its own interpreter; and the development venv's unit."""
    venvs = [(corpuslint_command(), Path(sys.executable), "development venv (editable)")]
    if with_user_venv:
        entry = user_venv()
        if entry:
            venvs.append(
                ([str(entry)], entry.parent / "python", "runtime-only venv, `pip install .` (as pre-commit)")
            )
    found = []
    for command, python, label in venvs:
        unit = python_pass(runs, python)
        for edited in (False, True):
            one = one_file_run(corpus, manifest, runs, command, label, edited)
            one["python_pass_s"] = unit
            found.append(one)
            print(
                f"one-file run, {label}, {one['case']}: median {one['median_wall_s'] * 1000:.0f} ms"
                f" = {one['median_wall_s'] / unit:.1f}x python -c pass ({unit * 1000:.0f} ms)",
                flush=True,
            )
    return found, python_pass(runs, Path(sys.executable))


def one_file_run(
    corpus: Path, manifest: dict, runs: int, entry: list[str], label: str, edited: bool = False
) -> dict:
    """`check <one clean file> --no-links` with the cache: the file unchanged since the last run
    (the cache serves it), or, with `edited`, a line appended before each run (the cache misses:
    what a pre-commit hook sees for a staged file). The file is restored afterwards."""
    dirty = {d["path"] for d in manifest["diagnostics"]}
    target = next(
        str(p.relative_to(corpus))
        for p in sorted((corpus / "content").rglob("*.md"))
        if str(p.relative_to(corpus)) not in dirty
    )
    path = corpus / target
    original = path.read_bytes()
    command = entry + ["check", target, "--no-links"]
    walls, rss = [], []
    try:
        measure(command, corpus, sample=False)  # warm the page cache and any bytecode; fills the cache
        for index in range(runs):
            if edited:
                path.write_bytes(original + f"\n补记第{index + 1}次。\n".encode())
            m = measure(command, corpus, sample=False)
            if m.returncode != 0:
                raise SystemExit(
                    f"one-file run failed ({m.returncode}) on a clean file:\n{m.stdout}{m.stderr}"
                )
            walls.append(m.wall_s)
            rss.append(m.max_rss_largest_mb)
    finally:
        path.write_bytes(original)
    return {
        "venv": label,
        "case": "edited file (cache miss)" if edited else "unchanged file (cache hit)",
        "command": " ".join(command),
        "runs": runs,
        "median_wall_s": statistics.median(walls),
        "min_wall_s": min(walls),
        "max_wall_s": max(walls),
        "max_rss_mb": max(rss),
    }


# --- profile -----------------------------------------------------------------------------------

# Where a sample's time goes: the first category (in this order) with a marker in the sample's
# stack, so work a rule triggers in a shared analysis (the parse, the footnote index) is counted
# as that analysis, not as the rule that asked first.
PROFILE_CATEGORIES = (
    ("imports at start-up", ("_find_and_load",), ("lint_file",)),
    ("markdown-it-py parse (`Document.tokens`)", ("Document.tokens", "markdown_it/"), ()),
    ("footnote index: plain scan and assembly (`corpuslint/footnotes.py`)", ("corpuslint/footnotes.py",), ()),
    ("CT002 retrieval dates (besides the footnote index)", ("retrieval_date ",), ()),
    ("FM003 jsonschema validation", ("schema_violation", "jsonschema/"), ()),
    ("reading, decoding, front matter YAML (`Document.read`)", ("Document.read", "Document.from_bytes"), ()),
    ("other FM rules", ("rules/frontmatter.py",), ()),
    ("FN rules (besides the index)", ("rules/footnotes.py",), ()),
    ("TY rules", ("rules/typography.py", "rules/quotes.py", "rules/cjk_"), ()),
    ("SR001", ("rules/residue.py",), ()),
    ("suppression comments", ("suppressions.py",), ()),
    ("file cache", ("filecache.py",), ()),
    ("reporter", ("reporters/",), ()),
    ("rest of the per-file work (runner, diagnostics)", ("lint_file",), ()),
)


def classify_stack(stack: str) -> str:
    for name, markers, unless in PROFILE_CATEGORIES:
        if any(m in stack for m in markers) and not any(u in stack for u in unless):
            return name
    return "other (CLI, config, discovery, schema loading)"


def profile(corpus: Path, py_spy: str, rate: int = 500) -> dict:
    """py-spy on a single-process run without the cache: share of samples per category."""
    out = WORK / "profile.txt"
    shutil.rmtree(corpus / ".corpuslint_cache", ignore_errors=True)
    command = corpuslint_command() + ["check", "content", "--no-links", "--jobs", "1", "--no-cache"]
    done = subprocess.run(
        [py_spy, "record", "-r", str(rate), "-f", "raw", "-o", str(out), "--", *command],
        cwd=corpus,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if not out.exists():
        raise SystemExit(f"py-spy failed ({done.returncode}): {done.stderr[-2000:]}")
    shares: Counter = Counter()
    for line in out.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if count.isdigit():
            shares[classify_stack(stack)] += int(count)
    total = sum(shares.values())
    return {
        "command": " ".join(command),
        "rate": rate,
        "samples": total,
        "shares": [(name, count / total) for name, count in shares.most_common()],
    }


# --- anchors -----------------------------------------------------------------------------------


def ensure_anchors() -> bool:
    if (ANCHORS / "node_modules" / ".bin" / "remark").exists() and (
        ANCHORS / "node_modules" / ".bin" / "markdownlint-cli2"
    ).exists():
        return True
    npm = shutil.which("npm")
    if not npm:
        print("  npm not found: skipping the anchors", flush=True)
        return False
    print("  installing the anchors (npm ci in bench/anchors)", flush=True)
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ANCHORS)
    return done.returncode == 0


# remark's text reporter: a line naming the file, then `  L:C-L:C  warning  message  rule  source`.
_REMARK_MESSAGE = re.compile(
    r"^\s*(?:(\d+):(\d+)(?:-\d+:\d+)?)?\s+(warning|error|info)\s+(.*?)\s+([\w:-]+)\s+(remark-lint)\s*$"
)
_REMARK_FILE = re.compile(r"^(\S.*?\.md)(?::\s.*)?$")


def map_remark(rule: str, message: str) -> str | None:
    if rule == "no-undefined-references":
        return "FN001"
    if rule == "no-unused-definitions":
        return "FN002"
    if rule == "no-duplicate-definitions":
        return "FN003"
    if rule == "frontmatter-schema":
        if "YAML frontmatter parsing" in message:
            return "FM002"
        if "JSON schema malformed" in message or "YAML schema file" in message:
            return None
        return "FM003"
    return None


def parse_remark(text: str, corpus: Path) -> tuple[list[tuple[str, str, int]], Counter]:
    reported, unmapped = [], Counter()
    current = None
    for line in text.splitlines():
        if not line.strip():
            continue
        message = _REMARK_MESSAGE.match(line)
        if message and current:
            number, _, severity, reason, rule, _ = message.groups()
            if severity == "info":  # the `[cause]` of the message before (e.g. "already defined here")
                continue
            code = map_remark(rule, reason)
            if code:
                # messages without a position concern the whole front matter (a missing key)
                reported.append((current, code, int(number or 1)))
            else:
                unmapped[rule] += 1
            continue
        found = _REMARK_FILE.match(line)
        if found and not line.startswith(" "):
            current = _relative(found.group(1), corpus, corpus)
    return reported, unmapped


_MDL_LINE = re.compile(r"^(.+?\.md):(\d+)(?::(\d+))? (?:error |warning )?(MD\d+)/(\S+) (.*)$")


def map_markdownlint(rule: str, detail: str) -> str | None:
    if rule == "MD052":
        return "FN001"
    if rule == "MD053":
        if "Duplicate" in detail:
            return "FN003"
        return "FN002"
    return None


def parse_markdownlint(text: str, corpus: Path) -> tuple[list[tuple[str, str, int]], Counter]:
    reported, unmapped = [], Counter()
    for line in text.splitlines():
        match = _MDL_LINE.match(line)
        if not match:
            continue
        path, number, _, rule, _, detail = match.groups()
        code = map_markdownlint(rule, detail)
        if code:
            reported.append((_relative(path, corpus, corpus), code, int(number)))
        else:
            unmapped[rule] += 1
    return reported, unmapped


REMARK_CODES = ("FN001", "FN002", "FN003", "FM002", "FM003")
MARKDOWNLINT_CODES = ("FN001", "FN002", "FN003")


def run_anchors(corpus: Path, manifest: dict, timeout: float) -> list[dict]:
    if not ensure_anchors():
        return []
    # remark-lint-frontmatter-schema compiles with Ajv's draft-07 class, which rejects a schema
    # declaring 2020-12; the anchor gets the same schema without the `$schema` declaration.
    schema = json.loads((corpus / "article.schema.json").read_text(encoding="utf-8"))
    schema.pop("$schema", None)
    (corpus / "anchor.schema.json").write_text(json.dumps(schema, indent=1), encoding="utf-8")
    bin_dir = ANCHORS / "node_modules" / ".bin"
    expected = expected_of(manifest)
    results = []
    jobs = [
        (
            "remark-cli (frontmatter-schema + reference rules)",
            [
                str(bin_dir / "remark"),
                "--rc-path",
                str(ANCHORS / ".remarkrc.mjs"),
                "--no-stdout",
                "--no-color",
                "--quiet",
                "content",
            ],
            parse_remark,
            REMARK_CODES,
            "stderr",
        ),
        (
            "markdownlint-cli2 (default rules, MD052/MD053)",
            [
                str(bin_dir / "markdownlint-cli2"),
                "--config",
                str(ANCHORS / ".markdownlint-cli2.jsonc"),
                "content/**/*.md",
            ],
            parse_markdownlint,
            MARKDOWNLINT_CODES,
            "stderr",
        ),
    ]
    for name, command, parse, mappable, stream in jobs:
        print(f"  {name} on {manifest['files']} files (limit {timeout:.0f}s)...", flush=True)
        m = measure(command, corpus, timeout=timeout)
        reported, unmapped = parse(getattr(m, stream), corpus)
        # one report per (file, code, line): remark says "anyOf" and then each failed branch
        reported = sorted(set(reported))
        result = {
            "tool": name,
            "files": manifest["files"],
            "command": " ".join(command),
            "wall_s": m.wall_s,
            "timed_out": m.timed_out,
            "returncode": m.returncode,
            "files_per_s": manifest["files"] / m.wall_s,
            "cpu_s": m.cpu_s,
            "max_rss_largest_mb": m.max_rss_largest_mb,
            "peak_rss_sum_mb": m.peak_rss_sum_mb,
            "mappable_codes": list(mappable),
            "score_all": score(expected, reported),
            "score_mappable": score(expected, reported, mappable),
            "unmapped_reports": dict(unmapped.most_common()),
        }
        results.append(result)
        print(f"    {_summary(result)}", flush=True)
    return results


# --- report ------------------------------------------------------------------------------------


def _summary(r: dict) -> str:
    s = r.get("score") or r["score_all"]
    return (
        f"{r['wall_s']:.2f}s wall, {r['files_per_s']:.0f} files/s, {r['cpu_s']:.2f}s CPU, "
        f"largest process {r['max_rss_largest_mb']:.0f} MB, tree peak {r['peak_rss_sum_mb']:.0f} MB, "
        f"recall {s['recall']:.1%}, precision {s['precision']:.1%}"
        + (" (TIMED OUT)" if r.get("timed_out") else "")
    )


def markdown_table(results: dict) -> str:
    rows = [
        "| tool | files | wall | files/s | CPU (user+sys) | largest process RSS | tree RSS peak "
        "| recall | precision |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results["corpuslint"] + results.get("incremental", []) + results["anchors"]:
        s = r.get("score") or r["score_all"]
        recall = f"{s['recall']:.1%}"
        if "score_mappable" in r:
            recall += f" ({r['score_mappable']['recall']:.1%} of {'/'.join(r['mappable_codes'])})"
        precision = f"{s['precision']:.1%}" if "score" in r else f"{r['score_mappable']['precision']:.1%}"
        wall = f"{r['wall_s']:.2f} s" + (" (stopped)" if r.get("timed_out") else "")
        rows.append(
            f"| {r['tool']} | {r['files']:,} | {wall} | {r['files_per_s']:,.0f} | {r['cpu_s']:.1f} s | "
            f"{r['max_rss_largest_mb']:.0f} MB | {r['peak_rss_sum_mb']:.0f} MB | {recall} | {precision} |"
        )
    if results.get("profile"):
        rows.append("")
        rows.append(f"Profile: `{results['profile']['command']}`, {results['profile']['samples']} samples")
        rows.append("")
        rows.append("| share | where |")
        rows.append("| ---: | --- |")
        for name, share in results["profile"]["shares"]:
            rows.append(f"| {share:.0%} | {name} |")
    for one in results.get("one_file", []):
        low, high, median = (one[k] * 1000 for k in ("min_wall_s", "max_wall_s", "median_wall_s"))
        rows.append("")
        rows.append(
            f"One-file run, {one['venv']}, {one.get('case', 'unchanged file')}: median {median:.0f} ms"
            f" over {one['runs']} runs (min {low:.0f}, max {high:.0f}), max RSS {one['max_rss_mb']:.0f} MB."
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="corpuslint runs per size (median kept)")
    parser.add_argument("--jobs", type=int, default=None, help="pass --jobs N to corpuslint")
    parser.add_argument("--one-file-runs", type=int, default=10)
    parser.add_argument(
        "--no-user-venv", action="store_true", help="time the one-file run in the development venv only"
    )
    parser.add_argument("--skip-anchors", action="store_true")
    parser.add_argument("--skip-incremental", action="store_true", help="no cached runs")
    parser.add_argument("--anchor-timeout", type=float, default=900, help="seconds per anchor run")
    parser.add_argument(
        "--profile",
        metavar="PY_SPY",
        nargs="?",
        const="py-spy",
        help="profile a single-process run on the smallest corpus with py-spy (path optional)",
    )
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument(
        "--profiles", default="clean,dense", help="corpus profiles (bench/generate_corpus.py)"
    )
    parser.add_argument(
        "--targets", action="store_true", help="only the #9 targets: floor, cold, FM,FN, warm"
    )
    parser.add_argument("--skip-real", action="store_true", help="do not run ../shared/real-corpora")
    parser.add_argument(
        "--work", type=Path, default=None, help="corpora and scratch files here (bench/.work)"
    )
    args = parser.parse_args(argv)
    if args.work is not None:
        global WORK
        WORK = args.work.resolve()
    if args.targets:
        return targets_main(args)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    WORK.mkdir(parents=True, exist_ok=True)

    results: dict = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "corpuslint": [],
        "incremental": [],
        "anchors": [],
    }
    corpora = {}
    for size in sizes:
        print(f"corpus of {size} files", flush=True)
        corpus, manifest = prepare(size, args.seed, args.profiles.split(",")[0].strip())
        corpora[size] = (corpus, manifest)
        r = run_corpuslint(corpus, manifest, args.repeat, args.jobs)
        results["corpuslint"].append(r)
        print(f"  corpuslint: {_summary(r)}", flush=True)
        for code, c in r["score"]["per_code"].items():
            if c["found"] != c["expected"] or c["false"]:
                print(
                    f"    {code}: found {c['found']}/{c['expected']}, {c['false']} not expected", flush=True
                )
    if not args.skip_incremental:
        corpus, manifest = corpora[max(sizes)]
        for r in run_incremental(corpus, manifest, args.repeat, args.jobs):
            results["incremental"].append(r)
            print(f"  {r['tool']}: {_summary(r)}", flush=True)
    corpus, manifest = corpora[min(sizes)]
    results["one_file"], results["python_pass_s"] = one_file_runs(
        corpus, manifest, args.one_file_runs, not args.no_user_venv
    )
    if args.profile:
        corpus, manifest = corpora[min(sizes)]
        found = shutil.which(args.profile) or args.profile
        results["profile"] = profile(corpus, found)
        print(f"profile ({results['profile']['samples']} samples):", flush=True)
    if not args.skip_anchors:
        corpus, manifest = corpora[max(sizes)]
        results["anchors"] = run_anchors(corpus, manifest, args.anchor_timeout)
    print()
    print(markdown_table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


def targets_main(args: argparse.Namespace) -> int:
    """Per profile and size: the floor, all rules cold, --select FM,FN, the warm rerun; the real
    corpora; the one-file run against `python -c pass`. Prints the targets table."""
    WORK.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}, "profiles": []}
    smallest = None
    for profile in [p.strip() for p in args.profiles.split(",") if p.strip()]:
        for size in sizes:
            print(f"{profile} corpus of {size} files", flush=True)
            corpus, manifest = prepare(size, args.seed, profile)
            smallest = smallest or (corpus, manifest)
            entry = {"profile": profile, "files": size}
            entry["floor"] = run_floor(corpus, args.repeat, corpus / "article.schema.json")
            entry["all"] = run_corpuslint(corpus, manifest, args.repeat, args.jobs)
            entry["select"] = run_select(corpus, manifest, args.repeat, args.jobs)
            shutil.rmtree(corpus / ".corpuslint_cache", ignore_errors=True)
            measure(_check_command(args.jobs), corpus)  # fills the cache
            warm = [measure(_check_command(args.jobs), corpus) for _ in range(args.repeat)]
            entry["warm"] = _corpuslint_result("warm", warm, corpus, manifest)
            for key in ("all", "select", "warm"):
                print(f"  {key}: {_summary(entry[key])}", flush=True)
            print(f"  floor: {entry['floor']['wall_s']:.2f}s", flush=True)
            results["profiles"].append(entry)
    if not args.skip_real:
        results["real_corpora"] = run_real_corpora(args.repeat, args.jobs)
    if smallest:
        results["one_file"], results["python_pass_s"] = one_file_runs(
            *smallest, args.one_file_runs, not args.no_user_venv
        )
    print()
    print(targets_table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
