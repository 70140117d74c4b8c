"""Hostile cache content: the per-file cache is a file in the corpus, so anyone who can commit can
put rows in it. A row is data that is validated, never code that runs; a damaged database is
rebuilt; a cache directory that is a symlink is never written through."""

from __future__ import annotations

import os
import pickle
import sqlite3
import zlib
from pathlib import Path

import pytest

from corpuslint import cachedir, document, filecache, runner
from corpuslint.diagnostics import Diagnostic, Edit, Fix, Severity

GOOD = "---\ntitle: Fine\n---\n# Fine\n\nPlain text.\n"
FOOTNOTE = "Text[^1].\n"  # FN001: a diagnostic to cache


def db_path(root: Path) -> Path:
    return root / ".corpuslint_cache" / "files" / filecache.DB_NAME


class _CreatesAFile:
    """Unpickling this creates the file `marker` (what any gadget could do instead)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.fixture
def no_linting(monkeypatch):
    def refuse(source, plan, data=None):
        raise AssertionError(f"{source.display} was linted, not served from the cache")

    return lambda: monkeypatch.setattr(runner, "lint_file", refuse)


@pytest.mark.parametrize("compressed", [False, True], ids=["raw", "zlib"])
def test_a_crafted_pickle_row_is_never_unpickled(corpus, cli, tmp_path, compressed):
    root = corpus({"a.md": FOOTNOTE, "b.md": GOOD})
    cold = cli("check", "--no-links", ".", cwd=root)
    marker = tmp_path / "created-by-the-cache-row"
    evil = pickle.dumps(_CreatesAFile(marker), protocol=pickle.HIGHEST_PROTOCOL)
    payload = zlib.compress(evil) if compressed else evil
    with sqlite3.connect(db_path(root)) as connection:  # same keys and digests: only the payload
        assert connection.execute("UPDATE results SET payload = ?", (payload,)).rowcount == 2
    again = cli("check", "--no-links", ".", cwd=root)
    assert not marker.exists()
    assert (again.code, again.out) == (cold.code, cold.out)  # the rows were misses


@pytest.mark.parametrize(
    "payload",
    [
        b'j{"format": 1}',
        b"j[1, 2, 3]",
        b'j{"format": 2, "path": 5, "diagnostics": [], "links": [], "suppressions": null,'
        b' "dependencies": [], "result_dependencies": []}',
        b'j{"format": 2, "path": "a.md", "diagnostics": [], "suppressions": null,'
        b' "links": [["a.md", 1, 1, 1, 9, "http://h/", "t", null, 0, {"x": 1}]],'
        b' "dependencies": [], "result_dependencies": []}',
        b'j{"format": 2, "path": "a.md", "diagnostics": [], "suppressions": null,'
        b' "links": [["a.md", 1, 1, 1, 9, "http://h/", "t", null, 0]],'
        b' "dependencies": [], "result_dependencies": []}',
        b"j" + b"[" * 100_000,
        b"z" + zlib.compress(b" " * (80 * 1024 * 1024)),  # inflates past the limit
        b"\x80\x04K\x01.",
        b"",
    ],
    ids=[
        "missing-keys",
        "not-an-object",
        "wrong-type",
        "link-value",
        "link-length",
        "deep",
        "zip-bomb",
        "pickle",
        "empty",
    ],
)
def test_a_row_that_does_not_validate_is_a_miss(corpus, cli, payload):
    root = corpus({"a.md": FOOTNOTE})
    cold = cli("check", "--no-links", ".", cwd=root)
    with sqlite3.connect(db_path(root)) as connection:
        connection.execute("UPDATE results SET payload = ?", (payload,))
    again = cli("check", "--no-links", ".", cwd=root)
    assert (again.code, again.out) == (cold.code, cold.out)


def _with_diagnostic(item: str) -> bytes:
    return (
        b'j{"format": 2, "path": "a.md", "suppressions": null, "links": [], "dependencies": [],'
        b' "result_dependencies": [], "diagnostics": [["a.md", 1, 1, "FN001", 2, "m", null, null, null], '
        + item.encode()
        + b"]}"
    )


@pytest.mark.parametrize(
    "item",
    [
        '["a.md", true, 1, "FN001", 2, "m", null, null, null]',  # a boolean is not a line number
        '["a.md", 1, 1, "FN001", true, "m", null, null, null]',  # nor a severity (True == 1)
        '["a.md", 1, 1, "FN001", 7, "m", null, null, null]',
        '["a.md", 1, 1.0, "FN001", 2, "m", null, null, null]',
        '["a.md", 1, 1, 5, 2, "m", null, null, null]',
        '["a.md", 1, 1, "FN001", 2, "m", "2", null, null]',
        '["a.md", 1, 1, "FN001", 2, "m", null, null]',
        '{"path": "a.md"}',
        '["a.md", 1, 1, "FN001", 2, "m", null, null, ["fix", [], 1]]',
        '["a.md", 1, 1, "FN001", 2, "m", null, null, ["fix", [[1, 2]], true]]',
        '["a.md", 1, 1, "FN001", 2, "m", null, null, ["fix", [[1, "2", "x"]], true]]',
        '["a.md", 1, 1, "FN001", 2, "m", null, null, ["fix", [[1, 2, null]], true]]',
        '["a.md", 1, 1, "FN001", 2, "m", null, null, ["fix", {"a": 1}, true]]',
    ],
)
def test_a_crafted_diagnostic_in_a_row_makes_it_a_miss(item):
    assert filecache._unpack(_with_diagnostic(item), check=False) is None
    good = '["a.md", 2, 1, "TY001", 1, "m", 2, 3, ["fix", [[1, 2, "x"]], true]]'
    assert filecache._unpack(_with_diagnostic(good), check=False).packed.count == 2


def test_results_round_trip_through_json_with_fixes_links_and_suppressions(tmp_path):
    from corpuslint.links.extract import LinkOccurrence
    from corpuslint.suppressions import parse

    fix = Fix("replace", (Edit(1, 3, "，"), Edit(5, 5, "x")), safe=False)
    result = runner.FileResult(
        "a.md",
        [Diagnostic("a.md", 2, 3, "TY001", Severity.WARNING, "m", 2, 4, fix)],
        [
            LinkOccurrence("a.md", 1, 1, 1, 20, "https://example.org/", "t", None, 3, 23),
            LinkOccurrence("a.md", 4, 5, None, None, "http://h/x", "", "n1"),
        ],
        parse("<!-- corpuslint-disable FN -->\nx\n<!-- corpuslint-enable FN001 -->\n"),
        (str(tmp_path / "s.json"),),
    )
    back = filecache._unpack(filecache._pack(result))
    from corpuslint.diagstore import DiagnosticStore

    store = DiagnosticStore()
    store.add(back.packed)  # the diagnostics come as the store's records, checked
    assert list(store) == result.diagnostics and list(store)[0].fix == fix
    assert (back.path, back.links, back.dependencies) == (result.path, result.links, result.dependencies)
    assert back.suppressions.suppresses_code("FN002", 4) and not back.suppressions.suppresses_code("FN001", 4)


def test_the_codec_knows_every_field_of_a_link_occurrence():
    """Links are stored as lists in field order: a new field must be added to the codec too."""
    import dataclasses

    from corpuslint.links.extract import LinkOccurrence
    from corpuslint.resultcodec import _link

    occurrence = LinkOccurrence(*range(len(dataclasses.fields(LinkOccurrence))))
    assert _link(occurrence) == [getattr(occurrence, f.name) for f in dataclasses.fields(LinkOccurrence)]


def test_garbage_pages_behind_a_valid_header_are_detected_and_rebuilt(corpus, cli, no_linting):
    root = corpus({f"f{i:03}.md": FOOTNOTE * (i % 5 + 1) for i in range(150)})
    cold = cli("check", "--no-links", ".", cwd=root)
    db = db_path(root)
    page = 4096
    data = bytearray(db.read_bytes())
    assert len(data) > 4 * page  # the results are on pages after the first (schema) page
    data[page:] = bytes((i * 131 + 7) % 256 for i in range(len(data) - page))
    db.write_bytes(bytes(data))
    again = cli("check", "--no-links", ".", cwd=root)
    assert (again.code, again.out) == (cold.code, cold.out)
    no_linting()  # the run that met the damage rebuilt the cache: the next one is all hits
    warm = cli("check", "--no-links", ".", cwd=root)
    assert (warm.code, warm.out) == (cold.code, cold.out)


def test_a_cache_directory_that_is_a_symlink_is_not_written_through(corpus, cli, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = corpus({"corpus/a.md": FOOTNOTE}) / "corpus"
    (root / ".corpuslint_cache").symlink_to(outside, target_is_directory=True)
    result = cli("check", "--no-links", ".", cwd=root)
    assert result.code == 1 and "FN001" in result.out
    assert list(outside.iterdir()) == []


def test_a_cache_database_that_is_a_symlink_is_not_written_through(corpus, cli, tmp_path):
    victim = tmp_path / "victim.sqlite"
    with sqlite3.connect(victim) as connection:
        connection.execute("CREATE TABLE mine (x)")
    before = victim.read_bytes()
    root = corpus({"corpus/a.md": FOOTNOTE}) / "corpus"
    (root / ".corpuslint_cache" / "files").mkdir(parents=True)
    db_path(root).symlink_to(victim)
    assert cli("check", "--no-links", ".", cwd=root).code == 1
    assert victim.read_bytes() == before
    assert not Path(str(victim) + "-wal").exists()


def test_a_run_with_nothing_to_cache_creates_no_cache_directory(corpus, cli, monkeypatch):
    monkeypatch.setattr(document, "MAX_FILE_BYTES", 10)
    monkeypatch.setattr(filecache, "MAX_CACHED_FILE", 10)
    root = corpus({"big.md": "x" * 100})  # IO002: a result that is not cached
    result = cli("check", "--no-links", ".", cwd=root)
    assert result.code == 1 and "IO002" in result.out
    assert not (root / ".corpuslint_cache").exists()


def test_no_cache_and_no_links_create_no_cache_directory(corpus, cli):
    root = corpus({"a.md": FOOTNOTE})
    assert cli("check", "--no-links", "--no-cache", ".", cwd=root).code == 1
    assert not (root / ".corpuslint_cache").exists()


# -- cachedir --------------------------------------------------------------------------------


def test_resolve_precedence(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {cachedir.ENV_VAR: "from-env"}
    assert cachedir.resolve(tmp_path / "cfg", "cli", env) == tmp_path / "cli"
    assert cachedir.resolve(tmp_path / "cfg", None, env, configured="/conf") == tmp_path / "from-env"
    assert cachedir.resolve(tmp_path / "cfg", None, {}, configured="/conf") == Path("/conf")
    assert cachedir.resolve(tmp_path / "cfg", None, {}) == tmp_path / "cfg" / ".corpuslint_cache"
    assert cachedir.resolve(None, None, {cachedir.ENV_VAR: ""}) == tmp_path / ".corpuslint_cache"
    assert list(tmp_path.iterdir()) == []  # resolving creates nothing


def test_the_file_cache_follows_the_environment_variable(corpus, cli, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv(cachedir.ENV_VAR, str(elsewhere))
    root = corpus({"corpus/a.md": FOOTNOTE}) / "corpus"
    assert cli("check", "--no-links", ".", cwd=root).code == 1
    assert (elsewhere / "files" / filecache.DB_NAME).is_file()
    assert not (root / ".corpuslint_cache").exists()


def test_clean_removes_both_caches_and_says_what(tmp_path):
    directory = tmp_path / ".corpuslint_cache"
    cachedir.prepare(directory / "files", directory)
    (directory / "files" / filecache.DB_NAME).write_bytes(b"x")
    (directory / cachedir.LINKS_FILE).write_bytes(b"y")
    removed = cachedir.clean(directory)
    assert removed == [str(directory / "files"), str(directory / cachedir.LINKS_FILE), str(directory)]
    assert not directory.exists()
    assert cachedir.clean(directory) == []


def test_clean_keeps_what_is_not_a_cache_and_never_follows_symlinks(tmp_path):
    directory = tmp_path / "shared"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine")
    directory.mkdir()
    (directory / "notes.txt").write_text("not a cache")
    (directory / "files").symlink_to(outside, target_is_directory=True)
    assert cachedir.clean(directory) == [str(directory / "files")]
    assert (outside / "keep.txt").read_text() == "mine"
    assert (directory / "notes.txt").exists()


def test_prepare_refuses_a_symlinked_directory(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "c").symlink_to(outside, target_is_directory=True)
    with pytest.raises(cachedir.UnsafeCacheDir):
        cachedir.prepare(tmp_path / "c" / "files", tmp_path / "c")
    assert not os.listdir(outside)


def test_a_cache_directory_the_user_named_may_be_a_symlink(corpus, cli, tmp_path, monkeypatch):
    real = tmp_path / "real-cache"
    real.mkdir()
    (tmp_path / "named").symlink_to(real, target_is_directory=True)
    monkeypatch.setenv(cachedir.ENV_VAR, str(tmp_path / "named"))
    root = corpus({"corpus/a.md": FOOTNOTE}) / "corpus"
    assert cli("check", "--no-links", ".", cwd=root).code == 1
    assert (real / "files" / filecache.DB_NAME).is_file()


def test_a_database_another_run_has_rebuilt_is_not_moved_aside(tmp_path):
    cache = filecache.FileCache(tmp_path / "files", "key")
    cache.store([("/a.md", "a.md", b"d", b"j{}")])
    cache._open().close()  # this run opened the database (and remembers which file it was)
    rebuilt = tmp_path / "files" / "fresh.sqlite"
    other = filecache.FileCache(tmp_path / "files-other", "key")
    other.store([("/b.md", "b.md", b"d", b"j{}")])
    os.replace(other.path, rebuilt)
    os.replace(rebuilt, cache.path)  # meanwhile another run replaced the database
    cache._damaged(sqlite3.DatabaseError("database disk image is malformed"), None)
    assert cache.path.is_file()
    with sqlite3.connect(cache.path) as connection:
        assert connection.execute("SELECT path FROM results").fetchall() == [("/b.md",)]


def test_the_link_cache_database_is_not_written_through_a_symlink(corpus, cli, tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("mine\n")
    # a private address: the links phase opens its cache but sends nothing
    root = corpus({"corpus/a.md": "Text[^1].\n\n[^1]: Source, http://127.0.0.1:9/a\n"}) / "corpus"
    (root / ".corpuslint_cache").mkdir()
    (root / ".corpuslint_cache" / cachedir.LINKS_FILE).symlink_to(victim)
    result = cli("check", ".", cwd=root)
    assert result.code == 0 and "1 skipped" in result.out
    assert victim.read_text() == "mine\n"


def test_a_cache_directory_made_here_gets_a_gitignore(tmp_path):
    cachedir.prepare(tmp_path / "new" / "files", tmp_path / "new")
    assert (tmp_path / "new" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


@pytest.mark.parametrize("configured", [".", "shared"])
def test_an_existing_directory_named_as_cache_dir_gets_no_gitignore(
    corpus, cli, tmp_path, monkeypatch, configured
):
    """`cache_dir = "."` (the project itself) or a directory that is there already: an
    ignore-everything .gitignore there would hide it from git; the caches are written, nothing else."""
    monkeypatch.delenv(cachedir.ENV_VAR, raising=False)
    shared = tmp_path / "shared"
    shared.mkdir()
    named = "." if configured == "." else shared.as_posix()
    root = corpus({"corpuslint.toml": f'[links]\ncache_dir = "{named}"\n', "a.md": FOOTNOTE})
    cli("check", "--no-links", ".", cwd=root)
    where = root if configured == "." else shared
    assert (where / "files").is_dir()  # the per-file cache went where it was told
    assert not (where / ".gitignore").exists()


def test_clean_in_a_project_directory_removes_only_the_caches(tmp_path):
    """`cache_dir = "."`: the project's own `files/` and `.gitignore` are not the cache's."""
    project = tmp_path / "project"
    (project / "files").mkdir(parents=True)
    (project / "files" / "report.pdf").write_bytes(b"%PDF")
    (project / "files" / filecache.DB_NAME).write_bytes(b"x")
    (project / "files" / (filecache.DB_NAME + "-wal")).write_bytes(b"x")
    (project / ".gitignore").write_text("build/\n")
    (project / cachedir.LINKS_FILE).write_bytes(b"y")
    removed = cachedir.clean(project)
    assert removed == [str(project / cachedir.LINKS_FILE)]
    assert sorted(os.listdir(project / "files")) == ["report.pdf"]
    assert (project / ".gitignore").read_text() == "build/\n"


def test_clean_keeps_a_gitignore_that_corpuslint_did_not_write(tmp_path):
    directory = tmp_path / "cache"
    directory.mkdir()
    (directory / ".gitignore").write_text("*.log\n")
    (directory / cachedir.LINKS_FILE).write_bytes(b"y")
    assert cachedir.clean(directory) == [str(directory / cachedir.LINKS_FILE)]
    assert (directory / ".gitignore").read_text() == "*.log\n"


def test_a_cached_row_is_the_stores_blob_when_in_order_and_sorted_anew_when_not():
    from corpuslint.diagstore import DiagnosticStore

    first = '["a.md", 1, 1, "FN001", 2, "m", null, null, null]'
    later = '["a.md", 5, 1, "TY001", 1, "m", 5, 2, ["fix", [[3, 4, "x"]], true]]'
    in_order = _with_diagnostic(later)  # the row's first diagnostic is at line 1
    assert filecache._unpack(in_order, check=False).packed.blob == in_order
    reversed_row = in_order.replace(later.encode(), first.encode()).replace(
        b'[["a.md", 1, 1, "FN001", 2, "m", null, null, null], ', ("[" + later + ", ").encode(), 1
    )
    packed = filecache._unpack(reversed_row, check=False).packed
    assert packed.blob != reversed_row
    store = DiagnosticStore()
    store.add(packed)
    assert [d.line for d in store] == [1, 5]
