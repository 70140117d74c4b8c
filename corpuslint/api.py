"""corpuslint as a library: lint text and files, fix text, load configuration.

Every function here is pure in the sense a pipeline needs: it never prints, never exits, never
writes a file, and never checks links unless asked (`lint_paths(..., links=True)`); problems with
the configuration raise `ConfigError`. The functions may be called from several threads at once,
and from worker processes (everything they return pickles).

    >>> from corpuslint import api
    >>> [d.code for d in api.lint_text("Text[^1].\\n", config=api.default_config())]
    ['FN001']

`config` is, everywhere: a `Config` (from `load_config`), the path of a config file or of a
directory to look for one in, or None, which finds the configuration as the CLI does: the closest
corpuslint.toml, .corpuslint.toml or pyproject.toml with [tool.corpuslint] in the file's
directory or above (built-in defaults when there is none). Configurations found are cached and
re-read when their file changes.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Union

from corpuslint import config as config_module
from corpuslint.config import Config, ConfigError
from corpuslint.diagnostics import Diagnostic, Edit, Fix, Severity

if TYPE_CHECKING:
    from corpuslint.runner import LintPlan

__all__ = [
    "Config",
    "ConfigError",
    "Diagnostic",
    "Edit",
    "Fix",
    "Result",
    "Severity",
    "config_for",
    "default_config",
    "find_config",
    "fix_text",
    "invalidate_caches",
    "lint_paths",
    "lint_text",
    "load_config",
]

ConfigLike = Union[Config, str, "os.PathLike[str]", None]

_lock = threading.Lock()
_loaded: dict[Path, tuple[tuple, Config]] = {}  # config file -> (its and its bases' stats, Config)
_found: dict[Path, tuple[tuple, Path | None]] = {}  # directory -> (candidates' stats, config file)
_plans: dict[tuple, tuple[Config, LintPlan]] = {}  # (id(config), select, ignore, schemas' stats) -> ...
_defaults: dict[str, Config] = {}  # working directory -> the defaults rooted there
_MAX_CACHED = 256


@dataclass(frozen=True)
class Result:
    """What `lint_paths` found: the sorted diagnostics and the run's counts."""

    diagnostics: list[Diagnostic]
    files: int  # files linted
    link_stats: Mapping[str, int] | None = None  # when links were checked

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.WARNING)

    @property
    def fixable(self) -> int:
        return sum(1 for d in self.diagnostics if d.fix is not None)

    @property
    def files_with_diagnostics(self) -> int:
        return len({d.path for d in self.diagnostics})

    def by_code(self) -> Counter[str]:
        return Counter(d.code for d in self.diagnostics)

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed), as the CLI's exit status 0."""
        return self.errors == 0


# --- configuration -----------------------------------------------------------------------------


def default_config(root: str | os.PathLike[str] | None = None) -> Config:
    """The built-in defaults (no config file), with globs relative to `root` (default: the cwd)."""
    return config_module.load_config(None, cwd=Path(root) if root is not None else Path.cwd())


def find_config(start: str | os.PathLike[str]) -> Path | None:
    """The config file the CLI would use for files in directory `start` (None: there is none)."""
    directory = Path(os.path.abspath(start))
    if directory.is_file():
        directory = directory.parent
    signature = _candidates_signature(directory)
    with _lock:
        cached = _found.get(directory)
    if cached is not None and cached[0] == signature:
        return cached[1]
    found = config_module.find_config(directory)
    with _lock:
        if len(_found) >= _MAX_CACHED:
            _found.clear()
        _found[directory] = (signature, found)
    return found


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load a configuration: `path` is a config file (corpuslint.toml, .corpuslint.toml, or a
    pyproject.toml with [tool.corpuslint]) or a directory, whose closest config (in it or above)
    is loaded; None is the working directory. Without any config file: the built-in defaults
    rooted at that directory. Raises `ConfigError` naming the file and key at fault."""
    target = Path(os.path.abspath(path if path is not None else "."))
    if target.is_dir():
        found = find_config(target)
        if found is None:
            return default_config(target)
        target = found
    return _load_file(target)


def _stat(path: Path) -> tuple[int, int]:
    try:
        info = path.stat()
    except OSError:
        return (-1, -1)
    return (info.st_mtime_ns, info.st_size)


def _load_file(path: Path) -> Config:
    if not path.is_file():
        return config_module.load_config(path)  # raises ConfigError: not found
    with _lock:
        cached = _loaded.get(path)
    if cached is not None and cached[0] == (_stat(path), *map(_stat, getattr(cached[1], "extends", ()))):
        return cached[1]
    loaded = config_module.load_config(path, cwd=path.parent)
    signature = (_stat(path), *map(_stat, getattr(loaded, "extends", ())))  # and the files it extends
    with _lock:
        if len(_loaded) >= _MAX_CACHED:
            _loaded.clear()
        _loaded[path] = (signature, loaded)
    return loaded


def _candidates_signature(directory: Path) -> tuple:
    """The config candidates that exist from `directory` up, with their modification times:
    when this is unchanged, so is what `find_config` finds."""
    seen = []
    for folder in (directory, *directory.parents):
        for name in config_module.CONFIG_NAMES:
            try:
                info = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            seen.append((str(folder), name, info.st_mtime_ns, info.st_size))
    return tuple(seen)


def config_for(path: str | os.PathLike[str]) -> Config:
    """The configuration the CLI uses for the file at `path` (which need not exist): the closest
    config file in its directory or above; the built-in defaults (rooted at the cwd) without one."""
    found = find_config(os.path.dirname(os.path.abspath(path)))
    if found is not None:
        return _load_file(found)
    cwd = os.getcwd()
    with _lock:
        cached = _defaults.get(cwd)
    if cached is None:
        cached = default_config(cwd)
        with _lock:
            _defaults[cwd] = cached  # one object per directory: its plan is cached too
    return cached


def _resolve(config: ConfigLike, near: str) -> Config:
    if isinstance(config, Config):
        return config
    if config is not None:
        return load_config(config)
    return config_for(near)


def invalidate_caches() -> None:
    """Forget cached configurations, plans and schemas (after a config or schema file changed in a
    way its modification time does not show, or to free memory)."""
    from corpuslint import schemas

    with _lock:
        _loaded.clear()
        _found.clear()
        _plans.clear()
        _defaults.clear()
    schemas.clear_cache()


# --- linting -----------------------------------------------------------------------------------


def _plan(config: Config, select: Iterable[str] | None, ignore: Iterable[str]) -> LintPlan:
    from corpuslint.runner import RunOptions, enabled_codes, make_plan

    schema_stats = tuple(_stat(Path(association.schema)) for association in config.schemas)
    key = (id(config), tuple(select) if select is not None else None, tuple(ignore), schema_stats)
    with _lock:
        cached = _plans.get(key)
    if cached is not None and cached[0] is config:
        return cached[1]
    if schema_stats:
        from corpuslint import schemas

        schemas.clear_cache()  # a schema file may have changed: the plan loads them again
    options = RunOptions(select=key[1], ignore=key[2], links=False, use_cache=False)
    try:
        plan = make_plan(config, enabled_codes(config, options))
    except ValueError as exc:  # an unknown code in select/ignore
        raise ConfigError(f"select/ignore: {exc}") from None
    with _lock:
        if len(_plans) >= _MAX_CACHED:
            _plans.clear()
        _plans[key] = (config, plan)
    return plan


def lint_text(
    text: str,
    path: str | os.PathLike[str] = "x.md",
    config: ConfigLike = None,
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
) -> list[Diagnostic]:
    """Lint one document given as text, as if it were the file at `path`.

    `path` decides which configuration and schema apply and is the diagnostics' path; the file
    need not exist (nothing is read but config and schema files). Links are never checked.
    `select`/`ignore` take codes or prefixes as `--select`/`--ignore` do (None: the config's).
    Diagnostics come sorted by position; `d.fix`, when present, holds the edits (offsets into
    `text` with its newlines normalised to "\\n").
    """
    from corpuslint.discovery import SourceFile
    from corpuslint.runner import lint_file

    shown = os.fspath(path)
    resolved = _resolve(config, shown)
    plan = _plan(resolved, select, ignore)
    result = lint_file(SourceFile(shown, shown), plan, data=text.encode("utf-8", "surrogatepass"))
    return sorted(result.diagnostics, key=Diagnostic.sort_key)


def fix_text(
    text: str,
    path: str | os.PathLike[str] = "x.md",
    config: ConfigLike = None,
    *,
    unsafe: bool = False,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
) -> tuple[str, list[Diagnostic]]:
    """Apply the fixes `lint_text` offers, as `check --fix` does (passes until nothing changes).

    Returns the new text (newline style and byte order mark as in `text`) and the diagnostics
    whose fixes were applied. With `unsafe`, unsafe fixes too (`--unsafe-fixes`).
    """
    from corpuslint.edits import apply_exact
    from corpuslint.fixes import MAX_PASSES

    bom = text.startswith("\ufeff")
    current = text[1:] if bom else text
    applied: list[Diagnostic] = []
    for _ in range(MAX_PASSES):
        diagnostics = lint_text(current, path, config, select=select, ignore=ignore)
        # the rules' offsets are in the "\n"-normalised text; apply_exact maps them back, so
        # CR, CRLF and mixed line ends stay exactly as they are outside the edited characters
        new_text, done = apply_exact(current, diagnostics, unsafe=unsafe)
        if not done or new_text == current:
            break
        applied.extend(done)
        current = new_text
    if not applied:
        return text, []
    return ("\ufeff" if bom else "") + current, applied


def lint_paths(
    paths: Iterable[str | os.PathLike[str]],
    config: ConfigLike = None,
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
    links: bool = False,
    jobs: int | None = 1,
    use_cache: bool = False,
    force_exclude: bool = False,
) -> Result:
    """Lint files and directories as `corpuslint check PATHS` does (directories walked for the
    config's `include`, `exclude` applied) and return every diagnostic with the counts.

    With `config=None`, each file gets the configuration the CLI gives it: the closest config
    file in its directory or above (hierarchical; globs relative to that config's directory).
    Links are checked only with `links=True` (that is network traffic); `jobs` worker processes
    (1: in this thread; None: one per core); `use_cache` reads and writes the per-file cache
    (.corpuslint_cache). A path that does not exist raises FileNotFoundError.
    """
    from corpuslint.discovery import ConfigResolver, discover_grouped
    from corpuslint.runner import RunOptions, run_groups

    if config is None:
        resolver = ConfigResolver()
    else:
        resolver = ConfigResolver.fixed(_resolve(config, os.path.join(os.getcwd(), "x.md")))
    names = [os.fspath(p) for p in paths]
    groups, missing = discover_grouped(names, resolver, force_exclude=force_exclude)
    if missing:
        raise FileNotFoundError(f"{missing[0]}: no such file or directory")
    options = RunOptions(
        select=tuple(select) if select is not None else None,
        ignore=tuple(ignore),
        jobs=jobs,
        links=links,
        use_cache=use_cache,
        progress=False,
    )
    try:
        report = run_groups(groups, options)
    except ValueError as exc:  # an unknown code in select/ignore
        raise ConfigError(f"select/ignore: {exc}") from None
    return Result(list(report.diagnostics), report.files, report.link_stats)
