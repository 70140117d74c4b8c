"""A run's diagnostics as compact records: one compressed `marshal` blob per file, decoded one
file at a time when a reporter iterates, with the counts reporters ask for kept on the side.

What a dense corpus costs: a Diagnostic with its Fix and Edit is ~500 bytes of Python objects;
a file's records (tuples of plain values, `diagnostics.record`) marshalled and compressed are
~20 bytes a finding. Workers pack their files' findings (`pack`), so the main process receives
one bytes object per file instead of unpickling objects per finding. marshal here only ever reads
bytes this process or its own workers wrote in this run, never the cache or any file.
"""

from __future__ import annotations

import marshal
import os
import zlib
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from corpuslint.diagnostics import SORT_KEY, Diagnostic, from_record, record

IN_MEMORY = 1024 * 1024  # bytes of packed findings kept in memory (~50,000 findings)
RUN_LEVEL_CODES = frozenset({"LK000"})  # as corpuslint.reporters.RUN_LEVEL_CODES (no import: cycle)


class Packed(NamedTuple):
    """One file's sorted diagnostics: the blob and what is known without decoding it."""

    blob: bytes
    count: int
    errors: int
    paths: tuple[str, ...]  # distinct paths
    listed: tuple[str, ...]  # distinct paths with a finding that is not run-level
    codes: tuple[str, ...]
    first: tuple  # sort keys of the first and last diagnostic
    last: tuple


def pack(diagnostics: list[Diagnostic]) -> Packed | None:
    """`diagnostics` (sorted, as a file's are) as one Packed; None for none."""
    if not diagnostics:
        return None
    return pack_records([record(d) for d in diagnostics])


def pack_records(records: list, payload: bytes | None = None) -> Packed | None:
    """Sorted records (`diagnostics.record`, or the same values as lists: a cached result's,
    checked by resultcodec) as one Packed; None for none. With `payload` (the cache row they were
    checked from, `j` or `z` first: a zlib stream of marshal starts with `x`), that is the blob."""
    if not records:
        return None
    errors = sum(1 for r in records if r[4] == 2)
    paths = tuple(dict.fromkeys(r[0] for r in records))
    listed = tuple(dict.fromkeys(r[0] for r in records if r[3] not in RUN_LEVEL_CODES))
    codes = tuple(dict.fromkeys(r[3] for r in records))
    blob = payload if payload is not None else zlib.compress(marshal.dumps(records), 1)
    return Packed(
        blob,
        len(records),
        errors,
        paths,
        listed,
        codes,
        SORT_KEY(records[0]),
        SORT_KEY(records[-1]),
    )


_PAYLOAD_KINDS = frozenset(b"jz")  # resultcodec.RAW, resultcodec.ZLIB


def _decoded(blob: bytes) -> list:
    if blob[0] in _PAYLOAD_KINDS:  # a checked cache row (pack_records)
        from corpuslint.resultcodec import diagnostics_of

        return diagnostics_of(blob)
    return marshal.loads(zlib.decompress(blob))


class DiagnosticStore:
    """A sequence of diagnostics in sort order, built file by file; iterable any number of times
    (each pass decodes again, holding one file's diagnostics at a time)."""

    def __init__(self, in_memory: int = IN_MEMORY) -> None:
        self._blobs: list[bytes] = []
        self._in_memory = 0  # bytes of `_blobs`
        self._limit = in_memory
        self._spill: Any = None  # a temporary file, once the blobs passed `in_memory` bytes
        self._spans: list[int] = []  # (offset, length) pairs of the blobs in `_spill`
        self._spilled = 0
        self._count = 0
        self.errors = 0
        self.paths: set[str] = set()
        self.listed: set[str] = set()  # paths with a finding that is not run-level
        self.codes: set[str] = set()
        self._last: tuple | None = None
        self.in_order = True  # False once a file's findings sort before the previous file's

    def add(self, packed: Packed | None) -> None:
        if packed is None:
            return
        if self._last is not None and packed.first < self._last:
            self.in_order = False
        self._last = packed.last
        self._keep(packed.blob)
        self._count += packed.count
        self.errors += packed.errors
        self.paths.update(packed.paths)
        self.listed.update(packed.listed)
        self.codes.update(packed.codes)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Add one file's diagnostics given as objects (a cached result)."""
        diagnostics = list(diagnostics)
        diagnostics.sort(key=SORT_KEY)
        self.add(pack(diagnostics))

    @property
    def warnings(self) -> int:
        return self._count - self.errors

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __iter__(self) -> Iterator[Diagnostic]:
        for records in self.records():
            yield from map(from_record, records)

    def records(self) -> Iterator[list[tuple]]:
        """The diagnostics as `diagnostics.record` tuples, one file's list at a time: what a
        reporter that formats plain values reads without building objects."""
        if self._spill is not None:
            fd = self._spill.fileno()
            spans = self._spans
            for index in range(0, len(spans), 2):
                yield _decoded(os.pread(fd, spans[index + 1], spans[index]))
        for blob in self._blobs:
            yield _decoded(blob)

    def _keep(self, blob: bytes) -> None:
        """Blobs stay in memory up to `in_memory` bytes (about 20 bytes a finding); beyond, they
        all go to an anonymous temporary file, so the main process stays the same size however
        many findings a run has (a million on 10,000 dense articles)."""
        if self._spill is None:
            self._blobs.append(blob)
            self._in_memory += len(blob)
            if self._in_memory <= self._limit:
                return
            import tempfile

            self._spill = tempfile.TemporaryFile(prefix="corpuslint-findings-")
            pending, self._blobs, self._in_memory = self._blobs, [], 0
        else:
            pending = [blob]
        for one in pending:
            self._spans.extend((self._spilled, len(one)))
            self._spill.write(one)
            self._spilled += len(one)
        self._spill.flush()
