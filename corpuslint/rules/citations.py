"""CT rules: citation integrity. CT001 (the cited page's title) and CT003 (one URL, one title
across the corpus) are reported by the links phase (`corpuslint/links/phase.py`, with the helpers
in `corpuslint/citations.py`) and documented here; CT002 (retrieval dates) is a document rule
that needs no network.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator

from corpuslint.citations import find_dates, has_marker_hint, masked, parse_date, retrieval_dates
from corpuslint.diagnostics import Problem, Severity
from corpuslint.document import Document
from corpuslint.footnotes import definitions
from corpuslint.registry import RuleContext, rule


@rule("CT001", "title-mismatch", severity=Severity.WARNING, phase="links", options={"threshold": 0.5})
def title_mismatch() -> None:
    """Link text does not match the title of the cited page.

    ## What it does
    For every footnote link whose text is a title (`[标题](url)`, not a bare URL), the links
    phase reads the page with a bounded GET (the first `links.max_body` bytes, enough for the
    `<head>`) and compares the link text with the page's titles: `<title>` and the `og:title` /
    `twitter:title` meta tags, decoded with the page's charset (HTTP header, then `<meta>`, then
    UTF-8 or GB18030) and with HTML entities unescaped. It reports the link when no title is
    similar enough, and shows both titles and the score.

    Similarity works for Chinese as for English: NFKC, case folded, punctuation and spaces
    ignored; CJK text compared by character bigrams, spaced scripts by whole words (Dice
    coefficient); a title contained in the other counts as a match. The site's name around a
    title (`… - 知乎`, `…_腾讯新闻`, `… | Site`, `【站点】…`, `…丨36氪`) and subtitles after `：`
    or `，` are ignored where that improves the match. A title that several different pages of
    one host share (a site-wide `首页 - 36氪`) is not compared. The option `threshold` (0..1,
    default 0.5) is the lowest score that counts as a match; unrelated titles score near 0,
    one article under two wordings about 0.6.

    Only pages answering with an HTML 200 (after redirects) are compared; broken links are
    LK001's business. Off with `--no-links`, like every check that makes requests. Titles are
    cached with the link results.

    ## Why is this bad?
    A footnote whose URL leads to another article than the one named (a copy-paste slip, a
    URL that now serves different content) cites nothing: the reader lands on an unrelated
    page, and the link checker alone sees a healthy 200.

    ## Example
    ```markdown
    [^2]: 张三（2025/6/17）。[英伟达市值突破4万亿美元](https://www.example.com/p/334)。示例网。检索日期2025/6/19。
    ```
    ```
    news.md:60:32: CT001 link text '英伟达市值突破4万亿美元' does not match the page title
        '特斯拉第二季度交付量下滑13% | 36氪' (similarity 0.00)
    ```
    (one line, wrapped here.)
    Cite the right URL, or correct the title.
    """


@rule(
    "CT002",
    "retrieval-date",
    severity=Severity.WARNING,
    options={"today": "", "max_days_after_article": 30, "date_key": "date"},
)
def retrieval_date(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Retrieval date in a footnote is impossible or implausible.

    ## What it does
    Finds the retrieval date of each footnote definition (`检索日期2025/6/19`,
    `检索于2025年6月19日`, `访问日期：2025-06-19`, `2025/6/19访问`, `Retrieved 2025-06-19`,
    `accessed June 19, 2025`) and reports it, at the date, when it is

    * in the future: later than today plus one day (time zones). The option `today`
      (`"YYYY-MM-DD"`) fixes the date to compare with; empty means the current date;
    * earlier than the cited item's own date: the first full date of the same definition
      outside link texts and URLs, as in `作者（2025/6/17）`. A source cannot be read before it
      was published;
    * more than `max_days_after_article` days (default 30) after the article's own date, the
      front-matter key `date_key` (default `date`). Retrieval dates before the article are fine.

    Dates are full dates only: `2025/6/19`, `2025-06-19`, `2025.6.19`, `2025年6月19日`,
    `June 19, 2025`, `19 June 2025`.

    This is a document rule that needs no network: unlike CT001 and CT003 it stays on with
    `--no-links` (and is off with `--links-only`). A file's result is cached until the file, the
    configuration or corpuslint changes, so a warning about a future date may outlive the date
    in a warm cache; set `today` or clear the cache when that matters.

    ## Why is this bad?
    A retrieval date records when the source was seen as cited. One in the future or before
    the source existed is a typo (often the year), and one long after the article was written
    suggests the footnote was swapped later without the article being checked again.

    ## Example
    ```markdown
    ---
    date: 2025-06-19
    ---
    [^1]: 张三（2025/6/17）。[报告](https://www.example.com/p/334)。示例网。检索日期2025/6/15。
    ```
    ```
    news.md:4:65: CT002 retrieval date 2025-06-15 is earlier than the cited item's date 2025-06-17
    ```
    """
    text = doc.text
    if not has_marker_hint(text):
        return
    defs = definitions(doc)
    if not defs:
        return
    options = ctx.options
    today = _today(ctx)
    article = _article_date(doc, str(options.get("date_key", "date") or "date"))
    margin = options.get("max_days_after_article", 30)
    for definition in defs:
        start, end = definition.content_start, definition.end
        if not has_marker_hint(text, start, end):
            continue
        source = text[start:end]
        # URLs and link texts hold dates that are not the item's (`/2025/06/17/`, a title).
        plain = masked(source, _link_spans(source))
        dates = list(find_dates(plain))
        retrieved = retrieval_dates(plain, dates=dates) if dates else []
        if not retrieved:
            continue
        taken = {(s, e) for _d, s, e in retrieved}
        item = next((d for d, s, e in dates if (s, e) not in taken and s < retrieved[0][1]), None)
        for when, date_start, date_end in retrieved:
            message = None
            if when > today + _dt.timedelta(days=1):
                message = f"retrieval date {when} is in the future (today is {today})"
            elif item is not None and when < item:
                message = f"retrieval date {when} is earlier than the cited item's date {item}"
            elif article is not None and isinstance(margin, (int, float)) and (when - article).days > margin:
                message = (
                    f"retrieval date {when} is {(when - article).days} days after the article's date "
                    f"{article} (more than {margin:g})"
                )
            if message is None:
                continue
            line, column = doc.position(start + date_start)
            end_line, end_column = doc.position(start + date_end)
            yield Problem(line, column, message, end_line, end_column)


_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\((?:<[^>\n]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+[^)]*)?\)"
)
_BARE_URL = re.compile(r"(?:https?://|www\.)[^\s<>()（）【】「」，。；！？、]+", re.IGNORECASE)
_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]*>")


def _link_spans(source: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _LINK.finditer(source)]
    spans += [m.span() for m in _AUTOLINK.finditer(source)]
    spans += [m.span() for m in _BARE_URL.finditer(source)]
    return spans


def _today(ctx: RuleContext) -> _dt.date:
    for value in (ctx.options.get("today"), ctx.settings.get("today") if ctx.settings else None):
        if value:
            found = parse_date(value)
            if found is not None:
                return found
    return _dt.date.today()


def _article_date(doc: Document, key: str) -> _dt.date | None:
    fm = doc.front_matter
    if fm is None or not fm.ok:
        return None
    return parse_date(fm.data.get(key))


@rule("CT003", "inconsistent-citation-title", severity=Severity.WARNING, phase="links")
def inconsistent_citation_title() -> None:
    """The same URL is cited with different titles across the corpus.

    ## What it does
    Collects the footnote links of every checked document and groups them by URL, compared
    loosely: scheme and host case, a default port, a trailing slash and the `#fragment` do not
    matter. When the link texts of one URL differ (beyond case, full-/half-width forms,
    whitespace and punctuation), each of those citations is reported, naming the other titles
    and where one of them is.

    Bare URLs (whose text is the URL itself) are not compared. Reported by the links phase
    from the documents of the run, without any request; off with `--no-links`.

    ## Why is this bad?
    One source has one title. Two titles for it mean one citation was mistyped, abridged or
    paraphrased, or that one of the URLs points at the wrong page; readers comparing articles
    see two names for the same source.

    ## Example
    ```markdown
    <!-- a.md -->
    [^1]: 张三（2025/6/17）。[英伟达市值突破4万亿美元](https://www.example.com/p/334)。示例网。
    <!-- b.md -->
    [^4]: 张三（2025/6/17）。[英伟达成全球首家4万亿美元公司](https://www.example.com/p/334)。示例网。
    ```
    ```
    a.md:12:32: CT003 the same URL is also cited as '英伟达成全球首家4万亿美元公司' (b.md:30)
    b.md:30:34: CT003 the same URL is also cited as '英伟达市值突破4万亿美元' (a.md:12)
    ```
    """
