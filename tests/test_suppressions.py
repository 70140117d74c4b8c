"""Inline suppression comments, as markdownlint has them."""

from corpuslint.diagnostics import Diagnostic, Severity
from corpuslint.suppressions import parse


def diag(line: int, code: str) -> Diagnostic:
    return Diagnostic("a.md", line, 1, code, Severity.ERROR, "m")


def test_no_directive_means_nothing_to_parse():
    assert parse("plain text\n") is None


def test_disable_until_enable_for_named_codes():
    s = parse("a\n<!-- corpuslint-disable FN001 -->\nb\n<!-- corpuslint-enable FN001 -->\nc\n")
    assert not s.suppresses(diag(1, "FN001"))
    assert s.suppresses(diag(3, "FN001"))
    assert not s.suppresses(diag(3, "FN002"))
    assert not s.suppresses(diag(5, "FN001"))


def test_disable_without_codes_disables_everything():
    s = parse("<!-- corpuslint-disable -->\nx\n")
    assert s.suppresses(diag(2, "LK001")) and s.suppresses(diag(2, "FM005"))


def test_prefixes_and_commas():
    s = parse("<!-- corpuslint-disable FN, fm005 -->\nx\n")
    assert s.suppresses(diag(2, "FN004")) and s.suppresses(diag(2, "FM005"))
    assert not s.suppresses(diag(2, "FM003"))


def test_disable_next_line_and_disable_line():
    s = parse(
        "<!-- corpuslint-disable-next-line FN001 -->\nx[^9]\ny[^9] <!-- corpuslint-disable-line -->\nz\n"
    )
    assert s.suppresses(diag(2, "FN001"))
    assert s.suppresses(diag(3, "FN001"))
    assert not s.suppresses(diag(4, "FN001"))


def test_disable_file():
    s = parse("a\nb\n<!-- corpuslint-disable-file FN002 -->\n")
    assert s.suppresses(diag(1, "FN002")) and not s.suppresses(diag(1, "FN001"))


def test_directives_inside_fenced_code_are_examples_not_directives():
    s = parse("```md\n<!-- corpuslint-disable -->\n```\nx\n")
    assert not s.suppresses(diag(4, "FN001"))


def test_through_the_cli(corpus, cli):
    root = corpus(
        {
            "a.md": """
            Cited[^1] here.
            <!-- corpuslint-disable-next-line FN001 -->
            Cited again[^2].

            [^1]: A source, https://example.org/a
            """,
        }
    )
    result = cli("check", "--no-links", "--select", "FN001", "--output-format", "json", str(root))
    assert result.code == 0, result.out
    assert result.json == []


def test_enable_one_code_inside_a_disable_all():
    s = parse(
        "<!-- corpuslint-disable -->\n<!-- corpuslint-enable FN001 -->\nx\n<!-- corpuslint-enable -->\ny\n"
    )
    assert not s.suppresses(diag(3, "FN001"))
    assert s.suppresses(diag(3, "FN002"))
    assert not s.suppresses(diag(5, "FN002"))
