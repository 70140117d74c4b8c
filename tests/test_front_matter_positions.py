"""TOML and JSON front matter: every key and item has its exact line and column, as in YAML."""

from __future__ import annotations

from corpuslint.document import Document


def fm_of(text: str):
    return Document.from_bytes("post.md", text.encode("utf-8")).front_matter


# --- TOML -------------------------------------------------------------------------------------------


def test_toml_top_level_keys_are_at_their_first_character():
    fm = fm_of("+++\ntitle = 'A'\n  draft = false\n+++\n")
    assert fm.positions[("title",)] == (2, 1)
    assert fm.positions[("draft",)] == (3, 3)


def test_toml_keys_under_a_table_header_are_at_their_own_lines():
    fm = fm_of(
        "+++\ntitle = 'Rust'\n\n[extra]\nauthor = 'x'\n"
        "team = 'Lang'\nteam_url = 'https://a.test/ https://b.test/'\n+++\n"
    )
    assert fm.positions[("extra",)] == (4, 2)
    assert fm.positions[("extra", "team")] == (6, 1)
    assert fm.positions[("extra", "team_url")] == (7, 1)


def test_toml_dotted_keys_place_each_part():
    fm = fm_of("+++\nextra.team.url = 'u'\nextra.team.name = 'n'\n+++\n")
    assert fm.positions[("extra",)] == (2, 1)
    assert fm.positions[("extra", "team")] == (2, 7)
    assert fm.positions[("extra", "team", "url")] == (2, 12)
    assert fm.positions[("extra", "team", "name")] == (3, 12)


def test_toml_dotted_table_header_places_the_nested_keys():
    fm = fm_of("+++\n[params.social]\ntwitter = 't'\n+++\n")
    assert fm.positions[("params", "social")] == (2, 9)
    assert fm.positions[("params", "social", "twitter")] == (3, 1)


def test_toml_inline_tables_place_their_keys():
    fm = fm_of("+++\nauthor = { name = 'Ann', links = { site = 'https://a.test/' } }\n+++\n")
    assert fm.positions[("author", "name")] == (2, 12)
    assert fm.positions[("author", "links")] == (2, 26)
    assert fm.positions[("author", "links", "site")] == (2, 36)


def test_toml_array_items_are_at_their_values_across_lines():
    fm = fm_of("+++\ntags = [\n  'a',  # first\n  'b',\n]\n+++\n")
    assert fm.positions[("tags", 0)] == (3, 3)
    assert fm.positions[("tags", 1)] == (4, 3)


def test_toml_arrays_of_tables_count_their_elements():
    fm = fm_of("+++\n[[authors]]\nname = 'A'\n[[authors]]\nname = 'B'\n[[authors.links]]\nurl = 'u'\n+++\n")
    assert fm.positions[("authors", 0)] == (2, 3)
    assert fm.positions[("authors", 1)] == (4, 3)
    assert fm.positions[("authors", 1, "name")] == (5, 1)
    assert fm.positions[("authors", 1, "links", 0, "url")] == (7, 1)


def test_toml_quoted_keys_are_at_their_opening_quote():
    fm = fm_of('+++\n"page type" = \'guide\'\nsite."x.y" = 1\n+++\n')
    assert fm.positions[("page type",)] == (2, 1)
    assert fm.positions[("site", "x.y")] == (3, 6)


def test_toml_strings_are_at_their_opening_quote_and_dates_at_their_first_digit():
    fm = fm_of("+++\n[extra]\nurl = \"https://a.test/\"\nwhen = 2025-06-25\nbody = '''\nx'''\n+++\n")
    assert fm.strings == [
        (("extra", "url"), 3, 7, "https://a.test/"),
        (("extra", "when"), 4, 8, "2025-06-25"),
        (("extra", "body"), 5, 8, "x"),
    ]


def test_toml_text_inside_multiline_strings_is_not_taken_for_keys():
    fm = fm_of('+++\nsummary = """\n[fake]\nkey = 1\n"""\ntitle = \'T\'\n+++\n')
    assert ("fake",) not in fm.positions
    assert fm.positions[("title",)] == (6, 1)


# --- JSON -------------------------------------------------------------------------------------------


def test_json_nested_object_keys_are_at_their_own_lines():
    fm = fm_of('{\n  "title": "A",\n  "extra": {\n    "team": {\n      "url": "u"\n    }\n  }\n}\n')
    assert fm.positions[("extra",)] == (3, 3)
    assert fm.positions[("extra", "team")] == (4, 5)
    assert fm.positions[("extra", "team", "url")] == (5, 7)


def test_json_array_items_and_objects_in_arrays_are_placed():
    fm = fm_of('{\n  "authors": [\n    {"name": "A"},\n    {"name": "B", "tags": [1, 2]}\n  ]\n}\n')
    assert fm.positions[("authors", 0)] == (3, 5)
    assert fm.positions[("authors", 1)] == (4, 5)
    assert fm.positions[("authors", 1, "name")] == (4, 6)
    assert fm.positions[("authors", 1, "tags", 1)] == (4, 31)


def test_json_repeated_nested_keys_are_duplicates_at_their_position():
    fm = fm_of('{\n  "extra": {\n    "a": 1,\n    "a": 2\n  }\n}\n')
    assert fm.duplicates == [(("extra", "a"), 4, 5)]


def test_json_escaped_keys_and_strings_with_brackets_do_not_confuse_the_scanner():
    fm = fm_of('{\n  "a\\"b": "[{",\n  "c": ["]", "}"],\n  "d": 1\n}\n')
    assert fm.positions[('a"b',)] == (2, 3)
    assert fm.positions[("c", 1)] == (3, 14)
    assert fm.positions[("d",)] == (4, 3)
