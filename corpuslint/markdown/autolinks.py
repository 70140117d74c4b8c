"""GFM bare-URL autolinks (`https://...`, `www....`), found in the text of a parsed block.

The parser (CommonMark) knows only `<...>` autolinks; GitHub's autolink extension also links
bare URLs. Two extents are computed for each:

* `github_end`: as cmark-gfm's autolink extension takes it (from the scheme or `www.` over any
  character but whitespace and `<`, then trailing `?!.,:*_~'"`, an unbalanced `)` and an entity
  trimmed). Everything in it renders as part of the URL on GitHub, `[^1]` included, so the
  footnote index drops references in it.
* `end`: what a reader means, for link checking and the prose map: the same, but only over plain
  text and cut at full-width punctuation (`https://a.test/p。见[公告](...)` is the URL
  `https://a.test/p` followed by prose and a link).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Full-width punctuation and the ideographic space end a bare URL: in Chinese text a citation
# reads `https://www.36kr.com/p/1。36氪。`.
CJK_STOP = "，。）」』】》〉〕：；！？、…—“”‘’（「『【《〈〔　～·｜"
_CJK_CUT = re.compile(f"[{re.escape(CJK_STOP)}]")
_TRAILING = ".,;:!?'\""
_TRIGGER = re.compile(r"(?<![A-Za-z])(?:[Hh][Tt][Tt][Pp][Ss]?|[Ff][Tt][Pp])://|www\.")
_GITHUB_END = re.compile(r"[^ \t\n\r\f\v<]*")


@dataclass(frozen=True, slots=True)
class BareUrl:
    start: int  # offset in the searched string
    end: int  # reader's extent (cut at full-width punctuation)
    github_end: int  # GitHub's extent (may run past `end`, over later inline elements)


def _host_char(char: str) -> bool:
    if char.isascii():
        return char.isalnum()
    return not unicodedata.category(char).startswith(("P", "Z"))


def _domain_length(text: str, start: int, stop: int, allow_short: bool) -> int:
    """cmark-gfm's check_domain on text[start:stop]: the domain's length, or 0 if invalid."""
    dots = underscores_last = underscores = 0
    i = start + 1
    while i < stop - 1:
        char = text[i]
        if char == "\\" and i < stop - 2:
            i += 1
            char = text[i]
        if char == "_":
            underscores += 1
        elif char == ".":
            underscores_last, underscores = underscores, 0
            dots += 1
        elif char != "-" and not _host_char(char):
            break
        i += 1
    if (underscores_last or underscores) and dots <= 10:
        return 0
    if allow_short:
        return i - start
    return i - start if dots else 0


def _trim(text: str, start: int, end: int) -> int:
    """cmark-gfm's autolink_delim: the end of the link after trimming trailing punctuation."""
    less = text.find("<", start, end)
    if less >= 0:
        end = less
    opening = text.count("(", start, end)
    closing = text.count(")", start, end)
    while end > start:
        char = text[end - 1]
        if char == ")":
            if closing <= opening:
                return end
            closing -= 1
            end -= 1
        elif char in "?!.,:*_~'\"":
            end -= 1
        elif char == ";":
            new_end = end - 2
            while new_end > start and text[new_end].isascii() and text[new_end].isalpha():
                new_end -= 1
            end = new_end if new_end < end - 2 and text[new_end] == "&" else end - 1
        else:
            return end
    return end


def _reader_end(text: str, start: int, end: int) -> int:
    cut = _CJK_CUT.search(text, start, end)
    if cut:
        end = cut.start()
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    if end > start and text[end - 1] == ")" and text.count("(", start, end) < text.count(")", start, end):
        end -= 1
    return end


def find_bare_urls(text: str, start: int, plain_end: int, line_end: int) -> list[BareUrl]:
    """Bare URLs starting in text[start:plain_end] (plain text); GitHub's extent may run to
    `line_end` (the end of the block's source)."""
    found: list[BareUrl] = []
    position = start
    while True:
        match = _TRIGGER.search(text, position, plain_end)
        if match is None:
            return found
        begin = match.start()
        if text[begin] == "w":
            domain = _domain_length(text, begin, line_end, allow_short=False)
            if not domain or not (begin == 0 or text[begin - 1] in " \t\n\r\f\v*_~("):
                position = match.end()
                continue
            after = begin + domain
        else:
            colon = text.index(":", begin)
            if match.end() >= plain_end or text[match.end()] in " \t\n<":
                position = match.end()
                continue
            after = colon + 3 + max(1, _domain_length(text, colon + 3, line_end, allow_short=True))
        github = _GITHUB_END.match(text, min(after, line_end), line_end).end()
        github = _trim(text, begin, github)
        reader = _reader_end(text, begin, min(github, plain_end))
        if github <= match.end() or reader <= match.end():
            position = match.end()
            continue
        found.append(BareUrl(begin, reader, github))
        position = max(reader, match.end())
