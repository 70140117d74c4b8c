"""corpuslint.api: the library entry points (lint_text, fix_text, lint_paths, load_config)."""

from __future__ import annotations

import functools
import multiprocessing
import os
import socket
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from corpuslint import api
from corpuslint.diagnostics import Severity

UNDEFINED = "---\ntitle: A\n---\nText[^1].\n"  # FN001 at 4:5
CJK_COMMA = "---\ntitle: A\n---\n中文,测试。\n"  # TY001, safely fixable
RESIDUE = "---\ntitle: 标题\n---\n正文第一段，写得很好。\n\n© 版权声明\nTHE END\n"  # SR001, unsafe fix
CLEAN = "---\ntitle: A\n---\n# A\n\nText[^1].\n\n[^1]: A source. <https://127.0.0.1/a>\n"


@pytest.fixture
def defaults(tmp_path) -> api.Config:
    return api.default_config(tmp_path)


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


# --- lint_text ---------------------------------------------------------------------------------


def test_lint_text_reports_a_problem_with_code_and_position(defaults):
    (diagnostic,) = api.lint_text(UNDEFINED, "a.md", defaults)
    assert (diagnostic.path, diagnostic.line, diagnostic.column, diagnostic.code) == ("a.md", 4, 5, "FN001")
    assert diagnostic.severity is Severity.ERROR


def test_lint_text_on_a_clean_document_is_empty(defaults):
    assert api.lint_text(CLEAN, "a.md", defaults) == []


def test_lint_text_never_opens_a_socket(defaults, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("lint_text tried to connect")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    text = "Text[^1].\n\n[^1]: Gone. <http://127.0.0.1:9/gone>\n"
    assert not [d for d in api.lint_text(text, "a.md", defaults) if d.code.startswith("LK")]


def test_lint_text_prints_nothing(defaults, capsys):
    api.lint_text(UNDEFINED, "a.md", defaults)
    api.fix_text(CJK_COMMA, "a.md", defaults)
    assert capsys.readouterr() == ("", "")


def test_lint_text_select_and_ignore(defaults):
    assert api.lint_text(UNDEFINED + CJK_COMMA[16:], "a.md", defaults, select=["TY"])[0].code == "TY001"
    assert api.lint_text(UNDEFINED, "a.md", defaults, ignore=["FN"]) == []


def test_lint_text_unknown_code_in_select_is_a_config_error(defaults):
    with pytest.raises(api.ConfigError, match="ZZ9"):
        api.lint_text(UNDEFINED, "a.md", defaults, select=["ZZ9"])


def test_lint_text_without_config_finds_the_closest_config_to_the_path(tmp_path):
    write(tmp_path, "corpuslint.toml", 'ignore = ["FN001"]\n')
    assert api.lint_text(UNDEFINED, tmp_path / "a.md") == []
    assert [d.code for d in api.lint_text(UNDEFINED, tmp_path.parent / "a.md")] == ["FN001"]


def test_lint_text_applies_the_configs_schema_by_glob(tmp_path):
    write(tmp_path, "schema.json", '{"type": "object", "required": ["title", "date"]}')
    write(tmp_path, "corpuslint.toml", '[[schemas]]\nfiles = ["posts/*.md"]\nschema = "schema.json"\n')
    codes = [d.code for d in api.lint_text(UNDEFINED, tmp_path / "posts" / "a.md", select=["FM"])]
    assert codes == ["FM003"]
    assert api.lint_text(UNDEFINED, tmp_path / "other" / "a.md", select=["FM"]) == []


def test_a_config_file_is_read_again_when_it_changes(tmp_path):
    config = write(tmp_path, "corpuslint.toml", 'ignore = ["FN001"]\n')
    assert api.lint_text(UNDEFINED, tmp_path / "a.md") == []
    config.write_text('ignore = ["TY"]\n', encoding="utf-8")
    os.utime(config, ns=(1, 1))  # a different modification time, whatever the clock's resolution
    assert [d.code for d in api.lint_text(UNDEFINED, tmp_path / "a.md")] == ["FN001"]


def test_config_may_be_given_as_a_path(tmp_path):
    config = write(tmp_path / "conf", "strict.toml", 'select = ["TY"]\n')
    (diagnostic,) = api.lint_text(UNDEFINED + "中文,测试。\n", "a.md", str(config))
    assert diagnostic.code == "TY001"


def test_load_config_of_a_directory_finds_the_closest_and_reports_bad_keys(tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.corpuslint]\nselect = ["FN"]\n')
    (tmp_path / "deep" / "er").mkdir(parents=True)
    loaded = api.load_config(tmp_path / "deep" / "er")
    assert loaded.path == (tmp_path / "pyproject.toml").resolve()
    assert loaded.select == ("FN",)
    write(tmp_path, "bad/corpuslint.toml", "colour = 1\n")
    with pytest.raises(api.ConfigError, match="colour"):
        api.load_config(tmp_path / "bad")


def test_load_config_without_any_file_is_the_defaults(tmp_path):
    loaded = api.load_config(tmp_path)
    assert loaded.path is None and loaded.root == tmp_path


# --- fix_text ----------------------------------------------------------------------------------


def test_fix_text_applies_safe_fixes_and_returns_them(defaults):
    new_text, applied = api.fix_text(CJK_COMMA, "a.md", defaults)
    assert new_text == "---\ntitle: A\n---\n中文，测试。\n"
    assert [d.code for d in applied] == ["TY001"]
    assert api.lint_text(new_text, "a.md", defaults, select=["TY"]) == []


def test_fix_text_leaves_unsafe_fixes_unless_asked(defaults):
    assert api.fix_text(RESIDUE, "a.md", defaults) == (RESIDUE, [])
    new_text, applied = api.fix_text(RESIDUE, "a.md", defaults, unsafe=True)
    assert "THE END" not in new_text and {d.code for d in applied} == {"SR001"}


def test_fix_text_keeps_crlf_newlines_and_the_bom(defaults):
    original = "\ufeff" + CJK_COMMA.replace("\n", "\r\n")
    new_text, applied = api.fix_text(original, "a.md", defaults)
    assert new_text == "\ufeff---\r\ntitle: A\r\n---\r\n中文，测试。\r\n" and applied


@pytest.mark.parametrize(
    "newlines",
    [("\r", "\r", "\r", "\r"), ("\n", "\r\n", "\n", "\n"), ("\r\n", "\r\n", "\r", "\r\n")],
    ids=["cr-only", "one-crlf-among-lf", "lone-cr-in-crlf"],
)
def test_fix_text_changes_only_the_fixed_characters_whatever_the_line_ends(defaults, newlines):
    lines = ["---", "title: A", "---", "中文,测试。"]
    original = "".join(line + end for line, end in zip(lines, newlines, strict=True))
    new_text, applied = api.fix_text(original, "a.md", defaults)
    assert [d.code for d in applied] == ["TY001"]
    assert new_text == original.replace("中文,测试", "中文，测试")


def test_fix_text_without_fixes_returns_the_text_unchanged(defaults):
    assert api.fix_text(UNDEFINED, "a.md", defaults) == (UNDEFINED, [])


# --- lint_paths --------------------------------------------------------------------------------


def corpus(root: Path) -> Path:
    write(root, "content/bad.md", UNDEFINED)
    write(root, "content/cjk.md", CJK_COMMA)
    write(root, "content/good.md", CLEAN)
    write(root, "content/drafts/skip.md", UNDEFINED)
    write(root, "corpuslint.toml", 'extend-exclude = ["drafts"]\n')
    return root


def test_lint_paths_walks_directories_and_counts(tmp_path, monkeypatch):
    monkeypatch.chdir(corpus(tmp_path))
    result = api.lint_paths(["content"])
    assert result.files == 3
    assert [(d.path, d.code) for d in result.diagnostics] == [
        ("content/bad.md", "FN001"),
        ("content/cjk.md", "TY001"),
    ]
    assert (result.errors, result.warnings, result.fixable, result.ok) == (1, 1, 1, False)
    assert result.by_code() == {"FN001": 1, "TY001": 1}


def test_lint_paths_missing_path_raises(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="nowhere.md"):
        api.lint_paths(["nowhere.md"], api.default_config(tmp_path))


def test_lint_paths_writes_no_cache_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(corpus(tmp_path))
    api.lint_paths(["content"])
    assert not (tmp_path / ".corpuslint_cache").exists()


# --- threads and processes ---------------------------------------------------------------------


def articles(count: int):
    """A stream of (path, text) pairs, as rows of a DataFrame or a CMS export would give them."""
    for n in range(count):
        body = (UNDEFINED, CJK_COMMA, CLEAN, RESIDUE)[n % 4]
        yield f"articles/{n}.md", body.replace("title: A", f"title: A{n}")


def test_lint_text_from_many_threads_gives_the_serial_results(defaults):
    items = list(articles(200))
    serial = [api.lint_text(text, path, defaults) for path, text in items]
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda item: api.lint_text(item[1], item[0], defaults), items))
    assert threaded == serial
    assert sum(len(found) for found in serial) > 100


def test_multiprocessing_map_over_file_lists(tmp_path):
    """The docs' example: chunks of paths mapped over a spawn pool (as macOS and Windows start
    workers), the config loaded once and sent to the workers."""
    files = []
    for path, text in articles(12):
        files.append(str(write(tmp_path, path, text)))
    config = api.load_config(tmp_path)
    chunks = [files[i : i + 4] for i in range(0, len(files), 4)]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.map(functools.partial(api.lint_paths, config=config), chunks)
    combined = [d for result in results for d in result.diagnostics]
    assert sum(result.files for result in results) == 12
    assert sorted(combined, key=lambda d: d.sort_key()) == api.lint_paths(files, config).diagnostics
    assert {d.code for d in combined} == {"FN001", "TY001", "SR001"}


def test_lint_paths_gives_each_file_its_closest_config(tmp_path, monkeypatch):
    write(tmp_path, "a.md", UNDEFINED)
    write(tmp_path, "quiet/b.md", UNDEFINED)
    write(tmp_path, "quiet/corpuslint.toml", 'ignore = ["FN001"]\n')
    monkeypatch.chdir(tmp_path)
    assert [d.path for d in api.lint_paths(["."]).diagnostics] == ["a.md"]
    assert len(api.lint_paths(["."], api.default_config(tmp_path)).diagnostics) == 2  # one config for all


# --- the examples in docs/api.md ---------------------------------------------------------------


def doc_example(name: str) -> str:
    text = (Path(__file__).resolve().parent.parent / "docs" / "api.md").read_text(encoding="utf-8")
    after = text.split(f"<!-- example: {name} -->\n```python\n", 1)[1]
    return after.split("\n```\n", 1)[0]


def run_example(name: str, cwd: Path) -> str:
    import subprocess
    import sys

    script = cwd / f"example_{name}.py"
    script.write_text(doc_example(name), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_docs_stream_example_runs(tmp_path):
    assert run_example("stream", tmp_path).splitlines() == ["news/1.md 4 FN001"]


def test_the_docs_multiprocessing_example_runs(tmp_path):
    for path, text in articles(9):
        write(tmp_path / "content", path, text)
    assert run_example("multiprocessing", tmp_path).strip() == "9 files, 3 errors"


def test_lint_text_gives_what_the_cli_gives_for_the_same_text_on_stdin(tmp_path):
    import json
    import subprocess

    from tests.conftest import corpuslint_executable

    write(tmp_path, "corpuslint.toml", 'ignore = ["FN002"]\n')
    text = UNDEFINED + "中文,测试。\n\n[^9]: 未用。\n"
    proc = subprocess.run(
        [
            corpuslint_executable(),
            "check",
            "-",
            "--stdin-filename",
            "a.md",
            "--no-links",
            "--output-format",
            "json",
        ],
        input=text,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    expected = [(d["line"], d["column"], d["code"], d["message"]) for d in json.loads(proc.stdout)]
    found = [(d.line, d.column, d.code, d.message) for d in api.lint_text(text, tmp_path / "a.md")]
    assert found == expected and {"FN001", "TY001"} <= {code for _, _, code, _ in found}


def test_a_schema_file_is_read_again_when_it_changes(tmp_path):
    schema = write(tmp_path, "schema.json", '{"type": "object"}')
    write(tmp_path, "corpuslint.toml", '[[schemas]]\nfiles = ["*.md"]\nschema = "schema.json"\n')
    assert api.lint_text(UNDEFINED, tmp_path / "a.md", select=["FM"]) == []
    schema.write_text('{"type": "object", "required": ["date"]}', encoding="utf-8")
    os.utime(schema, ns=(1, 1))
    assert [d.code for d in api.lint_text(UNDEFINED, tmp_path / "a.md", select=["FM"])] == ["FM003"]
