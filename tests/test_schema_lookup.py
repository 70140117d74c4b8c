"""Looking up a document's schema: one load per schema file, however many documents use it."""

from __future__ import annotations

import json
import os

from corpuslint import schemas


def _schema(directory, title_type: str = "string"):
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "s.json"
    path.write_text(json.dumps({"type": "object", "properties": {"title": {"type": title_type}}}))
    return path


def test_every_lookup_of_a_schema_gets_the_one_loaded_schema(tmp_path):
    path = _schema(tmp_path)
    schemas.clear_cache()
    first = schemas.load_schema(str(path), (str(tmp_path),))
    assert schemas.load_schema(str(path), (str(tmp_path),)) is first
    assert first.validator() is schemas.load_schema(str(path), (str(tmp_path),)).validator()


def test_a_relative_schema_path_is_resolved_against_the_working_directory_of_each_lookup(
    tmp_path, monkeypatch
):
    one, two = _schema(tmp_path / "one", "string"), _schema(tmp_path / "two", "integer")
    schemas.clear_cache()
    monkeypatch.chdir(one.parent)
    from_one = schemas.load_schema("s.json")
    monkeypatch.chdir(two.parent)
    from_two = schemas.load_schema("s.json")
    assert from_one.path == str(one) and from_two.path == str(two)
    assert from_two.contents["properties"]["title"]["type"] == "integer"


def test_clearing_the_cache_reads_a_changed_schema_again(tmp_path):
    path = _schema(tmp_path, "string")
    schemas.clear_cache()
    before = schemas.load_schema(str(path))
    _schema(tmp_path, "integer")
    assert schemas.load_schema(str(path)) is before  # cached until cleared (api.invalidate_caches)
    schemas.clear_cache()
    assert schemas.load_schema(str(path)).contents["properties"]["title"]["type"] == "integer"


def test_a_schema_path_is_shown_relative_to_the_working_directory_of_the_call(tmp_path, monkeypatch):
    path = _schema(tmp_path / "schemas")
    monkeypatch.chdir(tmp_path)
    assert schemas.shown_path(str(path)) == "schemas/s.json"
    monkeypatch.chdir(tmp_path / "schemas")
    assert schemas.shown_path(str(path)) == "s.json"
    elsewhere = os.sep + os.path.join("elsewhere", "s.json")
    assert schemas.shown_path(elsewhere) == elsewhere
