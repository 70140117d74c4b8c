"""examples/README.md says exactly what `python3 dev.py lint` (`corpuslint check --no-links
examples/`) prints, and what the run with links adds without a network: checked by running them
with name lookups and connections failing inside the process (nothing leaves the machine, and
a request the offline command made would show)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import REPO

OFFLINE = """
import errno, os, socket, sys

def no_dns(*args, **kwargs):
    raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

def no_route(*args, **kwargs):
    raise OSError(errno.ENETUNREACH, "Network is unreachable")

socket.getaddrinfo = no_dns
socket.socket.connect = no_route
socket.socket.connect_ex = no_route
socket.create_connection = no_route
calls = []

def count(function):
    def wrapped(*args, **kwargs):
        calls.append(function.__name__)
        return function(*args, **kwargs)
    return wrapped

socket.getaddrinfo = count(no_dns)
socket.socket.connect = count(no_route)
socket.socket.connect_ex = count(no_route)
socket.create_connection = count(no_route)
from corpuslint.cli import main
code = main(["check", *sys.argv[1:], "examples/"])
sys.stderr.write(f"network calls: {len(calls)}\\n")
sys.exit(code)
"""
LK000 = re.compile(r"^LK000 network unavailable: 8 links not checked \(.+\); likely cause: .+$", re.M)


def readme_output() -> str:
    text = (REPO / "examples" / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## What the first command prints") :]
    return re.search(r"```\n(.*?)```", section, re.S).group(1)


def _run(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and k != "GITHUB_ACTIONS"}
    env["CORPUSLINT_CACHE_DIR"] = str(tmp_path / "cache")
    return subprocess.run(
        [sys.executable, "-c", OFFLINE, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )


def test_example_readme_shows_exactly_what_the_offline_first_command_prints(tmp_path):
    proc = _run(tmp_path, "--no-links")  # what `python3 dev.py lint` runs
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == readme_output()
    assert "network calls: 0" in proc.stderr  # not one lookup, not one connect
    assert "clean-article.md" not in proc.stdout


def test_with_links_and_no_network_the_run_says_so_once(tmp_path):
    proc = _run(tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert LK000.search(proc.stdout), proc.stdout  # one note about the run, not 8 broken links
    assert "network calls: 0" not in proc.stderr  # the count above would see a request
    assert "links.md:11:34: LK004" in proc.stdout
    offline = [line for line in readme_output().splitlines() if ":" in line and line.startswith("examples/")]
    assert all(line in proc.stdout for line in offline)  # the offline findings, and more


def test_dev_py_lint_runs_offline():
    text = (REPO / "dev.py").read_text(encoding="utf-8")
    assert '["--no-links", "examples/"]' in text


def test_readme_recorded_run_on_the_samples_is_what_corpuslint_prints(tmp_path):
    shared = REPO.parent / "shared"
    if not (shared / "samples").is_dir():
        pytest.skip("../shared/samples is not here")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```\n\$ cd \.\./shared && corpuslint (check [^\n]*)\n(.*?)```", readme, re.S)
    command, expected = block.group(1).split(), block.group(2)
    env = {**os.environ, "CORPUSLINT_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("GITHUB_ACTIONS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "corpuslint", *command, "--no-cache"],
        cwd=shared,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == expected
    errors = [line for line in expected.splitlines() if " FM" in line or " FN" in line]
    assert errors and expected.index(errors[0]) == 0  # the errors come first
