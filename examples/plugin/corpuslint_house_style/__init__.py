"""An example corpuslint plugin: the house style of an imaginary newsroom (XHS codes)."""

__version__ = "0.1.0"
