"""SARIF 2.1.0: one run, the rules that appear (with their documentation), one result per diagnostic.

What GitHub code scanning (`github/codeql-action/upload-sarif`) and other SARIF viewers read.
Columns are counted in characters (`columnKind: unicodeCodePoints`); `endColumn` is exclusive,
as in SARIF.
"""

from __future__ import annotations

import json
import os
from json.encoder import encode_basestring  # the C escaper of ensure_ascii=False
from pathlib import Path
from typing import IO
from urllib.parse import quote

from corpuslint.diagnostics import Diagnostic, Severity
from corpuslint.reporters import Report, ReportOptions

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/corpuslint/corpuslint"
SRCROOT = "%SRCROOT%"


def _artifact_location(path: str) -> dict:
    """A relative path becomes a URI relative to %SRCROOT% (the working directory); others file:."""
    posix = path.replace(os.sep, "/")
    if Path(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(posix, safe="/"), "uriBaseId": SRCROOT}


def _region(d: Diagnostic) -> dict:
    region = {"startLine": max(1, d.line), "startColumn": max(1, d.column)}
    end_line = d.end_line or d.line
    if d.end_line and d.end_line >= d.line:
        region["endLine"] = d.end_line
    if d.end_column and (end_line > d.line or d.end_column > d.column):
        region["endColumn"] = d.end_column
    return region


def _rule_descriptor(code: str, doc: tuple[str, str, str] | None) -> dict:
    if doc is None:
        return {"id": code}
    name, summary, text = doc
    descriptor = {
        "id": code,
        "name": name,
        "shortDescription": {"text": summary or name},
        "helpUri": f"{INFORMATION_URI}#{code.lower()}",
    }
    if text:
        descriptor["fullDescription"] = {"text": text}
        descriptor["help"] = {"text": text, "markdown": text}
    return descriptor


def _result(d: Diagnostic, index: dict[str, int]) -> dict:
    return {
        "ruleId": d.code,
        "ruleIndex": index[d.code],
        "level": "error" if d.severity is Severity.ERROR else "warning",
        "message": {"text": d.message},
        "locations": [
            {"physicalLocation": {"artifactLocation": _artifact_location(d.path), "region": _region(d)}}
        ],
    }


def _document(report: Report, results: object, cwd: Path | None = None) -> tuple[dict, dict[str, int]]:
    codes = sorted(report.codes | set(report.rule_docs))
    index = {code: i for i, code in enumerate(codes)}
    root = (cwd or Path.cwd()).resolve().as_uri()
    run = {
        "tool": {
            "driver": {
                "name": "corpuslint",
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(code, report.rule_docs.get(code)) for code in codes],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": root if root.endswith("/") else root + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if report.version:
        run["tool"]["driver"]["version"] = report.version
        run["tool"]["driver"]["semanticVersion"] = report.version
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}, index


def to_sarif(report: Report, cwd: Path | None = None) -> dict:
    document, index = _document(report, [], cwd)
    document["runs"][0]["results"] = [_result(d, index) for d in report.diagnostics]
    return document


_PLACEHOLDER = "\x00results\x00"
BATCH = 512


def _location_lines(path: str) -> list[str]:
    """The lines of `"artifactLocation": {...}` as the indented encoder writes them (no indent)."""
    location = _artifact_location(path)
    lines = ['"artifactLocation": {']
    items = [f"  {encode_basestring(key)}: {encode_basestring(value)}" for key, value in location.items()]
    lines.extend(line + "," for line in items[:-1])
    lines.append(items[-1])
    lines.append("},")
    return lines


def _result_text(d: Diagnostic, index: dict[str, int], location: list[str], newline: str) -> str:
    """`_result(d, index)` as `json.JSONEncoder(ensure_ascii=False, indent=2)` writes it, each
    line after the first starting with `newline`; formatted from the fields (the encoder's
    indented mode is pure Python, and SARIF's nesting made it ~200 µs a finding)."""
    region = _region(d)
    n8 = newline + "        "
    lines = [
        "{",
        '  "ruleId": ' + encode_basestring(d.code) + ",",
        '  "ruleIndex": ' + int.__repr__(index[d.code]) + ",",
        '  "level": ' + ('"error",' if d.severity is Severity.ERROR else '"warning",'),
        '  "message": {',
        '    "text": ' + encode_basestring(d.message),
        "  },",
        '  "locations": [',
        "    {",
        '      "physicalLocation": {',
        "        " + n8.join(location),
        '        "region": {',
        ",".join(f'{n8}  "{key}": {int.__repr__(value)}' for key, value in region.items())[len(newline) :],
        "        }",
        "      }",
        "    }",
        "  ]",
        "}",
    ]
    return newline.join(lines)


def report(report: Report, stream: IO[str], options: ReportOptions) -> None:
    """The document around the results, the results one by one (never all as text at once)."""
    document, index = _document(report, _PLACEHOLDER)
    text = json.dumps(document, ensure_ascii=False, indent=2)
    marker = json.dumps(_PLACEHOLDER)
    head, _, tail = text.partition(marker)
    line_start = head.rfind("\n") + 1
    indent = " " * (len(head) - line_start - len(head[line_start:].lstrip()) + 2)
    if not report.diagnostics:
        stream.write(head + "[]" + tail + "\n")
        return
    newline = "\n" + indent
    pending = [head + "["]
    path, location = None, []
    for number, d in enumerate(report.diagnostics):
        if d.path != path:
            path, location = d.path, _location_lines(d.path)
        pending.append(("\n" if number == 0 else ",\n") + indent + _result_text(d, index, location, newline))
        if len(pending) >= BATCH:
            stream.write("".join(pending))
            pending.clear()
    pending.append("\n" + indent[:-2] + "]" + tail + "\n")
    stream.write("".join(pending))
