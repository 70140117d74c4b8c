"""FM003's fast path: a validity predicate compiled from simple schemas (see below)."""

from __future__ import annotations

from typing import Any

from corpuslint.schema_patterns import PatternTimeout, search

_MAX_CACHED_VALIDATORS = 64

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
_FAST_DRAFTS = (
    "http://json-schema.org/draft-07/schema#",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema",
)
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
            checks.append(
                lambda instance, pattern=value: not isinstance(instance, str) or _found(pattern, instance)
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


def fast_valid(validator: Any) -> Any:
    """The compiled predicate of the validator's schema, or None (then always iter_errors)."""
    cached = _FAST_VALID.get(id(validator))
    if cached is None:
        predicate = None
        meta = getattr(validator, "META_SCHEMA", None) or {}
        if meta.get("$id", meta.get("$schema")) in _FAST_DRAFTS:
            predicate = _compile_valid(validator.schema, validator)
        cached = (validator, predicate)  # the validator is kept so that its id() cannot be reused
        if len(_FAST_VALID) >= _MAX_CACHED_VALIDATORS:
            _FAST_VALID.clear()
        _FAST_VALID[id(validator)] = cached
    return cached[1]


def _found(pattern: str, text: str) -> bool:
    try:
        return search(pattern, text)
    except PatternTimeout:
        return False  # not known to be valid: iter_errors reports it
