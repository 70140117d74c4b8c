"""Glob patterns matched against paths relative to the config file's directory.

`**` matches zero or more directories, `*` and `?` never cross a `/`. A pattern without a `/`
matches the file or directory name at any depth (`*.md`, `drafts`), as in .gitignore and ruff.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def compile_glob(pattern: str) -> re.Pattern[str]:
    pattern = pattern.strip()
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.strip("/") if anchored else pattern.rstrip("/")
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(ch))
                i += 1
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(ch))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    # a match on a directory also covers everything below it
    return re.compile(f"^{prefix}{''.join(out)}(?:/.*)?$", re.DOTALL)


@lru_cache(maxsize=64)
def _compile_all(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{compile_glob(p).pattern})" for p in patterns), re.DOTALL)


def matches(relative_path: str, patterns: tuple[str, ...]) -> bool:
    combined = _compile_all(tuple(patterns))
    return combined is not None and combined.match(relative_path) is not None
