"""Fragment checking (`links.fragments = true`): `#anchor` against the page's ids and names.

For an HTML page, the anchors are the `id` of any element and the `name` of `<a>`; GitHub's
rendered Markdown prefixes ids with `user-content-`, which a browser's `#anchor` reaches, so
both spellings count. For a Markdown file (a `.md` URL, or a Markdown content type) the anchors
are GitHub's heading slugs: lowercased, punctuation removed, spaces to hyphens, `-1`, `-2`, ...
for repeats. Fragments that are not anchors (`#L10-L20` line ranges, `#!/route`, `#:~:text=`)
are not checked.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote, urlsplit

from corpuslint.citations import page_encoding

_ID = re.compile(
    rb"""<[a-zA-Z][^>]*?\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE
)
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_SETEXT = re.compile(r"^(?! {4})(\S.*)\n {0,3}(?:=+|-+)[ \t]*$", re.MULTILINE)
_SLUG_DROP = re.compile(r"[^\w\- ]", re.UNICODE)
_NOT_ANCHOR = re.compile(r"^(?:L\d+(?:-L\d+)?|!|/|:~:)")


def fragment_of(url: str) -> str | None:
    """The decoded fragment of a URL, or None when it has none."""
    if "#" not in url:
        return None
    fragment = url.split("#", 1)[1]
    return unquote(fragment) if fragment else None


def wants_fragment_check(url: str) -> bool:
    fragment = fragment_of(url)
    return bool(fragment) and not _NOT_ANCHOR.match(fragment or "")


def github_slug(text: str) -> str:
    """GitHub's anchor for a heading's text."""
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = text.replace("`", "").replace("*", "").strip().lower()
    return _SLUG_DROP.sub("", text).replace(" ", "-")


def markdown_anchors(text: str) -> set[str]:
    anchors: set[str] = set()
    counts: dict[str, int] = {}
    headings = [(m.start(), m.group(2)) for m in _HEADING.finditer(text)]
    headings += [(m.start(), m.group(1)) for m in _SETEXT.finditer(text)]
    for _start, heading in sorted(headings):
        slug = github_slug(heading)
        seen = counts.get(slug, 0)
        counts[slug] = seen + 1
        anchors.add(slug if seen == 0 else f"{slug}-{seen}")
    return anchors


def anchors_of(body: bytes, content_type: str | None, url: str) -> frozenset[str]:
    """Every fragment that leads somewhere on this page."""
    kind = (content_type or "").lower()
    path = urlsplit(url).path.lower()
    if "markdown" in kind or (path.endswith((".md", ".markdown")) and "html" not in kind):
        return frozenset(markdown_anchors(body.decode(page_encoding(body, content_type), "replace")))
    encoding = page_encoding(body, content_type)
    found: set[str] = {"top"}  # a browser scrolls to the top for #top without an element
    for match in _ID.finditer(body):
        raw = next(g for g in match.groups() if g is not None)
        value = html.unescape(raw.decode(encoding, "replace"))
        found.add(value)
        if value.startswith("user-content-"):
            found.add(value[len("user-content-") :])
    return frozenset(found)
