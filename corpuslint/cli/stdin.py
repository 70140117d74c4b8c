"""`corpuslint check - [--stdin-filename PATH]`: lint standard input, as ruff and prettier do.

PATH decides the config (the closest to it), the schema (its globs, a relative `$schema`) and
the path the diagnostics show; the file need not exist and is never read. With `--fix`, the
fixed text goes to stdout and the remaining diagnostics to stderr (as `ruff check --fix -`);
with `--diff`, the diff goes to stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace

from corpuslint.cli import EXIT_OK, EXIT_PROBLEMS, PipeClosed, error

MAX_STDIN = 10 * 1024 * 1024 + 1  # one byte over the per-file limit: the limit's IO002 applies


def _source(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from corpuslint.discovery import SourceFile

    if not args.stdin_filename:
        return SourceFile(os.path.join(os.getcwd(), "-"), "-")
    absolute = os.path.normpath(os.path.abspath(args.stdin_filename))
    cwd = os.getcwd()
    display = os.path.relpath(absolute, cwd) if absolute.startswith(cwd + os.sep) else absolute
    return SourceFile(absolute, display.replace(os.sep, "/"))


def check_stdin(args: argparse.Namespace, resolver, options) -> int:  # type: ignore[no-untyped-def]
    from corpuslint.cli.check import _with_metadata, output_format, report_options
    from corpuslint.runner import run_data

    source = _source(args)
    config = resolver.for_file(source.path) if args.stdin_filename else resolver.for_directory(os.getcwd())
    data = sys.stdin.buffer.read(MAX_STDIN)
    if len(data) >= MAX_STDIN:
        return error("standard input is over the 10 MiB limit for one document")
    report = run_data(source, data, config, options)
    if args.fix or args.diff:
        return _fix(args, source, data, config, options, report)
    report = _with_metadata(report, [source])
    status = EXIT_OK if args.exit_zero or not report.errors else EXIT_PROBLEMS
    if args.quiet >= 2:
        return status
    from corpuslint import reporters

    name = output_format(args)
    try:
        reporters.get(name)(report, sys.stdout, report_options(args, name, report, [source]))
        sys.stdout.flush()
    except BrokenPipeError:
        raise PipeClosed(status) from None
    return status


def _fix(args, source, data: bytes, config, options, report) -> int:  # type: ignore[no-untyped-def]
    from corpuslint import reporters
    from corpuslint.cli.check import _with_metadata, report_options
    from corpuslint.document import Document
    from corpuslint.edits import apply_exact
    from corpuslint.fixes import MAX_PASSES
    from corpuslint.runner import run_data

    document = Document.from_bytes(source.display, data)
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    original = fixed = None
    applied: list = []
    if document.read_problem is None:
        # the text with its own line ends: only the fixed characters change (CR, CRLF, mixed kept)
        original = fixed = data[len(bom) :].decode("utf-8")
        no_links = replace(options, links=False)
        current = report
        for _ in range(MAX_PASSES):
            new_text, done = apply_exact(fixed, current.diagnostics, unsafe=args.unsafe_fixes)
            if not done or new_text == fixed:
                break
            applied.extend(done)
            fixed = new_text
            current = run_data(source, bom + fixed.encode("utf-8"), config, no_links)
    if args.diff:
        if original is None or fixed == original:
            return EXIT_OK
        import difflib

        diff = difflib.unified_diff(
            _lines(original),
            _lines(fixed),
            f"a/{source.display}",
            f"b/{source.display}",
        )
        sys.stdout.write(
            "".join(
                line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in diff
            )
        )
        return EXIT_PROBLEMS
    result = data if fixed is None else bom + fixed.encode("utf-8")
    sys.stdout.buffer.write(result)  # undecodable input comes back as it was
    sys.stdout.flush()
    remaining = run_data(source, result, config, options) if applied else report
    remaining = _with_metadata(remaining, [source])
    if args.quiet < 2:
        reporters.get("concise")(remaining, sys.stderr, report_options(args, "concise", remaining, [source]))
    return EXIT_OK if args.exit_zero or not remaining.errors else EXIT_PROBLEMS


def _lines(text: str) -> list[str]:
    """Lines as git sees them: split after each "\\n" only (U+2028, U+0085, CR stay inside)."""
    import re

    return re.findall(r"[^\n]*\n|[^\n]+", text)
