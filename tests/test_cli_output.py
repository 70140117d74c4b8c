"""What `corpuslint check` prints, through the installed entry point: quiet levels, sorting,
limits, the grouped format, the overview of long output, an empty run, the fix marker, escaped
control characters, --also-output folders and broken pipes."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import corpuslint_executable, write

CJK_COMMA = "---\ntitle: 标题\n---\n中文,中文。\n"  # TY001 (a safe fix) and nothing else
UNDEFINED = "Text[^1].\n"  # FN001 (an error)
RESIDUE = "---\ntitle: 标题\n---\n正文。\n\n© 版权声明\nTHE END\n点赞12 分享\n"  # SR001 (unsafe fix)
REORDERED = "甲[^2]乙[^1]。\n\n[^1]: a <http://127.0.0.1/a>\n[^2]: b <http://127.0.0.1/b>\n"  # FN005


def check(run_installed, cwd, *args):
    return run_installed("check", "--no-links", "--no-cache", "--color", "never", *args, cwd=cwd)


def test_quiet_prints_diagnostics_only_and_qq_nothing(tmp_path, run_installed):
    write(tmp_path, {"a.md": UNDEFINED})
    quiet = check(run_installed, tmp_path, "-q", ".")
    assert quiet.code == 1
    assert quiet.out == "a.md:1:5: FN001 footnote [^1] is referenced but never defined\n"
    silent = check(run_installed, tmp_path, "-qq", ".")
    assert silent.code == 1 and silent.out == "" and silent.err == ""


def test_sort_severity_lists_errors_first(tmp_path, run_installed):
    write(tmp_path, {"a.md": CJK_COMMA, "b.md": UNDEFINED})
    by_path = check(run_installed, tmp_path, ".").out.splitlines()
    by_severity = check(run_installed, tmp_path, "--sort", "severity", ".").out.splitlines()
    assert [line.split()[1] for line in by_path[:2]] == ["TY001", "FN001"]
    assert [line.split()[1] for line in by_severity[:2]] == ["FN001", "TY001"]


def test_grouped_format_names_each_file_once(tmp_path, run_installed):
    write(tmp_path, {"a.md": UNDEFINED + "More[^2].\n", "b.md": UNDEFINED})
    result = check(run_installed, tmp_path, "--output-format", "grouped", ".")
    assert result.code == 1
    assert result.out.startswith(
        "a.md:\n"
        "  1:5 FN001 footnote [^1] is referenced but never defined\n"
        "  2:5 FN001 footnote [^2] is referenced but never defined\n"
        "\n"
        "b.md:\n"
        "  1:5 FN001 footnote [^1] is referenced but never defined\n"
    )
    assert "Found 3 errors" in result.out


def test_long_output_ends_with_counts_by_code_the_worst_files_and_a_hint(tmp_path, run_installed):
    files = {f"w{i:02d}.md": CJK_COMMA for i in range(60)}
    files["worst.md"] = "---\ntitle: 标题\n---\n" + "中文,中文。\n" * 5
    files["err.md"] = UNDEFINED
    write(tmp_path, files)
    result = check(run_installed, tmp_path, ".")
    tail = result.out[result.out.index("By code:") :]
    lines = tail.splitlines()
    assert lines[1].split()[:3] == ["FN001", "error", "1"]
    assert lines[2].split()[:3] == ["TY001", "warning", "65"]
    assert lines[3].startswith("Most findings: worst.md (5), ")
    assert "--statistics" in lines[4] and "--select FN001" in lines[4]
    short = check(run_installed, tmp_path, "err.md")
    assert "By code:" not in short.out


def test_max_diagnostics_limits_the_listing_not_the_counts(tmp_path, run_installed):
    write(tmp_path, {"a.md": "".join(f"T[^{i}].\n" for i in range(1, 11))})
    result = check(run_installed, tmp_path, "--max-diagnostics", "3", ".")
    assert result.code == 1
    assert sum(line.startswith("a.md:") for line in result.out.splitlines()) == 3
    assert "7 more diagnostics not shown" in result.out
    assert "Found 10 errors" in result.out
    per_code = check(run_installed, tmp_path, "--max-per-code", "2", ".")
    assert sum(line.startswith("a.md:") for line in per_code.out.splitlines()) == 2


def test_zero_files_is_a_warning_naming_the_paths_and_globs(tmp_path, run_installed):
    write(tmp_path, {"corpuslint.toml": 'exclude = ["*"]\n', "a.md": UNDEFINED, "notes/b.txt": ""})
    result = check(run_installed, tmp_path, ".", "notes")
    assert result.code == 0
    assert "warning: no files to lint in ., notes" in result.err
    assert "include ['*.md', '*.markdown'], exclude ['*']" in result.err
    assert "All checks passed" not in result.out
    strict = check(run_installed, tmp_path, "--error-on-empty", ".")
    assert strict.code == 2 and "error: no files to lint" in strict.err


def test_fix_marker_is_the_same_in_rules_text_and_json(tmp_path, run_installed):
    write(tmp_path, {"comma.md": CJK_COMMA, "residue.md": RESIDUE, "order.md": REORDERED})
    text = check(run_installed, tmp_path, ".").out
    items = json.loads(check(run_installed, tmp_path, "--output-format", "json", ".").out)
    rules = {r["code"]: r for r in json.loads(run_installed("rules", "--format", "json", cwd=tmp_path).out)}
    for d in items:
        marked = f"{d['path']}:{d['line']}:{d['column']}: {d['code']} [*] " in text
        assert marked == d["fixable"], d
        if d["fixable"]:
            assert d["fix"]["applicability"] == "safe" and rules[d["code"]]["fix"] in ("always", "sometimes")
    by_code = {d["code"]: d for d in items}
    assert by_code["TY001"]["fixable"] and rules["TY001"]["fix"] == "always"
    assert not by_code["SR001"]["fixable"] and rules["SR001"]["fix"] == "unsafe"
    assert any(d["fix"] and d["fix"]["applicability"] == "unsafe" for d in items if d["code"] == "SR001")
    assert by_code["FN005"]["fixable"] and rules["FN005"]["fix"] == "sometimes"
    listing = run_installed("rules", cwd=tmp_path).out
    assert any(line.startswith("SR001") and " unsafe " in line for line in listing.splitlines())


def test_control_characters_never_reach_the_terminal(tmp_path, run_installed):
    write(tmp_path, {"a.md": "Text[^\x1bc\x07x].\n"})
    for output_format in ("text", "grouped", "github", "full"):
        result = check(run_installed, tmp_path, "--output-format", output_format, ".")
        assert result.code == 1
        assert "\x1b" not in result.out and "\x07" not in result.out, output_format
        assert "[^\\x1bc\\x07x]" in result.out, output_format


def test_also_output_never_creates_folders(tmp_path, run_installed):
    write(tmp_path, {"a.md": UNDEFINED})
    result = check(run_installed, tmp_path, "--also-output", "sarif:missing/x.sarif", ".")
    assert result.code == 2
    assert "missing" in result.err and "does not exist" in result.err
    assert not (tmp_path / "missing").exists()
    ok = check(run_installed, tmp_path, "--also-output", "sarif:x.sarif", ".")
    assert ok.code == 1 and json.loads((tmp_path / "x.sarif").read_text())["version"] == "2.1.0"


def test_a_closed_pipe_keeps_the_exit_status_of_the_run(tmp_path):
    # ~4,000 diagnostics: far more than a pipe holds, so the writes after `head` exits fail
    write(tmp_path, {"a.md": "".join(f"T[^{i}].\n" for i in range(1, 4001))})
    command = f"set -o pipefail; '{corpuslint_executable()}' check --no-links --no-cache . | head -1"
    proc = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.count("\n") == 1
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr
