"""Chromosomes and supercontigs of a Genomedata archive (genomedata 1.7's ``_chromosome`` API).

A :class:`Chromosome` is an HDF5 group (a file root in a directory archive) whose children are
supercontig groups.  Reads ``chromosome[bases, tracks]`` are the hot path: the supercontig
bounds are kept as sorted numpy arrays and the ``continuous`` datasets are cached, so a read is a
binary search plus one HDF5 hyperslab read per overlapping supercontig, straight into the result.

Compared with genomedata 1.7.4 (see docs): ``slice(a, b, 1)`` and numpy integer keys are
accepted, a single string track key works when writing, write errors have fixed wording, a
supercontig without sequence raises :class:`MissingSequenceData`, and statistics missing from a
chromosome raise :class:`MissingStatisticsError` (an ``AttributeError``) with a clear message.
"""

from __future__ import annotations

import os
from functools import partial
from warnings import warn

import numpy as np

from ..archive import files as _files
from ..archive import layout as _layout
from ..archive.blocks import (CACHE_BYTES, CachedColumnReader, ChunkCache, PieceJob, RawFile,
                              read_hyperslab, read_pieces)
from ..archive.writer import erase_column
from ..errors import (ChromosomeDirtyError, ClosedError, GenomedataDirtyWarning,  # noqa: F401
                     GenomedataValueError, MissingContinuousData, MissingSequenceData,
                     MissingStatisticsError, OverlapWarning, dirty_message, not_found)
from . import frames
from .binned import binned
from .keys import is_int, key_to_range, split_key
from .views import AttributeSet, DatasetView

CONTINUOUS_DTYPE = _layout.CONTINUOUS_DTYPE
SEQ_DTYPE = _layout.SEQ_DTYPE
_N = ord("N")

MSG_DIRTY = ('Chromosome has been modified (or loaded with a mode of "w", "r+", or "a") '
             'since being closed with genomedata-close-data')
MSG_DIRTY_CLOSE = ("Closing Chromosome with modified data. Metadata needs to be recalculated "
                   "by calling genomedata-close-data on the Genomedata archive before "
                   "re-accessing it")
MSG_NOT_WRITABLE = "Genomedata archive not opened for writing"
BLOCK_ROWS = 1 << 20   # rows of one track read at a time by iter_track_blocks
# reads of at least this many values go through the parallel engine (read_pieces)
LARGE_READ = 1 << 18


# ------------------------------------------------------------------------------------------------
# Supercontig

class Supercontig:
    """A region of known assembly in a chromosome: ``seq`` and ``continuous`` data.

    ``start`` and ``end`` are chromosome coordinates (Python ints, half-open).  Bases between
    supercontigs (long runs of N in the FASTA, gaps of an AGP) are not stored.

    >>> with Genome(example_archive) as genome:
    ...     for supercontig in genome["chr2"]:
    ...         print(supercontig.name, supercontig.start, supercontig.end)
    supercontig_0 0 30000
    supercontig_1 130000 150000
    """

    def __init__(self, h5group, chromosome=None, bounds=None):
        self.h5group = h5group
        self._chromosome = chromosome
        self.start, self.end = _layout.supercontig_bounds(h5group) if bounds is None else bounds
        self._continuous = None
        self._seq = None

    def __repr__(self):
        return "<Supercontig '%s', [%d:%d]>" % (self.name, self.start, self.end)

    def __str__(self):
        return str(self.name)

    @property
    def name(self):
        """The name of this supercontig (``supercontig_<i>``).

        >>> with Genome(example_archive) as genome:
        ...     [supercontig.name for supercontig in genome["chr2"]]
        ['supercontig_0', 'supercontig_1']
        """
        return os.path.basename(self.h5group.name)

    @property
    def attrs(self):
        """The attributes of this supercontig (PyTables style: ``attrs.chunk_starts``).

        ``chunk_starts``/``chunk_ends`` (written by close-data) are the supercontig-relative
        bounds of the stretches with data.

        >>> with Genome(example_archive) as genome:
        ...     supercontig = next(iter(genome["chr1"]))
        ...     print(supercontig.attrs.chunk_starts, supercontig.attrs.chunk_ends)
        [272] [59893]
        """
        return AttributeSet(self.h5group)

    _v_attrs = attrs

    def project(self, pos, bound=False):
        """Project a chromosome coordinate to a supercontig coordinate (``bound`` clamps it
        to ``[start, end]`` first).

        >>> with Genome(example_archive) as genome:
        ...     supercontig = list(genome["chr2"])[1]        # [130000, 150000)
        ...     print(supercontig.project(140000), supercontig.project(0, bound=True))
        10000 0
        """
        if bound:
            pos = max(pos, self.start)
            pos = min(pos, self.end)
        return int(pos - self.start)

    def _dataset(self, name):
        return self.h5group.get(name)

    @property
    def continuous(self):
        """The ``continuous`` data (rows = bases, columns = tracks).  Use ``.read()`` for the
        whole array.  Raises :class:`MissingContinuousData` if no track was ever opened.

        >>> with Genome(example_archive) as genome:
        ...     supercontig = list(genome["chr2"])[1]
        ...     print(supercontig.continuous.shape)
        ...     print(supercontig.continuous[10000:10002])   # chr2 bases 140000, 140001
        (20000, 2)
        [[-0.928  5.35 ]
         [ 0.818  5.35 ]]
        """
        if self._continuous is None:
            dataset = _layout.continuous_of(self.h5group, self.end - self.start)
            if dataset is None:
                raise MissingContinuousData(
                    f"{self.name} has no continuous data (no track was opened with "
                    "genomedata open-data)")
            chromosome = self._chromosome
            on_write = fast_read = None
            if chromosome is not None:
                on_write = chromosome._forget_chunks
                fast_read = partial(chromosome._read_supercontig, self)
            self._continuous = DatasetView(dataset, on_write, fast_read)
        return self._continuous

    @property
    def seq(self):
        """The ``seq`` dataset (uint8 ASCII codes).  Raises :class:`MissingSequenceData` for
        archives built from an assembly (AGP) or sizes file.

        >>> with Genome(example_archive) as genome:
        ...     supercontig = next(iter(genome["chr1"]))
        ...     supercontig.seq[0:10].tobytes()
        b'gCgagGtCTg'
        """
        if self._seq is None:
            dataset = _layout.seq_of(self.h5group, self.end - self.start)
            if dataset is None:
                where = f" of {self._chromosome.name}" if self._chromosome is not None else ""
                raise MissingSequenceData(
                    f"{self.name}{where} has no sequence: the archive was built from an "
                    "assembly (AGP) or sizes file, without sequence")
            self._seq = DatasetView(dataset)
        return self._seq

    @property
    def _continuous_dtype(self):
        try:
            return self.continuous.dtype
        except MissingContinuousData:
            return CONTINUOUS_DTYPE

    @property
    def _seq_dtype(self):
        try:
            return self.seq.dtype
        except MissingSequenceData:
            return SEQ_DTYPE


# ------------------------------------------------------------------------------------------------
# Chromosome

class _Index:
    """Supercontigs of an open chromosome in start order, with their bounds as arrays; their
    ``continuous`` datasets (None where absent) and readers are opened when first asked for
    (listing supercontigs, as ``genomedata info contigs`` does for every chromosome, needs
    none of them)."""

    __slots__ = ("supercontigs", "starts", "ends", "_chromosome", "_data")

    def __init__(self, chromosome):
        pairs = _layout.supercontig_groups_with_bounds(chromosome.h5group)
        self.supercontigs = [Supercontig(group, chromosome, bounds) for bounds, group in pairs]
        self.starts = np.array([bounds[0] for bounds, _ in pairs], dtype=np.int64)
        self.ends = np.array([bounds[1] for bounds, _ in pairs], dtype=np.int64)
        self._chromosome = chromosome
        self._data = None

    def _open_data(self):
        """(datasets, readers, chunk_rows, lengths, widths, dtype, raw_file)."""
        if self._data is None:
            chromosome = self._chromosome
            datasets = [_layout.continuous_of(sc.h5group, sc.end - sc.start)
                        for sc in self.supercontigs]
            cache = chromosome._chunk_cache
            # worker threads read chunks by pread only from files opened read-only
            raw_file = (RawFile(chromosome.h5file.filename) if chromosome._mode == "r"
                        else None)
            name = chromosome._name
            readers = [None if ds is None else
                       CachedColumnReader.create(ds, (name, i), cache, raw_file)
                       for i, ds in enumerate(datasets)]
            # per supercontig: chunk height (a dataset HDF5 decodes is one piece), rows and
            # columns stored (0 without a dataset)
            chunk_rows = np.array([
                int(ds.chunks[0]) if reader is not None else max(1, int(ds.shape[0]))
                if ds is not None else 1 for ds, reader in zip(datasets, readers)],
                dtype=np.int64)
            lengths = np.array([0 if ds is None else int(ds.shape[0]) for ds in datasets],
                               dtype=np.int64)
            widths = np.array([0 if ds is None else int(ds.shape[1]) for ds in datasets],
                              dtype=np.int64)
            dtype = next((ds.dtype.newbyteorder("=") for ds in datasets if ds is not None),
                         CONTINUOUS_DTYPE)
            self._data = (datasets, readers, chunk_rows, lengths, widths, dtype, raw_file)
        return self._data

    datasets = property(lambda self: self._open_data()[0])
    readers = property(lambda self: self._open_data()[1])
    chunk_rows = property(lambda self: self._open_data()[2])
    lengths = property(lambda self: self._open_data()[3])
    widths = property(lambda self: self._open_data()[4])
    dtype = property(lambda self: self._open_data()[5])
    raw_file = property(lambda self: self._open_data()[6])

    def close(self):
        if self._data is not None and self._data[6] is not None:
            self._data[6].close()


class Chromosome:
    """The data of one chromosome, usually obtained as ``genome["chr1"]``.

    ``chromosome[bases]`` / ``chromosome[bases, tracks]`` read float32 track values (NaN
    outside supercontigs); ``chromosome.seq[bases]`` reads sequence (``N`` outside);
    ``chromosome.supercontigs[bases]`` lists the overlapping supercontigs.

    ``bases`` is an int or a slice with both bounds (0-based, half-open; no negative
    indices, no steps).  ``tracks`` is a name, an index, a slice, or a list of names and/or
    indexes.  Shapes follow numpy: an int drops its axis.

    >>> with Genome(example_archive) as genome:
    ...     chromosome = genome["chr1"]
    ...     print(chromosome[1000:1003].shape)               # (bases, tracks)
    ...     print(chromosome[300:303, "dnase"])              # (bases,)
    ...     print(chromosome[1000, ["dnase", "conservation"]])
    ...     print(chromosome.seq[0:10].tobytes())
    (3, 2)
    [10.5 10.5 10.5]
    [  nan 0.788]
    b'gCgagGtCTg'
    """

    ChromosomeDirtyError = ChromosomeDirtyError   # genomedata 1.7's name for it

    default_mode = "r"

    def __init__(self, h5group, name=None, mode="r", filename=None, owns_file=False,
                 dirty_ok=False, chunk_cache=None):
        self._isopen = False
        self.h5group = h5group
        self.h5file = h5group.file
        self._name = name if name is not None else os.path.basename(h5group.name)
        self._mode = mode
        self.filename = filename if filename is not None else self.h5file.filename
        self._owns_file = owns_file
        self._index_cache = None
        # decoded chunks: the genome's cache, shared by its chromosomes (read-only only)
        self._chunk_cache = (chunk_cache if chunk_cache is not None and mode == "r" else
                             ChunkCache(CACHE_BYTES if mode == "r" else 0))
        self._tracknames = None
        self._bounds = None
        self._version = None
        if mode == "r":
            if _layout.read_dirty(h5group) and not dirty_ok:
                raise self.ChromosomeDirtyError(dirty_message(self._archive, self._name))
        else:
            # user writes cannot be tracked: every chromosome opened for writing is dirty
            root = self.h5file["/"]
            if _layout.read_format_version(root) is None:
                _layout.write_format_version(root, 0)
            _layout.write_dirty(h5group, True)
        self._seq = _ChromosomeSeq(self)
        self._supercontigs = _Supercontigs(self)
        self._isopen = True

    @classmethod
    def _fromfilename(cls, filename, mode="r", locking=None):
        """Open the chromosome file of a directory archive on its own."""
        path = _files.expand_path(filename)
        handle = _files.open_h5(path, "r" if mode == "r" else "r+", locking)
        try:
            return cls(handle["/"], _layout.chromosome_name_from_filename(path), mode,
                       filename=path, owns_file=True)
        except BaseException:
            handle.close()
            raise

    # -- state
    @property
    def _archive(self) -> str:
        """The archive's path: the directory of a chromosome file, else the file."""
        return os.path.dirname(self.filename) if self._owns_file else self.filename

    def _check_open(self):
        if not self._isopen:
            raise ClosedError(f"chromosome {self._name} is closed")

    @property
    def _index(self) -> _Index:
        index = self._index_cache
        if index is None:
            self._check_open()
            index = self._index_cache = _Index(self)
        return index

    def _forget_chunks(self):
        self._chunk_cache.clear(self._name)

    def _invalidate(self):
        if self._index_cache is not None:
            self._index_cache.close()
        self._index_cache = None
        self._chunk_cache.clear(self._name)
        self._tracknames = None
        self._bounds = None

    @property
    def isopen(self):
        """Whether this chromosome is still open.

        >>> with Genome(example_archive) as genome:
        ...     chromosome = genome["chr1"]
        ...     print(chromosome.isopen)
        True
        >>> chromosome.isopen
        False
        """
        return self._isopen

    @property
    def name(self):
        """The chromosome name (same as ``str(chromosome)``).

        >>> with Genome(example_archive) as genome:
        ...     print(genome["chr1"].name, str(genome["chr2"]))
        chr1 chr2
        """
        return self._name

    @property
    def mode(self):
        """The mode the archive was opened with ("r", "r+", ...).

        >>> with Genome(example_archive) as genome:
        ...     genome["chr1"].mode
        'r'
        """
        return self._mode

    @property
    def attrs(self):
        """The chromosome group's attributes (PyTables style: ``attrs.dirty``).

        In a directory archive the chromosome group is the root of its file, so the
        file-level attributes (``tracknames``, ``genomedata_format_version``) are there too.

        >>> with Genome(example_archive) as genome:
        ...     attrs = genome["chr1"].attrs
        ...     print(bool(attrs.dirty), int(attrs.start), int(attrs.end))
        False 0 60000
        """
        self._check_open()
        return AttributeSet(self.h5group)

    _v_attrs = attrs

    def __str__(self):
        return str(self._name)

    def __repr__(self):
        return "<Chromosome '%s', file='%s'>" % (self._name, self.filename)

    def close(self):
        """Close the chromosome (warns if its data was modified and needs close-data).

        A genome opens it again when it is asked for it.

        >>> with Genome(example_archive) as genome:
        ...     chromosome = genome["chr1"]
        ...     chromosome.close()
        ...     print(chromosome.isopen, genome["chr1"].isopen)
        False True
        """
        if not self._isopen:
            return
        try:
            # a read-only chromosome changed nothing: nothing to warn about
            if self._mode != "r" and self.h5group.id.valid and \
                    _layout.read_dirty(self.h5group):
                warn(MSG_DIRTY_CLOSE, category=GenomedataDirtyWarning, stacklevel=2)
        finally:
            self._isopen = False
            self._invalidate()
            if self._owns_file and self.h5file.id.valid:
                self.h5file.close()

    # -- coordinates
    @property
    def _format_version(self):
        if self._version is None:
            self._version = _layout.format_version_of(self.h5group)
        return self._version

    def _int_bounds(self):
        """(start, end) as Python ints, computed once."""
        if self._bounds is None:
            index = self._index
            computed = (int(index.starts.min()) if len(index.starts) else 0,
                        int(index.ends.max()) if len(index.ends) else 0)
            if self._format_version == 0:
                self._bounds = computed
            else:
                start = _layout.read_int_attr(self.h5group, _layout.ATTR_START)
                end = _layout.read_int_attr(self.h5group, _layout.ATTR_END)
                self._bounds = (computed[0] if start is None else start,
                                computed[1] if end is None else end)
        return self._bounds

    @property
    def start(self):
        """First base of the chromosome: 0 (the stored attribute) for format version >= 1,
        the first supercontig start for version 0.

        As in genomedata 1.7, the stored value is returned (a numpy ``uint32``).

        >>> with Genome(example_archive) as genome:
        ...     int(genome["chr2"].start)
        0
        """
        self._check_open()
        if self._format_version == 0:
            return self._int_bounds()[0]
        value = _layout.read_raw_attr(self.h5group, _layout.ATTR_START)
        return self._int_bounds()[0] if value is None else value

    @property
    def end(self):
        """End of the chromosome (half-open): its length for format version >= 1, the last
        supercontig end for version 0.

        >>> with Genome(example_archive) as genome:
        ...     int(genome["chr2"].end)
        150000
        """
        self._check_open()
        if self._format_version == 0:
            return self._int_bounds()[1]
        value = _layout.read_raw_attr(self.h5group, _layout.ATTR_END)
        return self._int_bounds()[1] if value is None else value

    @property
    def length(self) -> int:
        """The chromosome's length in bases (a Python int; ``end`` for archives of format
        version 1, where ``start`` is 0).  Nothing is stored past it.

        >>> with Genome(example_archive) as genome:
        ...     print(genome["chr2"].length)
        150000
        """
        return int(self.end)

    # -- tracks
    @property
    def tracknames_continuous(self):
        """Names of the data tracks, in column order (empty before any open-data).

        >>> with Genome(example_archive) as genome:
        ...     genome["chr1"].tracknames_continuous
        ['conservation', 'dnase']
        """
        self._check_open()
        if self._tracknames is None:
            self._tracknames = _layout.read_tracknames(self.h5file["/"]) or []
        return list(self._tracknames)

    @property
    def num_tracks_continuous(self):
        """Number of data tracks.

        >>> with Genome(example_archive) as genome:
        ...     genome["chr1"].num_tracks_continuous
        2
        """
        self._check_open()
        if self._tracknames is None:
            self.tracknames_continuous
        return len(self._tracknames)

    def index_continuous(self, trackname):
        """Column index of a track name (KeyError if unknown).

        >>> with Genome(example_archive) as genome:
        ...     genome["chr1"].index_continuous("conservation")
        0
        """
        self._check_open()
        if self._tracknames is None:
            self.tracknames_continuous
        try:
            return self._tracknames.index(trackname)
        except ValueError:
            raise not_found("continuous track", trackname, self._tracknames,
                            self._archive) from None

    def _statistic(self, name):
        self._check_open()
        if name not in self.h5group.attrs:
            raise MissingStatisticsError(
                f"chromosome {self._name} has no statistics ({name}): run genomedata "
                "close-data on the archive after loading data")
        return _layout.read_attr_value(self.h5group, name)

    @property
    def mins(self):
        """Minimum of each track's finite values on this chromosome (close-data).

        >>> with Genome(example_archive) as genome:
        ...     print(genome["chr1"].mins.round(3))
        [-5.078  0.31 ]
        """
        return self._statistic("mins")

    @property
    def maxs(self):
        """Maximum of each track's finite values on this chromosome (close-data).

        >>> with Genome(example_archive) as genome:
        ...     print(genome["chr1"].maxs.round(3))
        [ 5.251 26.44 ]
        """
        return self._statistic("maxs")

    @property
    def sums(self):
        """Sum of each track's finite values on this chromosome (close-data).

        >>> with Genome(example_archive) as genome:
        ...     print(genome["chr1"].sums.round(1).tolist())
        [-1.4, 165857.7]
        """
        return self._statistic("sums")

    @property
    def sums_squares(self):
        """Sum of the squares of each track's finite values on this chromosome.

        >>> with Genome(example_archive) as genome:
        ...     print(genome["chr1"].sums_squares.round(1).tolist())
        [11235.9, 1644030.5]
        """
        return self._statistic("sums_squares")

    @property
    def num_datapoints(self):
        """Number of finite values of each track on this chromosome (close-data).

        >>> with Genome(example_archive) as genome:
        ...     print(genome["chr1"].num_datapoints)
        [ 5000 25993]
        """
        return self._statistic("num_datapoints")

    # -- blocks of one track's values (binned summaries, export)
    def iter_track_blocks(self, col, start, end, block_rows=BLOCK_ROWS):
        """Yield ``(pos, values)`` for the stored data of track column ``col`` within
        ``[start, end)``: ``values`` (float32, 1-D) holds positions ``pos, pos + 1, ...``.

        Only positions inside supercontigs with data are yielded (everything else is missing
        data), in increasing order, in blocks of at most ``block_rows`` rows aligned to the
        dataset's chunks.  The array is reused: use it before asking for the next block.

        >>> with Genome(example_archive) as genome:
        ...     for pos, values in genome["chr1"].iter_track_blocks(1, 270, 275):
        ...         print(pos, values)
        ...     for pos, values in genome["chr2"].iter_track_blocks(1, 29998, 130002):
        ...         print(pos, len(values))         # the gap between supercontigs is skipped
        270 [ nan  nan 10.5 10.5 10.5]
        29998 2
        130000 2
        """
        self._check_open()
        if end <= start:
            return
        index = self._index
        i0, i1 = self._overlap(start, end)
        buffer = None
        for i in range(i0, i1):
            dataset = index.datasets[i]
            if dataset is None or col >= dataset.shape[1]:
                continue
            sc_start = int(index.starts[i])
            row = max(start, sc_start) - sc_start
            # rows past a dataset shorter than its supercontig are missing data
            stop = min(end - sc_start, int(index.ends[i]) - sc_start, int(dataset.shape[0]))
            if stop <= row:
                continue
            chunk_rows = max(1, int(dataset.chunks[0]) if dataset.chunks else 1)
            step = chunk_rows * max(1, int(block_rows) // chunk_rows)
            if buffer is None or len(buffer) < min(step, stop - row):
                buffer = np.empty(min(step, max(stop - row, 1)), dtype=np.float32)
            reader = index.readers[i]
            while row < stop:
                hi = min(stop, (row // step + 1) * step)
                out = buffer[:hi - row]
                if reader is not None:
                    reader.read_column(col, row, out)
                else:
                    self._read_block(index, i, row, col, out.reshape(hi - row, 1))
                yield sc_start + row, out
                row = hi

    def covered_bases(self, start, end) -> int:
        """How many positions :meth:`iter_track_blocks` visits for ``[start, end)``.

        >>> with Genome(example_archive) as genome:
        ...     genome["chr2"].covered_bases(29998, 130002)
        4
        """
        index = self._index
        i0, i1 = self._overlap(start, end)
        total = 0
        for i in range(i0, i1):
            if index.datasets[i] is None:
                continue
            sc_start = int(index.starts[i])
            stop = min(end, int(index.ends[i]), sc_start + int(index.datasets[i].shape[0]))
            total += max(0, stop - max(start, sc_start))
        return total

    # -- binned summaries (genomedata.api.binned)
    def binned(self, start, end, bins, stat="mean", tracks=None, frame=False):
        """Summary ``stat`` ("mean", "min", "max", "sum", "coverage" or "std") of ``tracks``
        (None: all; a name, an index or a list of them) over ``bins`` equal bins of
        ``[start, end)``: float64 array of shape ``(bins, ntracks selected)``.  See
        :mod:`genomedata.api.binned` for the bin edges and missing data.

        Only finite values count; a bin without any has mean/min/max/std NaN, sum 0 and
        coverage 0.  The data are summarised as they are read, so a whole chromosome in
        1000 bins takes little memory.

        ``frame=True`` returns the same numbers as a pandas DataFrame (extra
        ``genomedata[pandas]``): index ``bin``, an ``IntervalIndex`` of the bins' ``[start,
        end)`` (``.loc[position]`` finds the bin of a position), a column per track.

        >>> with Genome(example_archive) as genome:
        ...     print(genome["chr1"].binned(0, 6000, 3, frame=True).round(3))
        track         conservation  dnase
        bin
        [0, 2000)            0.014  6.882
        [2000, 4000)        -0.032  6.062
        [4000, 6000)         0.024  4.112

        >>> with Genome(example_archive) as genome:
        ...     chromosome = genome["chr1"]
        ...     print(chromosome.binned(0, 6000, 3).round(3))
        ...     print(chromosome.binned(0, 6000, 3, "coverage", "conservation"))
        [[ 0.014  6.882]
         [-0.032  6.062]
         [ 0.024  4.112]]
        [[0.5]
         [1. ]
         [1. ]]
        """
        if frame:
            return frames.binned_frame(self, start, end, bins, stat, tracks)
        return binned(self, start, end, bins, stat, tracks)

    def to_dataframe(self, start=None, end=None, tracks=None):
        """The values of ``[start, end)`` (0-based, half-open; default: the whole chromosome)
        as a pandas DataFrame (extra ``genomedata[pandas]``): index ``position`` (the genomic
        coordinate of each base), one float32 column per track of ``tracks`` (None: all, in
        column order; a name, an index or a list of them), columns named by the tracks.

        The values are those of ``chromosome[start:end, tracks]``: NaN outside supercontigs
        and past the chromosome's end, without :class:`OverlapWarning`.

        >>> with Genome(example_archive) as genome:
        ...     frame = genome["chr1"].to_dataframe(270, 274, tracks="dnase")
        >>> print(frame)
        track     dnase
        position
        270         NaN
        271         NaN
        272        10.5
        273        10.5
        >>> print(frame.dtypes.tolist(), float(frame.loc[272, "dnase"]))
        [dtype('float32')] 10.5
        """
        return frames.region_frame(self, start, end, tracks)

    # -- supercontigs
    def __iter__(self):
        """Supercontigs in order of start.

        >>> with Genome(example_archive) as genome:
        ...     list(genome["chr2"])
        [<Supercontig 'supercontig_0', [0:30000]>, <Supercontig 'supercontig_1', [130000:150000]>]

        As in genomedata 1.7, ``iter()`` of a closed chromosome returns an iterator; its
        first ``next()`` raises :class:`ClosedError`.
        """
        yield from list(self._index.supercontigs)

    def itercontinuous(self):
        """``(supercontig, continuous)`` pairs in start order, skipping supercontigs without
        continuous data.

        >>> with Genome(example_archive) as genome:
        ...     for supercontig, continuous in genome["chr2"].itercontinuous():
        ...         print(supercontig.start, supercontig.end, continuous.shape)
        0 30000 (30000, 2)
        130000 150000 (20000, 2)
        """
        for supercontig in self._index.supercontigs:
            try:
                yield supercontig, supercontig.continuous
            except MissingContinuousData:
                continue

    @property
    def supercontigs(self):
        """``chromosome.supercontigs[bases]`` -> list of overlapping supercontigs.

        >>> with Genome(example_archive) as genome:
        ...     chromosome = genome["chr2"]
        ...     print(chromosome.supercontigs[20000:140000])
        ...     print(chromosome.supercontigs[50000:60000])  # inside the gap
        [<Supercontig 'supercontig_0', [0:30000]>, <Supercontig 'supercontig_1', [130000:150000]>]
        []
        """
        return self._supercontigs

    @property
    def seq(self):
        """``chromosome.seq[bases]`` -> uint8 ASCII codes (``N`` outside supercontigs).

        Case is kept as in the FASTA file.  An int gives one numpy uint8.

        >>> with Genome(example_archive) as genome:
        ...     chromosome = genome["chr1"]
        ...     print(chromosome.seq[0:10].tobytes().decode(), chr(chromosome.seq[1]))
        gCgagGtCTg C
        """
        return self._seq

    @property
    def _continuous_dtype(self):
        return self._index.dtype

    @property
    def _seq_dtype(self):
        for supercontig in self._index.supercontigs:
            return supercontig._seq_dtype
        return SEQ_DTYPE

    def _overlap(self, start, stop):
        """Indexes ``[i0, i1)`` of the supercontigs overlapping ``[start, stop)`` clamped to
        the chromosome's ``[start, end]``."""
        index = self._index
        chrom_start, chrom_end = self._int_bounds()
        if start < chrom_start:
            start = chrom_start
        if stop > chrom_end:
            stop = chrom_end
        if start > stop:
            return 0, 0
        i0 = int(np.searchsorted(index.ends, start, side="right"))
        i1 = int(np.searchsorted(index.starts, stop, side="left"))
        return i0, max(i0, i1)

    # -- track keys
    def _track_selection(self, track_key):
        """``(c0, c1, pick, direct)``: read columns ``c0:c1``; ``pick`` = column indexes
        relative to ``c0`` to take from them (None: all, in order); ``direct`` drops the
        track axis."""
        ntracks = self.num_tracks_continuous
        if isinstance(track_key, slice):
            if track_key == slice(None):
                return 0, ntracks, None, False
            cols = range(*track_key.indices(ntracks))
            if not len(cols):
                return 0, 0, None, False
            if cols.step == 1:
                return cols.start, cols.stop, None, False
            c0 = min(cols[0], cols[-1])
            return c0, max(cols[0], cols[-1]) + 1, np.asarray(cols) - c0, False
        if isinstance(track_key, str):
            col = self.index_continuous(track_key)
            return col, col + 1, None, True
        if is_int(track_key):
            cols = range(*slice(int(track_key), int(track_key) + 1).indices(ntracks))
            if not len(cols):
                return 0, 0, None, True
            return cols.start, cols.stop, None, True
        if isinstance(track_key, (list, tuple, np.ndarray)):
            keys = np.asarray(track_key) if isinstance(track_key, np.ndarray) else track_key
            if isinstance(keys, np.ndarray) and keys.dtype == bool:
                if keys.shape != (ntracks,):
                    raise IndexError(f"boolean track mask of shape {keys.shape} for "
                                     f"{ntracks} tracks")
                keys = np.flatnonzero(keys).tolist()
            cols = []
            for item in (keys.tolist() if isinstance(keys, np.ndarray) else keys):
                if isinstance(item, str):
                    cols.append(self.index_continuous(item))
                elif is_int(item):
                    item = int(item)
                    if not 0 <= item < ntracks:
                        raise IndexError(f"track index {item} is out of range for "
                                         f"{ntracks} tracks")
                    cols.append(item)
                else:
                    raise TypeError(f"Unrecognized track indexing method: {track_key}")
            if not cols:
                return 0, 0, None, False
            c0, c1 = min(cols), max(cols) + 1
            if cols == list(range(c0, c1)):
                return c0, c1, None, False
            return c0, c1, np.asarray(cols, dtype=np.intp) - c0, False
        raise TypeError(f"Unrecognized track indexing method: {track_key}")

    # -- reading
    def __getitem__(self, key):
        """Track values of a base position/range and tracks: ``chromosome[100:200]``,
        ``chromosome[100, "dnase"]``, ``chromosome[100:200, [0, 2]]`` (numpy shapes).

        Positions outside supercontigs read NaN (with an :class:`OverlapWarning` when the
        range touches no supercontig, or more than one).

        >>> with Genome(example_archive) as genome:
        ...     chromosome = genome["chr1"]
        ...     print(chromosome[270:275, "dnase"])
        ...     print(chromosome[272:274, [1, 0]])
        ...     print(chromosome[1000, "conservation"])
        [ nan  nan 10.5 10.5 10.5]
        [[10.5   nan]
         [10.5   nan]]
        0.788
        """
        self._check_open()
        base_key, track_key = split_key(key)
        start, stop = key_to_range(base_key)
        base_direct = not isinstance(base_key, slice)
        c0, c1, pick, track_direct = self._track_selection(track_key)
        index = self._index
        dtype = index.dtype
        nrows = stop - start
        ncols = (c1 - c0) if pick is None else len(pick)
        if nrows < 1 or ncols < 1:
            return np.array([], dtype=dtype)

        i0, i1 = self._overlap(start, stop)
        if i1 == i0:
            warn("slice of chromosome data does not overlap any supercontig (filling with "
                 "'NaN')", category=OverlapWarning, stacklevel=2)
        elif i1 - i0 > 1:
            warn("slice of chromosome data spans more than one supercontig (filling gaps "
                 "with 'NaN')", category=OverlapWarning, stacklevel=2)

        if nrows * ncols >= LARGE_READ and dtype == np.float32:
            # a large read: every chunk decoded once, on every core
            columns = list(range(c0, c1)) if pick is None else (pick + c0).tolist()
            out = np.empty(nrows * ncols, dtype=np.float32)
            self._read_regions(np.array([start], dtype=np.int64),
                               np.array([stop], dtype=np.int64), np.zeros(1, dtype=np.int64),
                               columns, out)
            data = out.reshape(nrows, ncols)
            if track_direct:
                data = data[:, 0]
            return data[0] if base_direct else data

        width = c1 - c0
        starts, ends, datasets = index.starts, index.ends, index.datasets
        if (i1 - i0 == 1 and datasets[i0] is not None and starts[i0] <= start
                and stop <= ends[i0]):
            data = np.empty((nrows, width), dtype=dtype)
            self._read_block(index, i0, int(start - starts[i0]), c0, data)
        else:
            data = np.full((nrows, width), np.nan, dtype=dtype)
            for i in range(i0, i1):
                if datasets[i] is None:
                    continue
                sc_start = int(starts[i])
                lo = max(start, sc_start)
                hi = min(stop, int(ends[i]))
                self._read_block(index, i, lo - sc_start, c0, data[lo - start:hi - start])

        if pick is not None:
            data = data[:, pick]
        if track_direct:
            data = data[:, 0]
        if base_direct:
            data = data[0]
        return data

    @staticmethod
    def _read_block(index, i, row, col, out):
        """``out[:] = continuous[row:row+n, col:col+m]`` of the i-th supercontig."""
        dataset = index.datasets[i]
        nrows, ncols = out.shape
        shape = dataset.shape
        if row + nrows <= shape[0] and col + ncols <= shape[1]:
            reader = index.readers[i]
            if reader is not None:
                reader.read(row, col, out)
            else:
                read_hyperslab(dataset, row, col, out)
            return
        # a dataset smaller than its supercontig or its track list: read what exists
        rows = max(0, min(nrows, shape[0] - row))
        cols = max(0, min(ncols, shape[1] - col))
        if rows and cols:
            out[:rows, :cols] = dataset[row:row + rows, col:col + cols]

    # -- many windows at once, and large reads: the parallel engine of archive.blocks
    def _read_regions(self, starts, ends, dest, columns, out, jobs=None) -> None:
        """Track values of the windows ``[starts[r], ends[r])`` (int64 arrays) into the flat
        float32 array ``out``: base ``x`` of window ``r``, the ``t``-th of track ``columns``
        (column indexes, any order, repeats allowed) at ``out[dest[r] + (x - starts[r]) *
        len(columns) + t]``.  Positions outside supercontigs or past the stored rows and
        columns read NaN.  Each chunk is decoded once however many windows touch it.

        With a list ``jobs``, the chunks to decode are appended to it as
        :class:`~genomedata.archive.blocks.PieceJob` s for the caller to run (the windows of
        several chromosomes in one pass), and only the NaN are written here."""
        run = jobs is None
        jobs = [] if run else jobs
        stride = len(columns)
        if not len(starts) or not stride:
            return
        index = self._index
        sc_starts = index.starts
        stored_ends = sc_starts + np.minimum(index.ends - sc_starts, index.lengths)
        i0 = np.searchsorted(index.ends, starts, side="right")
        i1 = np.searchsorted(sc_starts, ends, side="left")
        # windows read whole from one supercontig need no NaN first
        one = i1 - i0 == 1
        j = np.minimum(i0, max(len(sc_starts) - 1, 0))
        covered = one & (len(sc_starts) > 0)
        if len(sc_starts):
            covered &= ((sc_starts[j] <= starts) & (ends <= stored_ends[j])
                        & (index.widths[j] > max(columns)))
        for r in np.flatnonzero(~covered).tolist():
            # NaN where no supercontig stores rows (columns it does not store: below)
            pos, end, base = int(starts[r]), int(ends[r]), int(dest[r]) - int(starts[r]) * stride
            for i in range(int(i0[r]), int(i1[r])):
                lo, hi = max(pos, int(sc_starts[i])), min(end, int(stored_ends[i]))
                if hi > lo:
                    out[base + pos * stride:base + lo * stride] = np.nan
                    pos = hi
            out[base + pos * stride:base + end * stride] = np.nan
        counts = np.maximum(i1 - i0, 0)
        total = int(counts.sum())
        if not total:
            return
        # (window, supercontig) pairs, then their parts in each chunk
        region = np.repeat(np.arange(len(starts)), counts)
        sc = i0[region] + np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        lo = np.maximum(starts[region], sc_starts[sc])
        hi = np.minimum(ends[region], stored_ends[sc])
        keep = hi > lo
        region, sc, lo, hi = region[keep], sc[keep], lo[keep], hi[keep]
        rows = index.chunk_rows[sc]
        row_lo, row_hi = lo - sc_starts[sc], hi - sc_starts[sc]
        k0 = row_lo // rows
        nk = (row_hi - 1) // rows - k0 + 1
        piece = np.repeat(np.arange(len(sc)), nk)
        k = k0[piece] + np.arange(int(nk.sum())) - np.repeat(np.cumsum(nk) - nk, nk)
        rows, sc, region = rows[piece], sc[piece], region[piece]
        base = k * rows
        first = np.maximum(row_lo[piece], base)
        counts = np.minimum(row_hi[piece], base + rows) - first
        firsts = first - base
        dests = dest[region] + (sc_starts[sc] + first - starts[region]) * stride
        # one job per chunk and column, in file order
        order = np.lexsort((k, sc))
        sc, k, firsts, counts, dests = sc[order], k[order], firsts[order], counts[order], \
            dests[order]
        bounds = np.flatnonzero((np.diff(sc) != 0) | (np.diff(k) != 0)) + 1
        bounds = [0] + bounds.tolist() + [len(sc)]
        widths = index.widths
        for g in range(len(bounds) - 1):
            a, b = bounds[g], bounds[g + 1]
            i = int(sc[a])
            reader = index.readers[i]
            f, c, d = firsts[a:b], counts[a:b], dests[a:b]
            width = int(widths[i])
            stored = [(t, column) for t, column in enumerate(columns) if column < width]
            for t, column in enumerate(columns):
                if column >= width:          # columns a dataset does not store: NaN
                    for p in range(b - a):
                        out[d[p] + t:d[p] + t + c[p] * stride:stride] = np.nan
            if reader is not None:
                if stored:
                    jobs.append(PieceJob(reader, int(k[a]), [column for _, column in stored],
                                         np.array([t for t, _ in stored], dtype=np.int64),
                                         f, c, d))
                continue
            for t, column in stored:         # a layout HDF5 decodes: one hyperslab a piece
                for p in range(b - a):
                    values = np.empty((int(c[p]), 1), dtype=np.float32)
                    read_hyperslab(index.datasets[i], int(k[a] * index.chunk_rows[i] + f[p]),
                                   column, values)
                    out[d[p] + t:d[p] + t + c[p] * stride:stride] = values[:, 0]
        if run and jobs:
            read_pieces(jobs, out, stride, self._chunk_cache)

    def _read_supercontig(self, supercontig, row0, row1, col0, col1):
        """Rows ``row0:row1``, columns ``col0:col1`` of a supercontig's ``continuous`` read
        by the parallel engine (large reads of ``itercontinuous``'s arrays); None when the
        box is not one it reads (HDF5 reads it)."""
        index = self._index
        try:
            i = index.supercontigs.index(supercontig)
        except ValueError:
            return None
        nrows, ncols = row1 - row0, col1 - col0
        if (index.readers[i] is None or not 0 <= row0 <= row1 <= index.lengths[i]
                or not 0 <= col0 <= col1 <= index.widths[i] or nrows * ncols < LARGE_READ):
            return None
        out = np.empty(nrows * ncols, dtype=np.float32)
        start = supercontig.start + row0
        self._read_regions(np.array([start], dtype=np.int64),
                           np.array([start + nrows], dtype=np.int64),
                           np.zeros(1, dtype=np.int64), list(range(col0, col1)), out)
        return out.reshape(nrows, ncols)

    # -- writing
    def _gap_around(self, position) -> str:
        """Where ``position`` (outside every supercontig) lies, in words."""
        index = self._index
        i = int(np.searchsorted(index.starts, position, side="right"))
        before = index.supercontigs[i - 1] if i else None
        after = index.supercontigs[i] if i < len(index.supercontigs) else None
        if before is not None and after is not None:
            return (f"the gap between supercontigs [{before.start}, {before.end}) and "
                    f"[{after.start}, {after.end})")
        if after is not None:
            return f"the stretch before the first supercontig [{after.start}, {after.end})"
        if before is not None:
            return f"the stretch after the last supercontig [{before.start}, {before.end})"
        return "a chromosome without supercontigs"

    def _check_region_inside_supercontigs(self, supercontigs, start, end):
        """A write must lie inside supercontigs: an archive stores no values in the gaps
        between them (runs of N in the sequence), nor before the first or after the last."""
        where = f"{self._name} {start} {end}"
        nothing = "an archive stores no values there (nothing written)"
        if not supercontigs:
            raise GenomedataValueError(
                f"{where} sequence does not overlap any supercontig: it lies in "
                f"{self._gap_around(start)}; {nothing}")
        for previous, current in zip(supercontigs, supercontigs[1:]):
            if current.start > previous.end:
                raise GenomedataValueError(
                    f"{where} sequence overlaps gaps in supercontigs: bases {previous.end} to "
                    f"{current.start} lie in {self._gap_around(previous.end)}; {nothing}; "
                    "write the parts inside supercontigs one by one")
        if start < supercontigs[0].start:
            raise GenomedataValueError(
                f"{where} sequence overlaps before beginning of earliest supercontig: bases "
                f"{start} to {supercontigs[0].start} lie in {self._gap_around(start)}; "
                f"{nothing}")
        last = max(sc.end for sc in supercontigs)
        if end > last:
            raise GenomedataValueError(
                f"{where} sequence overlaps after end of furthest supercontig: bases {last} "
                f"to {end} lie in {self._gap_around(last)}; {nothing}")

    def __setitem__(self, key, value):
        """Write track values (archive opened with mode "r+"); the range must lie inside
        supercontigs.  ``value`` broadcasts like numpy over the selection.

        Run :func:`genomedata.close_data` afterwards so that the statistics are recomputed.

        >>> path = writable_copy()
        >>> with Genome(path, "r+") as genome:
        ...     chromosome = genome["chr1"]
        ...     chromosome[100:103, "dnase"] = 2.5
        ...     chromosome[103, ["conservation", "dnase"]] = [-1.0, 3.0]
        ...     print(chromosome[100:104])
        [[ nan  2.5]
         [ nan  2.5]
         [ nan  2.5]
         [-1.   3. ]]
        """
        if not self._isopen or self._mode != "r+":
            raise OSError(MSG_NOT_WRITABLE)
        base_key, track_key = split_key(key)
        start, stop = key_to_range(base_key)
        base_direct = not isinstance(base_key, slice)
        c0, c1, pick, track_direct = self._track_selection(track_key)
        index = self._index
        i0, i1 = self._overlap(start, stop)
        supercontigs = index.supercontigs[i0:i1]
        self._check_region_inside_supercontigs(supercontigs, start, stop)
        for i in range(i0, i1):
            if index.datasets[i] is None:
                raise MissingContinuousData(
                    f"{self._name} {index.supercontigs[i].name} has no continuous data "
                    "(open tracks with genomedata open-data first; nothing written)")

        nrows = stop - start
        ncols = (c1 - c0) if pick is None else len(pick)
        shape = ([] if base_direct else [nrows]) + ([] if track_direct else [ncols])
        values = np.broadcast_to(np.asarray(value, dtype=index.dtype), tuple(shape))
        if nrows < 1 or ncols < 1:
            return
        values = values.reshape(nrows, ncols)

        self._chunk_cache.clear(self._name)
        for i in range(i0, i1):
            dataset = index.datasets[i]
            sc_start = int(index.starts[i])
            lo = max(start, sc_start)
            hi = min(stop, int(index.ends[i]))
            rows = slice(lo - sc_start, hi - sc_start)
            part = values[lo - start:hi - start]
            if pick is None:
                dataset[rows, c0:c1] = np.ascontiguousarray(part)
            else:
                block = dataset[rows, c0:c1]
                block[:, pick] = part
                dataset[rows, c0:c1] = block

    # -- modification
    def _set_dirty(self):
        _layout.write_dirty(self.h5group, True)

    def _erase_data(self, trackname):
        """Write NaN over the whole column of a track (marks the chromosome dirty)."""
        self._check_open()
        column = self.index_continuous(trackname)
        self._set_dirty()
        self._chunk_cache.clear(self._name)
        for dataset in self._index.datasets:
            if dataset is None or column >= dataset.shape[1]:
                continue
            erase_column(dataset, column)

    def add_trackname(self, trackname):
        """Append a track name to the ``tracknames`` of this chromosome's file.

        Low level (it does not add the data column): use
        :meth:`Genome.add_track_continuous` or :func:`genomedata.open_data` to add a track.

        >>> with Genome(writable_copy(), "r+") as genome:
        ...     genome["chr1"].add_trackname("extra")
        ...     genome["chr1"].tracknames_continuous
        ['conservation', 'dnase', 'extra']
        """
        self._check_open()
        root = self.h5file["/"]
        names = _layout.read_tracknames(root) or []
        if trackname in names:
            raise GenomedataValueError(f"track {trackname} already exists")
        _layout.write_tracknames(root, names + [trackname])
        self._tracknames = None


class _ChromosomeSeq:
    """``chromosome.seq[key]``: uint8 sequence, ``N`` outside supercontigs."""

    def __init__(self, chromosome):
        self._chromosome = chromosome

    def __getitem__(self, key):
        chromosome = self._chromosome
        supercontigs = chromosome.supercontigs[key]
        if not supercontigs:
            warn("slice of chromosome sequence does not overlap any supercontig (filling "
                 "with 'N')", category=OverlapWarning, stacklevel=2)
        elif len(supercontigs) > 1:
            warn("slice of chromosome sequence spans more than one supercontig (filling "
                 "gaps with 'N')", category=OverlapWarning, stacklevel=2)
        start, stop = key_to_range(key)
        views = [sc.seq for sc in supercontigs]  # MissingSequenceData before reading
        length = stop - start
        dtype = views[0].dtype if views else SEQ_DTYPE
        if length <= 0:
            return np.array([], dtype=dtype)
        seq = np.full(length, _N, dtype=dtype)
        for supercontig, view in zip(supercontigs, views):
            lo = max(start, supercontig.start)
            hi = min(stop, supercontig.end)
            if hi <= lo:
                continue
            out = seq[lo - start:hi - start]
            row = lo - supercontig.start
            if row + len(out) <= view.shape[0]:
                read_hyperslab(view.dataset, row, 0, out)
            else:
                available = max(0, view.shape[0] - row)
                out[:available] = view.dataset[row:row + available]
        if is_int(key):
            return seq[0]
        return seq


class _Supercontigs:
    """``chromosome.supercontigs[key]``: supercontigs overlapping a range (clamped to the
    chromosome), in start order."""

    def __init__(self, chromosome):
        self._chromosome = chromosome

    def __getitem__(self, key):
        chromosome = self._chromosome
        chromosome._check_open()
        start, stop = key_to_range(key)
        i0, i1 = chromosome._overlap(start, stop)
        return chromosome._index.supercontigs[i0:i1]
