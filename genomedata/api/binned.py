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
``chromosome[a:b]``), always 2-D.  The region is read in pieces of at most
:data:`BATCH_VALUES` values (bases x tracks) by the parallel reader of
:meth:`Genome.read_regions <genomedata.Genome.read_regions>` (each chunk decoded once, on every
core), and each piece summarised as it comes by the kernels of :func:`summarize`
(:mod:`genomedata.kernels.binned`, the bins shared among the threads), so a whole chromosome
takes little memory and about the time of reading it; a bigWig-backed genome reads the same
pieces with ``pyBigWig.values`` (exact, not the bigWig's zoom levels).

``Chromosome.binned(..., frame=True)`` and ``Genome.stackup(..., frame=True)`` give the same
numbers as labelled pandas DataFrames (:mod:`genomedata.api.frames`).
"""

from __future__ import annotations

import numpy as np

from .. import _progress
from ..archive import layout as _layout
from ..archive.blocks import read_pool
from ..errors import GenomedataError, GenomedataValueError
from .keys import is_int

STATS = ("mean", "min", "max", "sum", "coverage", "std")


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


def _check_region(start, end, bins=None) -> tuple[int, int]:
    """``(start, end)`` of a region as Python ints, checked: integers, ``0 <= start <=
    end``; with ``bins``, at least one base per bin (so ``end > start``)."""
    if not is_int(start) or not is_int(end):
        raise GenomedataError(f"region bounds must be integers, not {start!r} and {end!r}")
    start, end = int(start), int(end)
    if start < 0:
        raise GenomedataValueError(f"region start {start} is negative")
    if end < start:
        raise GenomedataValueError(f"region end {end} is before its start {start}")
    if bins is None:
        return start, end
    if end == start:
        raise GenomedataValueError(f"region end {end} must be greater than its start {start}")
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

def _finish(stat, widths, count, total, shift, dsum, dsq, mins, maxs):
    """The statistic of accumulators of shape ``(rows, ncols)``; ``widths``: float64 bases
    of each row's bin, shape ``(rows, 1)``."""
    empty = count == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        if stat == "sum":
            return total
        if stat == "coverage":
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
    if not columns:
        return np.empty((bins, 0), dtype=np.float64)
    accumulators = _summarize_long(chromosome, start, end, bins, columns,
                                   stat in ("min", "max", "std"))
    return _finish(stat, _widths(np.array([start]), np.array([end]), bins), *accumulators)


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
    if track is None:
        if genome.num_tracks_continuous != 1:
            raise GenomedataError(f"{genome.num_tracks_continuous} tracks in "
                                  f"{genome.filename}: say which one with track=")
        track = 0
    col = _track_column(genome, track)
    return summarize(genome, chroms, starts, ends, stat, [col], bins)[:, :, 0]


# ------------------------------------------------------------------------------------------------
# Many regions: summarize

# values (bases x tracks) read and summarised per batch of regions: bounds the memory of a
# summary of any number of regions (a longer region is read in pieces of this size)
BATCH_VALUES = 1 << 22
BATCH_REGIONS = 1 << 15
# mean, sum and coverage of a batch come from prefix sums of its union when its regions hold
# more than this many times the union's values (else from each region's own values)
PREFIX_OVERLAP = 6


def _region_arrays(genome, chroms, starts, ends):
    """Checked ``(chroms list, int64 starts, int64 ends)``."""
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
    starts = starts.astype(np.int64)
    ends = ends.astype(np.int64)
    bad = np.flatnonzero((starts < 0) | (ends < starts))
    if len(bad):
        k = int(bad[0])
        raise GenomedataError(f"region {k} ({chroms[k]}:{starts[k]}-{ends[k]}) has a negative "
                              "start or ends before it starts")
    for name in dict.fromkeys(chroms):
        genome[name]    # "Could not find chromosome: ..." with the names the genome has
    return chroms, starts, ends


def _new_bases(chrom_ids, starts, ends):
    """Of regions sorted by chromosome then start: the bases each adds to the union of the
    regions before it (int64), and the id of the merged window (overlapping or touching
    regions of one chromosome) it belongs to."""
    if not len(starts):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    shift = chrom_ids * (1 << 40)        # coordinates are below 2**32: chromosomes apart
    key_s, key_e = starts + shift, ends + shift
    reach = np.maximum.accumulate(key_e)
    before = np.concatenate(([np.iinfo(np.int64).min], reach[:-1]))
    fresh = key_s > before
    added = key_e - np.maximum(key_s, before)
    return np.maximum(added, 0), np.cumsum(fresh) - 1


def summarize(genome, chroms, starts, ends, stat="mean", tracks=None, bins=None) -> np.ndarray:
    """Summary ``stat`` of ``tracks`` over each region ``chroms[k]:starts[k]-ends[k]``
    (0-based, half-open): float64 array of shape ``(regions, ntracks selected)``, or
    ``(regions, bins, ntracks selected)`` with ``bins`` equal bins per region (the axes of
    :meth:`Chromosome.binned <genomedata.Chromosome.binned>` with the regions first), rows in
    the order given.

    The statistics are those of :meth:`Chromosome.binned` (finite values only; positions
    outside supercontigs and past the chromosome's end are missing data), with the same bin
    edges.  A region of 0 bases gives NaN (0.0 for ``sum``); more bins than bases is an error.
    ``chroms``: chromosome names, or one name for every region; ``tracks`` as for ``binned``.

    The regions are sorted internally and read in batches whose union (overlapping regions
    merged) holds at most :data:`BATCH_VALUES` values: each batch's chunks are decoded once
    however many regions touch them, on every core, by the reader of
    :meth:`Genome.read_regions`, each base copied once; kernels summarise the batch
    (:func:`~genomedata.kernels.binned.accumulate_windows`, each region's values on every
    core; for mean, sum and coverage of regions that cover their union more than
    :data:`PREFIX_OVERLAP` times over, :func:`genomedata.kernels.binned.accumulate_totals`,
    prefix sums: a cost independent of the overlap).

    Also available as :meth:`Genome.summarize <genomedata.Genome.summarize>`.

    >>> with Genome(example_archive) as genome:
    ...     table = summarize(genome, ["chr1", "chr1"], [1000, 0], [1100, 1000], "coverage")
    >>> print(table)                       # (regions, tracks): conservation, dnase
    [[1.   0.  ]
     [0.   0.33]]
    """
    genome._check_open()
    chroms, starts, ends = _region_arrays(genome, chroms, starts, ends)
    ids = {}
    chrom_ids = np.fromiter((ids.setdefault(name, len(ids)) for name in chroms),
                            dtype=np.int64, count=len(chroms))
    return summarize_coded(genome, list(ids), chrom_ids, starts, ends, stat, tracks, bins)


def summarize_coded(genome, chrom_names, chrom_ids, starts, ends, stat="mean", tracks=None,
                    bins=None) -> np.ndarray:
    """:func:`summarize` of regions whose chromosomes are given as int64 ``chrom_ids`` into
    the list of names ``chrom_names`` (each a chromosome of ``genome``), with int64 ``starts``
    and ``ends`` already checked (0 <= start <= end): what reads a BED file of many regions
    calls, without a name per region."""
    stat = _check_stat(stat)
    binned_shape = bins is not None
    bins = 1 if bins is None else _check_bins(bins)
    columns = track_columns(genome, tracks)
    lengths = ends - starts
    if binned_shape:
        short = np.flatnonzero(lengths < bins)
        if len(short):      # the message of binned, with the chromosome
            k = int(short[0])
            try:
                _check_region(int(starts[k]), int(ends[k]), bins)
            except GenomedataError as error:
                raise type(error)(f"{chrom_names[chrom_ids[k]]}: {error}") from None
    nregions, ntracks = len(starts), len(columns)
    result = np.empty((nregions, bins, ntracks), dtype=np.float64)
    if nregions and ntracks:
        from ..kernels.binned import batch_bounds
        order = np.lexsort((ends, starts, chrom_ids))   # neighbours share chunks
        full = stat in ("min", "max", "std")    # else only counts and totals
        task_total = int(lengths.sum())
        with _progress.task("summarizing", unit="bases", total=task_total) as task:
            bounds = batch_bounds(chrom_ids[order], starts[order], ends[order],
                                  np.int64(ntracks), np.int64(BATCH_VALUES),
                                  np.int64(BATCH_REGIONS))
            for a, b in bounds.tolist():
                members = order[a:b]
                if b - a == 1 and lengths[members[0]] * ntracks > BATCH_VALUES:
                    rows = _summarize_long(genome[chrom_names[chrom_ids[members[0]]]],
                                           int(starts[members[0]]), int(ends[members[0]]),
                                           bins, columns, full)
                else:
                    rows = _summarize_batch(genome, chrom_names, chrom_ids[members],
                                            starts[members], ends[members], bins, columns,
                                            full)
                result[members] = _finish(stat, _widths(starts[members], ends[members], bins),
                                          *rows).reshape(b - a, bins, ntracks)
                task.advance(int(lengths[members].sum()))
    return result if binned_shape else result[:, 0, :]


def _widths(starts, ends, bins):
    """float64 bases of each bin of each region, shape ``(regions * bins, 1)``."""
    edges = (starts[:, None] + (np.arange(bins + 1, dtype=np.int64)[None, :]
                                * (ends - starts)[:, None]) // bins)
    return np.diff(edges, axis=1).astype(np.float64).reshape(-1, 1)


def _accumulate(flat, dest, stride, pos, length, region_start, region_length, row, bins,
                full, accumulators, overlapping=True):
    """:func:`accumulate_windows` over the pieces, split among the read threads (pieces of
    different regions: disjoint rows); ``overlapping=False`` says that no value lies in two
    pieces (prefix sums would then be wasted work)."""
    from ..kernels.binned import accumulate_totals, accumulate_windows

    npieces = len(pos)
    if not full and overlapping:    # prefix sums: one pass over the values, however much
        # pieces overlap
        accumulate_totals(flat, dest, stride, pos, length, region_start, region_length, row,
                          bins, accumulators[0], accumulators[1])
        return

    def run(lo, hi):
        accumulate_windows(flat, dest[lo:hi], stride, pos[lo:hi], length[lo:hi],
                           region_start[lo:hi], region_length[lo:hi], row[lo:hi], bins,
                           full, *accumulators)

    if len(flat) < (1 << 18) or npieces < 2:
        run(0, npieces)
        return
    pool, nthreads = read_pool()
    # cut into parts of about equal values
    weight = np.cumsum(length)
    cuts = np.searchsorted(weight, weight[-1] * np.arange(1, nthreads) / nthreads)
    bounds = [0] + sorted(set(int(c) for c in cuts if 0 < c < npieces)) + [npieces]
    futures = [pool.submit(run, bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    for future in futures:
        future.result()


def _summarize_batch(genome, id_names, chrom_ids, starts, ends, bins, columns, full):
    """Sorted regions: their union (overlapping regions merged) is read once, each base
    once, and the regions summarised from it."""
    from ..kernels.binned import new_accumulators
    nregions = len(starts)
    stride = len(columns)
    accumulators = new_accumulators(nregions * bins, stride)
    _, window = _new_bases(chrom_ids, starts, ends)
    first = np.flatnonzero(np.diff(window, prepend=-1))
    window_start = starts[first]
    window_end = np.maximum.reduceat(ends, first)
    flat, offsets = genome._read_flat([id_names[i] for i in chrom_ids[first].tolist()],
                                      window_start, window_end, columns)
    dest = offsets[window] + (starts - window_start[window]) * stride
    lengths = ends - starts
    rows = np.arange(nregions, dtype=np.int64) * bins
    # prefix sums cost a few passes over the union; worth it only when the regions cover it
    # many times over (one region's values are otherwise read once, on every core)
    overlapping = int(lengths.sum()) * stride > PREFIX_OVERLAP * len(flat)
    _accumulate(flat, dest, stride, starts, lengths, starts, lengths, rows, bins, full,
                accumulators, overlapping)
    return accumulators


def _summarize_long(chromosome, start, end, bins, columns, full):
    """The accumulators of one region of ``chromosome`` (any length; ``Chromosome.binned``
    and the regions too long for a batch of :func:`summarize`), read in pieces of at most
    :data:`BATCH_VALUES` values by the parallel reader into one buffer and added to the
    same accumulators; each piece is cut at the bin edges inside it, so that
    :func:`_accumulate` shares its bins among the threads."""
    from ..kernels.binned import new_accumulators
    stride = len(columns)
    accumulators = new_accumulators(bins, stride)
    step = max(1, BATCH_VALUES // stride)
    buffer = np.empty(min(step, end - start) * stride, dtype=np.float32)
    edges = bin_edges(start, end, bins)
    zero = np.zeros(1, dtype=np.int64)
    for lo in range(start, end, step):
        hi = min(end, lo + step)
        flat = buffer[:(hi - lo) * stride]
        chromosome._read_regions(np.array([lo], dtype=np.int64),
                                 np.array([hi], dtype=np.int64), zero, columns, flat)
        cuts = np.concatenate(([lo], edges[(edges > lo) & (edges < hi)], [hi]))
        pos = cuts[:-1]
        ones = np.ones(len(pos), dtype=np.int64)
        _accumulate(flat, (pos - lo) * stride, stride, pos, np.diff(cuts), start * ones,
                    (end - start) * ones, zero.repeat(len(pos)), bins, full, accumulators,
                    overlapping=False)
    return accumulators


# ------------------------------------------------------------------------------------------------
# Bins of whole blocks, from the block summaries close-data stores

BLOCK_STATS = ("mean", "max", "min", "sum", "coverage")
# the summaries serve bins of at least this many blocks (a bin edge moves by at most half a
# block: 1/32 of such a bin)
MIN_BLOCKS_PER_BIN = 16


_FROM_VALUES = "values"   # a short supercontig, which stores no summaries: read its values


def _summarise_values(chromosome, start, end, block_rows, columns):
    """Block summaries (``new_block_summaries``, as ``block_summaries`` stores them) of the
    values of ``[start, end)``, which lies in one supercontig and starts at one of its block
    edges: the kernel close-data uses, over the values read."""
    from ..kernels.stats import add_block_summaries, new_block_summaries
    values = np.asarray(chromosome[start:end], dtype=np.float32).reshape(end - start, -1)
    by_track = np.ascontiguousarray(values[:, columns].T)
    blocks = new_block_summaries(-(-(end - start) // block_rows), len(columns))
    add_block_summaries(by_track, np.int64(end - start), np.int64(0), np.int64(block_rows),
                        blocks, np.int64(0), np.int64(0))
    return blocks


def _usable_summaries(chromosome, start, end):
    """``(block_rows, [(start, end, dataset or None), ...])`` for the supercontigs of
    ``chromosome`` that overlap ``[start, end)`` (dataset None: no track data there;
    ``_FROM_VALUES``: too short to store summaries, its values are read), or None unless
    every other one with track data has block summaries that hold for the chromosome as it
    is: not dirty, the same track names, and the statistics they were computed with equal to
    the chromosome's (an older writer, which keeps no summaries, changes those when it
    changes the data and closes)."""
    group = getattr(chromosome, "h5group", None)
    if group is None or _layout.read_dirty(group):
        return None
    fingerprint = _layout.read_statistics_fingerprint(group)
    names = chromosome.tracknames_continuous
    if fingerprint is None or fingerprint.shape[1] != len(names):
        return None
    index = chromosome._index
    block_rows = None
    pieces = []
    lo = int(np.searchsorted(index.ends, start, side="right"))
    hi = int(np.searchsorted(index.starts, end, side="left"))
    for i in range(lo, hi):
        sc_start, sc_end = int(index.starts[i]), int(index.ends[i])
        supercontig = index.supercontigs[i].h5group
        if sc_end == sc_start or _layout.continuous_of(supercontig, sc_end - sc_start) is None:
            pieces.append((sc_start, sc_end, None))
            continue
        if not _layout.keeps_block_summaries(sc_end - sc_start):
            pieces.append((sc_start, sc_end, _FROM_VALUES))
            continue
        found = _layout.block_summaries_of(supercontig)
        if found is None:
            return None
        dataset, rows, tracknames, stored = found
        if (tracknames != names or stored.shape != fingerprint.shape
                or not np.array_equal(stored, fingerprint, equal_nan=True)
                or dataset.shape[:2] != (_layout.block_count(sc_end - sc_start, rows),
                                         len(names))
                or rows != (block_rows or rows)):
            return None
        block_rows = rows
        pieces.append((sc_start, sc_end, dataset))
    if block_rows is None:       # no track data in the region: nothing to summarise
        block_rows = _layout.BLOCK_SUMMARY_ROWS
    return block_rows, pieces


def snap_edges(edges, block_rows, sc_starts, sc_ends):
    """Bin edges moved to block edges: an edge inside a supercontig goes to the nearest
    edge of its blocks (``start + k * block_rows``, or the supercontig's end), the first
    edge down and the last up to one, so that the bins cover the region; edges outside
    supercontigs stay.  int64.

    >>> snap_edges(np.array([0, 2400, 5800, 7450]), 1000, np.array([0, 7000]),
    ...            np.array([5600, 9000]))          # 5800 lies in the gap 5600-7000
    array([   0, 2000, 5800, 8000])
    """
    edges = np.asarray(edges, dtype=np.int64)
    sc_starts = np.asarray(sc_starts, dtype=np.int64)
    sc_ends = np.asarray(sc_ends, dtype=np.int64)
    if not len(sc_starts):
        return edges.copy()
    which = np.maximum(np.searchsorted(sc_starts, edges, side="right") - 1, 0)
    base, top = sc_starts[which], sc_ends[which]
    inside = (edges > base) & (edges < top)
    offset = edges - base
    block = (2 * offset + block_rows) // (2 * block_rows)     # nearest (half up)
    block[0] = offset[0] // block_rows                        # the first edge down
    block[-1] = -(-offset[-1] // block_rows)                  # the last edge up
    snapped = np.minimum(base + block * block_rows, top)
    return np.where(inside, snapped, edges)


def binned_blocks(chromosome, start, end, bins, stat="max", tracks=None,
                  min_blocks=MIN_BLOCKS_PER_BIN):
    """:meth:`Chromosome.binned <genomedata.Chromosome.binned>` approximated from the block
    summaries that close-data stores (docs/format.md, ``block_summaries``): ``(values,
    edges)``, or None when they cannot serve (then read the exact values).

    The bins are ``bin_edges(start, end, bins)`` moved to block edges (:func:`snap_edges`:
    by at most half a block, the outer edges outwards), so that each bin is made of whole
    blocks, and ``values`` (float64, ``(bins, tracks selected)``) are the statistic of the
    finite values of those bins exactly as ``binned`` computes it over ``edges`` (sums of
    float32 block sums: a mean within about 1e-6 of the exact one).  ``stat``: one of
    :data:`BLOCK_STATS`.  None when a bin would hold fewer than ``min_blocks`` blocks, when
    the chromosome has no summaries, or when they may be stale: the chromosome is dirty, its
    track names or statistics differ from those the summaries were computed with.  Reads
    16 bytes per block and track: a whole chromosome of 30 Mbp costs about what 10 kbp of
    values does.
    """
    chromosome._check_open()
    if stat not in BLOCK_STATS:
        raise GenomedataError(f"unknown statistic {stat!r} for block summaries: use one of "
                              f"{', '.join(BLOCK_STATS)}")
    bins = _check_bins(bins)
    start, end = _check_region(start, end, bins)
    columns = track_columns(chromosome, tracks)
    if (end - start) < min_blocks * _layout.BLOCK_SUMMARY_ROWS * bins:
        return None     # (before any summary is opened: most plots of short regions)
    found = _usable_summaries(chromosome, start, end)
    if found is None:
        return None
    block_rows, pieces = found
    if (end - start) < min_blocks * block_rows * bins:
        return None
    index = chromosome._index
    edges = snap_edges(bin_edges(start, end, bins), block_rows, index.starts, index.ends)
    if np.any(np.diff(edges) <= 0):
        return None
    ncols = len(columns)
    parts, where = [], []
    for sc_start, sc_end, dataset in pieces:
        lo, hi = max(int(edges[0]), sc_start), min(int(edges[-1]), sc_end)
        if dataset is None or lo >= hi:
            continue
        first = (lo - sc_start) // block_rows
        last = -(-(hi - sc_start) // block_rows)
        if dataset is _FROM_VALUES:
            parts.append(_summarise_values(chromosome, sc_start + first * block_rows,
                                           min(sc_start + last * block_rows, sc_end),
                                           block_rows, columns))
        else:
            parts.append(dataset[first:last][:, columns, :])
        where.append(sc_start + np.arange(first, last, dtype=np.int64) * block_rows)
    count = np.zeros((bins, ncols))
    total = np.zeros((bins, ncols))
    low = np.full((bins, ncols), np.nan)
    high = np.full((bins, ncols), np.nan)
    if parts:
        blocks = np.concatenate(parts).astype(np.float64)
        owner = np.searchsorted(edges, np.concatenate(where), side="right") - 1
        cuts = np.flatnonzero(np.diff(owner, prepend=-1))
        ids = owner[cuts]
        count[ids] = np.add.reduceat(blocks[:, :, 0], cuts, axis=0)
        total[ids] = np.add.reduceat(blocks[:, :, 1], cuts, axis=0)
        low[ids] = np.fmin.reduceat(blocks[:, :, 2], cuts, axis=0)
        high[ids] = np.fmax.reduceat(blocks[:, :, 3], cuts, axis=0)
    widths = np.diff(edges).astype(np.float64)[:, None]
    values = _finish(stat, widths, count, total, None, None, None, low, high)
    return values, edges
