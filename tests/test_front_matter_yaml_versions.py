"""YAML front matter is read as YAML 1.2 by default; YAML 1.1 on request. Dates stay as written."""

from __future__ import annotations

import pytest

from corpuslint import front_matter
from corpuslint.document import Document


def data_of(text: str, version: str | None = None):
    fm = Document.from_bytes("post.md", f"---\n{text}\n---\n".encode()).front_matter
    if version is not None:
        fm = front_matter.reload(fm, version)
    assert fm.error is None, fm.error
    return fm.data["v"]


def test_the_default_is_yaml_1_2():
    assert front_matter.DEFAULT_YAML_VERSION == "1.2"
    assert Document.from_bytes("p.md", b"---\nv: 1\n---\n").front_matter.yaml_version == "1.2"


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "ON"])
def test_under_1_2_yes_no_on_off_are_strings(word):
    assert data_of(f"v: {word}") == word


@pytest.mark.parametrize("word, value", [("true", True), ("False", False), ("TRUE", True)])
def test_under_1_2_only_true_and_false_are_booleans(word, value):
    assert data_of(f"v: {word}") is value


@pytest.mark.parametrize(
    "text, value",
    [("1e3", 1000.0), ("-1.5E-2", -0.015), (".5", 0.5), ("010", 10), ("0o17", 15), ("0x1F", 31)],
)
def test_under_1_2_numbers_follow_the_core_schema(text, value):
    assert data_of(f"v: {text}") == value


@pytest.mark.parametrize("text", ["1_000", "0b101", "1:30", "+.5e", "0o9"])
def test_under_1_2_yaml_1_1_only_numbers_are_strings(text):
    assert data_of(f"v: {text}") == text


@pytest.mark.parametrize("text", ["~", "null", "NULL", ""])
def test_under_1_2_null_forms(text):
    assert data_of(f"v: {text}") is None


@pytest.mark.parametrize(
    "text, value",
    [("yes", True), ("off", False), ("1e3", "1e3"), ("010", 8), ("1_000", 1000), ("1:30", 90)],
)
def test_under_1_1_the_old_rules_apply(text, value):
    assert data_of(f"v: {text}", "1.1") == value


@pytest.mark.parametrize("version", ["1.1", "1.2"])
@pytest.mark.parametrize("text", ["2025-06-25", "2025-06-25T17:10:04+08:00", "2025-06-25 17:10:04"])
def test_dates_stay_as_written_in_both_versions(version, text):
    assert data_of(f"v: {text}", version) == text


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_merge_keys_work_in_both_versions(version):
    fm = front_matter.reload(
        Document.from_bytes("p.md", b"---\nbase: &b {x: 1}\nv:\n  <<: *b\n  y: 2\n---\n").front_matter,
        version,
    )
    assert fm.data["v"] == {"x": 1, "y": 2}


def test_reloading_keeps_positions_and_leaves_other_formats_alone():
    fm = Document.from_bytes("p.md", b"---\ntitle: on\n---\n").front_matter
    again = front_matter.reload(fm, "1.1")
    assert again.data == {"title": True} and again.positions[("title",)] == (2, 1)
    toml = Document.from_bytes("p.md", b"+++\nt = 1\n+++\n").front_matter
    assert front_matter.reload(toml, "1.1") is toml
