"""Find, split and load a document's front matter, keeping every key's position.

A document's opening line decides its format (YAML `---`, TOML `+++`, JSON `{`), with the
patterns of python-frontmatter's handlers (so the same documents count as having front matter);
the split and the load are done here because that library strips the text (losing line offsets)
and silently drops metadata that is not a mapping, and importing it would import PyYAML for
every document. PyYAML is imported only when a YAML front matter is loaded.

Front matter is untrusted input, so loading is bounded: the raw text has a size limit, nesting a
depth limit, the number of values a budget (YAML aliases counted expanded), and integers Python's
digit limit; any input ends in data or in one error (FM002), never an exception. YAML is read as
YAML 1.2 unless the configuration asks for 1.1 (`[front_matter] yaml = "1.1"`); see yaml_loader.

Modules: model (FrontMatter, limits), yaml_loader, toml_json, positions (TOML/JSON positions).
"""

from __future__ import annotations

import re
from typing import Any

from corpuslint.front_matter.model import (
    DEFAULT_YAML_VERSION,
    MAX_DEPTH,
    MAX_FRONT_MATTER_BYTES,
    MAX_INT_DIGITS,
    MAX_VALUES,
    YAML_VERSIONS,
    FrontMatter,
    JsonPath,
    TooBig,
    a_type_name,
    format_path,
)

__all__ = [
    "DEFAULT_YAML_VERSION",
    "MAX_DEPTH",
    "MAX_FRONT_MATTER_BYTES",
    "MAX_INT_DIGITS",
    "MAX_VALUES",
    "YAML_VERSIONS",
    "FrontMatter",
    "JsonPath",
    "format_path",
    "load",
    "options_from_table",
    "reload",
    "split",
]


# python-frontmatter's YAMLHandler.FM_BOUNDARY and JSONHandler.FM_BOUNDARY, matched at offset 0.
_YAML_BOUNDARY = re.compile(r"^-{3,}\s*$", re.MULTILINE)
_JSON_BOUNDARY = re.compile(r"^(?:{|})$", re.MULTILINE)
_TOML_BOUNDARY = re.compile(r"^\+{3,}[ \t]*$", re.MULTILINE)
_YAML_CLOSE = re.compile(r"^(?:-{3,}|\.\.\.)[ \t]*$", re.MULTILINE)
_JSON_CLOSE = re.compile(r"^\}[ \t]*$", re.MULTILINE)


def split(text: str) -> tuple[FrontMatter | None, int]:
    """Return the front matter (unparsed) and the offset where the body starts."""
    if _YAML_BOUNDARY.match(text):
        return _split_delimited(text, "yaml", _YAML_CLOSE)
    if _TOML_BOUNDARY.match(text):
        return _split_delimited(text, "toml", _TOML_BOUNDARY)
    if _JSON_BOUNDARY.match(text) and re.match(r"\{[ \t]*\n", text):
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


def load(fm: FrontMatter, yaml_version: str = DEFAULT_YAML_VERSION) -> FrontMatter:
    """Parse `fm.raw` into `fm.data`, or set `fm.error`. Never raises for any input text."""
    fm.yaml_version = yaml_version
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
            from corpuslint.front_matter.yaml_loader import load_yaml

            load_yaml(fm, yaml_version)
        elif fm.format == "toml":
            from corpuslint.front_matter.toml_json import load_toml

            load_toml(fm)
        else:
            from corpuslint.front_matter.toml_json import load_json

            load_json(fm)
    except RecursionError:
        fm.error = (fm.raw_line, 1, f"front matter nests deeper than {MAX_DEPTH} levels")
    except TooBig as exc:
        fm.error = (exc.line, exc.column, str(exc))
    except MemoryError:
        fm.error = (fm.raw_line, 1, "front matter needs more memory than is available to parse")
    if fm.error is not None:
        fm.data = None
        fm.positions.clear()
        fm.strings.clear()
    elif not isinstance(fm.data, dict):
        fm.error = (
            fm.raw_line,
            1,
            f"front matter must be a mapping of keys to values, but it is {a_type_name(fm.data)}",
        )
    return fm


def options_from_table(table: Any) -> dict[str, Any]:
    """The `[front_matter]` table, checked; ValueError("key: problem") otherwise."""
    if not isinstance(table, dict):
        raise ValueError("must be a table")
    unknown = sorted(set(table) - {"yaml"})
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown key (expected `yaml`)")
    version = table.get("yaml", DEFAULT_YAML_VERSION)
    if isinstance(version, float):
        version = str(version)
    if version not in YAML_VERSIONS:
        raise ValueError(f'yaml: must be "1.2" or "1.1", not {version!r}')
    return {"yaml": version}


def reload(fm: FrontMatter, yaml_version: str) -> FrontMatter:
    """`fm` as read under `yaml_version`: itself when it is not YAML or was read so already."""
    if fm.format != "yaml" or fm.yaml_version == yaml_version:
        return fm
    fresh = FrontMatter(fm.format, fm.raw, fm.open_line, fm.raw_line, fm.close_line)
    if fm.close_line is None:  # not closed: the split's error, whatever the version
        fresh.error = fm.error
    return load(fresh, yaml_version)
