"""The run's diagnostics kept as one compressed record blob per file (corpuslint.diagstore)."""

from __future__ import annotations

from corpuslint.diagnostics import Diagnostic, Edit, Fix, Severity
from corpuslint.diagstore import DiagnosticStore, pack
from corpuslint.reporters import Report


def _d(path: str, line: int, code: str = "TY001", severity: Severity = Severity.WARNING) -> Diagnostic:
    return Diagnostic(path, line, 1, code, severity, f"m{line}", line, 2, Fix("f", (Edit(0, 1, "x"),), True))


def test_a_store_iterates_the_files_diagnostics_in_the_order_added_as_often_as_asked() -> None:
    store = DiagnosticStore()
    a = [_d("a.md", 1), _d("a.md", 2, severity=Severity.ERROR)]
    b = [_d("b.md", 1, "FN001")]
    store.add(pack(a))
    store.add(pack(b))
    assert list(store) == a + b
    assert [d.fix for d in store] == [d.fix for d in a + b]
    assert list(store) == a + b


def test_a_store_counts_without_decoding() -> None:
    store = DiagnosticStore()
    store.add(pack([_d("a.md", 1), _d("a.md", 2, severity=Severity.ERROR)]))
    store.add(pack([_d("b.md", 1, "FN001")]))
    store.add(pack([]))
    report = Report(store, 3)  # type: ignore[arg-type]
    assert (len(store), report.errors, report.warnings, report.files_with_diagnostics) == (3, 1, 2, 2)
    assert report.codes == {"TY001", "FN001"}
    assert report.paths_with_diagnostics == {"a.md", "b.md"}


def test_a_file_that_sorts_before_the_previous_one_marks_the_store_out_of_order() -> None:
    store = DiagnosticStore()
    store.add(pack([_d("b.md", 1)]))
    assert store.in_order
    store.add(pack([_d("a.md", 1)]))
    assert not store.in_order


def test_an_empty_store_is_false() -> None:
    assert not DiagnosticStore()
    assert list(DiagnosticStore()) == []


def test_json_from_the_store_records_is_the_json_of_the_same_diagnostics_as_a_list() -> None:
    import io

    from corpuslint.reporters import ReportOptions
    from corpuslint.reporters import json as json_reporter

    a = [_d("a.md", 1), _d("a.md", 2, severity=Severity.ERROR), _d("a.md", 2, "TY004")]
    b = [Diagnostic('b "ü".md', 3, 2, "FN001", Severity.ERROR, "m", None, None)]
    b.append(Diagnostic('b "ü".md', 4, 1, "SR001", Severity.WARNING, "m", 4, 9, Fix("f", (), True)))
    b.append(
        Diagnostic('b "ü".md', 5, 1, "SR001", Severity.WARNING, "m", 5, 9, Fix("f", (Edit(0, 1, ""),), False))
    )
    store = DiagnosticStore()
    store.add(pack(a))
    store.add(pack(b))
    texts = []
    for diagnostics in (store, a + b):
        stream = io.StringIO()
        json_reporter.report(Report(diagnostics, 2), stream, ReportOptions())  # type: ignore[arg-type]
        texts.append(stream.getvalue())
    assert texts[0] == texts[1]
    assert texts[0] == "[\n" + ",\n".join(json_reporter.item(d) for d in a + b) + "\n]\n"


def test_diagnostics_are_immutable_records_equal_without_their_fix() -> None:
    import pytest

    d = _d("a.md", 1)
    same_but_fix = Diagnostic(
        d.path, d.line, d.column, d.code, d.severity, d.message, d.end_line, d.end_column
    )
    assert d == same_but_fix and hash(d) == hash(same_but_fix)
    assert d != tuple(d) and Edit(0, 1, "x") != (0, 1, "x")
    with pytest.raises(AttributeError):
        d.fix = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        assert d < same_but_fix
    assert repr(Edit(0, 1, "x")) == "Edit(start=0, end=1, replacement='x')"


def test_a_store_past_its_memory_budget_keeps_the_findings_in_a_temporary_file_in_order() -> None:
    store = DiagnosticStore(in_memory=200)  # a few files' blobs, then the file
    files = [[_d(f"{i:03}.md", line) for line in range(1, 30)] for i in range(40)]
    for diagnostics in files:
        store.add(pack(diagnostics))
    assert store._spill is not None and store._blobs == []
    expected = [d for diagnostics in files for d in diagnostics]
    assert list(store) == expected
    assert list(store) == expected  # as often as asked
    assert len(store) == len(expected) and store.paths == {f"{i:03}.md" for i in range(40)}
