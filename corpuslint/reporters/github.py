"""GitHub Actions workflow commands: each diagnostic becomes an annotation on its line."""

from __future__ import annotations

from typing import IO

from corpuslint.diagnostics import Severity
from corpuslint.reporters import Report, ReportOptions, printable, run_level, shown
from corpuslint.reporters.text import summary


def _escape_data(text: str) -> str:
    # line breaks are the format's own (%0A); every other control character is shown escaped
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "%0A".join(printable(line).replace("%", "%25") for line in lines)


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def report(report: Report, stream: IO[str], options: ReportOptions) -> None:
    listed, _hidden = shown(report, options)
    for d in listed:
        level = "error" if d.severity is Severity.ERROR else "warning"
        props = [f"file={_escape_property(d.path)}", f"line={d.line}", f"col={d.column}"]
        if d.end_line:
            props.append(f"endLine={d.end_line}")
        if d.end_column and (d.end_line in (None, d.line)):
            props.append(f"endColumn={d.end_column}")
        props.append(f"title={_escape_property(d.code)}")
        stream.write(f"::{level} {','.join(props)}::{_escape_data(f'{d.code} {d.message}')}\n")
    for d in run_level(report):  # about the run, not a line of a file
        level = "error" if d.severity is Severity.ERROR else "warning"
        stream.write(f"::{level} title={_escape_property(d.code)}::{_escape_data(f'{d.code} {d.message}')}\n")
    stream.write(summary(report) + "\n")
