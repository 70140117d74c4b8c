"""Rule modules, one per family. Importing this package registers every rule."""

from corpuslint.rules import io  # noqa: F401
from corpuslint.rules import frontmatter  # noqa: F401
from corpuslint.rules import links  # noqa: F401
from corpuslint.rules import footnotes  # noqa: F401
from corpuslint.rules import typography  # noqa: F401
from corpuslint.rules import residue  # noqa: F401
from corpuslint.rules import citations  # noqa: F401
