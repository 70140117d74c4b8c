"""FM rules: the front matter is present, parses, follows its schema, has no repeated keys and
no template placeholders left in its values."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from corpuslint.diagnostics import Problem
from corpuslint.document import Document
from corpuslint.front_matter import FrontMatter, format_path
from corpuslint.registry import RuleContext, rule

# --- schemas -----------------------------------------------------------------------------------


def load_schema(path: str) -> dict[str, Any]:
    """Read a JSON Schema file for FM003. Raises ValueError with a message fit for the user."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise ValueError(f"cannot read schema {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"schema {path} is not UTF-8: {exc.reason} at byte {exc.start}") from None
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"schema {path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(schema, dict):
        raise ValueError(f"schema {path} must be a JSON object, not {type(schema).__name__}")
    _skip_unused_format_checkers(text)
    from jsonschema import exceptions, validators

    cls = validators.validator_for(schema, default=validators.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except exceptions.SchemaError as exc:
        where = "/".join(str(part) for part in exc.absolute_path)
        raise ValueError(
            f"schema {path} is not a valid JSON Schema: {exc.message}" + (f" (at /{where})" if where else "")
        ) from None
    return schema


# jsonschema imports an optional package per format it can check, when installed; some are slow
# to import (rfc3987-syntax compiles a grammar, ~0.7 s; isoduration pulls in arrow, ~40 ms).
_FORMAT_CHECKER_MODULES = {
    "rfc3987_syntax": ('"iri',),
    "isoduration": ('"duration"',),
    "webcolors": ('"color"',),
    "uri_template": ('"uri-template"',),
    "jsonpointer": ("json-pointer",),
}


def _skip_unused_format_checkers(schema_text: str) -> None:
    """Keep the optional format-checker packages out of the process unless the schema names a
    format they check: start-up time is what a pre-commit hook pays on every commit."""
    if "jsonschema" in sys.modules:
        return
    for module, formats in _FORMAT_CHECKER_MODULES.items():
        if not any(name in schema_text for name in formats):
            sys.modules.setdefault(module, None)  # type: ignore[arg-type]


_VALIDATORS: dict[tuple[str | None, int], tuple[Any, Any]] = {}
_MAX_CACHED_VALIDATORS = 64


def _validator(schema: Mapping[str, Any], source: str | None) -> Any:
    """A compiled validator per schema, kept for the life of the (worker) process."""
    key = (source, id(schema))
    cached = _VALIDATORS.get(key)
    if cached is None:
        from jsonschema import validators

        cls = validators.validator_for(schema, default=validators.Draft202012Validator)
        # the schema is kept with its validator so that its id() cannot be reused
        cached = (schema, cls(schema, format_checker=cls.FORMAT_CHECKER))
        if len(_VALIDATORS) >= _MAX_CACHED_VALIDATORS:
            _VALIDATORS.clear()
        _VALIDATORS[key] = cached
    return cached[1]


# A valid front matter is the common case, and jsonschema's iter_errors walks the schema with a
# descend/evolve per keyword. For schemas made only of the keywords below, a predicate compiled
# once says "valid" with the same semantics; only what it does not call valid goes to
# iter_errors (which then finds the errors, or none). Any other keyword anywhere in the schema
# (a $ref, an enum, allOf, ...) disables the predicate.
_ANNOTATIONS = frozenset(
    (
        "$schema",
        "$id",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$anchor",
    )
)
_FAST_DRAFTS = ("Draft7Validator", "Draft201909Validator", "Draft202012Validator")
_PLAIN_TYPES: dict[str, Any] = {"string": str, "object": dict, "array": list, "boolean": bool}


def _compile_valid(schema: Any, validator: Any) -> Any:
    """A function instance -> bool that returns True only when `schema` accepts the instance
    (False: not known to be valid); None when the schema uses a keyword it does not handle."""
    if schema is True:
        return lambda instance: True
    if not isinstance(schema, dict):
        return None
    checks: list[Any] = []
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        if keyword == "type":
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, list) or not names or not all(n in _PLAIN_TYPES for n in names):
                return None  # numbers, integers and null follow jsonschema's own type checker
            kinds = tuple(_PLAIN_TYPES[n] for n in names)  # jsonschema's checks for these are isinstance
            checks.append(lambda instance, kinds=kinds: isinstance(instance, kinds))
        elif keyword == "required":
            if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
                return None
            keys = tuple(value)
            checks.append(
                lambda instance, keys=keys: not isinstance(instance, dict) or all(k in instance for k in keys)
            )
        elif keyword == "properties":
            if not isinstance(value, dict):
                return None
            subs = {}
            for key, subschema in value.items():
                sub = _compile_valid(subschema, validator)
                if sub is None:
                    return None
                subs[key] = sub

            def properties(instance: Any, subs: dict[str, Any] = subs) -> bool:
                if not isinstance(instance, dict):
                    return True
                for key, sub in subs.items():
                    if key in instance and not sub(instance[key]):
                        return False
                return True

            checks.append(properties)
        elif keyword == "additionalProperties":
            if value is not True:
                return None
        elif keyword == "items":
            sub = _compile_valid(value, validator)
            if sub is None:
                return None
            checks.append(lambda instance, sub=sub: not isinstance(instance, list) or all(map(sub, instance)))
        elif keyword == "uniqueItems":
            if value is True:
                # only lists of strings are judged here (jsonschema's equality is subtler for others)
                checks.append(
                    lambda instance: (
                        not isinstance(instance, list)
                        or (
                            all(type(item) is str for item in instance)
                            and len(set(instance)) == len(instance)
                        )
                    )
                )
            elif value is not False:
                return None
        elif keyword == "pattern":
            if not isinstance(value, str):
                return None
            try:
                search = re.compile(value).search
            except re.error:
                return None
            checks.append(
                lambda instance, search=search: not isinstance(instance, str) or search(instance) is not None
            )
        elif keyword in ("minLength", "maxLength"):
            if not isinstance(value, int) or isinstance(value, bool):
                return None
            if keyword == "minLength":
                checks.append(lambda instance, n=value: not isinstance(instance, str) or len(instance) >= n)
            else:
                checks.append(lambda instance, n=value: not isinstance(instance, str) or len(instance) <= n)
        elif keyword == "format":
            if not isinstance(value, str):
                return None
            checker = validator.format_checker
            if checker is not None:
                checks.append(lambda instance, name=value, checker=checker: checker.conforms(instance, name))
        elif keyword == "anyOf":
            if not isinstance(value, list) or not value:
                return None
            branches = [_compile_valid(branch, validator) for branch in value]
            if any(branch is None for branch in branches):
                return None
            checks.append(lambda instance, branches=branches: any(branch(instance) for branch in branches))
        else:
            return None
    if not checks:
        return lambda instance: True
    if len(checks) == 1:
        return checks[0]
    return lambda instance, checks=tuple(checks): all(check(instance) for check in checks)


_FAST_VALID: dict[int, tuple[Any, Any]] = {}


def _fast_valid(validator: Any) -> Any:
    """The compiled predicate of the validator's schema, or None (then always iter_errors)."""
    cached = _FAST_VALID.get(id(validator))
    if cached is None:
        predicate = None
        if type(validator).__name__ in _FAST_DRAFTS:
            predicate = _compile_valid(validator.schema, validator)
        cached = (validator, predicate)  # the validator is kept so that its id() cannot be reused
        if len(_FAST_VALID) >= _MAX_CACHED_VALIDATORS:
            _FAST_VALID.clear()
        _FAST_VALID[id(validator)] = cached
    return cached[1]


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
    256 KiB), nests deeper than 64 levels, or expands through YAML aliases to more than 20,000
    values is reported here too: it is not parsed further.

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
    key or list item it concerns; a missing required key is reported at the opening delimiter
    (or, inside a nested mapping, at its parent key). Dates are validated as written, so
    `2025-06-25T17:10:04+08:00` is a `date-time` while `昨天` or `June 25` is not.

    The schema comes from a `[[schemas]]` entry in the configuration or from a `$schema` key in
    the front matter (a path relative to the document). The `$schema` key itself is not
    validated unless the schema declares it.

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
    post.md:4:1: FM003 tags: 'AI' is not of type 'array'
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
    schema = ctx.schema
    data = fm.data
    if "$schema" in data and "$schema" not in (schema.get("properties") or {}):
        data = {key: value for key, value in data.items() if key != "$schema"}
    validator = _validator(schema, ctx.schema_source)
    predicate = _fast_valid(validator)
    if predicate is not None:
        try:
            if predicate(data):
                return
        except Exception:  # noqa: BLE001  (iter_errors below reports what it is)
            pass
    problems: list[Problem] = []
    try:
        for error in validator.iter_errors(data):
            problems.extend(_schema_problems(error, fm))
    except Exception as exc:  # an unresolvable $ref, a broken custom format: the schema's fault
        source = ctx.schema_source or "the schema"
        problems.append(
            Problem(fm.open_line, 1, f"{source} could not be applied: {type(exc).__name__}: {exc}")
        )
    problems.sort(key=lambda p: (p.line, p.column, p.message))
    yield from problems


def _schema_problems(error: Any, fm: FrontMatter) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    if error.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(
        error.instance, dict
    ):
        extra = re.findall(r"'((?:[^'\\]|\\.)*)'", error.message.split("(", 1)[-1])
        extra = [key for key in extra if key in error.instance]
        if extra:
            for key in extra:
                line, column = fm.position(path + (key,))
                message = f"{_prefix(path + (key,))}unexpected key (not allowed by the schema)"
                yield Problem(line, column, message)
            return
    if error.validator == "uniqueItems" and isinstance(error.instance, list):
        repeated = _first_repeat(error.instance)
        if repeated is not None:
            first, index = repeated
            line, column = fm.position(path + (index,))
            item = error.instance[index]
            yield Problem(
                line, column, f"{_prefix(path + (index,))}{item!r} is repeated (first at index {first})"
            )
            return
    line, column = fm.position(path)
    yield Problem(line, column, _prefix(path) + _message(error))


def _first_repeat(items: list[Any]) -> tuple[int, int] | None:
    """(first index, repeated index) of the first item equal to an earlier one, as JSON compares."""
    seen: list[tuple[int, str]] = []
    for index, item in enumerate(items):
        try:
            key = json.dumps(item, sort_keys=True, default=repr)
        except (TypeError, ValueError):
            return None
        for first, other in seen:
            if other == key:
                return first, index
        seen.append((index, key))
    return None


def _prefix(path: tuple[Any, ...]) -> str:
    shown = format_path(path)
    return f"{shown}: " if shown else ""


def _message(error: Any) -> str:
    if error.validator == "pattern" and error.validator_value in ("\\S", "[^\\s]"):
        return f"{error.instance!r} is empty or blank"
    if error.validator in ("anyOf", "oneOf") and error.context:
        same_place = [sub for sub in error.context if not sub.relative_path]
        if same_place and all(sub.validator == "format" for sub in same_place):
            formats = list(dict.fromkeys(sub.validator_value for sub in same_place))
            return f"{error.instance!r} is not " + " or ".join(f"a {fmt!r}" for fmt in formats)
        branches = error.validator_value
        if (
            isinstance(branches, list)
            and branches
            and all(isinstance(branch, dict) and isinstance(branch.get("title"), str) for branch in branches)
        ):
            return f"{error.instance!r} is not " + " or ".join(branch["title"] for branch in branches)
        messages = list(dict.fromkeys(sub.message for sub in same_place))
        if len(messages) == 1:
            return messages[0]
    return error.message


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
    patterns = _placeholder_patterns(builtin, extra)
    if not patterns:
        return
    prefilter = _placeholder_prefilter(builtin, extra)
    for path, line, column, value in fm.strings:
        if prefilter is not None and prefilter.search(value) is None:
            continue
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
