"""Command line: `corpuslint check`, `corpuslint rules`, `corpuslint rule CODE`, `corpuslint cache clear`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from corpuslint import __version__

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

DESCRIPTION = """\
Lint Markdown article corpora: front matter against a JSON Schema, footnote hygiene, and the
source links that footnotes cite.

examples:
  corpuslint check                       lint every *.md / *.markdown below the current directory
  corpuslint check content/ --no-links   offline rules only (what a pre-commit hook runs)
  corpuslint check --select FN           footnote rules only (prefixes select whole families)
  corpuslint check --output-format json  machine-readable diagnostics
  corpuslint rules                       list every rule
  corpuslint rule FN001                  explain a rule
"""


def _codes(value: str) -> list[str]:
    return [code.strip() for code in value.split(",") if code.strip()]


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a number ≥ 1, got {value}")
    return number


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


def build_parser() -> argparse.ArgumentParser:
    from corpuslint.reporters import formats

    parser = argparse.ArgumentParser(
        prog="corpuslint", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"corpuslint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="lint files and directories",
        description="Lint Markdown files. Exit status: 0 no errors, 1 errors found, 2 usage or configuration error.",
    )
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    check.add_argument(
        "--config",
        metavar="FILE",
        help="config file (default: the nearest corpuslint.toml, "
        ".corpuslint.toml or pyproject.toml with [tool.corpuslint], walking up)",
    )
    check.add_argument("--isolated", action="store_true", help="ignore every config file")
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
        choices=formats(),
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
        "e.g. sarif:corpuslint.sarif",
    )
    output.add_argument(
        "--show-source", action="store_true", help="show the offending line with a caret (text format)"
    )
    output.add_argument(
        "--statistics", action="store_true", help="count diagnostics per code instead of listing them"
    )
    output.add_argument(
        "-q", "--quiet", action="store_true", help="print diagnostics only; nothing when all is well"
    )
    output.add_argument("--exit-zero", action="store_true", help="exit 0 even when errors are found")
    output.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour the text output (auto: on a terminal, unless NO_COLOR is set)",
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
        "--no-cache",
        action="store_true",
        help="neither read nor write the caches (per-file results and link results)",
    )
    links.add_argument(
        "--max-concurrency", type=_positive_int, metavar="N", help="requests in flight at once (default 64)"
    )
    links.add_argument(
        "--max-per-host", type=_positive_int, metavar="N", help="requests in flight per host (default 4)"
    )
    links.add_argument(
        "--timeout",
        type=_positive_float,
        metavar="SECONDS",
        help="limit for checking one URL: all its requests together, redirects and retries included (default 20)",
    )

    rules_cmd = commands.add_parser(
        "rules", help="list every rule", description="List every rule: code, name, severity, fixable."
    )
    rules_cmd.add_argument(
        "--format", choices=["text", "markdown", "json"], default="text", dest="rules_format"
    )
    rule = commands.add_parser("rule", help="explain a rule", description="Print a rule's documentation.")
    rule.add_argument("code", metavar="CODE")

    cache = commands.add_parser("cache", help="manage the link cache")
    cache_commands = cache.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    clear = cache_commands.add_parser("clear", help="empty the link cache")
    clear.add_argument("--config", metavar="FILE", help="config file whose cache to clear")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "rules":
            return _list_rules(args.rules_format)
        if args.command == "rule":
            return _explain_rule(args.code)
        if args.command == "cache":
            return _cache(args)
    except KeyboardInterrupt:
        print("corpuslint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_OK
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _error(message: str) -> int:
    print(f"corpuslint: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _load_config(config_arg: str | None, isolated: bool = False):
    from corpuslint.config import find_config, load_config

    cwd = Path.cwd()
    if isolated:
        return load_config(None, cwd=cwd)
    path = Path(config_arg) if config_arg else find_config(cwd)
    return load_config(path, cwd=cwd)


def _use_color(choice: str, stream) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _check(args: argparse.Namespace) -> int:
    from corpuslint import registry, reporters
    from corpuslint.config import ConfigError
    from corpuslint.discovery import discover
    from corpuslint.runner import RunOptions, run

    if args.no_links and args.links_only:
        return _error("--no-links and --links-only cannot be used together")
    try:
        config = _load_config(args.config, args.isolated)
    except ConfigError as exc:
        return _error(str(exc))
    try:
        registry.select_codes(args.select, args.ignore)
    except ValueError as exc:
        return _error(f"--select/--ignore: {exc}")

    sources, missing = discover(args.paths, config, force_exclude=args.force_exclude)
    for path in missing:
        print(f"corpuslint: error: {path}: no such file or directory", file=sys.stderr)
    if missing:
        return EXIT_USAGE
    if args.shard:
        from corpuslint.filecache import in_shard

        sources = [s for s in sources if in_shard(s.path, config.root, *args.shard)]

    overrides = {}
    if args.max_concurrency:
        overrides["max_concurrency"] = args.max_concurrency
    if args.max_per_host:
        overrides["max_per_host"] = args.max_per_host
    if args.timeout:
        overrides["timeout"] = args.timeout
    options = RunOptions(
        select=tuple(args.select) if args.select else None,
        ignore=tuple(args.ignore),
        jobs=args.jobs,
        links=not args.no_links,
        links_only=args.links_only,
        use_cache=not (
            args.no_cache or os.environ.get("CORPUSLINT_NO_CACHE", "").lower() in ("1", "true", "yes")
        ),
        progress=sys.stderr.isatty(),
        link_overrides=overrides,
    )
    try:
        report = run(sources, config, options)
        if args.fix or args.diff:
            from corpuslint.fixes import run_fixes

            fixed = run_fixes(sources, report, config, options, unsafe=args.unsafe_fixes, write=not args.diff)
            if args.diff:
                sys.stdout.write(fixed.diff())
                print(f"Would fix {_fix_summary(fixed.count, len(fixed.files))}.", file=sys.stderr)
                return EXIT_PROBLEMS if fixed.files else EXIT_OK
            if fixed.files:
                report = run(sources, config, options)
            if fixed.files and not args.quiet:
                print(f"Fixed {_fix_summary(fixed.count, len(fixed.files))}.", file=sys.stderr)
    except ConfigError as exc:
        return _error(str(exc))

    output_format = args.output_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    rules = registry.all_rules()
    codes = {d.code for d in report.diagnostics}
    from dataclasses import replace

    report = replace(
        report,
        rule_docs={c: (rules[c].name, rules[c].summary, rules[c].doc) for c in codes if c in rules},
        version=__version__,
        paths=tuple(source.display for source in sources),
    )
    sources_by_path = {}
    show_source = args.show_source or output_format == "full"
    if show_source:
        shown = {d.path for d in report.diagnostics}
        for source in sources:
            if source.display in shown:
                sources_by_path[source.display] = _display_lines(source.path)
    report_options = reporters.ReportOptions(
        color=_use_color(args.color, sys.stdout) and output_format in ("text", "concise", "full"),
        quiet=args.quiet,
        statistics=args.statistics,
        show_source=show_source,
        sources=sources_by_path,
    )
    reporters.get(output_format)(report, sys.stdout, report_options)
    sys.stdout.flush()
    for extra_format, path in args.also_output:
        from dataclasses import replace as _replace

        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                reporters.get(extra_format)(
                    report, handle, _replace(report_options, color=False, quiet=False)
                )
        except OSError as exc:
            return _error(f"--also-output {extra_format}:{path}: {exc.strerror or exc}")
    if args.exit_zero:
        return EXIT_OK
    return EXIT_PROBLEMS if report.errors else EXIT_OK


def _fix_summary(problems: int, files: int) -> str:
    return f"{problems} problem{'' if problems == 1 else 's'} in {files} file{'' if files == 1 else 's'}"


def _display_lines(path: str) -> list[str]:
    """The file's lines for showing context; undecodable bytes shown as U+FFFD."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return []
    return data.decode("utf-8-sig", "replace").replace("\r\n", "\n").split("\n")


def _list_rules(output_format: str = "text") -> int:
    from corpuslint import registry

    rules = registry.all_rules()
    if output_format == "json":
        import json

        items = [
            {
                "code": r.code,
                "name": r.name,
                "severity": str(r.severity),
                "fixable": r.fixable,
                "summary": r.summary,
                "options": dict(r.options),
            }
            for r in rules.values()
        ]
        print(json.dumps(items, ensure_ascii=False, indent=2))
        return EXIT_OK
    if output_format == "markdown":
        print("| Code | Name | Severity | Fixable | What it checks |")
        print("| --- | --- | --- | --- | --- |")
        for rule in rules.values():
            fix = "yes" if rule.fixable else ""
            print(f"| {rule.code} | {rule.name} | {rule.severity} | {fix} | {rule.summary} |")
        return EXIT_OK
    width = max(len(r.name) for r in rules.values())
    print(f"{'CODE':<6}  {'NAME':<{width}}  {'SEVERITY':<8}  FIX  SUMMARY")
    for rule in rules.values():
        fix = "yes" if rule.fixable else "-"
        print(f"{rule.code:<6}  {rule.name:<{width}}  {str(rule.severity):<8}  {fix:<3}  {rule.summary}")
    return EXIT_OK


def _explain_rule(code: str) -> int:
    from corpuslint import registry

    rule = registry.get(code)
    if rule is None:
        return _error(f"unknown rule code {code!r} (see `corpuslint rules`)")
    fixable = "yes" if rule.fixable else "no"
    print(f"# {rule.name} ({rule.code})\n")
    print(f"Default severity: {rule.severity}. Fixable: {fixable}.")
    if rule.options:
        print("Options: " + ", ".join(f"{k} = {v!r}" for k, v in rule.options.items()) + ".")
    print()
    print(rule.doc)
    return EXIT_OK


def _cache(args: argparse.Namespace) -> int:
    from corpuslint.config import ConfigError

    try:
        config = _load_config(args.config)
        from corpuslint.links.phase import clear_cache
        from corpuslint.links.settings import settings_from_config

        removed = clear_cache(settings_from_config(dict(config.links), config.root))
    except ConfigError as exc:
        return _error(str(exc))
    except ValueError as exc:
        return _error(str(exc))
    print(f"Cleared {removed} cached link results.")
    return EXIT_OK
