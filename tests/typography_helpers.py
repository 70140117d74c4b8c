"""Helpers for the TY tests: run one rule on a text, apply its fixes, lint with every rule."""

from __future__ import annotations

from collections import Counter

from corpuslint.diagnostics import Diagnostic, Severity
from corpuslint.document import Document
from corpuslint.fixes import apply_fixes
from corpuslint.registry import RuleContext, all_rules


def lint(code: str, text: str, **options):
    rule = all_rules()[code]
    doc = Document.from_bytes("a.md", text.encode("utf-8"))
    return list(rule.check(doc, RuleContext(options={**rule.options, **options})))


def positions(code: str, text: str, **options) -> list[tuple[int, int]]:
    return [(p.line, p.column) for p in lint(code, text, **options)]


def fixed(code: str, text: str, unsafe: bool = False, **options) -> str:
    problems = lint(code, text, **options)
    diagnostics = [
        Diagnostic("a.md", p.line, p.column, code, Severity.WARNING, p.message, fix=p.fix) for p in problems
    ]
    new, _ = apply_fixes(Document.from_bytes("a.md", text.encode()).text, diagnostics, unsafe=unsafe)
    return new


def col(line: str, needle: str, start: int = 0) -> int:
    return line.index(needle, start) + 1


def document_rules() -> list:
    return [r for r in all_rules().values() if r.phase == "document" and r.check is not None]


def all_findings(text: str, **options) -> Counter:
    """Findings of every document rule (TY rules with `options`), by code."""
    found: Counter = Counter()
    for rule in document_rules():
        doc = Document.from_bytes("a.md", text.encode("utf-8"))
        extra = options if rule.code.startswith("TY") else {}
        opts = {**rule.options, **{k: v for k, v in extra.items() if k in rule.options}}
        found[rule.code] += len(list(rule.check(doc, RuleContext(options=opts))))
    return found


def fix_all(text: str, codes: tuple[str, ...] = ("TY001", "TY002", "TY004"), **options) -> str:
    """Apply the fixes of `codes` until nothing changes (as `--fix` does, at most 10 passes)."""
    for _ in range(10):
        new = text
        for code in codes:
            new = fixed(code, new, **options)
        if new == text:
            return text
        text = new
    return text
