"""Signal sources: a track input (text or bigWig) opened, read and checked, ready to fill one
chromosome's values at a time.

A text input (WIG, bedGraph, BED3+1; plain or gzip; a file or standard input) is read whole and
its structure checked by the parser (``signal``) when it is opened; its values are checked as
they are filled, so a malformed value stops a load part way (the caller undoes what was
written: a load is one transaction of the archive's journal); a bigWig file is read chromosome by chromosome while loading.  Both
answer the same questions: which chromosomes have data, and fill a float32 buffer with a
chromosome's values.
"""

from __future__ import annotations

import os
import time

import numpy as np

from .. import _progress
from .._jit import compile_seconds
from .._threads import default_threads
from .buffers import describe, input_kind, open_signal
from .bigwig import open_bigwig
from .signal import parse_signal

BIGWIG_BLOCK = 1 << 22


def stopwatch():
    """A function returning the seconds since this call, leaving out the time spent compiling
    kernels meanwhile (the first run after installing: see genomedata._jit)."""
    began, compiled = time.perf_counter(), compile_seconds()
    return lambda: (time.perf_counter() - began) - (compile_seconds() - compiled)


class TextSource:
    """A text input (bedGraph, WIG; gzip or not), read and checked when opened; ``seconds``
    that took (without compiling kernels)."""

    def __init__(self, path):
        elapsed = stopwatch()
        self.name = describe(path)
        with _progress.task(f"reading {os.path.basename(self.name)}", unit="bytes",
                            total=None if path in (None, "-") else os.path.getsize(path)) as task:
            self.buffer = open_signal(path, task)
        try:
            # the values are checked as they are filled (one pass over them)
            self.parsed = parse_signal(self.buffer.data, self.name,
                                       release=self.buffer.release, check=False)
        except BaseException:
            self.buffer.close()
            raise
        self.nbytes = self.buffer.nbytes
        self.seconds = elapsed()

    def chromosomes(self):
        return list(self.parsed.chromosomes())

    def with_data(self) -> dict:
        """{chromosome with data lines: their number}, in input order."""
        return {name: n for name, n in self.parsed.lines_by_chromosome().items() if n}

    def check_except(self, chromosomes) -> None:
        """Check the values of every chromosome with data but ``chromosomes`` (those are
        checked as they are filled); raise ``InputError`` on a malformed line."""
        self.parsed.check_chromosomes([name for name in self.with_data()
                                       if name not in chromosomes])

    def fill(self, chrom, buffer, progress=None):
        """Fill ``buffer`` with the values of ``chrom``, checking them: a malformed line
        raises ``InputError`` (the input's first one), possibly after part of the buffer
        was written and handed to ``progress``."""
        counters = self.parsed.fill_chromosome(chrom, buffer, progress,
                                               threads=min(2, default_threads()))
        return int(counters[0]), int(counters[2])

    def close(self):
        self.parsed = None
        self.buffer.close()


class BigWigSource:
    def __init__(self, path):
        self.name = os.fspath(path)
        self.nbytes = os.path.getsize(path)
        self.bw = open_bigwig(self.name)
        self.sizes = dict(self.bw.chroms())
        self.seconds = 0.0   # read while loading

    def chromosomes(self):
        return list(self.sizes)

    def with_data(self) -> dict:
        """{chromosome with data: None} (a bigWig file may list chromosomes it has no data
        on; its zoom levels tell cheaply which ones have some)."""
        found = {}
        for chrom, size in self.sizes.items():
            try:
                covered = self.bw.stats(chrom, 0, int(size), type="coverage")
            except RuntimeError:
                covered = None
            if covered and covered[0]:
                found[chrom] = None
        return found

    def check_except(self, chromosomes) -> None:
        """Nothing to check: a bigWig file's values are binary."""

    def fill(self, chrom, buffer, progress=None):
        """Copy the bigWig's values over the buffer where it has data (``progress`` is
        called with each position below which the buffer is final)."""
        size = int(self.sizes[chrom])
        limit = min(size, len(buffer))
        written = 0
        for lo in range(0, limit, BIGWIG_BLOCK):
            hi = min(limit, lo + BIGWIG_BLOCK)
            values = self.bw.values(chrom, lo, hi, numpy=True)
            has = ~np.isnan(values)
            np.copyto(buffer[lo:hi], values, where=has)
            written += int(np.count_nonzero(has))
            if progress is not None:
                progress(hi)
        dropped = 0
        if size > limit:
            for lo in range(limit, size, BIGWIG_BLOCK):
                values = self.bw.values(chrom, lo, min(size, lo + BIGWIG_BLOCK), numpy=True)
                dropped += int(np.count_nonzero(~np.isnan(values)))
        return written, dropped

    def close(self):
        self.bw.close()


def open_source(path):
    """The source of a track input file (None or "-": standard input), read and checked."""
    if input_kind(path) == "bigwig":
        return BigWigSource(path)
    return TextSource(path)
