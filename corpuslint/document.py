"""Document: the only place that reads a file. One read, one decode, one split, one parse."""

from __future__ import annotations

import os
import stat
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from corpuslint import front_matter as fm_module
from corpuslint.front_matter import FrontMatter
from corpuslint.lines import line_starts

if TYPE_CHECKING:
    from corpuslint.markdown import Parsed

MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass
class ReadProblem:
    """Why a file could not be linted (reported as IO001/IO002)."""

    code: str
    line: int
    column: int
    message: str


@dataclass
class Document:
    path: str  # as shown to the user
    text: str  # decoded, BOM removed, newlines normalised to "\n"
    newline: str = "\n"
    bom: bool = False
    body_offset: int = 0  # character offset of the body in `text`
    read_problem: ReadProblem | None = None
    cache: dict[str, Any] = field(default_factory=dict)  # analyses shared by rules of one family
    yaml_version: str = fm_module.DEFAULT_YAML_VERSION  # what YAML front matter is read with
    _front_matter: FrontMatter | None = field(default=None, repr=False)
    _unread: FrontMatter | None = field(default=None, repr=False)  # split off, not parsed yet

    @property
    def front_matter(self) -> FrontMatter | None:
        """The front matter, parsed when first asked for (a run without FM rules never pays for
        YAML: link checks, typography alone)."""
        unread = self._unread
        if unread is not None:
            self._unread = None
            self._front_matter = fm_module.load(unread, self.yaml_version)
        return self._front_matter

    @front_matter.setter
    def front_matter(self, value: FrontMatter | None) -> None:
        self._unread = None
        self._front_matter = value

    @classmethod
    def from_bytes(cls, path: str, data: bytes, yaml_version: str | None = None) -> Document:
        bom = data.startswith(b"\xef\xbb\xbf")
        if bom:
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            line_start = data.rfind(b"\n", 0, exc.start) + 1
            column = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
            problem = ReadProblem(
                "IO001",
                line,
                column,
                f"file is not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} "
                f"({exc.reason}); the file was not linted",
            )
            return cls(path, "", bom=bom, read_problem=problem)
        newline = "\r\n" if "\r\n" in text else "\n"
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        doc = cls(path, text, newline=newline, bom=bom)
        if yaml_version is not None:
            doc.yaml_version = yaml_version
        doc._unread, doc.body_offset = fm_module.split(text)
        return doc

    @classmethod
    def read(cls, path: str, display: str | None = None, yaml_version: str | None = None) -> Document:
        shown = display or path
        data = read_bytes(path)
        if isinstance(data, ReadProblem):
            return cls(shown, "", read_problem=data)
        return cls.from_bytes(shown, data, yaml_version)

    # --- text geometry ------------------------------------------------------------------------

    @cached_property
    def line_starts(self) -> list[int]:
        return line_starts(self.text)

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def offset(self, line: int, column: int) -> int:
        return self.line_starts[line - 1] + column - 1

    # --- body ---------------------------------------------------------------------------------

    @property
    def body(self) -> str:
        return self.text[self.body_offset :]

    @cached_property
    def body_line(self) -> int:
        """0-based number of lines before the body: add it to a token's map to get a file line."""
        return self.text.count("\n", 0, self.body_offset)

    @cached_property
    def markdown(self) -> Parsed:
        """The one parse of the body (corpuslint.markdown), offsets into `text`."""
        from corpuslint.markdown import parse

        return parse(self)


def read_bytes(path: str, limit: int | None = None) -> bytes | ReadProblem:
    """The bytes of the regular file at `path` (a symlink to one is fine), at most `limit`.

    Anything else (a FIFO, a device, a socket, a directory, or a symlink to one) is an IO002
    problem found before the file is opened, so it can neither block nor read without end
    (a `*.md` link to /dev/zero). The file is opened non-blocking and checked again through its
    descriptor (it may have been swapped since), and the limit counts the bytes actually read,
    not the size the file system reports (0 for /dev/zero and /proc files).
    """
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return _not_regular(path)
        descriptor = os.open(path, _READ_FLAGS)
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                return _not_regular(path)
            if info.st_size > limit:
                return _too_large(f"{info.st_size / 1048576:.1f} MiB", limit)
            data = _read_at_most(descriptor, info.st_size, limit + 1)
        finally:
            os.close(descriptor)
    except OSError as exc:
        return ReadProblem("IO002", 1, 1, f"cannot read file: {exc.strerror or exc}")
    if len(data) > limit:  # the file system said less (/proc), or it grew meanwhile
        return _too_large(f"more than {limit:,} bytes", limit)
    return data


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_READ_MORE = 64 * 1024  # bytes asked for past the reported size (a /proc file reports 0)


def _read_at_most(descriptor: int, size: int, most: int) -> bytes:
    """Up to `most` bytes of the file, until its end. The first read asks for the reported size
    and one byte more (os.read allocates what it is asked for: asking for the limit, 10 MiB,
    cost a large allocation per file); then in 64 KiB steps until the end or `most`."""
    chunks = [os.read(descriptor, min(size + 1, most))]
    total = len(chunks[0])
    while total < most:
        chunk = os.read(descriptor, min(_READ_MORE, most - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _too_large(size: str, limit: int) -> ReadProblem:
    message = f"file is {size}, over the {limit / 1048576:g} MiB limit; it was not linted"
    return ReadProblem("IO002", 1, 1, message)


def _not_regular(path: str) -> ReadProblem:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = 0
    kind = next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")
    return ReadProblem("IO002", 1, 1, f"not a regular file ({kind}); it was not read")


_FILE_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)
