"""A JSON array of diagnostics."""

from __future__ import annotations

import json
from typing import IO

from corpuslint.reporters import Report, ReportOptions


def report(report: Report, stream: IO[str], options: ReportOptions) -> None:
    # one write: json.dump() writes piece by piece, which is slow on large reports
    stream.write(json.dumps([d.to_dict() for d in report.diagnostics], ensure_ascii=False, indent=2) + "\n")
