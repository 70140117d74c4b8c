"""The argument parser of `corpuslint`: commands, options and their value types."""

from __future__ import annotations

import argparse

from corpuslint import __version__

DESCRIPTION = """\
Lint Markdown article corpora: front matter against a JSON Schema, footnote hygiene, and the
source links that footnotes cite.

examples:
  corpuslint check                       lint every *.md / *.markdown below the current directory
  corpuslint check content/ --no-links   offline rules only (what a pre-commit hook runs)
  corpuslint check --select FN           footnote rules only (prefixes select whole families)
  corpuslint check --sort severity       errors first, then warnings
  corpuslint check --output-format json  machine-readable diagnostics
  corpuslint check - --stdin-filename content/a.md < a.md
                                         lint standard input as if it were content/a.md
  corpuslint check --show-settings content/a.md
                                         which config, schema and rules apply to a file
  corpuslint rules                       list every rule
  corpuslint rule FN001                  explain a rule
  corpuslint cache clean                 remove the per-file and link caches
"""


def _codes(value: str) -> list[str]:
    return [code.strip() for code in value.split(",") if code.strip()]


def _whole_number(value: str, least: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < least:
        raise argparse.ArgumentTypeError(f"expected a number ≥ {least}, got {value}")
    return number


def _positive_int(value: str) -> int:
    return _whole_number(value, 1)


def _non_negative_int(value: str) -> int:
    return _whole_number(value, 0)


def _positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return number


def _shard(value: str) -> tuple[int, int]:
    from corpuslint.filecache import parse_shard

    try:
        return parse_shard(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _also_output(value: str) -> tuple[str, str]:
    from corpuslint.reporters import formats

    name, sep, path = value.partition(":")
    if not sep or not path or name not in formats():
        raise argparse.ArgumentTypeError(
            f"expected FORMAT:PATH with FORMAT one of {', '.join(formats())}, got {value!r}"
        )
    return name, path


def _add_cache_options(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="where the caches live (default: $CORPUSLINT_CACHE_DIR, else .corpuslint_cache "
        "next to the config file that applies)",
    )


def build_parser() -> argparse.ArgumentParser:
    from corpuslint.reporters import formats

    parser = argparse.ArgumentParser(
        prog="corpuslint", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"corpuslint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_check(commands, formats())

    rules_cmd = commands.add_parser(
        "rules", help="list every rule", description="List every rule: code, name, severity, fix."
    )
    rules_cmd.add_argument(
        "--format", choices=["text", "markdown", "json"], default="text", dest="rules_format"
    )
    rule = commands.add_parser("rule", help="explain a rule", description="Print a rule's documentation.")
    rule.add_argument("code", metavar="CODE")

    cache = commands.add_parser("cache", help="manage the caches", description="Manage corpuslint's caches.")
    cache_commands = cache.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    for name, aliases in (("clean", ["clear"]),):
        clean = cache_commands.add_parser(
            name,
            aliases=aliases,
            help="remove the per-file cache and the link cache (alias: clear)",
            description="Remove the per-file results cache and the link cache, and say what was removed.",
        )
        clean.add_argument("--config", metavar="FILE", help="config file whose cache to clean")
        _add_cache_options(clean)  # type: ignore[arg-type]
    commands.add_parser(
        "server",
        help="run the language server (LSP over stdio, for editors)",
        description="Speak the Language Server Protocol on stdin/stdout (see docs/editors.md).",
    )
    return parser


def _add_check(commands, format_names: list[str]) -> None:  # type: ignore[no-untyped-def]
    check = commands.add_parser(
        "check",
        help="lint files and directories",
        description="Lint Markdown files. Exit status: 0 no errors, 1 errors found, 2 usage or "
        "configuration error (or corpuslint failed), 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM.",
    )
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or directories (default: .); `-` reads standard input"
    )
    general = check.add_argument_group("configuration and caches")
    general.add_argument(
        "--config",
        metavar="FILE",
        help="use this config file for every file (default: for each file, the closest "
        "corpuslint.toml, .corpuslint.toml or pyproject.toml with [tool.corpuslint] in its "
        "directory or above)",
    )
    general.add_argument("--isolated", action="store_true", help="ignore every config file")
    general.add_argument(
        "--show-settings",
        metavar="FILE",
        help="print which config, schema, rules and cache apply to FILE, and exit",
    )
    general.add_argument(
        "--stdin-filename",
        metavar="PATH",
        help="with `-`: the path standard input stands for (its config, schema and displayed name)",
    )
    general.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the caches (per-file results and link results)",
    )
    _add_cache_options(general)
    general.add_argument(
        "--error-on-empty",
        action="store_true",
        help="exit 2 when no file matches (default: a warning, exit 0)",
    )
    rules = check.add_argument_group("rule selection")
    rules.add_argument(
        "--select",
        type=_codes,
        metavar="CODES",
        help="comma-separated codes or prefixes to enable (e.g. FN,FM003; ALL)",
    )
    rules.add_argument(
        "--ignore",
        type=_codes,
        metavar="CODES",
        default=[],
        help="comma-separated codes or prefixes to disable",
    )
    output = check.add_argument_group("output")
    output.add_argument(
        "--output-format",
        choices=format_names,
        default=None,
        help="how to print diagnostics (default: text; github when GITHUB_ACTIONS is set)",
    )
    output.add_argument(
        "--also-output",
        type=_also_output,
        action="append",
        default=[],
        metavar="FORMAT:PATH",
        help="also write the same run's diagnostics to PATH in FORMAT (repeatable), "
        "e.g. sarif:corpuslint.sarif; PATH's directory must exist",
    )
    output.add_argument(
        "--sort",
        choices=["path", "severity"],
        default="path",
        help="order of the listing: by path (default), or errors first then warnings",
    )
    output.add_argument(
        "--max-diagnostics",
        type=_positive_int,
        metavar="N",
        help="list at most N diagnostics (counts stay complete)",
    )
    output.add_argument(
        "--max-per-code", type=_positive_int, metavar="N", help="list at most N diagnostics of each code"
    )
    output.add_argument(
        "--show-source", action="store_true", help="show the offending line with a caret (text format)"
    )
    output.add_argument(
        "--statistics", action="store_true", help="count diagnostics per code instead of listing them"
    )
    output.add_argument(
        "-q",
        "--quiet",
        action="count",
        default=0,
        help="-q: print diagnostics only (no summary); -qq: print nothing (the exit status tells)",
    )
    output.add_argument("--exit-zero", action="store_true", help="exit 0 even when errors are found")
    output.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour the text output (auto: on a terminal, unless NO_COLOR is set)",
    )
    output.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress line (it is shown only on a terminal, never in CI or a pipe)",
    )
    run = check.add_argument_group("running")
    run.add_argument(
        "--jobs", "-j", type=_positive_int, metavar="N", help="worker processes (default: one per core)"
    )
    run.add_argument(
        "--shard",
        type=_shard,
        metavar="K/N",
        help="lint only the K-th of N deterministic parts of the files (split by path, for CI matrices)",
    )
    run.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply the config's exclude globs to files named on the command line too (for hooks)",
    )
    fixing = check.add_argument_group("fixes")
    fixing.add_argument(
        "--fix", action="store_true", help="apply safe fixes in place, then report what remains"
    )
    fixing.add_argument(
        "--diff",
        action="store_true",
        help="print the fixes as a unified diff instead of writing them (exit 1 if there are any)",
    )
    fixing.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="with --fix or --diff, apply unsafe fixes too (e.g. SR001)",
    )
    links = check.add_argument_group("links")
    links.add_argument("--no-links", action="store_true", help="offline rules only: do not check links")
    links.add_argument("--links-only", action="store_true", help="only check links")
    links.add_argument(
        "--max-concurrency", type=_positive_int, metavar="N", help="requests in flight at once (default 64)"
    )
    links.add_argument(
        "--max-per-host", type=_positive_int, metavar="N", help="requests in flight per host (default 4)"
    )
    links.add_argument(
        "--link-workers",
        type=_non_negative_int,
        metavar="N",
        help="processes that check links (default: one per two cores, at most 4; 0: the main process)",
    )
    links.add_argument(
        "--timeout",
        type=_positive_float,
        metavar="SECONDS",
        help="limit for checking one URL: all its requests together, redirects and retries included (default 20)",
    )
    links.add_argument(
        "--suggest",
        action="store_true",
        help="ask an archive (links.archive_endpoint) for a copy of each dead page: in the message, as an unsafe fix",
    )
