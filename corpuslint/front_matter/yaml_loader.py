"""YAML front matter: a safe loader for YAML 1.2 (the default) or 1.1, and an iterative builder.

The data is built from the parser's event stream by an explicit stack (no recursion, so 100,000
levels of nesting cannot overflow the C stack) with a nesting limit and a budget on the number
of values, counted with aliases expanded (so an alias bomb stops early instead of exhausting
memory). Every key, item and string scalar keeps its position.

YAML 1.2 (core schema): only `true`/`false` (and their capitalised forms) are booleans, `yes`,
`no`, `on`, `off` are strings, `1e3` is a number, `010` is ten, `0o17` octal, and `1_000`,
`0b101` and `1:30` are strings. YAML 1.1 (PyYAML's own rules) reads `yes`/`on` as true,
`010` as eight and `1:30` as ninety. In both, dates and times stay the text the author wrote,
and merge keys (`<<`) work.
"""

from __future__ import annotations

import re
from typing import Any

from corpuslint.front_matter.model import (
    DEFAULT_YAML_VERSION,
    MAX_DEPTH,
    MAX_VALUES,
    FrontMatter,
    JsonPath,
    TooBig,
    int_too_long,
)

_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"
_STR_TAG = "tag:yaml.org,2002:str"
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "!", None}

# YAML 1.2's core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution)
_CORE_RESOLVERS = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
    (_MERGE_TAG, r"^(?:<<)$", "<"),
]

_loader_classes: dict[tuple[str, bool], Any] = {}


def _core_int(loader: Any, node: Any) -> int:
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _core_float(loader: Any, node: Any) -> float:
    text = loader.construct_scalar(node)
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(text)


def _core_bool(loader: Any, node: Any) -> bool:
    return loader.construct_scalar(node).lower() == "true"


def loader_class(version: str = DEFAULT_YAML_VERSION, pure: bool = False) -> Any:
    """A safe loader (libyaml unless `pure`, or when it is missing) for YAML `version` that keeps
    timestamps as the author wrote them."""
    key = (version, pure)
    cached = _loader_classes.get(key)
    if cached is not None:
        return cached
    import yaml

    base = yaml.SafeLoader if pure else getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        pass

    Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    if version == "1.2":
        Loader.yaml_implicit_resolvers = {}
        for tag, pattern, first in _CORE_RESOLVERS:
            Loader.add_implicit_resolver(tag, re.compile(pattern), list(first))
        Loader.add_constructor("tag:yaml.org,2002:int", _core_int)
        Loader.add_constructor("tag:yaml.org,2002:float", _core_float)
        Loader.add_constructor("tag:yaml.org,2002:bool", _core_bool)
    _loader_classes[key] = Loader
    return Loader


def load_yaml(fm: FrontMatter, version: str = DEFAULT_YAML_VERSION) -> None:
    """Set `fm.data` (with positions) or `fm.error`; raises TooBig or RecursionError."""
    fm.yaml_version = version
    if not _build(fm, loader_class(version), pure=False):
        # libyaml (in PyYAML >= 6.0.4) scans a flow collection ahead and stops at 1000 levels
        # with its own error before the builder sees an event; PyYAML's own scanner hands the
        # events over sooner, so the builder's depth limit applies as to any other nesting.
        fm.reset()
        _build(fm, loader_class(version, pure=True), pure=True)


def _build(fm: FrontMatter, cls: Any, pure: bool) -> bool:
    """Build `fm.data` or set `fm.error`; False when libyaml gave up on the nesting depth."""
    import yaml

    loader = cls(fm.raw)
    try:
        _YamlBuilder(fm, loader).run()
    except yaml.MarkedYAMLError as exc:
        if "maximum nesting depth" in (exc.problem or "") and not pure:
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
        import yaml

        self.scalar_node = yaml.ScalarNode

    def _pos(self, mark: Any) -> tuple[int, int]:
        return (self.fm.raw_line + mark.line, mark.column + 1)

    def _fail(self, message: str, mark: Any) -> None:
        raise TooBig(message, *self._pos(mark))

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
        get_event = loader.get_event
        get_event()  # StreamStart
        event = get_event()
        if isinstance(event, yaml.StreamEndEvent):
            self.fm.data = {}  # only comments or nothing: an empty mapping
            return
        scalar_event, document_end = yaml.ScalarEvent, yaml.DocumentEndEvent
        scalar = self._scalar
        # DocumentStart, then the root node's events
        while True:
            event = get_event()
            kind = type(event)
            if kind is scalar_event:
                scalar(event)
            elif kind is document_end:
                break
            else:
                self._event(event, yaml)
        event = get_event()
        if not isinstance(event, yaml.StreamEndEvent):
            raise yaml.composer.ComposerError(
                "expected a single document in the front matter",
                None,
                "but found another document",
                event.start_mark,
            )
        self.fm.data = self.root

    def _scalar(self, event: Any) -> None:
        """A scalar: a key of the open mapping, or a value (most events are these). Its place in
        the parent is `_add`'s bookkeeping written out here, with the value's path kept for
        `strings`: one call fewer on the most frequent event."""
        mark = event.start_mark
        self.values += 1
        if self.values > MAX_VALUES:
            self._count(0, mark)
        text = event.value
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(self.scalar_node, text, event.implicit)
        stack = self.stack
        parent = stack[-1] if stack else None
        if parent is not None and parent.is_map and parent.key is _NO_KEY:
            self._key(parent, text, tag == _MERGE_TAG, mark)
            return
        if tag == _STR_TAG or tag == _MERGE_TAG or tag == _VALUE_TAG:
            value: Any = text  # what the str constructor gives (construct_scalar: the node's value)
        else:
            value = self._construct(tag, event)
        position = (self.fm.raw_line + mark.line, mark.column + 1)
        if parent is None:
            path: JsonPath = ()
            self.root = value
        else:
            parent.size += 1
            if parent.is_map:
                path = parent.path + (parent.key,)
                if parent.merge_next:
                    parent.merges.append((value, parent.key_pos))
                else:
                    parent.value[parent.key] = value
                parent.key = _NO_KEY
                parent.merge_next = False
            else:
                path = parent.path + (len(parent.value),)
                self.fm.positions.setdefault(path, position)
                parent.value.append(value)
        if isinstance(value, str):
            self.fm.strings.append((path, position[0], position[1], value))
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)

    def _construct(self, tag: str, event: Any) -> Any:
        """The value of a scalar that is not a string, by the loader's constructor for `tag`."""
        node = self.scalar_node(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = self.loader.construct_object(node)
        except ValueError as exc:  # an integer over Python's digit limit
            digits = sum(ch.isdigit() for ch in event.value)
            if "digits" in str(exc):
                raise int_too_long(digits, *self._pos(event.start_mark)) from None
            raise TooBig(f"front matter is not valid YAML: {exc}", *self._pos(event.start_mark)) from None
        self.loader.constructed_objects.clear()
        return value

    def _event(self, event: Any, yaml: Any) -> None:
        """Any event but a scalar (the start or end of a collection, an alias)."""
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
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
                    raise TooBig(
                        "front matter is not valid YAML: a merge key (<<) needs a mapping "
                        "or a list of mappings",
                        line,
                        column,
                    )
                for key, item in source.items():
                    if key not in explicit and key not in frame.value:
                        frame.value[key] = item
                        self.fm.positions.setdefault(frame.path + (key,), (line, column))
