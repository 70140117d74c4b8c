"""Where the caches live, making that directory safely, and `corpuslint cache clean`.

One directory holds both caches: `files/` (the per-file results, `filecache`) and
`links.sqlite3` (the link results, `links.cache`). It is, in order of precedence,

1. `--cache-dir DIR`,
2. the `CORPUSLINT_CACHE_DIR` environment variable,
3. a directory named in the configuration (`[links] cache_dir`),
4. `.corpuslint_cache` next to the configuration file that applies (the working directory
   when there is none).

The directory is made only when a cache has something to write, with a `.gitignore` so it is
never committed. A repository can commit anything, symlinks included: corpuslint never writes
through a symlink in the place of a cache directory or a cache file (it runs without the cache).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

CACHE_DIR_NAME = ".corpuslint_cache"
ENV_VAR = "CORPUSLINT_CACHE_DIR"
FILES_DIR = "files"
FILES_DB = "results.sqlite"  # the per-file cache's database in FILES_DIR (filecache.DB_NAME)
GITIGNORE = "# created by corpuslint\n*\n"
LINKS_FILE = "links.sqlite3"
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


class UnsafeCacheDir(OSError):
    """A cache directory or file is a symlink (or not a directory): the cache is not used."""


def resolve(
    config_root: Path | str | None,
    cli_dir: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] = os.environ,
    configured: str | os.PathLike[str] | None = None,
) -> Path:
    """The cache directory of a run (absolute). Touches nothing on disk.

    A directory named by the user (option, environment, configuration) may be a symlink: it is
    resolved here, so the caches use its target. The default `.corpuslint_cache` is not resolved:
    it lies in the corpus, and a symlink there is not followed (see `prepare`)."""
    for candidate in (cli_dir, env.get(ENV_VAR) or None, configured):
        if candidate:
            return Path(os.path.realpath(os.path.expanduser(os.fspath(candidate))))
    base = Path(config_root) if config_root else Path.cwd()
    return Path(os.path.abspath(base)) / CACHE_DIR_NAME


def is_symlink(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def check_not_symlinks(*paths: Path) -> None:
    """Raise UnsafeCacheDir if one of `paths` is a symlink (paths that do not exist are fine)."""
    for path in paths:
        if is_symlink(path):
            raise UnsafeCacheDir(f"{path} is a symbolic link; the cache is not used")


def check_database(path: Path) -> None:
    """Raise UnsafeCacheDir if the SQLite database `path` or one of its journal files is a
    symlink (SQLite would write through it)."""
    check_not_symlinks(*(Path(f"{path}{suffix}") for suffix in SQLITE_SUFFIXES))


def prepare(directory: Path, root: Path | None = None) -> None:
    """Make `directory`; `root` (default: `directory`), when made here, gets a .gitignore that
    ignores everything.

    Neither `root` nor the directories between it and `directory` may be symlinks: a committed
    `.corpuslint_cache -> elsewhere` must not make corpuslint write elsewhere (UnsafeCacheDir).
    """
    directory = Path(directory)
    root = Path(root) if root is not None else directory
    chain = [directory, *[p for p in directory.parents if p == root or root in p.parents]]
    check_not_symlinks(*chain)
    made_root = not os.path.lexists(root)
    for path in reversed(chain):
        try:
            os.mkdir(path)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                raise UnsafeCacheDir(f"{path} is not a directory; the cache is not used") from None
        except FileNotFoundError:
            directory.mkdir(parents=True, exist_ok=True)
    check_not_symlinks(*chain)
    # only in a directory made here: `cache_dir = "."` or `"~"` must not put an ignore-everything
    # .gitignore into a project or a home directory
    gitignore = root / ".gitignore"
    if made_root and not os.path.lexists(gitignore):
        try:
            descriptor = os.open(gitignore, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(GITIGNORE)
        except OSError:
            pass


def _remove(path: Path) -> bool:
    """Remove a file, a symlink (not its target) or a directory tree; False if nothing was there."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(mode):
        import shutil

        shutil.rmtree(path)  # rmtree never follows symlinks inside the tree
    else:
        os.unlink(path)
    return True


def clean(cache_dir: Path) -> list[str]:
    """Remove the per-file cache and the link cache under `cache_dir`; the paths removed.

    Then the directory's `.gitignore` (the one corpuslint wrote) and the directory itself go too,
    if nothing else is in it (a `--cache-dir` shared with other things keeps them; so does a
    `files/` with anything in it that is not the cache's). A symlink is removed, never followed.
    """
    cache_dir = Path(cache_dir)
    removed: list[str] = []
    if is_symlink(cache_dir):
        os.unlink(cache_dir)
        return [str(cache_dir)]
    if not cache_dir.is_dir():
        return []
    files = cache_dir / FILES_DIR
    if is_symlink(files):
        os.unlink(files)
        removed.append(str(files))
    elif files.is_dir():
        # only what the per-file cache writes: a `files/` of a project's own (`cache_dir = "."`)
        # keeps everything else, and goes only when nothing else was in it
        for entry in os.listdir(files):
            if entry.startswith(FILES_DB) and (
                entry[len(FILES_DB) :] in SQLITE_SUFFIXES or ".corrupt-" in entry
            ):
                _remove(files / entry)
        if not os.listdir(files):
            os.rmdir(files)
            removed.append(str(files))
    for path in (cache_dir / (LINKS_FILE + s) for s in SQLITE_SUFFIXES):
        if _remove(path):
            removed.append(str(path))
    left = set(os.listdir(cache_dir))
    if left <= {".gitignore"}:
        if left and _ours(cache_dir / ".gitignore"):
            os.unlink(cache_dir / ".gitignore")
            left = set()
        if not left:
            os.rmdir(cache_dir)
            removed.append(str(cache_dir))
    return removed


def _ours(gitignore: Path) -> bool:
    try:
        return not is_symlink(gitignore) and gitignore.read_text(encoding="utf-8") == GITIGNORE
    except (OSError, UnicodeDecodeError):
        return False
