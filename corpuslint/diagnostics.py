"""The one data type every rule, phase and reporter shares."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected 'error' or 'warning')") from None


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace text[start:end] (offsets into the decoded file text) with `replacement`."""

    start: int
    end: int
    replacement: str

    def __reduce__(self) -> tuple:  # frozen slotted dataclasses pickle only from 3.11 on
        return (Edit, (self.start, self.end, self.replacement))


@dataclass(frozen=True, slots=True)
class Fix:
    message: str
    edits: tuple[Edit, ...]
    safe: bool = True

    def __reduce__(self) -> tuple:
        return (Fix, (self.message, self.edits, self.safe))


@dataclass(frozen=True)
class Problem:
    """What a rule yields: a position in the document and a message. The runner adds the rest."""

    line: int
    column: int
    message: str
    end_line: int | None = None
    end_column: int | None = None
    fix: Fix | None = None
    code: str | None = None  # for rules that report under another code of their family


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. Slotted: a run may hold a million of them."""

    path: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str
    end_line: int | None = None
    end_column: int | None = None
    fix: Fix | None = field(default=None, compare=False)

    def __reduce__(self) -> tuple:  # frozen slotted dataclasses pickle only from 3.11 on
        return (
            Diagnostic,
            (
                self.path,
                self.line,
                self.column,
                self.code,
                self.severity,
                self.message,
                self.end_line,
                self.end_column,
                self.fix,
            ),
        )

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code, self.message)

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "fixable": self.fixable,
            "fix": None
            if self.fix is None or not self.fix.edits
            else {"message": self.fix.message, "applicability": "safe" if self.fix.safe else "unsafe"},
        }

    @property
    def fixable(self) -> bool:
        """Whether `--fix` fixes it (a safe fix): what `[*]` marks in the text output."""
        return self.fix is not None and self.fix.safe and bool(self.fix.edits)


def compact(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The same diagnostics sharing one copy of each repeated string (messages, fix messages):
    a run with a million findings holds a few thousand distinct messages."""
    import sys

    intern = sys.intern
    for d in diagnostics:
        object.__setattr__(d, "message", intern(d.message))
        object.__setattr__(d, "code", intern(d.code))
        if d.fix is not None:
            object.__setattr__(d.fix, "message", intern(d.fix.message))
    return diagnostics


def merge_sorted(*parts: list[Diagnostic]) -> list[Diagnostic]:
    """Lists of diagnostics as one list in `Diagnostic.sort_key` order. Each list normally
    comes sorted already (a file's diagnostics sorted, files in display order): checking costs
    no stored key, only a list out of order is sorted, and the lists are merged, not sorted
    together. The parts are emptied."""
    import heapq

    parts = tuple(part for part in parts if part)
    for part in parts:
        if not is_sorted(part):
            part.sort(key=Diagnostic.sort_key)
    if len(parts) == 1:
        return parts[0]
    merged = list(heapq.merge(*parts, key=Diagnostic.sort_key))
    for part in parts:
        part.clear()
    return merged


def is_sorted(diagnostics: list[Diagnostic]) -> bool:
    previous = None
    for diagnostic in diagnostics:
        key = diagnostic.sort_key()
        if previous is not None and key < previous:
            return False
        previous = key
    return True
