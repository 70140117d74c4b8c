"""The code table: every rule's code, name, default severity, options and documentation.

A rule is a function decorated with `@rule(...)`; its docstring is its documentation in ruff's
form (What it does / Why is this bad? / Example), read by `corpuslint rule CODE`, the README table
and SARIF's rule metadata.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from corpuslint.diagnostics import Problem, Severity

# Phases: "document" rules see one Document at a time (and run in worker processes);
# "corpus" rules see the per-document results of every file; "links" codes are reported by the
# links phase and "runner" codes by the runner itself (their functions only carry the doc).
PHASES = ("document", "corpus", "links", "runner")


@dataclass(frozen=True)
class RuleContext:
    """What a rule may know besides the document: its options and the run's settings."""

    options: Mapping[str, Any]
    schema: Any = None  # the JSON Schema (dict) that applies to this document, if any
    schema_source: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    fixable: bool
    phase: str
    options: Mapping[str, Any]
    check: Callable[..., Iterable[Problem]] | None
    doc: str
    distribution: str | None = None  # the plugin distribution that provides it; None: built in
    # checks a configuration's options (defaults included) when it is read: ValueError names the
    # problem, and the run stops with a configuration error instead of a finding in every file
    validate: Callable[[Mapping[str, Any]], object] | None = None

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.name

    @property
    def family(self) -> str:
        return self.code.rstrip("0123456789")


_RULES: dict[str, Rule] = {}
_distribution: str | None = None  # set by corpuslint.plugins while a plugin's module registers rules
_plugins_loaded = False


def rule(
    code: str,
    name: str,
    *,
    severity: Severity = Severity.ERROR,
    fixable: bool = False,
    phase: str = "document",
    options: Mapping[str, Any] | None = None,
    validate: Callable[[Mapping[str, Any]], object] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a rule. For codes reported by a phase rather than a check, decorate a doc stub."""
    assert phase in PHASES, phase

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        if code in _RULES:
            first, second = _RULES[code].distribution or "corpuslint", _distribution or "corpuslint"
            raise ValueError(f"rule code {code} registered twice: by {first} and by {second}")
        if _distribution is not None:
            from corpuslint.plugins import check_registration

            check_registration(code, phase, _distribution)
        doc = inspect.cleandoc(function.__doc__ or "")
        check = function if phase in ("document", "corpus") else None
        _RULES[code] = Rule(
            code, name, severity, fixable, phase, dict(options or {}), check, doc, _distribution, validate
        )
        return function

    return register


def all_rules() -> dict[str, Rule]:
    """Every rule, by code, in code order: the built-in ones and those of installed plugins."""
    global _plugins_loaded
    import corpuslint.rules  # noqa: F401  (registers the rule modules)

    if not _plugins_loaded:
        from corpuslint.plugins import load_all

        load_all()  # raises PluginError, every time, when a plugin cannot be used
        _plugins_loaded = True

    return dict(sorted(_RULES.items()))


def get(code: str) -> Rule | None:
    return all_rules().get(code.upper())


def select_codes(select: Iterable[str] | None, ignore: Iterable[str] | None) -> set[str]:
    """Codes enabled by ruff-style --select/--ignore: prefixes work (`FN`, `FN00`), `ALL` is all."""
    codes = set(all_rules())

    def expand(prefixes: Iterable[str]) -> set[str]:
        matched: set[str] = set()
        for prefix in prefixes:
            prefix = prefix.strip().upper()
            if not prefix:
                continue
            hits = codes if prefix == "ALL" else {c for c in codes if c.startswith(prefix)}
            if not hits:
                raise ValueError(f"unknown rule code or prefix {prefix!r}")
            matched |= hits
        return matched

    enabled = expand(select) if select else set(codes)
    return enabled - expand(ignore or ())
