"""FM003's compiled validity predicate agrees with jsonschema's iter_errors."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from corpuslint.schema_fast import _compile_valid
from corpuslint.schema_fast import fast_valid as _fast_valid
from corpuslint.schemas import load_schema, validator_of

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = load_schema(str(ROOT / "schemas" / "article.schema.json")).contents

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            "",
            " ",
            "AI",
            "2025-06-25",
            "2025-06-25T17:10:04+08:00",
            "2025-13-40",
            "昨天",
            "https://example.com/a.png",
            "/images/a.jpg",
            "images/a.jpg",
            "//cdn/a.jpg",
            "mailto:x",
            "http://",
            "no",
        ]
    ),
    st.text(max_size=5),
)
values = st.one_of(
    scalars, st.lists(scalars, max_size=4), st.dictionaries(st.text(max_size=3), scalars, max_size=2)
)
keys = st.sampled_from(
    ["title", "date", "draft", "featured_image", "summary", "tags", "main_topics", "other", "$schema"]
)
instances = st.dictionaries(keys, values, max_size=8)


def _valid(validator, instance) -> bool:
    return not list(validator.iter_errors(instance))


@settings(max_examples=3000, deadline=None)
@given(instances)
def test_article_schema_predicate_is_exact(instance):
    validator = validator_of(ARTICLE)
    predicate = _fast_valid(validator)
    assert predicate is not None
    fast = predicate(instance)
    if fast:
        assert _valid(validator, instance)
    elif not any(isinstance(v, list) and not all(type(i) is str for i in v) for v in instance.values()):
        # only uniqueItems over non-strings is left to iter_errors without being invalid
        assert not _valid(validator, instance)


@settings(max_examples=1000, deadline=None)
@given(instances)
def test_article_schema_without_type_checks(instance):
    schema = json.loads(json.dumps(ARTICLE))
    schema["properties"]["tags"] = {"items": {"minLength": 2, "maxLength": 3}, "uniqueItems": True}
    validator = validator_of(schema)
    predicate = _fast_valid(validator)
    assert predicate is not None
    if predicate(instance):
        assert _valid(validator, instance)


def test_unknown_keywords_disable_the_predicate():
    from jsonschema import Draft4Validator, Draft202012Validator

    checker = Draft202012Validator.FORMAT_CHECKER
    validator = Draft202012Validator({"enum": [1]}, format_checker=checker)
    for schema in (
        {"enum": [1]},
        {"properties": {"a": {"$ref": "#/$defs/x"}}},
        {"type": "integer"},
        {"additionalProperties": False},
        {"items": [{"type": "string"}]},
        {"allOf": [{"type": "string"}]},
    ):
        assert _compile_valid(schema, validator) is None, schema
    assert _fast_valid(Draft4Validator({"type": "string"})) is None


PIECES = [
    "YYYY",
    "yyyy",
    "-MM",
    "-DD",
    "HH:mm",
    "TODO",
    "TODOIST",
    "TBD",
    "FIXME",
    "lorem  ipsum",
    "Lorem Ipsum",
    "{{ .Title }}",
    "{{",
    "}}",
    "<INSERT TITLE>",
    "<image_url>",
    "<your summary here>",
    "<b>",
    "<a href=x>",
    "待定",
    "CHANGE ME",
    "x",
    "_",
    " ",
    "1",
    "年",
    "\n",
    "<",
    ">",
    "a",
    "Z",
]


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), max_size=6).map("".join),
    st.booleans(),
    st.sampled_from([(), ("待定", "CHANGE ME")]),
)
def test_placeholder_prefilter_finds_what_the_patterns_find(value, builtin, extra):
    from corpuslint.rules.frontmatter import _matches, _placeholder_patterns, _placeholder_prefilter

    prefilter = _placeholder_prefilter(builtin, extra)
    patterns = _placeholder_patterns(builtin, extra)
    if prefilter is None:
        assert not patterns
        return
    if prefilter.search(value) is None:
        assert _matches(patterns, value) == []
    assert _placeholder_prefilter(True, (r"\[\[.*?\]\]",)) is None
