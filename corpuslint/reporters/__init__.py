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
    "sarif": "corpuslint.reporters.sarif:report",
    "junit": "corpuslint.reporters.junit:report",
    "summary": "corpuslint.action_summary:report",
}


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

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.WARNING)

    @property
    def files_with_diagnostics(self) -> int:
        return len({d.path for d in self.diagnostics})


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    quiet: bool = False
    statistics: bool = False
    show_source: bool = False
    sources: Mapping[str, list[str]] = field(default_factory=dict)  # path -> lines, for `full`


Reporter = Callable[[Report, IO[str], ReportOptions], None]


def formats() -> list[str]:
    return sorted(REPORTERS)


def get(name: str) -> Reporter:
    module, _, function = REPORTERS[name].partition(":")
    return getattr(importlib.import_module(module), function)
