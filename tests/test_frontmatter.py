"""FM001-FM005: front matter present, parseable, valid against its schema, without repeated keys
or template placeholders. Each rule: what it reports, where, and what it leaves alone."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from corpuslint.document import Document
from corpuslint.registry import RuleContext, get
from corpuslint.schemas import load_schema, validator_of

REPO = Path(__file__).resolve().parent.parent
ARTICLE_SCHEMA_PATH = REPO / "schemas" / "article.schema.json"
ARTICLE_SCHEMA = load_schema(str(ARTICLE_SCHEMA_PATH))


def check(code: str, text: str | bytes, *, schema=None, source=None, **options) -> list[tuple[int, int, str]]:
    """Run one rule on a document; `text` is dedented. Returns (line, column, message) triples."""
    data = text if isinstance(text, bytes) else textwrap.dedent(text).lstrip("\n").encode("utf-8")
    doc = Document.from_bytes("post.md", data)
    rule = get(code)
    ctx = RuleContext(options={**rule.options, **options}, schema=schema, schema_source=source)
    return [(p.line, p.column, p.message) for p in rule.check(doc, ctx)]


GOOD = """
    ---
    title: 合作与竞争
    date: 2025-06-25T17:10:04+08:00
    draft: false
    featured_image: "/images/cover 2025-06-25.jpg"
    summary: 一段摘要。
    tags:
      - OpenAI
      - 微软
    main_topics:
      - 产业生态
    ---
    正文。
    """


def test_rules_are_registered_with_names_and_docs():
    for code, name in [
        ("FM001", "missing-front-matter"),
        ("FM002", "invalid-front-matter"),
        ("FM003", "schema-violation"),
        ("FM004", "duplicate-key"),
        ("FM005", "template-placeholder"),
    ]:
        rule = get(code)
        assert rule.name == name
        assert str(rule.severity) == "error"
        for section in ("## What it does", "## Why is this bad?", "## Example"):
            assert section in rule.doc, (code, section)


# --- FM001 missing-front-matter -------------------------------------------------------------------


def test_fm001_reports_a_document_without_front_matter_when_a_schema_applies():
    assert check("FM001", "正文。\n", schema=ARTICLE_SCHEMA, source="schemas/article.schema.json") == [
        (1, 1, "document has no front matter, but a schema applies to it (schemas/article.schema.json)")
    ]


def test_fm001_is_silent_without_a_schema():
    assert check("FM001", "正文。\n") == []


def test_fm001_is_silent_when_front_matter_exists_even_if_broken():
    assert check("FM001", GOOD, schema=ARTICLE_SCHEMA) == []
    assert check("FM001", "---\ntitle: [\n---\n", schema=ARTICLE_SCHEMA) == []


def test_fm001_reports_an_empty_file():
    assert check("FM001", b"", schema=ARTICLE_SCHEMA)[0][:2] == (1, 1)


# --- FM002 invalid-front-matter ---------------------------------------------------------------------


def test_fm002_is_silent_on_valid_front_matter():
    assert check("FM002", GOOD) == []
    assert check("FM002", "no front matter\n") == []


def test_fm002_reports_the_syntax_error_position():
    problems = check("FM002", "---\ntitle: A\ntags: [a, b\n---\n")
    assert len(problems) == 1
    assert problems[0][:2] == (4, 1)
    assert problems[0][2].startswith("front matter is not valid YAML: ")


def test_fm002_reports_non_mapping_front_matter():
    assert check("FM002", "---\n- a\n- b\n---\n") == [
        (2, 1, "front matter must be a mapping of keys to values, but it is a list")
    ]
    assert check("FM002", "---\njust a title\n---\n") == [
        (2, 1, "front matter must be a mapping of keys to values, but it is a string")
    ]


def test_fm002_reports_unclosed_front_matter():
    assert check("FM002", "---\ntitle: A\n\nBody\n") == [
        (1, 1, "front matter is not closed: no closing `---` line")
    ]


def test_fm002_accepts_empty_front_matter():
    assert check("FM002", "---\n---\nBody\n") == []


def test_fm002_reports_an_alias_bomb():
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for index in range(1, 10):
        name, previous = chr(ord("a") + index), chr(ord("a") + index - 1)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    problems = check("FM002", "---\n" + "\n".join(levels) + "\n---\n")
    assert len(problems) == 1
    assert "through YAML aliases" in problems[0][2]


@pytest.mark.parametrize(
    "text",
    [
        "---\na: " + "[" * 5000 + "]" * 5000 + "\n---\n",
        "---\na:\n  " + "- " * 5000 + "x\n---\n",
        "+++\na = " + "[" * 5000 + "]" * 5000 + "\n+++\n",
        '{\n"a": ' + "[" * 5000 + "]" * 5000 + "\n}\n",
    ],
    ids=["yaml-flow", "yaml-block", "toml", "json"],
)
def test_fm002_reports_5000_levels_of_nesting(text):
    problems = check("FM002", text)
    assert len(problems) == 1
    assert "nests deeper than 64 levels" in problems[0][2]


def test_fm002_reports_huge_front_matter_at_the_delimiter():
    text = "---\n" + "".join(f"k{i}: {'v' * 100}\n" for i in range(10_000)) + "---\n"
    problems = check("FM002", text)
    assert len(problems) == 1
    assert problems[0][:2] == (1, 1)
    assert "KiB limit" in problems[0][2]


def test_fm002_reports_toml_and_json_syntax_errors():
    assert check("FM002", "+++\ntitle = \n+++\n")[0][0] == 2
    # a missing comma: every Python reports it at the same place (a trailing comma moved in 3.13)
    assert check("FM002", '{\n"title": "A"\n"draft": true\n}\n')[0][:2] == (3, 1)


def test_hostile_front_matter_does_not_break_the_other_rules():
    text = "---\na: " + "[" * 5000 + "]" * 5000 + "\n---\n"
    for code in ("FM001", "FM003", "FM004", "FM005"):
        assert check(code, text, schema=ARTICLE_SCHEMA) == []


# --- FM003 schema-violation ----------------------------------------------------------------------------


def test_fm003_valid_article_passes_the_article_schema():
    assert check("FM003", GOOD, schema=ARTICLE_SCHEMA) == []


def test_fm003_is_silent_without_a_schema_or_without_parsed_front_matter():
    assert check("FM003", "---\ndate: 昨天\n---\n") == []
    assert check("FM003", "---\n- a\n---\n", schema=ARTICLE_SCHEMA) == []
    assert check("FM003", "no front matter\n", schema=ARTICLE_SCHEMA) == []


def test_fm003_reports_missing_required_keys_at_the_first_line_of_the_mapping():
    assert check("FM003", "---\ndraft: true\n---\n", schema=ARTICLE_SCHEMA) == [
        (2, 1, "missing required key 'date'"),
        (2, 1, "missing required key 'title'"),
    ]


def test_fm003_empty_front_matter_lacks_the_required_keys():
    assert check("FM003", "---\n---\n", schema=ARTICLE_SCHEMA) == [
        (1, 1, "missing required key 'date'"),
        (1, 1, "missing required key 'title'"),
    ]


def test_fm003_names_the_key_and_points_at_it():
    text = """
        ---
        title: T
        date: 2025-06-25
        tags: AI
        ---
        """
    assert check("FM003", text, schema=ARTICLE_SCHEMA) == [
        (4, 1, "tags: must be a list, not a string ('AI')")
    ]


@pytest.mark.parametrize(
    "date",
    [
        "2025-06-25T17:10:04+08:00",
        "2025-06-25T09:10:04Z",
        "2025-06-25T17:10:04.123+08:00",
        "2025-06-25",
        "'2025-06-25T17:10:04+08:00'",
    ],
)
def test_fm003_accepts_rfc3339_date_times_and_dates_as_written(date):
    assert check("FM003", f"---\ntitle: T\ndate: {date}\n---\n", schema=ARTICLE_SCHEMA) == []


@pytest.mark.parametrize("date", ["昨天", "June 25, 2025", "2025-13-01", "2025-06-25T17:10:04", "2025/06/25"])
def test_fm003_rejects_dates_that_are_not_rfc3339(date):
    assert check("FM003", f"---\ntitle: T\ndate: {date}\n---\n", schema=ARTICLE_SCHEMA) == [
        (3, 1, f"date: {date!r} is not a 'date-time' or a 'date'")
    ]


def test_fm003_a_date_that_is_not_a_string_is_a_type_error_once():
    assert check("FM003", "---\ntitle: T\ndate: 20250625\n---\n", schema=ARTICLE_SCHEMA) == [
        (3, 1, "date: must be a string, not an integer (20250625)")
    ]


def test_fm003_points_at_list_items():
    text = """
        ---
        title: T
        date: 2025-06-25
        tags:
          - a
          - ""
          - a
        main_topics: [x, 3]
        ---
        """
    assert check("FM003", text, schema=ARTICLE_SCHEMA) == [
        (6, 5, "tags[1]: '' is empty or blank"),
        (7, 5, "tags[2]: 'a' is repeated (first at index 0)"),
        (8, 18, "main_topics[1]: must be a string, not an integer (3)"),
    ]


def test_fm003_blank_title_and_non_boolean_draft():
    text = "---\ntitle: '  '\ndate: 2025-06-25\ndraft: 'no'\n---\n"
    assert check("FM003", text, schema=ARTICLE_SCHEMA) == [
        (2, 1, "title: '  ' is empty or blank"),
        (4, 1, "draft: must be true or false, not a string ('no')"),
    ]


@pytest.mark.parametrize(
    "image",
    [
        "https://example.com/a.jpg",
        "/images/a.jpg",
        "images/default (20).png",
        "cover.webp",
        "/newsimages/selected_image_YYYY-06-Jun 25, 2025_17-01-50-492.jpg",
    ],
)
def test_fm003_featured_image_is_a_url_or_a_path(image):
    assert (
        check(
            "FM003",
            f"---\ntitle: T\ndate: 2025-06-25\nfeatured_image: '{image}'\n---\n",
            schema=ARTICLE_SCHEMA,
        )
        == []
    )


@pytest.mark.parametrize(
    "image", ["ftp://example.com/a.jpg", "javascript:alert(1)", "//cdn.example/a.jpg", ""]
)
def test_fm003_featured_image_rejects_other_schemes(image):
    assert check(
        "FM003", f"---\ntitle: T\ndate: 2025-06-25\nfeatured_image: '{image}'\n---\n", schema=ARTICLE_SCHEMA
    ) == [(4, 1, f"featured_image: {image!r} is not an http(s) URL or a site path (no URL scheme)")]


def test_fm003_unknown_keys_are_allowed_by_the_article_schema():
    assert (
        check("FM003", "---\ntitle: T\ndate: 2025-06-25\nslug: t\nweight: 3\n---\n", schema=ARTICLE_SCHEMA)
        == []
    )


def test_fm003_dollar_schema_key_is_not_a_violation():
    strict = {"type": "object", "properties": {"title": {"type": "string"}}, "additionalProperties": False}
    text = "---\n$schema: ../schemas/strict.json\ntitle: T\n---\n"
    assert check("FM003", text, schema=strict) == []
    assert check("FM003", text, schema=ARTICLE_SCHEMA) == [(2, 1, "missing required key 'date'")]


def test_fm003_unexpected_keys_are_reported_at_each_key():
    strict = {"type": "object", "properties": {"title": {"type": "string"}}, "additionalProperties": False}
    text = "---\ntitle: T\nslug: t\nweight: 3\n---\n"
    assert check("FM003", text, schema=strict) == [
        (3, 1, "slug: key not allowed by the schema (allowed here: title)"),
        (4, 1, "weight: key not allowed by the schema (allowed here: title)"),
    ]


def test_fm003_nested_required_key_points_at_the_parent_key():
    schema = {
        "type": "object",
        "properties": {"author": {"type": "object", "required": ["name"]}},
    }
    text = "---\ntitle: T\nauthor:\n  email: a@example.com\n---\n"
    assert check("FM003", text, schema=schema) == [(3, 1, "author: missing required key 'name'")]


def test_fm003_nested_value_points_at_its_key():
    schema = {"type": "object", "properties": {"author": {"properties": {"name": {"type": "string"}}}}}
    text = "---\nauthor:\n  name: 3\n---\n"
    assert check("FM003", text, schema=schema) == [
        (3, 3, "author.name: must be a string, not an integer (3)")
    ]


def test_fm003_works_on_toml_and_json_front_matter():
    toml = "+++\ntitle = 'T'\ndate = 2025-06-25T17:10:04+08:00\ntags = 'AI'\n+++\n"
    assert check("FM003", toml, schema=ARTICLE_SCHEMA) == [
        (4, 1, "tags: must be a list, not a string ('AI')")
    ]
    json_text = '{\n  "title": "T",\n  "date": "昨天"\n}\n'
    assert check("FM003", json_text, schema=ARTICLE_SCHEMA) == [
        (3, 3, "date: '昨天' is not a 'date-time' or a 'date'")
    ]


def test_fm003_a_schema_that_cannot_be_applied_is_one_diagnostic_not_an_exception():
    schema = {"type": "object", "properties": {"title": {"$ref": "other.json#/title"}}}
    problems = check("FM003", "---\ntitle: T\n---\n", schema=schema, source="broken.json")
    assert len(problems) == 1
    assert problems[0][:2] == (1, 1)
    assert problems[0][2].startswith("broken.json could not be applied: ")


def test_fm003_validators_are_compiled_once_per_schema():
    assert validator_of(ARTICLE_SCHEMA) is validator_of(ARTICLE_SCHEMA)
    plain = {"type": "object"}
    assert validator_of(plain) is validator_of(plain)
    assert validator_of({"type": "object"}) is not validator_of(plain)  # other content, other validator


# --- load_schema ----------------------------------------------------------------------------------------


def test_load_schema_reads_the_article_schema():
    assert ARTICLE_SCHEMA.contents["required"] == ["title", "date"]
    for name, prop in ARTICLE_SCHEMA.contents["properties"].items():
        assert prop.get("title") and prop.get("description"), name


def test_load_schema_rejects_bad_json_with_its_position(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{\n  "type": "object"\n  "required": []\n}\n')
    with pytest.raises(ValueError, match=r"not valid JSON: .*\(line 3, column 3\)"):
        load_schema(str(path))


def test_load_schema_rejects_an_invalid_json_schema(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"type": "objekt"}))
    with pytest.raises(ValueError, match="is not a valid JSON Schema: "):
        load_schema(str(path))


def test_load_schema_rejects_a_non_object_and_a_missing_file(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("[]")
    with pytest.raises(ValueError, match="must be a JSON object"):
        load_schema(str(path))
    with pytest.raises(ValueError, match="cannot read it"):
        load_schema(str(tmp_path / "missing.json"))


# --- FM004 duplicate-key ----------------------------------------------------------------------------------


def test_fm004_reports_each_repeat_with_the_first_line():
    text = "---\ntitle: A\ndate: 2025-06-25\ntitle: B\ntitle: C\n---\n"
    assert check("FM004", text) == [
        (4, 1, "duplicate key 'title' (first on line 2); only the last value is kept"),
        (5, 1, "duplicate key 'title' (first on line 2); only the last value is kept"),
    ]


def test_fm004_reports_nested_repeats():
    text = "---\nparams:\n  author: A\n  author: B\n---\n"
    assert check("FM004", text) == [
        (4, 3, "duplicate key 'author' in params (first on line 3); only the last value is kept")
    ]


def test_fm004_same_key_in_different_mappings_is_fine():
    text = "---\ntitle: A\nparams:\n  title: B\nitems:\n  - title: C\n  - title: D\n---\n"
    assert check("FM004", text) == []


def test_fm004_repeat_in_a_flow_mapping():
    assert check("FM004", "---\nparams: {a: 1, b: 2, a: 3}\n---\n") == [
        (2, 22, "duplicate key 'a' in params; only the last value is kept")  # same line: no "first on"
    ]


def test_fm004_json_repeats():
    assert check("FM004", '{\n  "title": "A",\n  "title": "B"\n}\n') == [
        (3, 3, "duplicate key 'title' (first on line 2); only the last value is kept")
    ]


def test_fm004_merge_keys_are_not_repeats():
    assert check("FM004", "---\nbase: &b {x: 1}\npost:\n  <<: *b\n  x: 2\n---\n") == []


# --- FM005 template-placeholder -------------------------------------------------------------------------


def test_fm005_yyyy_inside_a_file_name_is_a_placeholder_at_its_column():
    text = '---\ntitle: T\nfeatured_image: "/img/cover_YYYY-06-Jun 25.jpg"\n---\n'
    assert check("FM005", text) == [(3, 29, "featured_image: template placeholder 'YYYY' left in the value")]


@pytest.mark.parametrize(
    ("value", "found", "column"),
    [
        ("TODO", "TODO", 10),
        ("'TODO: write a summary'", "TODO", 11),
        ("Draft TBD", "TBD", 16),
        ("FIXME later", "FIXME", 10),
        ("Lorem ipsum dolor sit amet", "Lorem ipsum", 10),
        ("Lorem  Ipsum", "Lorem  Ipsum", 10),
        ('"{{ .Title }} – news"', "{{ .Title }}", 11),
        ("'Read <INSERT SUMMARY> here'", "<INSERT SUMMARY>", 16),
        ("<image_url>", "<image_url>", 10),
        ("'<your summary here>'", "<your summary here>", 11),
        ("<placeholder>", "<placeholder>", 10),
        ("Published YYYY-MM-DD", "YYYY-MM-DD", 20),
        ("'on MM-DD'", "MM-DD", 14),
        ("at HH:mm", "HH:mm", 13),
        ("发布于YYYY年", "YYYY", 13),
        ("cover_yyyy.jpg", "yyyy", 16),
    ],
)
def test_fm005_builtin_placeholders(value, found, column):
    assert check("FM005", f"---\nsummary: {value}\n---\n") == [
        (2, column, f"summary: template placeholder {found!r} left in the value")
    ]


@pytest.mark.parametrize(
    "value",
    [
        "Using TODOIST and TBDX",
        "a todo list",
        "MM and DD are initials",
        "DD-214 form",
        "The <b>bold</b> move<br>",
        '<a href="https://example.com/your-page">link</a>',
        "YYYYY",
        "2025-06-25",
        "{single}",
        "HTML <title> tags",
        "ipsum lorem",
        "Super Bowl XXX",
    ],
)
def test_fm005_real_text_is_not_a_placeholder(value):
    assert check("FM005", f"---\nsummary: {json.dumps(value, ensure_ascii=False)}\n---\n") == []


def test_fm005_checks_list_items_and_nested_values():
    text = "---\ntags:\n  - AI\n  - TODO\nparams:\n  author: TBD\n---\n"
    assert check("FM005", text) == [
        (4, 5, "tags[1]: template placeholder 'TODO' left in the value"),
        (6, 11, "params.author: template placeholder 'TBD' left in the value"),
    ]


def test_fm005_reports_each_placeholder_in_a_value():
    assert check("FM005", "---\nsummary: TODO and {{ x }}\n---\n") == [
        (2, 10, "summary: template placeholder 'TODO' left in the value"),
        (2, 19, "summary: template placeholder '{{ x }}' left in the value"),
    ]


def test_fm005_ignores_keys_and_non_string_values():
    assert check("FM005", "---\nTODO: 1\ndraft: true\n---\n") == []


def test_fm005_column_falls_back_to_the_value_when_the_source_differs():
    # an escape before the placeholder: the source is not the value character for character
    assert check("FM005", '---\nsummary: "a\\tTODO"\n---\n') == [
        (2, 10, "summary: template placeholder 'TODO' left in the value")
    ]
    # a block scalar: the placeholder is on a later line
    assert check("FM005", "---\nsummary: |\n  first line\n  TODO\n---\n") == [
        (2, 10, "summary: template placeholder 'TODO' left in the value")
    ]


def test_fm005_extra_words_match_as_whole_tokens():
    text = "---\nsummary: 时间待定\ntitle: CHANGE ME please\nslug: CHANGE MEE\n---\n"
    assert check("FM005", text, placeholders=["待定", "CHANGE ME"]) == [
        (2, 12, "summary: template placeholder '待定' left in the value"),
        (3, 8, "title: template placeholder 'CHANGE ME' left in the value"),
    ]


def test_fm005_extra_regexes():
    text = "---\nsummary: see [[link]] here\n---\n"
    assert check("FM005", text, placeholders=[r"\[\[.*?\]\]"]) == [
        (2, 14, "summary: template placeholder '[[link]]' left in the value")
    ]


def test_fm005_invalid_regex_is_matched_literally():
    assert check("FM005", "---\nsummary: a (( b\n---\n", placeholders=["(("]) == [
        (2, 12, "summary: template placeholder '((' left in the value")
    ]


def test_fm005_builtin_false_checks_only_the_extra_placeholders():
    text = "---\nsummary: TODO XYZZY\n---\n"
    assert check("FM005", text, builtin=False) == []
    assert check("FM005", text, builtin=False, placeholders=["XYZZY"]) == [
        (2, 15, "summary: template placeholder 'XYZZY' left in the value")
    ]


def test_fm005_toml_and_json_report_at_the_placeholder():
    assert check("FM005", "+++\nsummary = 'TODO'\n+++\n") == [
        (2, 12, "summary: template placeholder 'TODO' left in the value")
    ]
    assert check("FM005", '{\n  "summary": "TODO"\n}\n') == [
        (2, 15, "summary: template placeholder 'TODO' left in the value")
    ]


def test_fm005_is_silent_on_a_clean_article():
    assert check("FM005", GOOD) == []


def test_format_checkers_the_schema_does_not_use_are_not_imported(tmp_path):
    import subprocess
    import sys

    schema = tmp_path / "s.json"
    schema.write_text('{"type": "object", "properties": {"date": {"type": "string", "format": "date-time"}}}')
    code = (
        "import sys\nfrom corpuslint.schemas import load_schema\n"
        f"load_schema({str(schema)!r})\nimport jsonschema\n"
        "print(sorted(m for m in ('rfc3987_syntax', 'isoduration', 'arrow') if sys.modules.get(m)))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "[]", proc.stderr
