"""`--shard K/N`: a stable split of a corpus's files by path, for CI matrices."""

from __future__ import annotations

import zlib
from pathlib import Path


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` (1 <= K <= N) -> (K, N)."""
    k, sep, n = text.partition("/")
    try:
        index, total = int(k), int(n)
    except ValueError:
        raise ValueError(f"expected K/N such as 2/4, got {text!r}") from None
    if not sep or total < 1 or not 1 <= index <= total:
        raise ValueError(f"expected K/N with 1 <= K <= N, got {text!r}")
    return index, total


def shard_key(path: str, root: Path) -> str:
    """The path relative to the config's directory (posix), or absolute: independent of the cwd."""
    absolute = Path(path).resolve()
    try:
        return absolute.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return absolute.as_posix()


def in_shard(path: str, root: Path, index: int, total: int) -> bool:
    """Deterministic split by path: CRC-32 of the root-relative path, mod N. A file stays in its
    shard when others are added or removed, so per-shard caches stay warm."""
    if total == 1:
        return True
    return zlib.crc32(shard_key(path, root).encode("utf-8")) % total == index - 1
