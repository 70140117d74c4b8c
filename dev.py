#!/usr/bin/env python3
"""Set up and run corpuslint from a fresh checkout with nothing but Python >= 3.10.

    python3 dev.py lint [ARGS...]          create .venv, install corpuslint, lint examples/
    python3 dev.py test [ARGS...]          create .venv, install corpuslint with test extras, run pytest
    python3 dev.py test-latest [ARGS...]   the same in .venv-latest with the newest versions the
                                           registry serves (no constraints): an early warning
    python3 dev.py lock                    regenerate constraints/test.txt (needs network to PyPI)

`lint` and `test` install the tested versions pinned in constraints/test.txt, so a new machine
gets what CI tested. The virtual environment is made once and refreshed when pyproject.toml or
the constraints change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
CONSTRAINTS = ROOT / "constraints" / "test.txt"

# pytest's exit codes: 0 all passed, 1 some failed, 2 interrupted, 3 internal error,
# 4 usage error, 5 no tests collected.
PYTEST_NO_TESTS = 5


def log(message: str) -> None:
    print(f"dev.py: {message}", file=sys.stderr, flush=True)


def _bin(venv_dir: Path, name: str) -> Path:
    scripts = venv_dir / ("Scripts" if os.name == "nt" else "bin")
    return scripts / (f"{name}.exe" if os.name == "nt" else name)


def ensure_venv(extras: str, *, latest: bool = False) -> Path:
    """Create (once) and return the virtual environment with corpuslint and `extras` installed."""
    if sys.version_info < (3, 10):  # noqa: UP036 (dev.py runs under whatever python3 is)
        sys.exit(f"dev.py: corpuslint needs Python >= 3.10, this is {sys.version.split()[0]}")
    venv_dir = ROOT / (".venv-latest" if latest else ".venv")
    python = _bin(venv_dir, "python")
    stamp = venv_dir / ".corpuslint-installed"
    pins = b"" if latest else CONSTRAINTS.read_bytes()
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + pins + extras.encode()).hexdigest()
    installed = stamp.read_text().split() if stamp.exists() else []
    if python.exists() and wanted in installed:
        return venv_dir
    if not python.exists():
        log(f"creating {venv_dir.relative_to(ROOT)}")
        venv.EnvBuilder(with_pip=True, clear=False).create(venv_dir)
    target = f".[{extras}]" if extras else "."
    how = "the newest versions" if latest else f"versions pinned in {CONSTRAINTS.relative_to(ROOT)}"
    log(f"installing corpuslint ({target}, {how}) into {venv_dir.relative_to(ROOT)}")
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=False, cwd=ROOT, stdin=subprocess.DEVNULL)
    pinning = ["--upgrade", "--upgrade-strategy", "eager"] if latest else ["--constraint", str(CONSTRAINTS)]
    subprocess.run([*pip, *pinning, "--editable", target], check=True, cwd=ROOT, stdin=subprocess.DEVNULL)
    stamp.write_text("\n".join([*installed, wanted]) + "\n")
    return venv_dir


def lint(args: list[str]) -> int:
    venv_dir = ensure_venv("")
    command = [str(_bin(venv_dir, "corpuslint")), "check", *(args or ["examples/"])]
    log("running " + " ".join(command[1:]))
    return subprocess.run(command, cwd=ROOT, stdin=subprocess.DEVNULL).returncode


def _pytest(venv_dir: Path, args: list[str]) -> int:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    command = [str(_bin(venv_dir, "python")), "-m", "pytest", *args]
    log("running " + " ".join(command[1:]))
    code = subprocess.run(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL).returncode
    if code == PYTEST_NO_TESTS:
        log("pytest collected no tests (not a failure)")
        return 0
    return code


def test(args: list[str]) -> int:
    return _pytest(ensure_venv("test"), args)


def test_latest(args: list[str]) -> int:
    return _pytest(ensure_venv("test", latest=True), args)


def lock(args: list[str]) -> int:
    """Resolve the test environment for every supported Python into constraints/test.txt."""
    tool = ROOT / ".venv-lock"
    if not _bin(tool, "uv").exists():
        venv.EnvBuilder(with_pip=True).create(tool)
        subprocess.run([str(_bin(tool, "python")), "-m", "pip", "install", "--quiet", "uv"], check=True)
    command = [
        str(_bin(tool, "uv")),
        "pip",
        "compile",
        "pyproject.toml",
        "--extra",
        "test",
        "--universal",
        "--python-version",
        "3.10",
        "--no-header",
        "--annotation-style",
        "line",
        "--output-file",
        str(CONSTRAINTS.relative_to(ROOT)),
        *args,
    ]
    log("running " + " ".join(command[1:]))
    return subprocess.run(command, cwd=ROOT, stdin=subprocess.DEVNULL).returncode


def main(argv: list[str]) -> int:
    commands = {"lint": lint, "test": test, "test-latest": test_latest, "lock": lock}
    if not argv or argv[0] not in commands:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        return commands[argv[0]](argv[1:])
    except subprocess.CalledProcessError as exc:
        log(f"set-up failed: {' '.join(map(str, exc.cmd))} exited {exc.returncode}")
        return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
