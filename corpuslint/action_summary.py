"""`summary`: a Markdown report of a run, for a GitHub job summary ($GITHUB_STEP_SUMMARY) or a PR comment.

The totals, a table of counts by code, the files with the most problems, and what the link
checker did (checked, served from its cache, broken, skipped).
"""

from __future__ import annotations

from collections import Counter
from typing import IO

from corpuslint.diagnostics import Severity
from corpuslint.reporters import RUN_LEVEL_CODES, Report, ReportOptions, printable
from corpuslint.reporters.text import summary

WORST_FILES = 10
LINK_KEYS = ("checked", "cached", "broken", "skipped")


def _cell(text: str) -> str:
    return printable(text.replace("\n", " ")).replace("|", "\\|")


def _most_problems_first(item: tuple[str, list[int]]) -> tuple[int, int, str]:
    path, (errors, warnings) = item
    return (-errors, -warnings, path)


def render(report: Report) -> str:
    lines = ["## corpuslint", ""]
    icon = ":x:" if report.errors else (":warning:" if report.warnings else ":white_check_mark:")
    lines += [f"{icon} {summary(report)}", ""]
    if report.diagnostics:
        counts = Counter(d.code for d in report.diagnostics)
        severity = {d.code: d.severity for d in report.diagnostics}
        lines += ["| Code | Rule | Severity | Count |", "| --- | --- | --- | ---: |"]
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            name = report.rule_docs.get(code, ("", "", ""))[0]
            lines.append(f"| `{code}` | {_cell(name)} | {severity[code]} | {count} |")
        lines.append("")
        per_file: dict[str, list[int]] = {}
        for d in report.diagnostics:
            if d.code in RUN_LEVEL_CODES:  # about the run (LK000), not about that file
                continue
            entry = per_file.setdefault(d.path, [0, 0])
            entry[0 if d.severity is Severity.ERROR else 1] += 1
        if per_file:
            worst = sorted(per_file.items(), key=_most_problems_first)[:WORST_FILES]
            title = "Files with the most problems" if len(per_file) > WORST_FILES else "Files with problems"
            lines += [f"### {title}", "", "| File | Errors | Warnings |", "| --- | ---: | ---: |"]
            for path, (errors, warnings) in worst:
                lines.append(f"| `{_cell(path)}` | {errors} | {warnings} |")
            if len(per_file) > WORST_FILES:
                lines.append(f"| … and {len(per_file) - WORST_FILES} more files | | |")
            lines.append("")
    if report.link_stats:
        stats = report.link_stats
        keys = [k for k in LINK_KEYS if k in stats] + sorted(k for k in stats if k not in LINK_KEYS)
        lines += ["### Links", "", "| " + " | ".join(k.capitalize() for k in keys) + " |"]
        lines += [
            "| " + " | ".join("---:" for _ in keys) + " |",
            "| " + " | ".join(str(stats[k]) for k in keys) + " |",
            "",
        ]
    if report.version:
        lines += [f"<sub>corpuslint {report.version}</sub>", ""]
    return "\n".join(lines)


def report(report: Report, stream: IO[str], options: ReportOptions) -> None:
    stream.write(render(report))
