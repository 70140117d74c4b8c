"""Settings of the links phase: the `[links]` table of corpuslint.toml, validated.

Kept free of httpx (and of anything slow to import): the CLI reads settings on every run, links
or not.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36 corpuslint"
)

DEFAULT_ARCHIVE_ENDPOINT = "https://archive.org/wayback/available"
SCOPES = ("footnotes", "all")
METHODS = ("head", "get")
CACHE_DIR_NAME = ".corpuslint_cache"


@dataclass(frozen=True)
class LinkSettings:
    """How links are checked. Every field has a `[links]` key of the same name."""

    scope: str = "footnotes"  # "footnotes": links in footnote definitions; "all": every link
    max_concurrency: int = 64  # requests in flight, all hosts together
    max_per_host: int = 4  # requests in flight to one host
    host_interval: float = 0.0  # minimum seconds between two request starts to one host
    timeout: float = 20.0  # one URL's whole check: all its requests (redirects, retries), seconds
    connect_timeout: float = 10.0
    read_timeout: float = 10.0
    max_redirects: int = 10
    retries: int = 2  # extra attempts after connection errors, 5xx and 429
    retry_backoff: float = 0.5  # first back-off, doubled each retry, with jitter
    retry_after_cap: float = 30.0  # longest Retry-After honoured, seconds
    max_body: int = 65536  # bytes of a GET body read (after decompression)
    method: str = "head"  # "head": HEAD, GET when HEAD is refused; "get": always GET (reads titles)
    accept: tuple[tuple[int, int], ...] = ((200, 299),)  # inclusive status ranges counted as OK
    headers: Mapping[str, str] = field(default_factory=dict)
    user_agent: str = DEFAULT_USER_AGENT
    exclude: tuple[str, ...] = ()  # regexes (re.search) of URLs never checked
    allow_private: bool = False  # check private, loopback, link-local... addresses too
    ca_bundle: str | None = None  # PEM file of CAs trusted in addition to the system's store
    verify_tls: bool = True
    proxy: str | None = None  # proxy URL for every request (default: HTTP(S)_PROXY, NO_PROXY)
    require: bool = False  # a run in which the network let no link be checked is an error (LK000)
    fragments: bool = False  # check `#anchor` against the page's ids (Markdown: heading slugs)
    suggest: bool = False  # ask an archive for a copy of each dead page (an unsafe fix)
    archive_endpoint: str = DEFAULT_ARCHIVE_ENDPOINT  # a Wayback-compatible availability API
    cache_dir: str | None = None  # default: .corpuslint_cache next to corpuslint.toml
    workers: int | None = None  # link worker processes; None: one per two cores, at most 4; 0: none
    ttl_ok: float = 7 * 24 * 3600.0  # seconds a good result is reused
    ttl_fail: float = 3600.0  # seconds a failure is reused

    def accepts(self, status: int) -> bool:
        return any(low <= status <= high for low, high in self.accept)

    def with_overrides(self, **changes: Any) -> LinkSettings:
        """A copy with the given fields changed (None values ignored), e.g. from CLI flags."""
        changes = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **changes) if changes else self

    def resolved_cache_dir(self) -> Path:
        return Path(self.cache_dir) if self.cache_dir else Path.cwd() / CACHE_DIR_NAME

    def fingerprint(self) -> str:
        """What changes a cached result's meaning: results are cached per fingerprint."""
        headers = ",".join(f"{k.lower()}={v}" for k, v in sorted(self.headers.items()))
        accept = ",".join(f"{a}-{b}" for a, b in self.accept)
        return (
            f"{self.method}|{accept}|{self.max_redirects}|{headers}|{int(self.verify_tls)}"
            f"|{int(self.fragments)}|{self.archive_endpoint if self.suggest else ''}"
        )


_INT_KEYS = {
    "max_concurrency": 1,
    "max_per_host": 1,
    "max_redirects": 0,
    "retries": 0,
    "max_body": 0,
    "workers": 0,
}
_FLOAT_KEYS = {
    "host_interval": 0.0,
    "timeout": None,
    "connect_timeout": None,
    "read_timeout": None,
    "retry_backoff": 0.0,
    "retry_after_cap": 0.0,
    "ttl_ok": 0.0,
    "ttl_fail": 0.0,
}
_BOOL_KEYS = ("allow_private", "verify_tls", "require", "fragments", "suggest")
_RANGE = re.compile(r"^\s*(\d{3})\s*(?:\.\.\s*(\d{3})\s*)?$")


def parse_accept(value: Any, key: str = "links.accept") -> tuple[tuple[int, int], ...]:
    """`[200, "200..299", "403"]` -> ((200, 200), (200, 299), (403, 403))."""
    items = value if isinstance(value, (list, tuple)) else [value]
    ranges: list[tuple[int, int]] = []
    for item in items:
        if isinstance(item, bool):
            raise ValueError(f"{key}: expected a status or a range like '200..299', got {item!r}")
        if isinstance(item, int):
            low = high = item
        elif isinstance(item, str) and (match := _RANGE.match(item)):
            low = int(match.group(1))
            high = int(match.group(2) or low)
        else:
            raise ValueError(f"{key}: expected a status or a range like '200..299', got {item!r}")
        if not (100 <= low <= high <= 599):
            raise ValueError(f"{key}: {item!r} is not a range of HTTP statuses (100..599)")
        ranges.append((low, high))
    if not ranges:
        raise ValueError(f"{key}: at least one accepted status is needed")
    return tuple(ranges)


def _duration(key: str, value: Any, minimum: float | None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"links.{key}: expected a number of seconds, got {value!r}")
    value = float(value)
    if minimum is None:
        if value <= 0:
            raise ValueError(f"links.{key}: must be greater than 0, got {value}")
    elif value < minimum:
        raise ValueError(f"links.{key}: must be at least {minimum}, got {value}")
    return value


def _http_url(key: str, value: Any) -> str:
    from urllib.parse import urlsplit

    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"links.{key}: expected a URL like 'http://proxy.example:3128'")
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise ValueError(f"links.{key}: {value!r} is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"links.{key}: expected an http:// or https:// URL, got {value!r}")
    return value.strip()


def settings_from_config(table: Mapping[str, Any] | None, config_dir: Path | None) -> LinkSettings:
    """Validate the `[links]` table of corpuslint.toml. Raises ValueError("links.<key>: ...")."""
    table = dict(table or {})
    known = {f.name for f in fields(LinkSettings)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in known:
            raise ValueError(f"links.{key}: unknown setting (known: {', '.join(sorted(known))})")
        if key in _INT_KEYS:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"links.{key}: expected an integer, got {value!r}")
            if value < _INT_KEYS[key]:
                raise ValueError(f"links.{key}: must be at least {_INT_KEYS[key]}, got {value}")
            values[key] = value
        elif key in _FLOAT_KEYS:
            values[key] = _duration(key, value, _FLOAT_KEYS[key])
        elif key in _BOOL_KEYS:
            if not isinstance(value, bool):
                raise ValueError(f"links.{key}: expected true or false, got {value!r}")
            values[key] = value
        elif key == "scope":
            if value not in SCOPES:
                raise ValueError(f"links.scope: expected one of {', '.join(SCOPES)}, got {value!r}")
            values[key] = value
        elif key == "method":
            if not isinstance(value, str) or value.lower() not in METHODS:
                raise ValueError(f"links.method: expected one of {', '.join(METHODS)}, got {value!r}")
            values[key] = value.lower()
        elif key == "accept":
            values[key] = parse_accept(value)
        elif key == "headers":
            if not isinstance(value, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise ValueError("links.headers: expected a table of string values")
            for name in value:
                if not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name):
                    raise ValueError(f"links.headers: {name!r} is not a valid header name")
            values[key] = dict(value)
        elif key == "user_agent":
            if not isinstance(value, str) or not value.strip():
                raise ValueError("links.user_agent: expected a non-empty string")
            values[key] = value
        elif key == "exclude":
            patterns = [value] if isinstance(value, str) else value
            if not isinstance(patterns, (list, tuple)) or not all(isinstance(p, str) for p in patterns):
                raise ValueError("links.exclude: expected a list of regular expressions")
            for pattern in patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"links.exclude: bad regular expression {pattern!r}: {exc}") from None
            values[key] = tuple(patterns)
        elif key in ("proxy", "archive_endpoint"):
            values[key] = _http_url(key, value)
        elif key in ("cache_dir", "ca_bundle"):
            if not isinstance(value, str) or not value:
                raise ValueError(f"links.{key}: expected a path")
            path = Path(os.path.expanduser(value))
            if not path.is_absolute() and config_dir is not None:
                path = config_dir / path
            if key == "ca_bundle" and not path.is_file():
                raise ValueError(f"links.ca_bundle: no such file: {path}")
            values[key] = str(path)
    if "cache_dir" not in values and config_dir is not None:
        values["cache_dir"] = str(Path(config_dir) / CACHE_DIR_NAME)
    settings = LinkSettings(**values)
    if settings.connect_timeout > settings.timeout or settings.read_timeout > settings.timeout:
        # The whole-request deadline wins anyway; keep the numbers coherent.
        settings = replace(
            settings,
            connect_timeout=min(settings.connect_timeout, settings.timeout),
            read_timeout=min(settings.read_timeout, settings.timeout),
        )
    return settings
