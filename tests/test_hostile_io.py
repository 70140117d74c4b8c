"""Hostile files and text: a `*.md` that is a FIFO, a device, a socket or a link to one is reported
(IO002) without being opened; reads are bounded by the bytes actually read; suppression comments
take linear time and memory. Runs that could hang on a regression run in a subprocess with a
timeout and a memory limit, so a regression fails the test instead of hanging the suite."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from corpuslint import document, suppressions
from corpuslint.diagnostics import Diagnostic, Severity
from corpuslint.document import Document

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, devices and sockets")
GOOD = "---\ntitle: Fine\n---\nPlain text.\n"
MEMORY_LIMIT = 1024 * 1024 * 1024


def _limit_memory() -> None:  # in the child: a runaway read fails with MemoryError, quickly
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_check(root: Path, *args: str, timeout: float = 30) -> tuple[int, list[dict], float]:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "corpuslint", "check", "--no-links", "--output-format", "json", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        preexec_fn=_limit_memory if sys.platform.startswith("linux") else None,
    )
    return proc.returncode, json.loads(proc.stdout or "[]"), time.monotonic() - started


def codes_by_path(found: list[dict]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for item in found:
        result.setdefault(item["path"], []).append(item["code"])
    return result


@posix_only
@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_special_files_in_a_walked_directory_are_io002_and_never_block(tmp_path, cache):
    root = tmp_path
    (root / "good.md").write_text(GOOD)
    os.mkfifo(root / "pipe.md")
    (root / "zero.md").symlink_to("/dev/zero")
    (root / "to-pipe.md").symlink_to(root / "pipe.md")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(root / "sock.md"))
        code, found, elapsed = run_check(root, *([] if cache else ["--no-cache"]), ".")
    finally:
        server.close()
    by_path = codes_by_path(found)
    assert code == 1 and elapsed < 20
    for name in ("pipe.md", "zero.md", "to-pipe.md", "sock.md"):
        assert by_path.get(name) == ["IO002"], (name, found)
    assert "good.md" not in by_path
    messages = {item["path"]: item["message"] for item in found}
    assert "named pipe" in messages["pipe.md"] and "character device" in messages["zero.md"]
    assert "named pipe" in messages["to-pipe.md"] and "socket" in messages["sock.md"]


@posix_only
def test_read_bytes_reports_special_files_without_opening_them(tmp_path, monkeypatch):
    os.mkfifo(tmp_path / "pipe.md")
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    for path in (tmp_path / "pipe.md", Path("/dev/zero"), tmp_path):
        problem = document.read_bytes(str(path))
        assert isinstance(problem, document.ReadProblem) and problem.code == "IO002"
    assert opened == []


@pytest.mark.skipif(not Path("/proc/self/maps").is_file(), reason="needs Linux /proc")
def test_the_size_limit_counts_bytes_read_not_the_reported_size(tmp_path, monkeypatch):
    # /proc files are regular files whose reported size is 0, whatever they hold
    (tmp_path / "maps.md").symlink_to("/proc/self/maps")
    assert os.path.getsize(tmp_path / "maps.md") == 0
    monkeypatch.setattr(document, "MAX_FILE_BYTES", 100)
    doc = Document.read(str(tmp_path / "maps.md"))
    assert doc.read_problem is not None and doc.read_problem.code == "IO002"
    assert "limit" in doc.read_problem.message


def test_a_file_at_the_limit_is_read_and_one_byte_more_is_not(tmp_path, monkeypatch):
    monkeypatch.setattr(document, "MAX_FILE_BYTES", 64)
    (tmp_path / "at.md").write_bytes(b"x" * 64)
    (tmp_path / "over.md").write_bytes(b"x" * 65)
    assert Document.read(str(tmp_path / "at.md")).read_problem is None
    assert Document.read(str(tmp_path / "over.md")).read_problem.code == "IO002"


# -- suppressions: linear time and memory --------------------------------------------------------


def _distinct_disables(count: int, *, memory: bool = False) -> float:
    """Seconds to parse `count` distinct disables and answer three questions (or, with `memory`,
    the peak bytes allocated meanwhile: tracemalloc slows everything down)."""
    text = "".join(f"<!-- corpuslint-disable X{i} -->\ntext\n" for i in range(count))
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    parsed = suppressions.parse(text)
    hits = [
        parsed.suppresses(Diagnostic("a.md", line, 1, "X7", Severity.ERROR, "m")) for line in (1, 16, count)
    ]
    elapsed = time.perf_counter() - started
    assert hits == [False, True, True]
    if memory:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak
    return elapsed


def test_many_distinct_disable_directives_take_linear_time():
    small, large = _distinct_disables(20_000), _distinct_disables(80_000)
    assert large < 10 and large < 8 * max(small, 0.01)


def test_many_distinct_disable_directives_take_linear_memory():
    small, large = _distinct_disables(5_000, memory=True), _distinct_disables(20_000, memory=True)
    assert large < 8 * small and large < 100 * 1024 * 1024  # (609 MB for 5,000 when quadratic)


def _one_long_line(size: int) -> float:
    line = "<!-- corpuslint-disable " * (size // 24)
    text = f"{line}\n{line}-->\n<!-- corpuslint-disable x > y --> <!-- corpuslint-disable FN001 -->\nz\n"
    started = time.perf_counter()
    parsed = suppressions.parse(text)
    elapsed = time.perf_counter() - started
    assert parsed.suppresses(Diagnostic("a.md", 4, 1, "FN001", Severity.ERROR, "m"))
    assert not parsed.suppresses(Diagnostic("a.md", 4, 1, "LK001", Severity.ERROR, "m"))
    return elapsed


def test_directive_scan_of_one_long_line_takes_linear_time():
    small, large = _one_long_line(384 * 1024), _one_long_line(4 * 384 * 1024)
    assert large < 10 and large < 8 * max(small, 0.01)


@posix_only
def test_special_files_named_on_the_command_line_are_io002_and_show_source_never_opens_them(tmp_path):
    os.mkfifo(tmp_path / "pipe.md")
    (tmp_path / "zero.md").symlink_to("/dev/zero")
    code, found, elapsed = run_check(tmp_path, "--show-source", "pipe.md", "zero.md")
    assert code == 1 and elapsed < 20
    assert codes_by_path(found) == {"pipe.md": ["IO002"], "zero.md": ["IO002"]}
