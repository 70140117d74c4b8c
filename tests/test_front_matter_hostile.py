"""Hostile front matter ends in one FM002 error, in bounded time, never in an exception."""

from __future__ import annotations

import time

import pytest

from corpuslint.document import Document
from corpuslint.front_matter import MAX_DEPTH


def fm_of(text: str):
    return Document.from_bytes("post.md", text.encode("utf-8")).front_matter


def timed(text: str) -> tuple[float, object]:
    start = time.perf_counter()
    fm = fm_of(text)
    return time.perf_counter() - start, fm


BIG = "7" * 5000


@pytest.mark.parametrize(
    "text, where",
    [
        (f"---\ntitle: T\ncount: {BIG}\n---\n", (3, 8)),
        (f"---\ntitle: T\nlist: [1, {BIG}]\n---\n", (3, 11)),
        (f"+++\ntitle = 'T'\ncount = {BIG}\n+++\n", (3, 9)),
        (f'{{\n  "title": "T",\n  "count": {BIG}\n}}\n', (3, 12)),
    ],
    ids=["yaml", "yaml-flow", "toml", "json"],
)
def test_an_integer_over_4300_digits_is_an_error_at_the_value(text, where):
    fm = fm_of(text)
    assert fm.data is None
    assert fm.error[:2] == where
    assert "integer of 5000 digits" in fm.error[2]


def test_an_integer_of_4300_digits_loads():
    fm = fm_of("---\ncount: " + "7" * 4300 + "\n---\n")
    assert fm.error is None and fm.data["count"] > 0


def test_a_quoted_long_number_is_a_string():
    fm = fm_of(f"---\nid: '{BIG}'\n---\n")
    assert fm.data == {"id": BIG}


def _dotted(levels: int) -> str:
    return ".".join(f"k{i}" for i in range(levels))


@pytest.mark.parametrize(
    "make",
    [
        lambda n: f"+++\n{_dotted(n)} = 1\n+++\n",
        lambda n: f"+++\n[{_dotted(n)}]\nx = 1\n+++\n",
        lambda n: f"+++\nx = {{ {_dotted(n)} = 1 }}\n+++\n",
    ],
    ids=["key", "table-header", "inline-table"],
)
def test_a_toml_dotted_key_24000_levels_deep_is_a_depth_error_in_bounded_time(make):
    text = make(24_000)
    assert len(text) > 150_000
    elapsed, fm = timed(text)
    assert fm.error[2] == f"front matter nests deeper than {MAX_DEPTH} levels"
    assert elapsed < 10
    four_times, fm = timed(make(24_000 * 4)[: 250 * 1024])  # within the 256 KiB limit
    assert four_times < 8 * max(elapsed, 0.05)


def test_a_toml_dotted_key_within_the_depth_limit_loads():
    fm = fm_of(f"+++\n{_dotted(10)} = 1\n+++\n")
    assert fm.error is None


def test_a_dotted_string_value_is_not_taken_for_a_deep_key():
    fm = fm_of("+++\nversion = '" + ".".join("1" * 100) + "'\n+++\n")
    assert fm.error is None


def test_many_commas_and_dots_in_toml_stay_fast():
    line = "x = [" + ", ".join("1.5, 'a.b.c', \"d.e\"" for _ in range(5_000)) + "]"
    elapsed, fm = timed("+++\n" + line + "\n+++\n")
    assert fm.error is None
    assert elapsed < 10
