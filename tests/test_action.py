"""The composite GitHub Action (`action.yml`): schema-valid, and its `run:` steps work as a runner runs them.

The runner is imitated: `${{ inputs.* }}` and `${{ github.* }}` expressions are substituted,
each `shell: bash` step runs with GITHUB_ACTION_PATH, GITHUB_WORKSPACE, GITHUB_STEP_SUMMARY and
GITHUB_OUTPUT set, and `uses:` steps (setup-python, cache) are skipped. `python` on PATH is a
fresh virtual environment that sees this venv's packages through a `.pth` file (so no download),
into which the install step really runs `pip install "$GITHUB_ACTION_PATH"`: a copy of this
repository's tracked files.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, copy_worktree, overlay_venv

pytestmark = pytest.mark.slow

BAD = b"---\ntitle: Bad\n---\ncaf\xe9\n"


def test_action_yml_is_valid_against_the_github_action_schema():
    checker = Path(sys.executable).with_name("check-jsonschema")
    command = [str(checker)] if checker.exists() else [sys.executable, "-m", "check_jsonschema"]
    proc = subprocess.run(
        [*command, "--builtin-schema", "vendor.github-actions", str(REPO / "action.yml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def action_env(tmp_path_factory):
    """A fresh venv on PATH with this venv's site-packages visible, and a copy of the action."""
    root = tmp_path_factory.mktemp("action")
    action_path = copy_worktree(root / "action")
    bindir = overlay_venv(root / "venv")
    return {"action_path": action_path, "bindir": bindir, "root": root}


def run_action(action_env, workspace: Path, inputs: dict[str, str]) -> dict:
    action = yaml.safe_load((action_env["action_path"] / "action.yml").read_text())
    values = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    values.update(inputs)
    summary = workspace.parent / f"{workspace.name}-summary.md"
    output = workspace.parent / f"{workspace.name}-output.txt"
    summary.write_text("")
    output.write_text("")
    context = {"github.action_path": str(action_env["action_path"]), "github.workspace": str(workspace)}

    def substitute(text: str) -> str:
        def value(match: re.Match) -> str:
            expression = match.group(1).strip()
            if expression.startswith("inputs."):
                return str(values[expression[len("inputs.") :]])
            if expression in context:
                return context[expression]
            raise AssertionError(f"the test does not know how to evaluate ${{{{ {expression} }}}}")

        return re.sub(r"\$\{\{(.*?)\}\}", value, text)

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "VIRTUAL_ENV"))},
        "PATH": f"{action_env['bindir']}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION_PATH": str(action_env["action_path"]),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
        "PIP_NO_INDEX": "1",  # everything it needs is already visible: never download
        "PIP_NO_BUILD_ISOLATION": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    steps_run = []
    last = None
    for step in action["runs"]["steps"]:
        if "uses" in step:
            continue
        assert step["shell"] == "bash"
        if step.get("name") == "Install corpuslint" and action_env.get("installed"):
            continue
        step_env = {**env, **{k: substitute(str(v)) for k, v in step.get("env", {}).items()}}
        last = subprocess.run(
            ["bash", "-e", "-c", substitute(step["run"])],
            cwd=workspace,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=180,
            stdin=subprocess.DEVNULL,
        )
        steps_run.append(step.get("name"))
        if step.get("name") == "Install corpuslint":
            assert last.returncode == 0, last.stdout + last.stderr
            action_env["installed"] = True
        elif last.returncode != 0:
            break
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return {
        "code": last.returncode,
        "out": last.stdout,
        "err": last.stderr,
        "summary": summary.read_text(),
        "outputs": outputs,
        "steps": steps_run,
    }


def test_annotations_summary_outputs_and_sarif(action_env, tmp_path):
    workspace = tmp_path / "ws"
    (workspace / "content" / "sub").mkdir(parents=True)
    (workspace / "corpuslint.toml").write_text("")
    (workspace / "content" / "good.md").write_text("---\ntitle: Good\n---\n# Good\n")
    (workspace / "content" / "sub" / "bad.md").write_bytes(BAD)
    (workspace / "content" / "notes.md").write_text("Text[^1].\n")  # FN001
    result = run_action(
        action_env,
        workspace,
        {"paths": "content", "links": "false", "sarif": "out/corpuslint.sarif", "args": "--jobs 1"},
    )
    assert result["code"] == 1, result["err"]
    assert "Lint" in result["steps"]
    lines = result["out"].splitlines()
    assert any(
        line.startswith("::error file=content/sub/bad.md,line=4,col=4,") and "IO001" in line for line in lines
    )
    assert any(line.startswith("::error file=content/notes.md,line=1,") and "FN001" in line for line in lines)
    assert result["outputs"]["errors"] == "2"
    assert result["outputs"]["warnings"] == "0"
    assert result["outputs"]["sarif"] == "out/corpuslint.sarif"
    summary = result["summary"]
    assert summary.startswith("## corpuslint")
    assert "Found 2 errors and 0 warnings in 2 of 3 files." in summary
    assert "| `IO001` | invalid-utf8 | error | 1 |" in summary
    assert "| `content/sub/bad.md` | 1 | 0 |" in summary
    sarif = json.loads((workspace / "out" / "corpuslint.sarif").read_text())
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"IO001", "FN001"}
    assert (workspace / ".corpuslint_cache" / "files").is_dir()  # what the cache step keeps


def test_clean_corpus_passes_and_appends_to_the_summary(action_env, tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "a.md").write_text("# Fine\n")
    result = run_action(action_env, workspace, {"links": "false"})
    assert result["code"] == 0, result["err"]
    assert result["outputs"] == {"errors": "0", "warnings": "0", "sarif": ""}
    assert ":white_check_mark: All checks passed! (1 file checked)" in result["summary"]


def test_configuration_error_exits_2(action_env, tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "a.md").write_text("# Fine\n")
    result = run_action(action_env, workspace, {"links": "false", "config": "missing.toml"})
    assert result["code"] == 2
    assert "config file not found" in result["err"]
    assert "could not run" in result["summary"]


def test_arguments_from_inputs():
    from corpuslint.github_action import build_arguments

    args, sarif = build_arguments(
        {
            "INPUT_PATHS": "a b\nc",
            "INPUT_CONFIG": "cfg.toml",
            "INPUT_ARGS": "--select 'FN,FM'",
            "INPUT_LINKS": "false",
            "INPUT_SHARD": "2/3",
            "INPUT_SARIF": "x.sarif",
        }
    )
    assert args == [
        "check",
        "--output-format",
        "github",
        "--config",
        "cfg.toml",
        "--no-links",
        "--shard",
        "2/3",
        "--also-output",
        "sarif:x.sarif",
        "--select",
        "FN,FM",
        "--",
        "a",
        "b",
        "c",
    ]
    assert sarif == "x.sarif"


def test_example_workflow_is_valid():
    checker = Path(sys.executable).with_name("check-jsonschema")
    command = [str(checker)] if checker.exists() else [sys.executable, "-m", "check_jsonschema"]
    workflow = REPO / "examples" / "github-workflow.yml"
    proc = subprocess.run(
        [*command, "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = workflow.read_text()
    assert "github/codeql-action/upload-sarif" in text and "actions/cache" in text and "shard:" in text


def test_the_cache_input_points_corpuslint_at_the_saved_directory():
    from corpuslint.github_action import build_arguments

    on, _ = build_arguments({"INPUT_CACHE": "true", "INPUT_CACHE_PATH": ".corpuslint_cache"})
    assert on[on.index("--cache-dir") + 1] == ".corpuslint_cache"
    off, _ = build_arguments({"INPUT_CACHE": "false", "INPUT_CACHE_PATH": ".corpuslint_cache"})
    assert "--cache-dir" not in off
    chosen, _ = build_arguments(
        {"INPUT_CACHE": "true", "INPUT_CACHE_PATH": "x", "CORPUSLINT_CACHE_DIR": "/elsewhere"}
    )
    assert "--cache-dir" not in chosen
