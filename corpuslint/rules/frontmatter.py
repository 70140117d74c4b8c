"""FM rules: the front matter is present, parses, follows its schema, has no repeated keys and
no template placeholders left in its values."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from corpuslint.diagnostics import Problem
from corpuslint.document import Document
from corpuslint.front_matter import format_path
from corpuslint.registry import RuleContext, rule

# --- FM001 -------------------------------------------------------------------------------------


@rule("FM001", "missing-front-matter")
def missing_front_matter(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Document has no front matter, but a schema applies to it.

    ## What it does
    Reports a document that does not open with front matter (YAML between `---` lines, TOML
    between `+++` lines, or a JSON object) when a schema applies to it, through a `[[schemas]]`
    entry in the configuration.

    ## Why is this bad?
    Without front matter the site generator has no title, no date and no draft flag for the
    page: it is published untitled, undated or not at all, and nothing else in the schema can
    be checked.

    ## Example
    ```markdown
    OpenAI and its partners announced ...
    ```

    Use instead:
    ```markdown
    ---
    title: OpenAI and its partners
    date: 2025-06-25T17:10:04+08:00
    ---
    OpenAI and its partners announced ...
    ```
    """
    if ctx.schema is None or doc.front_matter is not None:
        return
    source = f" ({ctx.schema_source})" if ctx.schema_source else ""
    yield Problem(1, 1, f"document has no front matter, but a schema applies to it{source}")


# --- FM002 -------------------------------------------------------------------------------------


@rule("FM002", "invalid-front-matter")
def invalid_front_matter(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Front matter does not parse, or is not a mapping of keys to values.

    ## What it does
    Reports front matter that is not valid YAML, TOML or JSON, at the line and column of the
    syntax error; front matter that is not closed; and front matter that parses to something
    other than a mapping (a list, a single string). Front matter that is too large (over
    256 KiB), nests deeper than 64 levels (TOML dotted keys included), expands through YAML
    aliases to more than 20,000 values, or holds an integer of more than 4,300 digits is
    reported here too: it is not parsed further. YAML is read as YAML 1.2 unless the
    configuration says `[front_matter] yaml = "1.1"`.

    ## Why is this bad?
    The site generator fails on the page, or worse, some generators drop the metadata and
    publish the page without a title or date. None of the other front-matter checks can run.

    ## Example
    ```markdown
    ---
    title: Partners: a history
    ---
    ```
    A colon followed by a space starts a mapping value, so this is not valid YAML.

    Use instead:
    ```markdown
    ---
    title: "Partners: a history"
    ---
    ```
    """
    fm = doc.front_matter
    if fm is not None and fm.error is not None:
        line, column, message = fm.error
        yield Problem(line, column, message)


# --- FM003 -------------------------------------------------------------------------------------


@rule("FM003", "schema-violation")
def schema_violation(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Front matter does not follow the schema that applies to the document.

    ## What it does
    Validates the front matter against a JSON Schema (Draft 2020-12 unless the schema declares
    another draft, with formats such as `date-time` checked) and reports each violation at the
    key or list item it concerns, in YAML, TOML and JSON alike: the key by its path
    (`extra.team_url`), what the schema expects (types, allowed values, pattern, format), the
    value shortened. An unexpected key is reported at itself; a missing required key at the
    first line of the mapping that lacks it. In an `anyOf`/`oneOf` (MDN's `if`/`then`/
    `else: false` cases), the case that applies speaks. Dates are validated as written, so
    `2025-06-25T17:10:04+08:00` is a `date-time` while `昨天` or `June 25` is not.

    The schema comes from a `$schema` key in the front matter (a path relative to the document,
    inside the project), else from the first `[[schemas]]` entry whose `files` match and whose
    `exclude` does not. Its `$ref`s may reach other local schema files; nothing is ever fetched
    (see docs/schema.md). The `$schema` key itself is not validated unless the schema declares it.

    ## Why is this bad?
    Site templates rely on the front matter's shape: a `tags` string where a list is expected
    becomes a tag per character, a date the generator cannot parse sorts the article to 1970,
    and an empty title renders as a blank link.

    ## Example
    ```markdown
    ---
    title: Partners
    date: 昨天
    tags: AI
    ---
    ```
    ```
    post.md:3:1: FM003 date: '昨天' is not a 'date-time' or a 'date'
    post.md:4:1: FM003 tags: must be a list, not a string ('AI')
    ```

    Use instead:
    ```markdown
    ---
    title: Partners
    date: 2025-06-25T17:10:04+08:00
    tags: [AI]
    ---
    ```
    """
    fm = doc.front_matter
    if ctx.schema is None or fm is None or not fm.ok:
        return
    from corpuslint.schemas import fast_check_of, validator_of

    contents = getattr(ctx.schema, "contents", ctx.schema)
    data = fm.data
    properties = contents.get("properties") if isinstance(contents, dict) else None
    if isinstance(data, dict) and "$schema" in data and "$schema" not in (properties or {}):
        data = {key: value for key, value in data.items() if key != "$schema"}
    check = fast_check_of(ctx.schema)
    if check is not None:
        from corpuslint.schema_fast import is_valid

        if is_valid(check, data):
            return  # valid, as jsonschema would say (tests/test_schema_fast.py): nothing to report
    from corpuslint import schema_messages

    validator = validator_of(ctx.schema)
    try:
        yield from schema_messages.problems(validator.iter_errors(data), fm)
    except Exception as exc:  # noqa: BLE001  (a broken custom format, a $ref that points nowhere)
        source = ctx.schema_source or "the schema"
        yield Problem(fm.open_line, 1, f"{source} could not be applied: {exc}")


def _prefix(path: tuple[Any, ...]) -> str:
    shown = format_path(path)
    return f"{shown}: " if shown else ""


# --- FM004 -------------------------------------------------------------------------------------


@rule("FM004", "duplicate-key")
def duplicate_key(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Front matter repeats a key.

    ## What it does
    Reports every repetition of a key in the same mapping of the front matter, at the repeated
    key, with the line of its first occurrence.

    ## Why is this bad?
    YAML and JSON loaders keep the last value silently (TOML refuses the file, see FM002), so
    the value the author edited may not be the one that is published. Usually one of the two
    was meant to be deleted when the front matter was edited or merged.

    ## Example
    ```markdown
    ---
    title: Draft title
    date: 2025-06-25
    title: Final title
    ---
    ```
    ```
    post.md:4:1: FM004 duplicate key 'title' (first on line 2); only the last value is kept
    ```
    """
    fm = doc.front_matter
    if fm is None:
        return
    for path, line, column in fm.duplicates:
        first = fm.positions.get(tuple(path))
        where = f" (first on line {first[0]})" if first and first[0] != line else ""
        parent = format_path(path[:-1])
        inside = f" in {parent}" if parent else ""
        yield Problem(line, column, f"duplicate key {path[-1]!r}{inside}{where}; only the last value is kept")


# --- FM005 -------------------------------------------------------------------------------------

# Tokens are delimited by anything but an ASCII letter or digit, so `TODOIST` is not `TODO`
# while `image_YYYY-06.jpg` and `发布于YYYY年` hold `YYYY`.
_B = r"(?<![A-Za-z0-9])"
_E = r"(?![A-Za-z0-9])"
_DATE_PART = r"(?:YYYY|yyyy|YY|yy|MM|mm|DD|dd|HH|hh|SS|ss)"
_BUILTIN_PLACEHOLDERS = [
    # date and time templates: YYYY alone, or two or more parts joined (YYYY-MM-DD, MM-DD, HH:mm)
    rf"{_B}{_DATE_PART}(?:[-/.:]{_DATE_PART})+{_E}",
    rf"{_B}(?:YYYY|yyyy){_E}",
    # markers left for later
    rf"{_B}(?:TODO|TBD|FIXME){_E}",
    r"(?i)\blorem\s+ipsum\b",
    # template syntax: {{ .Title }}, {{title}}
    r"\{\{[^{}\n]*\}\}",
    # angle-bracket placeholders: <INSERT TITLE>, <IMAGE_URL>, <image_url>, <your title here>,
    # <placeholder>; not HTML (<b>, <br>, <a href="...">)
    r"<[A-Z][A-Z0-9]*(?:[ _-][A-Z0-9]+)+>",
    r"<[a-z][a-z0-9]*(?:_[a-z0-9]+)+>",
    r"(?i)<[^<>\n=\"'/]*\b(?:placeholder|insert|your|fill[ -]in|enter|replace|here)\b[^<>\n=\"'/]*>",
]

_PATTERN_CACHE: dict[tuple[bool, tuple[str, ...]], list[re.Pattern[str]]] = {}
_WORD = re.compile(r"^[\w][\w .-]*$")


def _placeholder_patterns(builtin: bool, extra: tuple[str, ...]) -> list[re.Pattern[str]]:
    key = (builtin, extra)
    patterns = _PATTERN_CACHE.get(key)
    if patterns is None:
        sources = list(_BUILTIN_PLACEHOLDERS) if builtin else []
        for entry in extra:
            if _WORD.match(entry):  # a word or phrase: matched as a whole token
                sources.append(rf"{_B}{re.escape(entry)}{_E}")
                continue
            try:
                re.compile(entry)
            except re.error:  # not a regular expression: matched literally
                sources.append(re.escape(entry))
            else:
                sources.append(entry)
        patterns = [re.compile(source) for source in sources]
        _PATTERN_CACHE[key] = patterns
    return patterns


_PREFILTER_CACHE: dict[tuple[bool, tuple[str, ...]], re.Pattern[str] | None] = {}


def _placeholder_prefilter(builtin: bool, extra: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern that matches somewhere in a value if and only if one of the placeholder patterns
    does (the alternation of them all): most values hold none, and one search is cheaper than
    one per pattern. None when an option is a regular expression (its groups would be renumbered)."""
    key = (builtin, extra)
    if key not in _PREFILTER_CACHE:
        sources = list(_BUILTIN_PLACEHOLDERS) if builtin else []
        combined: re.Pattern[str] | None = None
        if all(_WORD.match(entry) for entry in extra):
            sources += [rf"{_B}{re.escape(entry)}{_E}" for entry in extra]
            parts = [
                f"(?i:{source[4:]})" if source.startswith("(?i)") else f"(?:{source})" for source in sources
            ]
            try:
                combined = re.compile("|".join(parts)) if parts else None
            except re.error:  # pragma: no cover - every part compiles alone
                combined = None
        _PREFILTER_CACHE[key] = combined
    return _PREFILTER_CACHE[key]


def _option_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value if str(item))


@rule("FM005", "template-placeholder", options={"placeholders": [], "builtin": True})
def template_placeholder(doc: Document, ctx: RuleContext) -> Iterator[Problem]:
    """Front-matter value still holds a template placeholder.

    ## What it does
    Reports string values of the front matter (at any depth, list items included) that still
    hold text from a template or a generator: `YYYY` and date templates such as `YYYY-MM-DD`,
    `MM-DD` or `HH:mm`; `TODO`, `TBD`, `FIXME` (upper case); `lorem ipsum`; template syntax
    such as `{{ .Title }}`; and angle-bracket placeholders such as `<INSERT TITLE>`,
    `<image_url>` or `<your summary here>`. Tokens match whole: `TODOIST` is not `TODO`, but
    `selected_image_YYYY-06.jpg` holds `YYYY` (only letters and digits continue a token).
    The column points at the placeholder inside the value when the value is on one line.

    Options:
    - `placeholders` (list of strings, default `[]`): more placeholders. An entry made only of
      word characters, spaces, dots and hyphens (`待定`, `CHANGE ME`) matches as a whole
      token; any other entry is a regular expression (matched literally if it does not compile).
    - `builtin` (bool, default `true`): set to `false` to check only `placeholders`.

    ## Why is this bad?
    The placeholder is published: a broken image path, a summary reading `TODO`, a title
    with `{{ title }}` in it. Generators that fill templates sometimes fail silently on one
    field, and nothing else notices.

    ## Example
    ```markdown
    ---
    title: Partners
    featured_image: /images/cover_YYYY-06-25.jpg
    summary: TODO
    ---
    ```
    ```
    post.md:3:30: FM005 featured_image: template placeholder 'YYYY' left in the value
    post.md:4:10: FM005 summary: template placeholder 'TODO' left in the value
    ```

    Configure:
    ```toml
    [rules.FM005]
    placeholders = ["待定", "CHANGE ME", "\\\\[\\\\[.*?\\\\]\\\\]"]
    ```
    """
    fm = doc.front_matter
    if fm is None or not fm.ok:
        return
    options = ctx.options or {}
    builtin = options.get("builtin", True)
    builtin = True if builtin is None else bool(builtin)
    extra = _option_list(options.get("placeholders"))
    if not builtin and not extra:  # no pattern at all (every entry of `extra` is one)
        return
    prefilter = _placeholder_prefilter(builtin, extra)
    patterns: list[re.Pattern[str]] | None = None  # compiled when a value needs them: most never do
    for path, line, column, value in fm.strings:
        if prefilter is not None and prefilter.search(value) is None:
            continue
        if patterns is None:
            patterns = _placeholder_patterns(builtin, extra)
        for start, end in _matches(patterns, value):
            found = value[start:end]
            shown = found if len(found) <= 40 else found[:37] + "..."
            yield Problem(
                line,
                _column_in_value(doc, line, column, value, start, end),
                f"{_prefix(path)}template placeholder {shown!r} left in the value",
            )


def _matches(patterns: Iterable[re.Pattern[str]], value: str) -> list[tuple[int, int]]:
    spans = sorted(
        (match.start(), -match.end())
        for pattern in patterns
        for match in pattern.finditer(value)
        if match.end() > match.start()
    )
    result: list[tuple[int, int]] = []
    for start, negative_end in spans:
        end = -negative_end
        if result and start < result[-1][1]:
            continue  # overlaps a match already reported
        result.append((start, end))
    return result


def _column_in_value(doc: Document, line: int, column: int, value: str, start: int, end: int) -> int:
    """The placeholder's column when the source shows the value literally up to it, else the value's."""
    if line > len(doc.lines):
        return column
    text = doc.lines[line - 1]
    base = column - 1
    if base < len(text) and text[base] in "'\"":
        base += 1
    prefix = value[:end]
    if "\n" in prefix or text[base : base + end] != prefix:
        return column
    return base + start + 1
