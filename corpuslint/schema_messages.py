"""FM003 messages a user can act on: the key by its path, what was expected, at the key's line.

For every error jsonschema reports, the most specific cause is chosen: in an `anyOf`/`oneOf`, the
branches that only say "this case does not apply" (a `false` subschema, as in
`if/then/else: false`) are set aside and the branch that got deepest into the document speaks;
`allOf`, `$ref` and `if/then` errors already come out per key. The message names the key
(`extra.team_url`), says what the schema expects (types, the allowed values, the pattern, the
format, the missing key, the key that is not allowed), and shows values shortened, never the
whole front matter. Positions: the key's own line; an unexpected key at that key; a missing key
at the first line of the mapping that lacks it (its parent key, or the first key of the front
matter).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from corpuslint.diagnostics import Problem
from corpuslint.front_matter import FrontMatter, format_path

MAX_SHOWN = 60  # characters of a value in a message
MAX_CHOICES = 20  # allowed values listed


def problems(errors: Iterable[Any], fm: FrontMatter) -> list[Problem]:
    found: dict[tuple[int, int, str], Problem] = {}
    for error in errors:
        for leaf in _specific(error):
            for problem in _problems_of(leaf, fm):
                found.setdefault((problem.line, problem.column, problem.message), problem)
    return sorted(found.values(), key=lambda p: (p.line, p.column, p.message))


# --- choosing the error ---------------------------------------------------------------------------


def _is_false(error: Any) -> bool:
    """An error of a `false` subschema: "this case does not apply", not what is wrong."""
    return error.validator is None or error.schema is False


def _specific(error: Any) -> list[Any]:
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return [error]
    branches: dict[Any, list[Any]] = {}
    for sub in error.context:
        branches.setdefault(sub.schema_path[0] if sub.schema_path else None, []).append(sub)
    informative = [subs for subs in branches.values() if not all(_is_false(sub) for sub in subs)]
    if not informative:
        return [error]

    def depth(subs: list[Any]) -> int:
        return max(len(sub.relative_path) for sub in subs)

    if len(informative) > 1 and all(depth(subs) == 0 for subs in informative):
        return [error]  # "is not a 'date-time' or a 'date'": the alternatives are the message
    best = max(informative, key=lambda subs: (depth(subs), -len(subs)))
    result: list[Any] = []
    for sub in best:
        if not _is_false(sub):
            result.extend(_specific(sub))
    return result or [error]


# --- wording --------------------------------------------------------------------------------------


def short(value: Any) -> str:
    """A value as a message shows it: a string or number in repr form, cut to MAX_SHOWN; a
    mapping or a list by its size."""
    if isinstance(value, dict):
        return f"a mapping of {len(value)} key{'s' if len(value) != 1 else ''}"
    if isinstance(value, list):
        if len(value) <= 3 and all(isinstance(v, (str, int, float, bool)) or v is None for v in value):
            text = json.dumps(value, ensure_ascii=False)
            if len(text) <= MAX_SHOWN:
                return text
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    text = repr(value) if not isinstance(value, bool) else ("true" if value else "false")
    if value is None:
        text = "null"
    if len(text) > MAX_SHOWN:
        text = text[: MAX_SHOWN - 4] + "..." + text[0]
    return text


_TYPE_NAMES = {
    "string": "a string",
    "array": "a list",
    "object": "a mapping",
    "boolean": "true or false",
    "integer": "an integer",
    "number": "a number",
    "null": "null",
}


def _a_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _choices(values: Any) -> str:
    values = list(values) if isinstance(values, (list, tuple)) else [values]
    shown = ", ".join(v if isinstance(v, str) else json.dumps(v) for v in values[:MAX_CHOICES])
    if len(values) > MAX_CHOICES:
        shown += f", … ({len(values) - MAX_CHOICES} more)"
    return shown


def _types(names: Any) -> str:
    names = [names] if isinstance(names, str) else list(names)
    return " or ".join(_TYPE_NAMES.get(name, repr(name)) for name in names)


def _say(error: Any) -> str:
    """What is wrong with the value at the error's path, and what the schema expects."""
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "type":
        return f"must be {_types(expected)}, not {_a_type(value)} ({short(value)})"
    if kind == "enum":
        return f"must be one of: {_choices(expected)} (is {short(value)})"
    if kind == "const":
        return f"must be {short(expected)} (is {short(value)})"
    if kind == "pattern":
        if str(expected) in ("\\S", "[^\\s]", "\\S+", ".*\\S.*"):
            return f"{short(value)} is empty or blank"
        if "was not checked" in error.message:
            return error.message
        return f"{short(value)} does not match the pattern {expected!r}"
    if kind == "format":
        return f"{short(value)} is not a valid {expected!r}"
    if kind in ("minLength", "maxLength"):
        length = len(value) if isinstance(value, str) else 0
        bound = "at least" if kind == "minLength" else "at most"
        return f"must be {bound} {expected} characters long (is {length})"
    if kind in ("minItems", "maxItems"):
        count = len(value) if isinstance(value, list) else 0
        bound = "at least" if kind == "minItems" else "at most"
        return f"must have {bound} {expected} item{'s' if expected != 1 else ''} (has {count})"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "more than",
            "exclusiveMaximum": "less than",
        }
        return f"must be {words[kind]} {expected} (is {short(value)})"
    if kind == "multipleOf":
        return f"must be a multiple of {expected} (is {short(value)})"
    if kind == "not":
        return f"{short(value)} is not allowed here (the schema's `not` excludes it)"
    if kind in ("anyOf", "oneOf"):
        return _alternatives(error)
    if kind is None:  # a `false` subschema
        return "no value is allowed here (the schema allows nothing at this place)"
    if kind in ("minProperties", "maxProperties"):
        count = len(value) if isinstance(value, dict) else 0
        bound = "at least" if kind == "minProperties" else "at most"
        return f"must have {bound} {expected} key{'s' if expected != 1 else ''} (has {count})"
    if kind == "contains":
        return "has no item that the schema's `contains` accepts"
    return _shortened(error.message, value)


def _alternatives(error: Any) -> str:
    value, branches = error.instance, error.validator_value
    if error.validator == "oneOf" and not error.context:
        return f"{short(value)} matches more than one of the schema's oneOf alternatives"
    same_place = [sub for sub in error.context if not sub.relative_path and not _is_false(sub)]
    if same_place and all(sub.validator == "format" for sub in same_place):
        formats = list(dict.fromkeys(sub.validator_value for sub in same_place))
        return f"{short(value)} is not " + " or ".join(f"a {fmt!r}" for fmt in formats)
    if (
        isinstance(branches, list)
        and branches
        and all(isinstance(branch, dict) and isinstance(branch.get("title"), str) for branch in branches)
    ):
        return f"{short(value)} is not " + " or ".join(branch["title"] for branch in branches)
    if same_place and all(sub.validator == "type" for sub in same_place):
        names: list[str] = []
        for sub in same_place:
            for name in (
                [sub.validator_value] if isinstance(sub.validator_value, str) else sub.validator_value
            ):
                if name not in names:
                    names.append(name)
        return f"must be {_types(names)}, not {_a_type(value)} ({short(value)})"
    if same_place and all(sub.validator in ("enum", "const") for sub in same_place):
        allowed: list[Any] = []
        for sub in same_place:
            for item in sub.validator_value if sub.validator == "enum" else [sub.validator_value]:
                if item not in allowed:
                    allowed.append(item)
        return f"must be one of: {_choices(allowed)} (is {short(value)})"
    if same_place and all(sub.validator == "required" for sub in same_place):
        missing: list[str] = []
        for sub in same_place:
            for key in sub.validator_value:
                if isinstance(value, dict) and key not in value and key not in missing:
                    missing.append(key)
        if missing:
            return f"needs one of the keys: {_choices(missing)}"
    messages = list(dict.fromkeys(_say(sub) for sub in same_place))
    if len(messages) == 1:
        return messages[0]
    count = len(branches) if isinstance(branches, list) else 0
    return f"{short(value)} matches none of the {count} alternatives of the schema's {error.validator}"


def _shortened(message: str, value: Any) -> str:
    """jsonschema's own message with the value (which it prints in full) shortened."""
    whole = repr(value)
    if len(whole) > MAX_SHOWN and whole in message:
        message = message.replace(whole, short(value))
    if len(message) > 200:
        message = message[:197] + "..."
    return message


# --- placing --------------------------------------------------------------------------------------


def _prefix(path: tuple[Any, ...]) -> str:
    shown = format_path(path)
    return f"{shown}: " if shown else ""


def _mapping_start(fm: FrontMatter, path: tuple[Any, ...]) -> tuple[int, int]:
    """The first line of the mapping at `path`: its key, or the front matter's first key."""
    if path:
        return fm.position(path)
    top = [where for key, where in fm.positions.items() if len(key) == 1]
    return min(top) if top else (fm.open_line, 1)


def _problems_of(error: Any, fm: FrontMatter) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    kind = error.validator
    if kind in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        extra = _extra_keys(error)
        if extra:
            allowed = (
                sorted((error.schema or {}).get("properties") or {}) if isinstance(error.schema, dict) else []
            )
            hint = f" (allowed here: {_choices(allowed)})" if allowed else ""
            for key in extra:
                line, column = fm.position(path + (key,))
                yield Problem(line, column, f"{_prefix(path + (key,))}key not allowed by the schema{hint}")
            return
    if kind == "required" and isinstance(error.instance, dict):
        missing = [key for key in error.validator_value if key not in error.instance]
        line, column = _mapping_start(fm, path)
        for key in missing:
            yield Problem(line, column, f"{_prefix(path)}missing required key {key!r}")
        return
    if kind in ("dependentRequired", "dependencies") and isinstance(error.instance, dict):
        line, column = _mapping_start(fm, path)
        yield Problem(line, column, _prefix(path) + _shortened(error.message, error.instance))
        return
    if kind == "uniqueItems" and isinstance(error.instance, list):
        repeated = _first_repeat(error.instance)
        if repeated is not None:
            first, index = repeated
            line, column = fm.position(path + (index,))
            item = short(error.instance[index])
            yield Problem(
                line, column, f"{_prefix(path + (index,))}{item} is repeated (first at index {first})"
            )
            return
    if kind is None and path and isinstance(fm_parent(fm, path), dict):
        line, column = fm.position(path)
        yield Problem(line, column, f"{_prefix(path)}key not allowed by the schema")
        return
    line, column = fm.position(path) if path else _mapping_start(fm, path)
    yield Problem(line, column, _prefix(path) + _say(error))


def fm_parent(fm: FrontMatter, path: tuple[Any, ...]) -> Any:
    data = fm.data
    for part in path[:-1]:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _extra_keys(error: Any) -> list[str]:
    schema = error.schema if isinstance(error.schema, dict) else {}
    properties = schema.get("properties") or {}
    patterns = list(schema.get("patternProperties") or {})
    if patterns or error.validator == "unevaluatedProperties":
        import re

        # the keys named in the message (jsonschema's or schema_patterns'), which it matched already
        named = re.findall(r"'((?:[^'\\]|\\.)*)'", error.message.split("(", 1)[-1])
        return [key for key in error.instance if key in named and key not in properties]
    return [key for key in error.instance if key not in properties]


def _first_repeat(items: list[Any]) -> tuple[int, int] | None:
    """(first index, repeated index) of the first item equal to an earlier one, as JSON compares."""
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        try:
            key = json.dumps(item, sort_keys=True, default=repr)
        except (TypeError, ValueError):
            return None
        if key in seen:
            return seen[key], index
        seen[key] = index
    return None
