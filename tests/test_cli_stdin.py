"""`corpuslint check -`: standard input linted as the file --stdin-filename names (installed
entry point)."""

from __future__ import annotations

import json
import os
import subprocess

from tests.conftest import corpuslint_executable, write

NO_DATE = "---\ntitle: 标题\n---\n中文,中文。\n"


def run(cwd, *args: str, text: str):
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    return subprocess.run(
        [corpuslint_executable(), "check", "--no-links", "--no-cache", *args],
        cwd=cwd,
        input=text.encode("utf-8"),
        capture_output=True,
        env=env,
        timeout=120,
    )


def test_stdin_takes_config_schema_and_display_path_from_stdin_filename(tmp_path):
    write(
        tmp_path,
        {
            "corpus/corpuslint.toml": '[[schemas]]\nfiles = ["news/**"]\nschema = "s.json"\n',
            "corpus/s.json": '{"type": "object", "required": ["date"]}',
        },
    )
    proc = run(
        tmp_path, "--output-format", "json", "-", "--stdin-filename", "corpus/news/new.md", text=NO_DATE
    )
    assert proc.returncode == 1, proc.stderr
    found = sorted((d["path"], d["code"]) for d in json.loads(proc.stdout))
    assert found == [("corpus/news/new.md", "FM003"), ("corpus/news/new.md", "TY001")]
    assert not (tmp_path / "corpus" / "news").exists()  # the named file is never created or read


def test_stdin_without_a_filename_is_shown_as_dash(tmp_path):
    proc = run(tmp_path, "-", text="Text[^1].\n")
    assert proc.returncode == 1
    assert proc.stdout.decode().startswith("-:1:5: FN001 ")


def test_fix_on_stdin_writes_the_fixed_text_to_stdout_and_the_rest_to_stderr(tmp_path):
    crlf = (NO_DATE + "Text[^1].\n").replace("\n", "\r\n")
    proc = run(tmp_path, "--fix", "-", "--stdin-filename", "a.md", text=crlf)
    assert proc.stdout.decode() == crlf.replace("中文,中文", "中文，中文")
    assert "a.md:5:5: FN001 " in proc.stderr.decode()
    assert proc.returncode == 1
    assert not (tmp_path / "a.md").exists()


def test_fix_on_clean_stdin_echoes_it_unchanged(tmp_path):
    proc = run(tmp_path, "--fix", "-", text="# Fine\n")
    assert proc.returncode == 0 and proc.stdout == b"# Fine\n"


def test_dash_with_other_paths_is_a_usage_error(tmp_path):
    proc = run(tmp_path, "-", "a.md", text="")
    assert proc.returncode == 2 and b"standard input" in proc.stderr


def test_fix_on_undecodable_stdin_gives_the_bytes_back_and_says_why(tmp_path):
    data = b"---\ntitle: x\n---\ncaf\xe9\n"
    proc = subprocess.run(
        [corpuslint_executable(), "check", "--no-links", "--no-cache", "--fix", "-"],
        cwd=tmp_path,
        input=data,
        capture_output=True,
        timeout=120,
    )
    assert proc.stdout == data
    assert b"IO001" in proc.stderr and proc.returncode == 1


def test_fix_on_stdin_changes_only_the_fixed_characters_whatever_the_line_ends(tmp_path):
    text = "---\r\ntitle: 标题\n---\r中文,中文。\n"  # CRLF, LF and CR in one document
    proc = run(tmp_path, "--fix", "-", text=text)
    assert proc.stdout.decode() == text.replace("中文,中文", "中文，中文")


def test_diff_on_stdin_prints_a_patch_for_the_named_file(tmp_path):
    proc = run(tmp_path, "--diff", "-", "--stdin-filename", "a.md", text=NO_DATE)
    assert proc.returncode == 1
    out = proc.stdout.decode()
    assert out.startswith("--- a/a.md\n+++ b/a.md\n")
    assert "-中文,中文。\n+中文，中文。\n" in out
