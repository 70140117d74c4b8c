"""A JSON array of diagnostics."""

from __future__ import annotations

import json
from typing import IO

from corpuslint.reporters import Report, ReportOptions


def report(report: Report, stream: IO[str], options: ReportOptions) -> None:
    json.dump([d.to_dict() for d in report.diagnostics], stream, ensure_ascii=False, indent=2)
    stream.write("\n")
