"""The `.corpuslint_cache` directory: made on first use, with a .gitignore so it is never committed."""

from __future__ import annotations

from pathlib import Path


def prepare(directory: Path, root: Path | None = None) -> None:
    """Make `directory`; `root` (default: `directory`) gets a .gitignore that ignores everything."""
    directory.mkdir(parents=True, exist_ok=True)
    gitignore = (root or directory) / ".gitignore"
    if not gitignore.exists():
        try:
            gitignore.write_text("# created by corpuslint\n*\n", encoding="utf-8")
        except OSError:
            pass
