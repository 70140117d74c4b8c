"""The link cache: results of earlier runs in SQLite, so an unchanged corpus is not re-fetched.

One table keyed by (URL, settings fingerprint). A good result is reused for `ttl_ok` (7 days),
a failure for `ttl_fail` (1 hour). WAL mode and a busy timeout let concurrent runs share the
file. A database another process holds locked past `LOCK_WAIT` seconds is left alone: this run
goes on without the cache (a note on stderr says so). Only a file that is not a readable
database (not SQLite, malformed pages) is rebuilt; nothing is ever a reason to fail the run.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from corpuslint import cachedir
from corpuslint.links.outcomes import OK, PERMANENT, SOFT404, LinkResult
from corpuslint.links.settings import LinkSettings

FILE_NAME = "links.sqlite3"
SCHEMA_VERSION = 3  # 2: titles, 3: archived copies
LOCK_WAIT = 5.0  # seconds to wait for another process's lock before going on without the cache
_GOOD = {OK, PERMANENT, SOFT404}  # the server answered: the long TTL applies

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    url TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    outcome TEXT NOT NULL,
    message TEXT NOT NULL,
    status INTEGER,
    new_url TEXT,
    titles TEXT,
    archived TEXT,
    checked_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (url, fingerprint)
)
"""


class LinkCache:
    def __init__(self, settings: LinkSettings, *, now: float | None = None) -> None:
        self.settings = settings
        self.directory = settings.resolved_cache_dir()
        self.path = self.directory / FILE_NAME
        self.fingerprint = settings.fingerprint()
        self._now = now
        self._db: sqlite3.Connection | None = None
        self._disabled = False  # locked by another process: off for this run

    def now(self) -> float:
        return time.time() if self._now is None else self._now

    # --- connection ---------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        cachedir.prepare(self.directory)
        cachedir.check_database(self.path)  # a committed symlink is never written through
        db = sqlite3.connect(str(self.path), timeout=LOCK_WAIT, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {int(LOCK_WAIT * 1000)}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            db.execute("DROP TABLE IF EXISTS results")
        db.execute(_SCHEMA)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("SELECT count(*) FROM results").fetchone()  # touches the pages: finds corruption
        return db

    def _connection(self) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        if self._disabled:
            return None
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            if _busy(exc):
                self._give_up()
            else:
                self._rebuild()
        except OSError:
            self._db = None
        return self._db

    def _give_up(self) -> None:
        """Another process holds the database: run without it, and never touch its file."""
        self.close()
        self._disabled = True
        print(
            f"corpuslint: note: the link cache {self.path} is locked by another process; "
            f"links are checked without it this time",
            file=sys.stderr,
        )

    def _rebuild(self) -> None:
        """Move a damaged file out of the way and start empty."""
        self.close()
        for suffix in ("", "-wal", "-shm"):
            try:
                Path(str(self.path) + suffix).unlink()
            except OSError:
                pass
        try:
            self._db = self._open()
        except (sqlite3.DatabaseError, OSError):
            self._db = None  # the cache is off for this run

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None

    # --- reading and writing ------------------------------------------------------------------

    def get_many(self, urls: Iterable[str]) -> dict[str, LinkResult]:
        urls = list(urls)
        found: dict[str, LinkResult] = {}
        for _ in range(2):
            db = self._connection()
            if db is None:
                return {}
            try:
                now = self.now()
                for start in range(0, len(urls), 500):
                    chunk = urls[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = db.execute(
                        f"SELECT url, outcome, message, status, new_url, titles, archived FROM results "
                        f"WHERE fingerprint = ? AND expires_at > ? AND url IN ({marks})",
                        (self.fingerprint, now, *chunk),
                    ).fetchall()
                    for url, outcome, message, status, new_url, titles, archived in rows:
                        found[url] = LinkResult(
                            url,
                            outcome,
                            message,
                            status=status,
                            new_url=new_url,
                            titles=None if titles is None else tuple(t for t in titles.split("\n") if t),
                            archived=archived,
                        )
                return found
            except sqlite3.DatabaseError as exc:
                found.clear()
                if _busy(exc):
                    self._give_up()
                    return {}
                self._rebuild()
        return {}

    def put_many(self, results: Iterable[LinkResult]) -> int:
        now = self.now()
        rows = []
        for result in results:
            if not result.cacheable:
                continue
            ttl = self.settings.ttl_ok if result.outcome in _GOOD else self.settings.ttl_fail
            titles = None if result.titles is None else "\n".join(result.titles)
            rows.append(
                (
                    result.url,
                    self.fingerprint,
                    result.outcome,
                    result.message,
                    result.status,
                    result.new_url,
                    titles,
                    result.archived,
                    now,
                    now + ttl,
                )
            )
        if not rows:
            return 0
        for _ in range(2):
            db = self._connection()
            if db is None:
                return 0
            try:
                db.execute("BEGIN IMMEDIATE")
                db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                db.execute("COMMIT")
                return len(rows)
            except sqlite3.DatabaseError as exc:
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                if _busy(exc) or isinstance(exc, sqlite3.OperationalError) and not _corrupt(exc):
                    return 0  # busy past the timeout: results are simply not kept this time
                self._rebuild()
        return 0

    def clear(self) -> int:
        """Delete every cached result; returns how many there were."""
        if not self.path.exists():
            return 0
        db = self._connection()
        if db is None:
            return 0
        try:
            count = db.execute("SELECT count(*) FROM results").fetchone()[0]
            db.execute("DELETE FROM results")
            db.execute("VACUUM")
            return int(count)
        except sqlite3.DatabaseError as exc:
            if _busy(exc):
                self._give_up()
            else:
                self._rebuild()
            return 0


def _busy(exc: sqlite3.DatabaseError) -> bool:
    """Locked or busy: another process's transaction, not a damaged file."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED (and their extended codes)
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _corrupt(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text
