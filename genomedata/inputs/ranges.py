"""Signal text split by chromosome into byte ranges, for loads whose chromosomes are loaded by
different processes (each reading only its own chromosome's lines of every input).

:func:`split_signal` finds, in one pass that reads no numbers (``kernels.parse.chromosome_ranges``), the byte
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
from .buffers import (SIGNAL, _Joined, check_text, copy_blocks, describe, gzip_error,
                      input_kind)
from .signal import _names_at, parse_signal


class SignalRanges:
    """Where each chromosome's lines are in one text input: ``ranges[chrom]`` is an int64
    ``(k, 4)`` array of ``(start, end, first line, number of lines)`` in file order, ``lines[chrom]`` its
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

    def check_except(self, chromosomes) -> None:
        """Check the lines of every chromosome with data but ``chromosomes`` (the tasks that
        load those check them); raise ``InputError`` on a malformed line."""
        others = [chrom for chrom in self.with_data() if chrom not in chromosomes]
        if not others:
            return
        source = RangeSource(self.subset(others))
        try:
            for chrom in others:
                source.check(chrom)
        finally:
            source.close()

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
    from ..kernels.parse import (OK, RANGE_CHROM_LEN, RANGE_CHROM_OFF, RANGE_END, RANGE_LINE,
                                 RANGE_NLINES, RANGE_START, chromosome_ranges)
    arr, close = _map(path)
    try:
        status, _, table = chromosome_ranges(arr)
        names = _names_at(arr, table[:, [RANGE_CHROM_OFF, RANGE_CHROM_LEN]])
        if status != OK or any(isinstance(raw, bytes) for raw in set(names)):
            parse_signal(arr, name)      # raises the error, located
            raise AssertionError(f"{name}: the chromosome ranges and the parser disagree")
        # lines of each range: up to the next range's first line (the last: to the end)
        nlines = np.diff(table[:, RANGE_LINE], append=0)
        if len(table):
            last = arr[table[-1, RANGE_START]:]
            nlines[-1] = int(np.count_nonzero(last == 10)) + int(len(last) > 0
                                                                 and last[-1] != 10)
        columns = np.column_stack([table[:, [RANGE_START, RANGE_END, RANGE_LINE]], nlines])
        # ranges grouped by name, names in order of first appearance (no loop over ranges:
        # an unsorted input may have a range per line)
        unique, first, inverse = np.unique(np.array(names, dtype=object), return_index=True,
                                           return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(len(unique) + 1))
        counts = np.bincount(inverse, weights=table[:, RANGE_NLINES], minlength=len(unique))
        ranges, lines = {}, {}
        for k in np.argsort(first).tolist():
            ranges[unique[k]] = columns[order[bounds[k]:bounds[k + 1]]]
            lines[unique[k]] = int(counts[k])
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
            copy_blocks(source, out, task)
        except (OSError, EOFError) as exc:
            if compressed:
                raise gzip_error(name, exc) from None
            raise
        finally:
            if compressed:
                source.close()


_TRACK_LINE = np.frombuffer(b"track\n", dtype=np.uint8)
_NEWLINE = np.frombuffer(b"\n", dtype=np.uint8)


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

    def _parsed(self, chrom):
        """``chrom``'s ranges parsed as one text, in file order: each range after a ``track``
        line, which ends any WIG block as the line before the range did (a range starts with
        a WIG header or a bedGraph line), so the values are those of the whole input; a
        malformed line is an ``InputError`` at its line of the whole input."""
        rows = self.ranges.ranges[chrom]
        if len(rows) == 1:
            start, end, first, _ = rows[0].tolist()
            text, joined, firsts = self._arr[start:end], [1], [first]
        else:
            pieces = []
            for start, end in rows[:, :2].tolist():
                pieces += [_TRACK_LINE, self._arr[start:end]]
            if rows[-1, 1] == len(self._arr) and self._arr[-1] != 10:
                pieces.append(_NEWLINE)    # the input's last line, without its newline
            text = np.concatenate(pieces)
            # each range's first line in the joined text (after its track line)
            joined = (np.cumsum(1 + rows[:, 3]) - rows[:, 3] + 1).tolist()
            firsts = rows[:, 2].tolist()
        try:
            return parse_signal(text, self.name, threads=1)
        except InputError as exc:
            import bisect
            index = max(0, bisect.bisect_right(joined, exc.line) - 1)
            raise InputError(exc.filename, firsts[index] + exc.line - joined[index],
                             exc.message) from None

    def check(self, chrom) -> None:
        """Parse ``chrom``'s ranges, only to find a malformed line."""
        self._parsed(chrom)

    def fill(self, chrom, buffer, progress=None):
        """Parse ``chrom``'s ranges in file order into ``buffer``; a malformed line is an
        ``InputError`` at its line of the whole input."""
        parsed = self._parsed(chrom)
        if chrom not in parsed.chromosomes():
            if progress is not None:
                progress(len(buffer))
            return 0, 0
        counters = parsed.fill_chromosome(chrom, buffer, progress,
                                          threads=min(2, default_threads()))
        return int(counters[0]), int(counters[2])

    def close(self):
        self._arr = None
        self._close()
