"""corpuslint: lint Markdown article corpora."""

__version__ = "0.1.0"
