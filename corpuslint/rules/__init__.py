"""Rule modules, one per family. Importing this package registers every rule."""

from corpuslint.rules import (
    citations,  # noqa: F401
    footnotes,  # noqa: F401
    frontmatter,  # noqa: F401
    io,  # noqa: F401
    links,  # noqa: F401
    residue,  # noqa: F401
    typography,  # noqa: F401
)
