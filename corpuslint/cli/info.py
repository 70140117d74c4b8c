"""`corpuslint rules`, `rule CODE`, `cache clean` and `check --show-settings FILE`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from corpuslint.cli import EXIT_OK, error

# how a rule's fix is offered, for codes whose fix is not always there or not safe; the
# diagnostics say it per finding (`[*]` in text, "fixable"/"fix" in JSON)
FIX_NOTES = {
    "FN005": "sometimes",  # only when every label is numeric and each defined once
    "LK003": "sometimes",  # only when the redirect target is known
    "SR001": "unsafe",  # removes text: --unsafe-fixes
}


def fix_availability(rule) -> str:  # type: ignore[no-untyped-def]
    """ "always", "sometimes", "unsafe" or "" (never), as `rules` and `rule CODE` show it."""
    if not rule.fixable:
        return ""
    declared = getattr(rule, "fix", None)  # a registry that knows it says it
    return declared if isinstance(declared, str) and declared else FIX_NOTES.get(rule.code, "always")


def list_rules(output_format: str = "text") -> int:
    from corpuslint import registry

    rules = registry.all_rules()
    if output_format == "json":
        import json

        items = [
            {
                "code": r.code,
                "name": r.name,
                "severity": str(r.severity),
                "fixable": r.fixable,
                "fix": fix_availability(r) or None,
                "summary": r.summary,
                "options": dict(r.options),
                "distribution": r.distribution or "corpuslint",
            }
            for r in rules.values()
        ]
        print(json.dumps(items, ensure_ascii=False, indent=2))
        return EXIT_OK
    if output_format == "markdown":
        print("| Code | Name | Severity | Fixable | What it checks |")
        print("| --- | --- | --- | --- | --- |")
        for rule in rules.values():
            fix = {"always": "yes", "": ""}.get(fix_availability(rule), fix_availability(rule))
            print(f"| {rule.code} | {rule.name} | {rule.severity} | {fix} | {rule.summary} |")
        return EXIT_OK
    width = max(len(r.name) for r in rules.values())
    print(f"{'CODE':<6}  {'NAME':<{width}}  {'SEVERITY':<8}  {'FIX':<9}  SUMMARY")
    for rule in rules.values():
        fix = {"always": "yes", "": "-"}.get(fix_availability(rule), fix_availability(rule))
        plugin = f"  [plugin: {rule.distribution}]" if rule.distribution else ""
        print(
            f"{rule.code:<6}  {rule.name:<{width}}  {str(rule.severity):<8}  {fix:<9}  {rule.summary}{plugin}"
        )
    print(
        "\nFIX: yes = `--fix` fixes it ([*] in the output); sometimes = only some findings (those marked [*]);"
    )
    print("unsafe = only with `--fix --unsafe-fixes`.")
    return EXIT_OK


def explain_rule(code: str) -> int:
    from corpuslint import registry

    rule = registry.get(code)
    if rule is None:
        return error(f"unknown rule code {code!r} (see `corpuslint rules`)")
    fixable = {
        "always": "yes",
        "sometimes": "sometimes (the findings marked [*])",
        "unsafe": "with --unsafe-fixes",
        "": "no",
    }[fix_availability(rule)]
    print(f"# {rule.name} ({rule.code})\n")
    print(f"Default severity: {rule.severity}. Fixable: {fixable}.")
    if rule.distribution:
        print(f"Provided by the plugin distribution {rule.distribution}.")
    if rule.options:
        print("Options: " + ", ".join(f"{k} = {v!r}" for k, v in rule.options.items()) + ".")
    print()
    print(rule.doc)
    return EXIT_OK


def cache(args: argparse.Namespace) -> int:
    """`cache clean` (alias `clear`): remove both caches of the config that applies here."""
    from corpuslint import cachedir
    from corpuslint.applies import cache_root
    from corpuslint.cli.check import make_resolver
    from corpuslint.config import ConfigError

    try:
        args.isolated = False
        config = make_resolver(args).for_directory(os.getcwd())
        root = cache_root(config, args.cache_dir)
        removed = cachedir.clean(root)
    except ConfigError as exc:
        return error(str(exc))
    except OSError as exc:
        return error(f"cannot clean the cache: {exc}")
    if not removed:
        print(f"Nothing to clean: no cache in {root}.")
        return EXIT_OK
    for path in removed:
        print(f"Removed {path}")
    return EXIT_OK


def show_settings(path: str, resolver, options) -> int:  # type: ignore[no-untyped-def]
    """Which config (and what it extends), root, schema, rules and cache apply to `path`."""
    from corpuslint import registry
    from corpuslint.applies import cache_root, configured_schema
    from corpuslint.discovery import SourceFile, excluded, included
    from corpuslint.runner import enabled_codes

    absolute = os.path.normpath(os.path.abspath(path))
    config = resolver.for_file(absolute)
    from corpuslint.reporters import printable

    out = _Escaping(sys.stdout, printable)
    out.write(f"File:    {path}\n")
    origin = "--config" if resolver.override is not None and config.path else "closest to the file"
    out.write(
        f"Config:  {config.name}" + (f" ({origin})" if config.path else " (no config file found)") + "\n"
    )
    for base in config.extends:
        out.write(f"Extends: {base}\n")
    out.write(f"Root:    {config.root} (globs are relative to it)\n")
    if excluded(absolute, config):
        state = "no, excluded (named on the command line it is linted unless --force-exclude)"
    elif included(absolute, config):
        state = "yes"
    else:
        state = f"only when named (include: {', '.join(config.include)})"
    out.write(f"Linted:  {state}\n")
    out.write(f"Schema:  {_schema_line(SourceFile(absolute, path), config, configured_schema)}\n")
    codes = sorted(enabled_codes(config, options))
    out.write(f"Rules:   {len(codes)} enabled: {', '.join(codes)}\n")
    rules = registry.all_rules()
    for code, rule_config in sorted(config.rules.items()):
        parts = [f"severity = {rule_config.severity}"] if rule_config.severity else []
        parts += [f"{key} = {value!r}" for key, value in rule_config.options.items()]
        if parts and code in rules:
            out.write(f"         {code} ({rules[code].name}): {', '.join(parts)}\n")
    out.write(
        f"Cache:   {cache_root(config, options.cache_dir)}"
        + ("" if options.use_cache else " (not used: --no-cache)")
        + "\n"
    )
    return EXIT_OK


def _schema_line(source, config, configured_schema) -> str:  # type: ignore[no-untyped-def]
    declared = _declared_schema(source.path)
    if declared:
        return f"{declared} ($schema in the file's front matter)"
    found = configured_schema(source.path, config)
    if found is None:
        return "none" + (" (no [[schemas]] entry matches)" if config.schemas else "")
    index, association = found
    return f"{association.schema} (schemas[{index}], files = {list(association.files)})"


def _declared_schema(path: str) -> str | None:
    if not os.path.isfile(path):
        return None
    from corpuslint.document import Document

    try:
        fm = Document.read(path, path).front_matter
    except Exception:  # noqa: BLE001  (the settings are still worth showing)
        return None
    data = fm.data if fm is not None else None
    value = data.get("$schema") if isinstance(data, dict) else None
    return str(Path(path).parent / value) if isinstance(value, str) and value else None


class _Escaping:
    """A stream that shows control characters in each line as escapes (paths come from users)."""

    def __init__(self, stream, printable) -> None:  # type: ignore[no-untyped-def]
        self.stream = stream
        self.printable = printable

    def write(self, text: str) -> None:
        self.stream.write("\n".join(self.printable(line) for line in text.split("\n")))
