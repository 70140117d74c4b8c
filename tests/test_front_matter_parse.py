"""Front matter: split, load, positions. Any input ends in data or in one clear error, never an exception."""

from __future__ import annotations

import pytest

from corpuslint.document import Document
from corpuslint.front_matter import MAX_DEPTH, MAX_VALUES, format_path


def fm_of(text: str | bytes):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return Document.from_bytes("post.md", data).front_matter


# --- splitting ----------------------------------------------------------------------------------


def test_yaml_front_matter_is_split_at_the_closing_delimiter():
    doc = Document.from_bytes("post.md", b"---\ntitle: A\n---\nBody\n")
    assert doc.front_matter.format == "yaml"
    assert (doc.front_matter.open_line, doc.front_matter.raw_line, doc.front_matter.close_line) == (1, 2, 3)
    assert doc.body == "Body\n"


def test_a_document_without_a_leading_delimiter_has_no_front_matter():
    doc = Document.from_bytes("post.md", "正文\n---\ntitle: x\n---\n".encode())
    assert doc.front_matter is None
    assert doc.body_offset == 0


def test_hugo_shortcode_at_the_start_is_not_json_front_matter():
    assert fm_of("{{< figure src=x >}}\nBody\n") is None


def test_unclosed_yaml_front_matter_is_an_error_at_the_opening_delimiter():
    fm = fm_of("---\ntitle: A\nBody without an end\n")
    assert fm.error == (1, 1, "front matter is not closed: no closing `---` line")
    assert fm.data is None


def test_unclosed_toml_and_json_front_matter_are_errors():
    assert fm_of("+++\ntitle = 'A'\n").error[2] == "front matter is not closed: no closing `+++` line"
    assert fm_of('{\n"title": "A"\n').error[2].startswith("front matter is not closed")


def test_bom_and_crlf_do_not_change_data_or_positions():
    text = "---\ntitle: A\ntags:\n  - x\n---\nBody\n"
    plain = fm_of(text)
    odd = fm_of(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert odd.data == plain.data == {"title": "A", "tags": ["x"]}
    assert odd.positions == plain.positions
    assert odd.positions[("tags", 0)] == (4, 5)


# --- YAML data and positions ----------------------------------------------------------------------


def test_positions_of_keys_and_items_are_1_based_and_count_characters():
    fm = fm_of("---\ntitle: 标题标题\ntags: [甲乙, b]\nparams:\n  author: 某人\n---\n")
    assert fm.positions[("title",)] == (2, 1)
    assert fm.positions[("tags", 0)] == (3, 8)
    assert fm.positions[("tags", 1)] == (3, 12)
    assert fm.positions[("params", "author")] == (5, 3)


def test_strings_hold_every_string_value_with_its_position():
    fm = fm_of("---\ntitle: '标题'\ntags:\n  - a\ndraft: false\ncount: 3\n---\n")
    assert fm.strings == [(("title",), 2, 8, "标题"), (("tags", 0), 4, 5, "a")]


def test_timestamps_and_dates_stay_strings_as_written():
    fm = fm_of("---\ndate: 2025-06-25T17:10:04+08:00\nday: 2025-06-25\nspaced: 2025-06-25 17:10:04\n---\n")
    assert fm.data == {
        "date": "2025-06-25T17:10:04+08:00",
        "day": "2025-06-25",
        "spaced": "2025-06-25 17:10:04",
    }


def test_keys_are_kept_as_written():
    fm = fm_of("---\n2024: a\non: b\nnull: c\n---\n")
    assert fm.data == {"2024": "a", "on": "b", "null": "c"}


@pytest.mark.parametrize("raw", ["", "# only a comment\n", "\n\n"])
def test_empty_front_matter_is_an_empty_mapping(raw):
    fm = fm_of(f"---\n{raw}---\nBody\n")
    assert fm.error is None
    assert fm.data == {}
    assert fm.ok


def test_duplicate_keys_keep_the_last_value_and_are_recorded():
    fm = fm_of("---\ntitle: A\ndate: 2025-06-25\ntitle: B\nparams:\n  x: 1\n  x: 2\n---\n")
    assert fm.data["title"] == "B"
    assert fm.data["params"] == {"x": 2}
    assert fm.duplicates == [(("title",), 4, 1), (("params", "x"), 7, 3)]
    assert fm.positions[("title",)] == (2, 1)  # the first occurrence


def test_merge_keys_follow_yaml_merge_rules_and_are_not_duplicates():
    fm = fm_of("---\nbase: &b {x: 1, y: 2}\npost:\n  <<: *b\n  y: 3\n---\n")
    assert fm.data["post"] == {"x": 1, "y": 3}
    assert fm.duplicates == []


def test_aliases_reuse_the_anchored_value():
    fm = fm_of("---\ntags: &t [a, b]\nmain_topics: *t\n---\n")
    assert fm.data == {"tags": ["a", "b"], "main_topics": ["a", "b"]}


# --- YAML errors ---------------------------------------------------------------------------------


def test_syntax_error_is_reported_at_the_offending_line_and_column():
    fm = fm_of("---\ntitle: A\ntags: [a, b\n---\n")
    line, column, message = fm.error
    assert (line, column) == (4, 1)
    assert message.startswith("front matter is not valid YAML: ")


def test_colon_in_plain_value_is_a_syntax_error_at_the_colon():
    fm = fm_of("---\ntitle: Partners: a history\n---\n")
    line, column, message = fm.error
    assert (line, column) == (2, 16)
    assert message.startswith("front matter is not valid YAML: mapping values are not allowed")


def test_tab_indentation_is_a_syntax_error_on_its_line():
    fm = fm_of("---\ntitle: A\n\tdate: 2025-06-25\n---\n")
    line, column, message = fm.error
    assert line == 3
    assert "tab" in message


@pytest.mark.parametrize(
    ("raw", "kind"),
    [("- a\n- b\n", "a list"), ("just a sentence\n", "a string"), ("42\n", "a number"), ("~\n", "null")],
)
def test_front_matter_that_is_not_a_mapping_is_an_error(raw, kind):
    fm = fm_of(f"---\n{raw}---\n")
    assert fm.error == (2, 1, f"front matter must be a mapping of keys to values, but it is {kind}")
    assert not fm.ok


def test_unknown_tags_are_errors_not_exceptions():
    fm = fm_of("---\ntitle: !python/object x\n---\n")
    assert fm.error[:2] == (2, 8)
    assert "tag" in fm.error[2]


def test_undefined_and_recursive_aliases_are_errors():
    assert fm_of("---\na: *nowhere\n---\n").error == (
        2,
        4,
        "front matter is not valid YAML: found undefined alias *nowhere",
    )
    assert "refers to a node that contains it" in fm_of("---\na: &x [*x]\n---\n").error[2]


def test_mapping_as_a_key_is_an_error():
    assert fm_of("---\n? [a, b]\n: c\n---\n").error[:2] == (2, 3)


# --- hostile YAML: bounded, one diagnostic ------------------------------------------------------------


def test_alias_bomb_stops_at_the_value_budget():
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for index in range(1, 9):
        name, previous = chr(ord("a") + index), chr(ord("a") + index - 1)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    fm = fm_of("---\n" + "\n".join(levels) + "\n---\n")
    assert fm.data is None
    line, column, message = fm.error
    assert message == f"front matter expands to more than {MAX_VALUES} values through YAML aliases"
    assert line in range(2, 11)


def test_many_plain_values_stop_at_the_value_budget():
    fm = fm_of("---\nitems:\n" + "".join(f"  - {i}\n" for i in range(MAX_VALUES + 10)) + "---\n")
    assert fm.error[2] == f"front matter has more than {MAX_VALUES} values"


def test_deep_flow_nesting_stops_at_the_depth_limit():
    fm = fm_of("---\na: " + "[" * 5000 + "]" * 5000 + "\n---\n")
    assert fm.error == (2, 3 + MAX_DEPTH, f"front matter nests deeper than {MAX_DEPTH} levels")


def test_deep_block_nesting_stops_at_the_depth_limit():
    # 100,000 levels on one line: composing this recursively would overflow the C stack
    fm = fm_of("---\na:\n  " + "- " * 100_000 + "x\n---\n")
    assert fm.error[0] == 3
    assert fm.error[2] == f"front matter nests deeper than {MAX_DEPTH} levels"


def test_deep_indented_mappings_stop_at_the_depth_limit():
    fm = fm_of("---\n" + "".join(" " * i + "k:\n" for i in range(200)) + "---\n")
    assert fm.error[:2] == (2 + MAX_DEPTH, 1 + MAX_DEPTH)
    assert "nests deeper" in fm.error[2]


def test_nesting_at_the_limit_loads():
    fm = fm_of("---\na: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n---\n")
    assert fm.error is None


def test_one_megabyte_front_matter_is_not_parsed():
    fm = fm_of("---\n" + "".join(f"key{i}: {'x' * 90}\n" for i in range(11_000)) + "---\nBody\n")
    assert fm.error[:2] == (1, 1)
    assert "over the 256 KiB limit" in fm.error[2]


def test_one_long_value_within_the_size_limit_loads():
    fm = fm_of("---\nsummary: " + "长" * 50_000 + "\n---\n")
    assert fm.ok and len(fm.data["summary"]) == 50_000


# --- TOML -------------------------------------------------------------------------------------------


def test_toml_front_matter_loads_with_key_and_item_positions():
    fm = fm_of("+++\ntitle = '标题'\ntags = ['a', 'b']\n[params]\ntitle = 'inner'\n+++\nBody\n")
    assert fm.format == "toml"
    assert fm.data == {"title": "标题", "tags": ["a", "b"], "params": {"title": "inner"}}
    assert fm.positions[("title",)] == (2, 1)
    assert fm.positions[("tags",)] == (3, 1)
    assert fm.position(("tags", 1)) == (3, 14)
    assert fm.positions[("params", "title")] == (5, 1)


def test_toml_dates_become_strings_as_rfc3339():
    fm = fm_of("+++\ndate = 2025-06-25T17:10:04+08:00\nday = 2025-06-25\n+++\n")
    assert fm.data == {"date": "2025-06-25T17:10:04+08:00", "day": "2025-06-25"}


def test_toml_syntax_error_and_repeated_key_are_errors_with_positions():
    fm = fm_of("+++\ntitle = 'A'\ndate =\n+++\n")
    assert fm.error[0] == 3 and fm.error[2].startswith("front matter is not valid TOML: ")
    fm = fm_of("+++\ntitle = 'A'\ntitle = 'B'\n+++\n")
    assert fm.error[0] == 3


def test_deep_toml_is_an_error():
    fm = fm_of("+++\na = " + "[" * 5000 + "]" * 5000 + "\n+++\n")
    assert fm.error[2] == f"front matter nests deeper than {MAX_DEPTH} levels"


# --- JSON -------------------------------------------------------------------------------------------


def test_json_front_matter_loads_with_positions_and_duplicates():
    fm = fm_of('{\n  "title": "A",\n  "tags": ["x"],\n  "title": "B"\n}\nBody\n')
    assert fm.format == "json"
    assert fm.data == {"title": "B", "tags": ["x"]}
    assert fm.positions[("tags",)] == (3, 3)
    assert fm.duplicates == [(("title",), 4, 3)]
    # the repeated key's last value is the one kept, at its own line
    assert fm.strings == [(("tags", 0), 3, 12, "x"), (("title",), 4, 12, "B")]


def test_json_syntax_error_is_at_its_line_and_column():
    fm = fm_of('{\n  "title": "A"\n  "tags": []\n}\n')
    assert fm.error == (3, 3, "front matter is not valid JSON: Expecting ',' delimiter")


def test_deep_json_is_an_error():
    fm = fm_of('{\n"a": ' + "[" * 5000 + "]" * 5000 + "\n}\n")
    assert "nests deeper" in fm.error[2]


# --- helpers ------------------------------------------------------------------------------------------


def test_position_falls_back_to_the_nearest_known_key_then_the_delimiter():
    fm = fm_of("---\nparams:\n  a: 1\n---\n")
    assert fm.position(("params", "missing", 3)) == (2, 1)
    assert fm.position(()) == (1, 1)


def test_format_path_reads_like_the_front_matter():
    assert format_path(("tags", 2)) == "tags[2]"
    assert format_path(("params", "author", "name")) == "params.author.name"
    assert format_path(()) == ""


def test_a_repeated_keys_value_is_located_at_its_last_occurrence():
    from corpuslint import front_matter

    fm, _ = front_matter.split("---\ntags: a\ntags: b\n---\n")
    fm = front_matter.load(fm)
    assert fm.data["tags"] == "b"
    assert fm.position(("tags",)) == (3, 1)


@pytest.mark.parametrize("levels", [100, 999, 1001, 5000])
def test_flow_nesting_is_reported_the_same_below_and_past_libyamls_own_limit(levels):
    # libyaml (PyYAML 6.0.4) stops at 1000 flow levels with its own error: corpuslint's must win
    fm = fm_of("---\ntitle: T\nlist: [1, 2]\na: " + "[" * levels + "]" * levels + "\n---\n")
    assert fm.error == (4, 3 + MAX_DEPTH, f"front matter nests deeper than {MAX_DEPTH} levels")


def test_flow_nesting_past_libyamls_limit_keeps_no_partial_positions():
    fm = fm_of("---\ntitle: T\na: " + "{k: " * 2000 + "v" + "}" * 2000 + "\n---\n")
    assert fm.error[2] == f"front matter nests deeper than {MAX_DEPTH} levels"
    assert fm.data is None


def test_the_opening_boundaries_are_python_frontmatters():
    """corpuslint decides which documents have YAML or JSON front matter exactly as
    python-frontmatter's handlers do; it keeps copies of their patterns so that a run does not
    import the library (and PyYAML with it) for every document."""
    from frontmatter.default_handlers import JSONHandler, YAMLHandler

    from corpuslint import front_matter

    assert front_matter._YAML_BOUNDARY.pattern == YAMLHandler.FM_BOUNDARY.pattern
    assert front_matter._YAML_BOUNDARY.flags == YAMLHandler.FM_BOUNDARY.flags
    assert front_matter._JSON_BOUNDARY.pattern == JSONHandler.FM_BOUNDARY.pattern
    assert front_matter._JSON_BOUNDARY.flags == JSONHandler.FM_BOUNDARY.flags
