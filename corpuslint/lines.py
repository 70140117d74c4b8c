"""Line geometry shared by the document, the parser hooks and the rules."""

from __future__ import annotations


def line_starts(text: str) -> list[int]:
    """Offsets where each line of `text` starts (the first is 0)."""
    starts = [0]
    find = text.find
    index = find("\n")
    while index >= 0:
        starts.append(index + 1)
        index = find("\n", index + 1)
    return starts
