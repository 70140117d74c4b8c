#!/usr/bin/env python3
"""Set up and run corpuslint from a fresh checkout with nothing but Python >= 3.10.

    python3 dev.py lint [ARGS...]   create .venv, install corpuslint, lint examples/
    python3 dev.py test [ARGS...]   create .venv, install corpuslint with test extras, run pytest

The virtual environment is made once and refreshed when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".corpuslint-installed"

# pytest's exit codes: 0 all passed, 1 some failed, 2 interrupted, 3 internal error,
# 4 usage error, 5 no tests collected.
PYTEST_NO_TESTS = 5


def log(message: str) -> None:
    print(f"dev.py: {message}", file=sys.stderr, flush=True)


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 10):  # noqa: UP036 (dev.py runs under whatever python3 is)
        sys.exit(f"dev.py: corpuslint needs Python >= 3.10, this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    installed = STAMP.read_text().split() if STAMP.exists() else []
    if PYTHON.exists() and wanted in installed:
        return
    if not PYTHON.exists():
        log(f"creating {VENV.relative_to(ROOT)}")
        venv.EnvBuilder(with_pip=True, clear=False).create(VENV)
    target = f".[{extras}]" if extras else "."
    log(f"installing corpuslint ({target}) into {VENV.relative_to(ROOT)}")
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=False, cwd=ROOT, stdin=subprocess.DEVNULL)
    subprocess.run([*pip, "--editable", target], check=True, cwd=ROOT, stdin=subprocess.DEVNULL)
    STAMP.write_text("\n".join([*installed, wanted]) + "\n")


def lint(args: list[str]) -> int:
    ensure_venv("")
    command = [str(BIN / "corpuslint"), "check", *(args or ["examples/"])]
    log("running " + " ".join(command[1:]))
    return subprocess.run(command, cwd=ROOT, stdin=subprocess.DEVNULL).returncode


def test(args: list[str]) -> int:
    ensure_venv("test")
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    command = [str(PYTHON), "-m", "pytest", *args]
    log("running " + " ".join(command[1:]))
    code = subprocess.run(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL).returncode
    if code == PYTEST_NO_TESTS:
        log("pytest collected no tests (not a failure)")
        return 0
    return code


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("lint", "test"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        return {"lint": lint, "test": test}[argv[0]](argv[1:])
    except subprocess.CalledProcessError as exc:
        log(f"set-up failed: {' '.join(map(str, exc.cmd))} exited {exc.returncode}")
        return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
