"""The built wheel, installed into a fresh virtual environment, works as users run it.

The wheel is built (without build isolation, from a copy of the working tree so the shared tree
gets no build/ directory) and installed with its dependencies from the package index into a new
venv shared by the module's tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from corpuslint import __version__
from tests.conftest import copy_worktree

pytestmark = pytest.mark.slow

BAD = "---\ntitle: Bad\n---\nText[^1].\n"  # FN001


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin directory of a fresh venv with the wheel installed."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "src"
    copy_worktree(source, skip=("bench/", "tests/"))
    dist = root / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = dist.glob("corpuslint-*.whl")
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    proc = subprocess.run(
        [
            str(bindir / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return bindir


def run(bindir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "VIRTUAL_ENV", "PYTHON"))}
    return subprocess.run(
        [str(bindir / "corpuslint"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_version(installed, tmp_path):
    proc = run(installed, "--version", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"corpuslint {__version__}"


def test_installed_from_the_wheel_not_the_checkout(installed, tmp_path):
    proc = subprocess.run(
        [str(installed / "python"), "-c", "import corpuslint; print(corpuslint.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert Path(proc.stdout.strip()).is_relative_to(installed.parent)


def test_rules(installed, tmp_path):
    proc = run(installed, "rules", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    codes = {line.split()[0] for line in proc.stdout.splitlines()[1:] if line.strip()}
    assert {"IO001", "FN001"} <= codes


def test_check_exit_codes_and_json(installed, tmp_path):
    (tmp_path / "good.md").write_text("---\ntitle: Good\n---\n# Good\n")
    clean = run(installed, "check", "--no-links", "good.md", cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "All checks passed!" in clean.stdout
    (tmp_path / "bad.md").write_text(BAD)
    bad = run(installed, "check", "--no-links", "--output-format", "json", ".", cwd=tmp_path)
    assert bad.returncode == 1, bad.stderr
    diagnostics = json.loads(bad.stdout)
    assert [(d["path"], d["line"], d["code"]) for d in diagnostics] == [("bad.md", 4, "FN001")]
    sarif = run(installed, "check", "--no-links", "--output-format", "sarif", ".", cwd=tmp_path)
    assert json.loads(sarif.stdout)["runs"][0]["results"][0]["ruleId"] == "FN001"
    usage = run(installed, "check", "missing.md", cwd=tmp_path)
    assert usage.returncode == 2
