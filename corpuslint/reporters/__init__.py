"""Reporters: a registry keyed by output format. A reporter gets the sorted diagnostics and the
run's counts (a `Report`), never the rules."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO

from corpuslint.diagnostics import Diagnostic, Severity

REPORTERS: dict[str, str] = {
    "text": "corpuslint.reporters.text:report",
    "json": "corpuslint.reporters.json:report",
    "github": "corpuslint.reporters.github:report",
    "concise": "corpuslint.reporters.text:report",
    "full": "corpuslint.reporters.text:report_full",
    "grouped": "corpuslint.reporters.grouped:report",
    "sarif": "corpuslint.reporters.sarif:report",
    "junit": "corpuslint.reporters.junit:report",
    "summary": "corpuslint.action_summary:report",
}


# codes about the whole run, not about the file they are attached to (LK000: the network was
# unavailable, reported once at the first unchecked link): the formats people read show them
# apart from the listing, without a location; machine formats keep them as they are
RUN_LEVEL_CODES = frozenset({"LK000"})


@dataclass(frozen=True)
class Report:
    diagnostics: list[Diagnostic]
    files: int
    link_stats: Mapping[str, int] | None = None
    # metadata of the codes that appear (code -> (name, summary, doc)), for formats that carry it
    rule_docs: Mapping[str, tuple[str, str, str]] = field(default_factory=dict)
    version: str = ""
    # display paths of every file linted (clean ones too), for formats that list files (junit)
    paths: tuple[str, ...] = ()

    # `diagnostics` is a list, or a run's diagstore.DiagnosticStore (decoded at each pass, so
    # the counts come from what it keeps)

    @property
    def errors(self) -> int:
        errors = getattr(self.diagnostics, "errors", None)
        if errors is not None:
            return errors
        return sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        warnings = getattr(self.diagnostics, "warnings", None)
        if warnings is not None:
            return warnings
        return sum(1 for d in self.diagnostics if d.severity is Severity.WARNING)

    @property
    def files_with_diagnostics(self) -> int:
        listed = getattr(self.diagnostics, "listed", None)
        if listed is not None:
            return len(listed)
        return len({d.path for d in self.diagnostics if d.code not in RUN_LEVEL_CODES})

    @property
    def codes(self) -> set[str]:
        """The codes that appear."""
        codes = getattr(self.diagnostics, "codes", None)
        return set(codes) if codes is not None else {d.code for d in self.diagnostics}

    @property
    def paths_with_diagnostics(self) -> set[str]:
        paths = getattr(self.diagnostics, "paths", None)
        return set(paths) if paths is not None else {d.path for d in self.diagnostics}


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    quiet: bool = False  # -q: diagnostics only (the CLI prints nothing at all for -qq)
    statistics: bool = False
    show_source: bool = False
    sources: Mapping[str, list[str]] = field(default_factory=dict)  # path -> lines, for `full`
    # for the formats people read (text, concise, full, grouped, github):
    sort: str = "path"  # or "severity": errors first
    max_diagnostics: int | None = None  # show at most this many (the counts stay complete)
    max_per_code: int | None = None  # show at most this many of each code
    long_output: int = 50  # more lines than this: a table by code and the worst files at the end


def shown(report: Report, options: ReportOptions) -> tuple[list[Diagnostic], int]:
    """The diagnostics a human-facing format lists, in the chosen order, and how many it leaves
    out for --max-diagnostics / --max-per-code."""
    diagnostics = report.diagnostics
    if any(d.code in RUN_LEVEL_CODES for d in diagnostics):
        diagnostics = [d for d in diagnostics if d.code not in RUN_LEVEL_CODES]
    if options.sort == "severity":
        # stable: the path order is kept within each severity
        diagnostics = sorted(diagnostics, key=lambda d: -d.severity)
    if options.max_per_code is None and options.max_diagnostics is None:
        return list(diagnostics) if diagnostics is not report.diagnostics else diagnostics, 0
    kept: list[Diagnostic] = []
    per_code: dict[str, int] = {}
    for d in diagnostics:
        if options.max_diagnostics is not None and len(kept) >= options.max_diagnostics:
            break
        if options.max_per_code is not None:
            seen = per_code.get(d.code, 0)
            if seen >= options.max_per_code:
                continue
            per_code[d.code] = seen + 1
        kept.append(d)
    return kept, len(diagnostics) - len(kept)


def run_level(report: Report) -> list[Diagnostic]:
    """The diagnostics about the whole run (RUN_LEVEL_CODES), shown apart from the listing."""
    return [d for d in report.diagnostics if d.code in RUN_LEVEL_CODES]


_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNSAFE = None


def printable(text: str) -> str:
    """`text` with control characters (C0, DEL, C1), line and paragraph separators and bidi
    overrides shown as escapes (`\\x1b`, `\\u202e`): a file's content never drives the
    terminal, never breaks a line-based format, and stays valid in XML."""
    global _UNSAFE
    if _UNSAFE is None:
        import re

        _UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_escape_char, text)


def _escape_char(match) -> str:  # type: ignore[no-untyped-def]
    char = match.group()
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


Reporter = Callable[[Report, IO[str], ReportOptions], None]


def formats() -> list[str]:
    return sorted(REPORTERS)


def get(name: str) -> Reporter:
    module, _, function = REPORTERS[name].partition(":")
    return getattr(importlib.import_module(module), function)
