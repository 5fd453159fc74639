"""Signal text split by chromosome into byte ranges, for loads whose chromosomes are loaded by
different processes (each reading only its own chromosome's lines of every input).

:func:`split_signal` finds, in one pass that reads no numbers (``kernels.split``), the byte
ranges of each chromosome's lines -- any number of ranges per chromosome, so inputs need not
be sorted -- with the number of the first line of each, so that a malformed line found while
parsing a range is still reported as ``FILE:LINE: message`` of the whole input.
:class:`RangeSource` is a source (as in ``sources``) over some chromosomes' ranges of one file:
it parses a range when it fills its chromosome.

Gzip and standard input are first copied (decompressed) into a named spool file which every
process can read by its name (:func:`spool_named`): decompressing is done once, and gzip has no
random access.
"""

from __future__ import annotations

import mmap
import os
import sys

import numpy as np

from .._progress import NullTask
from .._sniff import sniff
from .._threads import default_threads
from ..errors import InputError
from .buffers import (SIGNAL, SPOOL_BLOCK, _Joined, check_text, describe, gzip_error,
                      input_kind)
from .signal import parse_signal


class SignalRanges:
    """Where each chromosome's lines are in one text input: ``ranges[chrom]`` is an int64
    ``(k, 3)`` array of ``(start, end, first line)`` in file order, ``lines[chrom]`` its
    number of data lines.  Small and picklable."""

    def __init__(self, name, path, ranges, lines):
        self.name = name        # the input as the user gave it (in messages)
        self.path = path        # the file to read (the spool file of gzip input)
        self.ranges = ranges
        self.lines = lines
        self.nbytes = os.path.getsize(path)

    def with_data(self) -> dict:
        """{chromosome with data lines: their number}, in input order."""
        return {chrom: n for chrom, n in self.lines.items() if n}

    def subset(self, chroms) -> "SignalRanges":
        """The ranges of ``chroms`` only (what one task needs)."""
        return SignalRanges(self.name, self.path, {c: self.ranges[c] for c in chroms},
                            {c: self.lines[c] for c in chroms})


def _map(path):
    handle = open(path, "rb")
    size = os.fstat(handle.fileno()).st_size
    if size == 0:
        handle.close()
        return np.zeros(0, dtype=np.uint8), lambda: None
    mapped = mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_READ)

    def close():
        try:
            mapped.close()
        except BufferError:
            pass
        handle.close()
    return np.frombuffer(mapped, dtype=np.uint8), close


def split_signal(path, name) -> SignalRanges:
    """The per-chromosome ranges of the plain text file ``path`` (``name``: the input as the
    user gave it).  A malformed WIG header or chromosome name is reported here (the input is
    then parsed whole for the usual message); malformed data lines are found by the tasks."""
    from ..kernels.parse import OK
    from ..kernels.split import (RANGE_CHROM_LEN, RANGE_CHROM_OFF, RANGE_END, RANGE_LINE,
                                 RANGE_NLINES, RANGE_START, chromosome_ranges)
    arr, close = _map(path)
    try:
        status, _, table = chromosome_ranges(arr)
        names = [bytes(arr[off:off + length]) for off, length in
                 table[:, [RANGE_CHROM_OFF, RANGE_CHROM_LEN]].tolist()]
        if status != OK or not all(raw.isascii() for raw in names):
            parse_signal(arr, name)      # raises the error, located
            raise AssertionError(f"{name}: the chromosome ranges and the parser disagree")
        ranges, lines = {}, {}
        columns = table[:, [RANGE_START, RANGE_END, RANGE_LINE]]
        for index, raw in enumerate(names):
            chrom = raw.decode("ascii")
            ranges.setdefault(chrom, []).append(index)
            lines[chrom] = lines.get(chrom, 0) + int(table[index, RANGE_NLINES])
        ranges = {chrom: columns[rows] for chrom, rows in ranges.items()}
        del columns, table
    finally:
        del arr
        close()
    return SignalRanges(name, path, ranges, lines)


def spool_named(path, target, task=None) -> None:
    """Copy the gzip file or standard input (``path`` None or "-") ``path``, decompressed, to
    the new file ``target``."""
    from isal import igzip
    task = task or NullTask()
    kind = input_kind(path)
    name = describe(path)
    with open(target, "xb") as out:
        if kind == "stdin":
            stream = sys.stdin.buffer
            head = stream.read(8)
            if sniff(head) == "gzip":
                source, compressed = igzip.IGzipFile(fileobj=_Joined(head, stream),
                                                     mode="rb"), True
            else:
                check_text(sniff(head), name, SIGNAL)
                out.write(head)
                source, compressed = stream, False
        else:
            source, compressed = igzip.open(path, "rb"), True
        try:
            while True:
                block = source.read(SPOOL_BLOCK)
                if not block:
                    break
                out.write(block)
                task.advance(len(block))
        except (OSError, EOFError) as exc:
            if compressed:
                raise gzip_error(name, exc) from None
            raise
        finally:
            if compressed:
                source.close()


class RangeSource:
    """A source over some chromosomes' ranges of one text file (see :class:`SignalRanges`),
    for ``ops/_track.py``: each range is parsed when its chromosome is filled."""

    def __init__(self, ranges: SignalRanges):
        self.name = ranges.name
        self.ranges = ranges
        self.nbytes = ranges.nbytes
        self.seconds = 0.0
        self._arr, self._close = _map(ranges.path)

    def with_data(self) -> dict:
        return self.ranges.with_data()

    def _parse(self, start, end, line):
        try:
            return parse_signal(self._arr[start:end], self.name, threads=1)
        except InputError as exc:
            raise InputError(exc.filename, exc.line + line - 1, exc.message) from None

    def check(self, chrom) -> None:
        """Parse ``chrom``'s ranges, only to find a malformed line."""
        for start, end, line in self.ranges.ranges[chrom].tolist():
            self._parse(start, end, line)

    def fill(self, chrom, buffer, progress=None):
        """Parse ``chrom``'s ranges in file order into ``buffer``; a malformed line is an
        ``InputError`` at its line of the whole input."""
        rows = self.ranges.ranges[chrom].tolist()
        values = past_end = 0
        for start, end, line in rows:
            parsed = self._parse(start, end, line)
            if chrom not in parsed.chromosomes():
                continue
            counters = parsed.fill_chromosome(chrom, buffer,
                                              progress if len(rows) == 1 else None,
                                              threads=min(2, default_threads()))
            values += int(counters[0])
            past_end += int(counters[2])
        if progress is not None and len(rows) != 1:
            progress(len(buffer))
        return values, past_end

    def close(self):
        self._arr = None
        self._close()
