"""Container dialects: admonition syntaxes that CommonMark (and GitHub) read as code or text.

`apply(text, dialects)` rewrites them so their content parses as Markdown, one character for one
(every offset still points at the same character of the file):

* "mkdocs": mkdocs-Material / Python-Markdown admonitions, `!!! note`, `??? note`, `???+ note`
  (optionally with a quoted title), whose body is indented by four spaces. The header line
  becomes blank; in each body line the four spaces of the admonition's indentation become a
  block-quote marker `>   `, so the body is an ordinary Markdown container (a blank line in the
  body starts a new quote, as it separates paragraphs).
* "colon": `:::` fences (Pandoc, Docusaurus, markdown-it-container): the fence lines become blank,
  so the content between them, already at the margin, starts and ends its own blocks.

Off by default: on GitHub these blocks render as code (mkdocs) or as text (`:::`).
"""

from __future__ import annotations

import re

DIALECTS = ("mkdocs", "colon")
_ADMONITION = re.compile(r"^( *)(?:!!!|\?\?\?\+?)[ \t]+[\w-]+(?:[ \t]+\"[^\"\n]*\")?[ \t]*$", re.MULTILINE)
_COLON_FENCE = re.compile(r"^ {0,3}:{3,}[^\n]*$", re.MULTILINE)
_NOT_NEWLINE = re.compile(r"[^\n]")


def apply(text: str, dialects: tuple[str, ...] | list[str]) -> str:
    """`text` with the given dialects' containers made Markdown (same length)."""
    for dialect in dialects:
        if dialect == "mkdocs" and ("!!!" in text or "???" in text):
            text = _mkdocs(text)
        elif dialect == "colon" and ":::" in text:
            text = _COLON_FENCE.sub(lambda m: " " * len(m.group()), text)
    return text


def _mkdocs(text: str) -> str:
    chars = list(text)
    changed = False
    for match in _ADMONITION.finditer(text):
        indent = len(match.group(1))
        for i in range(match.start(), match.end()):
            chars[i] = " "
        position = match.end() + 1
        body = " " * (indent + 4)
        while position < len(text):
            stop = text.find("\n", position)
            stop = len(text) if stop < 0 else stop
            line = text[position:stop]
            if line.strip():
                if not line.startswith(body):
                    break
                chars[position + indent] = ">"  # the indentation's first column opens a quote
            elif not text.startswith(body, stop + 1):
                break  # a blank line followed by a line outside the body ends it
            position = stop + 1
            changed = True
    return "".join(chars) if changed else text


def validate(dialects: object) -> tuple[str, ...]:
    """The dialect names of an option value; unknown names are an error message's matter."""
    if not isinstance(dialects, (list, tuple)):
        raise ValueError("container_dialects must be a list of names")
    unknown = [d for d in dialects if d not in DIALECTS]
    if unknown:
        raise ValueError(f"unknown container dialect {unknown[0]!r} (known: {', '.join(DIALECTS)})")
    return tuple(dialects)
