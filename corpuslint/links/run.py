"""The links phase of a run: its settings (config, then command-line options), the URL checks
fed with each file's links while the files are linted, and its outcome as diagnostics."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from corpuslint.applies import cache_root
from corpuslint.config import Config
from corpuslint.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from corpuslint.runner import FileResult, LintPlan, RunOptions


def link_settings(config: Config, options: RunOptions) -> Any:
    from dataclasses import replace

    from corpuslint.links.settings import settings_from_config

    settings = settings_from_config(dict(config.links), config.root)
    settings = replace(
        settings, **options.link_overrides, cache_dir=str(cache_root(config, options.cache_dir))
    )
    if options.links_only:
        settings = replace(settings, require=True)  # a run that checked no link is not a pass
    return settings


def url_checks(config: Config, options: RunOptions, enabled: set[str]) -> Any:
    from corpuslint.links.phase import url_checks as make

    return make(link_settings(config, options), enabled, use_cache=options.use_cache, jobs=options.jobs)


def diagnostics(
    results: Iterable[FileResult],
    config: Config,
    options: RunOptions,
    plan: LintPlan,
    enabled: set[str],
    checks: Any = None,
) -> tuple[list[Diagnostic], Mapping[str, int]]:
    from corpuslint.links.phase import redirect_fix, run_links_phase

    settings = link_settings(config, options)
    suppressions = {}
    occurrences = []
    for result in results:
        occurrences.extend(result.links)
        if result.suppressions is not None:
            suppressions[result.path] = result.suppressions
    outcome = run_links_phase(
        occurrences,
        settings,
        use_cache=options.use_cache,
        progress=options.progress,
        rule_options={code: plan.options[code] for code in enabled if code in plan.options},
        checks=checks,
        jobs=options.jobs,
    )
    diagnostics = []
    for occurrence, code, message in outcome.problems:
        if code not in enabled:
            continue
        new_url = (
            outcome.redirects.get(occurrence.url) if code == "LK003" else outcome.archived.get(occurrence.url)
        )
        diagnostic = Diagnostic(
            occurrence.path,
            occurrence.line,
            occurrence.column,
            code,
            Severity.ERROR if code == "LK000" and outcome.unavailable_is_error else plan.severities[code],
            message,
            occurrence.end_line,
            occurrence.end_column,
            redirect_fix(occurrence, new_url) if new_url else None,
        )
        file_suppressions = suppressions.get(occurrence.path)
        if file_suppressions is None or not file_suppressions.suppresses(diagnostic):
            diagnostics.append(diagnostic)
    return diagnostics, dict(outcome.stats)
