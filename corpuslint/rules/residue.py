"""SR rules: scrape residue, the site boilerplate a scraper carried into an article's body."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from functools import lru_cache

from corpuslint.diagnostics import Edit, Fix, Problem, Severity
from corpuslint.document import Document
from corpuslint.registry import RuleContext, rule

_PROVINCE = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

# Found anywhere in a line: specific enough never to be prose. (label, pattern)
_SEARCH: tuple[tuple[str, str], ...] = (
    ("ICP licence number", rf"[{_PROVINCE}]ICP[备证]\s*\d+号(?:-\d+)?"),
    ("public security filing number", rf"[{_PROVINCE}]公网安备\s*\d+号"),
    ("copyright footer", r"(?i:\ball\s+rights\s+reserved\b)"),
    ("copyright footer", r"^[ \t>]*(?:©|(?i:copyright)\s*(?:©|\(c\)|\d{4}))"),
    ("disclaimer", r"本站(?:所有)?(?:资料|内容|文章)?均由网友自行(?:发布|上传)"),
    ("disclaimer", r"如有侵权[，,]?\s*请(?:与我们|与本站)?联系(?:本站|我们)?(?:删除|处理)"),
)
# What each pattern of _SEARCH needs in the body to match anywhere (any one of the strings;
# "ght" in the body's ASCII letters, lower-cased: under (?i) `g`, `h` and `t` match only ASCII
# letters, so a match of `rights` or `copyright` holds an ASCII "ght"). A body is searched with
# the alternation of only the patterns it admits, which finds the same lines: a pattern that
# matches nowhere never wins a position.
_SEARCH_NEEDS: tuple[tuple[str, ...], ...] = (
    ("ICP",),
    ("公网安备",),
    ("ght",),
    ("©", "ght"),
    ("网友自行",),
    ("侵权",),
)
_ASCII_NEEDS = frozenset({"ght"})


def _search_for(body: str) -> re.Pattern | None:
    """The alternation of the _SEARCH patterns that can match in `body` (None: none can); its
    groups are named g<index into _SEARCH>."""
    letters = None
    active = []
    for index, needs in enumerate(_SEARCH_NEEDS):
        for need in needs:
            if need in _ASCII_NEEDS:
                if letters is None:
                    letters = body.encode("ascii", "ignore").lower().decode()
                if need in letters:
                    break
            elif need in body:
                break
        else:
            continue
        active.append(index)
    return _search_subset(tuple(active)) if active else None


@lru_cache(maxsize=64)
def _search_subset(active: tuple[int, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?P<g{i}>{_SEARCH[i][1]})" for i in active), re.MULTILINE)


# Template code a broken page render leaked; never looked for inside code blocks.
_TEMPLATE: tuple[tuple[str, str], ...] = (
    ("template code", r"<\?php\b|<\?="),
    ("template code", r"[;)]\s*\?>"),
    ("template code", r"=\s*date\(\s*[\"']Y[\"']"),
)

_WIDGET_WORD = r"(?:点赞|分享|评论|抢沙发|收藏|打赏|举报|转发|赞|喜欢|关注|阅读|浏览)"
_WIDGET_TOKEN = rf"{_WIDGET_WORD}\s*[(（]?\d*[)）]?"
_WIDGETS = re.compile(rf"{_WIDGET_TOKEN}(?:[\s|·/丨]+{_WIDGET_TOKEN})*")
_WIDGET_WORDS = re.compile(_WIDGET_WORD)

# A whole (stripped) line: (label, pattern).
_LINE: tuple[tuple[str, str], ...] = (
    ("copyright footer", r"©?\s*版权声明"),
    ("copyright footer", r"版权所有(?![者人方])[^。]{0,40}"),
    ("copyright footer", r"(?:本文)?版权归.{1,30}所有[^。]{0,20}[。.]?"),
    ("end-of-article marker", r"(?i:(?:-+\s*)?THE\s*END(?:\s*-+)?)"),
    ("like/share widget", r"喜欢就支持一下吧?[!！。]?"),
    ("comment widget", r"(?:请)?登录后(?:才能)?(?:发表|参与|查看)?评论.{0,8}"),
    ("comment widget", r"暂无评论(?:内容)?[。.!！]?"),
    ("comment widget", r"(?:快来)?抢沙发吧?[!！。]?"),
)
# Weak lines: residue only as part of the trailing block (a date stamp, a lone "分享").
_WEAK: tuple[tuple[str, str], ...] = (
    (
        "date stamp",
        r"(?:更新|发布|发表)(?:时间|日期|于)\s*[:：]?\s*\d{4}[-/年.]\d{1,2}[-/月.]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?",
    ),
    ("navigation", r"(?:上一篇|下一篇)\s*[:：].{0,60}"),
)
_SHORT = 60  # whole-line patterns only look at lines up to this long
# Every whole-line and weak pattern (and _WIDGETS) needs one of these: only lines with one are
# tried (tests/test_residue.py checks it against the patterns).
# (one character of each word, and THE END in any case: a character class scans fast)
_LINE_HINT = re.compile(r"[版喜登评沙更发上下点分收打举转赞关阅浏]|[Tt][Hh][Ee]\s*[Ee][Nn][Dd]")

_FENCE = re.compile(r"[ \t>]*(`{3,}|~{3,})")
_INDENTED = re.compile(r"(?: {4}|\t)")
_ATX_HEADING = re.compile(r"[ >]*#{1,6}(?:[ \t]|$)")
_SETEXT_UNDERLINE = re.compile(r"[ >]{0,3}(?:=+|-+)[ \t]*")
_TABLE_DELIMITER = re.compile(
    r"[ >]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*|[ >]*\|[ \t]*:?-+:?[ \t]*\|?[ \t]*"
)
_COMMENT = re.compile(r"<!--[\s\S]*?(?:-->|$(?![\s\S]))")


def not_prose_lines(lines: list[str]) -> tuple[set[int], set[int], set[int]]:
    """Body lines that are fenced code, indented code (any line indented four spaces or a tab:
    an over-approximation, it only keeps template code from being reported), and the other
    lines that are never residue: HTML comments, headings (ATX and setext), table rows."""
    fenced: set[int] = set()
    never: set[int] = set()
    indented = {i for i, line in enumerate(lines) if _INDENTED.match(line)}
    fence = None
    for index, line in enumerate(lines):
        if fence is not None:
            fenced.add(index)
            stripped = line.lstrip(" \t>")
            if stripped.startswith(fence) and not stripped[len(fence) :].strip(fence[0] + " \t"):
                fence = None
            continue
        opening = _FENCE.match(line)
        if opening and (opening.group(1)[0] == "~" or "`" not in line[opening.end() :]):
            fence = opening.group(1)
            fenced.add(index)
            continue
        if _ATX_HEADING.match(line):
            never.add(index)
        elif index and lines[index - 1].strip() and _SETEXT_UNDERLINE.fullmatch(line):
            never.update((index - 1, index))
        elif _TABLE_DELIMITER.fullmatch(line) and index and "|" in lines[index - 1]:
            row = index - 1
            while row < len(lines) and lines[row].strip() and ("|" in lines[row] or row == index):
                never.add(row)
                row += 1
    if "<!--" in "".join(lines):
        body = "\n".join(lines)
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line) + 1)
        for match in _COMMENT.finditer(body):
            first = bisect_right(starts, match.start()) - 1
            last = bisect_right(starts, max(match.start(), match.end() - 1)) - 1
            never.update(range(first, last + 1))
    return fenced, indented - fenced, never - fenced


def _included(path: str, patterns: tuple[str, ...]) -> bool:
    """`path` (or a trailing part of it: the path shown may be absolute) matches a glob."""
    from corpuslint.globs import matches

    parts = path.replace("\\", "/").lstrip("/").split("/")
    return any(matches("/".join(parts[i:]), patterns) for i in range(len(parts)))


@lru_cache(maxsize=1)
def _builtin() -> tuple[re.Pattern, tuple[str, ...], re.Pattern, tuple, tuple]:
    combined = _search_subset(tuple(range(len(_SEARCH))))  # all of them (see _search_for)
    labels = tuple(label for label, _ in _SEARCH)
    template = re.compile("|".join(p for _, p in _TEMPLATE))
    line = tuple((label, re.compile(p)) for label, p in _LINE)
    weak = tuple((label, re.compile(p)) for label, p in _WEAK)
    return combined, labels, template, line, weak


@lru_cache(maxsize=32)
def _custom(patterns: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p, re.MULTILINE) for p in patterns)


def _patterns_option(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence):
        return tuple(str(v) for v in value)
    return ()


@rule(
    "SR001",
    "scrape-residue",
    severity=Severity.WARNING,
    fixable=True,
    options={"builtin": True, "patterns": [], "include": []},
)
def scrape_residue(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Site boilerplate left in the body by a scraper.

    ## What it does
    Reports, line by line, what a web page carries around an article and a scraper copied in:
    copyright footers (`© 版权声明`, `版权所有`, `Copyright © 2020`, `All rights reserved`),
    like/share/comment widgets (`点赞5 分享`, `评论 抢沙发`, `请登录后发表评论`, `暂无评论`,
    `喜欢就支持一下吧`, `THE END`), ICP licence and public-security filing numbers
    (`京ICP备12345678号`), disclaimers (`本站资料均由网友自行发布`, `如有侵权请联系删除`) and
    leaked template code (`<?php`, `?>`, `=date("Y",time());`).

    Widget and footer phrases match only as a whole short line: a sentence that mentions 分享 or
    评论 is prose. Licence numbers, "all rights reserved" and the disclaimers match anywhere in a
    line. A date stamp (`更新时间：2025-11-01`) or a lone widget word counts only when it is part
    of the trailing block.

    Never residue: the front matter, fenced code, HTML comments (a licence header such as
    `<!-- Copyright 2015 … All rights reserved. -->` belongs to the page), headings and table
    rows. Indented lines count only for whole-line widgets (scraped pages often indent their
    last lines by accident), never for template code.

    The fix removes the trailing block: from the first residue line of the run of residue (and
    blank) lines that ends the document, to the end of the file. It is unsafe (it deletes text
    and a pattern may be wrong), so it runs only with `--unsafe-fixes`. Residue in the middle of
    a document is reported without a fix.

    Options: `patterns`, extra regular expressions (searched in each line); `builtin = false`
    turns the built-in patterns off; `include`, globs of the files SR001 looks at (matched
    against the path shown, or any trailing part of it: `include = ["files/**"]` leaves out
    `static/fonts/LICENSE.md`). By default it looks at every file the config lints.

    ## Why is this bad?
    The boilerplate is not part of the article: it pollutes search, summaries and word counts,
    and tells readers the text was copied from another site.

    ## Example
    ```markdown
    这个问题，比学任何 AI 工具都重要。

    © 版权声明
    THE END
    点赞5 分享
    评论 抢沙发
    ```
    """
    options = ctx.options
    include = _patterns_option(options.get("include", ()))
    if include and not _included(doc.path, include):
        return
    builtin = bool(options.get("builtin", True))
    extra = _patterns_option(options.get("patterns", ()))
    try:
        custom = _custom(extra)
    except re.error as exc:
        yield Problem(1, 1, f"option `patterns`: invalid regular expression: {exc}")
        return
    body = doc.body
    if not body or body.isspace():  # what strip() removes, without copying the body
        return
    base = doc.body_line  # 0-based: body line i is file line base + i + 1
    lines = body.split("\n")
    found: dict[int, str] = {}  # body line index -> label
    template_found: dict[int, str] = {}
    line_found: dict[int, str] = {}
    weak_found: dict[int, str] = {}
    line_starts = doc.line_starts
    body_offset = doc.body_offset

    def line_of(position: int) -> int:  # body line index of a body offset
        return bisect_right(line_starts, body_offset + position) - 1 - base

    # Candidates first, code blocks after: only a document with a candidate pays for the parse
    # that tells which lines are fenced or indented code.
    searches: list[tuple[re.Pattern, tuple[str, ...] | str]] = [(p, "custom pattern") for p in custom]
    if builtin:
        _, labels, template, whole_line, weak = _builtin()
        admitted = _search_for(body)
        if admitted is not None:
            searches.insert(0, (admitted, labels))
    for pattern, label_of in searches:
        for match in pattern.finditer(body):
            index = line_of(match.start())
            if index in found:
                continue
            if isinstance(label_of, str):
                found[index] = label_of
            else:
                group = next(name for name, value in match.groupdict().items() if value is not None)
                found[index] = label_of[int(group[1:])]
    if builtin and ("?" in body or "date(" in body):
        for match in template.finditer(body):
            index = line_of(match.start())
            if index not in found and index not in template_found:
                template_found[index] = "template code"
    if builtin:
        # Only short lines with a hint word are tried (a match of a whole-line pattern holds one).
        for index, line in enumerate(lines):
            if len(line) > 2 * _SHORT or index in found or not _LINE_HINT.search(line):
                continue
            stripped = line.strip().lstrip(">").strip()
            if not stripped or len(stripped) > _SHORT or stripped.startswith("#"):
                continue
            label = _whole_line(stripped, whole_line)
            if label is not None:
                line_found[index] = label
            else:
                for weak_label, pattern in weak:
                    if pattern.fullmatch(stripped):
                        weak_found[index] = weak_label
                        break
                else:
                    if _WIDGETS.fullmatch(stripped):
                        weak_found[index] = "like/share widget"
    if not (found or template_found or line_found):
        return

    fenced, indented, never = not_prose_lines(lines)
    fenced |= never  # what is never residue: code, HTML comments, headings, tables
    # nothing inside fenced code counts; template code does not count in indented code either
    found = {i: label for i, label in found.items() if i not in fenced}
    for index, label in template_found.items():
        if index not in fenced and index not in indented and index not in found:
            found[index] = label
    for index, label in line_found.items():
        if index not in fenced and index not in found:
            found[index] = label
    weak_found = {i: label for i, label in weak_found.items() if i not in fenced and i not in found}

    if not found:
        return
    # The trailing run: residue and blank lines up to the end of the document.
    run_start = None
    index = len(lines) - 1
    while index >= 0:
        if index in fenced:
            break
        if not lines[index].strip():
            index -= 1
            continue
        if index in found or index in weak_found:
            run_start = index
            index -= 1
            continue
        break
    trailing = set()
    if run_start is not None and any(i in found for i in range(run_start, len(lines))):
        trailing = {i for i in range(run_start, len(lines)) if i in found or i in weak_found}
    else:
        run_start = None

    fix = None
    if run_start is not None:
        first_blank = run_start
        while first_blank > 0 and not lines[first_blank - 1].strip():
            first_blank -= 1
        start = line_starts[base + first_blank]
        if first_blank == 0 and doc.body_offset == 0:
            start = 0
        fix = Fix(
            f"Remove the trailing boilerplate ({len(trailing)} lines)",
            (Edit(start, len(doc.text), ""),),
            safe=False,
        )
    reported = sorted(set(found) | trailing)
    for index in reported:
        label = found.get(index) or weak_found[index]
        line_text = lines[index]
        column = len(line_text) - len(line_text.lstrip()) + 1
        where = " (part of the trailing block)" if index in trailing else ""
        yield Problem(
            base + index + 1,
            column,
            f"scrape residue: {label}{where}",
            base + index + 1,
            len(line_text) + 1,
            fix=fix if index == run_start else None,
        )


def _whole_line(stripped: str, patterns: tuple) -> str | None:
    for label, pattern in patterns:
        if pattern.fullmatch(stripped):
            return label
    match = _WIDGETS.fullmatch(stripped)
    if match and (
        len(_WIDGET_WORDS.findall(stripped)) >= 2 or "抢沙发" in stripped or re.search(r"\d", stripped)
    ):
        return "like/share widget"
    return None
