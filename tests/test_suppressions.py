"""Inline suppression comments, as markdownlint has them."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from corpuslint.diagnostics import Diagnostic, Severity
from corpuslint.suppressions import parse


def diag(line: int, code: str) -> Diagnostic:
    return Diagnostic("a.md", line, 1, code, Severity.ERROR, "m")


def test_no_directive_means_nothing_to_parse():
    assert parse("plain text\n") is None


def test_disable_until_enable_for_named_codes():
    s = parse("a\n<!-- corpuslint-disable FN001 -->\nb\n<!-- corpuslint-enable FN001 -->\nc\n")
    assert not s.suppresses(diag(1, "FN001"))
    assert s.suppresses(diag(3, "FN001"))
    assert not s.suppresses(diag(3, "FN002"))
    assert not s.suppresses(diag(5, "FN001"))


def test_disable_without_codes_disables_everything():
    s = parse("<!-- corpuslint-disable -->\nx\n")
    assert s.suppresses(diag(2, "LK001")) and s.suppresses(diag(2, "FM005"))


def test_prefixes_and_commas():
    s = parse("<!-- corpuslint-disable FN, fm005 -->\nx\n")
    assert s.suppresses(diag(2, "FN004")) and s.suppresses(diag(2, "FM005"))
    assert not s.suppresses(diag(2, "FM003"))


def test_disable_next_line_and_disable_line():
    s = parse(
        "<!-- corpuslint-disable-next-line FN001 -->\nx[^9]\ny[^9] <!-- corpuslint-disable-line -->\nz\n"
    )
    assert s.suppresses(diag(2, "FN001"))
    assert s.suppresses(diag(3, "FN001"))
    assert not s.suppresses(diag(4, "FN001"))


def test_disable_file():
    s = parse("a\nb\n<!-- corpuslint-disable-file FN002 -->\n")
    assert s.suppresses(diag(1, "FN002")) and not s.suppresses(diag(1, "FN001"))


def test_directives_inside_fenced_code_are_examples_not_directives():
    s = parse("```md\n<!-- corpuslint-disable -->\n```\nx\n")
    assert not s.suppresses(diag(4, "FN001"))


def test_through_the_cli(corpus, cli):
    root = corpus(
        {
            "a.md": """
            Cited[^1] here.
            <!-- corpuslint-disable-next-line FN001 -->
            Cited again[^2].

            [^1]: A source, https://example.org/a
            """,
        }
    )
    result = cli("check", "--no-links", "--select", "FN001", "--output-format", "json", str(root))
    assert result.code == 0, result.out
    assert result.json == []


def test_enable_one_code_inside_a_disable_all():
    s = parse(
        "<!-- corpuslint-disable -->\n<!-- corpuslint-enable FN001 -->\nx\n<!-- corpuslint-enable -->\ny\n"
    )
    assert not s.suppresses(diag(3, "FN001"))
    assert s.suppresses(diag(3, "FN002"))
    assert not s.suppresses(diag(5, "FN002"))


# --- the linear parse against the per-line snapshot model it replaced --------------------------

_MODEL_DIRECTIVE = re.compile(
    r"<!--\s*corpuslint-(disable-next-line|disable-line|disable-file|disable|enable)\b([^>]*?)-->"
)


def _model(text: str):
    """The quadratic model: every line's full state as (disabled, enabled) sets."""

    def codes(raw: str) -> frozenset[str]:
        found = frozenset(c.upper() for c in re.split(r"[\s,]+", raw.strip()) if c)
        return found or frozenset({"*"})

    def disable(state, new):
        return (state[0] | new, state[1] - new)

    def enable(state, new):
        if "*" in new:
            return (frozenset(), frozenset())
        rest = state[0] - new
        return (rest, state[1] | (new if rest else frozenset()))

    lines, whole, active, extra, fence = {}, frozenset(), (frozenset(), frozenset()), {}, None
    for number, line in enumerate(text.split("\n"), start=1):
        marker = re.match(r"^ {0,3}(`{3,}|~{3,})", line)
        if marker or fence is not None:
            if marker:
                if fence is None:
                    fence = marker.group(1)
                elif marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                    fence = None if not line.strip()[len(marker.group(1)) :] else fence
            lines[number] = active
            continue
        state = active
        for match in _MODEL_DIRECTIVE.finditer(line):
            kind, found = match.group(1), codes(match.group(2))
            if kind == "disable":
                active, state = disable(active, found), disable(state, found)
            elif kind == "enable":
                active = enable(active, found)
            elif kind == "disable-line":
                state = disable(state, found)
            elif kind == "disable-next-line":
                extra[number + 1] = extra.get(number + 1, frozenset()) | found
            else:
                whole |= found
        if number in extra:
            state = disable(state, extra.pop(number))
        lines[number] = state

    def suppressed(code: str, number: int) -> bool:
        disabled, enabled = lines.get(number, (frozenset(), frozenset()))
        covers = "*" in disabled or any(code.startswith(p) for p in disabled)
        return (
            "*" in whole
            or any(code.startswith(p) for p in whole)
            or (covers and not any(code.startswith(p) for p in enabled))
        )

    return suppressed, len(lines)


_KINDS = ["disable", "enable", "disable-line", "disable-next-line", "disable-file"]
_CODES = ["", "FN", "FN001", "fn002", "FM005", "FN001, FM", "LK001 FN"]
_LINE = st.one_of(
    st.sampled_from(["text", "```", "~~~", "    ```", "x > y"]),
    st.lists(
        st.tuples(st.sampled_from(_KINDS), st.sampled_from(_CODES), st.sampled_from(["", " ", " > "])),
        min_size=1,
        max_size=3,
    ).map(lambda parts: " ".join(f"<!-- corpuslint-{k} {c} -->{gap}" for k, c, gap in parts)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINE, min_size=1, max_size=10))
def test_parse_answers_as_the_per_line_snapshot_model(lines):
    text = "\n".join(lines)
    parsed = parse(text)
    suppressed, count = _model(text)
    for number in range(1, count + 1):
        for code in ("FN001", "FN002", "FM005", "FM003", "LK001"):
            expected = suppressed(code, number) if parsed is not None else False
            assert parsed is None or parsed.suppresses(diag(number, code)) == expected, (text, number, code)
