"""The house-style rules: XHS001 (author format) and XHS002 (banned words).

Everything used here is corpuslint's stable rule API, imported from `corpuslint.plugins`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from corpuslint.plugins import Document, Edit, Fix, Problem, RuleContext, Severity, prose_blocks, rule

DEFAULT_AUTHOR = r"[A-Z][a-z'’-]+(?: [A-Z][a-z'’-]+)+|[\u4e00-\u9fff·]{2,8}"


@rule(
    "XHS001",
    "author-format",
    severity=Severity.ERROR,
    options={"pattern": DEFAULT_AUTHOR, "required": True},
)
def author_format(doc: Document, context: RuleContext) -> Iterator[Problem]:
    """Front matter `author` is missing, or not written as the house style wants.

    ## What it does
    Checks that the front matter has an `author` (a string, or a list of strings) and that every
    name matches the `pattern` option as a whole: by default a capitalised given and family name
    ("Ada Lovelace") or a Chinese name of two to eight characters. `required = false` accepts a
    document without an author.

    ## Why is this bad?
    Bylines are generated from `author`; "ada", "A. Lovelace" and "Lovelace, Ada" become three
    different authors on the site.

    ## Example
    ```markdown
    ---
    title: On engines
    author: lovelace, ada
    ---
    ```
    Write `author: Ada Lovelace`.
    """
    fm = doc.front_matter
    if fm is None or not fm.ok:
        return
    try:
        pattern = _compiled(str(context.options["pattern"]))
    except re.error as exc:
        yield Problem(fm.open_line, 1, f"option `pattern` of XHS001 is not a regular expression: {exc}")
        return
    author = fm.data.get("author")
    if author is None:
        if context.options["required"]:
            yield Problem(fm.open_line, 1, "front matter has no `author`")
        return
    names = list(enumerate(author)) if isinstance(author, list) else [(None, author)]
    for index, name in names:
        path = ("author",) if index is None else ("author", index)
        line, column = fm.position(path)
        if not isinstance(name, str):
            yield Problem(line, column, f"`author` must be a name (a string), not {type(name).__name__}")
        elif not pattern.fullmatch(name.strip()):
            yield Problem(line, column, f"author {name!r} is not written as the house style wants")


@lru_cache(maxsize=16)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@rule(
    "XHS002",
    "banned-word",
    severity=Severity.WARNING,
    fixable=True,
    options={"words": ["very unique", "小编"], "replacements": {}},
)
def banned_word(doc: Document, context: RuleContext) -> Iterator[Problem]:
    """A word the house style bans, in the prose.

    ## What it does
    Reports every occurrence of the `words` option in the prose of the body: never in code
    blocks, code spans, URLs, HTML or the front matter (case-insensitively; words of letters only
    match as whole words). When the
    `replacements` option names a replacement for the word, the fix writes it.

    ## Why is this bad?
    A style guide nobody checks is not followed; this one is checked at every commit and in the
    editor.

    ## Example
    ```markdown
    小编认为这是一个 very unique 的想法。
    ```
    With `replacements = { "小编" = "编者" }`, `--fix` writes `编者认为…`.
    """
    words = [w for w in context.options["words"] if isinstance(w, str) and w.strip()]
    if not words:
        return
    replacements = {str(k).casefold(): str(v) for k, v in dict(context.options["replacements"]).items()}
    pattern = _words_pattern(tuple(words))
    # The prose map: the rendered text of every paragraph, heading and table cell, with code,
    # URLs, images and HTML each standing as one placeholder; positions map back to doc.text.
    for block in prose_blocks(doc):
        for match in pattern.finditer(block.text):
            if block.is_masked(match.start()):
                continue
            begin, last = block.source(match.start()), block.source(match.end() - 1)
            if begin < 0 or last < 0 or doc.text[begin : last + 1] != match.group(0):
                continue  # not written as it renders (an entity, an escape): no position to fix
            yield _problem(doc, match.group(0), begin, last + 1, replacements)


def _problem(doc: Document, word: str, begin: int, end: int, replacements: dict[str, str]) -> Problem:
    line, column = doc.position(begin)
    end_line, end_column = doc.position(end)
    replacement = replacements.get(word.casefold())
    fix = None
    if replacement is not None:
        fix = Fix(f"Replace `{word}` with `{replacement}`", (Edit(begin, end, replacement),))
    message = f"`{word}` is banned by the house style" + (f"; write `{replacement}`" if fix else "")
    return Problem(line, column, message, end_line, end_column, fix)


@lru_cache(maxsize=16)
def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for word in sorted(words, key=len, reverse=True):
        escaped = re.escape(word.strip())
        if word.strip()[0].isascii() and word.strip()[0].isalnum():
            escaped = r"\b" + escaped
        if word.strip()[-1].isascii() and word.strip()[-1].isalnum():
            escaped += r"\b"
        parts.append(escaped)
    return re.compile("|".join(parts), re.IGNORECASE)
