"""The GitHub Action's lint step (`action.yml` runs `python -m corpuslint.github_action`).

One lint run prints workflow-command annotations (`--output-format github`) and, from the same
run, writes

* a Markdown summary appended to `$GITHUB_STEP_SUMMARY` (`summary` format),
* `errors=N`, `warnings=N` and `sarif=PATH` to `$GITHUB_OUTPUT`,
* SARIF to the `sarif` input's path, when given.

Inputs come from the environment as the composite action passes them (`INPUT_PATHS`,
`INPUT_CONFIG`, `INPUT_ARGS`, `INPUT_LINKS`, `INPUT_SARIF`, `INPUT_SHARD`, `INPUT_CACHE`,
`INPUT_CACHE_PATH`), never interpolated into shell code. With the cache on, corpuslint keeps both
caches in the `cache-path` directory (`--cache-dir`), the one actions/cache saves.
The exit status is corpuslint's: 0 clean, 1 errors found, 2 usage or config error.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
from pathlib import Path

TRUE = {"true", "1", "yes", "on"}


def build_arguments(env: dict[str, str]) -> tuple[list[str], str | None]:
    """The `corpuslint check` arguments from the inputs, and the SARIF path (or None)."""
    args = ["check", "--output-format", "github"]
    config = env.get("INPUT_CONFIG", "").strip()
    if config:
        args += ["--config", config]
    if env.get("INPUT_LINKS", "true").strip().lower() not in TRUE:
        args.append("--no-links")
    shard = env.get("INPUT_SHARD", "").strip()
    if shard:
        args += ["--shard", shard]
    cache_dir = cache_directory(env)
    if cache_dir:  # the directory actions/cache saves is the one corpuslint uses
        args += ["--cache-dir", cache_dir]
    sarif = env.get("INPUT_SARIF", "").strip() or None
    if sarif:
        args += ["--also-output", f"sarif:{sarif}"]
    args += shlex.split(env.get("INPUT_ARGS", ""))
    paths = env.get("INPUT_PATHS", "").split()
    if paths:
        args += ["--", *paths]
    return args, sarif


def cache_directory(env: dict[str, str]) -> str | None:
    """The `cache-path` input when the `cache` input is on (unless CORPUSLINT_CACHE_DIR says otherwise)."""
    if env.get("INPUT_CACHE", "true").strip().lower() not in TRUE or env.get("CORPUSLINT_CACHE_DIR"):
        return None
    return env.get("INPUT_CACHE_PATH", "").strip() or None


def _append(path: str | None, text: str) -> None:
    if not path:
        return
    with open(path, "a", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def main(env: dict[str, str] | None = None) -> int:
    from corpuslint import cli

    env = dict(os.environ if env is None else env)
    args, sarif = build_arguments(env)
    if sarif:  # the action's `sarif` input may name a folder to make (--also-output never does)
        Path(sarif).parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="corpuslint-action-") as tmp:
        summary_file = Path(tmp, "summary.md")
        json_file = Path(tmp, "diagnostics.json")
        extra = ["--also-output", f"summary:{summary_file}", "--also-output", f"json:{json_file}"]
        split = args.index("--") if "--" in args else len(args)
        print("corpuslint " + shlex.join(args), file=sys.stderr, flush=True)
        code = cli.main(args[:split] + extra + args[split:])
        summary = summary_file.read_text(encoding="utf-8") if summary_file.exists() else ""
        diagnostics = json.loads(json_file.read_text(encoding="utf-8")) if json_file.exists() else None
    if diagnostics is None:  # usage or configuration error: corpuslint said why on stderr
        _append(
            env.get("GITHUB_STEP_SUMMARY"), "## corpuslint\n\n:x: corpuslint could not run; see the log.\n"
        )
        return code
    errors = sum(1 for d in diagnostics if d["severity"] == "error")
    warnings = sum(1 for d in diagnostics if d["severity"] == "warning")
    _append(env.get("GITHUB_STEP_SUMMARY"), summary)
    _append(env.get("GITHUB_OUTPUT"), f"errors={errors}\nwarnings={warnings}\nsarif={sarif or ''}\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
