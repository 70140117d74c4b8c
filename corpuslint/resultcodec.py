"""A file's lint result as bytes for the per-file cache, and back: JSON, zlib-compressed when large.

The cache database is just a file in the corpus: anyone who can commit to a repository can
put rows in it, and every part of a row's key can be computed offline. So a stored row is data
that is checked, never code that is run (the cache used to hold pickles: unpickling a crafted
row runs whatever it names). `decode` rebuilds a result only from JSON values of the expected
shape, type by type; anything else (wrong shape, wrong types, too deep, too large, not JSON)
raises `BadPayload`, which the cache counts as a miss.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from corpuslint.diagnostics import Diagnostic, Edit, Fix, Severity, make

FORMAT = 2  # 2: link occurrences as lists in field order (1: objects with field names)
RAW, ZLIB = b"j", b"z"  # first byte of a payload
COMPRESS_ABOVE = 4096  # bytes of JSON: smaller payloads are stored as they are
MAX_DECODED = 64 * 1024 * 1024  # a payload that inflates beyond this is refused (zip bombs)


class BadPayload(ValueError):
    """A stored row that is not a result this version wrote."""


# -- encoding ----------------------------------------------------------------------------------


def encode(result: Any, dependencies: list[tuple[str, int, int]]) -> bytes:
    suppressions = getattr(result, "suppressions", None)
    data = {
        "format": FORMAT,
        "path": result.path,
        "diagnostics": [_diagnostic(d) for d in result.diagnostics],
        "links": [_link(link) for link in result.links],
        "suppressions": suppressions.to_data() if suppressions is not None else None,
        "dependencies": [list(state) for state in dependencies],
        "result_dependencies": list(getattr(result, "dependencies", ()) or ()),
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return ZLIB + zlib.compress(text, 1) if len(text) > COMPRESS_ABOVE else RAW + text


def _link(link: Any) -> list[Any]:
    return [
        link.path,
        link.line,
        link.column,
        link.end_line,
        link.end_column,
        link.url,
        link.text,
        link.label,
        link.start,
        link.end,
    ]


def _diagnostic(d: Diagnostic) -> list[Any]:
    fix = None
    if d.fix is not None:
        fix = [d.fix.message, [[e.start, e.end, e.replacement] for e in d.fix.edits], d.fix.safe]
    return [d.path, d.line, d.column, d.code, int(d.severity), d.message, d.end_line, d.end_column, fix]


# -- decoding ----------------------------------------------------------------------------------


def decode(payload: bytes, *, packed: bool = False) -> tuple[Any, list[tuple[str, int, int]]]:
    """(FileResult, dependency states) from a payload; BadPayload for anything else. With
    `packed`, the diagnostics come as the result's `packed` records (diagstore.pack_records,
    checked value by value as for objects, sorted), not as Diagnostic objects: what the run's
    store keeps, without building an object per cached finding."""
    try:
        data = json.loads(_inflate(payload).decode("utf-8"))
        return _result(data, packed, payload)
    except BadPayload:
        raise
    except Exception as exc:  # noqa: BLE001  (JSON too deep, not UTF-8, a constructor's own check...)
        raise BadPayload(f"{type(exc).__name__}: {exc}") from None


def _inflate(payload: bytes) -> bytes:
    if not isinstance(payload, bytes) or not payload:
        raise BadPayload("empty or not bytes")
    kind, body = payload[:1], payload[1:]
    if kind == RAW:
        return body
    if kind != ZLIB:
        raise BadPayload("unknown payload kind")
    inflater = zlib.decompressobj()
    data = inflater.decompress(body, MAX_DECODED)
    if inflater.unconsumed_tail or not inflater.eof:
        raise BadPayload("payload too large or truncated")
    return data


def diagnostics_of(payload: bytes) -> list[list[Any]]:
    """The diagnostic records of a payload that `decode(packed=True)` has checked (the run's
    store keeps such a payload as the blob of its file: diagstore.Packed)."""
    return json.loads(_inflate(payload).decode("utf-8"))["diagnostics"]


def _result(data: Any, packed: bool = False, payload: bytes = b"") -> tuple[Any, list[tuple[str, int, int]]]:
    from corpuslint.runner import FileResult
    from corpuslint.suppressions import Suppressions

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BadPayload("not a result of this format")
    suppressions = data["suppressions"]
    items = _list(data["diagnostics"])
    links = _list(data["links"])
    if links:
        from corpuslint.links.extract import LinkOccurrence

        occurrences = [_to_link(LinkOccurrence, item) for item in links]
    else:
        occurrences = []
    result = FileResult(
        _str(data["path"]),
        [] if packed else [_to_diagnostic(item) for item in items],
        occurrences,
        None if suppressions is None else Suppressions.from_data(suppressions),
        tuple(_str(p) for p in _list(data["result_dependencies"])),
    )
    if packed and items:
        from corpuslint.diagnostics import SORT_KEY
        from corpuslint.diagstore import pack_records

        _check_records(items)
        ordered = sorted(
            items, key=SORT_KEY
        )  # as the run wrote them: a crafted row cannot disorder the report
        # in order (as this version writes them): the store keeps the checked payload itself and
        # decodes it again when a reporter reads it, instead of packing the records anew
        result.packed = pack_records(ordered, payload if ordered == items and payload else None)
    dependencies = []
    for item in _list(data["dependencies"]):
        path, size, mtime_ns = _list(item, 3)
        dependencies.append((_str(path), _int(size), _int(mtime_ns)))
    return result, dependencies


_SEVERITIES = {int(severity): severity for severity in Severity}
_SEVERITY_VALUES = set(_SEVERITIES)


_INT = {int}
_STR = {str}
_OPTIONAL_INT = {int, type(None)}
_OPTIONAL_LIST = {list, type(None)}


def _check_records(items: list[Any]) -> None:
    """Every item is a diagnostic record of plain values (diagnostics.record, lists for tuples),
    checked as `_to_diagnostic` checks one, column by column: set(map(type, ...)) runs in C, and a
    warm run checks every cached finding of the corpus. `type` is exact: True is not an int."""
    if set(map(type, items)) != {list} or set(map(len, items)) != {9}:
        raise BadPayload("diagnostic: expected lists of 9")
    path, line, column, code, severity, message, end_line, end_column, fix = zip(*items, strict=True)
    if not (
        set(map(type, path)) == _STR
        and set(map(type, line)) == _INT
        and set(map(type, column)) == _INT
        and set(map(type, code)) == _STR
        and set(map(type, message)) == _STR
        and set(map(type, end_line)) <= _OPTIONAL_INT
        and set(map(type, end_column)) <= _OPTIONAL_INT
        and set(map(type, severity)) == _INT
        and set(severity) <= _SEVERITY_VALUES
        and set(map(type, fix)) <= _OPTIONAL_LIST
    ):
        raise BadPayload("diagnostic: unexpected value types")
    fixes = [f for f in fix if f is not None]
    if not fixes:
        return
    if set(map(len, fixes)) != {3}:
        raise BadPayload("fix: expected a list of 3")
    fix_message, edits, safe = zip(*fixes, strict=True)
    if not (
        set(map(type, fix_message)) == _STR
        and set(map(type, safe)) == {bool}
        and set(map(type, edits)) == {list}
    ):
        raise BadPayload("fix: unexpected value types")
    every = [edit for group in edits for edit in group]
    if not every:
        return
    if set(map(type, every)) != {list} or set(map(len, every)) != {3}:
        raise BadPayload("edit: expected a list of 3")
    start, end, replacement = zip(*every, strict=True)
    if not (
        set(map(type, start)) == _INT and set(map(type, end)) == _INT and set(map(type, replacement)) == _STR
    ):
        raise BadPayload("edit: unexpected value types")


def _to_diagnostic(item: Any) -> Diagnostic:
    # the checks inline: a warm run decodes every cached diagnostic of the corpus
    if type(item) is not list or len(item) != 9:
        raise BadPayload("diagnostic: expected a list of 9")
    path, line, column, code, severity, message, end_line, end_column, fix = item
    if not (
        type(path) is str
        and type(line) is int
        and type(column) is int
        and type(code) is str
        and type(message) is str
        and (end_line is None or type(end_line) is int)
        and (end_column is None or type(end_column) is int)
        and type(severity) is int
        and severity in _SEVERITIES
    ):
        raise BadPayload("diagnostic: unexpected value types")
    return make(
        path,
        line,
        column,
        code,
        _SEVERITIES[severity],
        message,
        end_line,
        end_column,
        None if fix is None else _to_fix(fix),
    )


def _to_fix(item: Any) -> Fix:
    if type(item) is not list or len(item) != 3:
        raise BadPayload("fix: expected a list of 3")
    message, edits, safe = item
    if type(message) is not str or type(safe) is not bool or type(edits) is not list:
        raise BadPayload("fix: unexpected value types")
    parsed = []
    for edit in edits:
        if type(edit) is not list or len(edit) != 3:
            raise BadPayload("edit: expected a list of 3")
        start, end, replacement = edit
        if type(start) is not int or type(end) is not int or type(replacement) is not str:
            raise BadPayload("edit: unexpected value types")
        parsed.append(Edit(start, end, replacement))
    return Fix(message, tuple(parsed), safe)


def _to_link(cls: type, item: Any) -> Any:
    # the checks inline, as for diagnostics: a warm run decodes every link of the corpus
    if type(item) is not list or len(item) != 10:
        raise BadPayload("link: expected a list of 10")
    path, line, column, end_line, end_column, url, text, label, start, end = item
    if not (
        type(path) is str
        and type(line) is int
        and type(column) is int
        and (end_line is None or type(end_line) is int)
        and (end_column is None or type(end_column) is int)
        and type(url) is str
        and type(text) is str
        and (label is None or type(label) is str)
        and (start is None or type(start) is int)
        and (end is None or type(end) is int)
    ):
        raise BadPayload("link: unexpected value types")
    return cls(path, line, column, end_line, end_column, url, text, label, start, end)


def _list(value: Any, length: int | None = None) -> list[Any]:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise BadPayload("expected a list" + (f" of {length}" if length is not None else ""))
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise BadPayload("expected a string")
    return value


def _int(value: Any) -> int:
    if type(value) is not int:
        raise BadPayload("expected an integer")
    return value


def _optional_int(value: Any) -> int | None:
    return None if value is None else _int(value)
