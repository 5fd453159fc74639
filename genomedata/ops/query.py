"""The values of tracks over a region, as text (``genomedata query REGION``).

    >>> import io
    >>> out = io.BytesIO()
    >>> query_region(example_archive, "chr1:271-275", ["dnase"], output=out)
    5
    >>> print(out.getvalue().decode(), end="")
    nan
    nan
    10.5
    10.5
    10.5
    >>> out = io.BytesIO()
    >>> query_region(example_archive, "chr1:1,001-1,003", bedgraph=True, output=out)
    3
    >>> print(out.getvalue().decode(), end="")
    chr1	1000	1001	0.788	nan
    chr1	1001	1002	-3.159	nan
    chr1	1002	1003	2.31	nan

A region is written as genome browsers show it, ``CHROM:START-END``, 1-based and inclusive,
commas allowed (``chr1:10,000-20,000`` is the 10,001 bases from 10,000 to 20,000), or as a
chromosome name alone (the whole chromosome); a ``(chrom, start, end)`` tuple is 0-based and
half-open, as everywhere in Python.  Tracks are names (default: every track, in the archive's
order).

Two outputs:

* values (the default): one line per base, one TAB-separated column per track, each value as
  ``str()`` of a numpy float32 prints it (``nan`` where there is no data): what genomedata
  1.7's ``query`` prints for one track;
* ``bedgraph=True``: ``chrom<TAB>start<TAB>end<TAB>value...`` lines, 0-based half-open, one
  value column per track, one line per run of bases whose values are equal in every track
  (runs continue across supercontigs that touch); bases without data in any track get no
  line, and a track without data where others have some is ``nan``.  Values are written as
  ``genomedata export`` writes them (the shortest text that reads back as the same float32),
  so for one track the lines are those of ``export``.
"""

from __future__ import annotations

import sys
import warnings

from .. import _progress
from ..api.genome import Genome
from ..errors import GenomedataError, OverlapWarning
from ._bedgraph import RunJoiner, bedgraph_lines, row_runs
from ._region import resolve_region, track_columns
from ._table import table_text

QUERY_BLOCK = 1 << 20   # bases read at a time


def query_region(gdfilename, region, tracks=None, bedgraph=False, output=None) -> int:
    """Write the values of ``tracks`` over ``region`` of archive (or bigWig file)
    ``gdfilename`` to ``output`` (a binary file; default standard output), as values or
    bedGraph lines (see the module documentation).  Returns the number of lines written."""
    if output is None:
        sys.stdout.flush()
        output = sys.stdout.buffer
    with Genome(gdfilename) as genome:
        columns = track_columns(genome, tracks)
        if not columns:
            raise GenomedataError(f"{genome.filename} has no tracks")
        chromosome, start, end = resolve_region(genome, region)
        if bedgraph:
            return _write_runs(chromosome, start, end, columns, output)
        return _write_values(chromosome, start, end, columns, output)


def _write_values(chromosome, start, end, columns, output) -> int:
    shown = set()
    for lo in range(start, end, QUERY_BLOCK):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", OverlapWarning)
            block = chromosome[lo:min(end, lo + QUERY_BLOCK), columns]
        for warning in caught:
            if str(warning.message) not in shown:
                shown.add(str(warning.message))
                _progress.warn(str(warning.message))
        # as str() of a numpy float32 prints each value: 0.372, -2.0, nan
        output.write(memoryview(table_text(block, missing="nan")))
    return end - start


def _write_runs(chromosome, start, end, columns, output) -> int:
    name = chromosome.name
    written = 0

    def emit(starts, ends, values):
        nonlocal written
        output.write(memoryview(bedgraph_lines(name, starts, ends,
                                               values[:, 0] if values.shape[1] == 1
                                               else values)))
        written += len(starts)

    joiner = RunJoiner(emit)
    # only the supercontigs: nothing is stored between them
    for supercontig in chromosome.supercontigs[start:end]:
        first, last = max(start, int(supercontig.start)), min(end, int(supercontig.end))
        for lo in range(first, last, QUERY_BLOCK):
            block = chromosome[lo:min(last, lo + QUERY_BLOCK), columns]
            joiner.add(lo, *row_runs(block))
    joiner.flush()
    output.flush()
    return written
