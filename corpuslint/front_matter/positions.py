"""Exact positions of keys, items and strings in TOML and JSON front matter.

tomllib and json give no positions, so after they have accepted the text (which is therefore
valid), a small scanner walks it once and records, by JSON path, where each key and each list
item starts, as the YAML builder does: TOML tables (`[extra]`), arrays of tables (`[[authors]]`),
dotted keys (`extra.team.url = ...`), inline tables and arrays; JSON objects and arrays at any
depth, repeated JSON keys included. The scanner never raises: text it does not expect ends the
walk with the positions found so far.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any

from corpuslint.front_matter.model import FrontMatter, JsonPath

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_WS = re.compile(r"[ \t]*")
_WS_NL = re.compile(r"(?:[ \t\n]+|#[^\n]*)*")  # blanks, newlines and comments
_SCALAR_END = re.compile(r"[,\]}\n#]")
_BASIC = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL = re.compile(r"'[^'\n]*'")
_ML_BASIC = re.compile(r'"""(?:[^\\]|\\[\s\S])*?"""(?!")')
_ML_LITERAL = re.compile(r"'''[\s\S]*?'''(?!')")
_JSON_TOKEN = re.compile(r'[ \t\r\n]*(?:("(?:[^"\\]|\\.)*")|([{}\[\]:,])|([^\s{}\[\]:,"]+))')


class _Stop(Exception):
    """The text is not what the scanner expects: keep what was found."""


class _Walk:
    def __init__(self, fm: FrontMatter) -> None:
        self.fm = fm
        self.text = fm.raw
        self.starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        self.strings: list[tuple[JsonPath, int, int, str]] = []

    def where(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.starts, offset) - 1
        return self.fm.raw_line + index, offset - self.starts[index] + 1

    def key_at(self, path: JsonPath, offset: int) -> None:
        self.fm.positions.setdefault(path, self.where(offset))

    def value_at(self, path: JsonPath, offset: int) -> None:
        """A scalar value: recorded in `strings` when the data holds a string there."""
        value = _lookup(self.fm.data, path)
        if isinstance(value, str):
            self.strings.append((path, *self.where(offset), value))


def _lookup(data: Any, path: JsonPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def scan_positions(fm: FrontMatter) -> None:
    """Fill `fm.positions`, `fm.duplicates` (JSON) and `fm.strings` for loaded TOML or JSON."""
    walk = _Walk(fm)
    try:
        if fm.format == "toml":
            _Toml(walk).document()
        else:
            _json(walk)
    except (_Stop, IndexError, ValueError, RecursionError):
        pass
    # a repeated JSON key keeps its last value: so does its string
    last = {path: (path, line, column, value) for path, line, column, value in walk.strings}
    fm.strings.extend(sorted(last.values(), key=lambda item: (item[1], item[2])))


# --- TOML ----------------------------------------------------------------------------------------


class _Toml:
    def __init__(self, walk: _Walk) -> None:
        self.walk = walk
        self.text = walk.text
        self.pos = 0
        self.table: JsonPath = ()
        self.last_index: dict[JsonPath, int] = {}  # array of tables (by resolved path) -> last index

    def skip(self, pattern: re.Pattern[str]) -> None:
        self.pos = pattern.match(self.text, self.pos).end()

    def expect(self, char: str) -> None:
        self.skip(_WS)
        if not self.text.startswith(char, self.pos):
            raise _Stop
        self.pos += len(char)

    def document(self) -> None:
        text = self.text
        while True:
            self.skip(_WS_NL)
            if self.pos >= len(text):
                return
            if text.startswith("[[", self.pos):
                self.pos += 2
                self.header(self.keys(), array=True)
                self.expect("]]")
            elif text[self.pos] == "[":
                self.pos += 1
                self.header(self.keys(), array=False)
                self.expect("]")
            else:
                self.key_value(self.table)

    def header(self, parts: list[tuple[str, int]], array: bool) -> None:
        path: JsonPath = ()
        for n, (key, offset) in enumerate(parts):
            path += (key,)
            self.walk.key_at(path, offset)
            last = n == len(parts) - 1
            if last and array:
                index = self.last_index.get(path, -1) + 1
                self.last_index[path] = index
                path += (index,)
                self.walk.fm.positions[path] = self.walk.where(offset)
            elif path in self.last_index:
                path += (self.last_index[path],)
        self.table = path

    def keys(self) -> list[tuple[str, int]]:
        """A dotted key: its parts and where each starts."""
        parts = []
        while True:
            self.skip(_WS)
            start = self.pos
            char = self.text[start] if start < len(self.text) else ""
            if char == '"':
                match = _BASIC.match(self.text, start)
                if match is None:
                    raise _Stop
                parts.append((_basic_string(match.group(0)), start))
            elif char == "'":
                match = _LITERAL.match(self.text, start)
                if match is None:
                    raise _Stop
                parts.append((match.group(0)[1:-1], start))
            else:
                match = _BARE_KEY.match(self.text, start)
                if match is None:
                    raise _Stop
                parts.append((match.group(0), start))
            self.pos = match.end()
            self.skip(_WS)
            if not self.text.startswith(".", self.pos):
                return parts
            self.pos += 1

    def key_value(self, table: JsonPath) -> None:
        path = table
        for key, offset in self.keys():
            path += (key,)
            self.walk.key_at(path, offset)
        self.expect("=")
        self.skip(_WS)
        self.value(path)

    def value(self, path: JsonPath) -> None:
        text, start = self.text, self.pos
        char = text[start] if start < len(text) else ""
        if char == "[":
            self.pos += 1
            index = 0
            while True:
                self.skip(_WS_NL)
                if text.startswith("]", self.pos):
                    self.pos += 1
                    return
                self.walk.fm.positions.setdefault(path + (index,), self.walk.where(self.pos))
                self.value(path + (index,))
                index += 1
                self.skip(_WS_NL)
                if text.startswith(",", self.pos):
                    self.pos += 1
        elif char == "{":
            self.pos += 1
            while True:
                self.skip(_WS)
                if text.startswith("}", self.pos):
                    self.pos += 1
                    return
                self.key_value(path)
                self.skip(_WS)
                if text.startswith(",", self.pos):
                    self.pos += 1
        else:
            for pattern in (_ML_BASIC, _ML_LITERAL, _BASIC, _LITERAL):
                match = pattern.match(text, start)
                if match is not None:
                    self.pos = match.end()
                    break
            else:
                end = _SCALAR_END.search(text, start)
                self.pos = len(text) if end is None else end.start()
                if self.pos == start:
                    raise _Stop
            self.walk.value_at(path, start)


def _basic_string(token: str) -> str:
    if "\\" not in token:
        return token[1:-1]
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads(f"k = {token}")["k"]


# --- JSON ----------------------------------------------------------------------------------------


def _json(walk: _Walk) -> None:
    """Frames: [path, is_object, next index, pending key, keys seen]."""
    import json

    text = walk.text
    fm = walk.fm
    stack: list[list[Any]] = []
    pos = 0
    expect_key = False
    while True:
        match = _JSON_TOKEN.match(text, pos)
        if match is None:
            return
        pos = match.end()
        string, punct, scalar = match.groups()
        frame = stack[-1] if stack else None
        if punct in ("}", "]"):
            stack.pop()
            if not stack:
                return
            continue
        if punct == ",":
            expect_key = frame is not None and frame[1]
            continue
        if punct == ":":
            continue
        start = match.start(1) if string is not None else match.start(2) if punct else match.start(3)
        if expect_key and frame is not None:
            key = string[1:-1] if "\\" not in string else json.loads(string)
            path = frame[0] + (key,)
            if key in frame[4]:
                fm.duplicates.append((path, *walk.where(start)))
            else:
                frame[4].add(key)
                fm.positions.setdefault(path, walk.where(start))
            frame[3] = key
            expect_key = False
            continue
        # a value
        if frame is None:
            path: JsonPath = ()
        elif frame[1]:
            path = frame[0] + (frame[3],)
        else:
            path = frame[0] + (frame[2],)
            frame[2] += 1
            fm.positions.setdefault(path, walk.where(start))
        if punct == "{":
            stack.append([path, True, 0, None, set()])
            expect_key = True
        elif punct == "[":
            stack.append([path, False, 0, None, None])
        else:
            walk.value_at(path, start)
