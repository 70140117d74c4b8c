"""`corpuslint server`: the language server (LSP over stdio) for editors; see docs/editors.md.

pygls and lsprotocol are imported here only, never when the CLI starts.
"""

from __future__ import annotations


def serve() -> int:
    """Run the language server on stdin/stdout until the client exits; the exit status."""
    from corpuslint.server.lsp import create_server

    create_server().start_io()
    return 0
