"""`corpuslint server`: the language server (LSP over stdio) for editors; see docs/editors.md.

pygls and lsprotocol are imported here only, never when the CLI starts.
"""

from __future__ import annotations

import sys


def serve() -> int:
    """Run the language server on stdin/stdout until the client exits; the exit status."""
    try:
        from corpuslint.server.lsp import create_server
    except ImportError as exc:  # the `server` extra is not installed
        print(
            f"corpuslint: error: the language server needs pygls and lsprotocol ({exc}); "
            "install them with: pip install 'corpuslint[server]'",
            file=sys.stderr,
        )
        return 2

    protocol_in, protocol_out = sys.stdin.buffer, sys.stdout.buffer
    # stdout carries the protocol and nothing else: a stray print (a library's, a plugin's) goes
    # to stderr, which editors show in their LSP log, instead of corrupting a message
    sys.stdout = sys.stderr
    create_server().start_io(protocol_in, protocol_out)
    return 0
