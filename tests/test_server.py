"""`corpuslint server`: the installed entry point as a subprocess, driven by a real LSP client
(pytest-lsp's, over stdio)."""

from __future__ import annotations

import asyncio
import http.server
import threading
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types

from corpuslint import api

pytest_lsp = pytest.importorskip("pytest_lsp")
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from tests.conftest import corpuslint_executable  # noqa: E402

pytestmark = pytest.mark.asyncio(loop_scope="function")

UNDEFINED = "---\ntitle: A\n---\nText[^1].\n"  # FN001 at 4:5-4:9
CJK_COMMA = "---\ntitle: A\n---\n中文,测试。\n"  # TY001 at 4:3, fixable
TIMEOUT = 20
SERVER = [corpuslint_executable(), "server"]  # the installed console script


def make_client() -> LanguageClient:
    from pytest_lsp.client import make_test_lsp_client

    client = make_test_lsp_client()
    client.registrations = []  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    return client


async def start(root: Path, options: dict | None = None) -> LanguageClient:
    config = ClientServerConfig(server_command=SERVER, client_factory=make_client)
    client = await config.start()
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root.as_uri(),
            initialization_options=options or {},
        )
    )
    return client


@pytest_asyncio.fixture
async def client(tmp_path):
    client = await start(tmp_path)
    yield client
    await client.shutdown_session()


@pytest_asyncio.fixture
async def links_client(tmp_path):
    client = await start(tmp_path, {"links": True})
    yield client
    await client.shutdown_session()


async def diagnostics_for(client: LanguageClient, uri: str, action) -> list[types.Diagnostic]:
    """Run `action` and wait for the next diagnostics published for `uri`."""
    client.diagnostics.pop(uri, None)
    action()
    async with asyncio.timeout(TIMEOUT):
        while uri not in client.diagnostics:
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[uri])


def open_document(client: LanguageClient, path: Path, text: str, version: int = 1):
    return lambda: client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=path.as_uri(), language_id="markdown", version=version, text=text
            )
        )
    )


def change_document(client: LanguageClient, path: Path, text: str, version: int):
    return lambda: client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def save_document(client: LanguageClient, path: Path):
    return lambda: client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=path.as_uri()))
    )


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP text edits (UTF-16 positions) to `text`."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        if position.line >= len(lines):
            return len(text)
        line = lines[position.line].encode("utf-16-le")[: position.character * 2].decode("utf-16-le")
        return sum(len(x) + 1 for x in lines[: position.line]) + len(line)

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


# --- diagnostics -------------------------------------------------------------------------------


async def test_open_publishes_diagnostics_with_code_range_and_docs_link(client, tmp_path):
    path = tmp_path / "a.md"
    (found,) = await diagnostics_for(client, path.as_uri(), open_document(client, path, UNDEFINED))
    assert (found.code, found.source, found.severity) == (
        "FN001",
        "corpuslint",
        types.DiagnosticSeverity.Error,
    )
    assert (found.range.start.line, found.range.start.character) == (3, 4)
    assert (found.range.end.line, found.range.end.character) == (3, 8)
    assert found.code_description is not None and found.code_description.href.startswith("https://")


async def test_a_change_is_linted_from_the_buffer_not_the_disk(client, tmp_path):
    path = tmp_path / "a.md"
    path.write_text(UNDEFINED, encoding="utf-8")
    assert await diagnostics_for(client, path.as_uri(), open_document(client, path, UNDEFINED))
    fixed = UNDEFINED + "\n[^1]: A source. <https://127.0.0.1/a>\n"
    assert await diagnostics_for(client, path.as_uri(), change_document(client, path, fixed, 2)) == []


async def test_a_burst_of_changes_ends_with_the_diagnostics_of_the_last_text(client, tmp_path):
    path = tmp_path / "a.md"
    uri = path.as_uri()
    await diagnostics_for(client, uri, open_document(client, path, UNDEFINED))
    for version in range(2, 7):  # FN001 for [^2] ... [^6]; the last text cites [^6]
        change_document(client, path, UNDEFINED.replace("[^1]", f"[^{version}]"), version)()
    async with asyncio.timeout(TIMEOUT):
        while True:
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            found = client.diagnostics.get(uri, [])
            if found and "[^6]" in found[0].message:
                break
    assert [d.code for d in found] == ["FN001"]


async def test_closing_a_document_clears_its_diagnostics(client, tmp_path):
    path = tmp_path / "a.md"
    assert await diagnostics_for(client, path.as_uri(), open_document(client, path, UNDEFINED))
    close = lambda: client.text_document_did_close(  # noqa: E731
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=path.as_uri()))
    )
    assert await diagnostics_for(client, path.as_uri(), close) == []


async def test_save_lints_again(client, tmp_path):
    path = tmp_path / "a.md"
    path.write_text(CJK_COMMA, encoding="utf-8")
    await diagnostics_for(client, path.as_uri(), open_document(client, path, CJK_COMMA))
    (found,) = await diagnostics_for(client, path.as_uri(), save_document(client, path))
    assert found.code == "TY001"


async def test_positions_are_in_utf16_for_a_client_that_speaks_utf16(client, tmp_path):
    path = tmp_path / "a.md"
    text = "---\ntitle: A\n---\n𠀀中文,测试。\n"  # U+20000 is two UTF-16 code units
    (found,) = await diagnostics_for(client, path.as_uri(), open_document(client, path, text))
    assert (found.code, found.range.start.line, found.range.start.character) == ("TY001", 3, 4)


async def test_the_closest_config_applies(client, tmp_path):
    (tmp_path / "quiet").mkdir()
    (tmp_path / "quiet" / "corpuslint.toml").write_text('ignore = ["FN001"]\n', encoding="utf-8")
    quiet, loud = tmp_path / "quiet" / "a.md", tmp_path / "a.md"
    assert await diagnostics_for(client, quiet.as_uri(), open_document(client, quiet, UNDEFINED)) == []
    assert len(await diagnostics_for(client, loud.as_uri(), open_document(client, loud, UNDEFINED))) == 1


async def test_an_excluded_file_gets_no_diagnostics(client, tmp_path):
    (tmp_path / "corpuslint.toml").write_text('extend-exclude = ["drafts"]\n', encoding="utf-8")
    path = tmp_path / "drafts" / "a.md"
    assert await diagnostics_for(client, path.as_uri(), open_document(client, path, UNDEFINED)) == []


async def test_a_broken_config_is_one_diagnostic_naming_the_key(client, tmp_path):
    (tmp_path / "corpuslint.toml").write_text("colour = 1\n", encoding="utf-8")
    path = tmp_path / "a.md"
    (found,) = await diagnostics_for(client, path.as_uri(), open_document(client, path, UNDEFINED))
    assert "colour" in found.message and found.range.start.line == 0


async def test_config_and_schema_changes_lint_open_documents_again(client, tmp_path):
    async with asyncio.timeout(TIMEOUT):
        while not client.registrations:  # the server registers its watchers after `initialized`
            await asyncio.sleep(0.05)
    (registration,) = client.registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    patterns = {w["globPattern"] for w in registration.register_options["watchers"]}
    assert {"**/corpuslint.toml", "**/pyproject.toml", "**/*.json"} <= patterns
    config = tmp_path / "corpuslint.toml"
    schema = tmp_path / "schema.json"
    schema.write_text('{"type": "object"}', encoding="utf-8")
    config.write_text(
        'select = ["FM"]\n[[schemas]]\nfiles = ["*.md"]\nschema = "schema.json"\n', encoding="utf-8"
    )
    path = tmp_path / "a.md"
    assert await diagnostics_for(client, path.as_uri(), open_document(client, path, UNDEFINED)) == []
    schema.write_text('{"type": "object", "required": ["date"]}', encoding="utf-8")

    def notify(changed: Path):
        return lambda: client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=changed.as_uri(), type=types.FileChangeType.Changed)]
            )
        )

    (found,) = await diagnostics_for(client, path.as_uri(), notify(schema))
    assert found.code == "FM003" and "date" in found.message
    config.write_text('select = ["FN"]\n', encoding="utf-8")
    (found,) = await diagnostics_for(client, path.as_uri(), notify(config))
    assert found.code == "FN001"


async def test_hovering_a_diagnostic_shows_its_rules_documentation(client, tmp_path):
    path = tmp_path / "a.md"
    (found,) = await diagnostics_for(client, path.as_uri(), open_document(client, path, UNDEFINED))
    params = types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=path.as_uri()), position=found.range.start
    )
    hover = await client.text_document_hover_async(params)
    assert (
        "**FN001** undefined-footnote" in hover.contents.value
        and "## Why is this bad?" in hover.contents.value
    )
    elsewhere = types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
        position=types.Position(line=0, character=0),
    )
    assert await client.text_document_hover_async(elsewhere) is None


# --- code actions ------------------------------------------------------------------------------


async def code_actions(client: LanguageClient, path: Path, found: list[types.Diagnostic], only=None):
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            range=found[0].range if found else types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=found, only=only),
        )
    )


async def test_a_fixable_diagnostic_has_a_quick_fix(client, tmp_path):
    path = tmp_path / "a.md"
    found = await diagnostics_for(client, path.as_uri(), open_document(client, path, CJK_COMMA))
    actions = await code_actions(client, path, found, only=[types.CodeActionKind.QuickFix])
    (action,) = actions
    assert action.kind == types.CodeActionKind.QuickFix and action.is_preferred
    assert "TY001" in action.title and action.diagnostics[0].code == "TY001"
    assert apply(CJK_COMMA, action.edit.changes[path.as_uri()]) == CJK_COMMA.replace(",", "，")


async def test_a_quick_fix_lands_on_its_character_with_a_bom_and_crlf_newlines(client, tmp_path):
    path = tmp_path / "a.md"
    text = "\ufeff中文,测试。\r\n\r\n再来,一句。\r\n"
    found = await diagnostics_for(client, path.as_uri(), open_document(client, path, text))
    assert [(d.range.start.line, d.range.start.character) for d in found] == [(0, 3), (2, 2)]
    actions = await code_actions(client, path, found[1:], only=[types.CodeActionKind.QuickFix])
    (action,) = [a for a in actions if a.diagnostics[0].range.start.line == 2]
    assert apply(text, action.edit.changes[path.as_uri()]) == text.replace("再来,", "再来，")


async def test_fix_all_fixes_the_whole_document_as_fix_text_does(client, tmp_path):
    path = tmp_path / "a.md"
    text = "---\ntitle: A\n---\n中文,测试,再来。\n\n𠀀又是,一句。\n"
    found = await diagnostics_for(client, path.as_uri(), open_document(client, path, text))
    assert len(found) == 3
    actions = await code_actions(client, path, found, only=[types.CodeActionKind.SourceFixAll])
    (action,) = actions
    assert action.kind == "source.fixAll.corpuslint" and "3 fixes" in action.title
    expected, _ = api.fix_text(text, path, api.default_config(tmp_path))
    assert apply(text, action.edit.changes[path.as_uri()]) == expected


async def test_no_code_actions_without_fixes(client, tmp_path):
    path = tmp_path / "a.md"
    found = await diagnostics_for(client, path.as_uri(), open_document(client, path, UNDEFINED))
    assert list(await code_actions(client, path, found) or []) == []


# --- links -------------------------------------------------------------------------------------


class Counting(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802
        Counting.requests.append(self.path)
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture
def broken_link_corpus(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    Counting.requests = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    (tmp_path / "corpuslint.toml").write_text(
        "[links]\nallow_private = true\ntimeout = 5\nretries = 0\n", encoding="utf-8"
    )
    text = f"---\ntitle: A\n---\nText[^1].\n\n[^1]: Gone. <http://127.0.0.1:{server.server_port}/gone>\n"
    path = tmp_path / "a.md"
    path.write_text(text, encoding="utf-8")
    yield path, text
    server.shutdown()
    server.server_close()


async def test_links_are_checked_on_save_only_when_enabled(links_client, broken_link_corpus):
    path, text = broken_link_corpus
    client = links_client
    assert await diagnostics_for(client, path.as_uri(), open_document(client, path, text)) == []
    await diagnostics_for(client, path.as_uri(), change_document(client, path, text + "\nMore.\n", 2))
    assert Counting.requests == []
    uri = path.as_uri()
    await diagnostics_for(client, uri, save_document(client, path))
    async with asyncio.timeout(TIMEOUT):
        while not any(d.code == "LK001" for d in client.diagnostics.get(uri, [])):
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert Counting.requests and all(p == "/gone" for p in Counting.requests)
    checked = len(Counting.requests)
    await diagnostics_for(client, uri, save_document(client, path))  # saved again: the link cache answers
    await asyncio.sleep(1.5)
    assert [d.code for d in client.diagnostics[uri]] == ["LK001"]
    assert len(Counting.requests) == checked


async def test_links_are_not_checked_by_default(client, broken_link_corpus):
    path, text = broken_link_corpus
    await diagnostics_for(client, path.as_uri(), open_document(client, path, text))
    assert await diagnostics_for(client, path.as_uri(), save_document(client, path)) == []
    await asyncio.sleep(0.5)
    assert Counting.requests == []


async def test_without_pygls_the_server_says_what_to_install(tmp_path):
    import subprocess
    import sys

    # a sitecustomize that hides pygls, as an install without the `server` extra would
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\nclass Hide:\n    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('pygls', 'lsprotocol'):\n"
        "            raise ImportError(f'No module named {name!r}')\n"
        "sys.meta_path.insert(0, Hide())\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "corpuslint", "server"],
        env={**__import__("os").environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2 and "corpuslint[server]" in proc.stderr and "Traceback" not in proc.stderr
