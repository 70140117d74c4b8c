"""Paths given on the command line -> the Markdown files to lint."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from corpuslint.config import Config
from corpuslint.globs import matches


@dataclass(frozen=True)
class SourceFile:
    path: str  # to open
    display: str  # to show: relative to the working directory when below it


def _relative_to(path: Path, base: Path) -> str | None:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return None


def discover(
    paths: list[str], config: Config, *, cwd: Path | None = None, force_exclude: bool = False
) -> tuple[list[SourceFile], list[str]]:
    """Return the files to lint (sorted, unique) and messages about paths that do not exist.

    Directories are walked recursively for files matching `include`; anything matching `exclude`
    (relative to the config's directory) is skipped. A file named explicitly is linted whatever its
    name, and is excluded only with `force_exclude` (what pre-commit hooks need).
    """
    cwd = cwd or Path.cwd()
    root = config.root.resolve()
    found: dict[str, SourceFile] = {}
    missing: list[str] = []

    def excluded(path: Path) -> bool:
        rel = _relative_to(path, root)
        return rel is not None and rel != "." and matches(rel, config.exclude)

    def add(path: Path) -> None:
        resolved = str(path)
        if resolved not in found:
            display = _relative_to(path, cwd) or str(path)
            found[resolved] = SourceFile(resolved, display)

    for given in paths or ["."]:
        path = Path(given)
        absolute = (cwd / path).absolute() if not path.is_absolute() else path
        absolute = Path(os.path.normpath(absolute))
        if absolute.is_dir():
            if excluded(absolute) and given not in (".", "./"):
                if force_exclude:
                    continue
            for directory, dirnames, filenames in os.walk(absolute):
                base = Path(directory)
                dirnames[:] = sorted(d for d in dirnames if not excluded(base / d))
                for name in filenames:
                    file = base / name
                    if matches(name, config.include) or matches(
                        _relative_to(file, root) or name, config.include
                    ):
                        if not excluded(file):
                            add(file)
        elif absolute.is_file():
            if force_exclude and excluded(absolute):
                continue
            add(absolute)
        else:
            missing.append(given)
    return sorted(found.values(), key=lambda f: f.display), missing
