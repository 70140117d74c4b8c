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


def discover(
    paths: list[str], config: Config, *, cwd: Path | None = None, force_exclude: bool = False
) -> tuple[list[SourceFile], list[str]]:
    """Return the files to lint (sorted, unique) and messages about paths that do not exist.

    Directories are walked recursively for files matching `include`; anything matching `exclude`
    (relative to the config's directory) is skipped. A file named explicitly is linted whatever its
    name, and is excluded only with `force_exclude` (what pre-commit hooks need).
    """
    cwd = cwd or Path.cwd()
    root = os.path.normpath(str(config.root.resolve()))
    cwd_text = os.path.normpath(str(cwd))
    found: dict[str, SourceFile] = {}
    missing: list[str] = []
    include, exclude = tuple(config.include), tuple(config.exclude)

    def relative(path: str, base: str) -> str | None:
        if path == base:
            return "."
        prefix = base if base.endswith(os.sep) else base + os.sep
        return path[len(prefix) :].replace(os.sep, "/") if path.startswith(prefix) else None

    def excluded(path: str) -> bool:
        rel = relative(path, root)
        return rel is not None and rel != "." and matches(rel, exclude)

    def add(path: str) -> None:
        if path not in found:
            found[path] = SourceFile(path, relative(path, cwd_text) or path)

    for given in paths or ["."]:
        absolute = os.path.normpath(os.path.join(cwd_text, given))
        if os.path.isdir(absolute):
            if force_exclude and given not in (".", "./") and excluded(absolute):
                continue
            for directory, dirnames, filenames in os.walk(absolute):
                dirnames[:] = sorted(d for d in dirnames if not excluded(os.path.join(directory, d)))
                for name in filenames:
                    file = os.path.join(directory, name)
                    if not matches(name, include):
                        rel = relative(file, root)
                        if rel is None or not matches(rel, include):
                            continue
                    if not excluded(file):
                        add(file)
        elif os.path.isfile(absolute):
            if force_exclude and excluded(absolute):
                continue
            add(absolute)
        else:
            missing.append(given)
    return sorted(found.values(), key=lambda f: f.display), missing
