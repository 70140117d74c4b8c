"""examples/README.md says exactly what `python3 dev.py lint` (`corpuslint check examples/`)
prints without a network: checked by running it with name lookups and connections failing
inside the process (nothing leaves the machine)."""

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
from corpuslint.cli import main
sys.exit(main(["check", "examples/"]))
"""
LK000 = re.compile(r"^LK000 network unavailable: 8 links not checked \(.+\); likely cause: .+$", re.M)


def readme_output() -> str:
    text = (REPO / "examples" / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## What the first command prints") :]
    return re.search(r"```\n(.*?)```", section, re.S).group(1)


def test_example_readme_shows_exactly_the_offline_output(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and k != "GITHUB_ACTIONS"}
    env["CORPUSLINT_CACHE_DIR"] = str(tmp_path / "cache")
    proc = subprocess.run(
        [sys.executable, "-c", OFFLINE], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 1, proc.stderr
    expected, actual = readme_output(), proc.stdout
    # the parenthesis names the system's own error text: one line matched by its shape
    assert LK000.search(expected) and LK000.search(actual), actual
    assert LK000.sub("LK000", actual) == LK000.sub("LK000", expected)
    assert "clean-article.md" not in actual


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
