"""Applying fixes: `check --fix`, `--diff` and `--unsafe-fixes`.

Fixes are applied like ruff applies them: in a pass, take each applicable fix in document order
unless one of its edits overlaps an edit already taken; then lint the new text again and repeat
(at most `MAX_PASSES` times) until no fix applies. Choosing and applying are linear in the
number of fixes (`corpuslint.edits`).

A file is rewritten only when it is safe to (otherwise it is left as it is, with a warning on
stderr, and the run goes on with the other files):

* it is still the file that was linted: the fixes are applied only if a lint of the bytes read
  now gives the same fixes as the lint they came from, and just before the file is replaced its
  size, modification time and BLAKE2b digest must still be those of the bytes read;
* it is a regular file inside the linted tree (the config's directory or the working
  directory): a symlink is followed only to a regular file there, never to one outside;
* it is writable (a read-only file is left alone) and has one link: a file with several hard
  links is not fixed (replacing it would separate the names; fix one and link it again);
* the new content goes to a temporary file in the same directory, flushed to disk, with the
  original's mode and owner, which then replaces the original in one step (`os.replace`). A
  full disk, a permission error or an owner that cannot be kept leave the original untouched.

Only the characters a fix changes change: line endings (LF, CRLF, CR or mixed) and the byte
order mark stay as they are. `--diff` prints a patch that `git apply` takes for any text: lines
are split at "\\n" only, as git splits them (U+2028, U+0085 and CR are line content).
"""

from __future__ import annotations

import difflib
import os
import stat
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from corpuslint.diagnostics import Diagnostic
from corpuslint.digests import blake2b
from corpuslint.document import ReadProblem, read_bytes
from corpuslint.edits import applicable, apply_exact, choose, splice

if TYPE_CHECKING:
    from corpuslint.config import Config
    from corpuslint.discovery import SourceFile
    from corpuslint.reporters import Report
    from corpuslint.runner import LintPlan, RunOptions

__all__ = ["MAX_PASSES", "applicable", "apply_fixes", "fix_file", "run_fixes", "write_atomically"]

MAX_PASSES = 10
BOM = b"\xef\xbb\xbf"
CHANGED = "it changed since it was linted (run corpuslint again)"


def apply_fixes(
    text: str, diagnostics: Iterable[Diagnostic], *, unsafe: bool
) -> tuple[str, list[Diagnostic]]:
    """Apply the non-overlapping applicable fixes of `diagnostics` to `text` (one pass).

    Returns the new text and the diagnostics whose fix was applied. A fix whose edits overlap an
    edit already taken (or each other, or fall outside the text) is skipped; a fix identical to
    one already taken counts as applied too.
    """
    edits, applied = choose(len(text), diagnostics, unsafe=unsafe)
    return (splice(text, edits), applied) if edits else (text, [])


def encode(text: str, newline: str = "\n", bom: bool = False) -> bytes:
    """The bytes of `text` (normalised to "\\n") in the file's own newline style and BOM."""
    if newline != "\n":
        text = text.replace("\n", newline)
    data = text.encode("utf-8")
    return BOM + data if bom else data


# -- the state of a file -------------------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """What says a file is still the one that was read."""

    size: int
    mtime_ns: int
    digest: bytes

    @classmethod
    def of(cls, path: str, data: bytes) -> Stamp:
        info = os.stat(path)
        return cls(info.st_size, info.st_mtime_ns, blake2b(data, digest_size=20).digest())

    @classmethod
    def now(cls, path: str) -> Stamp | None:
        data = read_bytes(path)
        return None if isinstance(data, ReadProblem) else cls.of(path, data)


class Unsafe(Exception):
    """Why a file is not written (the message is shown as a warning)."""


def check_writable(path: str, roots: Sequence[str]) -> str:
    """The real path to write for `path`; Unsafe when it is not a file corpuslint may replace."""
    target = os.path.realpath(path)
    try:
        info = os.stat(target)
    except OSError as exc:
        raise Unsafe(f"cannot write it: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise Unsafe("not a regular file")
    if os.path.islink(path) or target != os.path.abspath(path):
        real_roots = [os.path.realpath(root) for root in roots]
        if not any(target == r or target.startswith(r.rstrip(os.sep) + os.sep) for r in real_roots):
            raise Unsafe(f"it is a link to {target}, outside the linted tree")
    if info.st_nlink > 1:
        raise Unsafe(f"it has {info.st_nlink} hard links, which replacing it would separate")
    if not info.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise Unsafe("it is read-only")
    return target


def write_atomically(path: str, text: str, newline: str = "\n", bom: bool = False) -> None:
    """Replace the file at `path` with `text` (normalised newlines) in one step, keeping its mode
    and owner; a symbolic link is followed (its target is replaced, the link stays)."""
    target = os.path.realpath(path)
    replace_file(target, encode(text, newline, bom))


def replace_file(target: str, data: bytes, expected: Stamp | None = None) -> None:
    """Write `data` to a temporary file next to `target` and move it over `target`.

    The temporary file gets the original's mode and owner before anything is written to it; with
    `expected`, the original must still match it right before the replacement (Unsafe if not).
    Any failure removes the temporary file and leaves the original as it was.
    """
    directory = os.path.dirname(target) or "."
    try:
        original = os.stat(target)
    except FileNotFoundError:
        original = None
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=directory
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            if original is not None:
                _keep_owner_and_mode(handle.fileno(), original)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if expected is not None and Stamp.now(target) != expected:
            raise Unsafe("it changed while it was being fixed")
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _keep_owner_and_mode(descriptor: int, original: os.stat_result) -> None:
    mine = os.fstat(descriptor)
    if (mine.st_uid, mine.st_gid) != (original.st_uid, original.st_gid) and hasattr(os, "fchown"):
        try:
            os.fchown(descriptor, original.st_uid, original.st_gid)
        except PermissionError:
            raise Unsafe(f"its owner ({original.st_uid}:{original.st_gid}) could not be kept") from None
    if hasattr(os, "fchmod"):
        os.fchmod(descriptor, stat.S_IMODE(original.st_mode))
    else:  # pragma: no cover (Windows)
        os.chmod(descriptor, stat.S_IMODE(original.st_mode))


# -- fixing in memory ------------------------------------------------------------------------------


@dataclass
class FileFix:
    """What fixing one file did (in memory: `write_fixed` writes it)."""

    source: SourceFile
    original: str  # the file's text as read (its own newlines, without the BOM)
    text: str  # the fixed text, in the same form
    bom: bool
    stamp: Stamp  # of the bytes read
    applied: list[Diagnostic] = field(default_factory=list)

    def data(self) -> bytes:
        data = self.text.encode("utf-8")
        return BOM + data if self.bom else data

    def diff(self) -> str:
        bom = "\ufeff" if self.bom else ""
        before, after = _git_lines(bom + self.original), _git_lines(bom + self.text)
        display = self.source.display
        lines = difflib.unified_diff(before, after, f"a/{display}", f"b/{display}")
        return "".join(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
        )


def _git_lines(text: str) -> list[str]:
    """Lines as git sees them: split after each "\\n", nothing else (not str.splitlines)."""
    lines = text.split("\n")
    last = lines.pop()
    result = [line + "\n" for line in lines]
    if last:
        result.append(last)
    return result


def fix_file(
    source: SourceFile, diagnostics: Sequence[Diagnostic], plan: LintPlan, *, unsafe: bool
) -> FileFix | str | None:
    """Fix one file in memory, re-linting between passes: a FileFix, None when nothing changes,
    or why the file is left alone (it changed since `diagnostics` were found)."""
    from corpuslint.runner import lint_file

    if not any(applicable(d, unsafe) for d in diagnostics):
        return None
    data = read_bytes(source.path)
    if isinstance(data, ReadProblem):
        return None
    stamp = Stamp.of(source.path, data)
    bom = data.startswith(BOM)
    try:
        original = (data[3:] if bom else data).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not _same_fixes(diagnostics, lint_file(source, plan, data), plan, unsafe):
        return CHANGED
    text = original
    applied: list[Diagnostic] = []
    current = list(diagnostics)
    for _ in range(MAX_PASSES):
        new_text, done = apply_exact(text, current, unsafe=unsafe)
        if not done or new_text == text:
            break
        applied.extend(done)
        text = new_text
        fresh = lint_file(source, plan, (BOM if bom else b"") + text.encode("utf-8"))
        current = [d for d in fresh.diagnostics if d.fix is not None]
    if text == original:
        return None
    return FileFix(source, original, text, bom, stamp, applied)


def _same_fixes(given: Sequence[Diagnostic], fresh: Any, plan: LintPlan, unsafe: bool) -> bool:
    """Whether the fixes in `given` are the ones a lint of the file as it is now finds: the same
    diagnostics with the same fixes, and for links-phase fixes (LK003) a link at the same place."""
    now = {(d, d.fix) for d in fresh.diagnostics if d.fix is not None}
    links = {(o.line, o.column): o for o in getattr(fresh, "links", ()) or ()}
    document_codes = set(plan.document_codes)
    for diagnostic in given:
        if not applicable(diagnostic, unsafe):
            continue
        if diagnostic.code in document_codes:
            if (diagnostic, diagnostic.fix) not in now:
                return False
            continue
        link = links.get((diagnostic.line, diagnostic.column))
        if link is None or link.start is None or link.end is None:
            return False
        if any(not (link.start <= e.start <= e.end <= link.end) for e in diagnostic.fix.edits):
            return False
    return True


def fix_files(
    sources: Sequence[SourceFile], diagnostics: Iterable[Diagnostic], plan: LintPlan, *, unsafe: bool
) -> tuple[list[FileFix], list[tuple[str, str]]]:
    """The files' fixes, and (display path, reason) for the files left alone."""
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        if diagnostic.fix is not None:
            by_path.setdefault(diagnostic.path, []).append(diagnostic)
    results: list[FileFix] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()  # real paths: a symlink to a file also linted is one file to fix
    for source in sources:
        found = by_path.get(source.display)
        if found:
            real = os.path.realpath(source.path)
            if real in seen:
                continue
            seen.add(real)
            result = fix_file(source, found, plan, unsafe=unsafe)
            if isinstance(result, str):
                skipped.append((source.display, result))
            elif result is not None:
                results.append(result)
    return results, skipped


def write_fixed(fixed: FileFix, roots: Sequence[str]) -> str | None:
    """Write one fixed file if it is safe to; None when written, else why not (nothing written)."""
    try:
        target = check_writable(fixed.source.path, roots)
        if Stamp.now(target) != fixed.stamp:
            raise Unsafe(CHANGED)
        replace_file(target, fixed.data(), fixed.stamp)
    except Unsafe as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot write it: {exc.strerror or exc} (the file is unchanged)"
    return None


@dataclass
class FixOutcome:
    files: list[FileFix]  # fixed (or, with --diff, to be fixed)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (display path, why not)

    @property
    def count(self) -> int:
        return sum(len(f.applied) for f in self.files)

    @property
    def by_code(self) -> Counter:
        return Counter(d.code for f in self.files for d in f.applied)

    def diff(self) -> str:
        return "".join(f.diff() for f in self.files)


def _warn(message: str) -> None:
    print(f"corpuslint: warning: {message}", file=sys.stderr)


def run_fixes(
    sources: Sequence[SourceFile],
    report: Report,
    config: Config,
    options: RunOptions,
    *,
    unsafe: bool,
    write: bool,
    warn: Callable[[str], None] | None = _warn,
) -> FixOutcome:
    """What `check --fix` / `--diff` does after the first lint: fix in memory, then write or not.
    Each file left alone is reported through `warn` ("PATH: not fixed: why"), and the run goes on."""
    from corpuslint.runner import enabled_codes, make_plan

    plan = make_plan(config, enabled_codes(config, options))
    files, skipped = fix_files(sources, report.diagnostics, plan, unsafe=unsafe)
    written = files
    if write:
        roots = [str(config.root), os.getcwd()]
        written = []
        for fixed in files:
            problem = write_fixed(fixed, roots)
            if problem is None:
                written.append(fixed)
            else:
                skipped.append((fixed.source.display, problem))
    if warn is not None:
        for display, reason in skipped:
            warn(f"{display}: not fixed: {reason}")
    return FixOutcome(written, skipped)
