"""Hierarchical configuration, through the installed entry point: each file is linted under the
closest config in its directory or above, whose globs are relative to its own directory;
`--config` overrides; `extend` inherits; `--show-settings` says what applies; a schema glob that
matches nothing is a warning."""

from __future__ import annotations

import json

import pytest

from tests.conftest import write

SCHEMA = '{"type": "object", "required": ["date"]}'
NO_DATE = "---\ntitle: x\n---\nBody.\n"
UNDEFINED = "Text[^1].\n"


def codes(result) -> list[tuple[str, str]]:
    assert result.code in (0, 1), result.err
    return sorted((d["path"], d["code"]) for d in json.loads(result.out))


def lint(run_installed, cwd, *args):
    return run_installed("check", "--no-links", "--no-cache", "--output-format", "json", *args, cwd=cwd)


def test_config_below_the_working_directory_applies_to_its_files(tmp_path, run_installed):
    write(
        tmp_path,
        {
            "corpus/corpuslint.toml": '[[schemas]]\nfiles = ["articles/*.md"]\nschema = "article.json"\n',
            "corpus/article.json": SCHEMA,
            "corpus/articles/a.md": NO_DATE,
        },
    )
    assert codes(lint(run_installed, tmp_path, "corpus/")) == [("corpus/articles/a.md", "FM003")]


def test_each_file_gets_the_closest_config(tmp_path, run_installed):
    write(
        tmp_path,
        {
            "corpuslint.toml": 'ignore = ["FN001"]\n',
            "quiet/a.md": UNDEFINED,
            "strict/corpuslint.toml": "",
            "strict/b.md": UNDEFINED,
        },
    )
    assert codes(lint(run_installed, tmp_path, ".")) == [("strict/b.md", "FN001")]
    # the same from inside a directory, and for a file named on the command line
    assert codes(lint(run_installed, tmp_path / "quiet", "a.md")) == []
    outside = codes(lint(run_installed, tmp_path / "quiet", "../strict/b.md"))
    assert outside == [(str(tmp_path / "strict" / "b.md"), "FN001")]


def test_globs_are_relative_to_the_directory_of_the_config_that_applies(tmp_path, run_installed):
    write(
        tmp_path,
        {
            "site/corpuslint.toml": 'extend-exclude = ["drafts"]\n',
            "site/drafts/x.md": UNDEFINED,
            "site/posts/y.md": UNDEFINED,
            "drafts/z.md": UNDEFINED,
        },
    )
    assert codes(lint(run_installed, tmp_path, ".")) == [
        ("drafts/z.md", "FN001"),
        ("site/posts/y.md", "FN001"),
    ]


def test_dash_dash_config_overrides_every_other_config(tmp_path, run_installed):
    write(
        tmp_path,
        {
            "lenient.toml": 'ignore = ["FN"]\n',
            "strict/corpuslint.toml": "",
            "strict/b.md": UNDEFINED,
        },
    )
    assert codes(lint(run_installed, tmp_path, "--config", "lenient.toml", ".")) == []
    assert codes(lint(run_installed, tmp_path, "--isolated", ".")) == [("strict/b.md", "FN001")]


def test_extend_inherits_and_the_extending_file_wins(tmp_path, run_installed):
    write(
        tmp_path,
        {
            "corpuslint.toml": 'ignore = ["FN001"]\n[[schemas]]\nfiles = ["**/*.md"]\nschema = "s.json"\n',
            "s.json": SCHEMA,
            "sub/corpuslint.toml": 'extend = "../corpuslint.toml"\n[rules.FM003]\nseverity = "warning"\n',
            "sub/a.md": NO_DATE + UNDEFINED,
        },
    )
    result = lint(run_installed, tmp_path, "sub")
    items = json.loads(result.out)
    # FN001 ignored by the base, the base's schema found from its own directory, severity from sub
    assert [(d["code"], d["severity"]) for d in items] == [("FM003", "warning")]
    assert result.code == 0


def test_extend_cycle_is_a_configuration_error(tmp_path, run_installed):
    write(
        tmp_path,
        {
            "a/corpuslint.toml": 'extend = "../b/corpuslint.toml"\n',
            "b/corpuslint.toml": 'extend = "../a/corpuslint.toml"\n',
            "a/x.md": "",
        },
    )
    result = lint(run_installed, tmp_path, "a")
    assert result.code == 2
    assert "cycle" in result.err and "Traceback" not in result.err


def test_show_settings_names_the_config_and_the_schema(tmp_path, run_installed):
    write(
        tmp_path,
        {
            "base.toml": "",
            "corpus/corpuslint.toml": 'extend = "../base.toml"\n[[schemas]]\nfiles = ["news/**"]\nschema = "s.json"\n',
            "corpus/s.json": SCHEMA,
            "corpus/news/a.md": NO_DATE,
            "corpus/other/b.md": "",
        },
    )
    result = run_installed("check", "--show-settings", "corpus/news/a.md", cwd=tmp_path)
    assert result.code == 0, result.err
    assert f"Config:  {tmp_path / 'corpus' / 'corpuslint.toml'}" in result.out
    assert f"Extends: {tmp_path / 'base.toml'}" in result.out
    assert f"Schema:  {tmp_path / 'corpus' / 's.json'} (schemas[0]" in result.out
    other = run_installed("check", "--show-settings", "corpus/other/b.md", cwd=tmp_path)
    assert "Schema:  none (no [[schemas]] entry matches)" in other.out


def test_show_settings_names_a_declared_schema(tmp_path, run_installed):
    write(tmp_path, {"s.json": SCHEMA, "a.md": "---\n$schema: s.json\ntitle: x\n---\n"})
    result = run_installed("check", "--show-settings", "a.md", cwd=tmp_path)
    assert f"Schema:  {tmp_path / 's.json'} ($schema in the file's front matter)" in result.out


@pytest.mark.parametrize("linted", [".", "news"])
def test_a_schema_glob_matching_no_file_is_a_warning(tmp_path, run_installed, linted):
    write(
        tmp_path,
        {
            "corpuslint.toml": '[[schemas]]\nfiles = ["articles/**"]\nschema = "s.json"\n'
            '[[schemas]]\nfiles = ["news/**"]\nschema = "s.json"\n',
            "s.json": SCHEMA,
            "news/a.md": NO_DATE,
        },
    )
    result = lint(run_installed, tmp_path, linted)
    assert "warning: " in result.err and "schemas[0].files ['articles/**'] matches no file" in result.err
    assert "schemas[1]" not in result.err


def test_files_under_different_configs_are_listed_in_path_order(tmp_path, run_installed):
    write(
        tmp_path,
        {
            "corpuslint.toml": "",
            "a.md": UNDEFINED,
            "m/corpuslint.toml": "",
            "m/b.md": UNDEFINED,
            "z.md": UNDEFINED,
        },
    )
    result = lint(run_installed, tmp_path, ".")
    assert [d["path"] for d in json.loads(result.out)] == ["a.md", "m/b.md", "z.md"]


def test_files_named_one_by_one_are_not_checked_against_every_schema_glob(tmp_path, run_installed):
    write(
        tmp_path,
        {
            "corpuslint.toml": '[[schemas]]\nfiles = ["articles/**"]\nschema = "s.json"\n',
            "s.json": SCHEMA,
            "news/a.md": NO_DATE,
        },
    )
    assert "matches no file" not in lint(run_installed, tmp_path, "news/a.md").err  # what a hook runs


def test_fix_applies_each_files_own_config(tmp_path, run_installed):
    comma = "---\ntitle: 标题\n---\n中文,中文。\n"
    write(
        tmp_path,
        {
            "corpuslint.toml": "",
            "a.md": comma,
            "kept/corpuslint.toml": 'ignore = ["TY001"]\n',
            "kept/b.md": comma,
        },
    )
    result = run_installed("check", "--no-links", "--no-cache", "--fix", ".", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    assert (tmp_path / "a.md").read_text(encoding="utf-8").endswith("中文，中文。\n")
    assert (tmp_path / "kept" / "b.md").read_text(encoding="utf-8") == comma  # TY001 is off there
    assert "Fixed 1 problem in 1 file." in result.err
