"""What the TY rules count as CJK text, and the code-like tokens inside prose they leave alone.

Everything here works on the text of one prose block (see `corpuslint.rules.prose`): it never
sees code spans, code blocks, HTML or link destinations, which are not prose at all. What it
adds is the text that is prose to a Markdown parser but code or English to a reader.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

# Han (BMP and the supplementary planes), kana. Hangul is left out on purpose: Korean uses
# half-width punctuation.
_CJK_LETTER = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\U00020000-\U0003134f"
HAS_CJK = re.compile(f"[{_CJK_LETTER}]")
# What counts as a CJK neighbour: CJK letters, CJK symbols and punctuation, full-width forms.
# (Compiled on first use: a class this large takes milliseconds, and most runs never need it.)
_CJK_CONTEXT_CHARS = f"{_CJK_LETTER}\u3000-\u303f\uff01-\uff60"
PLACEHOLDER = "\ue000"  # a code span, image, footnote reference, raw HTML, autolink or math


@lru_cache(maxsize=1)
def _cjk_context() -> re.Pattern:
    return re.compile(f"[{_CJK_CONTEXT_CHARS}]")


@lru_cache(maxsize=1)
def _cjk_letters() -> re.Pattern:
    return re.compile(f"[{_CJK_LETTER}]")


def is_cjk(char: str | None) -> bool:
    """A CJK letter, CJK symbol or punctuation mark, or a full-width form."""
    return char is not None and _cjk_context().match(char) is not None


def is_cjk_letter(char: str | None) -> bool:
    return char is not None and _cjk_letters().match(char) is not None


# A block is "mostly Latin" (English text, or code the parser took for prose) when it has at
# least this many Latin words per CJK letter (a CJK letter is about half a word).
LATIN_WORDS_PER_CJK = 2
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def mostly_latin(text: str) -> bool:
    """True when `text` is not CJK text: no CJK letter, or LATIN_WORDS_PER_CJK Latin words
    per CJK letter (`from "M03L" to "M03", which is from 闰三月 to 三月`)."""
    # cjk == 0 or words >= 2 * cjk, i.e. fewer than words // 2 + 1 CJK letters: counting stops there.
    needed = len(_LATIN_WORD.findall(text)) // LATIN_WORDS_PER_CJK + 1
    found = 0
    for _ in _cjk_letters().finditer(text):
        found += 1
        if found >= needed:
            return False
    return True


# --- code-like tokens -------------------------------------------------------------------------

_STOP = r"\s<>\"'，。、；：！？（）“”‘’《》【】"
_CODE_LIKE = (
    # URLs, e-mail addresses, domain paths
    rf"(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//[^{_STOP}]+",
    rf"\bwww\.[^{_STOP}]+",
    r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+",
    rf"\b[\w\-]+(?:\.[\w\-]+)+/[^{_STOP}]*",
    # paths and file names with a line number (`./src/main.rs:10`, `~/.cargo`, `C:\Users`)
    r"(?:~|\.{1,2})?/[\w.\-]+(?:/[\w.\-]*)*(?::\d+)*",
    r"\b[A-Za-z]:\\[\w.\\\-]*",
    r"\b[\w\-]+\.[A-Za-z][A-Za-z0-9]{0,5}:\d+(?::\d+)?",
    # shortcodes and template macros (`{{< figure title="图:说明" >}}`, `{{cssxref(":hover")}}`)
    r"\{\{[\s\S]{0,2000}?\}\}",
    r"\{%[\s\S]{0,2000}?%\}",
    r"[<%][^\n]{0,400}?[>%]\}\}",  # the rest of a shortcode whose `{{` a bare URL took in
    # math the parser did not take apart: `$…$`, `$$…$$`
    r"\$\$[\s\S]{1,2000}?\$\$",
    r"(?<![\\$])\$[^$\n]{1,400}\$",
    # macros and factorials (`dbg!`, `vec![`, `n!`): a `!` stuck to a word and not to CJK after it
    rf"(?<=[A-Za-z0-9_])!(?![A-Za-z0-9_=]|[{_CJK_LETTER}])",
    # negation and operators (`!False`, `!important`, `!=`, `?.`, `??`), a lone `?` or `!`
    r"(?<![A-Za-z0-9_])[!?](?=[A-Za-z0-9_=.?!])",
    r"(?<=[A-Za-z0-9_)\]])\?(?=[.?\[(])",
    r"(?:^|(?<=\s))[!?](?=[ \t]+\S)",
    # CSS pseudo-classes and pseudo-elements (`:hover`, `::before`, `:nth-child(2n)`)
    r"(?<![A-Za-z0-9_:])::?[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?:\([^()\n]*\))?(?![A-Za-z0-9_])",
    # a conventional-commit type (`feat:`, `fix(core):`, `style: (…)`) at the start of a line
    r"^[ \t]*(?:feat|fix|docs|style|refactor|perf|test|tests|build|ci|chore|revert)"
    r"(?:\([\w\-./ ]*\))?!?:",
    # admonition markers: `::: tip 提示`, `!!! note`, `> [!NOTE]`
    r"^[ \t]*(?::{3,}|!{3}|\?{3}\+?).*$",
    r"\[![A-Za-z]+\]",
    # a Hugo/Jekyll heading attribute or VitePress anchor (`{#id}`, `{.class}`)
    r"\{[#.][^}\n]*\}",
)


# What each pattern of _CODE_LIKE needs in the text to match anywhere: every group, and of a
# group any one string (tests/test_typography_masks.py checks it against the patterns).
_NEEDS: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("//",),),
    (("www.",),),
    (("@",), (".",)),
    ((".",), ("/",)),
    (("/",),),
    ((":\\",),),
    ((".",), (":",)),
    (("{{",), ("}}",)),
    (("{%",), ("%}",)),
    (("}}",),),
    (("$$",),),
    (("$",),),
    (("!",),),
    (("!", "?"),),
    (("?",),),
    (("!", "?"),),
    ((":",),),
    ((":",),),
    ((":::", "!!!", "???"),),
    (("[!",),),
    (("{#", "{."),),
)


@lru_cache(maxsize=1)
def _code_like() -> re.Pattern:
    """All of _CODE_LIKE as one alternation (the reference `_code_like_for` must agree with)."""
    return re.compile("|".join(f"(?:{p})" for p in _CODE_LIKE), re.MULTILINE)


@lru_cache(maxsize=256)
def _code_like_subset(active: tuple[int, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{_CODE_LIKE[i]})" for i in active), re.MULTILINE)


# The characters the strings of _NEEDS are made of (and `w`, only ever in `www.`, which needs `.`).
_GATE = re.compile(r"[/@\\:{}%$!?.\[#]")


@lru_cache(maxsize=512)
def _plan(
    chars: frozenset[str],
) -> tuple[tuple[int, ...], tuple[tuple[int, tuple[tuple[str, ...], ...]], ...]]:
    """For a text holding exactly `chars` of _GATE: the patterns its characters alone admit, and
    those that also need a longer string looked up (with the groups still to look up)."""
    admitted: list[int] = []
    to_check: list[tuple[int, tuple[tuple[str, ...], ...]]] = []
    for index, needs in enumerate(_NEEDS):
        possible = [tuple(s for s in group if all(c in chars or c == "w" for c in s)) for group in needs]
        if not all(possible):
            continue
        pending = tuple(group for group in possible if not any(len(s) == 1 for s in group))
        if pending:
            to_check.append((index, pending))
        else:
            admitted.append(index)
    return tuple(admitted), tuple(to_check)


def _code_like_for(text: str) -> re.Pattern | None:
    """The alternation of only those patterns of _CODE_LIKE that can match somewhere in `text`
    (None: none can). A pattern that matches nowhere in a text never wins a position of the
    scan, so leaving it out finds the same tokens; what it saves is the attempt of every such
    pattern at every position of the text."""
    chars = frozenset(_GATE.findall(text))
    if not chars:
        return None
    admitted, to_check = _plan(chars)
    if to_check:
        found = [i for i, groups in to_check if all(any(s in text for s in group) for group in groups)]
        admitted = tuple(sorted((*admitted, *found)))
    return _code_like_subset(admitted) if admitted else None


# A line of a diagram or of code written as prose (D2, Mermaid, a config or code snippet).
_CODE_LINE = re.compile(
    r"\s*(?:[\w.\"'\-]+\s*(?:<?-+>|<-+|=>|--)\s*.*"  # arrows: `A -> B: 标签`
    r"|[\w.\"'\-]+\s*:\s*.*"  # `key: value`
    r"|.*[{}]\s*"  # braces
    r"|.*;\s*"  # statements
    r"|#.*|//.*)"  # comments
)
_DIAGRAM_HINT = re.compile(r"<?-+>|<-+|=>|[{}]")


_KEY_LINE = re.compile(r"\s*[A-Za-z_][\w.\-]*\s*:\s*\S.*")


def looks_like_code(text: str, quoted: bool = False) -> bool:
    """A block of at least two lines, each like a line of code or a diagram, with an arrow or
    braces somewhere: a snippet pasted without a fence. In a block quote, lines that are all
    `key: value` with an ASCII key are enough (a D2 diagram: `A: 甲`, `B: 乙`)."""
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) < 2:
        return False
    if quoted and all(_KEY_LINE.fullmatch(line) for line in lines):
        return True
    if not _DIAGRAM_HINT.search(text):
        return False
    return all(_CODE_LINE.fullmatch(line) for line in lines)


class Masks:
    """Sorted, non-overlapping ranges of a block's text that are not Chinese prose."""

    __slots__ = ("starts", "ends")

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                if end > merged[-1][1]:
                    merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def __contains__(self, index: int) -> bool:
        run = bisect_right(self.starts, index) - 1
        return run >= 0 and index < self.ends[run]


def code_like_masks(text: str, extra: list[tuple[int, int]] | None = None, quoted: bool = False) -> Masks:
    """The code-like tokens of `text` (see _CODE_LIKE), plus `extra` ranges; all of it when the
    block looks like code (`quoted`: it is in a block quote)."""
    spans = list(extra or ())
    if looks_like_code(text, quoted):
        spans.append((0, len(text)))
    else:
        pattern = _code_like_for(text)
        if pattern is not None:
            spans.extend(m.span() for m in pattern.finditer(text) if m.end() > m.start())
    return Masks(spans)


# --- English inside Chinese ---------------------------------------------------------------------

_LATIN_RUN = re.compile(r"[\x20-\x7e\u2019]*")  # printable ASCII and the apostrophe ’
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")
_INNER_MARK = re.compile(r"[A-Za-z0-9][,.;:!?]\s+[A-Za-z0-9]|[A-Za-z]['’][A-Za-z]")


_RUN_LIMIT = 200  # characters looked at on each side of a mark


def _latin_char(char: str) -> bool:
    """A character of _LATIN_RUN."""
    return " " <= char <= "~" or char == "\u2019"


def latin_run(text: str, index: int) -> tuple[int, int]:
    """The run of Latin text (printable ASCII, apostrophes) around `index`, at most _RUN_LIMIT
    characters on each side."""
    floor = max(0, index - _RUN_LIMIT)
    start = index - _LATIN_RUN.match(text[floor:index][::-1]).end()
    end = _LATIN_RUN.match(text, index + 1, min(len(text), index + 1 + _RUN_LIMIT)).end()
    return start, end


def ends_english_phrase(text: str, index: int) -> bool:
    """True when the mark at `index` closes or sits inside an English phrase within CJK text.

    Decided by the characters on both sides of the mark within its run of Latin text: a mark
    with Latin letters or digits on both sides belongs to the Latin text (`Hello, world`,
    `(0.0, 0.0)`); a mark at the end of a run belongs to it when the text before it is an
    English phrase, i.e. has at least two words and an English mark of its own or an
    apostrophe inside (`Hello, world! 程序`, `Don't ever grow up. Play on!`), or four words.
    A mark after one or two words (`推出 Copilot, 然后`) is Chinese punctuation.
    """
    if not index or not _latin_char(text[index - 1]):
        return False  # no Latin text before the mark (the common case in Chinese prose)
    start, end = latin_run(text, index)
    left = text[start:index].strip()
    right = text[index + 1 : end].strip(" \t()")
    if not left or not left[-1].isalnum() and left[-1] not in ")\"'’":
        return False
    if right and (right[0].isalnum() or right[0] in "\"'"):
        return True
    words = _WORD.findall(left)
    if len(words) >= 4:
        return True
    return len(words) >= 2 and _INNER_MARK.search(left) is not None
