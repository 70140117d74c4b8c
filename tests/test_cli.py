"""The CLI as users meet it: exit statuses, output formats, rule docs, bad input without tracebacks."""

import json

import pytest

BAD_BYTES = b"---\ntitle: t\n---\nabc\xff\n"


def test_clean_corpus_exits_0_with_a_summary(corpus, cli):
    root = corpus({"a.md": "Plain text.\n", "sub/b.markdown": "More.\n", "notes.txt": "ignored"})
    result = cli("check", "--no-links", str(root))
    assert result.code == 0
    assert "All checks passed! (2 files checked)" in result.out


def test_no_path_means_current_directory(corpus, cli):
    root = corpus({"a.md": "x\n", "b.md": "y\n"})
    result = cli("check", "--no-links", cwd=root)
    assert "(2 files checked)" in result.out


def test_error_exits_1_and_text_format_names_path_line_column(corpus, cli):
    root = corpus({"bad.md": BAD_BYTES, "good.md": "ok\n"})
    result = cli("check", "--no-links", ".", cwd=root)
    assert result.code == 1
    assert "bad.md:4:4: IO001 file is not valid UTF-8: byte 0xff at offset 20" in result.out
    assert "Found 1 error and 0 warnings in 1 of 2 files." in result.out


def test_exit_zero(corpus, cli):
    root = corpus({"bad.md": BAD_BYTES})
    assert cli("check", "--no-links", "--exit-zero", str(root)).code == 0


def test_json_format(corpus, cli):
    root = corpus({"bad.md": BAD_BYTES})
    result = cli("check", "--no-links", "--output-format", "json", ".", cwd=root)
    (item,) = result.json
    assert item == {
        "path": "bad.md",
        "line": 4,
        "column": 4,
        "end_line": None,
        "end_column": None,
        "code": "IO001",
        "severity": "error",
        "fixable": False,
        "fix": None,
        "message": "file is not valid UTF-8: byte 0xff at offset 20 (invalid start byte); the file was not linted",
    }


def test_github_format_is_workflow_commands(corpus, cli):
    root = corpus({"dir/bad.md": BAD_BYTES})
    result = cli("check", "--no-links", "--output-format", "github", ".", cwd=root)
    first = result.out.splitlines()[0]
    assert first.startswith("::error file=dir/bad.md,line=4,col=4,title=IO001::IO001 file is not valid UTF-8")


def test_github_format_is_the_default_inside_actions(corpus, cli, monkeypatch):
    root = corpus({"bad.md": BAD_BYTES})
    monkeypatch.chdir(root)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    from corpuslint.cli import main

    assert main(["check", "--no-links"]) == 1


def test_quiet_prints_nothing_when_clean(corpus, cli):
    root = corpus({"a.md": "x\n"})
    assert cli("check", "--no-links", "-q", str(root)).out == ""


def test_statistics_counts_per_code(corpus, cli):
    root = corpus({"a.md": BAD_BYTES, "b.md": BAD_BYTES})
    result = cli("check", "--no-links", "--statistics", str(root))
    assert result.out.splitlines()[0].split("\t")[:2] == ["     2", "IO001"]


def test_show_source_draws_a_caret_under_the_column(corpus, cli):
    root = corpus({"a.md": "---\ntitle: t\n---\n中文".encode() + b"\xff\n"})
    result = cli("check", "--no-links", "--show-source", ".", cwd=root)
    lines = result.out.splitlines()
    assert lines[0].startswith("a.md:4:3: IO001")
    assert lines[1] == "   4 | 中文\ufffd"
    assert lines[2] == "     |     ^"


def test_missing_path_is_a_usage_error(corpus, cli):
    root = corpus({})
    result = cli("check", "--no-links", "nope.md", cwd=root)
    assert result.code == 2 and "nope.md: no such file or directory" in result.err


def test_unknown_select_code_is_a_usage_error(corpus, cli):
    root = corpus({"a.md": "x\n"})
    result = cli("check", "--select", "ZZ", str(root))
    assert result.code == 2 and "ZZ" in result.err


def test_bad_flag_values_are_usage_errors(cli):
    with pytest.raises(SystemExit) as info:
        cli("check", "--jobs", "0")
    assert info.value.code == 2


def test_no_links_and_links_only_conflict(corpus, cli):
    root = corpus({"a.md": "x\n"})
    assert cli("check", "--no-links", "--links-only", str(root)).code == 2


def test_rules_lists_every_code_and_rule_prints_its_doc(cli):
    listing = cli("rules").out
    assert "IO001" in listing and "invalid-utf8" in listing
    doc = cli("rule", "io001").out
    assert "## What it does" in doc and "## Why is this bad?" in doc and "## Example" in doc


def test_every_registered_rule_has_a_complete_doc():
    from corpuslint.registry import all_rules

    for rule in all_rules().values():
        for heading in ("## What it does", "## Why is this bad?", "## Example"):
            assert heading in rule.doc, f"{rule.code} lacks {heading!r}"


def test_unknown_rule_code(cli):
    result = cli("rule", "XX001")
    assert result.code == 2 and "unknown rule code" in result.err


def test_empty_and_whitespace_files_lint_cleanly(corpus, cli):
    root = corpus({"empty.md": b"", "blank.md": b"\n\n  \n", "bom.md": b"\xef\xbb\xbf"})
    result = cli("check", "--no-links", "--output-format", "json", str(root))
    assert result.code == 0 and result.json == []


def test_output_is_identical_whatever_the_number_of_jobs(corpus, cli, monkeypatch):
    from corpuslint import runner

    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 2)
    files = {f"d{i % 3}/f{i}.md": (BAD_BYTES if i % 4 == 0 else b"[^x] text\n") for i in range(40)}
    root = corpus(files)
    one = cli("check", "--no-links", "--output-format", "json", "--jobs", "1", str(root)).out
    two = cli("check", "--no-links", "--output-format", "json", "--jobs", "2", str(root)).out
    assert one == two
    assert len(json.loads(one)) >= 10


def test_installed_entry_point_and_module_agree(corpus, run_installed):
    root = corpus({"bad.md": BAD_BYTES})
    result = run_installed("check", "--no-links", "--output-format", "json", ".", cwd=root)
    assert result.code == 1, result.err
    assert [d["code"] for d in json.loads(result.out)] == ["IO001"]
    assert "Traceback" not in result.err
    version = run_installed("--version", cwd=root)
    assert version.code == 0 and version.out.startswith("corpuslint ")


def test_read_problems_follow_select_and_ignore(corpus, cli):
    root = corpus({"bad.md": BAD_BYTES})
    assert cli("check", "--no-links", "--ignore", "IO001", "--output-format", "json", str(root)).json == []
    assert cli("check", "--no-links", "--select", "IO", "--output-format", "json", str(root)).code == 1


def test_colour_only_when_asked_or_on_a_terminal(corpus, cli, monkeypatch):
    root = corpus({"bad.md": BAD_BYTES})
    assert "\033[" not in cli("check", "--no-links", str(root)).out  # captured: not a terminal
    assert "\033[" in cli("check", "--no-links", "--color", "always", str(root)).out
    monkeypatch.setenv("NO_COLOR", "1")
    from corpuslint.cli import _use_color

    class Terminal:
        def isatty(self):
            return True

    assert _use_color("auto", Terminal()) is False
    monkeypatch.delenv("NO_COLOR")
    assert _use_color("auto", Terminal()) is True


def test_an_offline_run_without_a_schema_imports_neither_jsonschema_nor_the_link_checker(corpus):
    import subprocess
    import sys

    root = corpus({"a.md": "Text[^1].\n\n[^1]: Source https://www.example.com/a\n"})
    code = (
        "import sys\nfrom corpuslint.cli import main\nrc = main(['check', '--no-links', '--no-cache', '.'])\n"
        "print(sorted(m for m in ('jsonschema', 'corpuslint.links.checker', 'ssl') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr


SCHEMA = '{"type": "object", "required": ["title"], "properties": {"title": {"type": "string"}}}'
IMPORTED = (
    "import sys\nfrom corpuslint.cli import main\nrc = main(['check', '--no-links', '.'])\n"
    "print(rc, 'jsonschema' in sys.modules, 'referencing' in sys.modules)"
)


def _run_and_report_imports(root):
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", IMPORTED], cwd=root, capture_output=True, text=True, timeout=60
    )
    return proc.stdout.strip().splitlines()[-1], proc.stderr


def test_warm_and_edited_runs_import_no_jsonschema_and_a_schema_edit_is_still_an_error(corpus):
    root = corpus(
        {
            "a.md": "---\ntitle: T\n---\nText.\n",
            "s.json": SCHEMA,
            "corpuslint.toml": '[[schemas]]\nfiles = ["*.md"]\nschema = "s.json"\n',
        }
    )
    assert _run_and_report_imports(root)[0] == "0 True True"  # cold: the schema is checked
    assert _run_and_report_imports(root)[0] == "0 False False"  # every file from the cache
    # an edited file (what a pre-commit hook sees): the cache holds rows of this configuration,
    # so the schema was checked; the valid front matter is told valid by schema_fast
    (root / "a.md").write_text("---\ntitle: T2\n---\nText.\n", encoding="utf-8")
    assert _run_and_report_imports(root)[0] == "0 False False"
    (root / "a.md").write_text(
        "---\ntitle: 3\n---\nText.\n", encoding="utf-8"
    )  # invalid: jsonschema says why
    assert _run_and_report_imports(root)[0] == "1 True True"
    (root / "s.json").write_text('{"type": 12}', encoding="utf-8")  # broken: every cached row misses
    line, err = _run_and_report_imports(root)
    assert line.startswith("2 "), line + err
    assert "s.json is not a valid JSON Schema" in err
