"""pandas DataFrames of the read API: the one module that makes them.

pandas is the optional extra ``genomedata[pandas]``: it is imported (through
:func:`genomedata._extras.require`) only when a DataFrame is asked for, so ``import genomedata``
and every NumPy read work without it.  The shapes, named as a pandas user expects:

* a region (``Chromosome.to_dataframe``, ``Genome.to_dataframe``): index ``position``
  (0-based genomic coordinates, a ``RangeIndex``), one float32 column per track (columns
  named ``track``), NaN outside supercontigs;
* ``binned(..., frame=True)``: index ``bin``, an ``IntervalIndex`` of the bins' ``[start,
  end)`` (closed on the left; ``frame.loc[position]`` finds the bin of a position,
  ``index.left``/``index.right``/``index.mid`` give the edges and centres), one float64 column
  per track;
* ``stackup(..., frame=True)``: index ``(chrom, start, end)``, one row per region in the order
  given, one float64 column per bin (columns ``bin`` 0 .. bins-1), so that ``frame.mean()`` is
  the average profile and ``frame.to_numpy()`` the matrix;
* ``read_regions(..., frame=True)``: one row per base of every window, index ``(region,
  chrom, position)`` (``region`` is the window's number in the order given), one float32
  column per track.

    >>> with Genome(example_archive) as genome:
    ...     frame = genome["chr1"].to_dataframe(1000, 1003)
    >>> print(frame)
    track     conservation  dnase
    position
    1000             0.788    NaN
    1001            -3.159    NaN
    1002             2.310    NaN
"""

from __future__ import annotations

import numpy as np

from .._extras import require
from ..errors import GenomedataError
from ..inputs.regions import parse_locus
from .binned import _check_region, bin_edges, binned, stackup, track_columns

POSITION = "position"
TRACK = "track"
BIN = "bin"
REGION = "region"
CHROM = "chrom"


def pandas():
    """The pandas module, or :class:`~genomedata.errors.MissingExtraError` naming the extra."""
    return require("pandas", "pandas", "making DataFrames")


def _track_labels(owner, columns) -> list[str]:
    names = owner.tracknames_continuous
    return [names[column] for column in columns]


def _columns(pd, labels, name):
    return pd.Index(labels, name=name)


# ------------------------------------------------------------------------------------------------
# A region

def region_frame(chromosome, start=None, end=None, tracks=None):
    """``Chromosome.to_dataframe``: the values of ``[start, end)`` of ``chromosome``
    (default: the whole chromosome) as a DataFrame indexed by position with a float32 column
    per track.  Read by the parallel reader of ``Genome.read_regions``: NaN outside
    supercontigs and past the chromosome's end, no :class:`~genomedata.OverlapWarning`."""
    pd = pandas()
    chromosome._check_open()
    start, end = _check_region(0 if start is None else start,
                               chromosome.length if end is None else end)
    columns = track_columns(chromosome, tracks)
    values = np.empty((end - start) * len(columns), dtype=np.float32)
    if len(values):
        chromosome._read_regions(np.array([start], dtype=np.int64),
                                 np.array([end], dtype=np.int64), np.zeros(1, dtype=np.int64),
                                 columns, values)
    return pd.DataFrame(values.reshape(end - start, len(columns)),
                        index=pd.RangeIndex(start, end, name=POSITION),
                        columns=_columns(pd, _track_labels(chromosome, columns), TRACK),
                        copy=False)


def genome_region_frame(genome, region, start=None, end=None, tracks=None):
    """``Genome.to_dataframe``: ``region`` is a chromosome name (with ``start``/``end``, or the
    whole chromosome) or a locus as genome browsers write it, ``chr1:10,001-20,000`` (1-based,
    inclusive; read by :func:`genomedata.inputs.regions.parse_locus`)."""
    pandas()
    genome._check_open()
    if not isinstance(region, str):
        raise GenomedataError(f"a region is a chromosome name or CHROM:START-END, not "
                              f"{region!r}")
    # a name with a colon that the genome has is a chromosome, not a locus
    chrom, first, last = parse_locus(region, [region] if region in genome else ())
    if first is not None:
        if start is not None or end is not None:
            raise GenomedataError(f"region {region!r} has coordinates already: give them in "
                                  "the string or as start and end, not both")
        start, end = first, last
    return region_frame(genome[chrom], start, end, tracks)


# ------------------------------------------------------------------------------------------------
# Binned summaries

def binned_frame(chromosome, start, end, bins, stat="mean", tracks=None):
    """``Chromosome.binned(..., frame=True)``: the ``(bins, tracks)`` summaries of
    :func:`genomedata.api.binned.binned` indexed by their bins (an ``IntervalIndex``, closed
    on the left), a column per track."""
    pd = pandas()
    values = binned(chromosome, start, end, bins, stat, tracks)   # checks the arguments
    index = pd.IntervalIndex.from_breaks(bin_edges(int(start), int(end), int(bins)),
                                         closed="left", name=BIN)
    labels = _track_labels(chromosome, track_columns(chromosome, tracks))
    return pd.DataFrame(values, index=index, columns=_columns(pd, labels, TRACK), copy=False)


def stackup_frame(genome, chroms, starts, ends, bins, stat="mean", track=None):
    """``Genome.stackup(..., frame=True)``: the ``(regions, bins)`` matrix of
    :func:`genomedata.api.binned.stackup` with a ``(chrom, start, end)`` row per region and
    its bins numbered 0 .. bins-1."""
    pd = pandas()
    values = stackup(genome, chroms, starts, ends, bins, stat, track)   # checks the arguments
    count = len(values)
    chroms = [chroms] * count if isinstance(chroms, str) else list(chroms)
    index = pd.MultiIndex.from_arrays(
        [pd.Index(chroms), np.asarray(starts, dtype=np.int64).reshape(count),
         np.asarray(ends, dtype=np.int64).reshape(count)], names=[CHROM, "start", "end"])
    return pd.DataFrame(values, index=index, columns=pd.RangeIndex(values.shape[1], name=BIN),
                        copy=False)


# ------------------------------------------------------------------------------------------------
# Many windows

def regions_frame(values, chroms, starts, ends, labels):
    """``Genome.read_regions(..., frame=True)``: the windows (one array, or a list of arrays)
    as one long frame, a row per base of each window, index ``(region, chrom, position)``,
    a column per track (``labels``)."""
    pd = pandas()
    starts = np.asarray(starts, dtype=np.int64)
    lengths = np.asarray(ends, dtype=np.int64) - starts
    count, total = len(starts), int(lengths.sum())
    if isinstance(values, list):
        values = np.concatenate(values) if values else values
    values = np.asarray(values, dtype=np.float32).reshape(total, len(labels))
    firsts = np.cumsum(lengths) - lengths           # the row of each window's first base
    positions = np.arange(total, dtype=np.int64) + np.repeat(starts - firsts, lengths)
    names = list(dict.fromkeys(chroms))             # categories in order of appearance
    code = {name: i for i, name in enumerate(names)}
    codes = np.array([code[name] for name in chroms], dtype=np.int64).reshape(count)
    index = pd.MultiIndex.from_arrays(
        [np.repeat(np.arange(count, dtype=np.int64), lengths),
         pd.Categorical.from_codes(np.repeat(codes, lengths),
                                   categories=pd.Index(names)),
         positions], names=[REGION, CHROM, POSITION])
    return pd.DataFrame(values, index=index, columns=_columns(pd, labels, TRACK), copy=False)


# ------------------------------------------------------------------------------------------------
# Tables

def table_frame(columns: dict):
    """A plain table (a RangeIndex of rows) from ``{column name: values}``, in that order:
    the form of ``genomedata.summarize(...).to_dataframe()``."""
    return pandas().DataFrame(columns)
