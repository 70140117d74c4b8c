"""Load the JSON Schemas of FM003: local files only, read once, bounded, never fetched.

A schema file and every file its `$ref`s reach are read when it is loaded, and put in a
`referencing` registry whose retrieval refuses everything: validation can never open a URL or a
file on its own. Which files a `$ref` may reach:

- a relative `$ref` (`defs.json#/$defs/url`), resolved against the referring schema's file;
- an absolute `$ref` under the referring schema's own `$id` base (`$id` https://x.test/s/a.json,
  `$ref` https://x.test/s/defs.json): the file of that name beside the referring file;
- an absolute `$ref` to the `$id` of a schema file in the same directory as the referring one;
- `file:` URIs, and all of the above, only inside the allowed directories: the config's
  directory and the configured schema's own directory.

Anything else (`http://…`, `https://…` not found locally, a file outside those directories,
`file:///etc/passwd`) is a configuration error naming the schema and the `$ref`, decided by the
form of the reference alone: nothing is requested. The JSON Schema meta-schemas are known.

Hostile schema files are errors too, not tracebacks: files that are not regular files (a FIFO is
never opened), over MAX_SCHEMA_BYTES, nested deeper than MAX_SCHEMA_DEPTH, integers over Python's
digit limit, more than MAX_SCHEMA_FILES files.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

MAX_SCHEMA_BYTES = 4 * 1024 * 1024
MAX_SCHEMA_DEPTH = 64  # JSON nesting levels of a schema file
MAX_SCHEMA_FILES = 64  # files one schema may reach through its $refs
MAX_SIBLINGS = 200  # files of a directory searched for an `$id`

_NOT_SUBSCHEMAS = frozenset(("enum", "const", "examples", "default"))


class SchemaError(ValueError):
    """A schema that cannot be used; the message is for the user."""


_UNSET: Any = object()


@dataclass(eq=False)
class LoadedSchema:
    """A schema file with everything it refers to; `contents` is the root schema (a dict).

    Loading reads the files (JSON, bounded, `$ref`s followed) and hashes them; checking them
    against their meta-schema and building the `referencing` registry is `prepare()`, done on
    first use (the registry, the validator) or by the runner before it lints a file: a warm
    run whose every file is served by the cache never imports jsonschema.
    """

    path: str
    uri: str
    contents: dict[str, Any]
    files: tuple[str, ...]  # every file read (the root first)
    digest: str  # of every file read
    _sources: dict[str, tuple[str, Any]] = field(default_factory=dict, repr=False)  # path -> (uri, contents)
    _aliases: dict[str, str] = field(default_factory=dict, repr=False)  # URI -> path of the file serving it
    _registry: Any = field(default=None, repr=False)
    _validator: Any = field(default=None, repr=False)
    _fast: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._fast = _UNSET

    @property
    def registry(self) -> Any:
        """The referencing.Registry of every file read, retrieval refused (after `prepare`)."""
        self.prepare()
        return self._registry

    def prepare(self) -> None:
        """Check every file against its meta-schema and resolve every `$ref`; SchemaError
        naming the file at fault (again on each call, while it is broken)."""
        if self._registry is None:
            self._registry = _prepare(self)

    def validator(self) -> Any:
        if self._validator is None:
            self._validator = make_validator(self.contents, self.registry)
        return self._validator

    def fast_check(self) -> Any:
        """schema_fast's exact predicate of this schema, or None (jsonschema always)."""
        if self._fast is _UNSET:
            from corpuslint.schema_fast import predicate

            self._fast = predicate(self.contents)
        return self._fast


def make_validator(contents: Any, registry: Any = None) -> Any:
    """A jsonschema validator for `contents` with formats checked and time-bounded patterns."""
    from jsonschema import validators

    from corpuslint.schema_patterns import timed_validator_class

    base = validators.validator_for(contents, default=validators.Draft202012Validator)
    cls = timed_validator_class(base)
    if registry is None:
        registry = _empty_registry()
    return cls(contents, registry=registry, format_checker=base.FORMAT_CHECKER)


_by_id: dict[int, tuple[Any, Any]] = {}


def validator_of(schema: Any) -> Any:
    """The validator of a LoadedSchema, or of a schema given as a dict (no other files)."""
    if isinstance(schema, LoadedSchema):
        return schema.validator()
    cached = _by_id.get(id(schema))
    if cached is None or cached[0] is not schema:
        if len(_by_id) >= 64:
            _by_id.clear()
        cached = _by_id[id(schema)] = (schema, make_validator(schema))  # the schema kept: its id stays
    return cached[1]


_fast_by_id: dict[int, tuple[Any, Any]] = {}


def fast_check_of(schema: Any) -> Any:
    """The exact predicate (schema_fast) of a LoadedSchema or a schema dict, or None."""
    if isinstance(schema, LoadedSchema):
        return schema.fast_check()
    cached = _fast_by_id.get(id(schema))
    if cached is None or cached[0] is not schema:
        from corpuslint.schema_fast import predicate

        if len(_fast_by_id) >= 64:
            _fast_by_id.clear()
        cached = _fast_by_id[id(schema)] = (schema, predicate(schema))
    return cached[1]


def _empty_registry() -> Any:
    from referencing import Registry

    return Registry(retrieve=_refuse)


def _refuse(uri: str) -> Any:
    from referencing.exceptions import NoSuchResource

    raise NoSuchResource(ref=uri)


# --- reading one file -----------------------------------------------------------------------------


def read_json_file(path: str) -> tuple[bytes, Any]:
    """The bytes and JSON value of a schema file; SchemaError for anything else."""
    try:
        if "\x00" in path:
            raise SchemaError("the path contains a NUL character")
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise SchemaError("not a regular file")
        if info.st_size > MAX_SCHEMA_BYTES:
            raise SchemaError(f"over the {MAX_SCHEMA_BYTES // 1048576} MiB limit for a schema")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise SchemaError("not a regular file")
            data = handle.read(MAX_SCHEMA_BYTES + 1)
    except OSError as exc:
        raise SchemaError(f"cannot read it: {exc.strerror or exc}") from None
    if len(data) > MAX_SCHEMA_BYTES:
        raise SchemaError(f"over the {MAX_SCHEMA_BYTES // 1048576} MiB limit for a schema")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SchemaError(f"not UTF-8: {exc.reason} at byte {exc.start}") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise SchemaError(f"nests deeper than {MAX_SCHEMA_DEPTH} levels") from None
    except ValueError as exc:  # an integer over Python's digit limit
        raise SchemaError(f"cannot be read: {exc}") from None
    _check_depth(value)
    return data, value


def _check_depth(value: Any) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_SCHEMA_DEPTH:
            raise SchemaError(f"nests deeper than {MAX_SCHEMA_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values() if isinstance(child, (dict, list)))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item if isinstance(child, (dict, list)))


# jsonschema imports an optional package per format it can check, when installed; some are slow
# to import (rfc3987-syntax compiles a grammar, ~0.7 s; isoduration pulls in arrow, ~40 ms).
_FORMAT_CHECKER_MODULES = {
    "rfc3987_syntax": (b'"iri',),
    "isoduration": (b'"duration"',),
    "webcolors": (b'"color"',),
    "uri_template": (b'"uri-template"',),
    "jsonpointer": (b"json-pointer",),
}


def _skip_unused_format_checkers(schema: LoadedSchema) -> None:
    """Keep the optional format-checker packages out of the process unless the schema files name
    a format they check: start-up time is what a pre-commit hook pays on every commit."""
    import sys

    if "jsonschema" in sys.modules:
        return
    schema_text = json.dumps([contents for _uri, contents in schema._sources.values()]).encode()
    for module, formats in _FORMAT_CHECKER_MODULES.items():
        if not any(name in schema_text for name in formats):
            sys.modules.setdefault(module, None)  # type: ignore[arg-type]


# --- a schema and what it refers to ---------------------------------------------------------------

cache: dict[tuple[str, tuple[str, ...]], LoadedSchema] = {}  # cleared by api.invalidate_caches
# (path, roots, working directory) as a caller gave them -> the schema: a document's lookup costs
# a dictionary access, not the two realpath calls (an lstat per path component) of the key above
_lookups: dict[tuple[str, tuple[str, ...], str], LoadedSchema] = {}


def clear_cache() -> None:
    cache.clear()
    _lookups.clear()


def load_schema(path: str, roots: tuple[str, ...] = (), *, prepare: bool = True) -> LoadedSchema:
    """The schema at `path` with every file its `$ref`s reach, which must lie in `roots` (the
    schema's own directory is always allowed). Raises SchemaError naming the file at fault.
    With `prepare=False` only the files are read (JSON, `$ref`s followed, hashed): the meta-schema
    check and the registry wait for `LoadedSchema.prepare()`."""
    lookup = (path, roots, os.getcwd())
    found = _lookups.get(lookup)
    if found is None:
        found = _load(path, roots)
        if len(_lookups) > 1024:
            _lookups.clear()
        _lookups[lookup] = found
    if prepare:
        found.prepare()
    return found


def _load(path: str, roots: tuple[str, ...]) -> LoadedSchema:
    path = os.path.abspath(path)
    roots = tuple(
        sorted({os.path.realpath(root) for root in roots} | {os.path.dirname(os.path.realpath(path))})
    )
    key = (path, roots)
    cached = cache.get(key)
    if cached is None:
        cached = _Loader(roots).load(path)
        if len(cache) > 256:
            cache.clear()
        cache[key] = cached
    return cached


def _check_schema(cls: Any, contents: Any, shown: str) -> None:
    from jsonschema import exceptions

    try:
        cls.check_schema(contents)
    except exceptions.SchemaError as exc:
        where = "/".join(str(part) for part in exc.absolute_path)
        raise SchemaError(
            f"schema {shown} is not a valid JSON Schema: {exc.message}" + (f" (at /{where})" if where else "")
        ) from None
    except RecursionError:
        raise SchemaError(f"schema {shown} nests too deeply to be checked") from None


def _prepare(schema: LoadedSchema) -> Any:
    """The registry of a loaded schema, its files checked against their meta-schema."""
    import warnings

    _skip_unused_format_checkers(schema)
    from jsonschema import validators
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012, specification_with

    root = schema._sources[schema.path][1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an unknown $schema dialect: Draft 2020-12 is used
        cls = validators.validator_for(root, default=validators.Draft202012Validator)
    _check_schema(cls, root, shown_path(schema.path))
    try:
        default = specification_with(root.get("$schema", ""), default=DRAFT202012)
    except Exception:  # noqa: BLE001  (an unknown dialect)
        default = DRAFT202012
    resources = []
    for file_path, (uri, contents) in schema._sources.items():
        if file_path != schema.path and isinstance(contents, dict):
            _check_schema(cls, contents, shown_path(file_path))
        resource = Resource.from_contents(contents, default_specification=default)
        resources.append((uri, resource))
        resources.extend(
            (alias, resource) for alias, served in schema._aliases.items() if served == file_path
        )
    registry = Registry(retrieve=_refuse).with_resources(resources)
    try:
        registry = registry.crawl()
    except Exception as exc:  # noqa: BLE001  (an $id or anchor referencing cannot take)
        raise SchemaError(f"schema {shown_path(schema.path)}: {exc}") from None
    _check_refs(schema._sources, registry)
    return registry


def _check_refs(sources: dict[str, tuple[str, Any]], registry: Any) -> None:
    """Every `$ref` resolves now (a pointer into a file that is not there is the schema's
    fault, reported once, not a failure per document)."""
    from referencing.exceptions import Unresolvable

    for path, (uri, contents) in sources.items():
        for base, ref in _refs(contents, uri):
            try:
                registry.resolver(base_uri=base).lookup(ref)
            except Unresolvable:
                raise SchemaError(f"schema {shown_path(path)}: $ref {ref!r} does not resolve") from None
            except Exception as exc:  # noqa: BLE001  (a malformed pointer or $id)
                raise SchemaError(f"schema {shown_path(path)}: $ref {ref!r}: {exc}") from None


class _Loader:
    def __init__(self, roots: tuple[str, ...]) -> None:
        self.roots = roots
        self.files: dict[str, tuple[str, Any]] = {}  # path -> (uri, contents), in load order
        self.aliases: dict[str, str] = {}  # an absolute URI -> the path of the file that serves it
        self.chunks: list[bytes] = []

    def load(self, path: str) -> LoadedSchema:
        from corpuslint.digests import blake2b

        shown = shown_path(path)
        try:
            root = self.read(path, shown)
        except SchemaError as exc:
            raise SchemaError(f"schema {shown}: {exc}") from None
        if not isinstance(root, dict):
            raise SchemaError(f"schema {shown} must be a JSON object, not {type(root).__name__}")
        self.follow(path)
        uri = self.files[path][0]
        contents = root if "$id" in root else {"$id": uri, **root}
        digest = blake2b(b"\0".join(self.chunks), digest_size=32).hexdigest()
        return LoadedSchema(
            path, uri, contents, tuple(self.files), digest, dict(self.files), dict(self.aliases)
        )

    def read(self, path: str, shown: str) -> Any:
        if len(self.files) >= MAX_SCHEMA_FILES:
            raise SchemaError(f"the $refs reach more than {MAX_SCHEMA_FILES} files")
        data, value = read_json_file(path)
        self.chunks.append(path.encode("utf-8", "surrogateescape") + b"\0" + data)
        self.files[path] = (Path(path).as_uri(), value)
        return value

    def follow(self, first: str) -> None:
        """Read every file the `$ref`s of `first` reach, transitively; refuse the others."""
        pending = [first]
        while pending:
            path = pending.pop()
            uri, contents = self.files[path]
            for base, ref in _refs(contents, uri):
                target, _fragment = urldefrag(urljoin(base, ref))
                if not target or target == base or target in self.aliases:
                    continue
                found = self.locate(target, base, path, ref)
                if found is not None and found not in self.files:
                    try:
                        self.read(found, shown_path(found))
                    except SchemaError as exc:
                        raise SchemaError(
                            f"schema {shown_path(found)} (through $ref {ref!r}): {exc}"
                        ) from None
                    pending.append(found)

    def locate(self, target: str, base: str, referrer: str, ref: str) -> str | None:
        """The local file that serves `target` (None: already known), or SchemaError."""
        from jsonschema_specifications import REGISTRY as SPECIFICATIONS

        if target in SPECIFICATIONS or target.rstrip("#") in SPECIFICATIONS:
            return None
        if any(target == uri for uri, _ in self.files.values()):
            return None
        parts = urlsplit(target)
        candidate: str | None = None
        if parts.scheme == "file" and parts.netloc in ("", "localhost"):
            candidate = os.path.normpath(unquote(parts.path))
        elif parts.scheme in ("http", "https") and not base.startswith("file:"):
            # under the referring schema's own $id: the file of that name beside it
            base_dir = base.rsplit("/", 1)[0] + "/"
            if target.startswith(base_dir) and "/" not in target[len(base_dir) :].strip("/"):
                candidate = os.path.join(os.path.dirname(referrer), unquote(target[len(base_dir) :]))
        if candidate is None:
            candidate = self.sibling_with_id(target, referrer)
        if candidate is None or not self.allowed(candidate) or not os.path.isfile(candidate):
            raise SchemaError(
                f"schema {shown_path(referrer)}: $ref {ref!r} is not a local schema file "
                "(corpuslint reads only schema files inside the project and never fetches a URL)"
            )
        candidate = os.path.abspath(candidate)
        if target != Path(candidate).as_uri():
            self.aliases[target] = candidate
        return candidate

    def sibling_with_id(self, target: str, referrer: str) -> str | None:
        """A schema file beside `referrer` whose `$id` is `target`."""
        directory = os.path.dirname(referrer)
        try:
            names = sorted(name for name in os.listdir(directory) if name.endswith(".json"))[:MAX_SIBLINGS]
        except OSError:
            return None
        for name in names:
            candidate = os.path.join(directory, name)
            if candidate in self.files:
                continue
            try:
                _data, value = read_json_file(candidate)
            except SchemaError:
                continue
            if isinstance(value, dict) and value.get("$id") in (target, target + "#"):
                return candidate
        return None

    def allowed(self, path: str) -> bool:
        real = os.path.realpath(path)
        return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in self.roots)


def _refs(contents: Any, uri: str) -> list[tuple[str, str]]:
    """(base URI, reference) of every `$ref` and `$dynamicRef` in a schema, iteratively."""
    found = []
    stack = [(contents, uri)]
    while stack:
        node, base = stack.pop()
        if isinstance(node, dict):
            own_id = node.get("$id")
            if isinstance(own_id, str):
                base = urljoin(base, own_id)
            for keyword in ("$ref", "$dynamicRef"):
                if isinstance(node.get(keyword), str):
                    found.append((base, node[keyword]))
            stack.extend((child, base) for key, child in node.items() if key not in _NOT_SUBSCHEMAS)
        elif isinstance(node, list):
            stack.extend((child, base) for child in node)
    return found


def shown_path(path: str) -> str:
    """A path as users see it: relative to the working directory when below it."""
    return _shown_from(path, os.getcwd())


@lru_cache(maxsize=1024)
def _shown_from(path: str, cwd: str) -> str:
    try:
        return Path(path).relative_to(cwd).as_posix()
    except ValueError:
        return path
