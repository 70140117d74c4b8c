"""Find, split and load a document's front matter, keeping every key's position.

python-frontmatter's handlers decide which format a document opens with (YAML `---`, TOML `+++`,
JSON `{`); the split and the load are done here because the library strips the text (losing line
offsets) and silently drops metadata that is not a mapping.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from frontmatter.default_handlers import JSONHandler, YAMLHandler

JsonPath = tuple  # of str keys and int indexes

MAX_FRONT_MATTER_BYTES = 256 * 1024
MAX_VALUES = 20_000
MAX_DEPTH = 64


@dataclass
class FrontMatter:
    format: str  # "yaml" | "toml" | "json"
    raw: str
    open_line: int  # 1-based line of the opening delimiter
    raw_line: int  # 1-based line where `raw` starts
    close_line: int | None  # 1-based line of the closing delimiter; None when unclosed
    data: Any = None
    error: tuple[int, int, str] | None = None  # (line, column, message) when it does not load
    positions: dict[JsonPath, tuple[int, int]] = field(default_factory=dict)
    duplicates: list[tuple[JsonPath, int, int]] = field(default_factory=list)
    # (path, line, column, value) of every string scalar, for rules that inspect values
    strings: list[tuple[JsonPath, int, int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and isinstance(self.data, dict)

    def position(self, path: JsonPath) -> tuple[int, int]:
        """The position of the nearest known key or value on `path`; the opening delimiter for the root."""
        for n in range(len(path), 0, -1):
            found = self.positions.get(tuple(path[:n]))
            if found:
                return found
        return (self.open_line, 1)


_TOML_BOUNDARY = re.compile(r"^\+{3,}[ \t]*$", re.MULTILINE)
_YAML_CLOSE = re.compile(r"^(?:-{3,}|\.\.\.)[ \t]*$", re.MULTILINE)


def split(text: str) -> tuple[FrontMatter | None, int]:
    """Return the front matter (unparsed) and the offset where the body starts."""
    if YAMLHandler.FM_BOUNDARY.match(text):
        return _split_delimited(text, "yaml", _YAML_CLOSE)
    if _TOML_BOUNDARY.match(text):
        return _split_delimited(text, "toml", _TOML_BOUNDARY)
    if JSONHandler.FM_BOUNDARY.match(text) and text.startswith("{\n"):
        close = re.compile(r"^\}[ \t]*$", re.MULTILINE).search(text)
        if close:
            raw = text[: close.end()]
            body_start = _after_line(text, close.end())
            return FrontMatter("json", raw, 1, 1, raw.count("\n") + 1), body_start
    return None, 0


def _split_delimited(text: str, fmt: str, closing: re.Pattern[str]) -> tuple[FrontMatter, int]:
    raw_start = _after_line(text, 0)
    close = closing.search(text, raw_start)
    if close is None:
        fm = FrontMatter(fmt, text[raw_start:], 1, 2, None)
        fm.error = (1, 1, "front matter is not closed: no closing delimiter line")
        return fm, len(text)
    raw = text[raw_start : close.start()]
    close_line = text.count("\n", 0, close.start()) + 1
    return FrontMatter(fmt, raw, 1, 2, close_line), _after_line(text, close.end())


def _after_line(text: str, offset: int) -> int:
    newline = text.find("\n", offset)
    return len(text) if newline < 0 else newline + 1


def load(fm: FrontMatter) -> FrontMatter:
    if fm.error is not None:
        return fm
    if len(fm.raw.encode("utf-8", "surrogatepass")) > MAX_FRONT_MATTER_BYTES:
        fm.error = (fm.open_line, 1, f"front matter is larger than {MAX_FRONT_MATTER_BYTES // 1024} KiB")
        return fm
    try:
        if fm.format == "yaml":
            _load_yaml(fm)
        elif fm.format == "toml":
            _load_toml(fm)
        else:
            _load_json(fm)
    except RecursionError:
        fm.error = (fm.open_line, 1, "front matter nests too deeply")
        fm.data = None
    if fm.error is None and not isinstance(fm.data, dict):
        kind = "empty" if fm.data is None else f"a {_type_name(fm.data)}"
        fm.error = (fm.raw_line, 1, f"front matter must be a mapping of keys to values, but it is {kind}")
    return fm


def _type_name(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(value), type(value).__name__
    )


# --- YAML -------------------------------------------------------------------------------------

_yaml_loader_class = None


def _yaml_loader() -> type:
    """A safe loader (libyaml when available) that keeps timestamps as the author wrote them."""
    global _yaml_loader_class
    if _yaml_loader_class is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class Loader(base):  # type: ignore[misc, valid-type]
            pass

        Loader.add_constructor(
            "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
        )
        _yaml_loader_class = Loader
    return _yaml_loader_class


def _flow_depth_exceeds(raw: str, limit: int) -> bool:
    depth = 0
    for ch in raw:
        if ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth = max(0, depth - 1)
    return False


def _load_yaml(fm: FrontMatter) -> None:
    import yaml

    if ("[" in fm.raw or "{" in fm.raw) and _flow_depth_exceeds(fm.raw, MAX_DEPTH):
        fm.error = (fm.raw_line, 1, f"front matter nests deeper than {MAX_DEPTH} levels")
        return
    loader = _yaml_loader()(fm.raw)
    try:
        node = loader.get_single_node()
        if node is None:
            fm.data = None
            return
        fm.data = _YamlBuilder(fm, loader).build(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = fm.raw_line + (mark.line if mark else 0)
        column = (mark.column + 1) if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        fm.error = (line, column, f"front matter is not valid YAML: {problem}")
    except yaml.YAMLError as exc:
        fm.error = (fm.raw_line, 1, f"front matter is not valid YAML: {exc}")
    except _TooBig as exc:
        fm.error = (fm.raw_line + exc.line, exc.column, str(exc))
    finally:
        loader.dispose()


class _TooBig(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class _YamlBuilder:
    """Turns a composed YAML node graph into plain data, recording positions and duplicate keys.

    Aliases are expanded with a budget, so an alias bomb ends in a diagnostic instead of
    exhausting memory.
    """

    def __init__(self, fm: FrontMatter, loader: Any) -> None:
        self.fm = fm
        self.loader = loader
        self.values = 0

    def _pos(self, node: Any) -> tuple[int, int]:
        return (self.fm.raw_line + node.start_mark.line, node.start_mark.column + 1)

    def build(self, node: Any, path: JsonPath = (), depth: int = 0) -> Any:
        import yaml

        self.values += 1
        if self.values > MAX_VALUES:
            raise _TooBig(
                f"front matter expands to more than {MAX_VALUES} values (YAML aliases?)",
                node.start_mark.line,
                node.start_mark.column + 1,
            )
        if depth > MAX_DEPTH:
            raise _TooBig(
                f"front matter nests deeper than {MAX_DEPTH} levels",
                node.start_mark.line,
                node.start_mark.column + 1,
            )
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, path, depth + 1) if not isinstance(
                    key_node, yaml.ScalarNode
                ) else self.loader.construct_object(key_node, deep=True)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    key = str(key)
                child_path = path + (key,)
                if key in result:
                    self.fm.duplicates.append((child_path, *self._pos(key_node)))
                self.fm.positions.setdefault(child_path, self._pos(key_node))
                result[key] = self.build(value_node, child_path, depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                child_path = path + (index,)
                self.fm.positions.setdefault(child_path, self._pos(item))
                items.append(self.build(item, child_path, depth + 1))
            return items
        value = self.loader.construct_object(node, deep=True)
        if isinstance(value, str):
            self.fm.strings.append((path, *self._pos(node), value))
        return value


# --- TOML and JSON ----------------------------------------------------------------------------


def _load_toml(fm: FrontMatter) -> None:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        fm.data = tomllib.loads(fm.raw)
    except tomllib.TOMLDecodeError as exc:
        line, column = _toml_error_position(str(exc))
        fm.error = (fm.raw_line + line - 1, column, f"front matter is not valid TOML: {exc}")
        return
    _approximate_positions(fm, re.compile(r"^[ \t]*\"?([^\s=\"]+)\"?[ \t]*=", re.MULTILINE))


def _toml_error_position(message: str) -> tuple[int, int]:
    match = re.search(r"line (\d+), column (\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (1, 1)


def _load_json(fm: FrontMatter) -> None:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                duplicates.append(key)
            result[key] = value
        return result

    try:
        fm.data = json.loads(fm.raw, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        fm.error = (fm.raw_line + exc.lineno - 1, exc.colno, f"front matter is not valid JSON: {exc.msg}")
        return
    _approximate_positions(fm, re.compile(r"^[ \t]*\"((?:[^\"\\]|\\.)*)\"[ \t]*:", re.MULTILINE))
    for key in duplicates:
        occurrences = [m for m in re.finditer(rf'^[ \t]*"{re.escape(key)}"[ \t]*:', fm.raw, re.MULTILINE)]
        for match in occurrences[1:]:
            line = fm.raw_line + fm.raw.count("\n", 0, match.start())
            fm.duplicates.append(((key,), line, match.start() - fm.raw.rfind("\n", 0, match.start())))


def _approximate_positions(fm: FrontMatter, key_pattern: re.Pattern[str]) -> None:
    """TOML and JSON parsers give no positions: find each top-level key's first line."""
    if not isinstance(fm.data, dict):
        return
    for match in key_pattern.finditer(fm.raw):
        key = match.group(1)
        if key in fm.data and (key,) not in fm.positions:
            line = fm.raw_line + fm.raw.count("\n", 0, match.start(1))
            column = match.start(1) - (fm.raw.rfind("\n", 0, match.start(1)) + 1) + 1
            fm.positions[(key,)] = (line, column)
    for key, value in fm.data.items():
        if isinstance(value, str):
            line, column = fm.positions.get((key,), (fm.raw_line, 1))
            fm.strings.append(((key,), line, column, value))
