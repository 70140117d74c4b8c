"""BLAKE2b, the one hash corpuslint uses (file contents, schemas, the cache's keys).

Taken from CPython's built-in `_blake2` module when it has one: `import hashlib` loads OpenSSL's
libcrypto first (~5 ms of a one-file run, what a pre-commit hook pays on every commit).
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover (an interpreter without the built-in module)
    from hashlib import blake2b

__all__ = ["blake2b"]
