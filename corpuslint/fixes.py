"""Applying fixes: `check --fix`, `--diff` and `--unsafe-fixes`.

Fixes are applied like ruff applies them: in a pass, take each applicable fix in document order
unless one of its edits overlaps an edit already taken; then lint the new text again and repeat
(at most `MAX_PASSES` times) until no fix applies. A file is written only when its text changed,
atomically (a temporary file in the same directory, then `os.replace`), with its permissions,
newline style and byte order mark as they were.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from corpuslint.diagnostics import Diagnostic, Edit
from corpuslint.document import Document

if TYPE_CHECKING:
    from corpuslint.config import Config
    from corpuslint.discovery import SourceFile
    from corpuslint.reporters import Report
    from corpuslint.runner import LintPlan, RunOptions

MAX_PASSES = 10


def applicable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    fix = diagnostic.fix
    return fix is not None and bool(fix.edits) and (fix.safe or unsafe)


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end and b.start == b.end:
        return a.start == b.start  # two insertions at one point: their order would be arbitrary
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


def apply_fixes(
    text: str, diagnostics: Iterable[Diagnostic], *, unsafe: bool
) -> tuple[str, list[Diagnostic]]:
    """Apply the non-overlapping applicable fixes of `diagnostics` to `text` (one pass).

    Returns the new text and the diagnostics whose fix was applied. A fix whose edits overlap an
    edit already taken (or each other, or fall outside the text) is skipped; a fix identical to
    one already taken counts as applied too.
    """
    candidates = [d for d in diagnostics if applicable(d, unsafe)]
    candidates.sort(key=lambda d: (min(e.start for e in d.fix.edits), d.sort_key()))
    taken: list[Edit] = []
    seen: set[tuple[Edit, ...]] = set()
    applied: list[Diagnostic] = []
    size = len(text)
    for diagnostic in candidates:
        edits = tuple(sorted(diagnostic.fix.edits, key=lambda e: (e.start, e.end)))
        if edits in seen:
            applied.append(diagnostic)
            continue
        if any(not (0 <= e.start <= e.end <= size) for e in edits):
            continue
        if any(_overlaps(a, b) for i, a in enumerate(edits) for b in edits[i + 1 :]):
            continue
        if any(_overlaps(e, t) for e in edits for t in taken):
            continue
        taken.extend(edits)
        seen.add(edits)
        applied.append(diagnostic)
    if not taken:
        return text, []
    taken.sort(key=lambda e: (e.start, e.end))
    pieces = []
    position = 0
    for edit in taken:
        pieces.append(text[position : edit.start])
        pieces.append(edit.replacement)
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces), applied


def encode(text: str, newline: str = "\n", bom: bool = False) -> bytes:
    """The bytes of `text` (normalised to "\\n") in the file's own newline style and BOM."""
    if newline != "\n":
        text = text.replace("\n", newline)
    data = text.encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data


def write_atomically(path: str, text: str, newline: str = "\n", bom: bool = False) -> None:
    """Replace the file at `path` with `text` in one step, keeping its permissions.

    The new content goes to a temporary file in the same directory (same file system), is
    flushed to disk, gets the original's mode, and replaces the original with `os.replace`:
    a reader sees the old file or the new one, never half of one. A symbolic link is followed:
    its target is replaced, the link stays.
    """
    target = os.path.realpath(path)
    directory = os.path.dirname(target) or "."
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=directory
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(encode(text, newline, bom))
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


@dataclass
class FileFix:
    """What fixing one file did."""

    source: SourceFile
    document: Document  # the original
    text: str  # the fixed text
    applied: list[Diagnostic] = field(default_factory=list)

    def diff(self) -> str:
        before = self.document.text.splitlines(keepends=True)
        after = self.text.splitlines(keepends=True)
        lines = list(
            difflib.unified_diff(before, after, f"a/{self.source.display}", f"b/{self.source.display}")
        )
        return "".join(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
        )


def fix_file(
    source: SourceFile, diagnostics: Sequence[Diagnostic], plan: LintPlan, *, unsafe: bool
) -> FileFix | None:
    """Fix one file in memory, re-linting between passes. None when nothing changes."""
    from corpuslint.runner import lint_file

    if not any(applicable(d, unsafe) for d in diagnostics):
        return None
    document = Document.read(source.path, source.display)
    if document.read_problem is not None:
        return None
    text = document.text
    applied: list[Diagnostic] = []
    current = list(diagnostics)
    for _ in range(MAX_PASSES):
        new_text, done = apply_fixes(text, current, unsafe=unsafe)
        if not done or new_text == text:
            break
        applied.extend(done)
        text = new_text
        current = [
            d for d in lint_file(source, plan, data=text.encode("utf-8")).diagnostics if d.fix is not None
        ]
    if text == document.text:
        return None
    return FileFix(source, document, text, applied)


def fix_files(
    sources: Sequence[SourceFile], diagnostics: Iterable[Diagnostic], plan: LintPlan, *, unsafe: bool
) -> list[FileFix]:
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        if diagnostic.fix is not None:
            by_path.setdefault(diagnostic.path, []).append(diagnostic)
    results = []
    for source in sources:
        found = by_path.get(source.display)
        if found:
            result = fix_file(source, found, plan, unsafe=unsafe)
            if result is not None:
                results.append(result)
    return results


@dataclass
class FixOutcome:
    files: list[FileFix]

    @property
    def count(self) -> int:
        return sum(len(f.applied) for f in self.files)

    @property
    def by_code(self) -> Counter:
        return Counter(d.code for f in self.files for d in f.applied)

    def diff(self) -> str:
        return "".join(f.diff() for f in self.files)


def run_fixes(
    sources: Sequence[SourceFile],
    report: Report,
    config: Config,
    options: RunOptions,
    *,
    unsafe: bool,
    write: bool,
) -> FixOutcome:
    """What `check --fix` / `--diff` does after the first lint: fix in memory, then write or not."""
    from corpuslint.runner import enabled_codes, make_plan

    plan = make_plan(config, enabled_codes(config, options))
    outcome = FixOutcome(fix_files(sources, report.diagnostics, plan, unsafe=unsafe))
    if write:
        for fixed in outcome.files:
            write_atomically(fixed.source.path, fixed.text, fixed.document.newline, fixed.document.bom)
    return outcome
