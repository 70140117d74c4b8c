"""Configuration: found by walking up, validated strictly, errors name the file and key."""

from pathlib import Path

import pytest

from corpuslint.config import ConfigError, find_config, load_config
from corpuslint.globs import matches


def test_walks_up_to_the_nearest_config(tmp_path):
    (tmp_path / "corpuslint.toml").write_text("")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(nested) == tmp_path / "corpuslint.toml"


def test_pyproject_counts_only_with_a_tool_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    assert find_config(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text("[tool.corpuslint]\nignore=['FN004']\n")
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"
    assert load_config(tmp_path / "pyproject.toml").ignore == ("FN004",)


def test_first_found_wins(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.corpuslint]\n")
    (tmp_path / "corpuslint.toml").write_text("")
    assert find_config(tmp_path).name == "corpuslint.toml"


@pytest.mark.parametrize(
    "text, key",
    [
        ("colour = 1\n", "colour"),
        ("select = ['XX9']\n", "select"),
        ("include = 3\n", "include"),
        ("[rules.FN999]\n", "rules.FN999"),
        ("[rules.FN001]\nseverity = 'fatal'\n", "rules.FN001.severity"),
        ("[rules.FN001]\nfoo = 1\n", "rules.FN001.foo"),
        ("[[schemas]]\nfiles = ['*.md']\nschema = 'missing.json'\n", "schemas[0].schema"),
        ("[[schemas]]\nfiles = ['*.md']\nschema = 's.json'\nextra = 1\n", "schemas[0].extra"),
        ("schemas = 'x'\n", "schemas"),
        ("[rules.TY001]\nstyle = 'nope'\n", "rules.TY001"),  # not a style TY001 knows
        ("[rules.TY003]\nfullwidth = 'x'\n", "rules.TY003"),  # not a mark
        ("[rules.FN001]\ncontainer_dialects = ['rst']\n", "rules.FN001"),  # not a dialect
    ],
)
def test_invalid_config_names_file_and_key(tmp_path, text, key):
    path = tmp_path / "corpuslint.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert key in str(info.value)


def test_broken_toml_is_a_config_error(tmp_path):
    path = tmp_path / "corpuslint.toml"
    path.write_text("select = [\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_schema_paths_resolve_against_the_config_directory(tmp_path):
    (tmp_path / "s.json").write_text("{}")
    (tmp_path / "corpuslint.toml").write_text("[[schemas]]\nfiles = ['content/**/*.md']\nschema = 's.json'\n")
    config = load_config(tmp_path / "corpuslint.toml")
    assert config.schemas[0].schema == (tmp_path / "s.json").resolve()


def test_config_error_exits_2_naming_file_and_key(corpus, cli):
    root = corpus({"corpuslint.toml": "unknown_key = true\n", "a.md": "x\n"})
    result = cli("check", "--no-links", cwd=root)
    assert result.code == 2
    assert "corpuslint.toml" in result.err and "unknown_key" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    "path, patterns, expected",
    [
        ("content/a.md", ("content/**/*.md",), True),
        ("content/x/y/a.md", ("content/**/*.md",), True),
        ("other/a.md", ("content/**/*.md",), False),
        ("deep/dir/a.md", ("*.md",), True),
        ("drafts/x/a.md", ("drafts",), True),
        ("a.markdown", ("*.md",), False),
        ("content/a.md", ("content/*.md",), True),
        ("content/x/a.md", ("content/*.md",), False),
    ],
)
def test_globs(path, patterns, expected):
    assert matches(path, patterns) is expected


def test_unconfigured_run_uses_defaults(tmp_path):
    config = load_config(None, cwd=tmp_path)
    assert config.root == tmp_path and config.path is None
    assert Path(".git").name in config.exclude


def test_extend_merges_tables_key_by_key_and_the_extending_file_wins(tmp_path):
    (tmp_path / "s.json").write_text("{}")
    (tmp_path / "base.toml").write_text(
        'ignore = ["FN004"]\nextend-exclude = ["old"]\n'
        '[[schemas]]\nfiles = ["a/**"]\nschema = "s.json"\n'
        '[rules.FM005]\nseverity = "warning"\nplaceholders = ["XXX"]\n'
        "[links]\nmax_per_host = 2\ntimeout = 5\n"
    )
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "s2.json").write_text("{}")
    (sub / "corpuslint.toml").write_text(
        'extend = "../base.toml"\nextend-exclude = ["drafts"]\n'
        '[[schemas]]\nfiles = ["b/**"]\nschema = "s2.json"\n'
        '[rules.FM005]\nseverity = "error"\n'
        "[links]\ntimeout = 9\n"
    )
    config = load_config(sub / "corpuslint.toml")
    assert config.root == sub and config.extends == (tmp_path / "base.toml",)
    assert config.ignore == ("FN004",)
    assert config.exclude[-2:] == ("old", "drafts")
    assert [(a.files, a.schema) for a in config.schemas] == [
        (("b/**",), sub / "s2.json"),
        (("a/**",), tmp_path / "s.json"),  # resolved against the file that names it
    ]
    fm005 = config.rules["FM005"]
    assert str(fm005.severity) == "error" and fm005.options == {"placeholders": ["XXX"]}
    assert config.links == {"max_per_host": 2, "timeout": 9}


def test_a_mistake_in_an_extended_file_names_that_file(tmp_path):
    (tmp_path / "base.toml").write_text("bogus = 1\n")
    (tmp_path / "corpuslint.toml").write_text('extend = "base.toml"\n')
    with pytest.raises(ConfigError, match=r"base\.toml: bogus: unknown key"):
        load_config(tmp_path / "corpuslint.toml")


def test_extend_of_a_missing_file_is_a_configuration_error(tmp_path):
    (tmp_path / "corpuslint.toml").write_text('extend = "nope.toml"\n')
    with pytest.raises(ConfigError, match=r"extend: config file not found: .*nope\.toml"):
        load_config(tmp_path / "corpuslint.toml")


def test_pyproject_can_extend_a_corpuslint_toml(tmp_path):
    (tmp_path / "shared.toml").write_text('ignore = ["FN004"]\n')
    (tmp_path / "pyproject.toml").write_text('[tool.corpuslint]\nextend = "shared.toml"\nselect = ["FN"]\n')
    config = load_config(tmp_path / "pyproject.toml")
    assert config.ignore == ("FN004",) and config.select == ("FN",)
