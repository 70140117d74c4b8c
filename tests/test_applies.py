"""Which path a file has relative to its config (what `[[schemas]]` globs are matched against):
its resolved path, symlinked directories followed, whatever the layout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from corpuslint.applies import _real_directory, config_relative

posix_only = pytest.mark.skipif(os.name != "posix", reason="symlinks")


def _tree(root: Path) -> None:
    (root / "content" / "a" / "b").mkdir(parents=True)
    (root / "content" / "a" / "b" / "x.md").write_text("x\n")
    (root / "elsewhere" / "c").mkdir(parents=True)
    (root / "elsewhere" / "c" / "y.md").write_text("y\n")


@posix_only
def test_a_file_below_a_symlinked_directory_is_matched_by_its_resolved_path(tmp_path):
    root = tmp_path.resolve()
    _tree(root)
    (root / "content" / "link").symlink_to(root / "content" / "a")
    (root / "content" / "up").symlink_to(Path("..") / "elsewhere")
    assert config_relative(str(root / "content" / "link" / "b" / "x.md"), str(root)) == "content/a/b/x.md"
    assert config_relative(str(root / "content" / "up" / "c" / "y.md"), str(root)) == "elsewhere/c/y.md"
    assert config_relative(str(root / "content" / "a" / "b" / "x.md"), str(root)) == "content/a/b/x.md"


@posix_only
def test_directories_resolve_as_realpath_does(tmp_path):
    root = tmp_path.resolve()
    _tree(root)
    (root / "content" / "link").symlink_to(root / "content" / "a")
    (root / "content" / "a" / "loop").symlink_to(Path("..") / "link")
    (root / "dangling").symlink_to(root / "nowhere")
    _real_directory.cache_clear()
    for directory in (
        root / "content" / "link" / "b",
        root / "content" / "a" / "loop" / "b",
        root / "dangling" / "deeper",
        root / "missing" / "dir",
        root,
        Path(root.anchor),
    ):
        assert _real_directory(str(directory)) == os.path.realpath(directory)


def test_a_relative_path_is_relative_to_the_working_directory(tmp_path, monkeypatch):
    root = tmp_path.resolve()
    _tree(root)
    monkeypatch.chdir(root / "content")
    assert config_relative(os.path.join("a", "b", "x.md"), str(root)) == "content/a/b/x.md"
    assert config_relative(os.path.join("a", "..", "a", "b", "x.md"), str(root)) == "content/a/b/x.md"
