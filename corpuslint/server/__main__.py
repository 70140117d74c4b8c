"""`python -m corpuslint.server`: the language server, as `corpuslint server` runs it."""

import sys

from corpuslint.server import serve

sys.exit(serve())
