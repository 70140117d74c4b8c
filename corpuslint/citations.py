"""Citation helpers: page titles, title similarity (CJK-aware), URL keys and dates in footnotes.

Pure functions, no network and nothing slow to import: the link checker calls `page_titles` on
the bounded body prefix it reads, the links phase uses `title_score`/`citation_key`/`url_key`
for CT001 and CT003, and the CT002 rule uses the date helpers.

Title similarity
    Titles are compared by the Sørensen–Dice coefficient of their tokens (`title_tokens`, after
    NFKC and case folding): character bigrams of CJK text, which needs no word boundaries, and
    whole words of spaced scripts, so a shared brand name counts once. Equal normalised titles
    (`normalize_title`: punctuation, symbols and whitespace removed) score 1, and so does a
    title of at least `MIN_CONTAINED` characters and two tokens contained in the other (a
    shortened title, a subtitle added by the site). Sites wrap titles in their own
    name (`… - 知乎`, `…_腾讯新闻`, `… | Site`, `【站点】…`, `…丨36氪`): `title_candidates` splits a
    title at those separators and `title_score` takes the best score over every run of
    consecutive segments of both titles, so stripping only ever helps.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import html
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import cache, lru_cache
from urllib.parse import urlsplit, urlunsplit


def _lazy(pattern: str | bytes, flags: int = 0) -> Callable[[], re.Pattern]:
    """A regular expression compiled on its first use: a run pays only for the patterns it
    uses (a `--no-links` run never compiles the page-title ones; start-up stays small)."""
    return cache(lambda: re.compile(pattern, flags))


# --- page titles ---------------------------------------------------------------------------

_TITLE = _lazy(rb"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_META = _lazy(rb"<meta\b[^>]*>", re.IGNORECASE)
_ATTR = _lazy(rb"""([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_CHARSET = _lazy(rb"""charset\s*=\s*["']?\s*([-A-Za-z0-9_.:]+)""", re.IGNORECASE)
_TITLE_PROPERTIES = (b"og:title", b"twitter:title")
_SPACE = _lazy(r"\s+")
MAX_TITLE = 500  # characters kept of one title


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    # GB2312 and GBK pages routinely hold GB18030 characters; GB18030 decodes all three.
    return "gb18030" if codec in ("gb2312", "gbk", "gb18030", "hz") else codec


def _meta_charset(head: bytes) -> str | None:
    for tag in _META().finditer(head):
        match = _CHARSET().search(tag.group(0))
        if match:
            codec = _codec(match.group(1).decode("ascii", "replace"))
            if codec:
                return codec
    return None


def page_encoding(body: bytes, content_type: str | None = None) -> str:
    """The encoding to decode a page with: BOM, then the charset of the Content-Type header,
    then `<meta charset>` / `<meta http-equiv>`, then UTF-8 if it decodes, else GB18030."""
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    header = _CHARSET().search(content_type.encode("latin-1", "replace")) if content_type else None
    declared = (_codec(header.group(1).decode("ascii", "replace")) if header else None) or _meta_charset(
        body[:4096]
    )
    if declared:
        return declared
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(body) - 3:
            return "utf-8"  # a prefix cut in the middle of a character
    try:
        body.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        return "utf-8"


def clean_title(raw: str) -> str:
    """Entities unescaped, whitespace collapsed, stripped, bounded."""
    return _SPACE().sub(" ", html.unescape(raw)).strip()[:MAX_TITLE]


def page_titles(body: bytes | None, content_type: str | None = None) -> tuple[str, ...]:
    """The titles an HTML page gives itself: `<title>`, then `og:title` / `twitter:title`.

    `body` is a (possibly cut) prefix of the page, `content_type` the Content-Type header if
    any. Distinct non-empty titles, in that order.
    """
    if not body:
        return ()
    encoding = page_encoding(body, content_type)
    found: list[str] = []

    def add(raw: bytes) -> None:
        text = clean_title(raw[: 4 * MAX_TITLE].decode(encoding, "replace"))
        if text and text not in found:
            found.append(text)

    match = _TITLE().search(body)
    if match:
        add(match.group(1))
    for tag in _META().finditer(body):
        attrs: dict[bytes, bytes] = {}
        for attr in _ATTR().finditer(tag.group(0)):
            value = attr.group(2) if attr.group(2) is not None else attr.group(3)
            if value is None:
                value = attr.group(4)
            attrs[attr.group(1).lower()] = value
        kind = (attrs.get(b"property") or attrs.get(b"name") or b"").strip().lower()
        if kind in _TITLE_PROPERTIES and b"content" in attrs:
            add(attrs[b"content"])
    return tuple(found)


# --- title similarity -----------------------------------------------------------------------

# Separators sites put between a title and their name. A hyphen only counts with spaces around
# it (`GPT-5` is one word); dashes, underscores, bars and 丨 count anywhere. Colons, commas and
# question and exclamation marks also split (a title and its subtitle), since the candidates
# include every run of consecutive segments, the whole title too.
_SEPARATORS = _lazy(r"\s+[-~·•»]\s+|\s*[|｜丨_–—]+\s*|\s*--\s*|[【】]|^\s*\[|\]\s*|\s*[：:，,？?！!]")
MIN_CONTAINED = 4  # normalised characters a title needs to match by being contained in another
MAX_SEGMENTS = 8


@lru_cache(maxsize=65536)
def normalize_title(text: str) -> str:
    """NFKC, case folded, without punctuation, symbols, whitespace and control characters.

    Cached: a corpus cites the same sources under the same titles many times over."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in text if _is_title_char(c))


@lru_cache(maxsize=4096)
def _is_title_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNM"


_RUN = _lazy(r"[^\W_]+")
_JOINER = _lazy(r"(?<=[^\W_])[-.·'’/](?=[^\W_])")  # GPT-4o, 1.5, e-Print: one word


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs
        or 0xAC00 <= code <= 0xD7AF  # hangul
        or 0xF900 <= code <= 0xFAFF
        or code >= 0x20000
    )


def title_tokens(text: str) -> Counter[str]:
    """What two titles are compared by: character bigrams of CJK text, whole words elsewhere.

    A word of a spaced script is one token, so a shared brand name (`OpenAI`) weighs as much as
    one shared Chinese word, not as five shared bigrams.
    """
    text = _JOINER().sub("", unicodedata.normalize("NFKC", text).casefold())
    tokens: Counter[str] = Counter()
    for run in _RUN().finditer(text):
        word = run.group(0)
        chunk_start = 0
        for i in range(1, len(word) + 1):
            if i < len(word) and _is_cjk(word[i]) == _is_cjk(word[chunk_start]):
                continue
            chunk = word[chunk_start:i]
            if _is_cjk(chunk[0]) and len(chunk) > 1:
                tokens.update(chunk[j : j + 2] for j in range(len(chunk) - 1))
            else:
                tokens[chunk] += 1
            chunk_start = i
    return tokens


def similarity(a: str, b: str) -> float:
    """How alike two titles are, 0..1 (see the module docstring)."""
    return _similarity(a, b, normalize_title(a), normalize_title(b))


def _similarity(a: str, b: str, na: str, nb: str) -> float:
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    ta, tb = title_tokens(a), title_tokens(b)
    short, long = (na, nb) if len(na) <= len(nb) else (nb, na)
    shorter_tokens = ta if len(na) <= len(nb) else tb
    if len(short) >= MIN_CONTAINED and sum(shorter_tokens.values()) >= 2 and short in long:
        return 1.0
    common = sum((ta & tb).values())
    total = sum(ta.values()) + sum(tb.values())
    return 2.0 * common / total if total else 0.0


def title_candidates(title: str) -> list[str]:
    """The title and every run of consecutive segments between site-name separators."""
    segments = [s for s in (part.strip() for part in _SEPARATORS().split(title)) if s]
    candidates = [title]
    if len(segments) > MAX_SEGMENTS:
        segments = segments[:MAX_SEGMENTS]
    for start in range(len(segments)):
        for stop in range(start + 1, len(segments) + 1):
            candidate = " ".join(segments[start:stop])
            if candidate not in candidates:
                candidates.append(candidate)
    return candidates


def title_score(link_text: str, page_title: str) -> float:
    """The best similarity between the two titles, site names stripped where that helps."""
    best = 0.0
    pages = [(c, normalize_title(c)) for c in title_candidates(page_title)]
    texts = [(c, normalize_title(c)) for c in title_candidates(link_text)]
    for text, text_key in texts:
        for page, page_key in pages:
            score = _similarity(text, page, text_key, page_key)
            if score > best:
                best = score
                if best >= 1.0:
                    return best
    return best


def citation_key(text: str) -> str:
    """Two link texts that differ only in case, width, whitespace or punctuation share a key."""
    return normalize_title(text)


@lru_cache(maxsize=65536)  # asked for each occurrence by the phase, CT001 and CT003
def is_title_text(text: str, url: str) -> bool:
    """Whether a link's text is a title (not empty, not the URL itself as in a bare link)."""
    stripped = text.strip()
    if not stripped or not normalize_title(stripped):
        return False
    if stripped == url.strip() or stripped.rstrip("/") == url.strip().rstrip("/"):
        return False
    lowered = stripped.lower()
    return not lowered.startswith(("http://", "https://", "www.", "//"))


@lru_cache(maxsize=65536)  # a corpus cites the same URLs many times over
def url_key(url: str) -> str:
    """A URL for comparing citations: scheme and host lower case, default port, fragment and a
    trailing slash dropped."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    if not parts.scheme or not parts.netloc:
        return url.split("#", 1)[0].rstrip("/")
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}" if userinfo else host
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, parts.query, ""))


# --- dates -----------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH_NAME = (
    r"(?P<{}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = _lazy(
    # Every branch starts with a digit or a month name's initial: the lookahead lets the engine
    # pass over other characters without trying the four branches (same matches).
    r"(?=\d|[jfmasond])(?:"
    r"(?<![\d.])(?P<y>\d{4})\s*(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})(?![\d])"
    r"|(?<!\d)(?P<y2>\d{4})\s*年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})(?:\s*[日号])?(?!\d)"
    r"|\b" + _MONTH_NAME.format("mn") + r"\s+(?P<d3>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y3>\d{4})(?!\d)"
    r"|(?<![\d.])(?P<d4>\d{1,2})(?:st|nd|rd|th)?\s+"
    + _MONTH_NAME.format("mn4")
    + r",?\s+(?P<y4>\d{4})(?!\d))",
    re.IGNORECASE,
)
# The first two branches alone, for text where no month name can match: every month name of
# _DATE starts with one of these (compared with the same case folding), so without one of them
# the month branches match nowhere and the numeric branches find the same dates.
_DATE_NUMERIC = _lazy(
    r"(?=\d{4})(?:"
    r"(?<![\d.])(?P<y>\d{4})\s*(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})(?![\d])"
    r"|(?<!\d)(?P<y2>\d{4})\s*年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})(?:\s*[日号])?(?!\d))"
)
_MONTH_PREFIX = _lazy(r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec", re.IGNORECASE)
_MONTH_INITIAL = _lazy(r"[jfmasond]", re.IGNORECASE)


def find_dates(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[_dt.date, int, int]]:
    """Every full date (year, month, day) written in `text[start:end]`: (date, start, end).

    Forms: `2025/6/19`, `2025-06-19`, `2025.6.19`, `2025年6月19日`, `June 19, 2025`,
    `Jun. 19 2025`, `19 June 2025`. Impossible dates (`2025/13/40`) are skipped.
    """
    end = len(text) if end is None else end
    numeric = not _MONTH_INITIAL().search(text, start, end) or not _MONTH_PREFIX().search(text, start, end)
    pattern = _DATE_NUMERIC() if numeric else _DATE()
    for match in pattern.finditer(text, start, end):
        groups = match.groupdict()
        try:
            if groups["y"]:
                year, month, day = int(groups["y"]), int(groups["m"]), int(groups["d"])
            elif groups["y2"]:
                year, month, day = int(groups["y2"]), int(groups["m2"]), int(groups["d2"])
            elif groups["y3"]:
                year, month, day = int(groups["y3"]), _month(groups["mn"]), int(groups["d3"])
            else:
                year, month, day = int(groups["y4"]), _month(groups["mn4"]), int(groups["d4"])
            found = _dt.date(year, month, day)
        except (ValueError, KeyError):
            continue
        yield found, match.start(), match.end()


def _month(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")[:3]]


def parse_date(value: object) -> _dt.date | None:
    """A date from a front-matter value: a date, a datetime, or a string holding one."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return _dt.date.fromisoformat(text[:10])
        except ValueError:
            pass
        for found, _start, _end in find_dates(text):
            return found
    return None


# A retrieval marker before its date (`检索日期2025/6/19`, `检索于：2025年6月19日`, `Retrieved
# 2025-06-19`, `accessed on June 19, 2025`) or after it (`2025年6月19日检索`, `2025/6/19访问`).
_MARKER_BEFORE = _lazy(
    r"(?:检索|访问|查阅|引用|获取|浏览)(?:日期|时间|日|于)?(?:为|是)?\s*[:：]?\s*"
    r"|\b(?:last\s+)?(?:retrieved|accessed|access\s+date|date\s+accessed|retrieval\s+date)"
    r"(?:\s+(?:on|at))?\s*[:：]?\s*",
    re.IGNORECASE,
)
_MARKER_AFTER = _lazy(r"\s*(?:检索|访问|查阅|引用|获取|浏览)")
MARKER_HINTS = ("检索", "访问", "查阅", "引用", "获取", "浏览", "retriev", "access")
# One search for any of MARKER_HINTS in `text.lower()`: str.lower maps no character but A-Z to
# these ASCII letters in place (U+0130 becomes "i" and a combining dot, which "retriev" cannot
# hold), so ASCII-only case folding finds the same hints.
_MARKER_HINT = _lazy("|".join(MARKER_HINTS), re.IGNORECASE | re.ASCII)


def has_marker_hint(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether `text[start:end]` holds a retrieval marker's hint (see MARKER_HINTS), any case."""
    return _MARKER_HINT().search(text, start, len(text) if end is None else end) is not None


def retrieval_dates(
    text: str,
    start: int = 0,
    end: int | None = None,
    *,
    dates: Iterable[tuple[_dt.date, int, int]] | None = None,
) -> list[tuple[_dt.date, int, int]]:
    """The retrieval dates written in `text[start:end]`, with their spans.

    `dates`, when given, is `find_dates(text, start, end)` computed already."""
    end = len(text) if end is None else end
    found: list[tuple[_dt.date, int, int]] = []
    for when, date_start, date_end in find_dates(text, start, end) if dates is None else dates:
        before = text[max(start, date_start - 24) : date_start]
        marked = False
        for marker in _MARKER_BEFORE().finditer(before):
            if marker.end() == len(before):
                marked = True
                break
        if not marked and _MARKER_AFTER().match(text, date_end, end):
            marked = True
        if marked:
            found.append((when, date_start, date_end))
    return found


def masked(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with the given spans replaced by spaces (offsets kept)."""
    merged: list[list[int]] = []
    for start, stop in sorted((max(a, 0), min(b, len(text))) for a, b in spans):
        if start >= stop:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    if not merged:
        return text
    pieces = []
    done = 0
    for start, stop in merged:
        pieces.append(text[done:start])
        part = text[start:stop]
        pieces.append(" " * len(part) if "\n" not in part else _NOT_NEWLINE().sub(" ", part))
        done = stop
    pieces.append(text[done:])
    return "".join(pieces)


_NOT_NEWLINE = _lazy(r"[^\n]")


# --- the links phase: CT001 and CT003 over the occurrences of every document -------------------


@lru_cache(maxsize=65536)
def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def generic_titles(titles: dict[str, tuple[str, ...]]) -> set[tuple[str, str]]:
    """(host, normalised title) pairs that several different pages of one host answer with:
    a site-wide title (`首页 - 36氪`, `微信公众平台`) says nothing about the cited article."""
    pages: dict[tuple[str, str], set[str]] = {}
    for url, found in titles.items():
        for title in found:
            pages.setdefault((_host(url), normalize_title(title)), set()).add(url_key(url))
    return {key for key, urls in pages.items() if len(urls) >= 2}


def title_mismatches(occurrences: Iterable, titles: dict[str, tuple[str, ...]], threshold: float) -> list:
    """CT001: (occurrence, message) for every footnote link whose text is not its page's title."""
    generic = generic_titles(titles)
    scored: dict[tuple[str, str], tuple[float, str] | None] = {}
    found = []
    for occurrence in occurrences:
        page = titles.get(occurrence.url)
        if not page or occurrence.label is None or not is_title_text(occurrence.text, occurrence.url):
            continue
        key = (occurrence.url, occurrence.text)
        if key not in scored:
            host = _host(occurrence.url)
            specific = [t for t in page if (host, normalize_title(t)) not in generic]
            scored[key] = (
                max(((title_score(occurrence.text, t), t) for t in specific), key=lambda pair: pair[0])
                if specific
                else None
            )
        best = scored[key]
        if best is None or best[0] >= threshold:
            continue
        text = " ".join(occurrence.text.split())
        found.append(
            (
                occurrence,
                f"link text {text!r} does not match the page title {best[1]!r} (similarity {best[0]:.2f})",
            )
        )
    return found


def inconsistent_titles(occurrences: Iterable, *, listed: int = 3) -> list:
    """CT003: (occurrence, message) for every citation of a URL cited elsewhere with another title."""
    groups: dict[str, list[tuple[object, str]]] = {}
    for occurrence in occurrences:
        if occurrence.label is None or not is_title_text(occurrence.text, occurrence.url):
            continue
        groups.setdefault(url_key(occurrence.url), []).append((occurrence, citation_key(occurrence.text)))
    found = []
    for members in groups.values():
        if len({key for _o, key in members}) < 2:
            continue
        first: dict[str, object] = {}
        for occurrence, key in sorted(members, key=lambda m: (m[0].path, m[0].line, m[0].column)):
            first.setdefault(key, occurrence)
        for occurrence, key in members:
            others = [o for k, o in first.items() if k != key]
            shown = ", ".join(f"{' '.join(o.text.split())!r} ({o.path}:{o.line})" for o in others[:listed])
            more = f" and {len(others) - listed} more" if len(others) > listed else ""
            found.append((occurrence, f"the same URL is also cited as {shown}{more}"))
    return found
