"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines...).

One `<testsuite>` per linted file, named after the file, holding one `<testcase>` for the file:
every error is a `<failure>` of that test case (type = the code, message = `line:col CODE
message`); warnings do not fail the run, so they go to the test case's `<system-out>`. A clean
file is a passing test case.
"""

from __future__ import annotations

from collections import defaultdict
from typing import IO
from xml.etree import ElementTree as ET

from corpuslint.diagnostics import Diagnostic, Severity
from corpuslint.reporters import Report, ReportOptions


def _line(d: Diagnostic) -> str:
    return f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}"


def to_junit(report: Report) -> ET.Element:
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in report.diagnostics:
        by_file[d.path].append(d)
    suites = ET.Element("testsuites", name="corpuslint")
    total_tests = total_failures = 0
    for path in sorted(set(report.paths) | set(by_file)):
        diagnostics = by_file.get(path, [])
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        warnings = [d for d in diagnostics if d.severity is not Severity.ERROR]
        suite = ET.SubElement(
            suites, "testsuite", name=path, tests="1", failures=str(len(errors)), errors="0", skipped="0"
        )
        case = ET.SubElement(suite, "testcase", name=path, classname="corpuslint", file=path)
        for d in errors:
            failure = ET.SubElement(
                case, "failure", type=d.code, message=f"{d.line}:{d.column} {d.code} {d.message}"
            )
            failure.text = _line(d)
        if warnings:
            ET.SubElement(case, "system-out").text = "\n".join("warning: " + _line(d) for d in warnings)
        total_tests += 1
        total_failures += len(errors)
    suites.set("tests", str(total_tests))
    suites.set("failures", str(total_failures))
    suites.set("errors", "0")
    return suites


def report(report: Report, stream: IO[str], options: ReportOptions) -> None:
    root = to_junit(report)
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")
