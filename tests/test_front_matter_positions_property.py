"""Property: for any JSON front matter (pretty-printed or compact), every key and item of the data
has a position, and a key's position is where its quoted name starts."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from corpuslint.document import Document

keys = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=6)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=6))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=12,
)
documents = st.dictionaries(keys, values, max_size=4)


def _paths(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield path + (key,)
            yield from _paths(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield path + (index,)
            yield from _paths(item, path + (index,))


@settings(max_examples=150, deadline=None)
@given(documents, st.sampled_from([2, None]))
def test_every_json_key_and_item_has_its_position(data, indent):
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    if not text.startswith("{\n"):  # compact, or empty: JSON front matter opens with `{` alone on a line
        text = "{\n" + text[1:-1] + "\n}"
    doc = Document.from_bytes("p.md", (text + "\nBody\n").encode("utf-8"))
    fm = doc.front_matter
    assert fm.error is None, fm.error
    lines = text.split("\n")
    for path in _paths(data):
        assert path in fm.positions, path
        line, column = fm.positions[path]
        if isinstance(path[-1], str):
            assert lines[line - 1][column - 1 :].startswith(json.dumps(path[-1], ensure_ascii=False)), path


# --- TOML, written by a small emitter: tables, dotted keys, inline tables and arrays ------------------

toml_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=6)
toml_scalars = st.one_of(st.booleans(), st.integers(-5, 5), toml_text)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(toml_text, inner, max_size=3)),
    max_leaves=12,
)
toml_documents = st.dictionaries(toml_text, toml_values, max_size=4)


def _key(key: str) -> str:
    bare = key and all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in key)
    return key if bare else json.dumps(key, ensure_ascii=False)


def _inline(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_inline(item) for item in value) + "]"
    return "{" + ", ".join(f"{_key(k)} = {_inline(v)}" for k, v in value.items()) + "}"


def _emit(table: dict, prefix: tuple, out: list[str], mode: str) -> None:
    """`mode`: nested mappings as [tables], as inline {tables}, or as dotted.keys = values."""
    nested = {k: v for k, v in table.items() if isinstance(v, dict) and v and mode != "inline"}
    for key, value in table.items():
        if key not in nested:
            out.append(f"{_key(key)} = {_inline(value)}")
        elif mode == "dotted":
            for sub, item in value.items():
                out.append(f"{_key(key)}.{_key(sub)} = {_inline(item)}")
    if mode == "tables":
        for key, value in nested.items():
            out.append("[" + ".".join(_key(part) for part in prefix + (key,)) + "]")
            _emit(value, prefix + (key,), out, mode)


def _toml_paths(value, path=()):
    """The paths whose key is written literally: not those inside arrays written inline."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path + (key,)
            yield from _toml_paths(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield path + (index,)
            yield from _toml_paths(item, path + (index,))


@settings(max_examples=150, deadline=None)
@given(toml_documents, st.sampled_from(["tables", "inline", "dotted"]))
def test_every_toml_key_and_item_has_its_position(data, mode):
    out: list[str] = []
    _emit(data, (), out, mode)
    text = "\n".join(out)
    doc = Document.from_bytes("p.md", f"+++\n{text}\n+++\nBody\n".encode())
    fm = doc.front_matter
    assert fm.error is None, (fm.error, text)
    assert fm.data == data
    lines = text.split("\n")
    for path in _toml_paths(data):
        assert path in fm.positions, (path, text)
        line, column = fm.positions[path]
        if isinstance(path[-1], str):
            assert lines[line - 2][column - 1 :].startswith(_key(path[-1])), (path, text)
