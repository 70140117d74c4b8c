"""FM003's fast path: an exact validity predicate compiled from plain schemas, without jsonschema.

Most front matters are valid, and telling so is all FM003 has to do for them. jsonschema's
`iter_errors` walks the schema with a descend/evolve per keyword (0.3-1 ms a document), and
importing jsonschema costs a one-file run (what a pre-commit hook pays) 100-150 ms. For schemas
made only of the keywords below, `predicate(schema)` returns a function that answers
`instance -> bool` with jsonschema's semantics, or raises `Unknown` where it is not sure (a
value whose equality jsonschema defines subtly, a pattern that timed out, a format library that
raised). Only a front matter it does not call valid goes to jsonschema, which then finds the
errors and their messages (or none). Any other keyword anywhere in the schema (`$ref`,
`multipleOf`, `patternProperties`, `unevaluatedProperties`, …) disables the predicate.

It earns its place by measurement (bench/README.md, "FM003's predicate"): a cold one-file run
imports no jsonschema for a valid document, and `--select FM,FN` spends ~20% (bench corpus)
to ~45% (MDN's CSS pages) of its time in iter_errors on valid front matter.
tests/test_schema_fast.py compares it with jsonschema on generated schemas and instances.
"""

from __future__ import annotations

import importlib.util
import numbers
import re
from collections.abc import Callable
from typing import Any

from corpuslint.schema_patterns import PatternTimeout, search

Check = Callable[[Any], bool]


class Unknown(Exception):
    """The predicate cannot tell; jsonschema decides."""


class _NotCompiled(Exception):
    pass


DRAFTS = frozenset(
    (
        "http://json-schema.org/draft-07/schema#",
        "http://json-schema.org/draft-07/schema",
        "https://json-schema.org/draft/2019-09/schema",
        "https://json-schema.org/draft/2020-12/schema",
    )
)
_ANNOTATIONS = frozenset(
    (
        "$schema",
        "$id",
        "$comment",
        "$anchor",
        "$defs",
        "definitions",  # reached only through a $ref, which disables the predicate
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
    )
)


def _integer(value: Any) -> bool:  # jsonschema._types.is_integer
    if isinstance(value, bool):
        return False
    if isinstance(value, float) and value.is_integer():
        return True
    return isinstance(value, int)


def _number(value: Any) -> bool:  # jsonschema._types.is_number
    return not isinstance(value, bool) and isinstance(value, numbers.Number)


_TYPES: dict[str, Check] = {  # jsonschema's type checker of drafts 4 to 2020-12
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _number,
    "integer": _integer,
}


def predicate(schema: Any) -> Check | None:
    """The exact predicate of a root schema, or None when it uses what this module does not do."""
    if isinstance(schema, dict) and "$schema" in schema and schema["$schema"] not in DRAFTS:
        return None
    try:
        return _compile(schema)
    except (_NotCompiled, RecursionError, TypeError, ValueError):
        return None


def is_valid(check: Check, instance: Any) -> bool | None:
    """True or False as jsonschema would say, None when the predicate cannot tell."""
    try:
        return bool(check(instance))
    except Exception:  # noqa: BLE001  (Unknown, or a comparison jsonschema would fail on too)
        return None


def _compile(schema: Any) -> Check:
    if schema is True:
        return lambda instance: True
    if schema is False:
        return lambda instance: False
    if not isinstance(schema, dict):
        raise _NotCompiled
    checks: list[Check] = []
    late: list[Check] = []  # formats: their libraries are imported on first use (~20 ms for uri)
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS or keyword in ("then", "else"):
            continue
        make = _KEYWORDS.get(keyword)
        if make is None:
            raise _NotCompiled
        made = make(value, schema)
        if made is not None:
            (late if keyword == "format" or _mentions_format(value) else checks).append(made)
    checks += late  # a conjunction: the order changes nothing but what is computed first
    if not checks:
        return lambda instance: True
    if len(checks) == 1:
        return checks[0]
    every = tuple(checks)
    return lambda instance: all(check(instance) for check in every)


def _mentions_format(schema: Any) -> bool:
    """Whether a subschema has a `format` anywhere (values of enum, const and examples aside)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "format" in node:
                return True
            stack.extend(v for k, v in node.items() if k not in ("enum", "const", "examples", "default"))
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _count(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise _NotCompiled
    return value


def _type(value: Any, _schema: dict) -> Check:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n in _TYPES for n in names):
        raise _NotCompiled
    tests = tuple(_TYPES[n] for n in names)
    return lambda instance: any(test(instance) for test in tests)


def _required(value: Any, _schema: dict) -> Check:
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise _NotCompiled
    keys = tuple(value)
    return lambda instance: not isinstance(instance, dict) or all(k in instance for k in keys)


def _properties(value: Any, _schema: dict) -> Check:
    if not isinstance(value, dict):
        raise _NotCompiled
    subs = tuple((key, _compile(sub)) for key, sub in value.items())

    def properties(instance: Any) -> bool:
        if not isinstance(instance, dict):
            return True
        for key, sub in subs:
            if key in instance and not sub(instance[key]):
                return False
        return True

    return properties


def _additional(value: Any, schema: dict) -> Check:
    if "patternProperties" in schema:
        raise _NotCompiled
    named = schema.get("properties", {})
    if not isinstance(named, dict):
        raise _NotCompiled
    known = frozenset(named)
    sub = _compile(value)
    return lambda instance: (
        not isinstance(instance, dict) or all(sub(item) for key, item in instance.items() if key not in known)
    )


def _property_count(value: Any, schema: dict, *, least: bool) -> Check:
    n = _count(value)
    if least:
        return lambda instance: not isinstance(instance, dict) or len(instance) >= n
    return lambda instance: not isinstance(instance, dict) or len(instance) <= n


def _items(value: Any, schema: dict) -> Check:
    if isinstance(value, list) or "prefixItems" in schema or "additionalItems" in schema:
        raise _NotCompiled  # the tuple forms
    sub = _compile(value)
    return lambda instance: not isinstance(instance, list) or all(map(sub, instance))


def _item_count(value: Any, schema: dict, *, least: bool) -> Check:
    n = _count(value)
    if least:
        return lambda instance: not isinstance(instance, list) or len(instance) >= n
    return lambda instance: not isinstance(instance, list) or len(instance) <= n


def _unique(value: Any, _schema: dict) -> Check | None:
    if value is False:
        return None
    if value is not True:
        raise _NotCompiled

    def unique(instance: Any) -> bool:
        if not isinstance(instance, list):
            return True
        if not all(type(item) is str for item in instance):
            raise Unknown  # jsonschema's equality of numbers, booleans and containers is subtler
        return len(set(instance)) == len(instance)

    return unique


def _plain(value: Any) -> bool:
    return value is None or type(value) in (str, bool)


def _equal_plain(instance: Any, value: Any) -> bool:
    """jsonschema's `equal` where one side is a string, a boolean or null."""
    if isinstance(instance, str) or isinstance(value, str):
        return instance == value
    if isinstance(instance, bool) or isinstance(value, bool):
        return type(instance) is type(value) and instance == value  # unbool: True is not 1
    return instance is None and value is None


def _enum(value: Any, _schema: dict) -> Check:
    if not isinstance(value, list):
        raise _NotCompiled
    options = tuple(value)

    def enum(instance: Any) -> bool:
        if not _plain(instance):
            raise Unknown
        for option in options:
            if _plain(option) and _equal_plain(instance, option):
                return True
            # a number or container never equals a string, a boolean or null (jsonschema's unbool)
        return False

    return enum


def _const(value: Any, schema: dict) -> Check:
    return _enum([value], schema)


def _length(value: Any, _schema: dict, *, least: bool) -> Check:
    n = _count(value)
    if least:
        return lambda instance: not isinstance(instance, str) or len(instance) >= n
    return lambda instance: not isinstance(instance, str) or len(instance) <= n


def _pattern(value: Any, _schema: dict) -> Check:
    if not isinstance(value, str):
        raise _NotCompiled

    def pattern(instance: Any) -> bool:
        if not isinstance(instance, str):
            return True
        try:
            return search(value, instance)
        except PatternTimeout:
            raise Unknown from None  # jsonschema (corpuslint's timed validator) reports it

    return pattern


def _bound(value: Any, _schema: dict, *, keyword: str) -> Check:
    if type(value) not in (int, float):
        raise _NotCompiled
    compare: Callable[[Any], bool] = {
        "minimum": lambda v: v >= value,
        "maximum": lambda v: v <= value,
        "exclusiveMinimum": lambda v: v > value,
        "exclusiveMaximum": lambda v: v < value,
    }[keyword]
    return lambda instance: not _number(instance) or compare(instance)


def _combination(value: Any, _schema: dict, *, how: str) -> Check:
    if not isinstance(value, list) or not value:
        raise _NotCompiled
    if how == "anyOf":  # the branches without a format first (`images/a.png` never needs the uri check)
        value = sorted(value, key=_mentions_format)
    branches = tuple(_compile(branch) for branch in value)
    if how == "anyOf":
        return lambda instance: any(branch(instance) for branch in branches)
    if how == "allOf":
        return lambda instance: all(branch(instance) for branch in branches)
    return lambda instance: sum(1 for branch in branches if branch(instance)) == 1  # oneOf


def _not(value: Any, _schema: dict) -> Check:
    sub = _compile(value)
    return lambda instance: not sub(instance)


def _if(value: Any, schema: dict) -> Check:
    condition = _compile(value)
    then = _compile(schema.get("then", True))
    otherwise = _compile(schema.get("else", True))
    return lambda instance: then(instance) if condition(instance) else otherwise(instance)


# --- formats: the functions jsonschema's FORMAT_CHECKER of these drafts uses ----------------------

_RE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)  # jsonschema._format._RE_DATE


def _is_date(text: str) -> bool:
    from datetime import date

    return bool(_RE_DATE.fullmatch(text) and date.fromisoformat(text))


def _is_datetime(text: str) -> bool:
    from rfc3339_validator import validate_rfc3339

    return bool(validate_rfc3339(text.upper()))


def _is_uri(text: str) -> bool:
    from rfc3986_validator import validate_rfc3986

    return bool(validate_rfc3986(text, rule="URI"))


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _format_function(name: str) -> tuple[Callable[[str], bool], type[Exception] | None] | None:
    """What jsonschema checks `name` with and the exception it registers as "invalid", when this
    module knows it for sure; else None."""
    if name == "date":
        return _is_date, ValueError
    if name == "date-time" and _installed("rfc3339_validator"):
        return _is_datetime, None
    if name == "uri" and _installed("rfc3986_validator") and not _installed("rfc3987"):
        return _is_uri, None  # with rfc3987 installed jsonschema uses that instead
    return None


def _format(value: Any, _schema: dict) -> Check:
    if not isinstance(value, str):
        raise _NotCompiled
    known = _format_function(value)
    if known is None:
        raise _NotCompiled
    function, invalid = known

    def format_(instance: Any) -> bool:
        if not isinstance(instance, str):
            return True
        try:
            return function(instance)
        except Exception as exc:  # noqa: BLE001
            if invalid is not None and isinstance(exc, invalid):
                return False
            raise Unknown from None  # jsonschema says what it is

    return format_


_KEYWORDS: dict[str, Callable[[Any, dict], Check | None]] = {
    "type": _type,
    "required": _required,
    "properties": _properties,
    "additionalProperties": _additional,
    "minProperties": lambda v, s: _property_count(v, s, least=True),
    "maxProperties": lambda v, s: _property_count(v, s, least=False),
    "items": _items,
    "minItems": lambda v, s: _item_count(v, s, least=True),
    "maxItems": lambda v, s: _item_count(v, s, least=False),
    "uniqueItems": _unique,
    "enum": _enum,
    "const": _const,
    "minLength": lambda v, s: _length(v, s, least=True),
    "maxLength": lambda v, s: _length(v, s, least=False),
    "pattern": _pattern,
    "format": _format,
    "minimum": lambda v, s: _bound(v, s, keyword="minimum"),
    "maximum": lambda v, s: _bound(v, s, keyword="maximum"),
    "exclusiveMinimum": lambda v, s: _bound(v, s, keyword="exclusiveMinimum"),
    "exclusiveMaximum": lambda v, s: _bound(v, s, keyword="exclusiveMaximum"),
    "anyOf": lambda v, s: _combination(v, s, how="anyOf"),
    "allOf": lambda v, s: _combination(v, s, how="allOf"),
    "oneOf": lambda v, s: _combination(v, s, how="oneOf"),
    "not": _not,
    "if": _if,
}
