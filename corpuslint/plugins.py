"""Third-party rules: plugins discovered through the `corpuslint.rules` entry-point group.

A plugin is an installed distribution that declares, in its pyproject.toml,

    [project.entry-points."corpuslint.rules"]
    house-style = "corpuslint_house_style.rules"

The named module (or `module:attribute`) is imported the first time the rule table is needed;
importing it registers its rules with the same `@rule` decorator as the built-in ones. This module
also re-exports everything a rule may use, the stable rule API (see docs/api.md):

    from corpuslint.plugins import Document, Edit, Fix, Problem, RuleContext, Severity, prose_blocks, rule

Codes of plugin rules live in a namespace of their own: `X`, one to three capital letters naming
the plugin, three digits (`XHS001`). Built-in codes never start with `X`; two plugins claiming
the same code is an error naming both distributions.

Discovery is cheap when no plugin is installed: instead of importing importlib.metadata (tens of
milliseconds), the `*.dist-info` and `*.egg-info` directories on sys.path are listed and only
their entry_points.txt files are read; importlib.metadata is used only for a sys.path entry that
is not a directory (a zip file). `CORPUSLINT_NO_PLUGINS=1` turns plugins off.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from corpuslint import registry
from corpuslint.config import ConfigError
from corpuslint.diagnostics import Edit, Fix, Problem, Severity
from corpuslint.registry import RuleContext, rule

if TYPE_CHECKING:
    from corpuslint.document import Document
    from corpuslint.markdown.prose import PLACEHOLDER, ProseBlock, prose_blocks

# imported when a plugin asks for them: discovery itself needs none of the parsing modules
_LAZY = {
    "Document": "corpuslint.document",
    "PLACEHOLDER": "corpuslint.markdown.prose",
    "ProseBlock": "corpuslint.markdown.prose",
    "prose_blocks": "corpuslint.markdown.prose",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "GROUP",
    "PLACEHOLDER",
    "Document",
    "Edit",
    "Fix",
    "Plugin",
    "PluginError",
    "Problem",
    "ProseBlock",
    "RuleContext",
    "Severity",
    "installed",
    "prose_blocks",
    "rule",
]

GROUP = "corpuslint.rules"
CODE_PATTERN = re.compile(r"X[A-Z]{1,3}[0-9]{3}")
NAMESPACE = "X, then one to three capital letters naming the plugin, then three digits (e.g. XHS001)"
DISABLE_VARIABLE = "CORPUSLINT_NO_PLUGINS"


class PluginError(ConfigError):
    """A plugin that cannot be used: it does not import, or its rules break the rules for codes."""


@dataclass(frozen=True)
class Plugin:
    """One entry point of the `corpuslint.rules` group."""

    distribution: str  # the distribution's name, as its metadata spells it
    version: str
    name: str  # the entry point's name
    value: str  # module or module:attribute


_lock = threading.RLock()
_found: list[Plugin] | None = None


def installed() -> list[Plugin]:
    """The plugins installed (entry points of the group), the first on sys.path winning when a
    distribution is installed twice. Nothing is imported."""
    global _found
    with _lock:
        if _found is None:
            _found = [] if os.environ.get(DISABLE_VARIABLE, "").lower() in ("1", "true", "yes") else _scan()
        return list(_found)


def _scan() -> list[Plugin]:
    plugins: list[Plugin] = []
    seen: set[str] = set()
    for entry in sys.path:
        directory = entry or os.getcwd()
        found = (
            _from_importlib_metadata(directory) if os.path.isfile(directory) else _from_directory(directory)
        )
        names = set()
        for plugin in found:
            key = _normalise(plugin.distribution)
            if key not in seen:  # installed twice: the first on sys.path is the one imported
                plugins.append(plugin)
                names.add(key)
        seen |= names
    return plugins


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _from_directory(directory: str) -> list[Plugin]:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    plugins: list[Plugin] = []
    seen: set[str] = set()
    for name in names:
        if not name.endswith((".dist-info", ".egg-info")):
            continue
        meta = os.path.join(directory, name)
        try:
            with open(os.path.join(meta, "entry_points.txt"), encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError):
            continue
        if GROUP not in text:
            continue
        distribution, version = _name_and_version(meta, name)
        if _normalise(distribution) in seen:
            continue
        seen.add(_normalise(distribution))
        plugins.extend(Plugin(distribution, version, key, value) for key, value in _entry_points(text))
    return plugins


def _name_and_version(meta: str, directory_name: str) -> tuple[str, str]:
    stem = directory_name.rsplit(".", 1)[0]
    name, _, version = stem.partition("-")
    for filename in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(meta, filename), encoding="utf-8") as handle:
                headers = {}
                for line in handle:
                    if not line.strip():
                        break
                    key, sep, value = line.partition(":")
                    if sep and key in ("Name", "Version"):
                        headers[key] = value.strip()
                return headers.get("Name", name), headers.get("Version", version.split("-")[0])
        except (OSError, UnicodeDecodeError):
            continue
    return name, version.split("-")[0]


def _entry_points(text: str) -> list[tuple[str, str]]:
    """The (name, value) pairs of the group's section of an entry_points.txt (an INI file)."""
    pairs = []
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == GROUP and "=" in line:
            key, _, value = line.partition("=")
            value = value.split("[", 1)[0].strip()  # extras, if any, do not matter here
            pairs.append((key.strip(), value))
    return pairs


def _from_importlib_metadata(path: str) -> list[Plugin]:
    from importlib.metadata import distributions

    plugins = []
    for dist in distributions(path=[path]):
        for ep in dist.entry_points:
            if ep.group == GROUP:
                plugins.append(Plugin(dist.metadata["Name"], dist.version, ep.name, ep.value))
    return plugins


# --- loading (called by registry.all_rules, once) ----------------------------------------------


_state: str | PluginError = "new"  # "new" | "loading" | "done" | the error that stopped loading


def load_all() -> None:
    """Import every plugin's module once: its `@rule`s register with the distribution's name.
    A plugin that cannot be used raises PluginError, on this call and every later one."""
    global _state
    with _lock:
        if isinstance(_state, PluginError):
            raise _state
        if _state != "new":
            return  # done, or a plugin's module asking for the rules while it is imported
        _state = "loading"
        try:
            for plugin in installed():
                _load(plugin)
        except PluginError as exc:
            _state = exc
            raise
        _state = "done"


def fingerprint() -> str:
    """The installed plugins, their versions and their modules' files (modification time and
    size: an editable plugin being worked on), for the keys of cached results."""
    parts = []
    for plugin in installed():
        module = sys.modules.get(plugin.value.partition(":")[0].strip())
        try:
            info = os.stat(module.__file__) if module is not None and module.__file__ else None
        except OSError:
            info = None
        stamp = f"{info.st_mtime_ns}/{info.st_size}" if info is not None else "-"
        parts.append(f"{plugin.distribution}=={plugin.version}:{plugin.value}:{stamp}")
    return ";".join(sorted(parts))


def _load(plugin: Plugin) -> None:
    module_name, _, attribute = plugin.value.partition(":")
    previous = registry._distribution
    registry._distribution = plugin.distribution
    try:
        module = importlib.import_module(module_name.strip())
        for part in filter(None, attribute.strip().split(".")):
            module = getattr(module, part)
    except PluginError:
        raise
    except ValueError as exc:  # the registry's own checks (a code registered twice)
        raise PluginError(str(exc)) from None
    except Exception as exc:
        raise PluginError(
            f"plugin {plugin.name!r} of distribution {plugin.distribution} {plugin.version} "
            f"failed to load ({plugin.value}): {type(exc).__name__}: {exc}"
        ) from None
    finally:
        registry._distribution = previous


def check_registration(code: str, phase: str, distribution: str) -> None:
    """A plugin's rule: its code in the plugin namespace, a document rule (called by `@rule`)."""
    if not CODE_PATTERN.fullmatch(code):
        raise PluginError(
            f"rule code {code!r} of plugin distribution {distribution} is outside the plugin "
            f"namespace: plugin codes are {NAMESPACE}"
        )
    if phase != "document":
        raise PluginError(
            f"rule {code} of plugin distribution {distribution}: plugins may only add "
            f"document rules (phase={phase!r})"
        )


def version_of(distribution: str) -> str:
    """The installed version of a plugin distribution ("" when unknown)."""
    for plugin in installed():
        if plugin.distribution == distribution:
            return plugin.version
    return ""
