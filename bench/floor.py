#!/usr/bin/env python3
"""The single-core floor of an offline run: read every Markdown file, load its YAML front matter
with PyYAML and validate it with jsonschema, in one process.

    python bench/floor.py CORPUS_DIR [SCHEMA.json]

What any front-matter linter in Python pays at least; bench/run_offline.py measures it in the
same run as corpuslint and reports corpuslint's wall time as a ratio to it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    import jsonschema
    import yaml

    root = Path(argv[0])
    schema = json.loads(Path(argv[1]).read_text(encoding="utf-8")) if len(argv) > 1 else {}
    validator = jsonschema.validators.validator_for(schema)(schema)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    files = errors = 0
    for path in sorted(root.rglob("*.md")):
        text = path.read_bytes().decode("utf-8", "replace")
        files += 1
        if not text.startswith("---\n"):
            continue
        end = text.find("\n---", 4)
        if end < 0:
            continue
        try:
            data = yaml.load(text[4:end], Loader=loader)
        except yaml.YAMLError:
            errors += 1
            continue
        errors += sum(1 for _ in validator.iter_errors(data))
    print(json.dumps({"files": files, "errors": errors}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
