"""One cache story, through the installed entry point: next to the config that applies,
`--cache-dir` / CORPUSLINT_CACHE_DIR elsewhere, `--no-cache` writes nothing, `cache clean`
removes both caches and says what it removed (`cache clear` is an alias)."""

from __future__ import annotations

from tests.conftest import write

ARTICLE = "---\ntitle: 标题\n---\n中文,中文。\n"


def lint(run_installed, cwd, *args, env=None):
    result = run_installed("check", "--no-links", *args, cwd=cwd, env=env)
    assert result.code in (0, 1), result.err
    return result


def test_the_cache_lives_next_to_the_config_that_applies(tmp_path, run_installed):
    write(tmp_path, {"corpus/corpuslint.toml": "", "corpus/a.md": ARTICLE})
    lint(run_installed, tmp_path, "corpus")
    assert (tmp_path / "corpus" / ".corpuslint_cache" / "files").is_dir()
    assert not (tmp_path / ".corpuslint_cache").exists()


def test_no_cache_writes_nothing(tmp_path, run_installed):
    write(tmp_path, {"a.md": ARTICLE})
    lint(run_installed, tmp_path, "--no-cache", ".")
    assert not (tmp_path / ".corpuslint_cache").exists()


def test_cache_dir_option_and_environment_variable(tmp_path, run_installed):
    write(tmp_path, {"corpus/a.md": ARTICLE})
    corpus = tmp_path / "corpus"
    lint(run_installed, corpus, "--cache-dir", str(tmp_path / "by-option"), ".")
    assert (tmp_path / "by-option" / "files").is_dir()
    lint(run_installed, corpus, ".", env={"CORPUSLINT_CACHE_DIR": str(tmp_path / "by-env")})
    assert (tmp_path / "by-env" / "files").is_dir()
    assert not (corpus / ".corpuslint_cache").exists()
    # the option wins over the environment
    lint(run_installed, corpus, "--cache-dir", "rel", ".", env={"CORPUSLINT_CACHE_DIR": str(tmp_path / "x")})
    assert (corpus / "rel" / "files").is_dir() and not (tmp_path / "x").exists()


def test_cache_clean_removes_both_caches_and_says_what(tmp_path, run_installed):
    write(tmp_path, {"a.md": ARTICLE})
    lint(run_installed, tmp_path, ".")
    cache = tmp_path / ".corpuslint_cache"
    (cache / "links.sqlite3").write_bytes(b"")  # as the link checker leaves it
    result = run_installed("cache", "clean", cwd=tmp_path)
    assert result.code == 0, result.err
    assert f"Removed {cache / 'files'}" in result.out
    assert f"Removed {cache / 'links.sqlite3'}" in result.out
    assert not cache.exists()
    again = run_installed("cache", "clean", cwd=tmp_path)
    assert again.code == 0 and "Nothing to clean" in again.out


def test_cache_clear_is_an_alias_and_cache_dir_is_honoured(tmp_path, run_installed):
    write(tmp_path, {"a.md": ARTICLE})
    lint(run_installed, tmp_path, "--cache-dir", "elsewhere", ".")
    result = run_installed("cache", "clear", "--cache-dir", "elsewhere", cwd=tmp_path)
    assert result.code == 0 and f"Removed {tmp_path / 'elsewhere' / 'files'}" in result.out
    assert not (tmp_path / "elsewhere").exists()


def test_no_cache_is_a_general_option(run_installed, tmp_path):
    help_text = run_installed("check", "--help", cwd=tmp_path).out
    general = help_text[help_text.index("configuration and caches:") : help_text.index("rule selection:")]
    assert "--no-cache" in general and "--cache-dir" in general
    links = help_text[help_text.index("links:") :]
    assert "--no-cache" not in links
