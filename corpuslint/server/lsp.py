"""The language server: lint open documents, publish diagnostics, offer fixes as code actions.

- Documents are linted from the editor's buffer on open, on every change and on save, with the
  configuration the CLI would use for that file (the closest config file, `corpuslint.api`).
  Changes that arrive in a burst are linted once, for the latest text.
- Links are never checked on a change: only on save, when the `links` setting is on (off by
  default), in a worker thread, with the link cache; their diagnostics stay until the next save.
- A change to a config file or a JSON schema (workspace/didChangeWatchedFiles) forgets cached
  configurations and schemas and lints every open document again.
- Code actions: a quick fix per fixable diagnostic, and "Fix all" (`source.fixAll.corpuslint`)
  for the whole document (safe fixes; unsafe ones too with the `unsafeFixes` setting).

Settings (initializationOptions, or workspace/didChangeConfiguration under "corpuslint"):
`links` (bool), `unsafeFixes` (bool), `ruleDocsUrl` (a URL template with `{code}` and `{family}`).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from corpuslint import __version__, api
from corpuslint.diagnostics import Diagnostic
from corpuslint.lines import line_starts
from corpuslint.server import convert

log = logging.getLogger(__name__)

FIX_ALL = "source.fixAll.corpuslint"
DEFAULT_DOCS_URL = "https://github.com/corpuslint/corpuslint/blob/main/README.md#rules"
WATCHED = ("**/corpuslint.toml", "**/.corpuslint.toml", "**/pyproject.toml", "**/*.json")


@dataclass
class Settings:
    links: bool = False
    unsafe_fixes: bool = False
    rule_docs_url: str = DEFAULT_DOCS_URL

    def update(self, values: Any) -> None:
        if not isinstance(values, dict):
            return
        values = values.get("corpuslint", values) if isinstance(values.get("corpuslint"), dict) else values
        if isinstance(values.get("links"), bool):
            self.links = values["links"]
        if isinstance(values.get("unsafeFixes"), bool):
            self.unsafe_fixes = values["unsafeFixes"]
        if isinstance(values.get("ruleDocsUrl"), str):
            self.rule_docs_url = values["ruleDocsUrl"]


@dataclass
class Linted:
    """The last lint of one document: what was published and the fixes behind it."""

    version: int | None
    text: str  # the normalised text the diagnostics' offsets refer to
    diagnostics: list[Diagnostic]
    links: list[Diagnostic] = field(default_factory=list)  # from the last save


class CorpuslintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("corpuslint", __version__)
        self.settings = Settings()
        self.linted: dict[str, Linted] = {}
        self.pending: set[str] = set()
        self.link_tasks: dict[str, asyncio.Future] = {}

    # --- linting -------------------------------------------------------------------------------

    def path_of(self, uri: str) -> str:
        path = to_fs_path(uri) if uri.startswith("file:") else None
        if path:
            return path
        root = self.workspace.root_path or os.getcwd()
        return os.path.join(root, os.path.basename(uri) or "untitled.md")

    def schedule(self, uri: str) -> None:
        """Lint soon: changes already waiting are applied first, then the document is linted once."""
        if uri in self.pending:
            return
        self.pending.add(uri)
        asyncio.get_running_loop().call_soon(self.lint_pending, uri)

    def lint_pending(self, uri: str) -> None:
        if uri in self.pending:
            self.pending.discard(uri)
            self.lint_and_publish(uri)

    def lint_and_publish(self, uri: str) -> None:
        document = self.workspace.get_text_document(uri)
        path = self.path_of(uri)
        text = document.source
        try:
            config = api.config_for(path)
            diagnostics = [] if _excluded(path, config) else api.lint_text(text, path, config)
        except api.ConfigError as exc:
            self.window_log_message(types.LogMessageParams(types.MessageType.Error, f"corpuslint: {exc}"))
            diagnostics = [_config_problem(path, str(exc))]
        except Exception as exc:  # never take the editor's server down over one document
            log.exception("linting %s failed", uri)
            diagnostics = [_config_problem(path, f"corpuslint could not lint this document: {exc}")]
        normalised = text[_bom(text) :]  # the text the offsets refer to: no BOM, "\n" newlines
        if "\r" in normalised:
            normalised = normalised.replace("\r\n", "\n").replace("\r", "\n")
        previous = self.linted.get(uri)
        links = previous.links if previous is not None else []
        self.linted[uri] = Linted(document.version, normalised, diagnostics, links)
        self.publish(uri)

    def publish(self, uri: str) -> None:
        linted = self.linted.get(uri)
        if linted is None:
            return
        document = self.workspace.get_text_document(uri)
        lines = document.lines  # (pygls splits the text again on every access)
        codec = document.position_codec
        published = []
        bom = _bom(document.source)
        for index, diagnostic in enumerate([*linted.diagnostics, *linted.links]):
            item = convert.to_lsp(diagnostic, lines, index, self.docs_url(diagnostic.code))
            item.range = codec.range_to_client_units(lines, _after_bom(item.range, bom))
            published.append(item)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=published, version=linted.version)
        )

    def docs_url(self, code: str) -> str | None:
        from corpuslint import registry

        rule = registry._RULES.get(code) if registry._plugins_loaded else registry.all_rules().get(code)
        if rule is None or rule.distribution or not self.settings.rule_docs_url:
            return None
        return self.settings.rule_docs_url.format(code=code, family=rule.family, lower=code.lower())

    async def check_links(self, uri: str) -> None:
        """On save: the links of the saved file (from disk), in a thread, with the link cache."""
        path = self.path_of(uri)
        if not os.path.isfile(path):
            return
        loop = asyncio.get_running_loop()
        try:
            config = api.config_for(path)
            result = await loop.run_in_executor(
                None, lambda: api.lint_paths([path], config, links=True, use_cache=True)
            )
        except Exception as exc:
            self.window_log_message(
                types.LogMessageParams(types.MessageType.Warning, f"corpuslint links: {exc}")
            )
            return
        from corpuslint import registry

        rules = registry.all_rules()
        found = [d for d in result.diagnostics if d.code in rules and rules[d.code].phase == "links"]
        linted = self.linted.get(uri)
        if linted is not None:
            linted.links = found
            self.publish(uri)

    def relint_all(self) -> None:
        api.invalidate_caches()
        for uri in list(self.linted):
            if uri in self.workspace.text_documents:
                self.lint_and_publish(uri)

    # --- code actions --------------------------------------------------------------------------

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        linted = self.linted.get(uri)
        if linted is None:
            return []
        document = self.workspace.get_text_document(uri)
        lines = document.lines
        codec = document.position_codec
        starts = line_starts(linted.text)
        bom = _bom(document.source)
        newline = "\r\n" if "\r\n" in document.source else "\n"
        only = params.context.only
        actions = []
        wanted = _wanted_indexes(params.context.diagnostics)
        quick = only is None or any(kind.startswith(types.CodeActionKind.QuickFix) for kind in only)
        everything = [*linted.diagnostics, *linted.links]
        if quick:
            for index, diagnostic in enumerate(everything):
                if diagnostic.fix is None or not diagnostic.fix.edits:
                    continue
                item = convert.to_lsp(diagnostic, lines, index, self.docs_url(diagnostic.code))
                item.range = codec.range_to_client_units(lines, _after_bom(item.range, bom))
                if index not in wanted and not _overlap(item.range, params.range):
                    continue
                edits = convert.text_edits(diagnostic.fix.edits, starts, newline)
                for edit in edits:
                    edit.range = codec.range_to_client_units(lines, _after_bom(edit.range, bom))
                title = f"{diagnostic.fix.message} ({diagnostic.code})"
                actions.append(
                    types.CodeAction(
                        title=title if diagnostic.fix.safe else f"{title} [unsafe]",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[item],
                        edit=types.WorkspaceEdit(changes={uri: edits}),
                        is_preferred=diagnostic.fix.safe,
                    )
                )
        fix_all = only is None or any(
            FIX_ALL.startswith(kind) or kind == types.CodeActionKind.SourceFixAll for kind in only
        )
        if fix_all and any(d.fix is not None for d in linted.diagnostics):
            action = self.fix_all_action(uri)
            if action is not None:
                actions.append(action)
        return actions

    def fix_all_action(self, uri: str) -> types.CodeAction | None:
        document = self.workspace.get_text_document(uri)
        path = self.path_of(uri)
        try:
            config = api.config_for(path)
            new_text, applied = api.fix_text(document.source, path, config, unsafe=self.settings.unsafe_fixes)
        except api.ConfigError:
            return None
        if not applied or new_text == document.source:
            return None
        edit = convert.whole_document(document.lines, new_text)
        count = len(applied)
        return types.CodeAction(
            title=f"Fix all corpuslint problems ({count} fix{'' if count == 1 else 'es'})",
            kind=FIX_ALL,
            edit=types.WorkspaceEdit(changes={uri: [edit]}),
        )

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        """Over a diagnostic: its rule's documentation (plugin rules' too, which have no link)."""
        from corpuslint import registry

        uri = params.text_document.uri
        linked = self.linted.get(uri)
        if linked is None:
            return None
        document = self.workspace.get_text_document(uri)
        lines, codec, bom = document.lines, document.position_codec, _bom(document.source)
        point = types.Range(start=params.position, end=params.position)
        sections: list[str] = []
        for index, diagnostic in enumerate([*linked.diagnostics, *linked.links]):
            item = convert.to_lsp(diagnostic, lines, index, None)
            if not _overlap(codec.range_to_client_units(lines, _after_bom(item.range, bom)), point):
                continue
            rule = registry.all_rules().get(diagnostic.code)
            if rule is not None and all(rule.code not in section for section in sections):
                source = f" (plugin: {rule.distribution})" if rule.distribution else ""
                sections.append(f"**{rule.code}** {rule.name}{source}\n\n{rule.doc}")
        if not sections:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(sections))
        )


def _excluded(path: str, config: api.Config) -> bool:
    from corpuslint.globs import matches

    try:
        relative = os.path.relpath(os.path.abspath(path), config.root).replace(os.sep, "/")
    except ValueError:
        return False
    return not relative.startswith("../") and matches(relative, tuple(config.exclude))


def _bom(text: str) -> int:
    return 1 if text.startswith("\ufeff") else 0


def _after_bom(range_: types.Range, bom: int) -> types.Range:
    """corpuslint's positions leave a byte order mark out; the editor's text has it at 0:0."""
    if not bom:
        return range_
    start, end = range_.start, range_.end
    if start.line == 0:
        start = types.Position(line=0, character=start.character + bom)
    if end.line == 0:
        end = types.Position(line=0, character=end.character + bom)
    return types.Range(start=start, end=end)


def _config_problem(path: str, message: str) -> Diagnostic:
    from corpuslint.diagnostics import Severity

    return Diagnostic(path, 1, 1, "config", Severity.ERROR, message)


def _wanted_indexes(diagnostics: Sequence[types.Diagnostic]) -> set[int]:
    indexes = set()
    for item in diagnostics:
        data = item.data
        if item.source == convert.SOURCE and isinstance(data, dict) and isinstance(data.get("index"), int):
            indexes.add(data["index"])
    return indexes


def _overlap(a: types.Range, b: types.Range) -> bool:
    start_a, end_a = (a.start.line, a.start.character), (a.end.line, a.end.character)
    start_b, end_b = (b.start.line, b.start.character), (b.end.line, b.end.character)
    return start_a <= end_b and start_b <= end_a


def create_server() -> CorpuslintServer:
    server = CorpuslintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: CorpuslintServer, params: types.InitializeParams) -> None:
        ls.settings.update(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: CorpuslintServer, params: types.InitializedParams) -> None:
        watch = ls.client_capabilities.workspace
        dynamic = getattr(getattr(watch, "did_change_watched_files", None), "dynamic_registration", False)
        if not dynamic:
            return
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED]
        )
        registration = types.Registration(
            id="corpuslint-watch-config",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=options,
        )
        try:
            await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
        except Exception:  # a client that refuses: config changes then need a reopen
            log.warning("the client did not accept the file watchers")

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CorpuslintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.lint_and_publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CorpuslintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: CorpuslintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.lint_and_publish(uri)
        if ls.settings.links:
            previous = ls.link_tasks.get(uri)
            if previous is not None and not previous.done():
                previous.cancel()
            ls.link_tasks[uri] = asyncio.ensure_future(ls.check_links(uri))

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CorpuslintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.linted.pop(uri, None)
        ls.pending.discard(uri)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: CorpuslintServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.relint_all()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls: CorpuslintServer, params: types.DidChangeConfigurationParams) -> None:
        ls.settings.update(params.settings)
        ls.relint_all()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    def code_action(ls: CorpuslintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: CorpuslintServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params)

    return server
