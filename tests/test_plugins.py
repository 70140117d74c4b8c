"""Plugins: rules from installed distributions' `corpuslint.rules` entry points.

Most tests put a distribution (a `*.dist-info` with METADATA and entry_points.txt, and its module)
in a directory on PYTHONPATH and run the CLI in a subprocess: each test gets a fresh rule table.
The last ones install examples/plugin into a temporary virtual environment, with corpuslint
installed from the working tree, offline, and run corpuslint and the plugin's own tests there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from corpuslint import plugins
from tests.conftest import copy_worktree, overlay_venv

RULE = '''
from corpuslint.plugins import Problem, Severity, rule


@rule("{code}", "{name}", severity=Severity.WARNING, options={{"limit": 3}})
def check(doc, context):
    """Too many exclamation marks.

    ## What it does
    Counts `!` in the body.

    ## Why is this bad?
    Shouting.

    ## Example
    `Wow!!!!`
    """
    if doc.body.count("!") > context.options["limit"]:
        yield Problem(1, 1, "too many exclamation marks")
'''
LOUD = "---\ntitle: A\n---\nWow!!!! Yes!\n"


def distribution(root: Path, name: str, module: str, source: str, value: str | None = None) -> Path:
    """Install (by hand, as pip would lay it out) a distribution declaring one entry point."""
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = root / f"{name.replace('-', '_')}-1.2.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2\n\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[corpuslint.rules]\nrules = {value or module}\n", encoding="utf-8"
    )
    return root


def corpuslint(*args: str, cwd: Path, paths: list[Path] = (), **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CORPUSLINT_"))}
    environment["PYTHONPATH"] = os.pathsep.join(str(p) for p in paths)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "corpuslint", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def acme(tmp_path) -> Path:
    return distribution(
        tmp_path / "site-a", "acme-style", "acme_rules", RULE.format(code="XAC001", name="shouting")
    )


# --- discovery ---------------------------------------------------------------------------------


def test_without_plugins_start_up_imports_neither_importlib_metadata_nor_pygls(tmp_path):
    (tmp_path / "a.md").write_text(LOUD, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "corpuslint", "check", "--no-links", "--no-cache", "a.md"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = {
        line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")
    }
    assert {"corpuslint.registry", "corpuslint.plugins"} <= imported
    assert not {name for name in imported if name.startswith(("importlib.metadata", "pygls", "lsprotocol"))}


def test_installed_lists_entry_points_without_importing_them(acme, monkeypatch):
    monkeypatch.setattr(sys, "path", [str(acme)])
    monkeypatch.setattr(plugins, "_found", None)
    (found,) = plugins.installed()
    assert (found.distribution, found.version, found.value) == ("acme-style", "1.2", "acme_rules")
    assert "acme_rules" not in sys.modules


def test_the_first_copy_on_sys_path_wins(tmp_path, monkeypatch):
    first = distribution(tmp_path / "one", "acme-style", "acme_one", RULE.format(code="XAC001", name="a"))
    second = distribution(tmp_path / "two", "Acme_Style", "acme_two", RULE.format(code="XAC002", name="b"))
    monkeypatch.setattr(sys, "path", [str(first), str(second)])
    monkeypatch.setattr(plugins, "_found", None)
    assert [p.value for p in plugins.installed()] == ["acme_one"]


# --- through the CLI ---------------------------------------------------------------------------


def test_rules_lists_plugin_rules_with_their_distribution(acme, tmp_path):
    proc = corpuslint("rules", cwd=tmp_path, paths=[acme])
    assert proc.returncode == 0, proc.stderr
    (line,) = [line for line in proc.stdout.splitlines() if line.startswith("XAC001")]
    assert "shouting" in line and "acme-style" in line
    listed = json.loads(corpuslint("rules", "--format", "json", cwd=tmp_path, paths=[acme]).stdout)
    by_code = {item["code"]: item for item in listed}
    assert by_code["XAC001"]["distribution"] == "acme-style"
    assert by_code["FN001"]["distribution"] == "corpuslint"


def test_rule_shows_a_plugin_rules_documentation(acme, tmp_path):
    proc = corpuslint("rule", "XAC001", cwd=tmp_path, paths=[acme])
    assert proc.returncode == 0, proc.stderr
    assert "Too many exclamation marks." in proc.stdout and "## Why is this bad?" in proc.stdout
    assert "acme-style" in proc.stdout and "limit = 3" in proc.stdout


def test_a_plugin_rule_is_selectable_and_reported(acme, tmp_path):
    (tmp_path / "a.md").write_text(LOUD, encoding="utf-8")
    args = ("check", "--no-links", "--no-cache", "--output-format", "json", "a.md")
    proc = corpuslint(*args, "--select", "XAC", cwd=tmp_path, paths=[acme])
    assert [d["code"] for d in json.loads(proc.stdout)] == ["XAC001"], proc.stderr
    proc = corpuslint(*args, "--select", "X", cwd=tmp_path, paths=[acme])  # every plugin rule
    assert [d["code"] for d in json.loads(proc.stdout)] == ["XAC001"], proc.stderr
    assert json.loads(corpuslint(*args, "--ignore", "XAC001", cwd=tmp_path, paths=[acme]).stdout) == []


def test_plugin_options_are_validated_and_applied_like_built_in_ones(acme, tmp_path):
    (tmp_path / "a.md").write_text(LOUD, encoding="utf-8")
    (tmp_path / "corpuslint.toml").write_text('[rules.XAC001]\nlimit = "many"\n', encoding="utf-8")
    proc = corpuslint("check", "--no-links", "--no-cache", "a.md", cwd=tmp_path, paths=[acme])
    assert proc.returncode == 2 and "rules.XAC001.limit: expected int, got str" in proc.stderr
    (tmp_path / "corpuslint.toml").write_text("[rules.XAC001]\nlimit = 10\n", encoding="utf-8")
    proc = corpuslint(
        "check", "--no-links", "--no-cache", "--select", "XAC", "a.md", cwd=tmp_path, paths=[acme]
    )
    assert proc.returncode == 0 and "XAC001" not in proc.stdout


def test_two_plugins_claiming_one_code_is_an_error_naming_both(acme, tmp_path):
    other = distribution(
        tmp_path / "site-b", "other-style", "other_rules", RULE.format(code="XAC001", name="x")
    )
    proc = corpuslint("rules", cwd=tmp_path, paths=[acme, other])
    assert proc.returncode == 2
    assert "XAC001" in proc.stderr and "acme-style" in proc.stderr and "other-style" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_plugin_code_outside_the_namespace_is_refused(tmp_path):
    bad = distribution(tmp_path / "site", "bad-style", "bad_rules", RULE.format(code="FN009", name="x"))
    proc = corpuslint("check", "--no-links", ".", cwd=tmp_path, paths=[bad])
    assert proc.returncode == 2
    assert "FN009" in proc.stderr and "bad-style" in proc.stderr and "XHS001" in proc.stderr


def test_a_plugin_that_fails_to_import_is_a_clear_error(tmp_path):
    broken = distribution(tmp_path / "site", "broken-style", "broken_rules", "import nowhere_to_be_found\n")
    proc = corpuslint("rules", cwd=tmp_path, paths=[broken])
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "broken-style" in proc.stderr and "nowhere_to_be_found" in proc.stderr


def test_corpuslint_no_plugins_turns_plugins_off(acme, tmp_path):
    proc = corpuslint("rules", cwd=tmp_path, paths=[acme], CORPUSLINT_NO_PLUGINS="1")
    assert proc.returncode == 0 and "XAC001" not in proc.stdout


def test_the_api_sees_plugin_rules(acme, tmp_path):
    code = f"from corpuslint import api; print([d.code for d in api.lint_text({LOUD!r}, select=['X'])])"
    environment = {**os.environ, "PYTHONPATH": str(acme)}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.strip() == "['XAC001']", proc.stderr


# --- the example plugin, installed -------------------------------------------------------------


def _pip(python: Path, *args: str) -> None:
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def plugin_venv(tmp_path_factory) -> Path:
    """A fresh venv with corpuslint (from a copy of the working tree) and examples/plugin installed,
    offline: the dependencies, pip and setuptools come from this venv's site-packages."""
    root = tmp_path_factory.mktemp("plugin-venv")
    source = copy_worktree(root / "src", skip=("bench/", "tests/"))
    bindir = overlay_venv(root / "venv")
    python = bindir / "python"
    _pip(python, "--no-deps", "--no-build-isolation", str(source))
    _pip(python, "--no-deps", "--no-build-isolation", str(source / "examples" / "plugin"))
    return bindir


def run_in(bindir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "VIRTUAL_ENV", "PYTHON"))
    }
    return subprocess.run(
        [str(bindir / args[0]), *args[1:]],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_the_installed_example_plugin_is_listed_and_runs(plugin_venv, tmp_path):
    where = run_in(
        plugin_venv,
        "python",
        "-c",
        "import corpuslint, corpuslint_house_style as p; print(p.__file__)",
        cwd=tmp_path,
    )
    assert Path(where.stdout.strip()).is_relative_to(plugin_venv.parent), where.stderr
    listed = run_in(plugin_venv, "corpuslint", "rules", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert any(
        line.startswith("XHS001") and "corpuslint-house-style" in line for line in listed.stdout.splitlines()
    )
    (tmp_path / "a.md").write_text("---\ntitle: T\nauthor: nobody\n---\n小编说。\n", encoding="utf-8")
    proc = run_in(plugin_venv, "corpuslint", "check", "--no-links", "--select", "XHS", "a.md", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "XHS001" in proc.stdout and "XHS002" in proc.stdout


@pytest.mark.slow
def test_the_example_plugins_own_tests_pass_against_the_installed_plugin(plugin_venv, tmp_path):
    tests = plugin_venv.parent.parent / "src" / "examples" / "plugin" / "tests"  # the copy installed
    proc = run_in(
        plugin_venv, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "9 passed" in proc.stdout


def test_cached_results_are_not_reused_when_a_plugin_changes(acme, tmp_path):
    (tmp_path / "a.md").write_text(LOUD, encoding="utf-8")
    args = ("check", "--no-links", "--select", "XAC", "--output-format", "json", "a.md")
    first = corpuslint(*args, cwd=tmp_path, paths=[acme])
    assert [d["message"] for d in json.loads(first.stdout)] == ["too many exclamation marks"], first.stderr
    assert (tmp_path / ".corpuslint_cache").is_dir()
    module = acme / "acme_rules.py"
    module.write_text(module.read_text().replace("too many exclamation marks", "calm down"), encoding="utf-8")
    second = corpuslint(*args, cwd=tmp_path, paths=[acme])
    assert [d["message"] for d in json.loads(second.stdout)] == ["calm down"], second.stderr
