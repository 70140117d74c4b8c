"""Choosing and applying fixes' edits, in linear time, and mapping them onto a file's own newlines.

Rules see a document's text with newlines normalised to "\\n" (`Document`); their edits are
offsets into that text. A file keeps its line endings exactly (CR, LF, CRLF or a mixture): the
edits are mapped back to offsets in the file's own text (`NewlineMap`), so only the characters
an edit replaces change, and a newline an edit inserts takes the file's most common style.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable

from corpuslint.diagnostics import Diagnostic, Edit


def applicable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    fix = diagnostic.fix
    return fix is not None and bool(fix.edits) and (fix.safe or unsafe)


def overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end and b.start == b.end:
        return a.start == b.start  # two insertions at one point: their order would be arbitrary
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


class Taken:
    """Pairwise non-overlapping edits, sorted; `overlaps(edit)` looks only at its neighbours.

    Of the edits starting before `edit`, only the last one can reach into it (they do not
    overlap each other); of those starting inside it, the first one found decides: O(log n).
    """

    def __init__(self) -> None:
        self.keys: list[tuple[int, int]] = []
        self.edits: list[Edit] = []

    def overlaps(self, edit: Edit) -> bool:
        index = bisect_left(self.keys, (edit.start, -1))
        if index and overlaps(self.edits[index - 1], edit):
            return True
        while index < len(self.keys) and self.keys[index][0] <= edit.end:
            if overlaps(self.edits[index], edit):
                return True
            index += 1
        return False

    def add(self, edit: Edit) -> None:
        key = (edit.start, edit.end)
        index = bisect_left(self.keys, key)
        if index == len(self.keys):  # the common case: fixes come in document order
            self.keys.append(key)
            self.edits.append(edit)
        else:
            insort(self.keys, key)
            self.edits.insert(index, edit)


def choose(
    size: int, diagnostics: Iterable[Diagnostic], *, unsafe: bool
) -> tuple[list[Edit], list[Diagnostic]]:
    """The edits to make to a text of `size` characters (sorted) and the diagnostics they fix.

    In document order, each applicable fix is taken unless one of its edits overlaps an edit
    already taken (or another of its own, or falls outside the text); a fix identical to one
    already taken counts as applied too.
    """
    candidates = [d for d in diagnostics if applicable(d, unsafe)]
    candidates.sort(key=lambda d: (min(e.start for e in d.fix.edits), d.sort_key()))
    taken = Taken()
    seen: set[tuple[Edit, ...]] = set()
    applied: list[Diagnostic] = []
    for diagnostic in candidates:
        edits = tuple(sorted(diagnostic.fix.edits, key=lambda e: (e.start, e.end)))
        if edits in seen:
            applied.append(diagnostic)
            continue
        if any(not (0 <= e.start <= e.end <= size) for e in edits):
            continue
        if _overlap_each_other(edits) or any(taken.overlaps(e) for e in edits):
            continue
        for edit in edits:
            taken.add(edit)
        seen.add(edits)
        applied.append(diagnostic)
    return taken.edits, applied


def _overlap_each_other(edits: tuple[Edit, ...]) -> bool:
    own = Taken()
    for edit in edits:
        if own.overlaps(edit):
            return True
        own.add(edit)
    return False


def splice(text: str, edits: list[Edit]) -> str:
    """`text` with sorted, non-overlapping `edits` made (one join: linear)."""
    pieces = []
    position = 0
    for edit in edits:
        pieces.append(text[position : edit.start])
        pieces.append(edit.replacement)
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces)


class NewlineMap:
    """Offsets in a text with "\\n" newlines <-> offsets in the text as the file has it."""

    def __init__(self, exact: str) -> None:
        self.exact = exact
        self.crlf: list[int] = []  # normalised offsets of the "\n"s that are "\r\n" in the file
        if "\r" not in exact:
            self.normalised = exact
            self.newline = "\n"
            return
        removed = 0
        position = exact.find("\r\n")
        while position >= 0:
            self.crlf.append(position - removed)
            removed += 1
            position = exact.find("\r\n", position + 2)
        self.normalised = exact.replace("\r\n", "\n").replace("\r", "\n")
        crlf = len(self.crlf)
        cr = exact.count("\r") - crlf
        lf = exact.count("\n") - crlf
        self.newline = max((lf, "\n"), (crlf, "\r\n"), (cr, "\r"), key=lambda item: item[0])[1]

    def to_exact(self, offset: int) -> int:
        return offset + bisect_left(self.crlf, offset)

    def edit(self, edit: Edit) -> Edit:
        replacement = edit.replacement
        if self.newline != "\n" and "\n" in replacement:
            replacement = replacement.replace("\n", self.newline)
        return Edit(self.to_exact(edit.start), self.to_exact(edit.end), replacement)


def apply_exact(
    exact: str, diagnostics: Iterable[Diagnostic], *, unsafe: bool
) -> tuple[str, list[Diagnostic]]:
    """Like `apply_fixes`, for a text with the file's own newlines; the edits' offsets are in its
    normalised form (as rules compute them). Only the edited characters change."""
    mapping = NewlineMap(exact)
    edits, applied = choose(len(mapping.normalised), diagnostics, unsafe=unsafe)
    if not edits:
        return exact, []
    return splice(exact, [mapping.edit(e) for e in edits]), applied
