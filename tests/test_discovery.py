"""Discovery: which files a run lints."""

from corpuslint.config import load_config
from corpuslint.discovery import discover


def names(sources):
    return [s.display for s in sources]


def test_walks_directories_for_markdown_and_skips_default_excludes(corpus):
    root = corpus(
        {
            "a.md": "",
            "b.markdown": "",
            "c.txt": "",
            "sub/d.md": "",
            ".git/x.md": "",
            "node_modules/pkg/readme.md": "",
            ".venv/x.md": "",
        }
    )
    sources, missing = discover(["."], load_config(None, cwd=root), cwd=root)
    assert names(sources) == ["a.md", "b.markdown", "sub/d.md"] and missing == []


def test_config_include_and_exclude_globs(corpus):
    root = corpus(
        {
            "corpuslint.toml": 'include = ["content/*.txt", "*.md"]\nextend-exclude = ["drafts", "content/old/**"]\n',
            "content/a.txt": "",
            "content/b.md": "",
            "content/old/c.md": "",
            "drafts/d.md": "",
            "x/drafts/e.md": "",
        }
    )
    config = load_config(root / "corpuslint.toml")
    sources, _ = discover(["."], config, cwd=root)
    assert names(sources) == ["content/a.txt", "content/b.md"]


def test_named_files_are_linted_unless_force_exclude(corpus):
    root = corpus({"corpuslint.toml": 'extend-exclude = ["drafts"]\n', "drafts/d.md": "", "notes.txt": ""})
    config = load_config(root / "corpuslint.toml")
    assert names(discover(["drafts/d.md", "notes.txt"], config, cwd=root)[0]) == ["drafts/d.md", "notes.txt"]
    assert names(discover(["drafts/d.md"], config, cwd=root, force_exclude=True)[0]) == []
    assert names(discover(["drafts"], config, cwd=root, force_exclude=True)[0]) == []


def test_missing_paths_are_reported_and_duplicates_collapse(corpus):
    root = corpus({"a.md": ""})
    sources, missing = discover(["a.md", "./a.md", ".", "nope.md"], load_config(None, cwd=root), cwd=root)
    assert names(sources) == ["a.md"] and missing == ["nope.md"]


def test_paths_outside_the_working_directory_are_shown_as_given(corpus, tmp_path_factory):
    root = corpus({"a.md": ""})
    elsewhere = tmp_path_factory.mktemp("cwd")
    sources, _ = discover([str(root)], load_config(None, cwd=elsewhere), cwd=elsewhere)
    assert names(sources) == [str(root / "a.md")]


def test_grouped_discovery_gives_each_file_its_closest_config(corpus):
    from corpuslint.discovery import ConfigResolver, discover_grouped

    root = corpus(
        {
            "corpuslint.toml": 'extend-exclude = ["skip"]\n',
            "a.md": "",
            "skip/x.md": "",
            "inner/corpuslint.toml": "",  # its own config: the outer exclude no longer applies below it
            "inner/b.md": "",
            "inner/skip/y.md": "",
        }
    )
    groups, missing = discover_grouped(["."], ConfigResolver(cwd=root))
    found = {config.path.parent.name: names(sources) for config, sources in groups}
    assert missing == []
    assert found == {root.name: ["a.md"], "inner": ["inner/b.md", "inner/skip/y.md"]}


def test_without_any_config_file_the_defaults_are_rooted_at_the_working_directory(corpus):
    from corpuslint.discovery import ConfigResolver

    root = corpus({"deep/er/a.md": ""})
    resolver = ConfigResolver(cwd=root)
    config = resolver.for_directory(str(root / "deep" / "er"))
    assert config.path is None and config.root == root
    assert resolver.for_directory(str(root / "deep")) is config  # looked up once
