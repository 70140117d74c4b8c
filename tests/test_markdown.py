"""corpuslint.markdown: the one parse, its types and offsets, and the prose map built from it."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpuslint.document import Document
from corpuslint.markdown import parse_text
from corpuslint.markdown.prose import PLACEHOLDER, prose_blocks


def doc_of(text: str) -> Document:
    return Document.from_bytes("a.md", text.encode())


# --- the parse --------------------------------------------------------------------------------


def test_offsets_are_characters_into_the_whole_file():
    doc = doc_of("---\ntitle: 标题\n---\n中文[^1]，😀[链接](https://e.test/p)。\n\n[^1]: 注\n")
    parsed = doc.markdown
    (ref,) = parsed.footnote_refs
    assert doc.text[ref.start : ref.end] == "[^1]"
    (link,) = parsed.links
    assert doc.text[link.dest_start : link.dest_end] == "https://e.test/p" and link.text == "链接"
    (definition,) = parsed.footnote_defs
    assert doc.text[definition.start : definition.content_start] == "[^1]:"


def test_the_parse_is_cached_on_the_document():
    doc = doc_of("a\n")
    assert doc.markdown is doc.markdown


def test_blocks_code_html_tables_math_and_containers():
    text = (
        "# 标题\n\n> 引用\n>\n> 第二段\n\n- 项\n  - 子项\n\n| a | b |\n|-|-|\n| 中 | 文 |\n\n"
        "```py\ncode\n```\n\n<div>\nx\n</div>\n\n$x$ 与 $$y$$\n"
    )
    parsed = parse_text(text)
    kinds = [(i.kind, tuple(c.kind for c in i.containers)) for i in parsed.inlines]
    assert kinds[:5] == [
        ("heading", ()),
        ("paragraph", ("block_quote",)),
        ("paragraph", ("block_quote",)),
        ("paragraph", ("list_item",)),
        ("paragraph", ("list_item", "list_item")),
    ]
    assert [i.kind for i in parsed.inlines].count("table_cell") == 4
    (code,) = parsed.code_blocks
    assert code.fenced and code.info == "py" and text[code.start : code.end].startswith("```py")
    assert len(parsed.html_blocks) == 1 and len(parsed.tables) == 1
    math = [item.kind for item in parsed.inlines[-1].items if item.kind.endswith("math")]
    assert math == ["math", "display_math"]


def test_gfm_bare_urls_are_autolinks_cut_at_fullwidth_punctuation():
    text = "入口：http://h.test/a；另见[公告](http://h.test/b)，和 www.e.test/x。\n"
    links = parse_text(text).links
    assert [(link.kind, link.dest) for link in links] == [
        ("bare", "http://h.test/a"),
        ("inline", "http://h.test/b"),
        ("bare", "www.e.test/x"),
    ]


def test_the_parser_api_does_not_leak():
    import corpuslint.markdown.types as types

    parsed = parse_text("a [b](c) `d` [^e]\n\n[^e]: f\n")
    for value in (*parsed.inlines, *parsed.links, *parsed.footnote_refs, *parsed.footnote_defs):
        assert type(value).__module__ == types.__name__


# --- the prose map ----------------------------------------------------------------------------


def test_prose_text_and_placeholders():
    doc = doc_of(
        "中文`code`、![图](i.png)、[^1]、<b>、<https://e.test>、$x$、[链接](https://e.test/y)。\n\n[^1]: a\n"
    )
    first = prose_blocks(doc)[0]
    assert (
        first.text
        == f"中文{PLACEHOLDER}、{PLACEHOLDER}、{PLACEHOLDER}、{PLACEHOLDER}、{PLACEHOLDER}、{PLACEHOLDER}、链接。"
    )


def test_prose_source_maps_back_and_unmapped_is_minus_one():
    doc = doc_of("---\nt: 1\n---\n甲, 乙 &amp; 丙\n")
    (block,) = prose_blocks(doc)
    comma = block.text.index(",")
    assert doc.text[block.source(comma)] == ","
    assert block.source(block.text.index("&")) == -1  # an entity renders differently


def test_prose_context_kind_containers_ordinal_and_follows():
    doc = doc_of("> 「第一段\n>\n> 「第二段」\n\n正文\n\n| 格 |\n|-|\n| 子 |\n\n[^1]: 注\n")
    blocks = prose_blocks(doc)
    assert [b.kind for b in blocks] == [
        "paragraph",
        "paragraph",
        "paragraph",
        "table_cell",
        "table_cell",
        "paragraph",
    ]
    assert [b.quote_depth for b in blocks[:3]] == [1, 1, 0]
    assert blocks[1].follows(blocks[0]) and not blocks[2].follows(blocks[1])
    assert [b.ordinal for b in blocks] == list(range(6))
    assert blocks[-1].footnote == "1" and blocks[-1].path == ("footnote_definition", "paragraph")
    assert blocks[3].level == 0 and blocks[4].level == 1


def test_is_masked_is_a_bisect_over_sorted_ranges():
    doc = doc_of("见 example.com/a 与 a@b.test 和 c.org/d\n")
    (block,) = prose_blocks(doc)
    assert block.masked == sorted(block.masked) and len(block.masked) == 3
    inside = [i for i in range(len(block.text)) if block.is_masked(i)]
    assert "".join(block.text[i] for i in inside) == "example.com/aa@b.testc.org/d"


_PIECES = st.sampled_from(
    [
        "中文",
        "word",
        "，",
        ", ",
        "`c`",
        "[^1]",
        "[t](https://e.test/a)",
        "https://e.test/b",
        "&amp;",
        "\\*",
        "*e*",
        "<i>",
        "\n",
        "\n\n",
        "> ",
        "- ",
        "| a |",
        "$m$",
        "![i](p.png)",
        "example.com/x",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_PIECES, max_size=20).map("".join))
def test_every_mapped_prose_character_is_the_source_character(body):
    doc = doc_of("---\nt: 1\n---\n" + body)
    for block in prose_blocks(doc):
        for index, char in enumerate(block.text):
            source = block.source(index)
            if source >= 0:
                assert doc.text[source] == char


@pytest.mark.parametrize("unit", ["-->", "<!--", "[^a", "a.b/", "http://", "*a", "`", "> ", "| a "])
def test_hostile_input_parses_in_linear_time(unit):
    from corpuslint import footnotes

    def run(size: int) -> float:
        best = float("inf")
        for _ in range(3):  # the best of three: the machine may be busy
            doc = doc_of(unit * (size // len(unit)))
            start = time.process_time()
            prose_blocks(doc)
            footnotes.index(doc)
            best = min(best, time.process_time() - start)
        return best

    small, large = run(30_000), run(120_000)
    assert large < 10
    assert large < 8 * small + 0.05, (small, large)


def test_prose_of_admonition_content_with_the_mkdocs_dialect():
    doc = doc_of("!!! note\n\n    提示, 内容。\n")
    assert [b.text for b in prose_blocks(doc)] == ["!!! note"]
    (block,) = prose_blocks(doc, ("mkdocs",))
    assert block.text == "提示, 内容。" and doc.text[block.source(2)] == ","
