"""Command line: `corpuslint check`, `rules`, `rule CODE`, `cache clean`.

Exit status: 0 no errors, 1 errors found, 2 usage or configuration error (or corpuslint itself
failed), 128 + N when stopped by signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP). A closed
output pipe (`| head`) ends the run with the status it would have had.
"""

from __future__ import annotations

import os
import signal
import sys

from corpuslint.cli.parser import build_parser

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

__all__ = ["EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "build_parser", "main"]


class Stopped(BaseException):
    """SIGTERM or SIGHUP arrived: unwind (the pool's workers are ended on the way) and exit."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class PipeClosed(Exception):
    """stdout was closed by its reader; `status` is the exit status the run would have had."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


_MAIN_PID = os.getpid()


def _on_signal(signum: int, _frame: object) -> None:
    if os.getpid() != _MAIN_PID:
        # a worker forked a moment ago, ended by the main process before it set its own
        # handlers: it has nothing to unwind (raising here printed a traceback from the fork)
        os._exit(128 + signum)
    raise Stopped(signum)


def _install_signal_handlers() -> dict[int, object]:
    previous: dict[int, object] = {}
    import threading

    if threading.current_thread() is not threading.main_thread():
        return previous
    global _MAIN_PID
    _MAIN_PID = os.getpid()
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, _on_signal)
    return previous


def _silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the interpreter's final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = _install_signal_handlers()
    try:
        return _dispatch(parser, args)
    except KeyboardInterrupt:
        print("corpuslint: interrupted", file=sys.stderr)
        return 130
    except Stopped as stop:
        name = signal.Signals(stop.signum).name
        print(f"corpuslint: stopped by {name}", file=sys.stderr)
        return 128 + stop.signum
    except PipeClosed as closed:
        _silence_stdout()
        return closed.status
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001  (corpuslint itself failed: say so, exit 2)
        if os.environ.get("CORPUSLINT_DEBUG"):
            raise
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(
            f"corpuslint: internal error: {type(exc).__name__}{': ' + text if text else ''} "
            "(please report it; CORPUSLINT_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)  # type: ignore[arg-type]


def run() -> None:
    """The `corpuslint` command: `main()`, then exit with its status. A run stopped by a signal
    ends here without the interpreter's shutdown: its workers are already ended, and the
    shutdown would only race with the process pool's own threads (Python 3.11 can print an
    "Exception ignored" traceback from one of them after a SIGTERM)."""
    code = main()
    if code > 128:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    sys.exit(code)


def _dispatch(parser, args) -> int:  # type: ignore[no-untyped-def]
    if args.command in ("check", "rules", "rule"):
        from corpuslint import plugins, registry

        try:
            registry.all_rules()  # the rule table, with the installed plugins' rules
        except plugins.PluginError as exc:
            return error(str(exc))
    if args.command == "check":
        from corpuslint.cli.check import check

        return check(args)
    if args.command == "rules":
        from corpuslint.cli.info import list_rules

        return list_rules(args.rules_format)
    if args.command == "rule":
        from corpuslint.cli.info import explain_rule

        return explain_rule(args.code)
    if args.command == "cache":
        from corpuslint.cli.info import cache

        return cache(args)
    if args.command == "server":
        from corpuslint.server import serve  # pygls is imported there, never at start-up

        return serve()
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def error(message: str) -> int:
    from corpuslint.reporters import printable

    print(f"corpuslint: error: {printable(message)}", file=sys.stderr)
    return EXIT_USAGE


def warn(message: str) -> None:
    from corpuslint.reporters import printable

    print(f"corpuslint: warning: {printable(message)}", file=sys.stderr)


def _use_color(choice: str, stream) -> bool:  # type: ignore[no-untyped-def]
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()
