"""A JSON array of diagnostics, written as it goes (one diagnostic in memory as text at a time,
in batches of writes), not built as one document first.

Each item is what `json.JSONEncoder(ensure_ascii=False, indent=2)` writes for
`Diagnostic.to_dict()`, nested one level, but formatted here from the fields: the encoder's
indented mode is pure Python and cost about 80 µs per finding, most of a dense run's reporting.
"""

from __future__ import annotations

from json.encoder import encode_basestring  # the C escaper the encoder uses with ensure_ascii=False
from typing import IO

from corpuslint.diagnostics import Diagnostic
from corpuslint.reporters import Report, ReportOptions

BATCH = 512  # diagnostics per write()


def _number(value: int | None) -> str:
    return "null" if value is None else int.__repr__(value)


def item(d: Diagnostic) -> str:
    """One diagnostic as its indented JSON object, without the separator before it."""
    fix = d.fix
    if fix is None or not fix.edits:
        fix_text = "null"
    else:
        applicability = '"safe"' if fix.safe else '"unsafe"'
        fix_text = (
            "{\n      \"message\": " + encode_basestring(fix.message)
            + ",\n      \"applicability\": " + applicability + "\n    }"
        )  # fmt: skip
    return (
        "  {\n    \"path\": " + encode_basestring(d.path)
        + ",\n    \"line\": " + int.__repr__(d.line)
        + ",\n    \"column\": " + int.__repr__(d.column)
        + ",\n    \"end_line\": " + _number(d.end_line)
        + ",\n    \"end_column\": " + _number(d.end_column)
        + ",\n    \"code\": " + encode_basestring(d.code)
        + ",\n    \"severity\": " + ('"error"' if d.severity == 2 else '"warning"')
        + ",\n    \"message\": " + encode_basestring(d.message)
        + ",\n    \"fixable\": " + ("true" if d.fixable else "false")
        + ",\n    \"fix\": " + fix_text
        + "\n  }"
    )  # fmt: skip


def report(report: Report, stream: IO[str], options: ReportOptions) -> None:
    if not report.diagnostics:
        stream.write("[]\n")
        return
    pending: list[str] = []
    first = True
    for d in report.diagnostics:
        pending.append(("[\n" if first else ",\n") + item(d))
        first = False
        if len(pending) >= BATCH:
            stream.write("".join(pending))
            pending.clear()
    pending.append("\n]\n")
    stream.write("".join(pending))
