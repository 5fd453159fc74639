"""Binned summaries of track data: ``Chromosome.binned`` and ``Genome.stackup``.

    >>> with Genome(example_archive) as genome:
    ...     means = genome["chr1"].binned(0, 60000, 100, "mean")
    >>> means.shape                        # (bins, tracks)
    (100, 2)

Bins.  The region ``[start, end)`` (0-based, half-open) is cut into ``bins`` bins with integer
edges ``edge[i] = start + (i * (end - start)) // bins`` for ``i = 0 .. bins``; bin ``i`` covers
``[edge[i], edge[i + 1])``.  More bins than bases (``bins > end - start``) is an error: some
bins would be empty.

Statistics, over the *finite* values of each bin (NaN, +-inf are missing data; so are positions
in gaps between supercontigs, in supercontigs without data, and past the chromosome's end):

* ``mean``, ``min``, ``max``: NaN for a bin without finite values;
* ``std``: population standard deviation (``ddof=0``), NaN for a bin without finite values;
* ``sum``: 0.0 for a bin without finite values (never NaN);
* ``coverage``: finite values / bin width.

The result is float64 of shape ``(bins, ntracks selected)`` (rows = bins, columns = tracks, as
``chromosome[a:b]``), always 2-D.  The data is read supercontig by supercontig in chunk-aligned
blocks of at most :data:`BLOCK_ROWS` rows per track (``Chromosome.iter_track_blocks``), and
summarised by a numba kernel (:mod:`genomedata.kernels.binned`); a bigWig-backed genome reads
the same blocks with ``pyBigWig.values`` (exact, not the bigWig's zoom levels).

``Chromosome.binned(..., frame=True)`` and ``Genome.stackup(..., frame=True)`` give the same
numbers as labelled pandas DataFrames (:mod:`genomedata.api.frames`).
"""

from __future__ import annotations

import numpy as np

from ..errors import GenomedataError, GenomedataValueError
from .keys import is_int

STATS = ("mean", "min", "max", "sum", "coverage", "std")
BLOCK_ROWS = 1 << 20


# ------------------------------------------------------------------------------------------------
# Arguments

def _check_stat(stat) -> str:
    if stat not in STATS:
        raise GenomedataError(f"unknown statistic {stat!r}: use one of {', '.join(STATS)}")
    return stat


def _check_bins(bins) -> int:
    if not is_int(bins) or int(bins) < 1:
        raise GenomedataError(f"the number of bins must be a positive integer, not {bins!r}")
    return int(bins)


def _check_region(start, end, bins):
    if not is_int(start) or not is_int(end):
        raise GenomedataError(f"region bounds must be integers, not {start!r} and {end!r}")
    start, end = int(start), int(end)
    if start < 0:
        raise GenomedataError(f"region start {start} is negative")
    if end <= start:
        raise GenomedataError(f"region end {end} must be greater than its start {start}")
    if bins > end - start:
        raise GenomedataValueError(f"{bins} bins do not fit in the {end - start} bases of "
                                   f"region {start}-{end}: use at most {end - start} bins")
    return start, end


def _track_column(owner, track) -> int:
    """Column index of one track given by name or index."""
    ntracks = owner.num_tracks_continuous
    if isinstance(track, str):
        try:
            return owner.index_continuous(track)
        except KeyError:
            raise GenomedataError(f"Could not find continuous track: {track}") from None
    if is_int(track):
        col = int(track)
        if not 0 <= col < ntracks:
            raise GenomedataError(f"track index {col} is out of range for {ntracks} tracks")
        return col
    raise GenomedataError(f"a track is given by name or index, not by {track!r}")


def track_columns(owner, tracks) -> list[int]:
    """Column indexes of a track selection: None (all), a name, an index, or a list of
    names and/or indexes (in the given order, repeats allowed)."""
    if tracks is None:
        return list(range(owner.num_tracks_continuous))
    if isinstance(tracks, (str, int, np.integer)):
        return [_track_column(owner, tracks)]
    if isinstance(tracks, (list, tuple, np.ndarray)):
        return [_track_column(owner, item.item() if isinstance(item, np.generic) else item)
                for item in tracks]
    raise GenomedataError(f"tracks are given by name or index, or a list of them, not by "
                          f"{tracks!r}")


def bin_edges(start: int, end: int, bins: int) -> np.ndarray:
    """int64 edges ``start + (i * (end - start)) // bins``, ``i = 0 .. bins``.

    >>> bin_edges(0, 10, 3)                # bins [0, 3), [3, 6), [6, 10)
    array([ 0,  3,  6, 10])
    """
    return start + (np.arange(bins + 1, dtype=np.int64) * (end - start)) // bins


# ------------------------------------------------------------------------------------------------
# Summaries

def _finish(stat, edges, count, total, shift, dsum, dsq, mins, maxs):
    empty = count == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        if stat == "sum":
            return total
        if stat == "coverage":
            widths = np.diff(edges).astype(np.float64)[:, None]
            return count / widths
        if stat == "mean":
            result = total / count
        elif stat == "min":
            result = mins
        elif stat == "max":
            result = maxs
        else:  # std
            variance = (dsq - dsum * dsum / count) / count
            result = np.sqrt(np.maximum(variance, 0.0))
    result = np.array(result, dtype=np.float64)
    result[empty] = np.nan
    return result


def _summarise(chromosome, start, end, edges, stat, columns):
    from ..kernels.binned import accumulate_bins, new_accumulators
    accumulators = new_accumulators(len(edges) - 1, len(columns))
    done = {}
    for j, col in enumerate(columns):
        if col in done:  # a repeated track: same numbers
            for array in accumulators:
                array[:, j] = array[:, done[col]]
            continue
        done[col] = j
        for pos, values in chromosome.iter_track_blocks(col, start, end, BLOCK_ROWS):
            accumulate_bins(values, np.int64(pos), edges, j, *accumulators)
    return _finish(stat, edges, *accumulators)


def binned(chromosome, start, end, bins, stat="mean", tracks=None) -> np.ndarray:
    """Summary ``stat`` of ``tracks`` over ``bins`` equal bins of ``[start, end)`` of
    ``chromosome``: float64 array of shape ``(bins, ntracks selected)`` (see module doc).

    Also available as :meth:`Chromosome.binned <genomedata.Chromosome.binned>`.  In this
    example, conservation data starts at base 1000:

    >>> with Genome(example_archive) as genome:
    ...     chromosome = genome["chr1"]
    ...     for stat in ("coverage", "sum", "mean"):
    ...         print(stat, binned(chromosome, 990, 1010, 2, stat, "conservation").ravel().round(3))
    coverage [0. 1.]
    sum [ 0.    -3.059]
    mean [   nan -0.306]
    """
    chromosome._check_open()
    stat = _check_stat(stat)
    bins = _check_bins(bins)
    start, end = _check_region(start, end, bins)
    columns = track_columns(chromosome, tracks)
    edges = bin_edges(start, end, bins)
    return _summarise(chromosome, start, end, edges, stat, columns)


def stackup(genome, chroms, starts, ends, bins, stat="mean", track=None) -> np.ndarray:
    """Summary ``stat`` of one track over ``bins`` bins of each region
    ``chroms[k]:starts[k]-ends[k]``: float64 array of shape ``(N, bins)``.

    ``chroms``: a sequence of chromosome names, or one name for every region; ``track``: name
    or index (may be omitted when the genome has exactly one track).

    Also available as :meth:`Genome.stackup <genomedata.Genome.stackup>`.

    >>> with Genome(example_archive) as genome:
    ...     profile = stackup(genome, "chr1", [1000, 3000], [1100, 3100], 2, "max",
    ...                       "conservation")
    >>> print(profile.round(3))            # (regions, bins)
    [[4.23  2.591]
     [2.275 3.659]]
    """
    genome._check_open()
    stat = _check_stat(stat)
    bins = _check_bins(bins)
    starts = np.asarray(starts)
    ends = np.asarray(ends)
    if starts.ndim != 1 or ends.shape != starts.shape:
        raise GenomedataError("starts and ends must be 1-D sequences of the same length")
    nregions = len(starts)
    if isinstance(chroms, str):
        chroms = [chroms] * nregions
    chroms = list(chroms)
    if len(chroms) != nregions:
        raise GenomedataError(f"{len(chroms)} chromosome names for {nregions} regions")
    if nregions and not (np.issubdtype(starts.dtype, np.integer)
                         and np.issubdtype(ends.dtype, np.integer)):
        raise GenomedataError("region starts and ends must be integers")
    if track is None:
        if genome.num_tracks_continuous != 1:
            raise GenomedataError(f"{genome.num_tracks_continuous} tracks in "
                                  f"{genome.filename}: say which one with track=")
        track = 0
    col = _track_column(genome, track)
    result = np.empty((nregions, bins), dtype=np.float64)
    # region order: by chromosome then start, so that neighbouring reads share chunks
    order = sorted(range(nregions), key=lambda k: (chroms[k], int(starts[k])))
    for k in order:
        try:
            start, end = _check_region(int(starts[k]), int(ends[k]), bins)
        except GenomedataValueError as error:
            raise GenomedataValueError(f"{chroms[k]}: {error}") from None
        try:
            chromosome = genome[chroms[k]]
        except KeyError:
            raise GenomedataError(f"Could not find chromosome: {chroms[k]}") from None
        edges = bin_edges(start, end, bins)
        result[k] = _summarise(chromosome, start, end, edges, stat, [col])[:, 0]
    return result
