"""Which schema applies to a document, and the run's front-matter settings.

Precedence: a `$schema` key in the front matter (a path relative to the document, which must lie
inside the project, i.e. the config's directory) wins; otherwise the FIRST `[[schemas]]` entry
whose `files` match the document's path and whose `exclude` does not. Later entries are not
consulted: one schema per document, so messages and positions stay unambiguous and an entry's
order says which one wins. To keep a file out of a broad entry, list it in the entry's `exclude`
(or put a narrower entry first).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from corpuslint.diagnostics import Problem
from corpuslint.front_matter import DEFAULT_YAML_VERSION, reload
from corpuslint.globs import matches
from corpuslint.schemas import SchemaError, load_schema, shown_path

_URL_FORM = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")  # a scheme (not a one-letter drive)


@dataclass(frozen=True)
class SchemaEntry:
    files: tuple[str, ...]
    schema: str
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class FrontMatterSettings:
    """Picklable; part of the run's plan (and so of the per-file cache's key)."""

    root: str  # the config's directory: schema files are read only inside it (and their own)
    entries: tuple[SchemaEntry, ...] = ()
    yaml: str = DEFAULT_YAML_VERSION
    digest: str = ""  # of every file the entries' schemas read, $ref'd files included


def settings_for(config: Any, *, prepare: bool = True) -> FrontMatterSettings:
    """Load every configured schema now (a broken one is a ConfigError, exit 2). With
    `prepare=False` the files are only read and hashed (unreadable or malformed JSON is still
    an error); calling it again with `prepare=True` checks them (schemas.LoadedSchema.prepare)."""
    from corpuslint.config import ConfigError

    root = str(config.root)
    entries = []
    digests = []
    for index, association in enumerate(config.schemas):
        try:
            loaded = load_schema(str(association.schema), (root,), prepare=prepare)
        except SchemaError as exc:
            raise ConfigError(f"{config.name}: schemas[{index}].schema: {exc}") from None
        digests.append(loaded.digest)
        exclude = tuple(getattr(association, "exclude", ()))
        entries.append(SchemaEntry(tuple(association.files), loaded.path, exclude))
    options = getattr(config, "front_matter", None) or {}
    return FrontMatterSettings(
        root, tuple(entries), options.get("yaml", DEFAULT_YAML_VERSION), "|".join(digests)
    )


def entry_index(relative_path: str, entries: tuple[Any, ...]) -> int | None:
    """The first entry whose `files` match and whose `exclude` does not."""
    for index, entry in enumerate(entries):
        if matches(relative_path, tuple(entry.files)) and not (
            getattr(entry, "exclude", ()) and matches(relative_path, tuple(entry.exclude))
        ):
            return index
    return None


def _settings_of(plan: Any) -> FrontMatterSettings:
    settings = getattr(plan, "front_matter", None)
    if isinstance(settings, FrontMatterSettings):
        return settings
    globs = getattr(plan, "schema_globs", ())
    return FrontMatterSettings(plan.config_root, tuple(SchemaEntry(tuple(f), s) for f, s in globs))


def front_matter_for(
    doc: Any, source_path: str, relative_path: str, plan: Any
) -> tuple[Any, str | None, Any]:
    """(schema, its path as shown, a problem with `$schema`) for a document; reads the front
    matter again when the run's YAML version is not the one it was read with."""
    settings = _settings_of(plan)
    fm = doc.front_matter
    if fm is not None and fm.format == "yaml" and fm.yaml_version != settings.yaml:
        doc.front_matter = fm = reload(fm, settings.yaml)
    declared = fm.data.get("$schema") if fm is not None and isinstance(fm.data, dict) else None
    if isinstance(declared, str) and declared:
        return _declared(declared, fm, source_path, settings)
    index = entry_index(relative_path, settings.entries)
    if index is None:
        return None, None, None
    path = settings.entries[index].schema
    # a configured schema: checked by the runner before any file is linted (runner.validate_schemas)
    loaded = load_schema(path, (settings.root,), prepare=False)
    return loaded, shown_path(loaded.path), None


def _declared(
    declared: str, fm: Any, source_path: str, settings: FrontMatterSettings
) -> tuple[Any, Any, Any]:
    line, column = fm.position(("$schema",))

    def refuse(message: str) -> tuple[None, None, Problem]:
        return None, None, Problem(line, column, f"$schema: {message}", code="FM003")

    shown = _short(declared)
    if "\x00" in declared:
        return refuse(f"{shown} contains a NUL character; it must be the path of a schema file")
    if "://" in declared or _URL_FORM.match(declared):
        return refuse(f"only schema files inside the project are used, not URLs ({shown})")
    root = os.path.realpath(settings.root)
    path = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(source_path)), declared))
    if not (_inside(path, os.path.abspath(settings.root)) and _inside(os.path.realpath(path), root)):
        # the same words whether the file exists or not
        return refuse(
            f"{shown} is outside the project ({shown_path(settings.root)}); only schema files inside it are used"
        )
    try:
        loaded = load_schema(path, (settings.root,))
    except SchemaError as exc:
        return refuse(f"cannot use {shown}: {exc}")
    return loaded, shown_path(loaded.path), None


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _short(text: str, limit: int = 80) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"
