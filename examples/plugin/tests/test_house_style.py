"""The house-style plugin, through corpuslint's API, as installed (entry point and all)."""

from __future__ import annotations

import pytest

from corpuslint import api, registry

pytest.importorskip("corpuslint_house_style")

ARTICLE = "---\ntitle: On engines\nauthor: {author}\n---\n{body}\n"


@pytest.fixture
def config(tmp_path):
    return api.default_config(tmp_path)


def lint(text: str, config, **kwargs) -> list[tuple[str, int, int, str]]:
    return [
        (d.code, d.line, d.column, d.message)
        for d in api.lint_text(text, "a.md", config, select=["XHS"], **kwargs)
    ]


def test_the_rules_come_from_the_distribution():
    rules = registry.all_rules()
    assert rules["XHS001"].distribution == "corpuslint-house-style"
    assert rules["XHS002"].fixable


def test_an_author_in_house_style_passes(config):
    assert lint(ARTICLE.format(author="Ada Lovelace", body="Text."), config) == []
    assert lint(ARTICLE.format(author="鲁迅", body="正文。"), config) == []


def test_an_author_in_another_format_is_reported_at_its_key(config):
    (found,) = lint(ARTICLE.format(author="lovelace, ada", body="Text."), config)
    assert found[:3] == ("XHS001", 3, 1) and "lovelace, ada" in found[3]


def test_each_author_of_a_list_is_checked(config):
    text = "---\ntitle: T\nauthor:\n  - Ada Lovelace\n  - babbage\n---\nText.\n"
    assert [(code, line) for code, line, _, _ in lint(text, config)] == [("XHS001", 5)]


def test_a_missing_author_is_reported_unless_optional(tmp_path, config):
    assert [f[0] for f in lint("---\ntitle: T\n---\nText.\n", config)] == ["XHS001"]
    (tmp_path / "corpuslint.toml").write_text("[rules.XHS001]\nrequired = false\n")
    assert lint("---\ntitle: T\n---\nText.\n", api.load_config(tmp_path)) == []


def test_banned_words_in_prose_not_in_code_or_urls(config):
    body = (
        "小编认为这是 Very Unique 的。\n\n`小编` 不算，<https://127.0.0.1/小编> 也不算。\n\n```\n小编\n```\n"
    )
    found = lint(ARTICLE.format(author="Ada Lovelace", body=body), config)
    assert [(code, line, column) for code, line, column, _ in found] == [("XHS002", 5, 1), ("XHS002", 5, 8)]


def test_a_word_inside_another_word_is_not_banned(config):
    assert lint(ARTICLE.format(author="Ada Lovelace", body="very uniquely"), config) == []


def test_a_configured_replacement_is_offered_as_a_fix(tmp_path):
    (tmp_path / "corpuslint.toml").write_text('[rules.XHS002]\nreplacements = { "小编" = "编者" }\n')
    config = api.load_config(tmp_path)
    fixed, applied = api.fix_text(ARTICLE.format(author="Ada Lovelace", body="小编认为。"), "a.md", config)
    assert "编者认为。" in fixed and [d.code for d in applied] == ["XHS002"]


def test_options_are_validated_like_built_in_ones(tmp_path):
    (tmp_path / "corpuslint.toml").write_text('[rules.XHS002]\nwords = "小编"\n')
    with pytest.raises(api.ConfigError, match=r"rules\.XHS002\.words: expected list"):
        api.load_config(tmp_path)
