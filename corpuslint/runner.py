"""files -> documents -> rules (a process pool when many) -> suppressions -> links -> sorted result."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from corpuslint import registry
from corpuslint.applies import cache_root
from corpuslint.applies import config_relative as _config_relative
from corpuslint.config import Config
from corpuslint.diagnostics import SORT_KEY, Diagnostic, Problem, Severity, compact, merge_sorted
from corpuslint.discovery import SourceFile
from corpuslint.document import Document
from corpuslint.links import run as links_run
from corpuslint.registry import RuleContext
from corpuslint.reporters import Report
from corpuslint.schema_apply import front_matter_for, settings_for
from corpuslint.schemas import cache as _schema_cache  # noqa: F401  (api.invalidate_caches clears it)
from corpuslint.suppressions import Suppressions
from corpuslint.suppressions import parse as parse_suppressions

PARALLEL_THRESHOLD = 200  # below this many files a pool costs more than it saves
CHUNK_SIZE = 50
WINDOW_PER_WORKER = 4  # chunks submitted ahead per worker process


@dataclass(frozen=True)
class LintPlan:
    """Everything a worker needs to lint a file; picklable."""

    document_codes: tuple[str, ...]
    severities: Mapping[str, Severity]
    options: Mapping[str, Mapping[str, Any]]
    config_root: str
    schema_globs: tuple[tuple[tuple[str, ...], str], ...]
    links_scope: str | None  # None: links are not collected
    runner_codes: frozenset[str] = frozenset()  # enabled codes the runner reports itself (IO*)
    front_matter: Any = None  # schema_apply.FrontMatterSettings: schemas ($refs read), YAML version
    schema_codes: bool = True  # an FM rule is enabled: the front matter's schema is looked up


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic]
    links: list[Any] = field(default_factory=list)  # LinkOccurrence
    suppressions: Suppressions | None = None
    dependencies: tuple[str, ...] = ()  # files besides this one that the result depends on (filecache)
    # the diagnostics packed in the worker (diagstore.pack), `diagnostics` then empty: what the
    # pool sends the main process is one bytes object per file, not objects per finding
    packed: Any = None


@dataclass(frozen=True)
class RunOptions:
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    jobs: int | None = None
    links: bool = True
    links_only: bool = False
    use_cache: bool = True
    progress: bool = False  # the links phase may draw its progress line on stderr
    link_overrides: Mapping[str, Any] = field(default_factory=dict)
    cache_dir: str | None = None  # --cache-dir (else CORPUSLINT_CACHE_DIR, else next to the config)
    # called in the main process after each file: (files done, files in the run)
    on_file: Callable[[int, int], None] | None = field(default=None, compare=False)


def enabled_codes(config: Config, options: RunOptions) -> set[str]:
    select = options.select if options.select is not None else config.select
    ignore = tuple(config.ignore) + tuple(options.ignore)
    codes = registry.select_codes(select, ignore)
    rules = registry.all_rules()
    if not options.links:
        codes = {c for c in codes if rules[c].phase != "links"}
    if options.links_only:
        codes = {c for c in codes if rules[c].phase == "links"}
    return codes


def make_plan(config: Config, codes: set[str], *, prepare_schemas: bool = True) -> LintPlan:
    """The plan of a run under `config`. The configured schemas are loaded (a broken one is a
    ConfigError); with `prepare_schemas=False` they are only read and hashed, and the caller
    must call `validate_schemas` before it lints a file (run_groups does, on a cache miss)."""
    rules = registry.all_rules()
    severities = {}
    options = {}
    for code, rule in rules.items():
        override = config.rules.get(code)
        severities[code] = (override.severity if override and override.severity else None) or rule.severity
        options[code] = {**rule.options, **(override.options if override else {})}
    link_codes = {c for c in codes if rules[c].phase == "links"}
    scope = None
    if link_codes:
        scope = str(config.links.get("scope", "footnotes"))
    document_codes = tuple(sorted(c for c in codes if rules[c].phase == "document"))
    return LintPlan(
        document_codes=document_codes,
        severities=severities,
        options=options,
        config_root=str(config.root),
        schema_globs=tuple((a.files, str(a.schema)) for a in config.schemas),
        links_scope=scope,
        runner_codes=frozenset(c for c in codes if rules[c].phase == "runner"),
        front_matter=settings_for(config, prepare=prepare_schemas),
        # FM rules and plugins' rules (X codes) see the schema in their context
        schema_codes=any(code.startswith(("FM", "X")) for code in document_codes),
    )


# --- per file (runs in worker processes) -----------------------------------------------------


def _schema_for(doc: Document, source: SourceFile, plan: LintPlan) -> tuple[Any, str | None, Problem | None]:
    """The schema that applies: a `$schema` key in the front matter, else the first matching
    `[[schemas]]` entry (corpuslint.schema_apply); YAML is read again under the configured version."""
    relative = _config_relative(source.path, plan.config_root)
    return front_matter_for(doc, source.path, relative, plan)


def _shown(path: str) -> str:
    """A path as users see it: relative to the working directory when below it."""
    return _shown_from(path, os.getcwd())


@lru_cache(maxsize=256)
def _shown_from(path: str, cwd: str) -> str:
    try:
        return Path(path).relative_to(cwd).as_posix()
    except ValueError:
        return path


INTERNAL_ERROR = "IO003"
MAX_ERROR_TEXT = 300


def lint_file(source: SourceFile, plan: LintPlan, data: bytes | None = None) -> FileResult:
    """Lint one file; with `data`, lint those bytes as its content instead of reading it (--fix).

    An exception inside corpuslint while linting it becomes an IO003 diagnostic for this file
    (the exception's text, no traceback): one document never stops the others.
    """
    try:
        return _lint_file(source, plan, data)
    except Exception as exc:  # noqa: BLE001  (reported as a diagnostic, the run goes on)
        return FileResult(source.display, [internal_error(source.display, exc)])


def internal_error(display: str, exc: BaseException) -> Diagnostic:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if len(text) > MAX_ERROR_TEXT:
        text = text[:MAX_ERROR_TEXT] + "…"
    detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    message = f"internal error, this file was not linted: {detail} (please report it)"
    return Diagnostic(display, 1, 1, INTERNAL_ERROR, Severity.ERROR, message)


def _lint_file(source: SourceFile, plan: LintPlan, data: bytes | None) -> FileResult:
    settings = plan.front_matter
    yaml_version = getattr(settings, "yaml", None)  # the configured YAML version, read once
    if data is None:
        doc = Document.read(source.path, source.display, yaml_version)
    else:
        doc = Document.from_bytes(source.display, data, yaml_version)
    if doc.read_problem is not None:
        problem = doc.read_problem
        if problem.code not in plan.runner_codes:
            return FileResult(source.display, [])
        diagnostic = Diagnostic(
            source.display,
            problem.line,
            problem.column,
            problem.code,
            plan.severities.get(problem.code, Severity.ERROR),
            problem.message,
        )
        return FileResult(source.display, [diagnostic])
    rules = registry.all_rules()
    schema = schema_source = schema_problem = None
    if plan.schema_codes:  # the schema is the FM rules' business: others never parse the YAML for it
        schema, schema_source, schema_problem = _schema_for(doc, source, plan)
    problems: list[tuple[str, Problem]] = []
    if schema_problem is not None:
        problems.append(("FM003", schema_problem))
    contexts = _contexts(plan, schema, schema_source)
    for code in plan.document_codes:
        for problem in rules[code].check(doc, contexts[code]):
            problems.append((problem.code or code, problem))
    enabled = set(plan.document_codes)
    diagnostics = [
        Diagnostic(
            source.display,
            p.line,
            p.column,
            code,
            plan.severities[code],
            p.message,
            p.end_line,
            p.end_column,
            p.fix,
        )
        for code, p in problems
        if code in enabled
    ]
    suppressions = parse_suppressions(doc.text)
    if suppressions is not None:
        diagnostics = suppressions.filter(diagnostics)
    diagnostics.sort(key=SORT_KEY)
    links: list[Any] = []
    if plan.links_scope is not None:
        from corpuslint.links.extract import extract_links

        links = extract_links(doc, plan.links_scope)
    configured = {_shown(schema_path) for _globs, schema_path in plan.schema_globs}  # as schema_source
    # a document's own $schema: its file and every file its $refs reach (configured ones are in the plan)
    dependencies = (
        tuple(getattr(schema, "files", ())) if schema_source and schema_source not in configured else ()
    )
    return FileResult(source.display, diagnostics, links, suppressions, dependencies)


_last_contexts: tuple[Any, ...] | None = None  # (plan, schema, schema source, contexts by code)


def _contexts(plan: LintPlan, schema: Any, schema_source: str | None) -> dict[str, RuleContext]:
    """Every enabled rule's (frozen) context: the same for consecutive files with the same
    schema, so made once for them, not once per rule and file."""
    global _last_contexts
    last = _last_contexts
    if last is not None and last[0] is plan and last[1] is schema and last[2] == schema_source:
        return last[3]
    contexts = {
        code: RuleContext(options=plan.options[code], schema=schema, schema_source=schema_source)
        for code in plan.document_codes
    }
    _last_contexts = (plan, schema, schema_source, contexts)
    return contexts


def _lint_chunk(sources: list[SourceFile], plan: LintPlan) -> list[FileResult]:
    return [pack_result(lint_file(source, plan)) for source in sources]


def pack_result(result: FileResult) -> FileResult:
    from corpuslint.diagstore import pack

    result.packed = pack(result.diagnostics)
    result.diagnostics = []
    return result


def lint_files(
    sources: list[SourceFile],
    plan: LintPlan,
    jobs: int | None,
    chunk: Callable[[list[SourceFile], LintPlan], list[Any]] | None = None,
) -> Iterator[Any]:
    """FileResults of `sources`, in order; with `chunk` (a picklable function: sources, plan ->
    one item per source), its items instead (the file cache packs results in the workers)."""
    work = chunk or _lint_chunk
    workers = jobs if jobs and jobs > 0 else (os.cpu_count() or 1)
    if workers <= 1 or len(sources) < PARALLEL_THRESHOLD:
        for source in sources:
            yield from work([source], plan)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    if method == "fork":
        _preload(plan)
    # a few chunks per worker at least (the last ones balance the load), at most CHUNK_SIZE files
    size = max(1, min(CHUNK_SIZE, len(sources) // (workers * 8)))
    chunks = [sources[i : i + size] for i in range(0, len(sources), size)]
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context(method), initializer=_worker_signals
    )
    finished = False
    try:
        # a window of chunks in flight (not pool.map, which submits them all): results waiting
        # for the main process cannot pile up, whatever the size of the corpus
        pending: deque = deque()
        for chunk_sources in chunks:
            pending.append(pool.submit(work, chunk_sources, plan))
            if len(pending) >= workers * WINDOW_PER_WORKER:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:  # a signal, an interrupt, a consumer that stopped: end the workers now
            _terminate(pool)
    if method == "fork":
        import gc

        gc.unfreeze()


def _worker_signals() -> None:
    """In each worker: SIGTERM/SIGHUP end it at once (the default), SIGINT is the main process's
    business (it ends the workers), so an interrupt prints one message, not one per worker."""
    import signal

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _terminate(pool: Any) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():  # pragma: no cover (a worker stuck in a system call)
            process.kill()
            process.join(timeout=5)


def _preload(plan: LintPlan) -> None:
    """Before forking the pool: import and build here what every worker needs, so the workers
    inherit it instead of each paying for it (parser, YAML, jsonschema's validators)."""
    import gc

    from corpuslint.markdown import preload

    if plan.links_scope is not None:
        from corpuslint.links.extract import extract_links  # noqa: F401
    preload()
    try:
        import yaml  # noqa: F401  (front matter)
    except ImportError:  # pragma: no cover
        pass
    # keep the parent's objects out of the collector: forked workers then share their pages
    gc.freeze()


# --- the whole run -----------------------------------------------------------------------------


def validate_schemas(config: Config) -> None:
    settings_for(config)  # raises ConfigError naming the entry, the schema and the problem


def run(sources: list[SourceFile], config: Config, options: RunOptions) -> Report:
    """Lint `sources` under one config."""
    return run_groups([(config, sources)], options)


def run_groups(groups: Iterable[tuple[Config, list[SourceFile]]], options: RunOptions) -> Report:
    """Lint each group of files under its own config (hierarchical configuration); one report,
    sorted. Pure: prints nothing (progress goes through `options.on_file`)."""
    groups = [(config, sources) for config, sources in groups if sources]
    total = sum(len(sources) for _config, sources in groups)
    from corpuslint.diagstore import DiagnosticStore

    parts: list[DiagnosticStore] = []  # one per group, each sorted: merged at the end
    link_diagnostics: list[Diagnostic] = []
    link_stats: dict[str, int] | None = None
    done = 0
    for config, sources in groups:
        codes = enabled_codes(config, options)
        plan = make_plan(config, codes, prepare_schemas=False)
        diagnostics = DiagnosticStore()
        results: list[FileResult] = []
        # the URLs are looked up and checked while the files are linted (link workers)
        checks = links_run.url_checks(config, options, codes) if plan.links_scope is not None else None
        try:
            if checks is not None:
                checks.prepare(len(sources))
            for result in _lint_group(sources, config, plan, options):
                if result.packed is not None:
                    diagnostics.add(result.packed)
                elif result.diagnostics:
                    diagnostics.extend(result.diagnostics)  # from the file cache
                if result.links:
                    results.append(result)
                    if checks is not None:
                        checks.add(result.links)
                done += 1
                if options.on_file is not None:
                    options.on_file(done, total)
            parts.append(diagnostics)
            if checks is not None:
                found, stats = links_run.diagnostics(results, config, options, plan, codes, checks)
                link_diagnostics.extend(found)
                link_stats = _add_stats(link_stats, stats)
        finally:
            if checks is not None:
                checks.close()
        del results
    return Report(_merged(parts, link_diagnostics), total, link_stats)


def _merged(parts: list[Any], link_diagnostics: list[Diagnostic]) -> Any:
    """One sorted sequence: the group's store itself when it is the only part and in order (a
    reporter then decodes it file by file), else a list merged from them."""
    parts = [part for part in parts if part]
    if len(parts) == 1 and parts[0].in_order and not link_diagnostics:
        return parts[0]
    if not parts and not link_diagnostics:
        return []
    return merge_sorted(*[compact(list(part)) for part in parts], link_diagnostics)


def _lint_group(
    sources: list[SourceFile], config: Config, plan: LintPlan, options: RunOptions
) -> Iterator[FileResult]:
    cache = None

    def lint_checked(
        misses: list[SourceFile], plan: LintPlan, jobs: int | None, **kwargs: Any
    ) -> Iterator[Any]:
        # The schemas are checked against their meta-schema when a file is linted, not when the
        # cache serves every file. Nor when the cache holds results of this very configuration
        # key (which covers the schema files' bytes and corpuslint's code): the run that wrote
        # them checked the same schemas (filecache.FileCache.key_seen).
        if misses and not (cache is not None and cache.key_seen):
            validate_schemas(config)
        return lint_files(misses, plan, jobs, **kwargs)

    if options.use_cache and sources:
        from corpuslint import filecache

        cache = filecache.open_for(config, plan, cache_root(config, options.cache_dir))
        return cache.lint(sources, plan, options.jobs, lint_checked)
    return lint_checked(sources, plan, options.jobs)


def _add_stats(total: dict[str, int] | None, stats: Mapping[str, int]) -> dict[str, int]:
    merged = dict(total or {})
    for key, value in stats.items():
        merged[key] = merged.get(key, 0) + value
    return merged


def run_data(source: SourceFile, data: bytes, config: Config, options: RunOptions) -> Report:
    """Lint `data` as the content of `source` (standard input with --stdin-filename): the same
    rules, suppressions and links phase as a file, nothing read from disk but schemas."""
    codes = enabled_codes(config, options)
    plan = make_plan(config, codes)
    validate_schemas(config)
    result = lint_file(source, plan, data)
    link_diagnostics: list[Diagnostic] = []
    link_stats = None
    if plan.links_scope is not None:
        link_diagnostics, link_stats = links_run.diagnostics([result], config, options, plan, codes)
    return Report(merge_sorted(list(result.diagnostics), link_diagnostics), 1, link_stats)
