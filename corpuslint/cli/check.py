"""`corpuslint check`: configs -> files -> run -> reporters -> exit status."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from corpuslint import __version__
from corpuslint.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, PipeClosed, _use_color, error, warn

HUMAN_FORMATS = ("text", "concise", "full", "grouped")


class OutputFailed(Exception):
    """An --also-output file could not be written (the message is printed already)."""


def make_resolver(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The config resolver of this run: `--isolated` (defaults), `--config FILE` (that file for
    every file), or the closest config to each file (hierarchical). Raises ConfigError."""
    from corpuslint.config import load_config
    from corpuslint.discovery import ConfigResolver

    cwd = Path.cwd()
    if args.isolated:
        return ConfigResolver.fixed(load_config(None, cwd=cwd), cwd=cwd)
    if args.config:
        return ConfigResolver.fixed(load_config(Path(args.config), cwd=cwd), cwd=cwd)
    return ConfigResolver(cwd=cwd)


def run_options(args: argparse.Namespace, *, progress: bool = False):  # type: ignore[no-untyped-def]
    from corpuslint.runner import RunOptions

    overrides = {}
    if args.max_concurrency:
        overrides["max_concurrency"] = args.max_concurrency
    if args.max_per_host:
        overrides["max_per_host"] = args.max_per_host
    if args.timeout:
        overrides["timeout"] = args.timeout
    if getattr(args, "link_workers", None) is not None:
        overrides["workers"] = args.link_workers
    if getattr(args, "suggest", False):
        overrides["suggest"] = True
    no_cache = args.no_cache or os.environ.get("CORPUSLINT_NO_CACHE", "").lower() in ("1", "true", "yes")
    return RunOptions(
        select=tuple(args.select) if args.select else None,
        ignore=tuple(args.ignore),
        jobs=args.jobs,
        links=not args.no_links,
        links_only=args.links_only,
        use_cache=not no_cache,
        progress=progress,
        link_overrides=overrides,
        cache_dir=args.cache_dir,
    )


def _validate(args: argparse.Namespace) -> str | None:
    if args.no_links and args.links_only:
        return "--no-links and --links-only cannot be used together"
    if "-" in args.paths and len(args.paths) > 1:
        return "`-` (standard input) cannot be combined with other paths"
    if args.stdin_filename and args.paths != ["-"]:
        return "--stdin-filename needs `-` as the path (standard input)"
    for extra_format, path in args.also_output:
        directory = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(directory):
            return f"--also-output {extra_format}:{path}: directory {directory} does not exist"
    return None


def check(args: argparse.Namespace) -> int:
    from corpuslint import progress, registry
    from corpuslint.config import ConfigError

    problem = _validate(args)
    if problem:
        return error(problem)
    try:
        registry.select_codes(args.select, args.ignore)
    except ValueError as exc:
        return error(f"--select/--ignore: {exc}")
    try:
        resolver = make_resolver(args)
        if args.show_settings:
            from corpuslint.cli.info import show_settings

            return show_settings(args.show_settings, resolver, run_options(args))
        if args.paths == ["-"]:
            from corpuslint.cli.stdin import check_stdin

            return check_stdin(args, resolver, run_options(args))
        return _check_files(args, resolver, progress)
    except ConfigError as exc:
        return error(str(exc))


def _check_files(args: argparse.Namespace, resolver, progress) -> int:  # type: ignore[no-untyped-def]
    from corpuslint.discovery import discover_grouped
    from corpuslint.runner import run_groups

    groups, missing = discover_grouped(args.paths, resolver, force_exclude=args.force_exclude)
    for path in missing:
        error(f"{path}: no such file or directory")
    if missing:
        return EXIT_USAGE
    if args.shard:
        from corpuslint.filecache import in_shard

        groups = [(c, [s for s in sources if in_shard(s.path, c.root, *args.shard)]) for c, sources in groups]
        groups = [(c, sources) for c, sources in groups if sources]
    sources = [source for _config, group in groups for source in group]
    if not sources:
        return _no_files(args, resolver)
    if args.quiet < 2 and any(os.path.isdir(path) for path in args.paths or ["."]):
        _warn_unused_schemas(groups)  # not for files named one by one (hooks): no walk for them

    show = progress.wanted(sys.stderr, disabled=args.no_progress or args.quiet >= 2)
    bar = progress.ProgressLine("linting") if show else None
    options = run_options(args, progress=show)
    if bar is not None:
        options = replace(options, on_file=bar.update)
    try:
        report = run_groups(groups, options)
        if args.fix or args.diff:
            outcome = _fix(args, groups, report, options)
            if isinstance(outcome, int):
                return outcome
            report = outcome
    # only a run that started worker processes imported the module (and can raise it): a one-file
    # run never imports concurrent.futures.process (~30 ms of start-up); `except ()` catches nothing
    except getattr(sys.modules.get("concurrent.futures.process"), "BrokenProcessPool", ()) as exc:
        return error(f"a worker process died ({exc}); run again with --jobs 1 to lint in one process")
    finally:
        if bar is not None:
            bar.close()
    report = _with_metadata(report, sources)
    status = EXIT_OK if args.exit_zero or not report.errors else EXIT_PROBLEMS
    try:
        _write_reports(args, report, sources)
    except BrokenPipeError:
        raise PipeClosed(status) from None
    except OutputFailed:
        return EXIT_USAGE
    return status


def _fix(args: argparse.Namespace, groups, report, options):  # type: ignore[no-untyped-def]
    """--fix / --diff per config group; the new report (after fixing) or an exit status."""
    from corpuslint.fixes import run_fixes
    from corpuslint.reporters import Report
    from corpuslint.runner import run_groups

    outcomes = []
    for config, sources in groups:
        paths = {s.display for s in sources}
        part = Report([d for d in report.diagnostics if d.path in paths], len(sources))
        outcomes.append(
            run_fixes(sources, part, config, options, unsafe=args.unsafe_fixes, write=not args.diff)
        )
    files = sum(len(o.files) for o in outcomes)
    count = sum(o.count for o in outcomes)
    if args.diff:
        try:
            sys.stdout.write("".join(o.diff() for o in outcomes))
            sys.stdout.flush()
        except BrokenPipeError:
            raise PipeClosed(EXIT_PROBLEMS if files else EXIT_OK) from None
        if args.quiet < 2:
            print(f"Would fix {_fix_summary(count, files)}.", file=sys.stderr)
        return EXIT_PROBLEMS if files else EXIT_OK
    if files:
        report = run_groups(groups, replace(options, on_file=None))
        if not args.quiet:
            print(f"Fixed {_fix_summary(count, files)}.", file=sys.stderr)
    return report


def _fix_summary(problems: int, files: int) -> str:
    return f"{problems} problem{'' if problems == 1 else 's'} in {files} file{'' if files == 1 else 's'}"


def _no_files(args: argparse.Namespace, resolver) -> int:  # type: ignore[no-untyped-def]
    """Nothing matched: say where corpuslint looked and with which globs."""
    if args.quiet < 2 or args.error_on_empty:
        configs = []
        for given in args.paths or ["."]:
            absolute = os.path.abspath(given)
            directory = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
            config = resolver.for_directory(directory)
            if config not in configs:
                configs.append(config)
        where = ", ".join(args.paths or ["."])
        globs = "; ".join(f"{c.name}: include {list(c.include)}, exclude {list(c.exclude)}" for c in configs)
        message = f"no files to lint in {where} ({globs})"
        if args.error_on_empty:
            return error(message)
        warn(message)
    return EXIT_OK


def _warn_unused_schemas(groups) -> None:  # type: ignore[no-untyped-def]
    from corpuslint.applies import unused_schema_globs

    for config, sources in groups:
        for index, association in unused_schema_globs(config, sources):
            warn(
                f"{config.name}: schemas[{index}].files {list(association.files)} matches no file "
                f"under {config.root}; {association.schema.name} is never used"
            )


def _with_metadata(report, sources):  # type: ignore[no-untyped-def]
    from corpuslint import registry

    rules = registry.all_rules()
    codes = report.codes
    return replace(
        report,
        rule_docs={c: (rules[c].name, rules[c].summary, rules[c].doc) for c in codes if c in rules},
        version=__version__,
        paths=tuple(source.display for source in sources),
    )


def report_options(args: argparse.Namespace, output_format: str, report, sources) -> Any:  # type: ignore[no-untyped-def]
    from corpuslint import reporters

    show_source = args.show_source or output_format == "full"
    lines_by_path = {}
    if show_source:
        shown = report.paths_with_diagnostics
        for source in sources:
            if source.display in shown:
                lines_by_path[source.display] = _display_lines(source.path)
    return reporters.ReportOptions(
        color=_use_color(args.color, sys.stdout) and output_format in HUMAN_FORMATS,
        quiet=args.quiet >= 1,
        statistics=args.statistics,
        show_source=show_source,
        sources=lines_by_path,
        sort=args.sort,
        max_diagnostics=args.max_diagnostics,
        max_per_code=args.max_per_code,
    )


def output_format(args: argparse.Namespace) -> str:
    return args.output_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")


# formats that go over the findings once, writing as they go: they read the run's compact store
STREAMING_FORMATS = frozenset({"json", "sarif", "junit", "github"})


def _write_reports(args: argparse.Namespace, report, sources) -> None:  # type: ignore[no-untyped-def]
    from corpuslint import reporters

    name = output_format(args)
    if not {name, *(extra for extra, _path in args.also_output)} <= STREAMING_FORMATS:
        # the formats people read go over the findings many times (counts, tables, sorting):
        # decode the run's store (corpuslint.diagstore) once, into a list
        report = replace(report, diagnostics=list(report.diagnostics))
    options = report_options(args, name, report, sources)
    if args.quiet < 2:
        reporters.get(name)(report, sys.stdout, options)
        sys.stdout.flush()
    for extra_format, path in args.also_output:
        try:
            # never creates directories: a missing one was refused before the run
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                reporters.get(extra_format)(report, handle, replace(options, color=False, quiet=False))
        except OSError as exc:
            error(f"--also-output {extra_format}:{path}: {exc.strerror or exc}")
            raise OutputFailed from None


def _display_lines(path: str) -> list[str]:
    """The file's lines for showing context; undecodable bytes shown as U+FFFD."""
    from corpuslint.document import ReadProblem, read_bytes

    data = read_bytes(path, 16 * 1024 * 1024)  # never opens a FIFO or a device (IO002 files)
    if isinstance(data, ReadProblem):
        return []
    return data.decode("utf-8-sig", "replace").replace("\r\n", "\n").split("\n")
