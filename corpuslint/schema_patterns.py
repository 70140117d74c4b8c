"""User-supplied schema `pattern`s, run with a time bound; `false` subschemas keep their path.

jsonschema runs `pattern`, `patternProperties` and the pattern part of `additionalProperties`
with `re.search`, which backtracks without limit: `^(a|a)*$` against 40 characters runs for
hours. Here they run on the `regex` package with a timeout per search (PATTERN_TIMEOUT). A
pattern that times out once is not run again in the process (its later values are reported as
not checked at once), so one hostile pattern costs at most about a second per run, whatever the
number of values. A timed-out search is reported as an FM003 violation naming the pattern.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

PATTERN_TIMEOUT = 1.0  # seconds per search
_MAX_CACHED = 512

_compiled: dict[str, Any] = {}
_slow: dict[str, str] = {}  # pattern -> why it is not run


class PatternTimeout(Exception):
    """A pattern took longer than PATTERN_TIMEOUT on a value (or did before), or the regex
    engine does not take it; the message says which."""


def search(pattern: str, text: str) -> bool:
    """Whether `pattern` matches somewhere in `text`; raises PatternTimeout when it takes too
    long (or took too long before) or cannot be compiled."""
    if pattern in _slow:
        raise PatternTimeout(_slow[pattern])
    compiled = _compiled.get(pattern)
    if compiled is None:
        import regex

        try:
            compiled = regex.compile(pattern)
        except (regex.error, ValueError, OverflowError, RecursionError) as exc:
            _slow[pattern] = f"the pattern does not compile ({exc})"
            raise PatternTimeout(_slow[pattern]) from None
        if len(_compiled) >= _MAX_CACHED:
            _compiled.clear()
        _compiled[pattern] = compiled
    try:
        # positionally, as regex's own module functions call it (string, pos, endpos, concurrent,
        # partial, timeout): keyword arguments cost ~1 us of a ~3 us search
        return compiled.search(text, None, None, None, False, PATTERN_TIMEOUT) is not None
    except TimeoutError:
        _slow[pattern] = (
            f"matching took longer than {PATTERN_TIMEOUT:g} s (the pattern backtracks; simplify it)"
        )
        raise PatternTimeout(_slow[pattern]) from None


def _timeout_error(pattern: str, instance: Any, why: PatternTimeout) -> Any:
    from jsonschema.exceptions import ValidationError

    return ValidationError(
        f"{_short(instance)} was not checked against the pattern {pattern!r}: {why}",
        validator="pattern",
        validator_value=pattern,
        instance=instance,
    )


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _descend(
    validator: Any, instance: Any, subschema: Any, path: Any, schema_path: Any = None
) -> Iterator[Any]:
    """validator.descend, except that the error of a `false` subschema keeps its path (jsonschema's
    descend returns it without one, so `"legacy": false` would be reported at the root)."""
    if subschema is not False:
        yield from validator.descend(instance, subschema, path=path, schema_path=schema_path)
        return
    from jsonschema.exceptions import ValidationError

    error = ValidationError(
        f"False schema does not allow {instance!r}",
        validator=None,
        validator_value=None,
        instance=instance,
        schema=False,
    )
    error.path.appendleft(path)
    if schema_path is not None:
        error.schema_path.appendleft(schema_path)
    yield error


def _properties(validator: Any, properties: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for name, subschema in properties.items():
        if name in instance:
            if subschema is False:
                yield from _descend(validator, instance[name], subschema, path=name, schema_path=name)
            else:
                yield from validator.descend(instance[name], subschema, path=name, schema_path=name)


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "string"):
        return
    from jsonschema.exceptions import ValidationError

    try:
        found = search(pattern, instance)
    except PatternTimeout as why:
        yield _timeout_error(pattern, instance, why)
        return
    if not found:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            try:
                found = search(pattern, key)
            except PatternTimeout as why:
                yield _timeout_error(pattern, key, why)
                continue
            if found:
                yield from _descend(validator, value, subschema, path=key, schema_path=pattern)


def _extra_keys(instance: Any, schema: Any) -> tuple[list[str], list[Any]]:
    """Keys of `instance` that neither `properties` nor `patternProperties` cover; the
    timeout errors of patterns that could not decide."""
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extra, errors = [], []
    for key in instance:
        if key in properties:
            continue
        covered = False
        for pattern in patterns:
            try:
                if search(pattern, key):
                    covered = True
                    break
            except PatternTimeout as why:
                errors.append(_timeout_error(pattern, key, why))
                covered = True  # undecided: not reported as extra
                break
        if not covered:
            extra.append(key)
    return extra, errors


def _additional_properties(validator: Any, additional: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    from jsonschema.exceptions import ValidationError

    extras, errors = _extra_keys(instance, schema)
    yield from errors
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from _descend(validator, instance[extra], additional, path=extra)
    elif not additional and extras:
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            patterns = ", ".join(repr(each) for each in sorted(schema["patternProperties"]))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {patterns}")
        else:
            shown = ", ".join(repr(each) for each in extras)
            was = "was" if len(extras) == 1 else "were"
            yield ValidationError(f"Additional properties are not allowed ({shown} {was} unexpected)")


_classes: dict[Any, Any] = {}


def timed_validator_class(cls: Any) -> Any:
    """`cls` (a jsonschema validator class) with the pattern keywords above."""
    extended = _classes.get(cls)
    if extended is None:
        from jsonschema import validators

        overrides = {
            "properties": _properties,
            "pattern": _pattern,
            "patternProperties": _pattern_properties,
            "additionalProperties": _additional_properties,
        }
        keywords = set(getattr(cls, "VALIDATORS", {}))
        extended = validators.extend(cls, {k: v for k, v in overrides.items() if k in keywords})
        _classes[cls] = extended
    return extended
