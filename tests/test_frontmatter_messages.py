"""FM003 messages: the most specific cause, the key by its path, what is expected, short values,
at the key's own line, in YAML, TOML and JSON alike."""

from __future__ import annotations

import textwrap

from corpuslint.document import Document
from corpuslint.registry import RuleContext, get


def fm003(text: str, schema: dict) -> list[tuple[int, int, str]]:
    doc = Document.from_bytes("post.md", textwrap.dedent(text).lstrip("\n").encode("utf-8"))
    rule = get("FM003")
    ctx = RuleContext(options=dict(rule.options), schema=schema, schema_source="s.json")
    return [(p.line, p.column, p.message) for p in rule.check(doc, ctx)]


# A site schema in the shape MDN uses: each section's allowed page kinds under anyOf, each case an
# if/then with `else: false`, so every case but the matching one fails with a `false` subschema.
SECTIONS = {
    "type": "object",
    "required": ["title", "path", "kind"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "maxLength": 40},
        "path": {"type": "string"},
        "kind": {"type": "string"},
        "tags": {"type": "array", "items": {"enum": ["news", "guide", "howto"]}},
        "legacy": False,
    },
    "anyOf": [
        {
            "if": {"properties": {"path": {"pattern": "^Guides/"}}},
            "then": {"properties": {"kind": {"enum": ["guide", "landing"]}}},
            "else": False,
        },
        {
            "if": {"properties": {"path": {"pattern": "^Blog/"}}},
            "then": {"properties": {"kind": {"enum": ["post", "digest"]}}},
            "else": False,
        },
    ],
}


def test_the_matching_case_of_an_anyof_speaks_with_the_allowed_values_at_the_key():
    text = """
        ---
        title: T
        path: Guides/setup
        kind: post
        ---
        """
    assert fm003(text, SECTIONS) == [(4, 1, "kind: must be one of: guide, landing (is 'post')")]


def test_no_message_prints_the_whole_front_matter():
    text = """
        ---
        title: T
        path: Nowhere/x
        kind: post
        ---
        """
    problems = fm003(text, SECTIONS)
    assert problems and all("{" not in message and "False schema" not in message for *_, message in problems)


def test_an_additional_property_is_reported_at_its_own_key_with_the_allowed_keys():
    text = """
        ---
        title: T
        path: Blog/x
        kind: post
        author: me
        ---
        """
    assert fm003(text, SECTIONS) == [
        (5, 1, "author: key not allowed by the schema (allowed here: kind, legacy, path, tags, title)")
    ]


def test_a_false_property_subschema_names_the_key():
    text = "---\ntitle: T\npath: Blog/x\nkind: post\nlegacy: true\n---\n"
    assert fm003(text, SECTIONS) == [(5, 1, "legacy: key not allowed by the schema")]


def test_an_enum_inside_a_list_names_the_item():
    text = "---\ntitle: T\npath: Blog/x\nkind: post\ntags: [news, rumours]\n---\n"
    assert fm003(text, SECTIONS) == [(5, 14, "tags[1]: must be one of: news, guide, howto (is 'rumours')")]


def test_a_long_value_is_shortened():
    title = "长" * 500
    problems = fm003(f"---\ntitle: {title}\npath: Blog/x\nkind: post\n---\n", SECTIONS)
    assert problems == [(2, 1, "title: must be at most 40 characters long (is 500)")]
    extra = {"type": "object", "properties": {"title": {"type": "integer"}}}
    [(_, _, message)] = fm003(f"---\ntitle: {title}\n---\n", extra)
    assert len(message) < 120 and message.startswith("title: must be an integer, not a string ('长长")


def test_a_mapping_is_described_by_its_size_not_printed():
    schema = {"type": "object", "properties": {"extra": {"type": "string"}}}
    text = "---\nextra:\n  a: 1\n  b: 2\n---\n"
    assert fm003(text, schema) == [(2, 1, "extra: must be a string, not a mapping (a mapping of 2 keys)")]


def test_missing_required_keys_are_at_the_first_line_of_their_mapping():
    schema = {
        "type": "object",
        "required": ["title"],
        "properties": {"extra": {"type": "object", "required": ["team"]}},
    }
    toml = "+++\ndate = 2025-01-01\n\n[extra]\nauthor = 'x'\n+++\n"
    assert fm003(toml, schema) == [
        (2, 1, "missing required key 'title'"),
        (4, 2, "extra: missing required key 'team'"),
    ]


def test_toml_table_values_are_reported_at_their_own_lines():
    schema = {
        "type": "object",
        "properties": {
            "extra": {
                "type": "object",
                "properties": {"team_url": {"type": "string", "format": "uri"}},
                "additionalProperties": False,
            }
        },
    }
    toml = "+++\ntitle = 'T'\n\n[extra]\nteam_url = 'two words'\nteam = 'x'\n+++\n"
    assert fm003(toml, schema) == [
        (5, 1, "extra.team_url: 'two words' is not a valid 'uri'"),
        (6, 1, "extra.team: key not allowed by the schema (allowed here: team_url)"),
    ]


def test_json_nested_values_are_reported_at_their_own_lines():
    schema = {"type": "object", "properties": {"extra": {"properties": {"team": {"type": "string"}}}}}
    text = '{\n  "title": "T",\n  "extra": {\n    "team": 3\n  }\n}\n'
    assert fm003(text, schema) == [(4, 5, "extra.team: must be a string, not an integer (3)")]


def test_errors_through_ref_and_allof_name_the_key_and_its_line():
    schema = {
        "$defs": {"url": {"type": "string", "pattern": "^https://"}},
        "type": "object",
        "allOf": [
            {"properties": {"links": {"type": "array", "items": {"$ref": "#/$defs/url"}}}},
            {"required": ["title"]},
        ],
    }
    text = "---\ntitle: T\nlinks:\n  - https://a.test/\n  - ftp://b.test/\n---\n"
    assert fm003(text, schema) == [(5, 5, "links[1]: 'ftp://b.test/' does not match the pattern '^https://'")]


def test_not_and_oneof_say_what_is_wrong_without_printing_the_schema():
    schema = {
        "type": "object",
        "properties": {
            "title": {"not": {"const": "Untitled"}},
            "id": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
        },
    }
    problems = fm003("---\ntitle: Untitled\nid: 3\n---\n", schema)
    assert problems == [
        (2, 1, "title: 'Untitled' is not allowed here (the schema's `not` excludes it)"),
        (3, 1, "id: 3 matches more than one of the schema's oneOf alternatives"),
    ]


def test_alternative_types_at_one_place_are_said_together():
    schema = {"type": "object", "properties": {"sidebar": {"anyOf": [{"type": "string"}, {"type": "array"}]}}}
    assert fm003("---\nsidebar: 3\n---\n", schema) == [
        (2, 1, "sidebar: must be a string or a list, not an integer (3)")
    ]


def test_alternative_required_keys_are_said_together_at_the_mapping():
    schema = {"type": "object", "anyOf": [{"required": ["date"]}, {"required": ["published"]}]}
    assert fm003("---\ntitle: T\n---\n", schema) == [(2, 1, "needs one of the keys: date, published")]
