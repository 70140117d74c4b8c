"""TOML and JSON front matter: bounded loading, dates as written, exact positions."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

from corpuslint.front_matter.model import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_VALUES,
    FrontMatter,
    TooBig,
    int_too_long,
)
from corpuslint.front_matter.positions import scan_positions

# A TOML key of more than MAX_DEPTH dotted parts (in a header or before `=`): tomllib builds the
# nested tables in time and memory quadratic in the depth (24,000 levels, 157 KB: MemoryError), so
# such a key is refused before tomllib sees it (also in inline tables: a match is tried at a line
# start, `{` or `,`; each attempt is linear, as the key parts cannot overlap).
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_DEEP_TOML_KEY = re.compile(
    rf"(?:^|[{{,])[ \t]*\[{{0,2}}[ \t]*(?:{_KEY_PART}[ \t]*\.[ \t]*){{{MAX_DEPTH}}}", re.MULTILINE
)
_LONG_DIGITS = re.compile(rf"[0-9_]{{{MAX_INT_DIGITS + 1},}}")


def load_toml(fm: FrontMatter) -> None:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    deep = _DEEP_TOML_KEY.search(fm.raw)
    if deep is not None:
        raise TooBig(f"front matter nests deeper than {MAX_DEPTH} levels", *_where(fm, deep.start()))
    try:
        data = tomllib.loads(fm.raw)
    except tomllib.TOMLDecodeError as exc:
        line, column = _toml_error_position(str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", str(exc))
        fm.error = (fm.raw_line + line - 1, column, f"front matter is not valid TOML: {message}")
        return
    except ValueError as exc:  # an integer over Python's digit limit
        raise _long_integer(fm, exc) from None
    # Dates and times as the author wrote them (in RFC 3339 form), like YAML timestamps.
    fm.data = plain(data, fm)
    scan_positions(fm)


def _toml_error_position(message: str) -> tuple[int, int]:
    match = re.search(r"line (\d+), column (\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (1, 1)


def load_json(fm: FrontMatter) -> None:
    try:
        data = json.loads(fm.raw)
    except json.JSONDecodeError as exc:
        fm.error = (fm.raw_line + exc.lineno - 1, exc.colno, f"front matter is not valid JSON: {exc.msg}")
        return
    except ValueError as exc:  # an integer over Python's digit limit
        raise _long_integer(fm, exc) from None
    fm.data = plain(data, fm)
    scan_positions(fm)


def _long_integer(fm: FrontMatter, exc: ValueError) -> TooBig:
    found = _LONG_DIGITS.search(fm.raw)
    if found is None:
        return TooBig(f"front matter cannot be read: {exc}", fm.raw_line, 1)
    digits = sum(ch.isdigit() for ch in found.group(0))
    return int_too_long(digits, *_where(fm, found.start()))


def _where(fm: FrontMatter, offset: int) -> tuple[int, int]:
    return fm.raw_line + fm.raw.count("\n", 0, offset), offset - (fm.raw.rfind("\n", 0, offset) + 1) + 1


def plain(data: Any, fm: FrontMatter) -> Any:
    """Check the depth and size budgets iteratively and turn TOML dates into strings."""
    if isinstance(data, (datetime.date, datetime.time)):
        return data.isoformat()
    if not isinstance(data, (dict, list)):
        return data
    count = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        container, depth = stack.pop()
        count += len(container) + 1
        if depth > MAX_DEPTH:
            raise TooBig(f"front matter nests deeper than {MAX_DEPTH} levels", fm.raw_line, 1)
        if count > MAX_VALUES:
            raise TooBig(f"front matter has more than {MAX_VALUES} values", fm.raw_line, 1)
        items = container.items() if isinstance(container, dict) else enumerate(container)
        for key, value in list(items):
            if isinstance(value, (datetime.date, datetime.time)):
                container[key] = value.isoformat()
            elif isinstance(value, (dict, list)):
                stack.append((value, depth + 1))
    return data
