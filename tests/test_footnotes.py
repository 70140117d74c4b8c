"""The footnote rules FN001-FN005 and the footnote index they share.

Positions are 1-based lines and columns in characters of the `[` that opens a reference or a
definition, in the whole file (front matter included).
"""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpuslint import footnotes
from corpuslint.document import Document
from corpuslint.registry import RuleContext, all_rules


def doc_of(text: str) -> Document:
    return Document.from_bytes("article.md", text.encode("utf-8"))


def problems(code: str, text: str | Document) -> list:
    doc = text if isinstance(text, Document) else doc_of(textwrap.dedent(text))
    return list(all_rules()[code].check(doc, RuleContext(options={})))


def where(code: str, text: str | Document) -> list[tuple[int, int]]:
    return [(p.line, p.column) for p in problems(code, text)]


def apply(text: str, fix) -> str:
    for edit in sorted(fix.edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


# --- FN001 undefined-footnote ------------------------------------------------------------------


class TestUndefined:
    def test_reference_without_definition_is_reported_at_its_bracket(self):
        assert where("FN001", "Growth slowed[^2].\n\n[^2]: ok https://e.com\n\nAlso[^9].\n") == [(5, 5)]

    def test_every_occurrence_is_reported(self):
        assert where("FN001", "[^1]  [^1]\n") == [(1, 1), (1, 7)]

    def test_message_names_the_label(self):
        (problem,) = problems("FN001", "x[^gone]\n")
        assert problem.message == "footnote [^gone] is referenced but never defined"
        assert (problem.end_line, problem.end_column) == (1, 9)  # just past the "]"

    def test_defined_reference_is_fine(self):
        assert where("FN001", "x[^a]\n\n[^a]: https://e.com\n") == []

    def test_columns_count_characters_in_cjk_text(self):
        text = "前言\n\n市场份额持续上升[^3]，而利润下降[^4]。\n\n[^3]: 来源 https://e.com\n"
        assert where("FN001", text) == [(3, 19)]

    def test_labels_match_case_insensitively(self):
        assert where("FN001", "See[^Note].\n\n[^note]: https://e.com\n") == []
        assert where("FN002", "See[^Note].\n\n[^note]: https://e.com\n") == []

    def test_labels_otherwise_match_on_source_text(self):
        # escapes and entities are not decoded in labels
        assert where("FN001", "Call[^a\\+b].\n\n[^a+b]: y\n") == [(1, 5)]
        text = "[^a&amp;b]: x\n[^a\\&b]: y\n\n[^a&b]\n"
        assert where("FN001", text) == [(4, 1)]
        assert where("FN002", text) == [(1, 1), (2, 1)]

    @pytest.mark.parametrize(
        "body",
        [
            "Inline `[^1]` code.\n",
            "``a [^1] b``\n",
            "```\n[^1]\n```\n",
            "~~~md\n[^1]\n~~~\n",
            "Para.\n\n    [^1] indented code\n",
            "<!-- [^1] -->\n",
            "Text <!-- a [^1] comment --> text.\n",
            "<div>\n[^1]\n</div>\n",
            "Escaped \\[^1] here.\n",
            "A [link](https://e.com/[^1]) here.\n",
            "A <https://e.com/[^1]> autolink.\n",
        ],
    )
    def test_text_that_only_looks_like_a_reference(self, body):
        assert where("FN001", body) == []

    def test_bang_before_a_reference_is_text(self):
        assert where("FN001", "a![^1]\n") == [(1, 3)]

    def test_references_count_in_emphasis_links_images_headings_and_tables(self):
        text = (
            "*em[^1]* **strong[^2]** ~~del[^3]~~\n"
            "\n"
            "![image [^4]](pic.png) [link [^5]](https://e.com)\n"
            "\n"
            "## Heading [^6] ##\n"
            "\n"
            "| a | b |\n"
            "|---|---|\n"
            "| [^7] | x [^8] |\n"
        )
        assert where("FN001", text) == [(1, 4), (1, 18), (1, 30), (3, 9), (3, 30), (5, 12), (9, 3), (9, 12)]

    def test_reference_in_a_block_quote_and_a_list(self):
        text = "> quoted claim[^1]\n> > nested[^2]\n\n- item[^3]\n  1. sub[^4]\n"
        assert where("FN001", text) == [(1, 15), (2, 11), (4, 7), (5, 9)]

    def test_front_matter_is_not_part_of_the_body(self):
        text = "---\ntitle: x[^1]\nnote: '[^2]'\n---\nBody[^3].\n"
        assert where("FN001", text) == [(5, 5)]

    def test_crlf_and_bom_input(self):
        data = "\ufeff---\r\ntitle: t\r\n---\r\n正文[^1]。\r\n\r\n[^2]: 来源 https://e.com\r\n".encode()
        doc = Document.from_bytes("a.md", data)
        assert where("FN001", doc) == [(4, 3)]
        assert where("FN002", Document.from_bytes("a.md", data)) == [(6, 1)]


# --- FN002 unused-footnote ---------------------------------------------------------------------


class TestUnused:
    def test_definition_never_referenced(self):
        text = "Claim[^1].\n\n[^1]: https://e.com/a\n[^2]: https://e.com/b\n"
        (problem,) = problems("FN002", text)
        assert (problem.line, problem.column) == (4, 1)
        assert problem.message == "footnote [^2] is defined but never referenced"

    def test_reference_inside_another_definition_counts(self):
        text = "Claim[^1].\n\n[^1]: See also[^2]. https://e.com/a\n[^2]: https://e.com/b\n"
        assert where("FN002", text) == []

    def test_reference_in_a_later_paragraph_of_a_definition_counts(self):
        text = "Claim[^long].\n\n[^long]: First paragraph.\n\n    Second paragraph cites[^x].\n\n[^x]: https://e.com\n"
        assert where("FN002", text) == []
        assert where("FN001", text) == []

    def test_definition_written_with_a_single_line_feed_after_the_colon(self):
        text = "[^a]:\n    > A quote in a footnote.\n\nCited[^a].\n"
        assert where("FN002", text) == []

    def test_two_definitions_on_one_line(self):
        assert where("FN002", "Hello\n\n\n[^a]:[^b]:\n") == [(4, 1), (4, 6)]

    def test_definition_in_a_block_quote_and_in_a_list_item(self):
        text = "> [^q]: quoted definition\n\n- [^l]: listed definition\n"
        assert where("FN002", text) == [(1, 3), (3, 3)]

    def test_definitions_indented_by_four_spaces_are_code(self):
        text = "Call[^1][^2][^3].\n\n    [^1]: code\n\n   [^2]: three spaces\n\n[^3]: none\n"
        assert where("FN001", text) == [(1, 5)]

    def test_lookalikes_are_link_reference_definitions(self):
        text = "[^]: empty\n[^ ]: space\n[^a\\]b]: y\n"
        assert where("FN002", text) == []

    def test_definition_after_front_matter(self):
        text = "---\ntitle: t\n---\nText.\n\n[^1]: https://e.com\n"
        assert where("FN002", text) == [(6, 1)]


# --- FN003 duplicate-footnote ------------------------------------------------------------------


class TestDuplicate:
    def test_second_and_later_definitions(self):
        text = "Call[^1].\n\n[^1]: a\n\n[^1]: b\n[^1]: c\n"
        found = problems("FN003", text)
        assert [(p.line, p.column) for p in found] == [(5, 1), (6, 1)]
        assert found[0].message == "footnote [^1] is defined more than once (first defined on line 3)"

    def test_duplicates_differing_only_in_case(self):
        assert where("FN003", "x[^A]\n\n[^A]: a\n[^a]: b\n") == [(4, 1)]

    def test_single_definitions_are_fine(self):
        assert where("FN003", "x[^1][^2]\n\n[^1]: a\n[^2]: b\n") == []


# --- FN004 footnote-without-source -------------------------------------------------------------


class TestWithoutSource:
    @pytest.mark.parametrize(
        "definition",
        [
            "[^1]: 张三（2025/6/17）。[报告](https://example.com/p/1)。示例网。检索日期2025/6/17。",
            "[^1]: Report, <https://example.com/p/1>.",
            "[^1]: Report, https://example.com/p/1 (retrieved 2025).",
            "[^1]: [Local copy](files/report.pdf).",
            "[^1]: Report.\n\n    Archived at http://archive.example.org/x.",
        ],
    )
    def test_definitions_with_a_link(self, definition):
        assert where("FN004", f"Claim[^1].\n\n{definition}\n") == []

    def test_definition_without_a_url(self):
        text = "Claim[^1][^2].\n\n[^1]: 孙八（2025/6/17）。《年度报告》。示例网。\n[^2]: https://e.com\n"
        (problem,) = problems("FN004", text)
        assert (problem.line, problem.column) == (3, 1)
        assert problem.message == "footnote [^1] reads as a citation but has no source link"
        assert all_rules()["FN004"].severity.name == "WARNING"

    def test_url_of_the_next_definition_does_not_count(self):
        text = "x[^1][^2]\n\n[^1]: 某报告，2024年3月2日。\n\n[^2]: https://e.com\n"
        assert where("FN004", text) == [(3, 1)]

    @pytest.mark.parametrize(
        "definition",
        [
            "[^1]: 这里的“模型”指参数量超过十亿的语言模型。",
            "[^1]: An aside: the figure excludes subsidiaries.",
            "[^1]: 作者注：原文如此。",
        ],
    )
    def test_notes_are_not_citations(self, definition):
        assert where("FN004", f"Claim[^1].\n\n{definition}\n") == []

    @pytest.mark.parametrize(
        "definition",
        [
            "[^1]: 《年度报告》",
            "[^1]: 某某网。",
            "[^1]: 来源：内部资料",
            "[^1]: Smith, Annual Report, June 17, 2025.",
            "[^1]: Annual report, accessed 2025.",
            "[^1]: 王五。检索日期2025/6/17。",
        ],
    )
    def test_citations_without_a_link(self, definition):
        assert where("FN004", f"Claim[^1].\n\n{definition}\n") == [(3, 1)]


# --- FN005 footnote-order ----------------------------------------------------------------------


class TestOrder:
    @pytest.mark.parametrize("label", ["2021", "107421", "2229"])
    def test_numeric_labels_that_are_names_are_not_counted(self, label):
        text = f"a[^1] b[^{label}] c[^2]\n\n[^1]: x\n[^{label}]: y\n[^2]: z\n"
        assert where("FN005", text) == []

    def test_a_name_like_label_is_never_renamed(self):
        text = "a[^2] b[^2021] c[^1]\n\n[^1]: x\n[^2]: y\n[^2021]: z\n"
        (problem,) = problems("FN005", text)
        assert "[^2] is cited 1st" in problem.message and problem.fix is None

    def test_small_numbers_beyond_the_count_still_number(self):
        text = "a[^1] b[^5]\n\n[^1]: x\n[^5]: y\n"  # 5 <= 2 labels + 3
        assert where("FN005", text) == [(1, 8)]

    def test_in_order_is_fine(self):
        assert where("FN005", "a[^1] b[^2] a[^1] c[^3]\n\n[^1]: x\n[^2]: y\n[^3]: z\n") == []

    def test_reported_once_at_the_first_reference_out_of_order(self):
        text = "先提到甲[^2]，再提到乙[^1]，又提到丙[^3][^5]。\n\n[^1]: 乙\n[^2]: 甲\n[^3]: 丙\n[^5]: 丁\n"
        (problem,) = problems("FN005", text)
        assert (problem.line, problem.column) == (1, 5)
        assert problem.message == (
            "footnotes are not numbered in order of first reference: [^2] is cited 1st (expected [^1])"
        )

    def test_a_gap_in_the_numbers(self):
        (problem,) = problems("FN005", "a[^1] b[^3]\n\n[^1]: x\n[^3]: y\n")
        assert problem.message.endswith("[^3] is cited 2nd (expected [^2])")
        assert (problem.line, problem.column) == (1, 8)

    def test_non_numeric_labels_are_not_counted(self):
        assert where("FN005", "a[^note] b[^1] c[^2]\n\n[^note]: n\n[^1]: x\n[^2]: y\n") == []

    def test_fix_renumbers_references_and_definitions(self):
        text = (
            "---\ntitle: t\n---\n"
            "先提到甲[^3]，再提到乙[^1]，再提甲[^3]。\n\n"
            "[^1]: 乙的来源，见[^2]。\n"
            "[^2]: 丁的来源\n"
            "[^3]: 甲的来源\n"
        )
        doc = doc_of(text)
        (problem,) = problems("FN005", doc)
        assert problem.fix is not None and all_rules()["FN005"].fixable
        fixed = apply(doc.text, problem.fix)
        assert fixed == (
            "---\ntitle: t\n---\n"
            "先提到甲[^1]，再提到乙[^2]，再提甲[^1]。\n\n"
            "[^2]: 乙的来源，见[^3]。\n"
            "[^3]: 丁的来源\n"
            "[^1]: 甲的来源\n"
        )
        assert problems("FN005", doc_of(fixed)) == []  # applying again changes nothing
        for code in ("FN001", "FN002", "FN003"):
            assert problems(code, doc_of(fixed)) == []

    @pytest.mark.parametrize(
        "text",
        [
            "a[^2] b[^note]\n\n[^2]: x\n[^note]: y\n",  # a non-numeric label
            "a[^2] b[^1]\n\n[^1]: x\n[^2]: y\n[^2]: z\n",  # a duplicate definition
            "a[^2] b[^1]\n\n[^1]: x\n",  # an undefined reference
            "a[^2] b[^1]\n\n[^1]: x\n[^2]: y\n[^3]: unused\n",  # an unused definition
        ],
    )
    def test_no_fix_when_the_renumbering_is_ambiguous(self, text):
        (problem,) = problems("FN005", text)
        assert problem.fix is None


# --- the index -------------------------------------------------------------------------------


class TestIndex:
    def test_index_is_computed_once_and_cached(self):
        doc = doc_of("a[^1]\n\n[^1]: x\n")
        first = footnotes.index(doc)
        assert doc.cache[footnotes.CACHE_KEY] is first
        assert footnotes.index(doc) is first

    def test_definitions_helper_shape(self):
        text = (
            "---\nt: 1\n---\nText[^Src].\n\n"
            "[^Src]: 作者。[标题](https://e.com/p)。\n    续行 https://e.com/q\n\n"
            "[^2]: y\n"
        )
        doc = doc_of(text)
        first, second = footnotes.definitions(doc)
        assert (first.label, first.key, first.line, first.column, first.end_line) == ("Src", "src", 6, 1, 7)
        assert doc.text[first.offset : first.content_start] == "[^Src]:"
        assert (
            doc.text[first.content_start : first.end]
            == " 作者。[标题](https://e.com/p)。\n    续行 https://e.com/q"
        )
        assert doc.text[second.content_start : second.end] == " y"

    def test_undefined_references_are_marked(self):
        fn = footnotes.index(doc_of("a[^1] b[^2]\n\n[^1]: x\n"))
        assert [(r.label, r.defined) for r in fn.references] == [("1", True), ("2", False)]

    def test_leading_lines_of_unicode_spaces(self):
        # str.strip() drops the whole first line of U+3000 from the paragraph's content
        assert where("FN001", "\u3000\n[^1]\n") == [(2, 1)]
        assert where("FN001", "text\n\u3000\u3000[^1]\n") == [(2, 3)]


# --- property tests: positions point at the source --------------------------------------

_LABELS = st.sampled_from(["1", "2", "3", "10", "a", "B", "note", "Note", "a+b", "x_y", "注"])
_FRAGMENTS = st.one_of(
    st.sampled_from(
        [
            "word",
            "text more",
            "中文文本",
            "，",
            "。",
            "（注）",
            " ",
            "\u3000",
            "*",
            "**",
            "_",
            "~~",
            "(",
            ")",
            ":",
            "]",
            "[",
            "!",
            "^",
            "#",
            "-",
            "1.",
            "=",
            ">",
            "]:",
            "](",
            "[x]",
            "https://e.com/p",
            "[t](https://e.com/a)",
            '[t](u "ti")',
            "`",
            "\\",
            "&amp;",
            "<",
            "|",
            "\t",
            "<!--",
            "<!-- corpuslint-disable FN001 -->",
            "-->",
            "<b>",
            "~~~",
        ]
    ),
    _LABELS.map(lambda label: f"[^{label}]"),
    _LABELS.map(lambda label: f"![im [^{label}]](i.png)"),
    _LABELS.map(lambda label: f"[link [^{label}]](https://e.com)"),
    _LABELS.map(lambda label: f"`[^{label}]`"),
    _LABELS.map(lambda label: f"\\[^{label}]"),
    _LABELS.map(lambda label: f"<!-- [^{label}] -->"),
    _LABELS.map(lambda label: f"[^{label}](https://e.com)"),
    _LABELS.map(lambda label: f"[t](https://e.com/[^{label}])"),
    _LABELS.map(lambda label: f"[^{label} x]"),
    _LABELS.map(lambda label: f"[^{label}"),
)
_PREFIXES = st.sampled_from(
    [
        "",
        "",
        "",
        "",
        " ",
        "  ",
        "   ",
        "    ",
        "- ",
        "* ",
        "1. ",
        "2) ",
        "> ",
        "> > ",
        "- > ",
        "# ",
        "## ",
        "\t",
        "  - ",
        "| ",
        "[^1]: ",
        "[^a]: ",
        "[^B]:",
        "[^2]:    ",
        "[^3]: - ",
        "[^3]: 2. ",
        "[^1]: # ",
        "[^x]:[^y]: ",
        " [^1]: ",
        "    [^2]: ",
        "[^note]: ",
    ]
)
_LINES = st.one_of(
    st.builds(lambda prefix, parts: prefix + "".join(parts), _PREFIXES, st.lists(_FRAGMENTS, max_size=6)),
    st.sampled_from(
        [
            "",
            "",
            "",
            " ",
            "```",
            "~~~",
            "---",
            "***",
            "===",
            "| a | b |",
            "|---|---|",
            "<div>",
            "</div>",
            "[r]: https://e.com",
            "<!-- c -->",
            "<!-- corpuslint-disable-next-line FN002 -->",
            "  <!-- x --> after",
            "<!-- [^1] -->",
            "    code [^1]",
            "[^1]:",
            "\u3000",
            "- ",
            "1.",
        ]
    ),
)
_BODIES = st.lists(_LINES, max_size=12).map("\n".join)


@settings(max_examples=800, deadline=None, suppress_health_check=list(HealthCheck))
@given(_BODIES)
def test_positions_point_at_the_source(body):
    doc = doc_of("---\nt: 1\n---\n" + body)
    fn = footnotes.index(doc)
    for ref in fn.references:
        assert doc.text[ref.offset : ref.offset + 2] == "[^" and doc.text[ref.end - 1] == "]"
        assert doc.position(ref.offset) == (ref.line, ref.column)
    for definition in fn.definitions:
        assert doc.text[definition.offset : definition.offset + 2] == "[^"
        assert doc.text[definition.content_start - 2 : definition.content_start] == "]:"
        assert definition.content_start <= definition.end


# --- container dialects ------------------------------------------------------------------------

ADMONITION = '正文[^1]。\n\n!!! note "注意"\n    提示[^2]。\n\n[^1]: a\n[^2]: b\n'


def dialect_problems(code: str, text: str, dialects: list[str]) -> list:
    rule = all_rules()[code]
    return list(rule.check(doc_of(text), RuleContext(options={"container_dialects": dialects})))


def test_admonition_content_is_code_by_default():
    # GitHub shows the indented body as code... unless it continues the header's paragraph
    text = "正文[^1]。\n\n!!! note\n\n    提示[^2]。\n\n[^1]: a\n[^2]: b\n"
    assert [p.line for p in dialect_problems("FN002", text, [])] == [8]


def test_mkdocs_dialect_reads_admonition_content_as_markdown():
    text = "正文[^1]。\n\n!!! note\n\n    提示[^2]。\n\n[^1]: a\n[^2]: b\n"
    assert dialect_problems("FN002", text, ["mkdocs"]) == []
    assert dialect_problems("FN001", ADMONITION, ["mkdocs"]) == []


def test_dialects_rewrite_one_character_for_one():
    from corpuslint.markdown.dialects import apply

    text = "::: warning\n提示[^2]。\n:::\n!!! note\n    a\n\n    b\nc\n"
    assert apply(text, ["colon"]) == "           \n提示[^2]。\n   \n!!! note\n    a\n\n    b\nc\n"
    assert apply(text, ["mkdocs"]) == "::: warning\n提示[^2]。\n:::\n        \n>   a\n\n>   b\nc\n"


def test_dialects_keep_positions():
    text = "!!! tip\n    提示[^9]。\n"
    (problem,) = dialect_problems("FN001", text, ["mkdocs"])
    assert (problem.line, problem.column) == (2, 7)
