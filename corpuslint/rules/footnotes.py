"""FN rules: footnote references and definitions match, each definition cites a source, and
numeric footnotes are numbered in the order they are first cited.

All of them read the shared footnote index (`corpuslint.footnotes.index`). Footnotes follow
CommonMark with GitHub's footnote extension: `[^x]` in a code span, a fenced or indented code
block, an HTML comment or block, a link destination, or written `\\[^x]` is not a reference; a
reference inside another footnote's definition counts. Labels match like link labels on GitHub:
case-insensitively, with runs of whitespace collapsed, but otherwise on their source text, so
`[^Note]` cites `[^note]:` while `[^a\\+b]` does not cite `[^a+b]:`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from corpuslint.citations import find_dates, has_marker_hint
from corpuslint.diagnostics import Edit, Fix, Problem, Severity
from corpuslint.document import Document
from corpuslint.footnotes import Definition, FootnoteIndex, Reference, index
from corpuslint.registry import RuleContext, rule

# Admonition syntaxes whose content is read as Markdown (corpuslint.markdown.dialects): "mkdocs"
# (`!!! note` / `??? note` bodies indented by four spaces), "colon" (`:::` fences). Off by default:
# GitHub shows their content as code or text.
_DIALECT_OPTION = {"container_dialects": []}


def _check_dialects(options: Mapping[str, Any]) -> None:
    """An unknown container dialect is a configuration error (read when the config is)."""
    from corpuslint.markdown.dialects import validate

    validate(options.get("container_dialects") or [])


def _index(doc: Document, ctx: RuleContext) -> FootnoteIndex:
    dialects = (ctx.options or {}).get("container_dialects") or ()
    if dialects:
        from corpuslint.markdown.dialects import validate

        try:
            dialects = validate(dialects)
        except ValueError:
            dialects = tuple(d for d in dialects if d in ("mkdocs", "colon"))
    return index(doc, tuple(dialects))


def _ref_problem(ref: Reference, message: str, **extra: object) -> Problem:
    return Problem(ref.line, ref.column, message, ref.line, ref.column + (ref.end - ref.offset), **extra)


def _def_problem(definition: Definition, message: str) -> Problem:
    width = definition.content_start - definition.offset
    return Problem(definition.line, definition.column, message, definition.line, definition.column + width)


# --- FN001 -------------------------------------------------------------------------------------


@rule("FN001", "undefined-footnote", options=_DIALECT_OPTION, validate=_check_dialects)
def undefined_footnote(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Footnote reference without a definition.

    ## What it does
    Reports every reference `[^label]` whose label no definition `[^label]: ...` in the same
    document matches, once per occurrence, at the reference's `[`.

    Labels match case-insensitively and with runs of whitespace collapsed, as GitHub matches
    them; otherwise the source text must be the same (`[^a\\+b]` is not `[^a+b]`). Text that only
    looks like a reference is ignored: `[^1]` in a code span, a code block, an HTML comment or
    block, a link destination, or escaped as `\\[^1]`.

    ## Why is this bad?
    An undefined reference renders as the literal text `[^label]` (or as a dangling link), so the
    claim it should support has no source.

    ## Example
    ```markdown
    市场份额持续上升[^3]。

    [^1]: 张三（2025/6/17）。[报告](https://example.com/r)。示例网。检索日期2025/6/17。
    ```
    Add the missing `[^3]: ...` definition, or cite an existing footnote.

    ## Options
    `container_dialects` (default `[]`): read admonition content as Markdown (`"mkdocs"`,
    `"colon"`); see docs/footnotes.md.
    """
    fn = _index(doc, ctx)
    defined = {d.key for d in fn.definitions}
    for ref in fn.references:
        if ref.key not in defined:
            yield _ref_problem(ref, f"footnote [^{ref.label}] is referenced but never defined")


# --- FN002 -------------------------------------------------------------------------------------


@rule("FN002", "unused-footnote", options=_DIALECT_OPTION, validate=_check_dialects)
def unused_footnote(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Footnote definition that nothing references.

    ## What it does
    Reports every definition `[^label]: ...` whose label no reference in the document matches,
    at the definition's `[`. A reference inside another footnote's definition counts. Labels
    match as for FN001 (case-insensitively, whitespace collapsed, otherwise on the source text).

    ## Why is this bad?
    Renderers drop unreferenced definitions (GitHub omits them from the page), so the source is
    silently lost; usually a reference was deleted or mistyped.

    ## Example
    ```markdown
    预计明年增长放缓[^1]。

    [^1]: 李四（2024/3/2）。[展望](https://example.com/a)。示例网。检索日期2024/3/2。
    [^2]: 王五（2024/3/5）。[数据](https://example.com/b)。示例网。检索日期2024/3/5。
    ```
    `[^2]` is never cited: cite it where its claim is made, or delete it.

    ## Options
    `container_dialects` (default `[]`): `["mkdocs"]` reads the content of `!!! note` /
    `??? note` admonitions (indented by four spaces, code to GitHub) as Markdown, so a footnote
    cited only there is not unused; `"colon"` does the same for `:::` fences.
    """
    fn = _index(doc, ctx)
    referenced = {r.key for r in fn.references}
    for definition in fn.definitions:
        if definition.key not in referenced:
            yield _def_problem(definition, f"footnote [^{definition.label}] is defined but never referenced")


# --- FN003 -------------------------------------------------------------------------------------


@rule("FN003", "duplicate-footnote", options=_DIALECT_OPTION, validate=_check_dialects)
def duplicate_footnote(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Footnote defined more than once.

    ## What it does
    Reports the second and every later definition of a label (labels compared as for FN001),
    naming the line of the first one.

    ## Why is this bad?
    Only the first definition is used; the others are dead text, and which source a reader sees
    depends on the renderer.

    ## Example
    ```markdown
    文中引用[^1]。

    [^1]: 赵六（2023/1/9）。[原文](https://example.com/x)。示例网。检索日期2023/1/9。
    [^1]: 钱七（2023/2/1）。[另文](https://example.com/y)。示例网。检索日期2023/2/1。
    ```
    Renumber the second definition and cite it, or delete it.

    ## Options
    `container_dialects` (default `[]`): as for FN002.
    """
    first: dict[str, Definition] = {}
    for definition in _index(doc, ctx).definitions:
        earlier = first.setdefault(definition.key, definition)
        if earlier is not definition:
            yield _def_problem(
                definition,
                f"footnote [^{definition.label}] is defined more than once "
                f"(first defined on line {earlier.line})",
            )


# --- FN004 -------------------------------------------------------------------------------------

_SOURCE = re.compile(
    r"https?://[^\s<>]"  # a bare URL, or one in a link or an autolink
    r"|\]\([ \t]*(?:<[^<>\n]+>|[^\s()<>]+)"  # an inline link or image with a destination
    r"|<[A-Za-z][A-Za-z0-9.+-]{1,31}:[^\s<>]+>",  # an autolink with any scheme
)
# What a citation says besides its link: a title in 《》 or 「」, a source name (…网。 …报。
# …新闻 …), a "source / via / 来源 / 出处" marker (dates and retrieval markers are checked apart).
_CITATION_HINT = re.compile(
    r"《[^》\n]{1,80}》|「[^」\n]{1,80}」"
    r"|(?:网|报|社|刊|杂志|日报|晚报|新闻|官网|博客|百科|频道|研究院|出版社)(?:[。.，,]|$)"
    r"|来源|出处|引自|转引|原载|见于"
    r"|\b(?:source|via|retrieved|accessed|published|vol\.|pp?\.)\b",
    re.IGNORECASE | re.MULTILINE,
)


def looks_like_citation(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether text[start:end] (a footnote's text) reads as a citation rather than a note: it
    holds a date, a retrieval marker (检索日期, accessed...), a title in 《》/「」, a source name
    or a source marker."""
    end = len(text) if end is None else end
    if has_marker_hint(text, start, end) or _CITATION_HINT.search(text, start, end):
        return True
    return next(find_dates(text, start, end), None) is not None


@rule("FN004", "footnote-without-source", severity=Severity.WARNING)
def footnote_without_source(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Citation footnote without a source link.

    ## What it does
    Reports a definition that reads as a citation but holds no URL. A definition is a citation
    when its text (continuation paragraphs included) holds a date (`2025/6/17`, `2025年6月17日`,
    `June 17, 2025`), a retrieval marker (`检索日期`, `访问于`, `retrieved`, `accessed`), a
    title in `《》` or `「」`, a source name (`…网。`, `…日报。`, `…新闻`) or a source marker
    (`来源`, `出处`, `引自`, `source`, `via`). A URL is a Markdown link or image with a
    destination (`[title](https://...)`), an autolink (`<https://...>`) or a bare `http://` or
    `https://` URL.

    A definition that is a note (an explanation, an aside, a translation: none of the above) is
    not reported: on commentary blogs most footnotes are notes. The rule is on by default (as a
    warning) because it now reports only what reads as a citation; `--ignore FN004` turns it off.

    ## Why is this bad?
    A citation without a link cannot be followed or checked, and the link checker has nothing
    to verify: usually the link was lost when the article was copied.

    ## Example
    ```markdown
    [^1]: 孙八（2025/6/17）。《年度报告》。示例网。检索日期2025/6/17。
    [^2]: 这里的“模型”指参数量超过十亿的语言模型。
    ```
    `[^1]` is reported (a date, a title, a source and a retrieval date, but no link); `[^2]` is
    a note and is not. Link the title:
    `[^1]: 孙八（2025/6/17）。[《年度报告》](https://example.com/report)。...`
    """
    text = doc.text
    for definition in index(doc).definitions:
        start, end = definition.content_start, definition.end
        if _SOURCE.search(text, start, end) or not looks_like_citation(text, start, end):
            continue
        yield _def_problem(
            definition, f"footnote [^{definition.label}] reads as a citation but has no source link"
        )


# --- FN005 -------------------------------------------------------------------------------------


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _is_number(label: str) -> bool:
    return label.isascii() and label.isdigit()


# Numeric labels above the number of footnotes plus this are names, not positions in a sequence
# (a year `[^2021]`, a PR `[^107421]`, an RFC `[^2229]`).
SLACK = 3


def sequence_labels(fn: FootnoteIndex) -> set[str]:
    """The numeric keys that take part in the document's numbering: every numeric label no
    larger than the number of distinct labels plus SLACK."""
    keys = {r.key for r in fn.references} | {d.key for d in fn.definitions}
    limit = len(keys) + SLACK
    return {key for key in keys if _is_number(key) and int(key) <= limit}


@rule("FN005", "footnote-order", severity=Severity.WARNING, fixable=True)
def footnote_order(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Numeric footnotes not numbered 1, 2, 3, ... in the order they are first cited.

    ## What it does
    Takes the numeric labels that number the footnotes (`[^1]`, `[^2]`, ...) in the order of
    their first reference (in source order, references inside definitions included) and reports,
    once per document, the first reference whose label is not the next number, e.g. `[^3] is
    cited 2nd (expected [^2])`. Non-numeric labels are not counted, and neither are numeric
    labels that are names rather than positions: a number larger than the document's count of
    footnote labels plus 3 (`[^2021]` for a year, `[^107421]` for a pull request, `[^2229]` for
    an RFC).

    The fix renumbers every reference and definition in order of first reference. It is offered
    only when every label in the document is part of the numbering (no name-like label, numeric
    or not, would be renamed), no label is defined twice, and every reference has a definition
    and every definition a reference, so the new numbers are unambiguous. Definitions keep their
    place; only their numbers change.

    ## Why is this bad?
    Rendered footnotes are numbered by first citation, so source labels in another order make the
    Markdown hard to check against the page, and a later edit easily cites the wrong source.

    ## Example
    ```markdown
    先提到甲[^2]，再提到乙[^1]，见 RFC 2229[^2229]。

    [^1]: 乙的来源 ...
    [^2]: 甲的来源 ...
    [^2229]: RFC 2229 ...
    ```
    `[^2]` is reported (cited 1st); `[^2229]` is a name and is not counted, so no fix is offered.
    Without it (`corpuslint check --fix`):
    ```markdown
    先提到甲[^1]，再提到乙[^2]。

    [^1]: 甲的来源 ...
    [^2]: 乙的来源 ...
    ```
    """
    fn = index(doc)
    sequence = sequence_labels(fn)
    order: dict[str, int] = {}  # numeric key -> rank of first reference
    culprit: tuple[Reference, int] | None = None
    for ref in fn.references:
        if ref.key not in sequence or ref.key in order:
            continue
        rank = order[ref.key] = len(order) + 1
        if culprit is None and ref.key != str(rank):
            culprit = (ref, rank)
    if culprit is None:
        return
    ref, rank = culprit
    message = (
        f"footnotes are not numbered in order of first reference: "
        f"[^{ref.label}] is cited {_ordinal(rank)} (expected [^{rank}])"
    )
    yield _ref_problem(ref, message, fix=_renumber(fn, order, sequence))


def _renumber(fn: FootnoteIndex, order: dict[str, int], sequence: set[str]) -> Fix | None:
    if not all(r.key in sequence for r in fn.references):
        return None
    defined = [d.key for d in fn.definitions]
    if not all(key in sequence for key in defined) or len(set(defined)) != len(defined):
        return None
    if set(defined) != set(order):
        return None
    edits = [
        Edit(r.offset + 2, r.end - 1, str(order[r.key])) for r in fn.references if r.key != str(order[r.key])
    ]
    edits += [
        Edit(d.offset + 2, d.content_start - 2, str(order[d.key]))
        for d in fn.definitions
        if d.key != str(order[d.key])
    ]
    edits.sort(key=lambda edit: edit.start)
    return Fix("renumber footnotes in order of first reference", tuple(edits))
