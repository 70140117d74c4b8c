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

    def __reduce__(self) -> tuple:
        # plain values only (severity as int, fix as nested tuples): what a worker sends per
        # finding; unpickling rebuilds it with `make`, not one constructor call per object
        return (_rebuild, (*record(self),))

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


_NEW = object.__new__
_SET = tuple(
    Diagnostic.__dict__[name].__set__  # type: ignore[attr-defined]
    for name in ("path", "line", "column", "code", "severity", "message", "end_line", "end_column", "fix")
)
_SEVERITIES = {int(severity): severity for severity in Severity}


def make(
    path: str,
    line: int,
    column: int,
    code: str,
    severity: Severity,
    message: str,
    end_line: int | None = None,
    end_column: int | None = None,
    fix: Fix | None = None,
) -> Diagnostic:
    """Diagnostic(...) without the frozen dataclass's __init__ (one object.__setattr__ call per
    field): the same object, about half the cost; for decoding many already-checked values."""
    d = _NEW(Diagnostic)
    (
        set_path,
        set_line,
        set_column,
        set_code,
        set_severity,
        set_message,
        set_end_line,
        set_end_column,
        set_fix,
    ) = _SET
    set_path(d, path)
    set_line(d, line)
    set_column(d, column)
    set_code(d, code)
    set_severity(d, severity)
    set_message(d, message)
    set_end_line(d, end_line)
    set_end_column(d, end_column)
    set_fix(d, fix)
    return d


FixRecord = tuple  # (message, ((start, end, replacement), ...), safe)


def record(d: Diagnostic) -> tuple:
    """A diagnostic as a tuple of plain values (severity an int, the fix nested tuples)."""
    fix = d.fix
    packed = (
        None
        if fix is None
        else (fix.message, tuple((e.start, e.end, e.replacement) for e in fix.edits), fix.safe)
    )
    return (d.path, d.line, d.column, d.code, int(d.severity), d.message, d.end_line, d.end_column, packed)


def _rebuild(
    path: str,
    line: int,
    column: int,
    code: str,
    severity: int,
    message: str,
    end_line: int | None,
    end_column: int | None,
    fix: FixRecord | None,
) -> Diagnostic:
    """The inverse of `record` (unpickling, in the main process): the strings a run repeats
    (codes, messages, fix messages) interned on the way in."""
    from sys import intern

    if fix is not None:
        fix = Fix(intern(fix[0]), tuple(Edit(*edit) for edit in fix[1]), fix[2])
    return make(
        path, line, column, intern(code), _SEVERITIES[severity], intern(message), end_line, end_column, fix
    )


def compact(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The same diagnostics sharing one copy of each repeated string (messages, fix messages):
    a run with a million findings holds a few thousand distinct messages."""
    from sys import intern

    set_code, set_message = _SET[3], _SET[5]
    set_fix_message = Fix.__dict__["message"].__set__  # type: ignore[attr-defined]
    for d in diagnostics:
        set_message(d, intern(d.message))
        set_code(d, intern(d.code))
        if d.fix is not None:
            set_fix_message(d.fix, intern(d.fix.message))
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
