"""FM003's exact predicate (corpuslint.schema_fast) says what jsonschema says, or nothing.

Where it answers True or False, the answer must be jsonschema's (`iter_errors` through
corpuslint's own validator: formats checked, patterns time-bounded); where it is unsure it
answers None and FM003 asks jsonschema. Schemas and instances are generated from the keywords it
compiles, with the values that make JSON Schema subtle (1 and True and 1.0, null, empty strings,
dates that do not exist, URIs without a scheme).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpuslint.schema_fast import is_valid, predicate
from corpuslint.schemas import load_schema, make_validator

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = load_schema(str(ROOT / "schemas" / "article.schema.json")).contents

STRINGS = [
    "",
    " ",
    "a",
    "AI",
    "Glossary/x",
    "2025-06-25",
    "2025-02-30",
    "2025-06-25T17:10:04+08:00",
    "2025-06-25t17:10:04z",
    "2025-06-25 17:10:04",
    "昨天",
    "https://example.com/a.png",
    "/images/a.jpg",
    "//cdn/a.jpg",
    "mailto:x",
    "http://",
    "no",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, 1, -1, 2, 1.0, 0.5, 1e300]),
    st.sampled_from(STRINGS),
    st.text(max_size=4),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["a", "b", "title"]), inner, max_size=3)
    ),
    max_leaves=8,
)
KEYS = ["title", "date", "draft", "featured_image", "tags", "slug", "a", "b", "$schema"]
instances = st.dictionaries(st.sampled_from(KEYS), values, max_size=6)

PATTERNS = ["\\S", "^https?://", "^Glossary/", "^(?![A-Za-z][A-Za-z0-9+.-]*:)(?!//)\\S", "a|b", "^$"]
FORMATS = ["date", "date-time", "uri"]
TYPES = ["string", "object", "array", "boolean", "null", "number", "integer"]
COUNTS = st.integers(0, 3)


def _leaf() -> st.SearchStrategy:
    return st.one_of(
        st.builds(lambda t: {"type": t}, st.sampled_from(TYPES)),
        st.builds(
            lambda t: {"type": t}, st.lists(st.sampled_from(TYPES), min_size=1, max_size=3, unique=True)
        ),
        st.builds(lambda p: {"pattern": p}, st.sampled_from(PATTERNS)),
        st.builds(lambda f: {"format": f}, st.sampled_from(FORMATS)),
        st.builds(lambda e: {"enum": e}, st.lists(scalars, min_size=1, max_size=4)),
        st.builds(lambda c: {"const": c}, scalars),
        st.builds(
            lambda k, n: {k: n}, st.sampled_from(["minLength", "maxLength", "minItems", "maxItems"]), COUNTS
        ),
        st.builds(lambda k, n: {k: n}, st.sampled_from(["minProperties", "maxProperties"]), COUNTS),
        st.builds(
            lambda k, n: {k: n},
            st.sampled_from(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]),
            st.sampled_from([0, 1, 0.5]),
        ),
        st.builds(lambda u: {"uniqueItems": u}, st.booleans()),
        st.builds(lambda r: {"required": r}, st.lists(st.sampled_from(KEYS), max_size=3, unique=True)),
        st.sampled_from([True, False, {}, {"title": "x", "description": "y"}]),
    )


def _merge(parts: list) -> object:
    merged: dict = {}
    for part in parts:
        if isinstance(part, bool):
            return part
        merged.update(part)
    return merged


schemas = st.recursive(
    st.lists(_leaf(), min_size=1, max_size=3).map(_merge),
    lambda inner: st.one_of(
        st.builds(lambda p: {"properties": p}, st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)),
        st.builds(
            lambda p, a: {"properties": p, "additionalProperties": a},
            st.dictionaries(st.sampled_from(KEYS), inner, max_size=2),
            inner,
        ),
        st.builds(lambda i: {"items": i}, inner),
        st.builds(
            lambda k, b: {k: b},
            st.sampled_from(["anyOf", "allOf", "oneOf"]),
            st.lists(inner, min_size=1, max_size=3),
        ),
        st.builds(lambda n: {"not": n}, inner),
        st.builds(lambda i, t, e: {"if": i, "then": t, "else": e}, inner, inner, inner),
        st.builds(lambda i, t: {"if": i, "then": t}, inner, inner),
        st.builds(lambda a, b: _merge([a, b]), inner, inner),
    ),
    max_leaves=6,
)


def _jsonschema_valid(schema: object, instance: object) -> bool:
    return not list(make_validator(schema).iter_errors(instance))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas, st.one_of(instances, values))
def test_the_predicate_agrees_with_jsonschema_or_abstains(schema, instance):
    check = predicate(schema)
    assert check is not None, schema  # every generated keyword is one it compiles
    answer = is_valid(check, instance)
    if answer is not None:
        assert answer == _jsonschema_valid(schema, instance), (schema, instance)


@settings(max_examples=2000, deadline=None)
@given(instances)
def test_the_article_schema_is_compiled_and_exact(instance):
    check = predicate(ARTICLE)
    assert check is not None
    answer = is_valid(check, instance)
    if answer is not None:
        assert answer == _jsonschema_valid(ARTICLE, instance), instance
    # only uniqueItems over values other than strings is left to jsonschema
    if not any(isinstance(v, list) and not all(type(i) is str for i in v) for v in instance.values()):
        assert answer is not None


@pytest.mark.parametrize(
    "schema",
    [
        {"$ref": "#/$defs/x", "$defs": {"x": {}}},
        {"properties": {"a": {"$ref": "#/$defs/x"}}},
        {"multipleOf": 2},
        {"patternProperties": {"^a": {}}, "additionalProperties": False},
        {"items": [{"type": "string"}]},
        {"prefixItems": [{"type": "string"}], "items": False},
        {"unevaluatedProperties": False},
        {"format": "email"},
        {"type": "strnig"},
        {"minLength": -1},
        {"anyOf": []},
        {"$schema": "http://json-schema.org/draft-04/schema#", "type": "string"},
        {"$schema": "https://example.com/my-dialect", "type": "string"},
    ],
)
def test_what_it_does_not_know_disables_it(schema):
    assert predicate(schema) is None


def test_it_abstains_where_jsonschema_equality_is_subtle():
    assert is_valid(predicate({"uniqueItems": True}), [1, True]) is None  # 1 and True differ there
    assert is_valid(predicate({"uniqueItems": True}), ["a", "a"]) is False
    assert is_valid(predicate({"enum": ["a", None]}), [1]) is None
    assert is_valid(predicate({"enum": [1, "a"]}), True) is False  # True is not 1
    assert is_valid(predicate({"enum": [1, "a"]}), "a") is True


def test_a_pattern_that_times_out_is_left_to_jsonschema(monkeypatch):
    from corpuslint import schema_patterns

    monkeypatch.setitem(schema_patterns._slow, "^(a|a)*$", "matching took too long")
    assert is_valid(predicate({"pattern": "^(a|a)*$"}), "a" * 40) is None


def test_mdn_shaped_schemas_compile():
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["title", "slug"],
        "properties": {
            "title": {"type": "string", "maxLength": 120},
            "slug": {"type": "string"},
            "spec-urls": {
                "type": ["array", "string"],
                "format": "uri",
                "items": {"type": "string", "format": "uri"},
            },
            "status": {
                "type": "array",
                "uniqueItems": True,
                "items": {"enum": ["deprecated", "experimental"]},
            },
        },
        "anyOf": [
            {
                "if": {"properties": {"slug": {"pattern": "^Glossary/"}}},
                "then": {"required": ["title"]},
                "else": False,
            },
            {"properties": {"slug": {"pattern": "^Web/"}}},
        ],
    }
    check = predicate(schema)
    assert check is not None
    for instance in (
        {"title": "T", "slug": "Glossary/x"},
        {"title": "T", "slug": "Web/CSS", "spec-urls": "https://drafts.csswg.org/x"},
        {"title": "T", "slug": "Web/CSS", "spec-urls": ["not a uri"]},
        {"title": "T", "slug": "Other"},
        {"title": "T", "slug": "Web/CSS", "extra": 1},
    ):
        assert is_valid(check, instance) == _jsonschema_valid(schema, instance), instance


def test_fm003_reports_the_same_with_and_without_the_predicate(corpus, cli, monkeypatch):
    """The predicate only ever skips jsonschema for front matter jsonschema calls valid."""
    import corpuslint.schemas as schemas

    files = {
        "s.json": json.dumps(ARTICLE),
        "corpuslint.toml": '[[schemas]]\nfiles = ["*.md"]\nschema = "s.json"\n',
        "ok.md": "---\ntitle: T\ndate: 2025-06-25\ntags: [a, b]\nfeatured_image: https://example.com/a.png\n---\nText.\n",
        "bad.md": "---\ntitle: ' '\ndate: 2025-02-30\ntags: [a, a]\nfeatured_image: 'mailto:x'\n---\nText.\n",
        "nodate.md": "---\ntitle: T\n---\nText.\n",
    }
    root = corpus(files)
    args = ("check", "--no-links", "--no-cache", "--select", "FM003", "--output-format", "json", str(root))
    fast = cli(*args).json
    monkeypatch.setattr(schemas.LoadedSchema, "fast_check", lambda self: None)
    slow = cli(*args).json
    assert fast == slow
    assert {d["path"].rsplit("/", 1)[-1] for d in fast} == {"bad.md", "nodate.md"}
    assert len(fast) >= 5  # title, date, tags, featured_image; the missing date


def test_an_any_of_branch_without_a_format_is_tried_first():
    """A site path never needs the uri format's library (its import is most of a one-file run's
    schema work); the answer is the same either way round."""
    import corpuslint.schema_fast as fast

    calls = []
    schema = {"anyOf": [{"format": "date", "pattern": "^x"}, {"pattern": "^images/"}]}

    original = fast._is_date
    try:
        fast._is_date = lambda text: calls.append(text) or original(text)
        check = predicate(schema)
        assert is_valid(check, "images/a.png") is True and calls == []
        assert is_valid(check, "y") is False and calls == []  # the pattern first: no format call
        assert is_valid(check, "x") is False and calls == ["x"]
    finally:
        fast._is_date = original
