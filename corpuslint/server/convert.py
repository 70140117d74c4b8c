"""corpuslint's diagnostics and fixes as LSP types (positions in code points, 0-based; the
server's text document converts them to the encoding the client negotiated)."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from corpuslint.diagnostics import Diagnostic, Edit, Severity

SOURCE = "corpuslint"
SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
}


def offset_position(line_starts: Sequence[int], offset: int) -> types.Position:
    """The 0-based position (line, code point) of a character offset of the normalised text."""
    from bisect import bisect_right

    line = bisect_right(line_starts, offset) - 1
    return types.Position(line=max(line, 0), character=offset - line_starts[max(line, 0)])


def diagnostic_range(diagnostic: Diagnostic, lines: Sequence[str]) -> types.Range:
    """The range of a diagnostic: its start and end, or the rest of the word/line it starts in."""
    line = max(diagnostic.line - 1, 0)
    column = max(diagnostic.column - 1, 0)
    start = types.Position(line=line, character=column)
    if diagnostic.end_line is not None and diagnostic.end_column is not None:
        end = types.Position(
            line=max(diagnostic.end_line - 1, 0), character=max(diagnostic.end_column - 1, 0)
        )
        if (end.line, end.character) > (start.line, start.character):
            return types.Range(start=start, end=end)
    text = lines[line].rstrip("\r\n") if line < len(lines) else ""
    end_column = len(text) if column < len(text) else column + 1
    return types.Range(start=start, end=types.Position(line=line, character=end_column))


def to_lsp(
    diagnostic: Diagnostic, lines: Sequence[str], index: int, docs_url: str | None
) -> types.Diagnostic:
    description = types.CodeDescription(href=docs_url) if docs_url else None
    return types.Diagnostic(
        range=diagnostic_range(diagnostic, lines),
        message=diagnostic.message,
        severity=SEVERITIES.get(diagnostic.severity, types.DiagnosticSeverity.Warning),
        code=diagnostic.code,
        code_description=description,
        source=SOURCE,
        data={"index": index, "fixable": diagnostic.fix is not None},
    )


def text_edits(
    edits: Sequence[Edit], line_starts: Sequence[int], newline: str = "\n"
) -> list[types.TextEdit]:
    return [
        types.TextEdit(
            range=types.Range(
                start=offset_position(line_starts, e.start), end=offset_position(line_starts, e.end)
            ),
            new_text=e.replacement.replace("\n", newline) if newline != "\n" else e.replacement,
        )
        for e in edits
    ]


def whole_document(lines: Sequence[str], new_text: str) -> types.TextEdit:
    """Replace everything: from the first character to after the last line."""
    end = types.Position(line=len(lines), character=0)
    return types.TextEdit(
        range=types.Range(start=types.Position(line=0, character=0), end=end), new_text=new_text
    )
