"""The one data type every rule, phase and reporter shares."""

from __future__ import annotations

import enum
from operator import itemgetter
from sys import intern as _intern


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


_tuple_new = tuple.__new__


class _Record(tuple):
    """An immutable record stored as a tuple of its fields (in `_fields` order): built with one
    tuple allocation (a frozen dataclass sets each field with `object.__setattr__`, ~1-2 µs per
    object, and a dense run makes several objects per finding). Equal only to a record of the
    same class; not ordered (as a dataclass without `order`)."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self, strict=True))
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return _other_eq(other)
        return tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return _other_ne(other)
        return tuple.__ne__(self, other)

    __hash__ = tuple.__hash__

    def __lt__(self, other: object) -> bool:
        return NotImplemented

    __le__ = __gt__ = __ge__ = __lt__

    def __reduce__(self) -> tuple:
        return (type(self), tuple(self))


def _other_eq(other: object) -> bool:
    """A record compared with an object of another class: never equal to a plain tuple (whose
    own comparison would see the fields); other objects decide (NotImplemented, truthy)."""
    return False if isinstance(other, tuple) else NotImplemented  # type: ignore[return-value]


def _other_ne(other: object) -> bool:
    return True if isinstance(other, tuple) else NotImplemented  # type: ignore[return-value]


def _fields(cls: type) -> type:
    """Give a _Record subclass a read-only property per name of its `_fields`."""
    for index, name in enumerate(cls._fields):
        setattr(cls, name, property(itemgetter(index)))
    return cls


@_fields
class Edit(_Record):
    """Replace text[start:end] (offsets into the decoded file text) with `replacement`."""

    __slots__ = ()
    _fields = ("start", "end", "replacement")
    start: int
    end: int
    replacement: str

    def __new__(cls, start: int, end: int, replacement: str) -> Edit:
        return _tuple_new(cls, (start, end, replacement))


@_fields
class Fix(_Record):
    __slots__ = ()
    _fields = ("message", "edits", "safe")
    message: str
    edits: tuple[Edit, ...]
    safe: bool

    def __new__(cls, message: str, edits: tuple[Edit, ...], safe: bool = True) -> Fix:
        return _tuple_new(cls, (message, edits, safe))


@_fields
class Problem(_Record):
    """What a rule yields: a position in the document and a message. The runner adds the rest.
    (`code`: for rules that report under another code of their family.)"""

    __slots__ = ()
    _fields = ("line", "column", "message", "end_line", "end_column", "fix", "code")
    line: int
    column: int
    message: str
    end_line: int | None
    end_column: int | None
    fix: Fix | None
    code: str | None

    def __new__(
        cls,
        line: int,
        column: int,
        message: str,
        end_line: int | None = None,
        end_column: int | None = None,
        fix: Fix | None = None,
        code: str | None = None,
    ) -> Problem:
        return _tuple_new(cls, (line, column, message, end_line, end_column, fix, code))


@_fields
class Diagnostic(_Record):
    """One finding (a run may hold a million of them). Equality and hash leave the fix out."""

    __slots__ = ()
    _fields = ("path", "line", "column", "code", "severity", "message", "end_line", "end_column", "fix")
    path: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str
    end_line: int | None
    end_column: int | None
    fix: Fix | None

    def __new__(
        cls,
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
        return _tuple_new(cls, (path, line, column, code, severity, message, end_line, end_column, fix))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return _other_eq(other)
        return self[:8] == other[:8]  # type: ignore[index]

    def __ne__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return _other_ne(other)
        return self[:8] != other[:8]  # type: ignore[index]

    def __hash__(self) -> int:
        return hash(self[:8])

    def __reduce__(self) -> tuple:
        # plain values only (severity as int, fix as nested tuples): what a worker sends per
        # finding; unpickling rebuilds it with the strings interned
        return (_rebuild, (*record(self),))

    def sort_key(self) -> tuple:
        return (self[0], self[1], self[2], self[3], self[5])

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


# what sorts diagnostics (as Diagnostic.sort_key, in C): path, line, column, code, message
SORT_KEY = itemgetter(0, 1, 2, 3, 5)
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
    """Diagnostic(...) from already-checked values, without the Python-level constructor."""
    return _tuple_new(Diagnostic, (path, line, column, code, severity, message, end_line, end_column, fix))


FixRecord = tuple  # (message, ((start, end, replacement), ...), safe)


def record(d: Diagnostic) -> tuple:
    """A diagnostic as a tuple of plain values (severity an int, the fix nested tuples): what
    marshal takes (it takes no tuple subclass)."""
    path, line, column, code, severity, message, end_line, end_column, fix = d
    if fix is not None:
        fix = (fix[0], tuple(map(tuple, fix[1])), fix[2])
    return (path, line, column, code, int(severity), message, end_line, end_column, fix)


def from_record(r: tuple) -> Diagnostic:
    """The inverse of `record` (in the main process): the strings a run repeats (codes,
    messages, fix messages) interned on the way in."""
    fix = r[8]
    if fix is not None:
        fix = _tuple_new(Fix, (_intern(fix[0]), tuple([_tuple_new(Edit, e) for e in fix[1]]), fix[2]))
    return _tuple_new(
        Diagnostic, (r[0], r[1], r[2], _intern(r[3]), _SEVERITIES[r[4]], _intern(r[5]), r[6], r[7], fix)
    )


def _rebuild(*fields: object) -> Diagnostic:
    """`from_record` of the fields given one by one (what a pickled Diagnostic calls)."""
    return from_record(fields)


def compact(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The same diagnostics sharing one copy of each repeated string (messages, fix messages):
    a run with a million findings holds a few thousand distinct messages."""
    return [from_record(record(d)) for d in diagnostics]


def merge_sorted(*parts: list[Diagnostic]) -> list[Diagnostic]:
    """Lists of diagnostics as one list in `Diagnostic.sort_key` order. Each list normally
    comes sorted already (a file's diagnostics sorted, files in display order): checking costs
    no stored key, only a list out of order is sorted, and the lists are merged, not sorted
    together. The parts are emptied."""
    import heapq

    parts = tuple(part for part in parts if part)
    for part in parts:
        if not is_sorted(part):
            part.sort(key=SORT_KEY)
    if len(parts) == 1:
        return parts[0]
    merged = list(heapq.merge(*parts, key=SORT_KEY))
    for part in parts:
        part.clear()
    return merged


def is_sorted(diagnostics: list[Diagnostic]) -> bool:
    keys = list(map(SORT_KEY, diagnostics))
    return all(a <= b for a, b in zip(keys, keys[1:], strict=False))
