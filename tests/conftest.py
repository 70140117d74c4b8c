"""Shared fixtures: write a small corpus into a temporary directory and run the CLI on it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from corpuslint.cli import main

REPO = Path(__file__).resolve().parent.parent


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def json(self) -> list[dict]:
        return json.loads(self.out)


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def corpus(tmp_path: Path):
    """`corpus({"a.md": "..."})` writes dedented files under a temporary directory and returns it."""

    def make(files: dict[str, str | bytes]) -> Path:
        return write(tmp_path, files)

    return make


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run `corpuslint ARGS` in this process, in directory `cwd`."""

    def run(*args: str, cwd: Path | None = None) -> CliResult:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def copy_worktree(destination: Path, *, skip: tuple[str, ...] = ()) -> Path:
    """Copy the files git tracks, plus untracked ones it does not ignore (work in progress), of
    this repository to `destination`; paths starting with a prefix in `skip` are left out."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file() and not name.startswith(skip):
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def overlay_venv(env_dir: Path) -> Path:
    """A new venv at `env_dir` that sees this venv's packages (dependencies, pip, setuptools,
    pytest) through a .pth file, without this venv's editable corpuslint; returns its bin dir.
    Installing corpuslint or a plugin into it needs no network."""
    import sysconfig
    import venv

    venv.EnvBuilder(with_pip=False).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    purelib = subprocess.run(
        [str(bindir / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "outer.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return bindir


def corpuslint_executable() -> str:
    """The installed console script next to this interpreter."""
    candidate = Path(sys.executable).with_name("corpuslint")
    return str(candidate) if candidate.exists() else shutil.which("corpuslint") or "corpuslint"


@pytest.fixture
def run_installed():
    """Run the installed `corpuslint` entry point as a subprocess."""

    def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> CliResult:
        full_env = {**os.environ, **(env or {})}
        full_env.pop("GITHUB_ACTIONS", None)
        proc = subprocess.run(
            [corpuslint_executable(), *args],
            cwd=cwd,
            env=full_env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run
