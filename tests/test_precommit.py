"""The hooks of `.pre-commit-hooks.yaml`, run by the real `pre-commit try-repo`.

pre-commit installs the hook's environment from a git repository: here a temporary one holding a
copy of this working tree (tracked files plus untracked, not ignored ones, committed), because
`try-repo` on the working tree itself only sees HEAD plus changes to tracked files. The hook
environment is built once per module (`PRE_COMMIT_HOME` shared); its dependencies come from
PyPI, as for any pre-commit user.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, copy_worktree

pytestmark = pytest.mark.slow

GOOD = "---\ntitle: Good\n---\n# Good\n\nPlain text.\n"
BAD = "---\ntitle: Bad\n---\nText[^1].\n"  # FN001: [^1] is never defined
CONFIG = 'extend-exclude = ["drafts"]\n'


def git(*args: str, cwd: Path) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def pre_commit_executable() -> list[str]:
    candidate = Path(sys.executable).with_name("pre-commit")
    return [str(candidate)] if candidate.exists() else [sys.executable, "-m", "pre_commit"]


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory) -> Path:
    """A git repository whose HEAD is this working tree as it is now."""
    clone = tmp_path_factory.mktemp("hooks-repo")
    copy_worktree(clone, skip=("bench/",))
    git("init", "-q", cwd=clone)
    git("add", "-A", cwd=clone)
    git("commit", "-q", "-m", "snapshot", cwd=clone)
    return clone


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(tmp_path) -> Path:
    """A git repository of articles, with a config that excludes drafts/."""
    root = tmp_path / "articles"
    files = {
        "corpuslint.toml": CONFIG,
        "good.md": GOOD,
        "other.md": GOOD,
        "bad.md": BAD,
        "drafts/bad-draft.md": BAD,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git("init", "-q", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "articles", cwd=root)
    return root


def try_repo(hooks_repo: Path, home: Path, cwd: Path, hook: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PRE_COMMIT", "VIRTUAL_ENV"))}
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", NO_COLOR="1")
    return subprocess.run(
        [*pre_commit_executable(), "try-repo", str(hooks_repo), hook, "--verbose", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )


def test_manifest_is_what_the_docs_say():
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["corpuslint"]["entry"] == "corpuslint check --no-links --force-exclude"
    assert hooks["corpuslint"]["require_serial"] is False
    assert hooks["corpuslint"]["types"] == ["markdown"]
    assert hooks["corpuslint-links"]["entry"] == "corpuslint check --links-only --force-exclude"
    assert hooks["corpuslint-links"]["require_serial"] is True
    assert hooks["corpuslint-links"]["stages"] == ["pre-push", "manual"]
    for name in (".pre-commit-hooks.yaml", ".pre-commit-config.yaml"):
        kind = "validate-manifest" if name == ".pre-commit-hooks.yaml" else "validate-config"
        proc = subprocess.run(
            [*pre_commit_executable(), kind, str(REPO / name)], capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_good_files_pass(hooks_repo, pre_commit_home, project):
    proc = try_repo(hooks_repo, pre_commit_home, project, "corpuslint", "--files", "good.md", "other.md")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


def test_bad_file_fails_with_our_message(hooks_repo, pre_commit_home, project):
    proc = try_repo(hooks_repo, pre_commit_home, project, "corpuslint", "--files", "good.md", "bad.md")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Failed" in proc.stdout
    assert "bad.md:4:5: FN001" in proc.stdout


def test_excluded_file_is_skipped_even_when_named(hooks_repo, pre_commit_home, project):
    proc = try_repo(
        hooks_repo, pre_commit_home, project, "corpuslint", "--files", "drafts/bad-draft.md", "good.md"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "FN001" not in proc.stdout


def test_all_files_split_over_several_processes(hooks_repo, pre_commit_home, project):
    for i in range(300):
        (project / "many" / f"a{i:03}.md").parent.mkdir(exist_ok=True)
        (project / "many" / f"a{i:03}.md").write_text(BAD if i % 100 == 7 else GOOD)
    git("add", "-A", cwd=project)
    proc = try_repo(hooks_repo, pre_commit_home, project, "corpuslint", "--all-files")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    reported = sorted(line.split(":")[0] for line in proc.stdout.splitlines() if ": FN001 " in line)
    assert reported == ["bad.md", "many/a007.md", "many/a107.md", "many/a207.md"]
    # the file list was split: one summary line per corpuslint process
    assert proc.stdout.count("files checked)") + proc.stdout.count(" files.") >= 2, proc.stdout


def test_links_hook_runs_by_stage(hooks_repo, pre_commit_home, project):
    manual = try_repo(
        hooks_repo,
        pre_commit_home,
        project,
        "corpuslint-links",
        "--hook-stage",
        "manual",
        "--files",
        "good.md",
    )
    assert manual.returncode == 0, manual.stdout + manual.stderr
    assert "corpuslint (links)" in manual.stdout and "Passed" in manual.stdout
    # not a pre-commit-stage hook: a plain commit does not run it
    default = try_repo(hooks_repo, pre_commit_home, project, "corpuslint-links", "--files", "good.md")
    assert "corpuslint (links)" not in default.stdout or "Skipped" in default.stdout
