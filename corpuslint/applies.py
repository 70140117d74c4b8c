"""What applies to a file besides its rules: the cache directory and the `[[schemas]]` entry,
for `--show-settings`, `cache clean` and the warning about schema globs that match nothing."""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from corpuslint.config import Config
from corpuslint.discovery import SourceFile
from corpuslint.globs import matches


def config_relative(path: str, root: str) -> str:
    """The resolved path relative to the config's directory (posix); outside it, the absolute
    path without its leading `/` (then only patterns without a `/`, `*.md`, can match)."""
    head, tail = os.path.split(path)
    if not tail or tail in (".", "..") or os.path.islink(path):
        return _relative_to_root(str(Path(path).resolve()), root)
    # resolving costs a system call per path component: do it once per directory
    directory = _resolved_relative_dir(head, os.getcwd(), root)
    return tail if directory in ("", ".") else f"{directory}/{tail}"


@lru_cache(maxsize=4096)
def _resolved_relative_dir(directory: str, cwd: str, root: str) -> str:
    absolute = os.path.join(cwd, directory)  # (cwd: part of the key)
    if os.path.isabs(absolute) and os.path.normpath(absolute) == absolute:
        return _relative_to_root(_real_directory(absolute), root)
    return _relative_to_root(str(Path(directory or ".").resolve()), root)


@lru_cache(maxsize=4096)
def _real_directory(directory: str) -> str:
    """os.path.realpath of an absolute, normalised path, from its parent's (cached): one lstat
    for a directory not seen before instead of one per component (a corpus of page bundles,
    one index.md per directory, resolved every file's directory from the root)."""
    parent, name = os.path.split(directory)
    if not name or parent == directory:
        return os.path.realpath(directory)
    path = os.path.join(_real_directory(parent), name)
    return os.path.realpath(path) if os.path.islink(path) else path


def _relative_to_root(absolute: str, root: str) -> str:
    try:
        return Path(absolute).relative_to(root).as_posix()
    except ValueError:
        return Path(absolute).as_posix().lstrip("/")


def cache_root(config: Config, cli_dir: str | None = None) -> Path:
    """The directory of both caches for files under `config`: --cache-dir, else
    $CORPUSLINT_CACHE_DIR, else `[links] cache_dir`, else .corpuslint_cache next to the config."""
    from corpuslint import cachedir

    configured = config.links.get("cache_dir")
    if isinstance(configured, str) and configured:
        configured = str(config.root / configured)
    else:
        configured = None
    return cachedir.resolve(config.root, cli_dir, configured=configured)


def configured_schema(path: str, config: Config) -> tuple[int, Any] | None:
    """The `[[schemas]]` entry (index, association) whose globs match the file at `path`."""
    from corpuslint.schema_apply import entry_index

    index = entry_index(config_relative(path, str(config.root)), tuple(config.schemas))
    return None if index is None else (index, config.schemas[index])


def unused_schema_globs(config: Config, sources: list[SourceFile]) -> list[tuple[int, Any]]:
    """The `[[schemas]]` entries whose globs match no file at all: none of `sources`, and none
    of the files below the config's directory (walked only when `sources` leave a doubt)."""
    if not config.schemas:
        return []
    root = str(config.root)
    unused = set(range(len(config.schemas)))

    def visit(paths: Iterable[str]) -> None:
        for path in paths:
            rel = config_relative(path, root)
            for index in list(unused):
                if matches(rel, tuple(config.schemas[index].files)):
                    unused.discard(index)
            if not unused:
                return

    visit(source.path for source in sources)
    if unused:
        from corpuslint.discovery import discover

        everything, _missing = discover([root], config)
        visit(source.path for source in everything)
    return [(index, config.schemas[index]) for index in sorted(unused)]
