"""`path:line:col: CODE [*] message`, then what a reader needs to act on a long listing.

After the diagnostics: when they took more than `long_output` lines, a table of counts by code
(errors first) and the three files with the most findings, with a hint about `--statistics`,
`--select` and `--sort severity`; then the links line, the summary and the fix hints. `[*]`
marks a diagnostic that `--fix` fixes (a safe fix), as in ruff.
"""

from __future__ import annotations

from collections import Counter
from typing import IO

from corpuslint.diagnostics import Diagnostic, Severity
from corpuslint.reporters import Report, ReportOptions, printable, run_level, shown

BOLD, RED, YELLOW, CYAN, DIM, RESET = "\033[1m", "\033[31m", "\033[33m", "\033[36m", "\033[2m", "\033[0m"
WORST_FILES = 3
TAILS = 4096  # formatted pieces kept for reuse (a bound on memory, not on the output)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def summary(report: Report) -> str:
    if not report.diagnostics:
        return f"All checks passed! ({_plural(report.files, 'file')} checked)"
    return (
        f"Found {_plural(report.errors, 'error')} and {_plural(report.warnings, 'warning')} "
        f"in {report.files_with_diagnostics:,} of {_plural(report.files, 'file')}."
    )


def fix_mark(d: Diagnostic) -> str:
    """` [*]` when `--fix` fixes it (safe fix), else nothing."""
    return " [*]" if d.fix is not None and d.fix.safe and d.fix.edits else ""


def _links_line(stats) -> str | None:  # type: ignore[no-untyped-def]
    if not stats:
        return None
    parts = [f"{stats.get(k, 0)} {k}" for k in ("checked", "cached", "broken", "skipped") if k in stats]
    if stats.get("unchecked"):
        parts.append(f"{stats['unchecked']} not checked")
    return "Links: " + ", ".join(parts) + "." if parts else None


class Painter:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, *styles: str) -> str:
        return "".join(styles) + text + RESET if self.color else text

    def location(self, d: Diagnostic, *, path: bool = True) -> str:
        where = f"{d.line}" + self(":", CYAN) + f"{d.column}"
        return (self(printable(d.path), BOLD) + self(":", CYAN) + where) if path else where

    def code(self, d: Diagnostic) -> str:
        return self(d.code, BOLD, RED if d.severity is Severity.ERROR else YELLOW)


def report(report: Report, stream: IO[str], options: ReportOptions) -> None:
    paint = Painter(options.color)
    if options.statistics:
        write_statistics(report, stream, paint)
    else:
        listed, hidden = shown(report, options)
        lines = 0
        colon = paint(":", CYAN)
        heads: dict[str, str] = {}  # path -> its painted text and colon
        tails: dict[tuple, str] = {}  # what follows the column: the same for many findings
        write = stream.write
        for d in listed:
            head = heads.get(d.path)
            if head is None:
                if len(heads) >= TAILS:
                    heads.clear()
                head = heads[d.path] = paint(printable(d.path), BOLD) + colon
            mark = fix_mark(d)
            key = (d.code, d.severity, mark, d.message)
            tail = tails.get(key)
            if tail is None:
                if len(tails) >= TAILS:
                    tails.clear()
                tail = tails[key] = f": {paint.code(d)}{mark} {printable(d.message)}\n"
            write(f"{head}{d.line}{colon}{d.column}{tail}")
            lines += 1
            if options.show_source:
                lines += write_source(stream, d, options, paint)
        if options.quiet:
            return
        write_footer(report, stream, options, paint, lines, hidden)
        return
    if not options.quiet:
        write_totals(report, stream)


report_text = report


def write_footer(
    report: Report, stream: IO[str], options: ReportOptions, paint: Painter, lines: int, hidden: int
) -> None:
    """Everything after the listing: not-shown count, table for long output, totals."""
    if listed_any(report):
        stream.write("\n")
    if hidden:
        stream.write(
            f"… {_plural(hidden, 'more diagnostic')} not shown (--max-diagnostics/--max-per-code).\n"
        )
    if lines > options.long_output or hidden:
        write_overview(report, stream, paint, options.sort)
    write_totals(report, stream)


def write_overview(report: Report, stream: IO[str], paint: Painter, sort: str = "path") -> None:
    """Counts by code (errors first) and the files with the most findings."""
    counts = Counter(d.code for d in report.diagnostics)
    severity = {d.code: d.severity for d in report.diagnostics}
    names = {code: report.rule_docs.get(code, ("", "", ""))[0] for code in counts}
    stream.write("By code:\n")
    order = sorted(counts, key=lambda code: (-severity[code], -counts[code], code))
    width = max(len(f"{counts[code]:,}") for code in order)
    for code in order:
        label = paint(f"{code:<6}", BOLD, RED if severity[code] is Severity.ERROR else YELLOW)
        stream.write(f"  {label} {str(severity[code]):<7} {counts[code]:>{width},}  {names[code]}\n")
    per_file = Counter(d.path for d in report.diagnostics)
    worst = sorted(per_file.items(), key=lambda item: (-item[1], item[0]))[:WORST_FILES]
    stream.write(
        "Most findings: " + ", ".join(f"{printable(path)} ({count:,})" for path, count in worst) + "\n"
    )
    errors = sorted({code for code in counts if severity[code] is Severity.ERROR})
    select = ",".join(errors) if errors else order[0]
    first = "" if sort == "severity" else "; `--sort severity` lists errors first"
    stream.write(f"Hint: `--statistics` counts by code; `--select {select}` lists only those{first}.\n\n")


def listed_any(report: Report) -> bool:
    return len(run_level(report)) < len(report.diagnostics)


def write_totals(report: Report, stream: IO[str]) -> None:
    for d in run_level(report):
        stream.write(f"{d.code} {printable(d.message)}\n")
    links = _links_line(report.link_stats)
    if links:
        stream.write(links + "\n")
    stream.write(summary(report) + "\n")
    safe = sum(1 for d in report.diagnostics if fix_mark(d))
    unsafe = sum(1 for d in report.diagnostics if d.fix is not None and not d.fix.safe and d.fix.edits)
    if safe:
        stream.write(f"[*] {_plural(safe, 'fixable diagnostic')} (use `--fix`).\n")
    if unsafe:
        fixes = "fix" if unsafe == 1 else "fixes"
        stream.write(f"{unsafe:,} more {fixes} available with `--fix --unsafe-fixes`.\n")


def write_statistics(report: Report, stream: IO[str], paint: Painter) -> None:
    counts = Counter(d.code for d in report.diagnostics)
    fixable = {d.code for d in report.diagnostics if fix_mark(d)}
    messages = {}
    for d in report.diagnostics:
        messages.setdefault(d.code, report.rule_docs.get(d.code, ("", d.message, ""))[0])
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        mark = "[*]" if code in fixable else "   "
        stream.write(f"{count:>6}\t{paint(code, BOLD, RED)}\t{mark} {printable(messages[code])}\n")


def write_source(stream: IO[str], d: Diagnostic, options: ReportOptions, paint: Painter) -> int:
    """The offending line with a caret under the column; the number of lines written."""
    lines = options.sources.get(d.path)
    if not lines or not 1 <= d.line <= len(lines):
        return 0
    raw = lines[d.line - 1]
    text = printable(raw.replace("\t", " "))
    gutter = f"{d.line:>4} | "
    stream.write(paint(gutter, CYAN) + text + "\n")
    width = 1
    if d.end_line == d.line and d.end_column and d.end_column > d.column:
        width = d.end_column - d.column
    before = printable(raw[: d.column - 1].replace("\t", " "))
    under = printable(raw[d.column - 1 : d.column - 1 + width].replace("\t", " "))
    caret = "^" * max(1, _display_width(under))
    stream.write(
        " " * (len(gutter) - 2) + paint("| ", CYAN) + " " * _display_width(before) + paint(caret, RED) + "\n"
    )
    return 2


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def report_full(report: Report, stream: IO[str], options: ReportOptions) -> None:
    """`full`: the concise listing plus the offending line with a caret under it (`--show-source`)."""
    from dataclasses import replace

    report_text(report, stream, replace(options, show_source=True))
