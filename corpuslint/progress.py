"""A one-line progress display on stderr for long runs: done/total, rate, ETA.

Shown only when stderr is a terminal and not in CI (`CI` or `GITHUB_ACTIONS` set), never in a
pipe or a log; `--no-progress` turns it off. The line is redrawn in place at most ten times a
second and erased when the phase ends, so the output that follows starts on a clean line.
"""

from __future__ import annotations

import os
import sys
import time
from typing import IO

MIN_TOTAL = 50  # runs shorter than this end before a progress line would help
REDRAW_SECONDS = 0.1
SHOW_AFTER_SECONDS = 0.3  # nothing is drawn for a run that ends sooner


def wanted(stream: IO[str], env: dict[str, str] | None = None, *, disabled: bool = False) -> bool:
    """Whether to draw progress on `stream`: a terminal, outside CI, unless disabled."""
    env = dict(os.environ) if env is None else env
    if disabled or env.get("CI") or env.get("GITHUB_ACTIONS") or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed
        return False


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


class ProgressLine:
    """`label: done/total files, rate/s, ETA m:ss` redrawn in place."""

    def __init__(self, label: str, unit: str = "files", stream: IO[str] | None = None) -> None:
        self.label = label
        self.unit = unit
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._drawn_at = 0.0
        self._visible = False

    def update(self, done: int, total: int) -> None:
        if total < MIN_TOTAL:
            return
        if done >= total:  # the phase is over: what follows starts on a clean line
            self.close()
            return
        now = time.monotonic()
        elapsed = now - self.started
        if elapsed < SHOW_AFTER_SECONDS or (now - self._drawn_at < REDRAW_SECONDS and done < total):
            return
        self._drawn_at = now
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = _duration((total - done) / rate) if rate > 0 else "?"
        line = f"{self.label}: {done}/{total} {self.unit}, {rate:.0f}/s, ETA {eta}"
        self._write(f"\r{line}\x1b[K")
        self._visible = True

    def close(self) -> None:
        """Erase the line (the run's output follows)."""
        if self._visible:
            self._write("\r\x1b[K")
            self._visible = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a terminal gone away: no more progress
            self._visible = False
