"""The JSON and SARIF reporters format each finding from its fields (the encoder's indented mode
is slow); they must write exactly what `json.JSONEncoder(ensure_ascii=False, indent=2)` writes."""

from __future__ import annotations

import json
import pickle

import pytest

from corpuslint.diagnostics import Diagnostic, Edit, Fix, Severity, make
from corpuslint.reporters import json as json_reporter
from corpuslint.reporters import sarif

ENCODE = json.JSONEncoder(ensure_ascii=False, indent=2).encode

CASES = [
    Diagnostic('a b/ü\x1b"x.md', 1, 0, "TY001", Severity.ERROR, 'm \u2028 \ud800 "q" \\ \t', None, None),
    Diagnostic("/abs/ü 1.md", 3, 2, "X", Severity.WARNING, "m", 3, 1, Fix("f\n", (Edit(1, 2, "x"),), False)),
    Diagnostic("r.md", 3, 2, "X", Severity.WARNING, "中文，", 4, 9, Fix("f", (), True)),
    Diagnostic("r.md", 3, 2, "X", Severity.WARNING, "m", 2, 9, Fix("f", (Edit(1, 2, "x"),), True)),
]


@pytest.mark.parametrize("diagnostic", CASES)
def test_json_item_is_what_the_indented_encoder_writes(diagnostic: Diagnostic) -> None:
    assert json_reporter.item(diagnostic) == "  " + ENCODE(diagnostic.to_dict()).replace("\n", "\n  ")


@pytest.mark.parametrize("diagnostic", CASES)
def test_sarif_result_is_what_the_indented_encoder_writes(diagnostic: Diagnostic) -> None:
    index = {"TY001": 0, "X": 1}
    newline = "\n      "
    location = sarif._location_lines(diagnostic.path)
    expected = ENCODE(sarif._result(diagnostic, index)).replace("\n", newline)
    assert sarif._result_text(diagnostic, index, location, newline) == expected


@pytest.mark.parametrize("diagnostic", CASES)
def test_a_pickled_diagnostic_comes_back_equal_with_its_fix(diagnostic: Diagnostic) -> None:
    back = pickle.loads(pickle.dumps(diagnostic))
    assert back == diagnostic
    assert back.fix == diagnostic.fix
    assert type(back.severity) is Severity


def test_make_builds_the_same_frozen_diagnostic_as_the_constructor() -> None:
    made = make("p.md", 1, 2, "X", Severity.ERROR, "m", 1, 3, None)
    assert made == Diagnostic("p.md", 1, 2, "X", Severity.ERROR, "m", 1, 3)
    assert hash(made) == hash(Diagnostic("p.md", 1, 2, "X", Severity.ERROR, "m", 1, 3))
    with pytest.raises(AttributeError):
        made.line = 5  # type: ignore[misc]
