#!/usr/bin/env python3
"""Rewrite README.md's rule table from the registry (tests/test_readme.py checks it)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
TABLE = re.compile(r"(<!-- rules-table:start -->\n)(.*?)(<!-- rules-table:end -->)", re.S)


def generated_table() -> str:
    return subprocess.run(
        [sys.executable, "-m", "corpuslint", "rules", "--format", "markdown"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def readme_table(text: str) -> str:
    return TABLE.search(text).group(2)


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    table = generated_table()
    README.write_text(TABLE.sub(lambda m: m.group(1) + table + m.group(3), text), encoding="utf-8")
