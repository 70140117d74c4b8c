"""Fixes: apply_fixes, atomic writes, and `check --fix` / `--diff` / `--unsafe-fixes` end to end."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from corpuslint.diagnostics import Diagnostic, Edit, Fix, Severity
from corpuslint.fixes import apply_fixes, write_atomically


def diag(*edits: tuple[int, int, str], safe: bool = True, line: int = 1) -> Diagnostic:
    fix = Fix("fix", tuple(Edit(*e) for e in edits), safe)
    return Diagnostic("a.md", line, 1, "TY001", Severity.WARNING, "m", fix=fix)


# --- apply_fixes --------------------------------------------------------------------------------


def test_non_overlapping_edits_are_applied_together():
    text, applied = apply_fixes("a,b,c", [diag((3, 4, "，")), diag((1, 2, "，"))], unsafe=False)
    assert text == "a，b，c" and len(applied) == 2


def test_an_overlapping_fix_is_skipped_and_identical_ones_count_as_applied():
    first, overlapping, same = diag((0, 3, "X")), diag((2, 4, "Y")), diag((0, 3, "X"), line=2)
    text, applied = apply_fixes("abcdef", [overlapping, first, same], unsafe=False)
    assert text == "Xdef"
    assert applied == [first, same]


def test_adjacent_edits_and_insertions():
    text, applied = apply_fixes(
        "abc", [diag((0, 1, "A")), diag((1, 1, "-")), diag((1, 2, "B"))], unsafe=False
    )
    assert text == "A-Bc" and len(applied) == 3
    text, applied = apply_fixes("abc", [diag((1, 1, "x")), diag((1, 1, "y"))], unsafe=False)
    assert len(applied) == 1


def test_unsafe_fixes_need_unsafe_and_bad_edits_are_ignored():
    unsafe = diag((0, 1, ""), safe=False)
    assert apply_fixes("abc", [unsafe], unsafe=False) == ("abc", [])
    assert apply_fixes("abc", [unsafe], unsafe=True)[0] == "bc"
    assert apply_fixes("abc", [diag((2, 9, ""))], unsafe=True) == ("abc", [])
    no_fix = Diagnostic("a.md", 1, 1, "FN001", Severity.ERROR, "m")
    assert apply_fixes("abc", [no_fix], unsafe=True) == ("abc", [])


# --- write_atomically -----------------------------------------------------------------------------


def test_atomic_write_keeps_mode_crlf_and_bom(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(b"\xef\xbb\xbfold\r\n")
    os.chmod(path, 0o640)
    write_atomically(str(path), "新\n内容\n", "\r\n", True)
    assert path.read_bytes() == "\ufeff新\r\n内容\r\n".encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]  # no temporary file left


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_atomic_write_through_a_symlink_replaces_the_target(tmp_path):
    target = tmp_path / "real.md"
    target.write_text("old\n")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    write_atomically(str(link), "new\n")
    assert link.is_symlink() and target.read_text() == "new\n"


def test_a_failed_write_leaves_the_original_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "a.md"
    path.write_text("old\n")

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        write_atomically(str(path), "new\n")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


# --- the CLI ----------------------------------------------------------------------------------------

FRONT = "---\ntitle: 标题,副标题\ntags: [甲,乙]\n---\n"
BODY = "昨晚, 微软”叛逃”了:真的吗?\n\n```\n代码,不动:”这里”\n```\n\n    缩进,代码\n"
TRAILER = "\n© 版权声明\nTHE END\n点赞5 分享\n"
CLEAN = "---\ntitle: 干净\n---\n这一段，标点都对。\n"


def read(path) -> bytes:
    return path.read_bytes()


def test_diff_shows_the_fixes_and_writes_nothing(corpus, cli):
    root = corpus({"a.md": FRONT + BODY, "clean.md": CLEAN})
    before = read(root / "a.md")
    result = cli("check", "--isolated", "--no-links", "--select", "TY,SR", "--diff", ".", cwd=root)
    assert result.code == 1
    assert "--- a/a.md\n+++ b/a.md\n" in result.out
    assert "+昨晚，微软“叛逃”了：真的吗？\n" in result.out
    assert "clean.md" not in result.out
    assert "Would fix 4 problems in 1 file." in result.err
    assert read(root / "a.md") == before
    clean = cli("check", "--isolated", "--no-links", "--select", "TY,SR", "--diff", "clean.md", cwd=root)
    assert clean.code == 0 and clean.out == ""


def test_fix_end_to_end_is_idempotent_and_leaves_front_matter_and_code(corpus, cli):
    root = corpus({"a.md": FRONT + BODY + TRAILER, "clean.md": CLEAN})
    clean_stat = (root / "clean.md").stat()
    result = cli("check", "--isolated", "--no-links", "--select", "TY,SR", "--fix", ".", cwd=root)
    assert result.code == 0  # what remains are warnings
    assert "Fixed 4 problems in 1 file." in result.err
    text = (root / "a.md").read_text(encoding="utf-8")
    assert (
        text == FRONT + BODY.replace("昨晚, 微软”叛逃”了:真的吗?", "昨晚，微软“叛逃”了：真的吗？") + TRAILER
    )
    assert "SR001" in result.out and "TY00" not in result.out  # the unsafe fix was not applied
    after = (root / "clean.md").stat()
    assert (after.st_ino, after.st_mtime_ns) == (clean_stat.st_ino, clean_stat.st_mtime_ns)

    fixed_bytes = read(root / "a.md")
    again = cli("check", "--isolated", "--no-links", "--select", "TY,SR", "--fix", ".", cwd=root)
    assert read(root / "a.md") == fixed_bytes and "Fixed" not in again.err

    unsafe = cli(
        "check", "--isolated", "--no-links", "--select", "TY,SR", "--fix", "--unsafe-fixes", ".", cwd=root
    )
    assert unsafe.code == 0 and "SR001" not in unsafe.out
    assert (root / "a.md").read_text(encoding="utf-8") == text[: -len(TRAILER)]


def test_fix_reaches_a_fixed_point_over_several_passes(corpus, cli):
    # The parentheses become full-width only once the comma before them is: two passes.
    # (GB/T 15834 style: TY001's default leaves parentheses half-width)
    root = corpus({"a.md": "微软,(AGI)!\n", "corpuslint.toml": '[rules.TY001]\nstyle = "gbt15834"\n'})
    cli("check", "--no-links", "--select", "TY", "--fix", ".", cwd=root)
    assert (root / "a.md").read_text(encoding="utf-8") == "微软，（AGI）！\n"
    again = cli("check", "--no-links", "--select", "TY", ".", cwd=root)
    assert again.code == 0 and "TY001" not in again.out


def test_fix_keeps_crlf_bom_and_permissions(corpus, cli):
    root = corpus({"a.md": ("\ufeff" + FRONT + BODY).replace("\n", "\r\n").encode("utf-8")})
    os.chmod(root / "a.md", 0o600)
    cli("check", "--isolated", "--no-links", "--select", "TY", "--fix", ".", cwd=root)
    data = read(root / "a.md")
    assert data.startswith(b"\xef\xbb\xbf---\r\ntitle: \xe6") and b"\n" not in data.replace(b"\r\n", b"")
    assert "昨晚，微软“叛逃”了：真的吗？\r\n".encode() in data
    assert stat.S_IMODE((root / "a.md").stat().st_mode) == 0o600


def test_exit_status_after_fix_reflects_what_remains(corpus, cli):
    config = "[rules.TY002]\nseverity = 'error'\n"
    root = corpus({"corpuslint.toml": config, "a.md": "他说”你好”。\n", "b.md": "他说“你好。\n"})
    fixable = cli("check", "--no-links", "--select", "TY", "--fix", "a.md", cwd=root)
    assert fixable.code == 0 and (root / "a.md").read_text(encoding="utf-8") == "他说“你好”。\n"
    unfixable = cli("check", "--no-links", "--select", "TY", "--fix", "b.md", cwd=root)
    assert unfixable.code == 1 and "TY002" in unfixable.out
