"""Long runs, through the installed entry point: SIGTERM/SIGHUP end the workers and exit
128+N, progress shows on a terminal only (pseudo-terminal via pexpect), and one failing
document never stops the others."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import corpuslint_executable

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and pseudo-terminals")

ARTICLE = (
    "---\ntitle: 标题\n---\n"
    + "这是一段中文,后面还有中文。引用[^1]。\n" * 40
    + "\n[^1]: 来源 <http://127.0.0.1/x>\n"
)


def make_corpus(root: Path, count: int) -> Path:
    for i in range(count):
        directory = root / f"d{i // 500}"
        directory.mkdir(exist_ok=True)
        (directory / f"a{i:05d}.md").write_text(ARTICLE, encoding="utf-8")
    return root


def _processes() -> list[tuple[int, list[str]]]:
    """(pid, the fields of /proc/PID/stat after the command name) of every live process."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    found.append((int(entry), handle.read().rsplit(")", 1)[1].split()))
            except OSError:
                continue
    return found


def _children(pid: int) -> list[int]:
    return [child for child, fields in _processes() if int(fields[1]) == pid]


def _group_members(pgid: int) -> list[int]:
    """Processes of the group that have not exited (zombies are gone but for their parent's wait)."""
    return [member for member, fields in _processes() if int(fields[2]) == pgid and fields[0] != "Z"]


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to see the worker processes")
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_ends_the_workers_and_exits_128_plus_n(tmp_path, signum, status):
    make_corpus(tmp_path, 4000)
    proc = subprocess.Popen(
        [corpuslint_executable(), "check", "--no-links", "--no-cache", "--jobs", "2", "."],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(_children(proc.pid)) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "the run ended before the signal"
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == status, err.decode()
    assert b"Traceback" not in err
    assert f"stopped by {signal.Signals(signum).name}".encode() in err
    deadline = time.monotonic() + 10
    while _group_members(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _group_members(proc.pid) == []  # no worker left behind


def _spawn(tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    pexpect = pytest.importorskip("pexpect")
    full_env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    full_env.update(env or {})
    return pexpect.spawn(
        corpuslint_executable(),
        ["check", "--no-links", "--no-cache", "--jobs", "1", "--statistics", *args, "."],
        cwd=str(tmp_path),
        env=full_env,
        timeout=120,
        encoding="utf-8",
    )


PROGRESS = r"linting: [\d,]+/400 files, [\d,]+/s, ETA \d+:\d\d"


def test_progress_line_on_a_terminal(tmp_path):
    import pexpect

    make_corpus(tmp_path, 400)
    child = _spawn(tmp_path)
    assert child.expect([PROGRESS, pexpect.EOF]) == 0
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@pytest.mark.parametrize(("args", "env"), [(("--no-progress",), {}), ((), {"CI": "true"})])
def test_no_progress_with_the_flag_or_in_ci(tmp_path, args, env):
    import pexpect

    make_corpus(tmp_path, 400)
    child = _spawn(tmp_path, *args, env=env)
    child.expect(pexpect.EOF)
    assert "linting:" not in child.before
    child.close()


def test_no_progress_in_a_pipe(tmp_path):
    make_corpus(tmp_path, 400)
    proc = subprocess.run(
        [corpuslint_executable(), "check", "--no-links", "--no-cache", "--jobs", "1", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "linting:" not in proc.stderr and "\r" not in proc.stderr


def test_an_internal_error_in_one_file_is_a_diagnostic_and_the_run_goes_on(corpus, cli, monkeypatch):
    from corpuslint import registry

    rules = registry.all_rules()
    original = rules["FN001"]

    def explode(doc, ctx):
        if "boom" in doc.text:
            raise ValueError("something broke\nsecond line")
        return original.check(doc, ctx)

    monkeypatch.setitem(registry._RULES, "FN001", replace(original, check=explode))
    root = corpus({"a.md": "boom\n", "b.md": "Text[^1].\n"})
    result = cli("check", "--no-links", "--no-cache", "--jobs", "1", ".", cwd=root)
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0] == (
        "a.md:1:1: IO003 internal error, this file was not linted: ValueError: something broke (please report it)"
    )
    assert lines[1].startswith("b.md:1:5: FN001 ")
    assert "Traceback" not in result.out + result.err


def test_a_failure_of_corpuslint_itself_is_exit_2_without_a_traceback(corpus, cli, monkeypatch):
    from corpuslint import runner

    def broken(*args, **kwargs):
        raise RuntimeError("the runner broke")

    monkeypatch.setattr(runner, "run_groups", broken)
    monkeypatch.delenv("CORPUSLINT_DEBUG", raising=False)
    root = corpus({"a.md": "# Fine\n"})
    result = cli("check", "--no-links", "--no-cache", ".", cwd=root)
    assert result.code == 2
    assert "internal error: RuntimeError: the runner broke" in result.err
    assert "Traceback" not in result.err
