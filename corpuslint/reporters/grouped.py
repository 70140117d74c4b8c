"""`grouped`: the file's path once, then its diagnostics indented below it (as ruff's `grouped`).

```
article.md:
  3:1 FM003 front matter: 'date' is a required property
  9:12 TY001 [*] half-width `,` between CJK characters
```
"""

from __future__ import annotations

from typing import IO

from corpuslint.reporters import Report, ReportOptions, printable, shown
from corpuslint.reporters.text import BOLD, Painter, fix_mark, write_footer, write_source, write_totals


def report(report: Report, stream: IO[str], options: ReportOptions) -> None:
    paint = Painter(options.color)
    listed, hidden = shown(report, options)
    lines = 0
    current = None
    for d in listed:
        if d.path != current:
            if current is not None:
                stream.write("\n")
                lines += 1
            current = d.path
            stream.write(paint(printable(d.path), BOLD) + ":\n")
            lines += 1
        stream.write(
            f"  {paint.location(d, path=False)} {paint.code(d)}{fix_mark(d)} {printable(d.message)}\n"
        )
        lines += 1
        if options.show_source:
            lines += write_source(stream, d, options, paint)
    if options.quiet:
        return
    if not report.diagnostics:
        write_totals(report, stream)
        return
    write_footer(report, stream, options, paint, lines, hidden)
