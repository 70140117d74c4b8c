"""IO rules: files that could not be read or decoded. Reported by the runner, documented here."""

from corpuslint.registry import rule


@rule("IO001", "invalid-utf8", phase="runner")
def invalid_utf8() -> None:
    """File is not valid UTF-8.

    ## What it does
    Reports a file whose bytes do not decode as UTF-8, with the byte offset of the first bad byte.
    The file is not linted further.

    ## Why is this bad?
    Static site generators, git diffs and every other tool in the chain expect UTF-8. A file saved
    in GBK, Big5 or Latin-1 renders as mojibake, and no other check can run on it.

    ## Example
    A file saved by an editor set to GB18030:
    ```
    corpuslint check news.md
    news.md:3:7: IO001 file is not valid UTF-8: byte 0xc4 at offset 41 (invalid continuation byte)
    ```
    Re-save it as UTF-8 (`iconv -f GB18030 -t UTF-8`).
    """


@rule("IO002", "unreadable-file", phase="runner")
def unreadable_file() -> None:
    """File could not be read, or is too large to lint.

    ## What it does
    Reports a file that cannot be opened (permissions, a dangling link) or that is larger than
    the 10 MiB limit for one article.

    ## Why is this bad?
    A file that is not read is not checked; saying so is better than a silent pass.

    ## Example
    ```
    big.md:1:1: IO002 file is 52.0 MiB, over the 10 MiB limit; it was not linted
    ```
    """


@rule("IO003", "internal-error", phase="runner")
def internal_error() -> None:
    """corpuslint failed on this file; the other files were linted.

    ## What it does
    Reports a file on which corpuslint itself raised an unexpected error, with the error's
    text (no traceback). The file is not linted; the run goes on with the other files and
    exits 1, as for any error.

    ## Why is this bad?
    It is a bug in corpuslint, not in the file, but the file was not checked. Saying so for
    that file is better than stopping the whole run or passing it silently.

    ## Example
    ```
    odd.md:1:1: IO003 internal error, this file was not linted: MemoryError (please report it)
    ```
    Report it with the file (or a file that shows the same error) attached.
    """
