"""GitHub Actions workflow commands: each diagnostic becomes an annotation on its line."""

from __future__ import annotations

from typing import IO

from corpuslint.diagnostics import Severity
from corpuslint.reporters import Report, ReportOptions
from corpuslint.reporters.text import summary


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def report(report: Report, stream: IO[str], options: ReportOptions) -> None:
    for d in report.diagnostics:
        level = "error" if d.severity is Severity.ERROR else "warning"
        props = [f"file={_escape_property(d.path)}", f"line={d.line}", f"col={d.column}"]
        if d.end_line:
            props.append(f"endLine={d.end_line}")
        if d.end_column and (d.end_line in (None, d.line)):
            props.append(f"endColumn={d.end_column}")
        props.append(f"title={_escape_property(d.code)}")
        stream.write(f"::{level} {','.join(props)}::{_escape_data(f'{d.code} {d.message}')}\n")
    stream.write(summary(report) + "\n")
