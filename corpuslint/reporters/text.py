"""`path:line:col: CODE message`, then a summary line."""

from __future__ import annotations

from collections import Counter
from typing import IO

from corpuslint.diagnostics import Severity
from corpuslint.reporters import Report, ReportOptions

BOLD, RED, YELLOW, CYAN, DIM, RESET = "\033[1m", "\033[31m", "\033[33m", "\033[36m", "\033[2m", "\033[0m"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(report: Report) -> str:
    if not report.diagnostics:
        return f"All checks passed! ({_plural(report.files, 'file')} checked)"
    return (
        f"Found {_plural(report.errors, 'error')} and {_plural(report.warnings, 'warning')} "
        f"in {report.files_with_diagnostics} of {_plural(report.files, 'file')}."
    )


def _links_line(stats) -> str | None:
    if not stats:
        return None
    parts = [f"{stats.get(k, 0)} {k}" for k in ("checked", "cached", "broken", "skipped") if k in stats]
    if stats.get("unchecked"):
        parts.append(f"{stats['unchecked']} not checked")
    return "Links: " + ", ".join(parts) + "." if parts else None


def report(report: Report, stream: IO[str], options: ReportOptions) -> None:
    def paint(text: str, *styles: str) -> str:
        return "".join(styles) + text + RESET if options.color else text

    if options.statistics:
        counts = Counter(d.code for d in report.diagnostics)
        fixable = {d.code for d in report.diagnostics if d.fix is not None and d.fix.safe}
        messages = {}
        for d in report.diagnostics:
            messages.setdefault(d.code, report.rule_docs.get(d.code, ("", d.message, ""))[0])
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            mark = "[*]" if code in fixable else "   "
            stream.write(f"{count:>6}\t{paint(code, BOLD, RED)}\t{mark} {messages[code]}\n")
    elif not options.quiet or report.diagnostics:
        for d in report.diagnostics:
            color = RED if d.severity is Severity.ERROR else YELLOW
            location = paint(d.path, BOLD) + paint(":", CYAN) + f"{d.line}" + paint(":", CYAN) + f"{d.column}"
            fix = " [*]" if d.fix is not None and d.fix.safe else ""
            stream.write(f"{location}: {paint(d.code, BOLD, color)}{fix} {d.message}\n")
            if options.show_source:
                _write_source(stream, d, options, paint)
    if options.quiet and not report.diagnostics:
        return
    if report.diagnostics and not options.statistics:
        stream.write("\n")
    links = _links_line(report.link_stats)
    if links and not options.quiet:
        stream.write(links + "\n")
    stream.write(summary(report) + "\n")
    safe = sum(1 for d in report.diagnostics if d.fix is not None and d.fix.safe)
    unsafe = sum(1 for d in report.diagnostics if d.fix is not None and not d.fix.safe)
    if safe and not options.quiet:
        stream.write(f"[*] {_plural(safe, 'fixable diagnostic')} (use `--fix`).\n")
    if unsafe and not options.quiet:
        fixes = "fix" if unsafe == 1 else "fixes"
        stream.write(f"{unsafe} more {fixes} available with `--fix --unsafe-fixes`.\n")


_concise = report


def _write_source(stream: IO[str], d, options: ReportOptions, paint) -> None:
    lines = options.sources.get(d.path)
    if not lines or not 1 <= d.line <= len(lines):
        return
    text = lines[d.line - 1].replace("\t", " ")
    gutter = f"{d.line:>4} | "
    stream.write(paint(gutter, CYAN) + text + "\n")
    width = 1
    if d.end_line == d.line and d.end_column and d.end_column > d.column:
        width = d.end_column - d.column
    caret_pad = _display_width(text[: d.column - 1])
    caret = "^" * max(1, _display_width(text[d.column - 1 : d.column - 1 + width]))
    stream.write(" " * (len(gutter) - 2) + paint("| ", CYAN) + " " * caret_pad + paint(caret, RED) + "\n")


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def report_full(report: Report, stream: IO[str], options: ReportOptions) -> None:
    """`full`: the concise listing plus the offending line with a caret under it (`--show-source`)."""
    from dataclasses import replace

    _concise(report, stream, replace(options, show_source=True))
