#!/usr/bin/env python3
"""Rewrite README.md's rule table from the registry (tests/test_readme.py checks it)."""

import re
import subprocess
import sys
from pathlib import Path

readme = Path(__file__).resolve().parent.parent / "README.md"
table = subprocess.run(
    [sys.executable, "-m", "corpuslint", "rules", "--format", "markdown"],
    capture_output=True,
    text=True,
    check=True,
).stdout
text = readme.read_text(encoding="utf-8")
text = re.sub(
    r"(<!-- rules-table:start -->\n).*?(<!-- rules-table:end -->)",
    lambda m: m.group(1) + table + m.group(2),
    text,
    flags=re.S,
)
readme.write_text(text, encoding="utf-8")
