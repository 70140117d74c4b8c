"""Inline suppression comments, as markdownlint has them:

    <!-- corpuslint-disable FN001 FN002 -->      until a matching enable (no codes: all)
    <!-- corpuslint-enable FN001 -->
    <!-- corpuslint-disable-line FM005 -->      this line only
    <!-- corpuslint-disable-next-line LK001 --> the next line only
    <!-- corpuslint-disable-file -->            the whole file

Codes may be prefixes (`FN`) and are separated by spaces or commas. Comments inside fenced code
blocks are examples, not directives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpuslint.diagnostics import Diagnostic

_DIRECTIVE = re.compile(
    r"<!--\s*corpuslint-(disable-next-line|disable-line|disable-file|disable|enable)\b([^>]*?)-->"
)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ALL = "*"


def _covers(prefixes: frozenset[str], code: str) -> bool:
    return ALL in prefixes or any(code.startswith(p) for p in prefixes)


@dataclass(frozen=True)
class _State:
    """Disabled code prefixes, and the codes re-enabled inside a wider disable."""

    disabled: frozenset[str] = frozenset()
    enabled: frozenset[str] = frozenset()

    def disable(self, codes: frozenset[str]) -> _State:
        return _State(self.disabled | codes, self.enabled - codes)

    def enable(self, codes: frozenset[str]) -> _State:
        if ALL in codes:
            return _State()
        return _State(self.disabled - codes, self.enabled | (codes if self.disabled - codes else frozenset()))

    def suppresses(self, code: str) -> bool:
        return _covers(self.disabled, code) and not any(code.startswith(p) for p in self.enabled)


@dataclass
class Suppressions:
    lines: dict[int, _State] = field(default_factory=dict)
    whole_file: frozenset[str] = frozenset()

    def suppresses(self, diagnostic: Diagnostic) -> bool:
        state = self.lines.get(diagnostic.line)
        return _covers(self.whole_file, diagnostic.code) or (
            state is not None and state.suppresses(diagnostic.code)
        )

    def filter(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        return [d for d in diagnostics if not self.suppresses(d)]


def _codes(text: str) -> frozenset[str]:
    codes = frozenset(c.upper() for c in re.split(r"[\s,]+", text.strip()) if c)
    return codes or frozenset({ALL})


def parse(text: str) -> Suppressions | None:
    if "corpuslint-" not in text:
        return None
    result = Suppressions()
    active = _State()
    extra: dict[int, frozenset[str]] = {}
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
            if active.disabled:
                result.lines[number] = active
            continue
        line_state = active
        for match in _DIRECTIVE.finditer(line):
            kind, codes = match.group(1), _codes(match.group(2))
            if kind == "disable":
                active = active.disable(codes)
                line_state = line_state.disable(codes)
            elif kind == "enable":
                active = active.enable(codes)
            elif kind == "disable-line":
                line_state = line_state.disable(codes)
            elif kind == "disable-next-line":
                extra[number + 1] = extra.get(number + 1, frozenset()) | codes
            else:
                result.whole_file = result.whole_file | codes
        if number in extra:
            line_state = line_state.disable(extra.pop(number))
        if line_state.disabled:
            result.lines[number] = line_state
    return result
