"""TY001 and TY003: punctuation width in the CJK prose of a document.

The rules look at prose only (see `corpuslint.rules.cjk_prose`): paragraphs, headings, table
cells, list items, block quotes and footnote definitions. Code spans and blocks, HTML,
autolinks, link destinations, images, math and the front matter are never prose; inside prose,
code-like tokens (URLs, paths, macros, CSS pseudo-classes, shortcodes, ...; see
`corpuslint.rules.cjk_text`) are left alone, and so are blocks and documents that are mostly
Latin script. The quotation-mark rules TY002 and TY004 live in `corpuslint.rules.quotes`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from operator import itemgetter
from typing import Any

from corpuslint.diagnostics import Edit, Fix, Problem, Severity
from corpuslint.document import Document
from corpuslint.registry import RuleContext, rule
from corpuslint.rules import quotes  # noqa: F401  (registers TY002 and TY004)
from corpuslint.rules.cjk_prose import CjkBlock, cjk_blocks, fullwidth_edit
from corpuslint.rules.cjk_text import HAS_CJK, ends_english_phrase, is_cjk

HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
FULL_TO_HALF = {v: k for k, v in HALF_TO_FULL.items()}
_KIND = {
    ",": "comma",
    ":": "colon",
    ";": "semicolon",
    "!": "exclamation mark",
    "?": "question mark",
    "(": "parenthesis",
    ")": "parenthesis",
}
# The marks each style wants full-width in CJK text. Both want `，：；！？`; they differ on
# parentheses around content: zhlint's default (and Vue's style guide) keeps them half-width,
# GB/T 15834 makes them full-width.
STYLES = {"zhlint": ",:;!?", "gbt15834": ",:;!?()"}
DEFAULT_STYLE = "zhlint"

_PUNCT = re.compile(r"[,:;!?()（）]")
_SKIP = " \t,:;!?"  # what lies between a mark and the text it belongs to
_FULL_SENTENCE = re.compile(r"[，：；！？（）]")
# A caption's number and colon (`表格 3-1: Rust 中的整型`, `示例 7-12: `use` 语句`).
_CAPTION = re.compile(
    r"(?<!\w)(?:表格?|示例|代码清单|清单|列表|图|例|代码)[ \t]*(?:[A-Z]-?)?\d+(?:[-.–]\d+)*[ \t]*:(?=[ \t]*\S)"
)


class OptionError(ValueError):
    pass


def checked_marks(options: Mapping[str, Any]) -> str:
    """The half-width marks TY001 reports: the style's, less `halfwidth`, plus `fullwidth`."""
    style = str(options.get("style") or DEFAULT_STYLE).lower()
    if style not in STYLES:
        raise OptionError(f"option `style`: unknown style {style!r} (expected one of: {', '.join(STYLES)})")
    marks = set(STYLES[style])
    for name in ("halfwidth", "fullwidth"):
        value = str(options.get(name) or "")
        unknown = [c for c in value if c not in HALF_TO_FULL and c not in FULL_TO_HALF and not c.isspace()]
        if unknown:
            raise OptionError(f"option `{name}`: not a mark TY001 knows: {''.join(unknown)!r}")
        picked = {FULL_TO_HALF.get(c, c) for c in value if not c.isspace()}
        marks = marks - picked if name == "halfwidth" else marks | picked
    return "".join(c for c in ",:;!?()" if c in marks)


# TY001's messages and fix messages, per mark (formatted once, shared by every finding)
_MESSAGES = {
    half: f"half-width {_KIND[half]} `{half}` in CJK text; use `{full}`"
    for half, full in HALF_TO_FULL.items()
}
_FIX_MESSAGES = {half: f"Replace `{half}` with `{full}`" for half, full in HALF_TO_FULL.items()}

# A half-width mark TY001 reports: (offset in doc.text or -1 when the prose map has none, the
# mark, its fix's edit or None). A tuple: a dense document has a hundred of them.
Mark = tuple[int, str, "Edit | None"]


def _neighbour_index(text: str, index: int, step: int, skip: str) -> int:
    index += step
    while 0 <= index < len(text):
        char = text[index]
        if char == "\n":
            return -1
        if char not in skip:
            return index
        index += step
    return -1


_SOURCE = itemgetter(0)


def halfwidth_marks(doc: Document, checked: str) -> list[Mark]:
    """Every half-width mark of `checked` in CJK text (what TY001 reports), in document order."""
    key = f"typography.halfwidth.{checked}"
    cached = doc.cache.get(key)
    if cached is not None:
        return cached
    marks: list[Mark] = []
    wanted = re.compile(f"[{re.escape(checked)}]") if checked else None
    for item in cjk_blocks(doc):
        if wanted is not None and wanted.search(item.block.text) and item.cjk_text:
            marks.extend(_block_marks(item, checked))
    marks.sort(key=_SOURCE)
    doc.cache[key] = marks
    return marks


def _converted_pairs(item: CjkBlock, pairs: list[tuple[int, int]]) -> set[int]:
    """Parentheses that become full-width, as a pair: CJK inside, a CJK character or full-width
    mark right before the `(` (`通用人工智能(AGI)`), or the other one already full-width. Latin inside after a space
    or Latin text (`坐标 (0.0, 0.0)`, `Claude 3 (Opus)`) stays as it is."""
    text = item.block.text
    converted: set[int] = set()
    for opening, closing in pairs:
        if text[opening] == "（" and text[closing] == "）":
            continue
        if (
            HAS_CJK.search(text, opening + 1, closing)
            or (opening and is_cjk(text[opening - 1]))
            or text[opening] == "（"
            or text[closing] == "）"
        ):
            converted.update(i for i in (opening, closing) if text[i] in "()")
    return converted


def _block_marks(item: CjkBlock, checked: str) -> Iterator[Mark]:
    block = item.block
    text = block.text
    masks = item.masks
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    sentence: list[int] = []
    for match in _PUNCT.finditer(text):
        index = match.start()
        if index in masks:
            continue
        char = text[index]
        if char in "(（":
            stack.append(index)
        elif char in ")）":
            if stack:
                pairs.append((stack.pop(), index))
        elif char in checked:
            sentence.append(index)
    # Parentheses first: a pair that becomes full-width is CJK context for the marks next to it.
    converted = _converted_pairs(item, pairs) if "(" in checked else set()
    captions = {m.end() - 1 for m in _CAPTION.finditer(text)} if ":" in checked else set()
    for index in sentence:
        char = text[index]
        if index in captions:
            yield _mark(item, index)
            continue
        prev_char = text[index - 1] if index else ""
        next_char = text[index + 1] if index + 1 < len(text) else ""
        if char in ",:" and prev_char.isdigit() and next_char.isdigit():
            continue  # 3,000 and 10:30
        if not _near_cjk(text, index, converted):
            continue
        if ends_english_phrase(text, index):
            continue  # `运行 Hello, world! 程序`
        yield _mark(item, index)
    for index in sorted(converted):
        yield _mark(item, index)


def _near_cjk(text: str, index: int, converted: set[int]) -> bool:
    """The nearest character before or after the mark on its line, past spaces and other marks,
    is CJK or a parenthesis that becomes full-width."""
    for step in (-1, 1):
        near = _neighbour_index(text, index, step, _SKIP)
        if near >= 0 and (is_cjk(text[near]) or near in converted):
            return True
    return False


def _mark(item: CjkBlock, index: int) -> Mark:
    char = item.block.text[index]
    source = item.block.source(index)
    return (source, char, fullwidth_edit(item, index, HALF_TO_FULL[char], source))


# --- the rules ----------------------------------------------------------------------------------

_OPTIONS = {"style": DEFAULT_STYLE, "halfwidth": "", "fullwidth": ""}


@rule(
    "TY001",
    "halfwidth-punctuation-in-cjk",
    severity=Severity.WARNING,
    fixable=True,
    options=_OPTIONS,
    validate=checked_marks,
)
def halfwidth_punctuation_in_cjk(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Half-width punctuation in Chinese or Japanese text.

    ## What it does
    Reports a half-width `,` `:` `;` `!` `?` next to a CJK character (spaces between do not
    matter) and fixes it to the full-width form (`，` `：` `；` `！` `？`), removing the plain
    spaces between it and the text around it (tabs, line ends and the space before an anchor
    such as `{#id}` stay). Caption colons are reported too (`表格 3-1: Rust 中的整型`).

    Which marks must be full-width is a style: `style = "zhlint"` (the default; zhlint's
    default preset and Vue's style guide) leaves parentheses half-width, `style = "gbt15834"`
    (GB/T 15834) also converts parentheses, as a pair: when the text inside contains a CJK
    character (`面子(GPT 系列)` → `面子（GPT 系列）`), when a CJK character is right before the
    opening one (`通用人工智能(AGI)`), or when the other one of the pair is already full-width.
    `halfwidth = "!?"` and `fullwidth = "()"` take marks out of or add marks to the style.

    Left alone: numbers (`3,000`, `10:30`), code spans and blocks, HTML, math, link
    destinations; code-like tokens in the prose (URLs, paths, `dbg!`, `n!`, `!False`,
    `:hover`, `::before`, shortcodes `{{< … >}}`, commit prefixes `fix:`, admonition markers);
    English phrases inside Chinese (`运行 Hello, world! 程序`); blocks and documents that are
    mostly Latin script (two Latin words or more per CJK character).

    ## Why is this bad?
    Chinese typography uses full-width punctuation; half-width marks squeezed between Han
    characters look cramped and mark text pasted from an English keyboard or a scraper.

    ## Example
    ```markdown
    昨晚,微软正式推出新产品:Copilot。
    ```

    Use instead:
    ```markdown
    昨晚，微软正式推出新产品：Copilot。
    ```
    """
    if not HAS_CJK.search(doc.body):
        return
    try:
        checked = checked_marks(ctx.options)
    except OptionError as exc:
        yield Problem(1, 1, str(exc))
        return
    position = doc.position
    for source, char, edit in halfwidth_marks(doc, checked):
        if source < 0:
            continue
        line, column = position(source)
        fix = Fix(_FIX_MESSAGES[char], (edit,)) if edit else None
        yield Problem(line, column, _MESSAGES[char], line, column + 1, fix)


@rule("TY003", "mixed-punctuation-width", severity=Severity.WARNING, options=_OPTIONS, validate=checked_marks)
def mixed_punctuation_width(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Full-width and half-width forms of the same punctuation mixed in one document's CJK text.

    ## What it does
    Counts, per mark, the full-width forms (`，` `：` `；` `！` `？`, and `（` `）` under
    `style = "gbt15834"`) in the CJK text and the half-width forms TY001 reports. When a mark is
    used in both forms, it reports once per document, at the first occurrence of the less
    frequent form, with the counts. There is no automatic fix: TY001 fixes the half-width marks
    one by one. Its options `style`, `halfwidth` and `fullwidth` are TY001's: give both rules
    the same values.

    ## Why is this bad?
    A document that uses both `，` and `,` between Chinese characters was usually assembled
    from several sources; the mix is visible to readers and hints at other pasting damage.

    ## Example
    ```markdown
    微软推出了新产品，用户反应热烈,股价上涨。
    ```
    reports `mixed punctuation width in CJK text: comma 1 full-width, 1 half-width`.
    """
    if not HAS_CJK.search(doc.body):
        return
    try:
        checked = checked_marks(ctx.options)
    except OptionError as exc:
        yield Problem(1, 1, str(exc))
        return
    half: dict[str, list[int]] = {}
    for source, char, _edit in halfwidth_marks(doc, checked):
        if source >= 0:
            half.setdefault(_KIND[char], []).append(source)
    if not half:
        return
    full: dict[str, list[int]] = {}
    for item in cjk_blocks(doc):
        if not item.cjk_text:
            continue
        for match in _FULL_SENTENCE.finditer(item.block.text):
            index = match.start()
            if FULL_TO_HALF[match.group()] in checked and not item.masked(index):
                source = item.block.source(index)
                if source >= 0:
                    full.setdefault(_KIND[FULL_TO_HALF[match.group()]], []).append(source)
    mixed = [kind for kind in half if kind in full]
    if not mixed:
        return
    half_total = sum(len(half[k]) for k in mixed)
    full_total = sum(len(full[k]) for k in mixed)
    minority = half if half_total <= full_total else full
    line, column = doc.position(min(source for kind in mixed for source in minority[kind]))
    counts = ", ".join(
        f"{kind} {len(full[kind])} full-width, {len(half[kind])} half-width" for kind in sorted(mixed)
    )
    form = "half-width" if minority is half else "full-width"
    yield Problem(
        line,
        column,
        f"mixed punctuation width in CJK text: {counts} (first {form} one here)",
        line,
        column + 1,
    )
