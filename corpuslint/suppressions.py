"""Inline suppression comments, as markdownlint has them:

    <!-- corpuslint-disable FN001 FN002 -->      until a matching enable (no codes: all)
    <!-- corpuslint-enable FN001 -->
    <!-- corpuslint-disable-line FM005 -->      this line only
    <!-- corpuslint-disable-next-line LK001 --> the next line only
    <!-- corpuslint-disable-file -->            the whole file

Codes may be prefixes (`FN`) and are separated by spaces or commas. Comments inside fenced code
blocks are examples, not directives.

Time and memory are linear in the text: the parse records, per code (or prefix), the lines where
its state changes (disabled, re-enabled inside a wider disable, neither), and a question about a
line looks up the prefixes of the diagnostic's code with a binary search. (A snapshot of every
code's state per line, as before, took quadratic memory: 20,000 distinct disables ran out.)
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from corpuslint.diagnostics import Diagnostic

# the start of a directive; its end is the first `>` after it, which must close `-->`
_DIRECTIVE_START = re.compile(
    r"<!--\s*corpuslint-(disable-next-line|disable-line|disable-file|disable|enable)\b"
)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SEPARATORS = re.compile(r"[\s,]+")
ALL = "*"
NEUTRAL, DISABLED, ENABLED = 0, 1, 2  # a code's state: ENABLED is an exception inside a disable


def _covers(prefixes: frozenset[str], code: str) -> bool:
    return ALL in prefixes or any(code.startswith(p) for p in prefixes)


@dataclass
class Suppressions:
    """What the directives of one file say; `suppresses` answers per diagnostic."""

    whole_file: frozenset[str] = frozenset()
    # key -> [(line, sequence, state)]: from the line after `line` on, `key` has `state`
    changes: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)
    resets: list[tuple[int, int]] = field(default_factory=list)  # (line, sequence) of `enable` (all)
    local: dict[int, frozenset[str]] = field(default_factory=dict)  # line -> keys disabled on it only
    _lines: dict[str, list[int]] = field(default_factory=dict, repr=False, compare=False)

    def _state(self, key: str, line: int) -> int:
        """The state of `key` in force at the start of `line` (after the lines before it)."""
        changes = self.changes.get(key)
        if not changes:
            return NEUTRAL
        lines = self._lines.get(key)
        if lines is None:
            lines = self._lines[key] = [change[0] for change in changes]
        index = bisect_right(lines, line - 1)
        if not index:
            return NEUTRAL
        _line, sequence, state = changes[index - 1]
        reset = bisect_right(self.resets, (line - 1, float("inf")))
        if reset and self.resets[reset - 1][1] > sequence:
            return NEUTRAL
        return state

    def suppresses_code(self, code: str, line: int) -> bool:
        if _covers(self.whole_file, code):
            return True
        local = self.local.get(line, frozenset())
        disabled = enabled = False
        for key in (ALL, *(code[:i] for i in range(1, len(code) + 1))):
            if key in local:
                disabled = True
                continue
            state = self._state(key, line)
            disabled = disabled or state == DISABLED
            enabled = enabled or (state == ENABLED and key != ALL)
        return disabled and not enabled

    def suppresses(self, diagnostic: Diagnostic) -> bool:
        return self.suppresses_code(diagnostic.code, diagnostic.line)

    def filter(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        return [d for d in diagnostics if not self.suppresses(d)]

    # -- plain data (the per-file cache stores it as JSON) --------------------------------------

    def to_data(self) -> dict[str, Any]:
        return {
            "whole_file": sorted(self.whole_file),
            "changes": {key: [list(c) for c in changes] for key, changes in self.changes.items()},
            "resets": [list(r) for r in self.resets],
            "local": [[line, sorted(keys)] for line, keys in self.local.items()],
        }

    @classmethod
    def from_data(cls, data: Any) -> Suppressions:
        """The inverse of `to_data`; ValueError when `data` is not its shape."""
        try:
            whole = frozenset(_strings(data["whole_file"]))
            changes = {
                _string(key): [(_int(a), _int(b), _int(c)) for a, b, c in value]
                for key, value in data["changes"].items()
            }
            resets = [(_int(a), _int(b)) for a, b in data["resets"]]
            local = {_int(line): frozenset(_strings(keys)) for line, keys in data["local"]}
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ValueError(f"not suppressions: {exc}") from None
        return cls(whole, changes, resets, local)


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a string")
    return value


def _strings(values: Any) -> list[str]:
    if not isinstance(values, list):
        raise ValueError("expected a list")
    return [_string(v) for v in values]


def _int(value: Any) -> int:
    if type(value) is not int:
        raise ValueError("expected an integer")
    return value


def _codes(text: str) -> frozenset[str]:
    codes = frozenset(c.upper() for c in _SEPARATORS.split(text.strip()) if c)
    return codes or frozenset({ALL})


def directives(line: str) -> list[tuple[str, frozenset[str]]]:
    """The (kind, codes) of the directives in one line, in order; linear in the line's length."""
    found: list[tuple[str, frozenset[str]]] = []
    position = 0
    closing = -1  # the first `>` at or after `position` (reused while `position` stays before it)
    while True:
        match = _DIRECTIVE_START.search(line, position)
        if match is None:
            return found
        position = match.end()
        if closing < position:
            closing = line.find(">", position)
            if closing < 0:
                return found
        if closing - 2 >= position and line[closing - 2 : closing] == "--":
            found.append((match.group(1), _codes(line[position : closing - 2])))
            position = closing + 1


class _Builder:
    """The directives' effect, line by line, recorded as changes (see `Suppressions`)."""

    def __init__(self) -> None:
        self.result = Suppressions()
        self.current: dict[str, int] = {}  # key -> state now (NEUTRAL keys may be absent)
        self.disabled: set[str] = set()
        self.sequence = 0

    def _set(self, key: str, state: int, line: int) -> None:
        self.sequence += 1
        self.current[key] = state
        if state == DISABLED:
            self.disabled.add(key)
        else:
            self.disabled.discard(key)
        self.result.changes.setdefault(key, []).append((line, self.sequence, state))

    def disable(self, codes: frozenset[str], line: int) -> None:
        for key in codes:
            self._set(key, DISABLED, line)

    def enable(self, codes: frozenset[str], line: int) -> None:
        if ALL in codes:
            self.sequence += 1
            self.result.resets.append((line, self.sequence))
            self.current.clear()
            self.disabled.clear()
            return
        remaining = any(key not in codes for key in self.disabled)
        for key in codes:
            was = self.current.get(key, NEUTRAL)
            self._set(key, ENABLED if remaining or was == ENABLED else NEUTRAL, line)


def parse(text: str) -> Suppressions | None:
    if "corpuslint-" not in text:
        return None
    builder = _Builder()
    result = builder.result
    next_line: frozenset[str] = frozenset()
    fence: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        fence_match = _FENCE.match(line)
        if fence_match or fence is not None:
            if fence_match:
                marker = fence_match.group(1)
                if fence is None:
                    fence = marker
                elif marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip()[len(marker) :]:
                    fence = None
            next_line = frozenset()
            continue
        local = next_line
        next_line = frozenset()
        if "corpuslint-" in line:
            for kind, codes in directives(line):
                if kind == "disable":
                    builder.disable(codes, number)
                    local |= codes
                elif kind == "enable":
                    builder.enable(codes, number)
                elif kind == "disable-line":
                    local |= codes
                elif kind == "disable-next-line":
                    next_line |= codes
                else:
                    result.whole_file = result.whole_file | codes
        if local:
            result.local[number] = local
    return result
