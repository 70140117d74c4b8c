"""Paths given on the command line -> the Markdown files to lint, each with the config that applies.

Configuration is hierarchical, as in ruff: a file is governed by the closest `corpuslint.toml`,
`.corpuslint.toml` or `pyproject.toml` with `[tool.corpuslint]` in its directory or above, and
that config's globs are relative to its own directory. `--config` (an override) governs every
file; without any config file, the defaults apply with the working directory as the root.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from corpuslint.config import Config, config_in, load_config
from corpuslint.globs import matches


@dataclass(frozen=True)
class SourceFile:
    path: str  # to open
    display: str  # to show: relative to the working directory when below it


class ConfigResolver:
    """The config that governs a directory: the closest config file there or above, loaded once."""

    def __init__(self, *, cwd: Path | None = None, override: Config | None = None) -> None:
        self.cwd = Path(os.path.normpath(str(cwd or Path.cwd())))
        self.override = override
        self._by_directory: dict[str, Config] = {}
        self._by_file: dict[Path, Config] = {}
        self._default: Config | None = None

    @classmethod
    def fixed(cls, config: Config, *, cwd: Path | None = None) -> ConfigResolver:
        return cls(cwd=cwd, override=config)

    def default(self) -> Config:
        """What applies where no config file is found: the defaults, rooted at the working directory."""
        if self._default is None:
            self._default = load_config(None, cwd=self.cwd)
        return self._default

    def for_directory(self, directory: str) -> Config:
        """Raises ConfigError for a config file that cannot be used."""
        if self.override is not None:
            return self.override
        directory = os.path.normpath(directory)
        chain: list[str] = []
        found: Config | None = None
        current = directory
        while True:
            cached = self._by_directory.get(current)
            if cached is not None:
                found = cached
                break
            chain.append(current)
            path = config_in(Path(current))
            if path is not None:
                found = self._load(path)
                break
            parent = os.path.dirname(current)
            if parent == current:
                found = self.default()
                break
            current = parent
        for visited in chain:
            self._by_directory[visited] = found
        return found

    def for_file(self, path: str) -> Config:
        return self.for_directory(os.path.dirname(os.path.abspath(path)))

    def _load(self, path: Path) -> Config:
        resolved = path.resolve()
        if resolved not in self._by_file:
            self._by_file[resolved] = load_config(resolved, cwd=self.cwd)
        return self._by_file[resolved]


def _relative(path: str, base: str) -> str | None:
    if path == base:
        return "."
    prefix = base if base.endswith(os.sep) else base + os.sep
    return path[len(prefix) :].replace(os.sep, "/") if path.startswith(prefix) else None


def _root(config: Config) -> str:
    return os.path.normpath(str(config.root))


def excluded(path: str, config: Config) -> bool:
    """Whether `path` (absolute, normalised) matches the config's exclude globs."""
    rel = _relative(path, _root(config))
    return rel is not None and rel != "." and matches(rel, tuple(config.exclude))


def included(path: str, config: Config) -> bool:
    """Whether a file met while walking a directory is one to lint (by the config's include)."""
    include = tuple(config.include)
    if matches(os.path.basename(path), include):
        return True
    rel = _relative(path, _root(config))
    return rel is not None and matches(rel, include)


def discover_grouped(
    paths: list[str], resolver: ConfigResolver, *, force_exclude: bool = False
) -> tuple[list[tuple[Config, list[SourceFile]]], list[str]]:
    """The files to lint grouped by the config that governs them (groups in order of their first
    file, files sorted by display path and unique), and the paths that do not exist.

    Directories are walked recursively for files matching `include`; anything matching `exclude`
    of the config governing its directory is skipped. A file named explicitly is linted whatever
    its name, and is excluded only with `force_exclude` (what pre-commit hooks need).
    """
    cwd_text = str(resolver.cwd)
    found: dict[str, tuple[SourceFile, Config]] = {}
    missing: list[str] = []

    def add(path: str, config: Config) -> None:
        if path not in found:
            found[path] = (SourceFile(path, _relative(path, cwd_text) or path), config)

    for given in paths or ["."]:
        absolute = os.path.normpath(os.path.join(cwd_text, given))
        if os.path.isdir(absolute):
            outer = resolver.for_directory(os.path.dirname(absolute))
            if force_exclude and given not in (".", "./") and excluded(absolute, outer):
                continue
            for directory, dirnames, filenames in os.walk(absolute):
                config = resolver.for_directory(directory)
                dirnames[:] = sorted(d for d in dirnames if not excluded(os.path.join(directory, d), config))
                for name in filenames:
                    file = os.path.join(directory, name)
                    if included(file, config) and not excluded(file, config):
                        add(file, config)
        elif os.path.exists(absolute):  # a FIFO or device too: the runner reports it (IO002)
            config = resolver.for_file(absolute)
            if force_exclude and excluded(absolute, config):
                continue
            add(absolute, config)
        else:
            missing.append(given)
    return _group(sorted(found.values(), key=lambda item: item[0].display)), missing


def _group(items: Iterable[tuple[SourceFile, Config]]) -> list[tuple[Config, list[SourceFile]]]:
    groups: dict[int, tuple[Config, list[SourceFile]]] = {}
    for source, config in items:
        groups.setdefault(id(config), (config, []))[1].append(source)
    return list(groups.values())


def discover(
    paths: list[str], config: Config, *, cwd: Path | None = None, force_exclude: bool = False
) -> tuple[list[SourceFile], list[str]]:
    """The files to lint under one config (sorted, unique) and the paths that do not exist."""
    groups, missing = discover_grouped(
        paths, ConfigResolver.fixed(config, cwd=cwd), force_exclude=force_exclude
    )
    return [source for _config, sources in groups for source in sources], missing
