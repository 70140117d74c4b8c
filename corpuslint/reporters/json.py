"""A JSON array of diagnostics, written as it goes (one diagnostic in memory as text at a time,
in batches of writes), not built as one document first."""

from __future__ import annotations

import json
from typing import IO

from corpuslint.reporters import Report, ReportOptions

BATCH = 512  # diagnostics per write()


def report(report: Report, stream: IO[str], options: ReportOptions) -> None:
    if not report.diagnostics:
        stream.write("[]\n")
        return
    encode = json.JSONEncoder(ensure_ascii=False, indent=2).encode
    pending: list[str] = []
    first = True
    for d in report.diagnostics:
        item = "  " + encode(d.to_dict()).replace("\n", "\n  ")
        pending.append(("[\n" if first else ",\n") + item)
        first = False
        if len(pending) >= BATCH:
            stream.write("".join(pending))
            pending.clear()
    pending.append("\n]\n")
    stream.write("".join(pending))
