"""`--fix` and `--diff` on files that change, are links, are shared, protected or odd: only the
edited characters change, a file is written only when that is safe, and one failure never stops
the other files."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import time

import pytest

from corpuslint import fixes
from corpuslint.diagnostics import Diagnostic, Edit, Fix, Severity
from corpuslint.edits import apply_exact

BAD = "昨晚, 微软”叛逃”了:真的吗?"  # TY001/TY002: four safe fixes
GOOD = "昨晚，微软“叛逃”了：真的吗？"
FIX = ("check", "--isolated", "--no-links", "--no-cache", "--select", "TY", "--fix", ".")
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file semantics")


def lines(endings: list[str], bad: bool = True) -> bytes:
    texts = ["# 标题", BAD if bad else GOOD, "普通的一行", BAD if bad else GOOD, "最后"]
    return "".join(t + e for t, e in zip(texts, endings, strict=True)).encode("utf-8")


# -- line endings and BOM ---------------------------------------------------------------------------

ENDINGS = {
    "lf": ["\n"] * 5,
    "crlf": ["\r\n"] * 5,
    "cr": ["\r"] * 5,
    "one-crlf-among-lf": ["\n", "\r\n", "\n", "\n", "\n"],
    "lone-cr-in-crlf": ["\r\n", "\r\n", "\r", "\r\n", "\r\n"],
    "mixed-no-final-newline": ["\r", "\n", "\r\n", "\r", ""],
}


@pytest.mark.parametrize("name", ENDINGS)
@pytest.mark.parametrize("bom", [False, True], ids=["", "bom"])
def test_fix_changes_only_the_edited_characters(corpus, cli, name, bom):
    prefix = b"\xef\xbb\xbf" if bom else b""
    root = corpus({"a.md": prefix + lines(ENDINGS[name])})
    result = cli(*FIX, cwd=root)
    assert "Fixed" in result.err, result.err
    assert (root / "a.md").read_bytes() == prefix + lines(ENDINGS[name], bad=False)


def test_an_inserted_newline_takes_the_files_own_style():
    fix = Fix("split", (Edit(3, 3, "\nnew"),))
    text, applied = apply_exact("one\r\ntwo\r\n", [diag(fix)], unsafe=False)
    assert text == "one\r\nnew\r\ntwo\r\n" and applied


def diag(fix: Fix, line: int = 1) -> Diagnostic:
    return Diagnostic("a.md", line, 1, "TY001", Severity.WARNING, "m", fix=fix)


# -- the file changed -----------------------------------------------------------------------------


def test_a_file_edited_after_the_lint_is_not_fixed_with_stale_offsets(corpus, cli, monkeypatch):
    root = corpus({"a.md": f"---\ntitle: 测试\n---\n{BAD}\n"})
    edited = f"---\ntitle: 一个更长的测试\n---\n前言\n{BAD}\n"
    original = fixes.run_fixes

    def edit_then_fix(*args, **kwargs):
        (root / "a.md").write_text(edited, encoding="utf-8")  # someone saves the file meanwhile
        return original(*args, **kwargs)

    monkeypatch.setattr(fixes, "run_fixes", edit_then_fix)
    result = cli(*FIX, cwd=root)
    assert (root / "a.md").read_text(encoding="utf-8") == edited
    assert "a.md: not fixed: it changed since it was linted" in result.err


def test_a_file_edited_while_it_is_being_fixed_is_left_alone(corpus, cli, monkeypatch):
    root = corpus({"a.md": f"{BAD}\n", "b.md": f"{BAD}\n"})
    original = fixes.fix_file

    def fix_then_edit(source, *args, **kwargs):
        result = original(source, *args, **kwargs)
        if source.display == "a.md":
            with open(source.path, "a", encoding="utf-8") as handle:
                handle.write("新的一段\n")
        return result

    monkeypatch.setattr(fixes, "fix_file", fix_then_edit)
    result = cli(*FIX, cwd=root)
    assert (root / "a.md").read_text(encoding="utf-8") == f"{BAD}\n新的一段\n"
    assert (root / "b.md").read_text(encoding="utf-8") == f"{GOOD}\n"
    assert "a.md: not fixed: it changed since it was linted" in result.err


# -- what a file is ----------------------------------------------------------------------------------


@posix_only
def test_a_symlink_to_a_file_outside_the_tree_is_not_written_through(tmp_path, cli):
    outside = tmp_path / "outside.md"
    outside.write_text(f"{BAD}\n", encoding="utf-8")
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "link.md").symlink_to(outside)
    result = cli(*FIX, cwd=root)
    assert outside.read_text(encoding="utf-8") == f"{BAD}\n"
    assert (root / "link.md").is_symlink()
    assert "link.md: not fixed: it is a link to" in result.err and "outside the linted tree" in result.err


@posix_only
def test_a_symlink_inside_the_tree_fixes_its_target_once(corpus, cli):
    root = corpus({"real.md": f"{BAD}\n"})
    (root / "link.md").symlink_to(root / "real.md")
    result = cli(*FIX, cwd=root)
    assert (root / "real.md").read_text(encoding="utf-8") == f"{GOOD}\n"
    assert (root / "link.md").is_symlink()
    assert "warning" not in result.err


@posix_only
def test_a_hard_linked_file_is_refused_and_stays_linked(corpus, cli):
    root = corpus({"a.md": f"{BAD}\n", "b.md": f"{BAD}\n"})
    os.link(root / "a.md", root / "other-name")
    result = cli(*FIX, cwd=root)
    assert (root / "a.md").read_text(encoding="utf-8") == f"{BAD}\n"
    assert os.path.samefile(root / "a.md", root / "other-name")
    assert (root / "b.md").read_text(encoding="utf-8") == f"{GOOD}\n"  # the run went on
    assert "a.md: not fixed: it has 2 hard links" in result.err


@posix_only
def test_a_read_only_file_is_left_alone_with_a_warning(corpus, cli):
    root = corpus({"a.md": f"{BAD}\n", "b.md": f"{BAD}\n"})
    os.chmod(root / "a.md", 0o444)
    result = cli(*FIX, cwd=root)
    assert (root / "a.md").read_text(encoding="utf-8") == f"{BAD}\n"
    assert stat.S_IMODE((root / "a.md").stat().st_mode) == 0o444
    assert (root / "b.md").read_text(encoding="utf-8") == f"{GOOD}\n"
    assert "a.md: not fixed: it is read-only" in result.err


@posix_only
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="changing owners needs root")
def test_fix_keeps_the_owner_and_mode(corpus, cli):
    root = corpus({"a.md": f"{BAD}\n"})
    os.chown(root / "a.md", 4321, 4322)
    os.chmod(root / "a.md", 0o640)
    cli(*FIX, cwd=root)
    info = (root / "a.md").stat()
    assert (root / "a.md").read_text(encoding="utf-8") == f"{GOOD}\n"
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (4321, 4322, 0o640)


# -- failures while writing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "error", "message"),
    [
        ("os.fsync", OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
        ("tempfile.mkstemp", PermissionError(errno.EACCES, "Permission denied"), "Permission denied"),
        ("os.replace", PermissionError(errno.EPERM, "Operation not permitted"), "Operation not permitted"),
    ],
    ids=["disk-full", "directory-not-writable", "sticky-directory"],
)
def test_a_write_failure_is_reported_per_file_and_the_run_goes_on(
    corpus, cli, monkeypatch, where, error, message
):
    root = corpus({"a.md": f"{BAD}\n", "b.md": f"{BAD}\n"})
    module_name, name = where.split(".")
    module = sys.modules[module_name] if module_name != "os" else os
    real = getattr(module, name)
    calls = []

    def fail_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, fail_once)
    result = cli(*FIX, cwd=root)
    assert (root / "a.md").read_text(encoding="utf-8") == f"{BAD}\n"
    assert (root / "b.md").read_text(encoding="utf-8") == f"{GOOD}\n"
    assert f"a.md: not fixed: cannot write it: {message} (the file is unchanged)" in result.err
    assert "Traceback" not in result.err
    assert sorted(p.name for p in root.iterdir()) == ["a.md", "b.md"]  # no temporary file left


# -- scale -------------------------------------------------------------------------------------------


def _time_fixes(count: int) -> float:
    text = "a," * count
    found = [diag(Fix("comma", (Edit(2 * i + 1, 2 * i + 2, "，"),)), line=i) for i in range(count)]
    started = time.process_time()  # CPU time: a loaded machine's other jobs do not count
    new_text, applied = fixes.apply_fixes(text, found, unsafe=False)
    elapsed = time.process_time() - started
    assert len(applied) == count and new_text == "a，" * count
    return elapsed


def test_applying_fixes_takes_linear_time():
    small, large = _time_fixes(10_000), min(_time_fixes(40_000) for _ in range(2))
    assert large < 10
    assert large < 8 * max(small, 0.01)


def test_mapping_fixes_onto_crlf_takes_linear_time():
    def run(count: int) -> float:
        exact = "a,\r\n" * count
        found = [diag(Fix("comma", (Edit(3 * i + 1, 3 * i + 2, "，"),)), line=i) for i in range(count)]
        started = time.process_time()  # CPU time: a loaded machine's other jobs do not count
        new_text, _applied = apply_exact(exact, found, unsafe=False)
        assert new_text == "a，\r\n" * count
        return time.process_time() - started

    small, large = run(10_000), min(run(40_000) for _ in range(2))
    assert large < 10 and large < 8 * max(small, 0.01)


# -- --diff applies with git -----------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize(
    "content",
    [
        f"---\ntitle: 标题\n---\n第一\u2028行\n{BAD}\n有\x85字符\n中间\u2029段\n{BAD}",
        f"回车\r{BAD}\r\n其它\r\n{BAD}\r\n",
        f"\ufeff{BAD}\n\x0c换页\x1c\x1d\x1e\n{BAD}\n",
    ],
    ids=["unicode-separators", "cr-and-crlf", "bom-and-control-separators"],
)
def test_diff_output_applies_with_git_apply(corpus, cli, tmp_path, content):
    root = corpus({"a.md": content.encode("utf-8")})
    diff = cli("check", "--isolated", "--no-links", "--no-cache", "--select", "TY", "--diff", ".", cwd=root)
    assert diff.code == 1 and "+++ b/a.md" in diff.out
    patch = tmp_path / "fix.patch"
    patch.write_bytes(diff.out.encode("utf-8"))
    check = subprocess.run(["git", "apply", "--check", str(patch)], cwd=root, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    subprocess.run(["git", "apply", str(patch)], cwd=root, check=True, capture_output=True)
    patched = (root / "a.md").read_bytes()
    (root / "a.md").write_bytes(content.encode("utf-8"))
    cli(*FIX, cwd=root)
    assert patched == (root / "a.md").read_bytes()  # --diff shows exactly what --fix writes
