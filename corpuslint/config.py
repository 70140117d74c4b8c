"""Find, load and validate configuration: corpuslint.toml or [tool.corpuslint] in pyproject.toml."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpuslint.diagnostics import Severity

CONFIG_NAMES = ("corpuslint.toml", ".corpuslint.toml", "pyproject.toml")
DEFAULT_INCLUDE = ("*.md", "*.markdown")
DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".corpuslint_cache",
    ".tox",
    ".nox",
)
TOP_LEVEL_KEYS = {
    "extend",
    "include",
    "exclude",
    "extend-exclude",
    "select",
    "ignore",
    "schemas",
    "rules",
    "links",
    "front_matter",
}
MAX_EXTEND_DEPTH = 16


class ConfigError(Exception):
    """A configuration problem; the message names the file and the key at fault."""


@dataclass(frozen=True)
class SchemaAssociation:
    files: tuple[str, ...]
    schema: Path
    exclude: tuple[str, ...] = ()  # globs this entry does not apply to (the next entry may)


@dataclass(frozen=True)
class RuleConfig:
    severity: Severity | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    path: Path | None
    root: Path
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    schemas: tuple[SchemaAssociation, ...] = ()
    rules: Mapping[str, RuleConfig] = field(default_factory=dict)
    links: Mapping[str, Any] = field(default_factory=dict)
    front_matter: Mapping[str, Any] = field(default_factory=dict)  # [front_matter]: yaml = "1.2" | "1.1"

    extends: tuple[Path, ...] = ()  # the files this one extends, nearest first

    @property
    def name(self) -> str:
        return str(self.path) if self.path else "(defaults)"


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8") from None


def config_in(directory: Path) -> Path | None:
    """The config file in `directory` itself (not above): corpuslint.toml, then
    .corpuslint.toml, then a pyproject.toml that has a [tool.corpuslint] table."""
    for name in CONFIG_NAMES:
        candidate = directory / name
        if not candidate.is_file():
            continue
        if name == "pyproject.toml":
            data = _load_toml(candidate)
            if "corpuslint" not in data.get("tool", {}):
                continue
        return candidate
    return None


def find_config(start: Path) -> Path | None:
    """Walk up from `start`; the first corpuslint.toml, .corpuslint.toml or pyproject.toml with
    a [tool.corpuslint] table wins."""
    for directory in (start, *start.parents):
        found = config_in(directory)
        if found is not None:
            return found
    return None


def load_config(path: Path | None, *, cwd: Path | None = None) -> Config:
    cwd = cwd or Path.cwd()
    if path is None:
        return Config(path=None, root=cwd)
    path = path.resolve()
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    data, extends = _load_with_extends(path, ())
    return _parse(data, path, _prefix(path), extends)


def _prefix(path: Path) -> str:
    return "tool.corpuslint." if path.name == "pyproject.toml" else ""


def _table(path: Path) -> dict[str, Any]:
    data = _load_toml(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("corpuslint", {})
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: tool.corpuslint: must be a table")
    return data


def _load_with_extends(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], tuple[Path, ...]]:
    """The file's table merged over the tables it extends (`extend = "../corpuslint.toml"`),
    and the extended files, nearest first."""
    data = _table(path)
    if "extend" not in data:
        return data, ()
    base = data["extend"]
    where = f"{path}: {_prefix(path)}extend"
    if not isinstance(base, str) or not base.strip():
        raise ConfigError(f"{where}: must be the path of another config file")
    base_path = (path.parent / Path(base).expanduser()).resolve()
    if base_path == path or base_path in chain:
        raise ConfigError(f"{where}: {base_path} extends itself (a cycle)")
    if len(chain) >= MAX_EXTEND_DEPTH:
        raise ConfigError(f"{where}: more than {MAX_EXTEND_DEPTH} levels of extend")
    if not base_path.is_file():
        raise ConfigError(f"{where}: config file not found: {base_path}")
    base_data, base_extends = _load_with_extends(base_path, (*chain, path))
    _parse(base_data, base_path, _prefix(base_path))  # its own mistakes name its own file
    merged = _merge(_absolute_schemas(base_data, base_path.parent), data)
    merged.pop("extend", None)
    return merged, (base_path, *base_extends)


def _absolute_schemas(data: dict[str, Any], directory: Path) -> dict[str, Any]:
    """Schema paths of an extended file resolved against that file's directory."""
    schemas = data.get("schemas")
    if not isinstance(schemas, list):
        return data
    fixed = []
    for entry in schemas:
        if isinstance(entry, dict) and isinstance(entry.get("schema"), str) and entry["schema"]:
            entry = {**entry, "schema": str(directory / entry["schema"])}
        fixed.append(entry)
    return {**data, "schemas": fixed}


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """The child's keys win; tables (`rules`, `links`, ...) merge key by key, a rule's table too;
    `extend-exclude` accumulates; the child's `schemas` come first (the first match wins)."""
    merged = dict(base)
    for key, value in child.items():
        old = merged.get(key)
        if key == "schemas" and isinstance(old, list) and isinstance(value, list):
            merged[key] = [*value, *old]
        elif key == "extend-exclude" and isinstance(old, list) and isinstance(value, list):
            merged[key] = [*old, *value]
        elif isinstance(old, dict) and isinstance(value, dict):
            merged[key] = _merge(old, value) if key == "rules" else {**old, **value}
        else:
            merged[key] = value
    return merged


def _parse(data: Mapping[str, Any], path: Path, prefix: str, extends: tuple[Path, ...] = ()) -> Config:
    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(f"{path}: {prefix}{key}: {message}")

    unknown = sorted(set(data) - TOP_LEVEL_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key (expected one of: {', '.join(sorted(TOP_LEVEL_KEYS))})")

    def string_list(key: str) -> tuple[str, ...] | None:
        if key not in data:
            return None
        value = data[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise fail(key, "must be a list of non-empty strings")
        return tuple(value)

    root = path.parent
    include = string_list("include") or DEFAULT_INCLUDE
    exclude = string_list("exclude")
    exclude = DEFAULT_EXCLUDE if exclude is None else exclude
    exclude = exclude + (string_list("extend-exclude") or ())
    select = string_list("select")
    ignore = string_list("ignore") or ()

    from corpuslint import registry

    for key, codes in (("select", select or ()), ("ignore", ignore)):
        try:
            registry.select_codes(codes, None) if codes else None
        except ValueError as exc:
            raise fail(key, str(exc)) from None

    schemas = []
    raw_schemas = data.get("schemas", [])
    if not isinstance(raw_schemas, list):
        raise fail("schemas", "must be an array of tables ([[schemas]])")
    for index, entry in enumerate(raw_schemas):
        where = f"schemas[{index}]"
        if not isinstance(entry, dict):
            raise fail(where, "must be a table with `files` and `schema`")
        extra = sorted(set(entry) - {"files", "schema", "exclude"})
        if extra:
            raise fail(f"{where}.{extra[0]}", "unknown key (expected `files`, `schema` and `exclude`)")
        entry_exclude = entry.get("exclude", [])
        if isinstance(entry_exclude, str):
            entry_exclude = [entry_exclude]
        if not isinstance(entry_exclude, list) or not all(isinstance(e, str) and e for e in entry_exclude):
            raise fail(f"{where}.exclude", "must be a list of glob strings")
        files = entry.get("files")
        if isinstance(files, str):
            files = [files]
        if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
            raise fail(f"{where}.files", "must be a non-empty list of glob strings")
        schema = entry.get("schema")
        if not isinstance(schema, str) or not schema:
            raise fail(f"{where}.schema", "must be the path of a JSON Schema file")
        schema_path = (root / schema).resolve()
        if not schema_path.is_file():
            raise fail(f"{where}.schema", f"schema file not found: {schema_path}")
        schemas.append(SchemaAssociation(tuple(files), schema_path, tuple(entry_exclude)))

    rules: dict[str, RuleConfig] = {}
    raw_rules = data.get("rules", {})
    if not isinstance(raw_rules, dict):
        raise fail("rules", "must be a table of rule codes")
    known = registry.all_rules()
    for code, table in raw_rules.items():
        rule = known.get(code.upper())
        if rule is None:
            raise fail(f"rules.{code}", "unknown rule code (see `corpuslint rules`)")
        if not isinstance(table, dict):
            raise fail(f"rules.{code}", "must be a table")
        severity = None
        options: dict[str, Any] = {}
        for key, value in table.items():
            if key == "severity":
                try:
                    severity = Severity.parse(str(value))
                except ValueError as exc:
                    raise fail(f"rules.{code}.severity", str(exc)) from None
            elif key in rule.options:
                default = rule.options[key]
                if default is not None and not _same_kind(default, value):
                    raise fail(
                        f"rules.{code}.{key}",
                        f"expected {type(default).__name__}, got {type(value).__name__}",
                    )
                options[key] = value
            else:
                allowed = ", ".join(["severity", *rule.options]) or "severity"
                raise fail(f"rules.{code}.{key}", f"unknown option (allowed: {allowed})")
        if rule.validate is not None and options:
            try:
                rule.validate({**rule.options, **options})
            except ValueError as exc:
                raise fail(f"rules.{code}", str(exc)) from None
        rules[rule.code] = RuleConfig(severity, options)

    links = data.get("links", {})
    if not isinstance(links, dict):
        raise fail("links", "must be a table")
    if links:
        from corpuslint.links.settings import settings_from_config

        try:
            settings_from_config(links, root)
        except ValueError as exc:
            raise ConfigError(f"{path}: {prefix}{exc}") from None

    from corpuslint.front_matter import options_from_table

    try:
        front_matter = options_from_table(data.get("front_matter", {}))
    except ValueError as exc:
        key, _, problem = str(exc).partition(": ")
        raise fail(f"front_matter.{key}" if problem else "front_matter", problem or str(exc)) from None

    return Config(
        path=path,
        root=root,
        include=include,
        exclude=exclude,
        select=select,
        ignore=ignore,
        schemas=tuple(schemas),
        rules=rules,
        links=dict(links),
        front_matter=front_matter,
        extends=extends,
    )


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    if isinstance(default, (list, tuple)):
        return isinstance(value, list)
    return isinstance(value, type(default))
