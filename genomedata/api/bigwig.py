"""A bigWig file opened as a read-only genome with one track (``Genome("x.bigWig")``).

    >>> from genomedata.ops.export import export_track
    >>> bigwig = scratch_dir() + "/dnase.bw"
    >>> summary = export_track(example_archive, "dnase", bigwig)   # make a bigWig file
    >>> with Genome(bigwig) as genome:
    ...     chromosome = genome["chr1"]
    ...     print(genome.num_tracks_continuous, chromosome.start, chromosome.end,
    ...           chromosome.length)
    ...     print(chromosome[270:275, 0])
    1 272 59893 60000
    [ nan  nan 10.5 10.5 10.5]

genomedata 1.7's interface, read through ``pyBigWig.values(..., numpy=True)``:

* chromosomes are the bigWig's chromosomes, iterated in sorted order; one implicit track whose
  name is the expanded file path; ``format_version`` is None; ``mode`` and ``attrs`` of a
  chromosome are None; the genome is read-only (writing raises NotImplementedError);
* genome statistics come from the bigWig header, as 1-element integer arrays (the header's
  values truncated as pyBigWig reports them); ``means``/``vars`` are derived from them;
* a chromosome's ``start``/``end`` are the start of its first and the end of its last interval
  (not 0 and the chromosome length, which is ``chromosome.length``);
* ``chromosome[key]`` and ``continuous[key]`` return the shapes a one-track archive returns:
  ``[a:b]`` is ``(n, 1)`` (bases x tracks), ``[a:b, 0]`` or ``[a:b, NAME]`` ``(n,)``,
  ``[i]`` ``(1,)``, ``[i, 0]`` a scalar, ``continuous.read()`` ``(length, 1)`` (genomedata
  1.7 returned 1-D arrays for all but a list of tracks); the track key may name the track
  by any name;
* each chromosome with data has one supercontig ``supercontig_0`` spanning ``[start, end)``,
  whose ``continuous[key]`` reads relative to its start.

Fixed here (reference bugs): ``continuous.read()`` works, a supercontig has a name and a repr,
positions past the chromosome's length read NaN instead of raising, and a chromosome without
any interval has no supercontig and ``start == end == 0`` instead of raising IndexError.
Extras: chromosome-level statistics computed from the intervals, ``binned`` summaries (exact,
from the values), ``Genome.stackup``, and the DataFrames of :mod:`genomedata.api.frames`
(the one column named by the track's name, the file's path).
"""

from __future__ import annotations


import numpy as np

from ..archive import files as _files
from ..archive import layout as _layout
from ..errors import ClosedError, GenomedataError, UnsupportedError, not_found
from ..inputs.bigwig import open_bigwig
from .chromosome import BLOCK_ROWS, CONTINUOUS_DTYPE, Chromosome, Supercontig
from .genome import Genome, _ChromosomeList
from .keys import is_int, key_to_range, split_key

MSG_READ_ONLY = "bigWig files are read-only in Genomedata"
_SCAN_WINDOW = 1 << 20  # bases per pyBigWig.intervals() call when looking for the data extent
_STATS_WINDOW = 1 << 22
_SUPERCONTIG_NAME = _layout.supercontig_name(0)


class _BigWigChromosomes(_ChromosomeList):
    """The chromosomes of an open bigWig genome."""

    def names(self) -> list[str]:
        return sorted(self._genome._sizes)

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and name in self._genome._sizes

    def _where(self) -> str:
        return self._genome.filename

    def _open(self, name):
        return BigWigChromosome(self._genome, name)


def _header_statistic(key):
    """A genome statistic read from the bigWig header: ``[value]``."""
    def statistic(self):
        return self._header_stat(key)
    return property(statistic, doc=f"``[{key}]`` of the bigWig header.")


class BigWigGenome(Genome):
    """A bigWig file as a read-only :class:`~genomedata.Genome` with one track (the file's
    expanded path).  ``args``/``kwargs`` are kept for ``repr`` and otherwise ignored."""

    def __init__(self, filename, *args, **kwargs):
        self._isopen = False
        self._files = None
        self.filename = filename
        self.args = args
        self.kwargs = kwargs
        self._mode = "r"
        self._path = _files.expand_path(filename)
        self._isfile = True
        self._context_count = 0
        self._bw = open_bigwig(self._path)
        self._header = None  # read when statistics are asked for
        self._sizes = dict(self._bw.chroms())
        self._chromosomes = _BigWigChromosomes(self)
        self._isopen = True

    def close(self):
        """Close every chromosome and the bigWig file."""
        if not self._isopen:
            return
        try:
            self._chromosomes.close()
        finally:
            self._bw.close()
            self._isopen = False

    # -- tracks
    @property
    def format_version(self):
        """None: a bigWig file has no Genomedata format version."""
        self._check_open()
        return None

    @property
    def tracknames_continuous(self):
        """One implicit track, named by the expanded file path."""
        self._check_open()
        return [self._path]

    def add_track_continuous(self, trackname, chunk_rows=None):
        raise UnsupportedError(MSG_READ_ONLY)

    def erase_data(self, trackname):
        raise UnsupportedError(MSG_READ_ONLY)

    # -- statistics from the header
    def _header_stat(self, key):
        self._check_open()
        if self._header is None:
            self._header = self._bw.header()
        return np.array([self._header[key]])

    mins = _header_statistic("minVal")
    maxs = _header_statistic("maxVal")
    sums = _header_statistic("sumData")
    sums_squares = _header_statistic("sumSquared")
    num_datapoints = _header_statistic("nBasesCovered")


class _OneTrackNoSequence:
    """What a bigWig chromosome and its supercontig share: float32 values, no sequence."""

    @property
    def seq(self):
        raise UnsupportedError("a bigWig file has no sequence")

    @property
    def _continuous_dtype(self):
        return CONTINUOUS_DTYPE

    @property
    def _seq_dtype(self):
        raise UnsupportedError("a bigWig file has no sequence")


class BigWigChromosome(_OneTrackNoSequence, Chromosome):
    """One chromosome of a bigWig file (read-only, one track)."""

    def __init__(self, genome, name):
        self._isopen = False
        self._genome = genome
        self._bw = genome._bw
        self._name = name
        self._length = int(genome._sizes[name])
        self.filename = genome._path
        self._trackname = genome._path
        self.h5group = None
        self.h5file = None
        self._extent = None
        self._stats = None
        self._supercontig = None
        self._isopen = True

    # -- state
    def _check_open(self):
        if not self._isopen or not self._genome._isopen:
            raise ClosedError(f"chromosome {self._name} is closed")

    @property
    def isopen(self):
        return self._isopen and self._genome._isopen

    def close(self):
        """Mark the chromosome closed (the genome opens it again on next access)."""
        self._isopen = False

    @property
    def mode(self):
        """None, as in the reference (bigWig files are read-only)."""
        return None

    @property
    def attrs(self):
        """None, as in the reference (a bigWig has no chromosome attributes)."""
        return None

    _v_attrs = attrs

    @property
    def _format_version(self):
        return None

    # -- coordinates
    @property
    def length(self):
        """The chromosome's length in the bigWig header."""
        return self._length

    def _find_extent(self):
        """``(start of the first interval, end of the last)``, or (0, 0) without intervals;
        found window by window, so only intervals near the ends are fetched."""
        if self._extent is None:
            self._check_open()
            bw, name, size = self._bw, self._name, self._length
            start = end = None
            for lo in range(0, size, _SCAN_WINDOW):
                found = bw.intervals(name, lo, min(size, lo + _SCAN_WINDOW))
                if found:
                    start = int(found[0][0])
                    break
            if start is not None:
                for hi in range(size, 0, -_SCAN_WINDOW):
                    found = bw.intervals(name, max(0, hi - _SCAN_WINDOW), hi)
                    if found:
                        end = int(found[-1][1])
                        break
            self._extent = (start, end) if start is not None else (0, 0)
        return self._extent

    @property
    def start(self):
        """Start of the chromosome's first interval."""
        return self._find_extent()[0]

    @property
    def end(self):
        """End of the chromosome's last interval (not the chromosome length)."""
        return self._find_extent()[1]

    # -- tracks
    @property
    def tracknames_continuous(self):
        """One implicit track, named by the expanded file path."""
        self._check_open()
        return [self._trackname]

    @property
    def num_tracks_continuous(self):
        self._check_open()
        return 1

    def index_continuous(self, trackname):
        self._check_open()
        if trackname == self._trackname:
            return 0
        raise not_found("continuous track", trackname, [self._trackname], self.filename)

    # -- statistics from the intervals (an extra: the reference has none per chromosome)
    def _compute_stats(self):
        if self._stats is None:
            self._check_open()
            lo_val, hi_val, total, squares, count = np.inf, -np.inf, 0.0, 0.0, 0
            for lo in range(0, self._length, _STATS_WINDOW):
                hi = min(self._length, lo + _STATS_WINDOW)
                found = self._bw.intervals(self._name, lo, hi)
                if not found:
                    continue
                table = np.array(found, dtype=np.float64)
                widths = np.minimum(table[:, 1], hi) - np.maximum(table[:, 0], lo)
                values = table[:, 2]
                finite = np.isfinite(values) & (widths > 0)
                values, widths = values[finite], widths[finite]
                if len(values):
                    lo_val = min(lo_val, float(values.min()))
                    hi_val = max(hi_val, float(values.max()))
                    total += float(np.dot(widths, values))
                    squares += float(np.dot(widths, values * values))
                    count += int(widths.sum())
            self._stats = {"mins": np.array([lo_val]), "maxs": np.array([hi_val]),
                           "sums": np.array([total]), "sums_squares": np.array([squares]),
                           "num_datapoints": np.array([count], dtype=np.int64)}
        return self._stats

    def _statistic(self, name):
        return self._compute_stats()[name].copy()

    # -- supercontigs
    def _supercontig_list(self):
        self._check_open()
        start, end = self._find_extent()
        if end <= start:
            return []
        if self._supercontig is None:
            self._supercontig = BigWigSupercontig(self)
        return [self._supercontig]

    def __iter__(self):
        """The chromosome's one supercontig (none without data)."""
        return iter(self._supercontig_list())

    def itercontinuous(self):
        for supercontig in self._supercontig_list():
            yield supercontig, supercontig.continuous

    @property
    def supercontigs(self):
        """``chromosome.supercontigs[bases]`` -> [the supercontig] if it overlaps, else []."""
        return _BigWigSupercontigs(self)

    # -- reading
    def _values(self, start, stop):
        """float32 values of ``[start, stop)``, NaN where there is no data (also past the
        chromosome's length)."""
        size = self._length
        if stop <= size:
            return self._bw.values(self._name, start, stop, numpy=True)
        data = np.full(stop - start, np.nan, dtype=CONTINUOUS_DTYPE)
        if start < size:
            data[:size - start] = self._bw.values(self._name, start, size, numpy=True)
        return data

    def __getitem__(self, key):
        """Values of the track, shaped as an archive with one track shapes them:
        ``chromosome[a:b]`` is ``(n, 1)``, ``chromosome[a:b, 0]`` (or the track's name)
        ``(n,)``, ``chromosome[i]`` ``(1,)``, ``chromosome[i, 0]`` a scalar."""
        self._check_open()
        base_key, track_key = split_key(key)
        start, stop = key_to_range(base_key)
        if stop - start < 1:   # as an archive: an empty 1-D array
            return np.array([], dtype=CONTINUOUS_DTYPE)
        data = self._values(start, stop)
        data = data.reshape(len(data), 1)   # bases x the one track
        if is_int(base_key):
            data = data[0]
        if isinstance(track_key, str):   # the one track, whatever the name
            track_key = 0
        elif isinstance(track_key, (list, tuple, np.ndarray)):
            keys = np.asarray(track_key)
            track_key = np.zeros(keys.shape, dtype=np.intp) if keys.dtype.kind in "US" else keys
        if is_int(base_key):
            return data[track_key]
        return data[:, track_key]

    def _read_regions(self, starts, ends, dest, columns, out, jobs=None) -> None:
        """:meth:`Chromosome._read_regions` of the one track (``pyBigWig.values`` per
        window, read here whatever ``jobs``; NaN past the chromosome's length)."""
        stride = len(columns)
        for r in range(len(starts)):
            start, stop = int(starts[r]), int(ends[r])
            if stop <= start:
                continue
            values = self._values(start, stop)
            for t in range(stride):
                out[dest[r] + t:dest[r] + t + (stop - start) * stride:stride] = values

    def iter_track_blocks(self, col, start, end, block_rows=BLOCK_ROWS):
        """Blocks ``(pos, values)`` of the track, read with ``pyBigWig.values`` (see
        :meth:`Chromosome.iter_track_blocks`)."""
        self._check_open()
        if col != 0:
            raise GenomedataError(f"track index {col} is out of range for 1 track")
        stop = min(end, self._length)
        for lo in range(max(0, start), stop, max(1, int(block_rows))):
            hi = min(stop, lo + block_rows)
            yield lo, self._bw.values(self._name, lo, hi, numpy=True)

    def covered_bases(self, start, end):
        return max(0, min(end, self._length) - max(0, start))

    # -- writing: not possible
    def __setitem__(self, key, value):
        raise UnsupportedError(MSG_READ_ONLY)

    def _erase_data(self, trackname):
        raise UnsupportedError(MSG_READ_ONLY)

    def add_trackname(self, trackname):
        raise UnsupportedError(MSG_READ_ONLY)


class _BigWigSupercontigs:
    def __init__(self, chromosome):
        self._chromosome = chromosome

    def __getitem__(self, key):
        start, stop = key_to_range(key)
        found = self._chromosome._supercontig_list()
        return [sc for sc in found if sc.start < stop and start < sc.end]


class BigWigSupercontig(_OneTrackNoSequence, Supercontig):
    """The one supercontig of a bigWig chromosome: ``[chromosome.start, chromosome.end)``."""

    def __init__(self, chromosome):
        self._chromosome = chromosome
        self.parent_chromosome = chromosome
        self.h5group = None
        self.start, self.end = (int(x) for x in chromosome._find_extent())
        self._continuous = BigWigContinuous(self)
        self._seq = None

    @property
    def name(self):
        return _SUPERCONTIG_NAME

    @property
    def attrs(self):
        raise UnsupportedError("a bigWig supercontig has no attributes")

    _v_attrs = attrs

    @property
    def continuous(self):
        """The supercontig's values, indexed relative to its start."""
        return self._continuous


class BigWigContinuous:
    """``supercontig.continuous``: ``[key]`` relative to the supercontig's start (a base key,
    or ``(bases, tracks)`` shaped like ``chromosome[...]``); ``read()`` the whole range."""

    def __init__(self, supercontig):
        self._supercontig = supercontig

    @property
    def shape(self):
        return (self._supercontig.end - self._supercontig.start, 1)

    @property
    def dtype(self):
        return CONTINUOUS_DTYPE

    ndim = 2

    def _shift(self, base_key):
        start, stop = key_to_range(base_key)
        offset = self._supercontig.start
        if is_int(base_key):
            return start + offset
        return slice(start + offset, stop + offset)

    def __getitem__(self, key):
        chromosome = self._supercontig._chromosome
        base_key, track_key = split_key(key)
        return chromosome[self._shift(base_key), track_key]

    def read(self):
        """All values of the supercontig, ``(length, 1)`` as ``continuous[0:len]``."""
        supercontig = self._supercontig
        return supercontig._chromosome[supercontig.start:supercontig.end]

    def __array__(self, dtype=None, copy=None):
        data = self.read()
        return data if dtype is None else data.astype(dtype)

    def __setitem__(self, key, value):
        raise UnsupportedError(MSG_READ_ONLY)
