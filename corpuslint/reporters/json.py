"""A JSON array of diagnostics, written as it goes (one batch of items in memory as text at a
time), not built as one document first.

Each item is what `json.JSONEncoder(ensure_ascii=False, indent=2)` writes for
`Diagnostic.to_dict()`, nested one level, but formatted here from the plain records the run's
store keeps (`diagnostics.record`; no Diagnostic object is built): the encoder's indented mode is
pure Python and cost about 80 µs per finding. An item is a template filled with the path's text
(once per file), four numbers and the text of everything after them, which depends only on
(code, severity, message, fix message and applicability) and is formatted once per distinct one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring  # the C escaper the encoder uses with ensure_ascii=False
from typing import IO

from corpuslint.diagnostics import Diagnostic, record
from corpuslint.reporters import Report, ReportOptions

BATCH = 512  # diagnostics per write()
TAILS = 4096  # distinct tails kept formatted (a bound on memory, not a limit on the output)

_ITEM = '%s%d,\n    "column": %d,\n    "end_line": %s,\n    "end_column": %s%s'


def _head(path: str) -> str:
    return '  {\n    "path": ' + encode_basestring(path) + ',\n    "line": '


def _tail(code: str, severity: int, message: str, fix: tuple[str, bool] | None) -> str:
    """The item from `"code"` on; `fix`: (message, safe) of a fix with edits, else None."""
    if fix is None:
        fixable, fix_text = "false", "null"
    else:
        fixable = "true" if fix[1] else "false"
        applicability = '"safe"' if fix[1] else '"unsafe"'
        fix_text = (
            "{\n      \"message\": " + encode_basestring(fix[0])
            + ",\n      \"applicability\": " + applicability + "\n    }"
        )  # fmt: skip
    return (
        ",\n    \"code\": " + encode_basestring(code)
        + ",\n    \"severity\": " + ('"error"' if severity == 2 else '"warning"')
        + ",\n    \"message\": " + encode_basestring(message)
        + ",\n    \"fixable\": " + fixable
        + ",\n    \"fix\": " + fix_text
        + "\n  }"
    )  # fmt: skip


def items(files: Iterable[Iterable[tuple]]) -> Iterator[str]:
    """Each record's indented JSON object, without the separator before it; `files`: lists of
    records (`diagnostics.record`), as DiagnosticStore.records() gives them."""
    tails: dict[tuple, str] = {}
    item = _ITEM
    path = head = None
    for records in files:
        for r_path, line, column, code, severity, message, end_line, end_column, fix in records:
            if r_path is not path and r_path != path:
                path, head = r_path, _head(r_path)
            key = (code, severity, message, None if fix is None or not fix[1] else (fix[0], fix[2]))
            tail = tails.get(key)
            if tail is None:
                if len(tails) >= TAILS:
                    tails.clear()
                tail = tails[key] = _tail(*key)
            yield item % (
                head,
                line,
                column,
                "null" if end_line is None else end_line,
                "null" if end_column is None else end_column,
                tail,
            )


def item(d: Diagnostic) -> str:
    """One diagnostic as its indented JSON object, without the separator before it."""
    return next(items([[record(d)]]))


def _records(diagnostics: object) -> Iterable[Iterable[tuple]]:
    records = getattr(diagnostics, "records", None)
    if records is not None:  # a run's diagstore.DiagnosticStore
        return records()
    return [map(record, diagnostics)]  # type: ignore[call-overload]


def report(report: Report, stream: IO[str], options: ReportOptions) -> None:
    if not report.diagnostics:
        stream.write("[]\n")
        return
    pending: list[str] = ["["]
    separator = "\n"
    for text in items(_records(report.diagnostics)):
        pending.append(separator)
        pending.append(text)
        separator = ",\n"
        if len(pending) >= 2 * BATCH:
            stream.write("".join(pending))
            pending.clear()
    pending.append("\n]\n")
    stream.write("".join(pending))
