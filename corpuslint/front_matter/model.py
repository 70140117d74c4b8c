"""The front matter of a document: its text, data, and the position of every key and value."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

JsonPath = tuple  # of str keys and int indexes

MAX_FRONT_MATTER_BYTES = 256 * 1024
MAX_VALUES = 20_000
MAX_DEPTH = 64
MAX_INT_DIGITS = 4300  # Python's own limit on int(str) (sys.int_info.default_max_str_digits)

YAML_VERSIONS = ("1.2", "1.1")
DEFAULT_YAML_VERSION = "1.2"


@dataclass
class FrontMatter:
    format: str  # "yaml" | "toml" | "json"
    raw: str
    open_line: int  # 1-based line of the opening delimiter
    raw_line: int  # 1-based line where `raw` starts
    close_line: int | None  # 1-based line of the closing delimiter; None when unclosed
    data: Any = None
    error: tuple[int, int, str] | None = None  # (line, column, message) when it does not load
    # (line, column) of every key (mapping entries) and item (sequence entries), by path, in
    # every format: a key's position is its first character (the opening quote of a quoted
    # key), an item's is its value's first character.
    positions: dict[JsonPath, tuple[int, int]] = field(default_factory=dict)
    # (path, line, column) of every repeated key after its first occurrence
    duplicates: list[tuple[JsonPath, int, int]] = field(default_factory=list)
    # (path, line, column, value) of every string scalar, for rules that inspect values; the
    # position is the scalar's first character (its opening quote when quoted)
    strings: list[tuple[JsonPath, int, int, str]] = field(default_factory=list)
    yaml_version: str = DEFAULT_YAML_VERSION  # the YAML version the data was read with (YAML only)

    @property
    def ok(self) -> bool:
        return self.error is None and isinstance(self.data, dict)

    def position(self, path: Iterable[Any]) -> tuple[int, int]:
        """The position of the nearest known key or value on `path`; the opening delimiter for the root."""
        path = tuple(path)
        for n in range(len(path), 0, -1):
            found = self.last_position(path[:n])
            if found:
                return found
        return (self.open_line, 1)

    def last_position(self, path: JsonPath) -> tuple[int, int] | None:
        """Where the value at `path` was last set (a repeated key keeps its last value), or None."""
        repeats = [(line, column) for where, line, column in self.duplicates if where == path]
        return repeats[-1] if repeats else self.positions.get(path)

    def reset(self) -> None:
        self.data = None
        self.error = None
        self.positions.clear()
        self.duplicates.clear()
        self.strings.clear()


def format_path(path: Iterable[Any]) -> str:
    """`tags[2]`, `params.author`: a path as users write it; empty for the root."""
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            part = str(part)
            if not part or any(ch in part for ch in ".[] \"'") or not part.isprintable():
                part = _quoted(part)
            text += f".{part}" if text else part
    return text


def _quoted(key: str) -> str:
    import json

    return json.dumps(key, ensure_ascii=False)


class TooBig(Exception):
    """A budget was exceeded, or a value cannot be read; `line` and `column` are file positions."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def a_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def int_too_long(digits: int, line: int, column: int) -> TooBig:
    return TooBig(
        f"front matter holds an integer of {digits} digits, over the limit of {MAX_INT_DIGITS}; "
        "write it as a string",
        line,
        column,
    )
