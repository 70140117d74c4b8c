"""The progress line itself: when it is wanted, what it says, that it erases itself."""

from __future__ import annotations

import io

from corpuslint import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_wanted_only_on_a_terminal_outside_ci_unless_disabled():
    assert progress.wanted(Terminal(), {})
    assert not progress.wanted(io.StringIO(), {})
    assert not progress.wanted(Terminal(), {"CI": "true"})
    assert not progress.wanted(Terminal(), {"GITHUB_ACTIONS": "true"})
    assert not progress.wanted(Terminal(), {"TERM": "dumb"})
    assert not progress.wanted(Terminal(), {}, disabled=True)


def test_one_line_with_done_total_rate_and_eta_then_erased(monkeypatch):
    clock = iter([0.0, 1.0, 2.0, 2.05, 4.0])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    stream = Terminal()
    line = progress.ProgressLine("linting", stream=stream)  # started at 0.0
    line.update(100, 400)  # at 1.0: 100 files/s, 3 s left
    line.update(200, 400)  # at 2.0
    line.update(201, 400)  # at 2.05: too soon to redraw
    line.update(400, 400)  # done: erased
    text = stream.getvalue()
    assert text.split("\r")[1] == "linting: 100/400 files, 100/s, ETA 0:03\x1b[K"
    assert text.split("\r")[2] == "linting: 200/400 files, 100/s, ETA 0:02\x1b[K"
    assert text.endswith("\r\x1b[K") and "201/400" not in text
    assert "\n" not in text


def test_short_runs_draw_nothing():
    stream = Terminal()
    line = progress.ProgressLine("linting", stream=stream)
    for done in range(1, progress.MIN_TOTAL):
        line.update(done, progress.MIN_TOTAL - 1)
    line.close()
    assert stream.getvalue() == ""
