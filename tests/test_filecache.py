"""The per-file result cache (`corpuslint/filecache.py`) and `--shard K/N`."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from corpuslint import filecache, runner

GOOD = "---\ntitle: Fine\n---\n# Fine\n\nPlain text.\n"
BAD = b"---\ntitle: Bad\n---\ncaf\xe9\n"
UNDEFINED_FOOTNOTE = "Text[^1].\n"  # FN001


@pytest.fixture
def no_linting(monkeypatch):
    """Make any real lint of a file fail the test: what is left must come from the cache."""

    def refuse(source, plan, data=None):
        raise AssertionError(f"{source.display} was linted, not served from the cache")

    def forbid():
        monkeypatch.setattr(runner, "lint_file", refuse)

    return forbid


def db_path(root: Path) -> Path:
    return root / ".corpuslint_cache" / "files" / filecache.DB_NAME


def test_warm_run_is_served_from_cache_with_identical_output(corpus, cli, no_linting):
    root = corpus({"a.md": GOOD, "sub/b.md": BAD, "c.md": GOOD})
    cold_text = cli("check", "--no-links", ".", cwd=root)
    cold_json = cli("check", "--no-links", "--output-format", "json", ".", cwd=root)
    assert cold_text.code == 1 and "sub/b.md:4:4: IO001" in cold_text.out
    assert db_path(root).is_file()
    no_linting()
    warm_text = cli("check", "--no-links", ".", cwd=root)
    warm_json = cli("check", "--no-links", "--output-format", "json", ".", cwd=root)
    assert (warm_text.code, warm_text.out) == (cold_text.code, cold_text.out)
    assert warm_json.out == cold_json.out


def test_content_change_invalidates(corpus, cli):
    root = corpus({"a.md": GOOD, "b.md": GOOD})
    assert cli("check", "--no-links", ".", cwd=root).code == 0
    (root / "b.md").write_bytes(BAD)
    result = cli("check", "--no-links", ".", cwd=root)
    assert result.code == 1 and "b.md:4:4: IO001" in result.out
    (root / "b.md").write_text(GOOD)
    assert cli("check", "--no-links", ".", cwd=root).code == 0


def test_config_change_invalidates(corpus, cli):
    root = corpus({"corpuslint.toml": "", "b.md": UNDEFINED_FOOTNOTE})
    first = cli("check", "--no-links", ".", cwd=root)
    assert first.code == 1 and "FN001" in first.out
    (root / "corpuslint.toml").write_text('[rules.FN001]\nseverity = "warning"\n')
    second = cli("check", "--no-links", ".", cwd=root)
    assert second.code == 0 and "FN001" in second.out and "1 warning" in second.out
    (root / "corpuslint.toml").write_text('ignore = ["FN001"]\n')
    assert "FN001" not in cli("check", "--no-links", ".", cwd=root).out
    # the cache lives next to the config
    assert db_path(root).is_file()


def test_cli_selection_is_part_of_the_key(corpus, cli, no_linting):
    root = corpus({"b.md": UNDEFINED_FOOTNOTE})
    assert cli("check", "--no-links", ".", cwd=root).code == 1
    assert cli("check", "--no-links", "--ignore", "FN001", ".", cwd=root).code == 0
    no_linting()
    assert cli("check", "--no-links", ".", cwd=root).code == 1
    assert cli("check", "--no-links", "--ignore", "FN001", ".", cwd=root).code == 0


def test_key_covers_schema_contents_version_and_plan(tmp_path, monkeypatch):
    schema = tmp_path / "schema.json"
    schema.write_text('{"type": "object"}')
    plan = runner.LintPlan(("IO001",), {}, {}, str(tmp_path), ((("*.md",), str(schema)),), None)
    key = filecache.config_key(plan)
    assert filecache.config_key(plan) == key
    schema.write_text('{"type": "object", "required": ["title"]}')
    changed_schema = filecache.config_key(plan)
    assert changed_schema != key
    assert filecache.config_key(runner.LintPlan(("IO001",), {}, {}, str(tmp_path), (), "footnotes")) != key
    monkeypatch.setattr(filecache, "__version__", "999")
    assert filecache.config_key(plan) != changed_schema


def test_display_path_change_is_a_miss(corpus, cli):
    root = corpus({"corpuslint.toml": "", "sub/b.md": BAD})
    assert cli("check", "--no-links", ".", cwd=root).out.startswith("sub/b.md:4:4: IO001")
    # same config and cache (found walking up), another cwd: paths are shown relative to it
    assert cli("check", "--no-links", "b.md", cwd=root / "sub").out.startswith("b.md:4:4: IO001")
    assert cli("check", "--no-links", ".", cwd=root).out.startswith("sub/b.md:4:4: IO001")


def test_corrupt_database_is_survived_and_rebuilt(corpus, cli):
    root = corpus({"a.md": GOOD, "b.md": BAD})
    cold = cli("check", "--no-links", ".", cwd=root)
    db = db_path(root)
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)
    again = cli("check", "--no-links", ".", cwd=root)
    assert (again.code, again.out) == (cold.code, cold.out)
    assert any(p.name.startswith(filecache.DB_NAME + ".corrupt-") for p in db.parent.iterdir())
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM results").fetchone()[0] == 2


def test_damaged_rows_are_misses(corpus, cli):
    root = corpus({"a.md": GOOD, "b.md": BAD})
    cold = cli("check", "--no-links", ".", cwd=root)
    with sqlite3.connect(db_path(root)) as connection:
        connection.execute("UPDATE results SET payload = x'00ff00'")
    again = cli("check", "--no-links", ".", cwd=root)
    assert (again.code, again.out) == (cold.code, cold.out)


def test_unwritable_cache_directory_is_survived(corpus, cli):
    root = corpus({"b.md": BAD, ".corpuslint_cache": "a file where the directory should be"})
    result = cli("check", "--no-links", "b.md", cwd=root)
    assert result.code == 1 and "IO001" in result.out


def test_no_cache_neither_reads_nor_writes(corpus, cli):
    root = corpus({"b.md": BAD})
    assert cli("check", "--no-links", "--no-cache", ".", cwd=root).code == 1
    assert not db_path(root).exists()


def test_declared_schema_is_a_dependency(tmp_path):
    schema = tmp_path / "s.json"
    schema.write_text("{}")
    result = runner.FileResult("a.md", [], dependencies=(str(schema),))
    payload = filecache._pack(result)
    assert filecache._unpack(payload) == result
    schema.write_text('{"type": "object"}')
    assert filecache._unpack(payload) is None


def test_concurrent_runs_share_the_cache(corpus):
    files = {f"d{i % 5}/f{i:03}.md": (BAD if i % 7 == 0 else GOOD) for i in range(120)}
    root = corpus(files)
    command = [sys.executable, "-m", "corpuslint", "check", "--no-links", "--output-format", "json"]

    def run(part: int):
        names = sorted(files)[part::4]
        return subprocess.run([*command, *names], cwd=root, capture_output=True, text=True, timeout=60)

    for _ in range(2):  # cold, then warm, four processes at once each time
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(run, range(4)))
        assert [r.returncode for r in results] == [1, 1, 1, 1], [r.stderr for r in results]
        assert all(r.stderr == "" for r in results)
    with sqlite3.connect(db_path(root)) as connection:
        # (one configuration key per state of the corpuslint code: count paths, not rows)
        assert connection.execute("SELECT count(DISTINCT path) FROM results").fetchone()[0] == 120


def test_shards_partition_the_files(corpus, cli):
    root = corpus({f"d{i % 3}/f{i:02}.md": GOOD for i in range(40)})
    seen: list[str] = []
    for k in (1, 2, 3):
        result = cli(
            "check",
            "--no-links",
            "--no-cache",
            "--output-format",
            "junit",
            "--shard",
            f"{k}/3",
            ".",
            cwd=root,
        )
        assert result.code == 0
        names = [
            line.split('name="')[1].split('"')[0] for line in result.out.splitlines() if "<testsuite " in line
        ]
        assert names, f"shard {k} is empty"
        seen.extend(names)
    assert sorted(seen) == sorted(f"d{i % 3}/f{i:02}.md" for i in range(40))
    whole = cli("check", "--no-links", "--shard", "1/1", ".", cwd=root)
    assert "(40 files checked)" in whole.out


@pytest.mark.parametrize("value", ["0/3", "4/3", "x/2", "3", "1/0"])
def test_bad_shard_is_a_usage_error(corpus, cli, value):
    root = corpus({"a.md": GOOD})
    with pytest.raises(SystemExit) as info:
        cli("check", "--shard", value, ".", cwd=root)
    assert info.value.code == 2


def test_shard_key_is_relative_to_the_config_root(tmp_path, monkeypatch):
    (tmp_path / "x").mkdir()
    monkeypatch.chdir(tmp_path / "x")
    assert filecache.shard_key(str(tmp_path / "x" / "a.md"), tmp_path) == "x/a.md"
    assert filecache.shard_key("/elsewhere/a.md", tmp_path) == "/elsewhere/a.md"


def test_results_that_depend_on_todays_date_are_keyed_by_it(monkeypatch):
    import datetime

    from corpuslint import filecache
    from corpuslint.config import load_config
    from corpuslint.runner import RunOptions, enabled_codes, make_plan

    config = load_config(None)
    with_ct002 = make_plan(config, enabled_codes(config, RunOptions(select=("CT002",))))
    without = make_plan(config, enabled_codes(config, RunOptions(select=("FN001",))))
    before = (filecache.config_key(with_ct002), filecache.config_key(without))

    class Tomorrow(datetime.date):
        @classmethod
        def today(cls):
            return datetime.date(2999, 1, 1)

    monkeypatch.setattr(datetime, "date", Tomorrow)
    assert filecache.config_key(with_ct002) != before[0]
    assert filecache.config_key(without) == before[1]


def test_the_cache_directory_ignores_itself_in_git(corpus, cli):
    root = corpus({"corpuslint.toml": "", "a.md": "x\n"})
    cli("check", "--no-links", ".", cwd=root)
    assert (root / ".corpuslint_cache" / ".gitignore").read_text().splitlines()[-1] == "*"


@pytest.mark.parametrize("mode", [(), ("--links-only",)], ids=["check", "links-only"])
def test_warm_links_run_takes_the_link_occurrences_from_the_cache(corpus, cli, no_linting, mode):
    # a private address: the links phase skips it without any request, but counts it
    root = corpus({"a.md": "Text[^1].\n\n[^1]: Source, http://127.0.0.1:9/a\n", "b.md": GOOD})
    cold = cli("check", *mode, ".", cwd=root)
    assert "1 skipped" in cold.out
    no_linting()  # unchanged files are not parsed again to find their URLs
    warm = cli("check", *mode, ".", cwd=root)
    assert (warm.code, warm.out) == (cold.code, cold.out)
