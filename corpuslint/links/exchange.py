"""One request and what the checks need of its answer: status, Location, Retry-After, the
page's title (decoded: header charset, `<meta charset>`, UTF-8, else GB18030), its titles for
CT001, its anchors for fragment checks, and whether it set a cookie."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

from corpuslint.citations import page_encoding, page_titles
from corpuslint.links.client import ACCEPT_ENCODING, LinkClient, read_body
from corpuslint.links.fragments import anchors_of
from corpuslint.links.outcomes import parse_retry_after
from corpuslint.links.settings import LinkSettings

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
FRAGMENT_BODY = 2 * 1024 * 1024  # bytes of a page read to find its anchors


@dataclass
class Exchange:
    status: int
    location: str | None
    retry_after: float | None
    title: str | None
    titles: tuple[str, ...] | None = None
    sets_cookie: bool = False
    anchors: frozenset[str] | None = None


def request_headers(settings: LinkSettings) -> dict[str, str]:
    """The headers every request carries: a browser's, then `links.headers`."""
    headers = {
        "User-Agent": settings.user_agent,
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Encoding": ACCEPT_ENCODING,  # every coding read_body decodes, bounded
        "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
    }
    for name, value in settings.headers.items():
        if name.lower() in ("host", "content-length", "transfer-encoding", "connection"):
            continue  # framing is the client's business
        if any(c in value for c in "\r\n\0"):
            raise ValueError(f"links.headers: the value of {name!r} contains a line break")
        headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}
        headers[name] = value
    return headers


def page_title(body: bytes | None, content_type: str | None) -> str | None:
    """The `<title>` of a page, decoded."""
    if not body:
        return None
    match = _TITLE.search(body)
    if not match:
        return None
    encoding = page_encoding(body, content_type)
    try:
        return match.group(1)[:1000].decode(encoding, "replace")
    except LookupError:
        return match.group(1)[:1000].decode("utf-8", "replace")


async def send(
    client: LinkClient, url: httpx.URL, method: str, settings: LinkSettings, *, titles: bool, anchors: bool
) -> Exchange:
    """One request; a 200 GET's body read (bounded) for the title, titles and anchors."""
    response = await client.send(client.build_request(method, url), stream=True)
    try:
        headers = response.headers
        title = found_titles = found = None
        if method == "GET" and response.status_code == 200:
            limit = max(settings.max_body, FRAGMENT_BODY) if anchors else settings.max_body
            body = await read_body(response, limit, stop_at_title=not anchors)
            content_type = headers.get("content-type")
            if titles:
                found_titles = page_titles(body, content_type)
            title = page_title(body, content_type)
            if anchors and body is not None:
                found = anchors_of(body, content_type, str(response.url))
        else:
            await _drain(response, settings.max_body)
        return Exchange(
            response.status_code,
            headers.get("location"),
            parse_retry_after(headers.get("retry-after")),
            title,
            found_titles,
            sets_cookie="set-cookie" in headers,
            anchors=found,
        )
    finally:
        await response.aclose()


async def _drain(response: httpx.Response, limit: int) -> None:
    """Read a small body to its end (a HEAD's empty one too), so the connection can be used again."""
    length = response.headers.get("content-length", "")
    if response.request.method != "HEAD" and (not length.isdigit() or int(length) > limit):
        return  # unknown end or large: closing the connection is cheaper than reading it
    async for _chunk in response.aiter_raw():
        pass
