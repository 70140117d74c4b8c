"""Per-file result cache: an unchanged file is not read twice by the rules.

A file's document-phase result (its `FileResult`: diagnostics after suppressions, the link
occurrences it contains, its suppressions and front matter) is stored under

* the file's path (absolute, and as displayed),
* the BLAKE2b digest of its bytes,
* the run's *configuration key*: a hash of the `LintPlan` (enabled codes, severities, options,
  schema associations, link scope), the contents of the configured schema files, the corpuslint
  version and a hash of the installed corpuslint code (so an editable install never
  serves results of older rules).

A schema named by a file's own `$schema` key is a dependency of that file: its size and mtime
are stored with the result and checked on a hit.

The warm path parses nothing: one `stat` + read + hash per file and a batched lookup in one
SQLite database (`<config dir>/.corpuslint_cache/files/results.sqlite`, WAL mode, so concurrent
runs — pre-commit starts several at once — read and write safely). Any problem with the database
(locked for too long, corrupt, read-only directory) costs only the cache: the run lints normally,
and a corrupt database is moved aside and rebuilt.

Memory does not grow with the corpus: results are handed on as they come (in the order of the
files), cached payloads are read `BATCH` at a time, and new rows are written `BATCH` at a time.
A missed file is hashed and its result packed in the worker process that lints it, so the main
process only decodes and writes; a file whose rows are all missing (a cold run) is not hashed
in the main process at all.

The database is a file in the corpus, so a row is treated as untrusted data: results are stored
as JSON (`resultcodec`) and rebuilt only from values of the expected shape; a row that does not
validate is a miss. Nothing in a row can make corpuslint run code. A cache directory, database or
journal that is a symlink is not used (nothing is written through it). A database damaged past
its first page (SQLite reports "malformed" only when a query reaches the bad page) is moved aside
on the first such error and rebuilt by the same run's writes. A run with nothing to write does
not create the directory.

The links phase is not cached here: it has its own cache of URL results.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from corpuslint import __version__, cachedir, resultcodec
from corpuslint.cachedir import CACHE_DIR_NAME  # noqa: F401  (re-exported)
from corpuslint.digests import blake2b
from corpuslint.sharding import in_shard, parse_shard, shard_key  # noqa: F401  (re-exported)

DB_NAME = cachedir.FILES_DB
SCHEMA_VERSION = 2  # 2: JSON payloads (1 was pickle)
BATCH = 500  # SQLite host parameters per query
BUSY_TIMEOUT_MS = 10_000
STALE_SECONDS = 30 * 24 * 3600  # rows of other configurations unused this long are dropped
MAX_CACHED_FILE = 10 * 1024 * 1024  # larger files are left to the runner (IO002)


def cache_dir(config: Any, root: str | os.PathLike[str] | None = None) -> Path:
    """The per-file cache's directory: `files` under the cache directory `root` (as
    `cachedir.resolve` gives it), or by default under `cachedir.resolve` of the config."""
    if root is not None:
        return Path(os.path.abspath(root)) / cachedir.FILES_DIR
    config_root = getattr(config, "root", None) if getattr(config, "path", None) else None
    return cachedir.resolve(config_root) / cachedir.FILES_DIR


_code_fingerprint: str | None = None


def code_fingerprint() -> str:
    """Hash of the name, size and modification time of every module of the installed corpuslint
    package (a `stat` each, as ruff's and mypy's caches do; reading them all cost a one-file run
    ~4 ms): an editable install never serves results of older rules, since saving a file changes
    its mtime."""
    global _code_fingerprint
    if _code_fingerprint is None:
        package = Path(__file__).resolve().parent
        digest = blake2b(digest_size=16)
        for directory, dirnames, filenames in os.walk(package):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith((".py", ".json")):
                    path = os.path.join(directory, name)
                    info = os.stat(path)
                    relative = os.path.relpath(path, package)
                    digest.update(f"{relative}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
        _code_fingerprint = digest.hexdigest()
    return _code_fingerprint


def config_key(plan: Any) -> str:
    """Hash of everything besides the file itself that decides a file's result."""
    digest = blake2b(digest_size=32)
    digest.update(f"v{SCHEMA_VERSION}|corpuslint {__version__}|{code_fingerprint()}|".encode())
    digest.update(f"py{sys.version_info[0]}.{sys.version_info[1]}|".encode())
    if any(code.startswith("X") for code in getattr(plan, "document_codes", ())):
        from corpuslint.plugins import fingerprint  # plugin rules: their versions and modules

        digest.update(f"plugins {fingerprint()}|".encode())
    plan_data = dataclasses.asdict(plan) if dataclasses.is_dataclass(plan) else plan
    digest.update(json.dumps(plan_data, sort_keys=True, default=_json_default).encode())
    if "CT002" in getattr(plan, "document_codes", ()):
        # "a retrieval date in the future" depends on today's date
        import datetime

        digest.update(datetime.date.today().isoformat().encode())
    for _globs, schema in getattr(plan, "schema_globs", ()):
        try:
            digest.update(Path(schema).read_bytes())
        except OSError:
            digest.update(b"<missing>")
    return digest.hexdigest()


def _json_default(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if hasattr(value, "items"):
        return dict(value.items())
    return str(value)


def file_digest(path: str) -> bytes | None:
    """BLAKE2b of the file's bytes; None when it cannot be read or is too large to cache."""
    data = _read_cacheable(path)
    return None if data is None else blake2b(data, digest_size=20).digest()


def _read_cacheable(path: str) -> bytes | None:
    """The file's bytes; None when it cannot be read, is not a regular file or is too large."""
    from corpuslint.document import ReadProblem, read_bytes

    data = read_bytes(path, MAX_CACHED_FILE)
    return None if isinstance(data, ReadProblem) else data


def _dependency_state(path: str) -> tuple[str, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (path, stat.st_size, stat.st_mtime_ns)


class FileCache:
    """One run's view of the cache: `lint()` serves hits and lints the misses."""

    def __init__(self, directory: Path, key: str) -> None:
        self.directory = Path(directory)
        self.path = self.directory / DB_NAME
        self.key = key
        self.hits = 0
        self.misses = 0
        self.rebuilt = False  # a damaged database was moved aside during this run
        # `lint` found a row of this configuration key: a run of the same code, config and
        # schema bytes linted files, so it checked those schemas (runner._lint_group)
        self.key_seen = False
        self._inode: int | None = None  # of the database file last opened

    def _files(self) -> list[Path]:
        """What the cache writes: its directories, the database and SQLite's companion files."""
        return [
            self.directory.parent,
            self.directory,
            *(Path(str(self.path) + suffix) for suffix in cachedir.SQLITE_SUFFIXES),
        ]

    # -- database ---------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        cachedir.prepare(self.directory, self.directory.parent)
        cachedir.check_not_symlinks(*self._files())
        connection = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        self._inode = _inode(self.path)
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS results ("
            " path TEXT NOT NULL, config TEXT NOT NULL, display TEXT NOT NULL, digest BLOB NOT NULL,"
            " payload BLOB NOT NULL, written REAL NOT NULL, PRIMARY KEY (path, config))"
        )
        return connection

    def _open(self, *, create: bool = True) -> sqlite3.Connection | None:
        """Open the database (creating it with `create`); a corrupt one is moved aside and
        rebuilt once. None when there is none (and not `create`) or it cannot be used."""
        if not create and not (self.path.is_file() and not cachedir.is_symlink(self.path)):
            return None
        for attempt in range(2):
            try:
                connection = self._connect()
                connection.execute("SELECT count(*) FROM results WHERE 0").fetchall()
                return connection
            except sqlite3.DatabaseError as exc:
                if attempt or not _looks_corrupt(exc):
                    return None
                self._move_aside()
            except OSError:
                return None
        return None

    def _damaged(self, exc: sqlite3.DatabaseError, connection: sqlite3.Connection | None) -> None:
        """After an error in a query: a database found corrupt is closed and moved aside (once),
        so this run's writes start a new one."""
        if self.rebuilt or not _looks_corrupt(exc):
            return
        if connection is not None:
            try:
                connection.close()
            except sqlite3.Error:
                pass
        self.rebuilt = True
        self._move_aside()

    def _move_aside(self) -> None:
        """Rename the damaged database (the one this run opened: if another run has replaced it
        meanwhile, that one is left alone) and drop its journal files."""
        if self._inode is not None and _inode(self.path) != self._inode:
            return
        stamp = f"{os.getpid()}-{time.time_ns()}"
        for old in self.directory.glob(f"{DB_NAME}.corrupt-*"):  # keep the latest one only
            try:
                old.unlink()
            except OSError:
                pass
        for suffix in ("", "-wal", "-shm"):
            old = Path(str(self.path) + suffix)
            try:
                if suffix:
                    old.unlink()
                else:
                    old.replace(self.directory / f"{DB_NAME}.corrupt-{stamp}")
            except OSError:
                pass

    def _select(self, columns: str, paths: list[str]) -> Iterator[tuple]:
        """This configuration's rows for `paths` (BATCH paths per query); nothing on any error."""
        if self.rebuilt:
            return
        connection = self._open(create=False)
        if connection is None:
            return
        try:
            for start in range(0, len(paths), BATCH):
                batch = paths[start : start + BATCH]
                marks = ",".join("?" * len(batch))
                yield from connection.execute(
                    f"SELECT path, {columns} FROM results WHERE config = ? AND path IN ({marks})",
                    [self.key, *batch],
                ).fetchall()
        except sqlite3.DatabaseError as exc:
            self._damaged(exc, connection)
            return
        finally:
            connection.close()

    def _any_row(self) -> bool:
        """Whether the database holds a row of this configuration key (for any file)."""
        if self.rebuilt:
            return False
        connection = self._open(create=False)
        if connection is None:
            return False
        try:
            found = connection.execute("SELECT 1 FROM results WHERE config = ? LIMIT 1", (self.key,))
            return found.fetchone() is not None
        except sqlite3.DatabaseError as exc:
            self._damaged(exc, connection)
            return False
        finally:
            connection.close()

    def load(self, paths: list[str]) -> dict[str, tuple[str, bytes, bytes]]:
        """path -> (display, digest, payload) of this configuration's rows for `paths`."""
        return {row[0]: row[1:] for row in self._select("display, digest, payload", paths)}

    def load_keys(self, paths: list[str]) -> dict[str, tuple[str, bytes]]:
        """path -> (display, digest) of this configuration's rows for `paths` (no payloads)."""
        return {row[0]: row[1:] for row in self._select("display, digest", paths)}

    def store(self, rows: list[tuple[str, str, bytes, bytes]], *, prune: bool = True) -> None:
        """Write (path, display, digest, payload) rows in one transaction; failures are ignored.
        With `prune`, rows of other configurations unused for STALE_SECONDS are dropped too."""
        if not rows and (not prune or not self.path.is_file()):
            return  # nothing to write: a run that caches nothing creates nothing
        connection = self._open()
        if connection is None:
            return
        try:
            self._write(connection, rows, prune)
        finally:
            connection.close()

    def _write(
        self, connection: sqlite3.Connection, rows: list[tuple[str, str, bytes, bytes]], prune: bool
    ) -> None:
        now = time.time()
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(
                "INSERT OR REPLACE INTO results (path, config, display, digest, payload, written)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(path, self.key, display, digest, payload, now) for path, display, digest, payload in rows],
            )
            if prune:
                connection.execute(
                    "DELETE FROM results WHERE config != ? AND written < ?", (self.key, now - STALE_SECONDS)
                )
            connection.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            try:
                connection.execute("ROLLBACK")
            except sqlite3.DatabaseError:
                pass
            self._damaged(exc, None)

    # -- the run ----------------------------------------------------------------------------

    def lint(
        self,
        sources: list[Any],
        plan: Any,
        jobs: int | None,
        lint_files: Callable[..., Iterable[Any]],
    ) -> Iterator[Any]:
        """The results of `sources`, in order: cached ones, and `lint_files` for the rest.

        `lint_files(misses, plan, jobs, chunk=lint_and_pack)` runs `lint_and_pack` on chunks of
        the missed files (in worker processes when there are many) and yields its items.
        """
        known = self.load_keys([source.path for source in sources]) if sources else {}
        self.key_seen = bool(known) or self._any_row()
        hit_paths: set[str] = set()
        for source in sources:
            row = known.get(source.path)
            if row is not None and row[0] == source.display and row[1] == file_digest(source.path):
                hit_paths.add(source.path)
        known.clear()
        misses = [source for source in sources if source.path not in hit_paths]
        self.hits, self.misses = len(hit_paths), len(misses)
        fresh = iter(lint_files(misses, plan, jobs, chunk=lint_and_pack) if misses else ())
        hits = [source for source in sources if source.path in hit_paths]
        payloads: dict[str, bytes] = {}
        loaded: set[str] = set()  # the paths of the batch of hits whose payloads were read last
        next_hit = 0  # index into `hits` of the first one whose payload is not loaded yet
        rows: list[tuple[str, str, bytes, bytes]] = []
        writer: sqlite3.Connection | None | bool = None  # False: the database could not be opened
        for source in sources:
            if source.path in hit_paths:
                if source.path not in loaded:
                    batch = [s.path for s in hits[next_hit : next_hit + BATCH]]
                    next_hit += len(batch)
                    loaded = set(batch)
                    payloads = {path: payload for path, payload in self._select("payload", batch)}
                payload = payloads.pop(source.path, None)
                result = _unpack(payload) if payload is not None else None
                if result is None:  # a dependency changed (or the row went away): lint it here
                    self.hits -= 1
                    self.misses += 1
                    digest, payload, result = lint_and_pack([source], plan)[0]
                    if payload is not None:
                        rows.append((source.path, source.display, digest, payload))
            else:
                digest, payload, result = next(fresh)
                if payload is not None:
                    rows.append((source.path, source.display, digest, payload))
            if len(rows) >= BATCH:
                # one connection for the run's writes: closing one checkpoints the WAL
                if writer is None:
                    writer = self._open() or False
                if writer:
                    self._write(writer, rows, prune=False)
                    if self.rebuilt:  # the database was damaged: write to a new one from now on
                        writer.close()
                        writer = self._open() or False
                        if writer:
                            self._write(writer, rows, prune=False)
                rows = []
            yield result
        if writer:
            self._write(writer, rows, prune=True)
            writer.close()
        elif writer is None:
            self.store(rows)
            if self.rebuilt and rows and not self.path.is_file():
                self.store(rows)  # the first attempt found the damage and moved it aside


def lint_and_pack(sources: list[Any], plan: Any) -> list[tuple[bytes | None, bytes | None, Any]]:
    """Lint `sources` for the cache (in a worker process): for each, (digest, payload, result
    with its diagnostics packed), or (digest, None, result) when the result is not to be cached
    (unreadable, too large)."""
    from corpuslint import runner

    items: list[tuple[bytes | None, bytes | None, Any]] = []
    for source in sources:
        # one read: the digest and the lint see the same bytes
        data = _read_cacheable(source.path)
        if data is None:
            digest, result = None, runner.lint_file(source, plan)
        else:
            digest, result = (
                blake2b(data, digest_size=20).digest(),
                runner.lint_file(source, plan, data),
            )
        if digest is None or _has_read_problem(result):
            items.append((digest, None, result))
        else:
            # the row for the database, and the result as the run's store keeps it (its
            # diagnostics packed here, in the worker): the main process decodes nothing
            items.append((digest, _pack(result), runner.pack_result(result)))
    return items


def _has_read_problem(result: Any) -> bool:
    return any(d.code == "IO002" for d in getattr(result, "diagnostics", ()))


def _pack(result: Any) -> bytes:
    dependencies = [
        state for state in map(_dependency_state, getattr(result, "dependencies", ()) or ()) if state
    ]
    return resultcodec.encode(result, dependencies)


def _unpack(payload: bytes, *, check: bool = True) -> Any | None:
    """The stored result, or None when it does not validate (a damaged or crafted row: a miss)
    or (with `check`) one of its dependencies changed."""
    try:
        result, dependencies = resultcodec.decode(payload, packed=True)
    except resultcodec.BadPayload:
        return None
    if check:
        for path, size, mtime_ns in dependencies:
            if _dependency_state(path) != (path, size, mtime_ns):
                return None
    return result


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _looks_corrupt(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "file is encrypted" in text or "corrupt" in text


def open_for(config: Any, plan: Any, root: str | os.PathLike[str] | None = None) -> FileCache:
    """The cache of a run; `root`: the cache directory from --cache-dir (see `cache_dir`)."""
    return FileCache(cache_dir(config, root), config_key(plan))
