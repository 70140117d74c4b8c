"""The links phase: occurrences from every document -> unique URLs -> cache / checker -> problems.

Each unique URL is decided once; its result is reported at every occurrence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from corpuslint.diagnostics import Edit, Fix
from corpuslint.links.extract import LinkOccurrence
from corpuslint.links.settings import LinkSettings
from corpuslint.links.urlchecks import PROGRESS_MIN_URLS, Progress, UrlChecks

__all__ = ["PROGRESS_MIN_URLS", "Progress", "UrlChecks", "run_links_phase", "url_checks"]

UNAVAILABLE = "LK000"


@dataclass
class LinksOutcome:
    problems: list[tuple[LinkOccurrence, str, str]] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    # URL -> the URL it permanently moved to (LK003), for a fix that rewrites every occurrence
    redirects: dict[str, str] = field(default_factory=dict)
    # URL -> the page's titles (`<title>`, og:title) where they were read (CT001 enabled)
    titles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # URL -> an archived copy of the dead page (--suggest), for an unsafe fix
    archived: dict[str, str] = field(default_factory=dict)
    # LK000 is an error, not a warning (links.require, --links-only)
    unavailable_is_error: bool = False


_UNSAFE_IN_URL = set(" \t\n<>\"'`\\")


def redirect_fix(occurrence: LinkOccurrence, new_url: str) -> Fix | None:
    """The LK003 fix: the URL at this occurrence replaced with where it permanently moved.

    Only where the URL is written literally at the occurrence's offsets (not an escaped or
    percent-decoded spelling of it), and only with a URL that reads back as itself wherever it
    stands (no spaces, quotes or angle brackets, balanced parentheses, no trailing punctuation
    that a bare URL would lose). A fragment of the old URL is kept when the new one has none,
    as a browser keeps it. Safe when the page stays on its site (same host up to `www.`,
    http -> https allowed), unsafe when the redirect leads to another host.
    """
    if occurrence.start is None or occurrence.end is None or not new_url:
        return None
    old = occurrence.url
    if "#" in old and "#" not in new_url:
        new_url = new_url + old[old.index("#") :]
    if new_url == old or any(c in _UNSAFE_IN_URL for c in new_url):
        return None
    if new_url.count("(") != new_url.count(")") or new_url[-1] in ".,;:!?":
        return None
    try:
        before, after = urlsplit(old), urlsplit(new_url)
        old_host = (before.hostname or "").removeprefix("www.")
        same_host = old_host == (after.hostname or "").removeprefix("www.")
        upgrade = (before.scheme, after.scheme) == ("http", "https")
        same_site = same_host and (after.scheme == before.scheme or upgrade)
    except ValueError:
        return None
    edit = Edit(occurrence.start, occurrence.end, new_url)
    return Fix(f"replace with {new_url}", (edit,), safe=same_site)


def run_links_phase(
    occurrences: list[LinkOccurrence],
    settings: LinkSettings,
    *,
    use_cache: bool,
    progress: bool,
    checker_factory: Callable[..., object] | None = None,
    rule_options: Mapping[str, Mapping[str, Any]] | None = None,
    checks: UrlChecks | None = None,
    jobs: int | None = None,
) -> LinksOutcome:
    """Check every unique URL of `occurrences` once and report problems at each occurrence.

    `rule_options` holds the enabled codes with their options (None: the LK codes only). With
    CT001 enabled, footnote links whose text is a title are fetched with GET and their page
    titles compared with it; CT003 compares the link texts of each URL across the corpus.
    Without any LK code nor CT001, no request is made. `checks`: the run's URL checks, already
    fed with `occurrences` while the files were linted (else they are made here).
    """
    from corpuslint.links.outcomes import MALFORMED, OK, PERMANENT, SKIPPED, SOFT404

    outcome = LinksOutcome()
    enabled = set(rule_options) if rule_options is not None else None
    if checks is None:
        checks = url_checks(
            settings, enabled, use_cache=use_cache, jobs=jobs, checker_factory=checker_factory
        )
        checks.add(occurrences)
    checks.finish(progress)
    results, cached, fresh, requests = checks.results, checks.cached, checks.fresh, checks.requests
    title_urls = checks.title_urls

    attempted = [r for r in fresh.values() if r.outcome not in (SKIPPED, MALFORMED)]
    unavailable = bool(attempted) and all(r.unavailable for r in attempted)
    if unavailable and not any(r.hard_unavailable for r in attempted):
        # "no such host" for everything: offline, unless it is one misspelled host
        hosts = {urlsplit(r.url).hostname for r in attempted}
        unavailable = len(hosts) >= 2
    unchecked: list[LinkOccurrence] = []
    counts = {"ok": 0, "broken": 0, "timeout": 0, "redirected": 0, "soft404": 0, "malformed": 0, "skipped": 0}
    for occurrence in occurrences:
        result = results.get(occurrence.url)
        if result is None:  # not checked: no LK code enabled
            continue
        if unavailable and occurrence.url in fresh and result.unavailable:
            unchecked.append(occurrence)
            continue
        if result.outcome in (OK, SKIPPED):
            continue
        outcome.problems.append((occurrence, result.outcome, result.message))
        if result.outcome == PERMANENT and result.new_url:
            outcome.redirects[occurrence.url] = result.new_url
        if result.archived:
            outcome.archived[occurrence.url] = result.archived
    for result in results.values():
        key = {
            OK: "ok",
            SKIPPED: "skipped",
            MALFORMED: "malformed",
            PERMANENT: "redirected",
            SOFT404: "soft404",
            "LK002": "timeout",
        }.get(result.outcome, "broken")
        if unavailable and result.url in fresh and result.unavailable:
            continue
        counts[key] += 1
    if unchecked:
        first = min(unchecked, key=lambda o: (o.path, o.line, o.column))
        missing = len({o.url for o in unchecked})
        outcome.problems.append((first, UNAVAILABLE, unavailable_message(missing, attempted)))
        outcome.unavailable_is_error = settings.require
    for url in title_urls:
        result = results.get(url)
        if result is not None and result.titles and result.outcome in (OK, PERMANENT):
            outcome.titles[url] = result.titles
    if enabled is not None and ("CT001" in enabled or "CT003" in enabled):
        from corpuslint.citations import inconsistent_titles, title_mismatches

        if "CT001" in enabled:
            threshold = float(rule_options["CT001"].get("threshold", 0.5))  # type: ignore[index]
            outcome.problems.extend(
                (o, "CT001", m) for o, m in title_mismatches(occurrences, outcome.titles, threshold)
            )
        if "CT003" in enabled:
            outcome.problems.extend((o, "CT003", m) for o, m in inconsistent_titles(occurrences))
    outcome.stats = {
        "urls": len(results),
        "occurrences": len(occurrences),
        "checked": len(fresh)
        - sum(1 for r in fresh.values() if r.outcome in (SKIPPED, MALFORMED))  # no request made
        - len({o.url for o in unchecked}),
        "cached": len(cached),
        "requests": requests,
        "unchecked": len({o.url for o in unchecked}),
        **counts,
    }
    return outcome


_CAUSE_HINTS = {
    "proxy unreachable": "the proxy does not answer: check HTTPS_PROXY / HTTP_PROXY or links.proxy",
    "no route": "no route to the network: is this machine offline, or does it need a proxy?",
    "DNS": "DNS does not answer: offline, or a network that resolves names only through a proxy",
}


def unavailable_message(missing: int, attempted: list) -> str:  # type: ignore[type-arg]
    """LK000's message: how many links, the likely cause, the first error as it was."""
    failed = [r for r in attempted if r.unavailable]
    causes = [r.cause for r in failed if r.cause]
    cause = max(set(causes), key=causes.count) if causes else None
    reason = next((r.message for r in failed if r.cause == cause), failed[0].message if failed else "")
    hint = _CAUSE_HINTS.get(cause or "", "")
    text = f"network unavailable: {missing} links not checked ({reason})"
    return f"{text}; likely cause: {hint}" if hint else text


def url_checks(
    settings: LinkSettings,
    enabled: set[str] | None,
    *,
    use_cache: bool,
    jobs: int | None = None,
    checker_factory: Callable[..., object] | None = None,
) -> UrlChecks:
    """The URL checks of a phase whose enabled codes are `enabled` (None: the LK codes only)."""
    return UrlChecks(
        settings,
        use_cache=use_cache,
        check_every_url=enabled is None or any(code.startswith("LK") for code in enabled),
        want_titles=enabled is not None and "CT001" in enabled,
        jobs=jobs,
        checker_factory=checker_factory,
    )


def clear_cache(settings: LinkSettings) -> int:
    """`corpuslint cache clear`: forget every cached link result; returns how many there were."""
    from corpuslint.links.cache import LinkCache

    cache = LinkCache(settings)
    try:
        return cache.clear()
    finally:
        cache.close()
