"""Track summaries of a closed archive: ``genomedata histogram`` and ``genomedata report``.

``histogram(archive, track, bins=100, include_coords=None)`` returns ``(counts, edges)`` equal
to ``numpy.histogram(values, bins)`` over all finite values of the track (only those inside the
BED regions of ``include_coords`` when given, with the range still that of the whole track):
the range is the track's genome-wide minimum and maximum stored by close-data (as genomedata
1.7's histogram takes them), which are the float32 extremes of the values, so the float32 bin
edges are numpy's own.  The data are read block by block (chunks decoded on every core) and
each block is binned with the same ``numpy.histogram`` call and range, so the counts are
exactly numpy's.

``report(archive)`` returns genomedata 1.7's table: ``measurement`` and the track names, then
the ``mean`` and ``var`` of every track from the stored statistics.

Both need a closed archive (statistics up to date): a dirty one is a clear error.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .. import _progress
from .._threads import default_threads
from ..api.genome import Genome
from ..archive.blocks import open_block_reader, read_columns
from ..archive.layout import continuous_chunk_rows
from ..errors import GenomedataError
from ..errors import MissingStatisticsError
from ..inputs.regions import read_mask_file

BLOCK_ROWS = 1 << 22


def _open_closed(gdfilename):
    """The archive opened read-only, refusing dirty chromosomes and missing statistics."""

    path = os.fspath(gdfilename)
    genome = Genome(path)
    if genome.__class__ is not Genome:  # bigWig: statistics come from its own index
        return genome
    try:
        if not genome.tracknames_continuous:
            return genome
        for chromosome in genome:
            chromosome.num_datapoints  # noqa: B018 - raises if dirty or not closed
    except MissingStatisticsError:
        genome.close()
        raise GenomedataError(f"{path} has no track statistics; run 'genomedata close-data "
                              f"{path}' first") from None
    except BaseException:
        genome.close()
        raise
    return genome


def _track_range(genome, trackname):
    column = genome.index_continuous(trackname)
    count = int(np.asarray(genome.num_datapoints)[column])
    if count == 0:
        raise GenomedataError(f"track {trackname!r} has no data (no finite value); there is "
                              "nothing to count")
    # the stored extremes are float32 values: as float32 scalars they give numpy's own range
    # and float32 bin edges, exactly as numpy.histogram(values, bins) over the float32 values
    low = np.float32(np.asarray(genome.mins)[column])
    high = np.float32(np.asarray(genome.maxs)[column])
    return column, low, high


def histogram(gdfilename, trackname, bins=100, include_coords=None, *, threads=None,
              block_rows: int = BLOCK_ROWS):
    """``(counts, edges)`` of the finite values of ``trackname`` over ``bins`` equal bins
    between the track's stored genome-wide minimum and maximum (see the module documentation).
    ``include_coords``: a BED file (or WIG: the bases with data); only bases inside its
    regions count.

    >>> from genomedata.ops.summaries import histogram
    >>> counts, edges = histogram(example_archive, "dnase", bins=4)
    >>> print(counts, edges.round(3))
    [29767 12936  1901  1318] [ 0.27   6.812 13.355 19.898 26.44 ]
    """
    try:
        bins = int(bins)
    except (TypeError, ValueError):
        raise GenomedataError(f"the number of bins must be a whole number, not {bins!r}") \
            from None
    if bins < 1:
        raise GenomedataError(f"the number of bins must be at least 1, not {bins}")
    with _open_closed(gdfilename) as genome:
        if type(genome) is not Genome:
            raise GenomedataError(f"{gdfilename} is a bigWig file; histogram works on "
                                  "Genomedata archives")
        # (a WIG file is read over the archive's chromosomes, and no further)
        extents = {chromosome.name: chromosome.end for chromosome in genome}
        regions = (read_mask_file(include_coords, extents=extents).regions
                   if include_coords is not None else None)
        column, low, high = _track_range(genome, trackname)
        edges = np.histogram_bin_edges(np.zeros(0, np.float32), bins, range=(low, high))
        counts = np.zeros(bins, dtype=np.int64)
        nthreads = default_threads() if threads is None else max(0, int(threads))
        pool = ThreadPoolExecutor(nthreads, thread_name_prefix="histogram") if nthreads \
            else None
        chromosomes = [chromosome for chromosome in genome
                       if regions is None or chromosome.name in regions]
        try:
            with _progress.task(f"counting {trackname}", total=len(chromosomes),
                                unit="chromosomes") as task:
                for chromosome in chromosomes:
                    _count_chromosome(chromosome, column, regions, low, high, counts, pool,
                                      nthreads, block_rows)
                    task.advance()
        finally:
            if pool is not None:
                pool.shutdown()
    return counts, edges


def _count_chromosome(chromosome, column, regions, low, high, counts, pool, nthreads,
                      block_rows) -> None:
    """Add the histogram of one chromosome's values of ``column`` to ``counts``."""
    from ..kernels.regions import chunk_blocks, gather_regions, intersect_regions

    bins = len(counts)
    for supercontig, continuous in chromosome.itercontinuous():
        dataset = continuous.dataset
        nrows = int(dataset.shape[0])
        if column >= dataset.shape[1] or nrows == 0:
            continue
        if regions is None:
            starts = np.zeros(1, np.int64)
            ends = np.full(1, nrows, np.int64)
        else:
            sc = (np.array([supercontig.start], np.int64),
                  np.array([supercontig.start + nrows], np.int64))
            starts, ends = intersect_regions(*regions[chromosome.name], *sc)
            starts = starts - supercontig.start
            ends = ends - supercontig.start
            if not len(starts):
                continue
        b0, b1 = chunk_blocks(starts, ends, continuous_chunk_rows(dataset),
                              nrows, block_rows)
        reader = open_block_reader(dataset, pool, max(1, nthreads))
        try:
            for lo, hi in zip(b0.tolist(), b1.tolist()):
                values = read_columns(reader, [column], lo, hi - lo)[0]
                if regions is not None:
                    i0 = int(np.searchsorted(ends, lo, side="right"))
                    i1 = int(np.searchsorted(starts, hi, side="left"))
                    values = gather_regions(values, starts[i0:i1] - lo,
                                            ends[i0:i1] - lo)
                values = values[np.isfinite(values)]
                if len(values):
                    counts += np.histogram(values, bins, range=(low, high))[0]
        finally:
            reader.close()


def histogram_lines(counts, edges):
    """The command's output lines: a header, ``edge<TAB>count`` per bin, ``edge<TAB>NA``."""
    yield "lower_edge\tcount"
    for edge, count in zip(np.asarray(edges, np.float64)[:-1].tolist(), counts.tolist()):
        yield f"{edge!r}\t{count}"
    yield f"{float(edges[-1])!r}\tNA"


def report(gdfilename):
    """``[["measurement", *tracks], ["mean", *means], ["var", *vars]]`` (Python floats) from
    the stored statistics of a closed archive.

    >>> from genomedata.ops.summaries import report
    >>> for row in report(example_archive):
    ...     print(row[0], [round(x, 4) if isinstance(x, float) else x for x in row[1:]])
    measurement ['conservation', 'dnase']
    mean [-0.0073, 6.35]
    var [2.2361, 23.1155]
    """
    with _open_closed(gdfilename) as genome:
        tracks = list(genome.tracknames_continuous)
        if not tracks:
            return [["measurement"], ["mean"], ["var"]]
        means = [float(x) for x in np.asarray(genome.means, dtype=np.float64)]
        variances = [float(x) for x in np.asarray(genome.vars, dtype=np.float64)]
    return [["measurement", *tracks], ["mean", *means], ["var", *variances]]


def report_lines(rows):
    for row in rows:
        yield "\t".join(str(cell) for cell in row)
