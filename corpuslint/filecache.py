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
runs — pre-commit starts several at once — read and write safely). New results are written in
one transaction at the end of the run. Any problem with the database (locked for too long,
corrupt, read-only directory) costs only the cache: the run lints normally, and a corrupt
database is moved aside and rebuilt.

The links phase is not cached here: it has its own cache of URL results.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import sqlite3
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from corpuslint import __version__

CACHE_DIR_NAME = ".corpuslint_cache"
DB_NAME = "results.sqlite"
SCHEMA_VERSION = 1
BATCH = 500  # SQLite host parameters per query
BUSY_TIMEOUT_MS = 10_000
STALE_SECONDS = 30 * 24 * 3600  # rows of other configurations unused this long are dropped
MAX_CACHED_FILE = 10 * 1024 * 1024  # larger files are left to the runner (IO002)


def cache_dir(config: Any) -> Path:
    """`.corpuslint_cache/files` next to the config file, or in the working directory without one."""
    base = Path(config.root) if getattr(config, "path", None) else Path.cwd()
    return base / CACHE_DIR_NAME / "files"


_code_fingerprint: str | None = None


def code_fingerprint() -> str:
    """Hash of the names and contents of every module of the installed corpuslint package (about a
    millisecond): an editable install never serves results of older rules."""
    global _code_fingerprint
    if _code_fingerprint is None:
        package = Path(__file__).resolve().parent
        digest = hashlib.blake2b(digest_size=16)
        for directory, dirnames, filenames in os.walk(package):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith((".py", ".json")):
                    relative = os.path.relpath(os.path.join(directory, name), package)
                    digest.update(f"{relative}\0".encode())
                    with open(os.path.join(directory, name), "rb") as handle:
                        digest.update(handle.read())
        _code_fingerprint = digest.hexdigest()
    return _code_fingerprint


def config_key(plan: Any) -> str:
    """Hash of everything besides the file itself that decides a file's result."""
    digest = hashlib.sha256()
    digest.update(f"v{SCHEMA_VERSION}|corpuslint {__version__}|{code_fingerprint()}|".encode())
    digest.update(f"py{sys.version_info[0]}.{sys.version_info[1]}|".encode())
    plan_data = dataclasses.asdict(plan) if dataclasses.is_dataclass(plan) else plan
    digest.update(json.dumps(plan_data, sort_keys=True, default=_json_default).encode())
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
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_CACHED_FILE:
                return None
            data = handle.read()
    except OSError:
        return None
    return hashlib.blake2b(data, digest_size=20).digest()


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

    # -- database ---------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        self.directory.mkdir(parents=True, exist_ok=True)
        gitignore = self.directory.parent / ".gitignore"
        if not gitignore.exists():
            try:
                gitignore.write_text("# created by corpuslint\n*\n", encoding="utf-8")
            except OSError:
                pass
        connection = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS results ("
            " path TEXT NOT NULL, config TEXT NOT NULL, display TEXT NOT NULL, digest BLOB NOT NULL,"
            " payload BLOB NOT NULL, written REAL NOT NULL, PRIMARY KEY (path, config))"
        )
        return connection

    def _open(self) -> sqlite3.Connection | None:
        """Open (creating) the database; a corrupt one is moved aside and rebuilt once."""
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

    def _move_aside(self) -> None:
        stamp = f"{os.getpid()}-{time.time_ns()}"
        for suffix in ("", "-wal", "-shm"):
            old = Path(str(self.path) + suffix)
            try:
                if suffix:
                    old.unlink()
                else:
                    old.replace(self.directory / f"{DB_NAME}.corrupt-{stamp}")
            except OSError:
                pass

    def load(self, paths: list[str]) -> dict[str, tuple[str, bytes, bytes]]:
        """path -> (display, digest, payload) of this configuration's rows for `paths`."""
        connection = self._open()
        if connection is None:
            return {}
        found: dict[str, tuple[str, bytes, bytes]] = {}
        try:
            for start in range(0, len(paths), BATCH):
                batch = paths[start : start + BATCH]
                marks = ",".join("?" * len(batch))
                rows = connection.execute(
                    "SELECT path, display, digest, payload FROM results"
                    f" WHERE config = ? AND path IN ({marks})",
                    [self.key, *batch],
                )
                for path, display, digest, payload in rows:
                    found[path] = (display, digest, payload)
        except sqlite3.DatabaseError:
            return found
        finally:
            connection.close()
        return found

    def store(self, rows: list[tuple[str, str, bytes, bytes]]) -> None:
        """Write (path, display, digest, payload) rows in one transaction; failures are ignored."""
        if not rows:
            return
        connection = self._open()
        if connection is None:
            return
        now = time.time()
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(
                "INSERT OR REPLACE INTO results (path, config, display, digest, payload, written)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(path, self.key, display, digest, payload, now) for path, display, digest, payload in rows],
            )
            connection.execute(
                "DELETE FROM results WHERE config != ? AND written < ?", (self.key, now - STALE_SECONDS)
            )
            connection.execute("COMMIT")
        except sqlite3.DatabaseError:
            try:
                connection.execute("ROLLBACK")
            except sqlite3.DatabaseError:
                pass
        finally:
            connection.close()

    # -- the run ----------------------------------------------------------------------------

    def lint(
        self,
        sources: list[Any],
        plan: Any,
        jobs: int | None,
        lint_files: Callable[[list[Any], Any, int | None], Iterable[Any]],
    ) -> Iterator[Any]:
        """The results of `sources`, in order: cached ones, and `lint_files` for the rest."""
        digests = {source.path: file_digest(source.path) for source in sources}
        stored = self.load([source.path for source in sources if digests[source.path] is not None])
        results: dict[str, Any] = {}
        misses = []
        for source in sources:
            hit = stored.get(source.path)
            result = None
            if hit is not None and hit[0] == source.display and hit[1] == digests[source.path]:
                result = _unpack(hit[2])
            if result is None:
                misses.append(source)
            else:
                results[source.path] = result
        self.hits, self.misses = len(results), len(misses)
        new_rows = []
        by_path = {source.path: source for source in misses}
        fresh = {}
        for source, result in zip(misses, lint_files(misses, plan, jobs), strict=True):
            fresh[source.path] = result
            digest = digests[source.path]
            if digest is not None and not _has_read_problem(result):
                new_rows.append((source.path, by_path[source.path].display, digest, _pack(result)))
        results.update(fresh)
        self.store(new_rows)
        for source in sources:
            yield results[source.path]


def _has_read_problem(result: Any) -> bool:
    return any(d.code == "IO002" for d in getattr(result, "diagnostics", ()))


def _pack(result: Any) -> bytes:
    dependencies = [
        state for state in map(_dependency_state, getattr(result, "dependencies", ()) or ()) if state
    ]
    return zlib.compress(pickle.dumps((dependencies, result), protocol=pickle.HIGHEST_PROTOCOL), 1)


def _unpack(payload: bytes) -> Any | None:
    """The stored result, or None when it is unreadable or one of its dependencies changed."""
    try:
        dependencies, result = pickle.loads(zlib.decompress(payload))
    except Exception:  # noqa: BLE001  (a damaged row is a miss, whatever the damage)
        return None
    for path, size, mtime_ns in dependencies:
        if _dependency_state(path) != (path, size, mtime_ns):
            return None
    return result


def _looks_corrupt(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "file is encrypted" in text or "corrupt" in text


def open_for(config: Any, plan: Any) -> FileCache:
    return FileCache(cache_dir(config), config_key(plan))


# -- sharding ---------------------------------------------------------------------------------


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` (1 <= K <= N) -> (K, N)."""
    k, sep, n = text.partition("/")
    try:
        index, total = int(k), int(n)
    except ValueError:
        raise ValueError(f"expected K/N such as 2/4, got {text!r}") from None
    if not sep or total < 1 or not 1 <= index <= total:
        raise ValueError(f"expected K/N with 1 <= K <= N, got {text!r}")
    return index, total


def shard_key(path: str, root: Path) -> str:
    """The path relative to the config's directory (posix), or absolute: independent of the cwd."""
    absolute = Path(path).resolve()
    try:
        return absolute.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return absolute.as_posix()


def in_shard(path: str, root: Path, index: int, total: int) -> bool:
    """Deterministic split by path: CRC-32 of the root-relative path, mod N. A file stays in its
    shard when others are added or removed, so per-shard caches stay warm."""
    if total == 1:
        return True
    return zlib.crc32(shard_key(path, root).encode("utf-8")) % total == index - 1
