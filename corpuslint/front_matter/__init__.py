"""Find, split and load a document's front matter, keeping every key's position.

python-frontmatter's handlers decide which format a document opens with (YAML `---`, TOML `+++`,
JSON `{`); the split and the load are done here because the library strips the text (losing line
offsets) and silently drops metadata that is not a mapping.

Front matter is untrusted input, so loading is bounded: the raw text has a size limit, and YAML is
built from the parser's event stream by an iterative builder (no recursion, so 100,000 levels of
nesting cannot overflow the C stack) with a nesting limit and a budget on the number of values,
counted with aliases expanded (so an alias bomb stops early instead of exhausting memory).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable
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
    # (line, column) of every key (mapping entries) and item (sequence entries), by path. YAML
    # positions are exact; TOML and JSON positions are those of the top-level keys, found by text.
    positions: dict[JsonPath, tuple[int, int]] = field(default_factory=dict)
    # (path, line, column) of every repeated key after its first occurrence
    duplicates: list[tuple[JsonPath, int, int]] = field(default_factory=list)
    # (path, line, column, value) of every string scalar, for rules that inspect values; the
    # position is the scalar's first character (its opening quote when quoted) in YAML, the
    # nearest known key's in TOML and JSON
    strings: list[tuple[JsonPath, int, int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and isinstance(self.data, dict)

    def position(self, path: Iterable[Any]) -> tuple[int, int]:
        """The position of the nearest known key or value on `path`; the opening delimiter for the root."""
        path = tuple(path)
        for n in range(len(path), 0, -1):
            # a repeated key keeps its last value, so that is where the value's problems are
            repeats = [(line, column) for where, line, column in self.duplicates if where == path[:n]]
            found = repeats[-1] if repeats else self.positions.get(path[:n])
            if found:
                return found
        return (self.open_line, 1)


def format_path(path: Iterable[Any]) -> str:
    """`tags[2]`, `params.author`: a path as users write it; empty for the root."""
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


_TOML_BOUNDARY = re.compile(r"^\+{3,}[ \t]*$", re.MULTILINE)
_YAML_CLOSE = re.compile(r"^(?:-{3,}|\.\.\.)[ \t]*$", re.MULTILINE)
_JSON_CLOSE = re.compile(r"^\}[ \t]*$", re.MULTILINE)


def split(text: str) -> tuple[FrontMatter | None, int]:
    """Return the front matter (unparsed) and the offset where the body starts."""
    if YAMLHandler.FM_BOUNDARY.match(text):
        return _split_delimited(text, "yaml", _YAML_CLOSE)
    if _TOML_BOUNDARY.match(text):
        return _split_delimited(text, "toml", _TOML_BOUNDARY)
    if JSONHandler.FM_BOUNDARY.match(text) and re.match(r"\{[ \t]*\n", text):
        close = _JSON_CLOSE.search(text)
        if close:
            raw = text[: close.end()]
            body_start = _after_line(text, close.end())
            return FrontMatter("json", raw, 1, 1, raw.count("\n") + 1), body_start
        fm = FrontMatter("json", text, 1, 1, None)
        fm.error = (1, 1, "front matter is not closed: no line holding only `}` ends the JSON object")
        return fm, len(text)
    return None, 0


def _split_delimited(text: str, fmt: str, closing: re.Pattern[str]) -> tuple[FrontMatter, int]:
    raw_start = _after_line(text, 0)
    close = closing.search(text, raw_start)
    if close is None:
        fm = FrontMatter(fmt, text[raw_start:], 1, 2, None)
        delimiter = "`---`" if fmt == "yaml" else "`+++`"
        fm.error = (1, 1, f"front matter is not closed: no closing {delimiter} line")
        return fm, len(text)
    raw = text[raw_start : close.start()]
    close_line = text.count("\n", 0, close.start()) + 1
    return FrontMatter(fmt, raw, 1, 2, close_line), _after_line(text, close.end())


def _after_line(text: str, offset: int) -> int:
    newline = text.find("\n", offset)
    return len(text) if newline < 0 else newline + 1


def load(fm: FrontMatter) -> FrontMatter:
    """Parse `fm.raw` into `fm.data`, or set `fm.error`. Never raises for any input text."""
    if fm.error is not None:
        return fm
    size = len(fm.raw.encode("utf-8", "surrogatepass"))
    if size > MAX_FRONT_MATTER_BYTES:
        fm.error = (
            fm.open_line,
            1,
            f"front matter is {size // 1024} KiB, over the {MAX_FRONT_MATTER_BYTES // 1024} KiB limit; "
            "it was not parsed",
        )
        return fm
    try:
        if fm.format == "yaml":
            _load_yaml(fm)
        elif fm.format == "toml":
            _load_toml(fm)
        else:
            _load_json(fm)
    except RecursionError:
        fm.error = (fm.raw_line, 1, f"front matter nests deeper than {MAX_DEPTH} levels")
    except _TooBig as exc:
        fm.error = (exc.line, exc.column, str(exc))
    if fm.error is not None:
        fm.data = None
    elif not isinstance(fm.data, dict):
        fm.error = (
            fm.raw_line,
            1,
            f"front matter must be a mapping of keys to values, but it is {_a_type_name(fm.data)}",
        )
    return fm


def _a_type_name(value: Any) -> str:
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


class _TooBig(Exception):
    """A budget was exceeded; `line` and `column` are file positions."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


# --- YAML -------------------------------------------------------------------------------------

_yaml_loader_classes: dict[bool, Any] = {}

_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"
_STR_TAG = "tag:yaml.org,2002:str"
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "!", None}


def _yaml_loader(pure: bool = False) -> type:
    """A safe loader (libyaml unless `pure`, or when it is missing) that keeps timestamps as the
    author wrote them."""
    cached = _yaml_loader_classes.get(pure)
    if cached is None:
        import yaml

        base = yaml.SafeLoader if pure else getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class Loader(base):  # type: ignore[misc, valid-type]
            pass

        Loader.add_constructor(
            "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
        )
        cached = _yaml_loader_classes[pure] = Loader
    return cached


def _load_yaml(fm: FrontMatter) -> None:
    if _load_simple_yaml(fm):
        return
    if not _build_yaml(fm, _yaml_loader()):
        # libyaml (in PyYAML >= 6.0.4) scans a flow collection ahead and stops at 1000 levels
        # with its own error before the builder sees an event; PyYAML's own scanner hands the
        # events over sooner, so the builder's depth limit applies as to any other nesting.
        fm.positions.clear()
        fm.duplicates.clear()
        fm.strings.clear()
        _build_yaml(fm, _yaml_loader(pure=True))


def _build_yaml(fm: FrontMatter, loader_class: type) -> bool:
    """Build `fm.data` or set `fm.error`; False when libyaml gave up on the nesting depth."""
    import yaml

    loader = loader_class(fm.raw)
    try:
        _YamlBuilder(fm, loader).run()
    except yaml.MarkedYAMLError as exc:
        if "maximum nesting depth" in (exc.problem or "") and loader_class is not _yaml_loader(pure=True):
            return False
        mark = exc.problem_mark or exc.context_mark
        line = fm.raw_line + (mark.line if mark else 0)
        column = (mark.column + 1) if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        if "\t" in problem or "\\t" in problem:
            problem += " (YAML does not allow tabs for indentation; use spaces)"
        fm.error = (line, column, f"front matter is not valid YAML: {problem}")
    except yaml.YAMLError as exc:
        fm.error = (fm.raw_line, 1, f"front matter is not valid YAML: {exc}")
    finally:
        loader.dispose()
    return True


# --- YAML: the common shape, without the event stream -------------------------------------------
#
# Most front matter is a block mapping of `key: scalar` lines and `key:` lines followed by a block
# sequence of scalars (`  - item`). `_load_simple_yaml` reads exactly that shape line by line and
# gives the same data, positions, duplicates and strings as the builder below; anything else
# (comments, flow collections, anchors, tags, multi-line or escaped scalars, nested mappings,
# tabs, numbers, unusual keys) makes it give up, and the builder reads the text from the start.

_SIMPLE_KEY = re.compile(r"([A-Za-z_$][A-Za-z0-9_$.-]*):(?: +|$)")
_SIMPLE_ITEM = re.compile(r"( *)- +")
# characters that are not a plain scalar's first character, or that need the full parser
_PLAIN_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@`")
_NEEDS_PARSER = re.compile(
    r"[#\t\r\\\x85\u2028\u2029\ufeff]|[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_MAX_SIMPLE_LINES = 5_000  # well under MAX_VALUES values
_resolver: Any = None


def _simple_scalar(text: str) -> tuple[bool, Any] | None:
    """(is_string, value) of a one-line scalar as the builder makes it; None: not the simple shape."""
    first = text[0]
    if first == '"' or first == "'":
        if len(text) < 2 or text[-1] != first or first in text[1:-1]:
            return None
        return True, text[1:-1]
    if first in _PLAIN_FIRST or ": " in text or text[-1] == ":":
        return None
    global _resolver
    if _resolver is None:
        import yaml

        _resolver = yaml.resolver.Resolver()
        _resolver.ScalarNode = yaml.ScalarNode
    tag = _resolver.resolve(_resolver.ScalarNode, text, (True, False))
    if tag == _STR_TAG:
        return True, text
    if tag == _TIMESTAMP_TAG:
        return True, text  # kept as written (see _yaml_loader)
    if tag == _NULL_TAG:
        return False, None
    if tag == _BOOL_TAG:
        return False, _BOOL_VALUES[text.lower()]
    return None  # numbers and the rest: the constructor's business


_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_BOOL_VALUES = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


def _load_simple_yaml(fm: FrontMatter) -> bool:
    """Load `fm.raw` when it has the simple shape (see above) and return True; else change nothing
    and return False."""
    raw = fm.raw
    if _NEEDS_PARSER.search(raw):
        return False
    lines = raw.split("\n")
    if len(lines) > _MAX_SIMPLE_LINES:
        return False
    base = fm.raw_line
    data: dict[str, Any] = {}
    positions: dict[JsonPath, tuple[int, int]] = {}
    duplicates: list[tuple[JsonPath, int, int]] = []
    strings: list[tuple[JsonPath, int, int, str]] = []
    key_match = _SIMPLE_KEY.match
    item_match = _SIMPLE_ITEM.match
    items: list[Any] | None = None  # the sequence being read, after a `key:` line
    item_indent = -1
    pending: str | None = None  # a `key:` with no value yet: null, or the sequence that follows
    for index, line in enumerate(lines):
        text = line.rstrip(" ")
        if not text:
            continue
        if text[0] == " " or text[0] == "-":
            if pending is None:
                return False
            match = item_match(text)
            if match is None:
                return False
            indent = len(match.group(1))
            if items is None:
                items, item_indent = [], indent
                data[pending] = items
            elif indent != item_indent:
                return False
            scalar = _simple_scalar(text[match.end() :])
            if scalar is None:
                return False
            path = (pending, len(items))
            line_no, column = base + index, match.end() + 1
            if scalar[0]:
                strings.append((path, line_no, column, scalar[1]))
            positions.setdefault(path, (line_no, column))
            items.append(scalar[1])
            continue
        match = key_match(text)
        if match is None:
            return False
        if pending is not None and items is None:
            data[pending] = None
        pending, items = None, None
        key = match.group(1)
        if len(key) > 1000:  # YAML's limit on a simple key
            return False
        path = (key,)
        if key in data:
            duplicates.append((path, base + index, 1))
        positions.setdefault(path, (base + index, 1))
        rest = text[match.end() :]
        if not rest:
            pending = key
            continue
        scalar = _simple_scalar(rest)
        if scalar is None:
            return False
        if scalar[0]:
            strings.append((path, base + index, match.end() + 1, scalar[1]))
        data[key] = scalar[1]
    if pending is not None and items is None:
        data[pending] = None
    fm.data = data
    fm.positions.update(positions)
    fm.duplicates.extend(duplicates)
    fm.strings.extend(strings)
    return True


class _Frame:
    """A mapping or sequence being built."""

    __slots__ = (
        "value",
        "path",
        "anchor",
        "start",
        "size",
        "key",
        "key_pos",
        "merge_next",
        "merges",
        "is_map",
    )

    def __init__(self, value: Any, path: JsonPath, anchor: str | None, start: Any) -> None:
        self.value = value
        self.start = start
        self.path = path
        self.anchor = anchor
        self.size = 1
        self.is_map = isinstance(value, dict)
        self.key: Any = _NO_KEY
        self.key_pos = (0, 0)
        self.merge_next = False
        self.merges: list[tuple[Any, tuple[int, int]]] = []


_NO_KEY = object()


class _YamlBuilder:
    """Builds plain data from the YAML event stream with an explicit stack.

    Records the position of every key and item, every string scalar and every repeated key.
    Aliases reuse the anchored value (no copy) and add its size to the value budget; merge keys
    (`<<`) are applied as YAML 1.1 specifies (explicit keys win, earlier merges win).
    """

    def __init__(self, fm: FrontMatter, loader: Any) -> None:
        self.fm = fm
        self.loader = loader
        self.values = 0
        self.aliased = False
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.stack: list[_Frame] = []
        self.root: Any = None

    def _pos(self, mark: Any) -> tuple[int, int]:
        return (self.fm.raw_line + mark.line, mark.column + 1)

    def _fail(self, message: str, mark: Any) -> None:
        raise _TooBig(message, *self._pos(mark))

    def _count(self, amount: int, mark: Any) -> None:
        self.values += amount
        if self.values > MAX_VALUES:
            if self.aliased:
                self._fail(
                    f"front matter expands to more than {MAX_VALUES} values through YAML aliases", mark
                )
            self._fail(f"front matter has more than {MAX_VALUES} values", mark)

    def run(self) -> None:
        import yaml

        loader = self.loader
        loader.get_event()  # StreamStart
        event = loader.get_event()
        if isinstance(event, yaml.StreamEndEvent):
            self.fm.data = {}  # only comments or nothing: an empty mapping
            return
        # DocumentStart, then the root node's events
        while True:
            event = loader.get_event()
            if isinstance(event, yaml.DocumentEndEvent):
                break
            self._event(event, yaml)
        event = loader.get_event()
        if not isinstance(event, yaml.StreamEndEvent):
            raise yaml.composer.ComposerError(
                "expected a single document in the front matter",
                None,
                "but found another document",
                event.start_mark,
            )
        self.fm.data = self.root

    def _event(self, event: Any, yaml: Any) -> None:
        if isinstance(event, yaml.ScalarEvent):
            self._count(1, event.start_mark)
            tag = event.tag
            if tag is None or tag == "!":
                tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            parent = self.stack[-1] if self.stack else None
            if parent is not None and parent.is_map and parent.key is _NO_KEY:
                self._key(parent, event.value, tag == _MERGE_TAG, event.start_mark)
                return
            if tag in (_MERGE_TAG, _VALUE_TAG):
                tag = _STR_TAG
            node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
            value = self.loader.construct_object(node)
            self.loader.constructed_objects.clear()
            path = self._child_path(parent)
            if isinstance(value, str):
                self.fm.strings.append((path, *self._pos(event.start_mark), value))
            if event.anchor is not None:
                self.anchors[event.anchor] = (value, 1)
            self._add(parent, value, 1, event.start_mark)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self._count(1, event.start_mark)
            if len(self.stack) >= MAX_DEPTH:
                self._fail(f"front matter nests deeper than {MAX_DEPTH} levels", event.start_mark)
            is_map = isinstance(event, yaml.MappingStartEvent)
            if event.tag not in _COLLECTION_TAGS and event.tag != (
                "tag:yaml.org,2002:map" if is_map else "tag:yaml.org,2002:seq"
            ):
                raise yaml.constructor.ConstructorError(
                    None, None, f"the tag {event.tag!r} is not supported in front matter", event.start_mark
                )
            parent = self.stack[-1] if self.stack else None
            if parent is not None and parent.is_map and parent.key is _NO_KEY:
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a scalar, not a mapping or a list", event.start_mark
                )
            frame = _Frame({} if is_map else [], self._child_path(parent), event.anchor, event.start_mark)
            if event.anchor is not None:
                self.open_anchors.add(event.anchor)
            self.stack.append(frame)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = self.stack.pop()
            if frame.is_map and frame.merges:
                self._merge(frame, yaml)
            if frame.anchor is not None:
                self.open_anchors.discard(frame.anchor)
                self.anchors[frame.anchor] = (frame.value, frame.size)
            parent = self.stack[-1] if self.stack else None
            self._add(parent, frame.value, frame.size, frame.start)
        elif isinstance(event, yaml.AliasEvent):
            name = event.anchor
            if name in self.open_anchors:
                raise yaml.composer.ComposerError(
                    None, None, f"the alias *{name} refers to a node that contains it", event.start_mark
                )
            if name not in self.anchors:
                raise yaml.composer.ComposerError(
                    None, None, f"found undefined alias *{name}", event.start_mark
                )
            value, size = self.anchors[name]
            self.aliased = True
            self._count(size, event.start_mark)
            parent = self.stack[-1] if self.stack else None
            if parent is not None and parent.is_map and parent.key is _NO_KEY:
                if isinstance(value, (dict, list)):
                    raise yaml.constructor.ConstructorError(
                        None, None, "a key must be a scalar, not a mapping or a list", event.start_mark
                    )
                self._key(parent, str(value), False, event.start_mark)
                return
            self._add(parent, value, size, event.start_mark)

    def _child_path(self, parent: _Frame | None) -> JsonPath:
        if parent is None:
            return ()
        if parent.is_map:
            return parent.path + (parent.key,)
        return parent.path + (len(parent.value),)

    def _key(self, frame: _Frame, text: str, merge: bool, mark: Any) -> None:
        # Keys are kept as written (`2024:` is the key "2024", `on:` is "on"), as JSON needs strings.
        frame.key = text
        frame.key_pos = self._pos(mark)
        frame.merge_next = merge
        frame.size += 1
        if merge:
            return
        path = frame.path + (text,)
        if text in frame.value:
            self.fm.duplicates.append((path, *frame.key_pos))
        self.fm.positions.setdefault(path, frame.key_pos)

    def _add(self, parent: _Frame | None, value: Any, size: int, mark: Any) -> None:
        if parent is None:
            self.root = value
            return
        parent.size += size
        if parent.is_map:
            if parent.merge_next:
                parent.merges.append((value, parent.key_pos))
            else:
                parent.value[parent.key] = value
            parent.key = _NO_KEY
            parent.merge_next = False
        else:
            self.fm.positions.setdefault(parent.path + (len(parent.value),), self._pos(mark))
            parent.value.append(value)

    def _merge(self, frame: _Frame, yaml: Any) -> None:
        explicit = set(frame.value)
        for value, (line, column) in frame.merges:
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                if not isinstance(source, dict):
                    raise _TooBig(
                        "front matter is not valid YAML: a merge key (<<) needs a mapping "
                        "or a list of mappings",
                        line,
                        column,
                    )
                for key, item in source.items():
                    if key not in explicit and key not in frame.value:
                        frame.value[key] = item
                        self.fm.positions.setdefault(frame.path + (key,), (line, column))


# --- TOML and JSON ----------------------------------------------------------------------------


def _load_toml(fm: FrontMatter) -> None:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        data = tomllib.loads(fm.raw)
    except tomllib.TOMLDecodeError as exc:
        line, column = _toml_error_position(str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", str(exc))
        fm.error = (fm.raw_line + line - 1, column, f"front matter is not valid TOML: {message}")
        return
    # Dates and times as the author wrote them (in RFC 3339 form), like YAML timestamps.
    fm.data = _plain(data, fm)
    _approximate_positions(fm, re.compile(r"^[ \t]*[\"']?([^\s=\"'\[]+)[\"']?[ \t]*=", re.MULTILINE))


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
        data = json.loads(fm.raw, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        fm.error = (fm.raw_line + exc.lineno - 1, exc.colno, f"front matter is not valid JSON: {exc.msg}")
        return
    fm.data = _plain(data, fm)
    _approximate_positions(fm, re.compile(r"^[ \t]*\"((?:[^\"\\]|\\.)*)\"[ \t]*:", re.MULTILINE))
    seen: set[str] = set()
    for key in duplicates:
        if key in seen or not isinstance(fm.data, dict) or key not in fm.data:
            continue  # repeated keys of nested objects have no known position
        seen.add(key)
        pattern = re.compile(rf'^[ \t]*"{re.escape(key)}"[ \t]*:', re.MULTILINE)
        for match in list(pattern.finditer(fm.raw))[1:]:
            start = match.start() + match.group(0).index('"')
            line = fm.raw_line + fm.raw.count("\n", 0, start)
            fm.duplicates.append(((key,), line, start - fm.raw.rfind("\n", 0, start)))


def _plain(data: Any, fm: FrontMatter) -> Any:
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
            raise _TooBig(f"front matter nests deeper than {MAX_DEPTH} levels", fm.raw_line, 1)
        if count > MAX_VALUES:
            raise _TooBig(f"front matter has more than {MAX_VALUES} values", fm.raw_line, 1)
        items = container.items() if isinstance(container, dict) else enumerate(container)
        for key, value in list(items):
            if isinstance(value, (datetime.date, datetime.time)):
                container[key] = value.isoformat()
            elif isinstance(value, (dict, list)):
                stack.append((value, depth + 1))
    return data


def _approximate_positions(fm: FrontMatter, key_pattern: re.Pattern[str]) -> None:
    """TOML and JSON parsers give no positions: find each top-level key's first line by text."""
    if not isinstance(fm.data, dict):
        return
    for match in key_pattern.finditer(fm.raw):
        key = match.group(1)
        if key in fm.data and (key,) not in fm.positions:
            line = fm.raw_line + fm.raw.count("\n", 0, match.start(1))
            column = match.start(1) - (fm.raw.rfind("\n", 0, match.start(1)) + 1) + 1
            if match.start(1) > 0 and fm.raw[match.start(1) - 1] in "\"'":
                column -= 1  # point at the opening quote of a quoted key
            fm.positions[(key,)] = (line, column)
    stack: list[tuple[JsonPath, Any]] = [((), fm.data)]
    found: list[tuple[JsonPath, int, int, str]] = []
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            found.append((path, *fm.position(path), value))
        elif isinstance(value, dict):
            stack.extend((path + (k,), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((path + (i,), v) for i, v in enumerate(value))
    found.sort(key=lambda item: (item[1], item[2], format_path(item[0])))
    fm.strings.extend(found)
