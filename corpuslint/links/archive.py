"""`--suggest`: an archived copy for each dead link, from a Wayback-compatible availability API.

`GET <archive_endpoint>?url=<dead URL>` answers JSON like the Wayback Machine's
`{"archived_snapshots": {"closest": {"available": true, "url": "…", "status": "200"}}}`. Only
public targets are sent: a URL whose host is a private or local address (literally, or by the
addresses this run resolved) never leaves the machine, `allow_private` or not. The endpoint is
configuration, not corpus content: it is contacted wherever it is, like a proxy.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from corpuslint.links import policy
from corpuslint.links.outcomes import TIMEOUTS, within

if TYPE_CHECKING:
    from corpuslint.links.checker import Checker

MAX_ANSWER = 256 * 1024


def may_ask_about(checker: Checker, url: str) -> bool:
    """True when `url`'s host is public as far as this run knows."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    if not host or policy.host_blocked_reason(host):
        return False
    known = checker.backend.known_addresses(host, port)
    return not any(policy.address_blocked(a) for a in known)


def _closest(answer: object) -> str | None:
    if not isinstance(answer, dict):
        return None
    snapshots = answer.get("archived_snapshots")
    closest = snapshots.get("closest") if isinstance(snapshots, dict) else None
    if not isinstance(closest, dict) or closest.get("available") is not True:
        return None
    url = closest.get("url")
    if (
        not isinstance(url, str)
        or not url.startswith(("http://", "https://"))
        or any(c.isspace() for c in url)
    ):
        return None
    if str(closest.get("status", "200")) not in ("200", ""):
        return None
    return url


async def archived_copies(checker: Checker, urls: Iterable[str]) -> dict[str, str]:
    """Dead URL -> its closest archived copy, for the URLs an archive may be asked about."""
    import httpx

    endpoint = checker.settings.archive_endpoint
    parts = httpx.URL(endpoint)
    checker.backend.trusted.add((parts.host, parts.port or (443 if parts.scheme == "https" else 80)))
    found: dict[str, str] = {}
    slots = asyncio.Semaphore(4)  # an archive is one host: be polite

    async def ask(url: str) -> None:
        async with slots:
            try:
                response = await within(
                    checker.settings.timeout, checker.client.get(endpoint, params={"url": url})
                )
                if response.status_code != 200 or len(response.content) > MAX_ANSWER:
                    return
                archived = _closest(json.loads(response.content))
            except (Exception, *TIMEOUTS):  # noqa: BLE001 - no suggestion is the worst outcome
                return
        if archived:
            found[url] = archived

    await asyncio.gather(*(ask(u) for u in dict.fromkeys(urls) if may_ask_about(checker, u)))
    return found


async def with_archived_copies(checker, found):  # type: ignore[no-untyped-def]
    """--suggest: the archived copy of every dead page joined to its result."""
    from dataclasses import replace

    from corpuslint.links.outcomes import BROKEN, SOFT404

    dead = [
        r.url
        for r in found.values()
        if (r.outcome == SOFT404 or (r.outcome == BROKEN and r.status in (404, 410)))
        or (r.outcome == BROKEN and r.status is None and r.cause == "DNS" and not r.hard_unavailable)
    ]
    if not dead:
        return found
    copies = await archived_copies(checker, dead)
    for url, archived in copies.items():
        result = found[url]
        found[url] = replace(
            result, archived=archived, message=f"{result.message}; archived copy: {archived}"
        )
    return found
