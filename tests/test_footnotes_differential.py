"""corpuslint's footnote index against GitHub's parser (cmark-gfm, the `cmarkgfm` wheel).

A few hundred generated documents (scripts/differential_footnotes.py, seeded) must agree with
cmark-gfm on which `[^x]` are references, which resolve and which definitions are listed; then
one pinned case per construct where parsers disagree, with what corpuslint decides
(docs/footnotes.md gives the reasons).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from corpuslint import footnotes
from corpuslint.document import Document

pytest.importorskip("cmarkgfm")

_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "differential_footnotes.py"
_spec = importlib.util.spec_from_file_location("differential_footnotes", _SCRIPT)
differential = importlib.util.module_from_spec(_spec)
sys.modules["differential_footnotes"] = differential
_spec.loader.exec_module(differential)


def index(text: str) -> footnotes.FootnoteIndex:
    return footnotes.index(Document.from_bytes("a.md", text.encode()))


def test_generated_documents_agree_with_cmark_gfm():
    cases = differential.generate(seed=20260, count=400)
    bad = [(case.text, why) for case in cases if (why := differential.disagreement(case))]
    assert len(bad) <= 4, bad[:3]  # at most 1%


def test_the_generator_is_deterministic_and_mixes_kinds():
    first = differential.generate(seed=5, count=30)
    assert first == differential.generate(seed=5, count=30)
    assert {c.kind for c in first} == {"article", "adversarial"}
    assert any("\r\n" in c.text for c in differential.generate(seed=5, count=200))


# Each: (document, labels of the references, labels of the definitions), as corpuslint has
# them; each also agrees with cmark-gfm (the two views of scripts/differential_footnotes.py).
PINNED = {
    "definition right after a table ends it": ("|a|\n|-|\n[^1]: a\n\nt[^1]\n", ["1"], ["1"]),
    "definition after a quote's lazy line": ("> q\n[^1]: a\n\nt[^1]\n", ["1"], ["1"]),
    "bare URL takes the reference into the link": ("http://x.test/a[^1]\n\n[^1]: a\n", [], ["1"]),
    "space before the reference ends the URL": ("http://x.test/a [^1]\n\n[^1]: a\n", ["1"], ["1"]),
    "edge whitespace in a label is stripped": ("t[^1 ] u[^ 1]\n\n[^1]: a\n", ["1 ", " 1"], ["1"]),
    "unescaped [ in a label": ("t[^a[b]\n\n[^a[b]: a\n", [], []),
    "escaped [ in a label": ("t[^a\\[b]\n\n[^a\\[b]: a\n", ["a\\[b"], ["a\\[b"]),
    "escaped ] ends no label": ("t[^a\\]b]\n\n[^a\\]b]: a\n", [], []),
    "whitespace in a definition's label": ("t[^a b]\n\n[^a b]: a\n", ["a b"], []),
    "tab in a definition's label": ("t[^ab]\n\n[^a\tb]: a\n", ["ab"], []),
    "label of 1,000 characters": (f"t[^{'x' * 1000}]\n\n[^{'x' * 1000}]: a\n", ["x" * 1000], ["x" * 1000]),
    "label over 1,000 characters": (f"t[^{'x' * 1001}]\n\n[^{'x' * 1001}]: a\n", [], []),
    "tab in list indentation": ("-\tx[^1]\n\t[^2]\n\n[^1]: a\n[^2]: b\n", ["1", "2"], ["1", "2"]),
    "extra table cells": ("|a|\n|-|\n| [^1] | [^2] |\n\n[^1]: a\n[^2]: b\n", ["1"], ["1", "2"]),
    "nested definition of the same label": ("t[^1]\n\n[^1]: [^1]: b\n", ["1"], ["1", "1"]),
    "reference in math": ("t $[^1]$\n\n[^1]: a\n", ["1"], ["1"]),
    "reference in an image's alt text": ("![图 [^1]](i.png)\n\n[^1]: a\n", ["1"], ["1"]),
    "escaped reference": ("t \\[^1]\n\n[^1]: a\n", [], ["1"]),
    "entity bracket": ("t &#91;^1]\n\n[^1]: a\n", [], ["1"]),
    "reference followed by a destination is a link": ("t [^1](https://e.test)\n\n[^1]: a\n", [], ["1"]),
    "definition with its text on an indented line": ("t[^1]\n\n[^1]:\n\n    text\n", ["1"], ["1"]),
    "reference in a code span or HTML": ("`[^1]` <b>[^1]</b> <!-- [^1] -->\n\n[^1]: a\n", ["1"], ["1"]),
    "CRLF": ("t[^1]\r\n\r\n[^1]: a\r\n", ["1"], ["1"]),
}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_pinned_construct(name):
    text, refs, defs = PINNED[name]
    fn = index(text)
    assert [r.label for r in fn.references] == refs
    assert [d.label for d in fn.definitions] == defs
    case = differential.Case(text, "adversarial")
    assert differential.disagreement(case) is None


def test_a_table_continued_over_an_indented_line_is_the_known_disagreement():
    # cmark-gfm takes the indented line into the table and shows no reference; corpuslint
    # (pulldown-cmark) reads one (docs/footnotes.md).
    text = "|a|\n|-|\n| x |\n    [^1] more\n\n[^1]: a\n"
    assert [r.label for r in index(text).references] == ["1"]
    assert differential.disagreement(differential.Case(text, "adversarial")) is not None
