#!/usr/bin/env python3
"""Set up and run corpuslint from a fresh checkout with nothing but Python >= 3.10.

    python3 dev.py lint [ARGS...]          create .venv, install corpuslint, lint examples/
    python3 dev.py test [ARGS...]          create .venv, install corpuslint with test extras, run pytest
    python3 dev.py test-latest [ARGS...]   the same in .venv-latest with the newest versions the
                                           registry serves (no constraints): an early warning
    python3 dev.py test-oldest [ARGS...]   the same in .venv-oldest with corpuslint's dependencies at
                                           the lower bounds pyproject.toml allows
    python3 dev.py lock                    regenerate constraints/*.txt (needs network to PyPI)

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
CONSTRAINTS = ROOT / "constraints" / "test.txt"  # the tested set: every package, every Python
OLDEST = ROOT / "constraints" / "oldest.txt"  # corpuslint's own dependencies at their lower bounds

# pytest's exit codes: 0 all passed, 1 some failed, 2 interrupted, 3 internal error,
# 4 usage error, 5 no tests collected.
PYTEST_NO_TESTS = 5


def log(message: str) -> None:
    print(f"dev.py: {message}", file=sys.stderr, flush=True)


def _bin(venv_dir: Path, name: str) -> Path:
    scripts = venv_dir / ("Scripts" if os.name == "nt" else "bin")
    return scripts / (f"{name}.exe" if os.name == "nt" else name)


def ensure_venv(extras: str, *, pins: str = "tested") -> Path:
    """Create (once) and return the virtual environment with corpuslint and `extras` installed.

    `pins`: "tested" (constraints/test.txt, in .venv), "latest" (no constraints, the newest
    releases, in .venv-latest) or "oldest" (the lower bounds of pyproject.toml, in .venv-oldest).
    """
    if sys.version_info < (3, 10):  # noqa: UP036 (dev.py runs under whatever python3 is)
        sys.exit(f"dev.py: corpuslint needs Python >= 3.10, this is {sys.version.split()[0]}")
    venv_dir = ROOT / (".venv" if pins == "tested" else f".venv-{pins}")
    python = _bin(venv_dir, "python")
    stamp = venv_dir / ".corpuslint-installed"
    constraints = {"tested": CONSTRAINTS, "oldest": OLDEST}.get(pins)
    pinned = constraints.read_bytes() if constraints else b""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + pinned + extras.encode()).hexdigest()
    installed = stamp.read_text().split() if stamp.exists() else []
    if python.exists() and wanted in installed:
        return venv_dir
    if not python.exists():
        log(f"creating {venv_dir.relative_to(ROOT)}")
        venv.EnvBuilder(with_pip=True, clear=False).create(venv_dir)
    target = f".[{extras}]" if extras else "."
    how = f"versions pinned in {constraints.relative_to(ROOT)}" if constraints else "the newest versions"
    log(f"installing corpuslint ({target}, {how}) into {venv_dir.relative_to(ROOT)}")
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=False, cwd=ROOT, stdin=subprocess.DEVNULL)
    pinning = (
        ["--constraint", str(constraints)] if constraints else ["--upgrade", "--upgrade-strategy", "eager"]
    )
    subprocess.run([*pip, *pinning, "--editable", target], check=True, cwd=ROOT, stdin=subprocess.DEVNULL)
    stamp.write_text("\n".join([*installed, wanted]) + "\n")
    return venv_dir


def lint(args: list[str]) -> int:
    venv_dir = ensure_venv("")
    # offline: the example corpus's links point at reserved example domains, and the first
    # command of a fresh checkout sends nothing anywhere (`corpuslint check examples/` checks them)
    command = [str(_bin(venv_dir, "corpuslint")), "check", *(args or ["--no-links", "examples/"])]
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
    return _pytest(ensure_venv("test", pins="latest"), args)


def test_oldest(args: list[str]) -> int:
    return _pytest(ensure_venv("test", pins="oldest"), args)


def lock(args: list[str]) -> int:
    """Regenerate constraints/test.txt (every package, every supported Python) and
    constraints/oldest.txt (corpuslint's own dependencies at their lower bounds)."""
    tool = ROOT / ".venv-lock"
    if not _bin(tool, "uv").exists():
        venv.EnvBuilder(with_pip=True).create(tool)
        subprocess.run([str(_bin(tool, "python")), "-m", "pip", "install", "--quiet", "uv"], check=True)
    compile_ = [
        str(_bin(tool, "uv")),
        "pip",
        "compile",
        "pyproject.toml",
        "--python-version",
        "3.10",
        "--no-header",
        "--annotation-style",
        "line",
    ]
    runs = [
        [*compile_, "--extra", "test", "--universal", "--output-file", "constraints/test.txt", *args],
        [*compile_, "--resolution", "lowest-direct", "--output-file", "constraints/oldest.txt", *args],
    ]
    # uv must resolve with the Pythons on this machine, never download one of its own
    env = dict(os.environ, UV_PYTHON_DOWNLOADS="never", UV_NO_MANAGED_PYTHON="1")
    for command in runs:
        log("running " + " ".join(command[1:]))
        code = subprocess.run(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL).returncode
        if code:
            return code
    return 0


def main(argv: list[str]) -> int:
    commands = {
        "lint": lint,
        "test": test,
        "test-latest": test_latest,
        "test-oldest": test_oldest,
        "lock": lock,
    }
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
