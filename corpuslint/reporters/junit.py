"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines...).

One `<testsuite>` per linted file, named after the file, and one `<testcase>` per diagnostic:

* an error is a test case (`name` = `line:col CODE`) holding one `<failure>` (type = the code,
  message = `line:col CODE message`);
* a warning is a passing test case with the warning in its `<system-out>` (warnings do not
  fail the run);
* a file without diagnostics is one passing test case named after the file.

So `tests` counts test cases and `failures` counts errors, in each suite and in the root, and
no test case has more than one `<failure>`. Written as it goes, one file's diagnostics at a
time. Control characters are shown as escapes (`\\x1b`): XML 1.0 cannot carry them.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from corpuslint.diagnostics import Diagnostic, Severity
from corpuslint.reporters import Report, ReportOptions, printable

BATCH_CHARS = 1 << 16  # text gathered per write()


def _attr(text: str) -> str:
    return quoteattr(printable(text))


def _text(text: str) -> str:
    return escape(printable(text))


def _files(report: Report) -> Iterator[tuple[str, list[Diagnostic]]]:
    """Every file in path order with its diagnostics (clean files with none)."""
    by_path = groupby(report.diagnostics, key=lambda d: d.path)
    paths = iter(sorted(set(report.paths)))
    pending_path = next(paths, None)
    for path, group in by_path:
        while pending_path is not None and pending_path < path:
            yield pending_path, []
            pending_path = next(paths, None)
        if pending_path == path:
            pending_path = next(paths, None)
        yield path, list(group)
    while pending_path is not None:
        yield pending_path, []
        pending_path = next(paths, None)


def _counts(report: Report) -> tuple[int, int]:
    """(test cases, failures) of the whole report."""
    errors = report.errors
    clean = len(set(report.paths) - report.paths_with_diagnostics)
    return len(report.diagnostics) + clean, errors


def _suite(path: str, diagnostics: list[Diagnostic]) -> str:
    failures = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    tests = len(diagnostics) or 1
    out = [f'  <testsuite name={_attr(path)} tests="{tests}" failures="{failures}" errors="0" skipped="0">\n']
    if not diagnostics:
        out.append(f'    <testcase name={_attr(path)} classname="corpuslint" file={_attr(path)} />\n')
    for d in diagnostics:
        where = f"{d.line}:{d.column} {d.code}"
        line = f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}"
        out.append(f"    <testcase name={_attr(where)} classname={_attr(path)} file={_attr(path)}>\n")
        if d.severity is Severity.ERROR:
            message = _attr(f"{where} {d.message}")
            out.append(f"      <failure type={_attr(d.code)} message={message}>{_text(line)}</failure>\n")
        else:
            out.append(f"      <system-out>{_text('warning: ' + line)}</system-out>\n")
        out.append("    </testcase>\n")
    out.append("  </testsuite>\n")
    return "".join(out)


def write(report: Report, stream: IO[str]) -> None:
    tests, failures = _counts(report)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(f'<testsuites name="corpuslint" tests="{tests}" failures="{failures}" errors="0">\n')
    pending: list[str] = []
    size = 0
    for path, diagnostics in _files(report):
        pending.append(_suite(path, diagnostics))
        size += len(pending[-1])
        if size >= BATCH_CHARS:
            stream.write("".join(pending))
            pending.clear()
            size = 0
    pending.append("</testsuites>\n")
    stream.write("".join(pending))


def report(report: Report, stream: IO[str], options: ReportOptions) -> None:
    write(report, stream)
