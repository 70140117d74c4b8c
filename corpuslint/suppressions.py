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


@dataclass
class Suppressions:
    # per line (1-based): the set of code prefixes disabled there; ALL disables everything
    lines: dict[int, frozenset[str]] = field(default_factory=dict)
    whole_file: frozenset[str] = frozenset()

    def suppresses(self, diagnostic: Diagnostic) -> bool:
        for prefixes in (self.whole_file, self.lines.get(diagnostic.line, frozenset())):
            if ALL in prefixes or any(diagnostic.code.startswith(p) for p in prefixes):
                return True
        return False

    def filter(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        return [d for d in diagnostics if not self.suppresses(d)]


def _codes(text: str) -> frozenset[str]:
    codes = frozenset(c.upper() for c in re.split(r"[\s,]+", text.strip()) if c)
    return codes or frozenset({ALL})


def parse(text: str) -> Suppressions | None:
    if "corpuslint-" not in text:
        return None
    result = Suppressions()
    active: set[str] = set()
    extra: dict[int, set[str]] = {}
    fence: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        fence_match = _FENCE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip()[len(marker):]:
                fence = None
            continue
        if fence is not None:
            if active:
                result.lines[number] = frozenset(active)
            continue
        line_codes: set[str] = set(active)
        for match in _DIRECTIVE.finditer(line):
            kind, codes = match.group(1), _codes(match.group(2))
            if kind == "disable":
                active |= codes
                line_codes |= codes
            elif kind == "enable":
                if ALL in codes:
                    active.clear()
                else:
                    active -= codes
            elif kind == "disable-line":
                line_codes |= codes
            elif kind == "disable-next-line":
                extra.setdefault(number + 1, set()).update(codes)
            else:
                result.whole_file = result.whole_file | codes
        line_codes |= extra.pop(number, set())
        if line_codes:
            result.lines[number] = frozenset(line_codes)
    return result
