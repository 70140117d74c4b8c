"""Big inputs end in a result or a diagnostic, never a crash: a directory of 50,000 files."""

import json


def test_a_directory_of_50000_files(tmp_path, run_installed):
    article = "Cited[^1].\n\n[^1]: Source https://www.example.com/a\n"
    broken = "Cited[^2].\n"
    for d in range(50):
        directory = tmp_path / f"d{d:02}"
        directory.mkdir()
        for i in range(1000):
            text = broken if (d, i) == (7, 7) else ("" if i % 2 else article)
            (directory / f"f{i:04}.md").write_text(text)
    result = run_installed(
        "check", "--no-links", "--select", "FN001", "--output-format", "json", ".", cwd=tmp_path
    )
    assert result.code == 1, result.err
    assert [(d["path"], d["line"], d["code"]) for d in json.loads(result.out)] == [
        ("d07/f0007.md", 1, "FN001")
    ]
    summary = run_installed("check", "--no-links", "--select", "FN001", ".", cwd=tmp_path)
    assert "in 1 of 50,000 files" in summary.out  # counts are grouped by thousands
