"""``Genome``: the root of the Python API, over a directory or single-file archive.

    >>> with Genome(example_archive) as genome:
    ...     print(genome["chr1"][1000:1003, "conservation"])
    [ 0.788 -3.159  2.31 ]

Differences from genomedata 1.7.4 (documented in the API docs): mode "w" opens an existing
archive for writing instead of truncating it; ``tracknames_continuous`` is ``[]`` (not an
AttributeError) before any track was opened; ``close()`` closes the chromosomes that were opened
and does not open (and mark dirty) the others; duplicate track names are refused; opening
read-only never writes to a file.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from ..archive import files as _files
from ..archive import layout as _layout
from ..archive.blocks import CACHE_BYTES, ChunkCache, read_pieces
from ..archive.tracks import add_tracks, chunk_rows_of
from ..errors import (ClosedError, GenomedataError, GenomedataValueError, MissingStatisticsError,
                      dirty_message, not_found)
from . import frames
from .binned import stackup, summarize
from .chromosome import Chromosome
from .keys import is_int

MODES = ("r", "r+", "a", "w")


class _ChromosomeList:
    """The chromosomes of an open genome, memoised while open (``open_chromosomes``): the same
    object is returned for a name until it is closed.  A kind of genome says which names it
    has (``names``, ``in``), where (``_where``, for messages) and opens one (``_open``)."""

    def __init__(self, genome):
        self._genome = genome
        self.open_chromosomes = {}

    def __getitem__(self, name):
        chromosome = self.open_chromosomes.get(name)
        if chromosome is not None and chromosome.isopen:
            return chromosome
        if name not in self:
            raise not_found("chromosome", name, self.names(), self._where())
        chromosome = self.open_chromosomes[name] = self._open(name)
        return chromosome

    def __iter__(self):
        for name in self.names():
            yield self[name]

    def close(self) -> None:
        try:
            for chromosome in list(self.open_chromosomes.values()):
                if chromosome.isopen:
                    chromosome.close()
        finally:
            self.open_chromosomes.clear()


class _ArchiveChromosomes(_ChromosomeList):
    """The chromosomes of an open archive."""

    def __init__(self, files: _files.ArchiveFiles, mode: str, genome=None, dirty_ok=False):
        super().__init__(genome)
        self._files = files
        self._mode = mode
        self._dirty_ok = dirty_ok

    def names(self) -> list[str]:
        return self._files.chromosome_names()

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and bool(name) and self._files.has_chromosome(name)

    def _where(self) -> str:
        return self._files.path

    def first_dirty(self):
        """The first chromosome (in archive order) modified and not closed with close-data,
        or None: read from the chromosome groups, without opening the chromosomes."""
        files = self._files
        return next((name for name in self.names()
                     if _layout.read_dirty(files.chromosome_group(name))), None)

    def _open(self, name) -> Chromosome:
        files = self._files
        genome = self._genome
        chromosome = Chromosome(files.chromosome_group(name), name, self._mode,
                                filename=files.filename_of(name),
                                owns_file=files.kind == "directory", dirty_ok=self._dirty_ok,
                                chunk_cache=getattr(genome, "_chunk_cache", None))
        # a chromosome keeps its genome (and so its files) open while the caller holds it:
        # ``Genome(path)["chr1"][0:10]`` works without naming the genome
        chromosome._genome = self._genome
        return chromosome


class Genome:
    """A Genomedata archive: a directory of ``<chrom>.genomedata`` files or a single file.

    ``Genome(path)`` opens read-only; ``Genome(path, "r+")`` or ``mode="r+"`` for writing
    (``"a"`` and ``"w"`` open an existing archive for writing too; neither creates or empties
    one: archives are created by :func:`~genomedata.ops.load.load_genomedata` or
    ``genomedata load``).  ``locking=False`` turns HDF5 file locking off (file systems
    without locks).  Use it as a context manager, or call :meth:`close`.  A bigWig file opens
    as a read-only genome with one track.

    Coordinates are 0-based and half-open, as in BED: ``chromosome[1000:2000]`` is bases
    1000 to 1999.  NaN means "no data".  A read-only genome refuses an archive that was
    modified and not closed with ``genomedata close-data`` (``ChromosomeDirtyError``).

    >>> from genomedata import Genome
    >>> with Genome(example_archive) as genome:
    ...     print(genome.tracknames_continuous)
    ...     chromosome = genome["chr1"]
    ...     print(chromosome[1000:1003])      # rows = bases, columns = tracks
    ['conservation', 'dnase']
    [[ 0.788    nan]
     [-3.159    nan]
     [ 2.31     nan]]
    """

    def __new__(cls, filename=None, *args, **kwargs):
        if cls is Genome and filename is not None:
            try:
                kind = _files.archive_kind(filename)
            except (OSError, ValueError, TypeError):
                kind = None  # __init__ reports it
            if kind == "bigwig":
                from .bigwig import BigWigGenome   # (a bigWig genome is a Genome: imported here)
                return super().__new__(BigWigGenome)
        return super().__new__(cls)

    def __init__(self, filename, *args, **kwargs):
        self._isopen = False
        self._files = None
        # reading only names and coordinates, which close-data does not change (genomedata
        # info): a dirty archive is not refused
        self._dirty_ok = kwargs.pop("_dirty_ok", False)
        self.filename = filename
        self.args = args
        self.kwargs = kwargs
        mode = kwargs.get("mode", args[0] if args else "r")
        if mode not in MODES:
            raise GenomedataValueError(f"invalid mode {mode!r} for a Genomedata archive: use "
                                       "'r', 'r+' or 'a'")
        self._mode = mode
        self._chunk_cache = ChunkCache(CACHE_BYTES if mode == "r" else 0)
        self._path = _files.expand_path(filename)
        kind = _files.archive_kind(self._path)
        if kind == "bigwig":
            raise GenomedataValueError(f"{filename} is a bigWig file, not a Genomedata "
                                       "archive")
        self._isfile = kind == "file"
        self._files = _files.ArchiveFiles(self._path, "r" if mode == "r" else "r+",
                                          locking=kwargs.get("locking"), kind=kind)
        self._chromosomes = _ArchiveChromosomes(self._files, mode, self, self._dirty_ok)
        self._context_count = 0
        try:
            try:
                roots = self._files.roots()
            except GenomedataError:
                raise
            except OSError as exc:
                raise OSError(f"Could not open Genomedata archive {self._path}: "
                              f"{exc}") from None
            _layout.check_format_version(self._probe(roots))
        except BaseException:
            self._files.close()
            raise
        self._isopen = True

    def _probe(self, roots):
        """The archive's format version; in directory mode read-only, a dirty chromosome
        file is an error at once (as in the reference, whose probe opens every file)."""
        if self._isfile:
            return _layout.read_format_version(roots[0])
        version = None
        for root in roots:
            if self._mode == "r" and not self._dirty_ok and _layout.read_dirty(root):
                name = _layout.chromosome_name_from_filename(root.file.filename)
                raise Chromosome.ChromosomeDirtyError(dirty_message(self.filename, name))
            this = _layout.read_format_version(root)
            this = 0 if this is None else this
            if version is None:
                version = this
            elif this != version:
                raise GenomedataError(f"chromosome files of {self._path} have different "
                                      f"format versions ({version} and {this})")
        return version

    # -- state
    def _check_open(self):
        if not self._isopen:
            raise ClosedError(f"Genomedata archive {self.filename} is closed")

    @property
    def isopen(self):
        """Whether the archive is open.

        >>> genome = Genome(example_archive)
        >>> genome.isopen
        True
        >>> genome.close()
        >>> genome.isopen
        False
        """
        return self._isopen

    @property
    def mode(self):
        """The mode the archive was opened with.

        >>> with Genome(example_archive) as genome:
        ...     genome.mode
        'r'
        """
        return self._mode

    def close(self):
        """Close every open chromosome (warning for modified ones) and the files.

        Closing twice is harmless; a ``with`` block closes the genome at its end.

        >>> genome = Genome(example_archive)
        >>> chromosome = genome["chr1"]
        >>> genome.close()
        >>> chromosome.isopen
        False
        """
        if not self._isopen:
            return
        try:
            self._chromosomes.close()
        finally:
            self._files.close()
            self._isopen = False

    def __enter__(self):
        self._check_open()
        self._context_count += 1
        return self

    def __exit__(self, exc_type, exc_value, exc_tb):
        self._context_count -= 1
        if self._context_count <= 0:
            self._context_count = 0
            self.close()

    def __del__(self):
        try:
            if getattr(self, "_isopen", False):
                self.close()
        except Exception:  # noqa: BLE001 - never raise from a finaliser
            pass

    def __repr__(self):
        items = ["'%s'" % self.filename]
        if self.args:
            items.append("*%r" % (self.args,))
        if self.kwargs:
            items.append("**%r" % (self.kwargs,))
        return "Genome(%s)" % ", ".join(items)

    __str__ = __repr__

    # -- chromosomes
    def __iter__(self):
        """Chromosomes in archive order (directory: sorted file paths; file: sorted names).

        >>> with Genome(example_archive) as genome:
        ...     [chromosome.name for chromosome in genome]
        ['chr1', 'chr2']
        """
        self._check_open()
        return iter(self._chromosomes)

    def __getitem__(self, name) -> Chromosome:
        """The chromosome called ``name`` (KeyError if there is none).  The same object is
        returned while the genome is open.

        >>> with Genome(example_archive) as genome:
        ...     chromosome = genome["chr2"]
        ...     print(chromosome.name, int(chromosome.end), chromosome is genome["chr2"])
        chr2 150000 True
        """
        self._check_open()
        return self._chromosomes[name]

    def __contains__(self, name) -> bool:
        """Whether the archive has a chromosome called ``name``.

        >>> with Genome(example_archive) as genome:
        ...     print("chr1" in genome, "chrZ" in genome)
        True False
        """
        self._check_open()
        return name in self._chromosomes

    # -- tracks
    @property
    def format_version(self):
        """``genomedata_format_version`` (None: single file without it, or empty directory).

        Archives written by genomedata 1.2 and later, and by this package, are version 1.

        >>> with Genome(example_archive) as genome:
        ...     genome.format_version
        1
        """
        self._check_open()
        if self._isfile:
            return _layout.read_format_version(self._files.single_file())
        return self._probe(self._files.roots())

    @property
    def tracknames_continuous(self):
        """Names of the data tracks, in column order ([] before any track is opened).

        >>> with Genome(example_archive) as genome:
        ...     genome.tracknames_continuous
        ['conservation', 'dnase']
        """
        self._check_open()
        roots = self._files.roots()
        result = None
        for root in roots:
            names = _layout.read_tracknames(root) or []
            if result is None:
                result = names
            elif names != result:
                raise GenomedataError(
                    f"chromosome files of {self._path} have different track names: "
                    f"{result} and {names} ({root.file.filename})")
        return result or []

    @property
    def num_tracks_continuous(self):
        """Number of data tracks.

        >>> with Genome(example_archive) as genome:
        ...     genome.num_tracks_continuous
        2
        """
        return len(self.tracknames_continuous)

    def index_continuous(self, trackname):
        """Column index of a track (KeyError if unknown).

        >>> with Genome(example_archive) as genome:
        ...     genome.index_continuous("dnase")
        1
        """
        try:
            return self.tracknames_continuous.index(trackname)
        except ValueError:
            raise not_found("continuous track", trackname, self.tracknames_continuous,
                            self.filename) from None

    def _check_writable(self):
        self._check_open()
        if self._mode == "r":
            raise OSError("Genomedata archive not opened for writing")

    def add_track_continuous(self, trackname, chunk_rows=None):
        """Add an empty track (NaN) to every chromosome; marks the archive dirty.

        ``chunk_rows`` sets the chunk height of ``continuous`` datasets created now (default:
        that of existing ones, else 10000).  A name the archive already has is refused.  This
        is what ``genomedata open-data`` does (see :func:`genomedata.open_data`); fill the
        track by assignment or with :func:`genomedata.load_data`, then run
        :func:`genomedata.close_data`.

        >>> from genomedata import close_data
        >>> path = writable_copy()
        >>> with Genome(path, "r+") as genome:
        ...     genome.add_track_continuous("mappability")
        ...     genome["chr1"][0:5000, "mappability"] = 1.0
        >>> close_data(path)
        >>> with Genome(path) as genome:
        ...     print(genome.tracknames_continuous, genome.num_datapoints)
        ['conservation', 'dnase', 'mappability'] [16000 45922  5000]
        """
        self._check_writable()
        version = self.format_version
        if version is None and self._isfile:
            version = 0
        _layout.check_can_add_tracks(version)
        if not isinstance(trackname, str):
            raise TypeError(f"a track name must be a string, not {trackname!r}")
        names = self.tracknames_continuous
        if trackname in names:
            raise GenomedataValueError(f"track {trackname} already exists")
        _layout.check_trackname(trackname)
        _layout.check_tracknames_fit(names + [trackname])
        add_tracks(self._files, [trackname], chunk_rows or chunk_rows_of(self._files))
        for chromosome in self._chromosomes.open_chromosomes.values():
            chromosome._invalidate()   # its datasets have one more column now

    def erase_data(self, trackname):
        """Write NaN over a whole track in every chromosome; marks the archive dirty.

        The track keeps its name and column; run :func:`genomedata.close_data` afterwards.
        :func:`genomedata.erase_data` does the same on an archive path.

        >>> from genomedata import close_data
        >>> path = writable_copy()
        >>> with Genome(path, "r+") as genome:
        ...     genome.erase_data("dnase")
        >>> close_data(path)
        >>> with Genome(path) as genome:
        ...     print(genome.num_datapoints)
        [16000     0]
        """
        self._check_writable()
        self.index_continuous(trackname)  # KeyError before anything is written
        for chromosome in self:
            chromosome._erase_data(trackname)

    # -- many windows at once
    def read_regions(self, chroms, starts, ends, tracks=None, frame=False):
        """Track values of many windows at once: window ``k`` is ``chroms[k]:starts[k]-
        ends[k]`` (0-based, half-open; ``chroms`` may be one name for every window).

        Returns a float32 array of shape ``(windows, length, tracks)`` when every window
        has the same length, else a list of ``(length_k, tracks)`` arrays, in the order
        given.  ``tracks``: None (all, in column order), or a name, an index, or a list of
        names and indexes (in that order; the track axis is always kept).  Values are
        those of ``genome[chroms[k]][starts[k]:ends[k], tracks]``: NaN outside supercontigs
        and past the chromosome's end (no :class:`OverlapWarning`).  Each stored chunk is
        decoded once however many windows touch it, on every core.

        ``frame=True`` returns one long pandas DataFrame instead (extra
        ``genomedata[pandas]``): a row per base of every window, index ``(region, chrom,
        position)`` (``region``: the window's number in the order given), a float32 column
        per track; ``frame.xs(k, level="region")`` is window ``k``, ``frame.groupby(level=
        "region").mean()`` a mean per window.

        >>> with Genome(example_archive) as genome:
        ...     frame = genome.read_regions(["chr1", "chr2"], [1000, 149999], [1002, 150001],
        ...                                 tracks="dnase", frame=True)
        >>> print(frame)
        track                  dnase
        region chrom position
        0      chr1  1000        NaN
                     1001        NaN
        1      chr2  149999     1.78
                     150000      NaN

        >>> with Genome(example_archive) as genome:
        ...     values = genome.read_regions(["chr1", "chr2"], [1000, 149999], [1003, 150002],
        ...                                  tracks=["dnase", "conservation"])
        ...     print(values.shape)
        ...     print(values[1])             # chr2 ends at 150000
        ...     parts = genome.read_regions("chr1", [272, 0], [274, 1], tracks="dnase")
        ...     print([part.shape for part in parts], parts[0][:, 0])
        (2, 3, 2)
        [[1.78  nan]
         [ nan  nan]
         [ nan  nan]]
        [(2, 1), (1, 1)] [10.5 10.5]
        """
        self._check_open()
        if frame:
            frames.pandas()   # the missing extra before any work
        starts = np.asarray(starts)
        ends = np.asarray(ends)
        if starts.ndim != 1 or ends.ndim != 1 or len(starts) != len(ends):
            raise GenomedataValueError("read_regions: starts and ends must be sequences of "
                                       f"the same length (got {len(np.atleast_1d(starts))} "
                                       f"and {len(np.atleast_1d(ends))})")
        count = len(starts)
        for name, array in (("starts", starts), ("ends", ends)):
            if count and array.dtype.kind not in "iu":
                raise GenomedataValueError(f"read_regions: {name} must be integers, not "
                                           f"{array.dtype}")
        starts = starts.astype(np.int64)
        ends = ends.astype(np.int64)
        chroms = [chroms] * count if isinstance(chroms, str) else list(chroms)
        if len(chroms) != count:
            raise GenomedataValueError(f"read_regions: {len(chroms)} chromosome names for "
                                       f"{count} windows")
        bad = np.flatnonzero((starts < 0) | (ends < starts))
        if len(bad):
            k = int(bad[0])
            raise GenomedataValueError(
                f"read_regions: window {k} ({chroms[k]}:{starts[k]}-{ends[k]}) has a "
                f"negative start or ends before it starts")
        if tracks is None:
            keys = list(range(self.num_tracks_continuous))
        elif isinstance(tracks, str) or is_int(tracks):
            keys = [tracks]
        else:
            keys = list(tracks)
        ntracks = len(keys)
        lengths = ends - starts
        equal = count > 0 and bool((lengths == lengths[0]).all())
        out, offsets = self._read_flat(chroms, starts, ends, keys)
        if frame:
            names = self.tracknames_continuous
            labels = [key if isinstance(key, str) else names[int(key)] for key in keys]
            return frames.regions_frame(out, chroms, starts, ends, labels)
        if equal or not count:
            return out.reshape(count, int(lengths[0]) if count else 0, ntracks)
        return [out[offsets[k]:offsets[k] + lengths[k] * ntracks].reshape(-1, ntracks)
                for k in range(count)]

    def _read_flat(self, chroms, starts, ends, keys):
        """:meth:`read_regions` of checked arguments (int64 ``starts``/``ends``, a list of
        names ``chroms``, a list of track ``keys``) into one flat float32 array: ``(out,
        offsets)``, base ``x`` of window ``k``, track ``t``, at ``out[offsets[k] + (x -
        starts[k]) * len(keys) + t]``."""
        count = len(starts)
        ntracks = len(keys)
        lengths = ends - starts
        offsets = np.zeros(count, dtype=np.int64)
        if count:
            np.cumsum(lengths[:-1] * ntracks, out=offsets[1:])
        out = np.empty(int(lengths.sum()) * ntracks, dtype=np.float32)
        groups = {}
        for k, name in enumerate(chroms):
            groups.setdefault(name, []).append(k)
        opened = {name: self[name] for name in groups}   # KeyError before reading anything
        jobs = []       # the chunks of every chromosome, decoded in one pass
        for name, members in groups.items():
            chromosome = opened[name]
            columns = [chromosome.index_continuous(key) if isinstance(key, str)
                       else _track_index(key, chromosome.num_tracks_continuous)
                       for key in keys]
            members = np.asarray(members, dtype=np.int64)
            chromosome._read_regions(starts[members], ends[members], offsets[members],
                                     columns, out, jobs)
        if jobs:
            read_pieces(jobs, out, ntracks, self._chunk_cache)
        return out, offsets

    @property
    def chunk_cache_size(self) -> int:
        """Bytes of decoded chunks this genome keeps for the next reads (read-only archives;
        default 64 MiB, ``genomedata.archive.blocks.CACHE_BYTES``).  Set it to change the
        bound (0 turns the cache off).

        >>> with Genome(example_archive) as genome:
        ...     print(genome.chunk_cache_size)
        ...     genome.chunk_cache_size = 256 * 2 ** 20
        67108864
        """
        cache = getattr(self, "_chunk_cache", None)
        return 0 if cache is None else cache.max_bytes

    @chunk_cache_size.setter
    def chunk_cache_size(self, value):
        cache = getattr(self, "_chunk_cache", None)
        if cache is not None and self._mode == "r":
            cache.resize(value)

    # -- binned summaries (genomedata.api.binned)
    def stackup(self, chroms, starts, ends, bins, stat="mean", track=None, frame=False):
        """Summary ``stat`` of one ``track`` over ``bins`` equal bins of each region
        ``chroms[k]:starts[k]-ends[k]``: float64 array of shape ``(N, bins)`` (see
        :meth:`Chromosome.binned`).

        ``chroms`` is a list of chromosome names or one name for every region; ``track`` (a
        name or an index) may be left out when the archive has one track.  All regions get
        the same number of bins, so regions of equal length (e.g. windows centred on peaks)
        give a matrix ready for a heat map.  See :func:`genomedata.api.binned.stackup`.

        ``frame=True`` returns the same numbers as a pandas DataFrame (extra
        ``genomedata[pandas]``): a row per region, indexed by ``(chrom, start, end)`` in the
        order given, a column per bin (``bin`` 0 .. bins-1); ``frame.mean()`` is the average
        profile.

        >>> with Genome(example_archive) as genome:
        ...     frame = genome.stackup("chr1", [1000, 3000], [1100, 3100], bins=2, stat="max",
        ...                            track="conservation", frame=True)
        >>> print(frame.round(3))
        bin                 0      1
        chrom start end
        chr1  1000  1100  4.230  2.591
              3000  3100  2.275  3.659

        >>> with Genome(example_archive) as genome:
        ...     profile = genome.stackup(["chr1", "chr2"], [0, 20000], [10000, 30000], bins=4,
        ...                              stat="mean", track="dnase")
        >>> print(profile.round(2))
        [[7.27 5.7  4.33 6.47]
         [5.52 6.94 6.58 5.38]]
        """
        if frame:
            return frames.stackup_frame(self, chroms, starts, ends, bins, stat, track)
        return stackup(self, chroms, starts, ends, bins, stat, track)

    def to_dataframe(self, region, start=None, end=None, tracks=None):
        """The values of a region as a pandas DataFrame (extra ``genomedata[pandas]``),
        as :meth:`Chromosome.to_dataframe`: index ``position``, a float32 column per track.

        ``region`` is a chromosome name, with ``start`` and ``end`` (0-based, half-open) or
        alone for the whole chromosome, or a region as genome browsers and ``genomedata
        query`` write it, ``"chr1:1,001-1,003"`` (1-based, inclusive: bases 1000-1002).

        >>> with Genome(example_archive) as genome:
        ...     frame = genome.to_dataframe("chr1:1,001-1,003")
        ...     same = genome.to_dataframe("chr1", 1000, 1003)
        >>> print(frame)
        track     conservation  dnase
        position
        1000             0.788    NaN
        1001            -3.159    NaN
        1002             2.310    NaN
        >>> frame.equals(same)
        True
        """
        return frames.genome_region_frame(self, region, start, end, tracks)

    def summarize(self, chroms, starts, ends, stat="mean", tracks=None, bins=None):
        """Summary ``stat`` (mean, min, max, sum, coverage or std, as
        :meth:`Chromosome.binned` defines them) of ``tracks`` over each region
        ``chroms[k]:starts[k]-ends[k]`` (0-based, half-open), in the order given: float64
        array of shape ``(regions, tracks)``, or ``(regions, bins, tracks)`` with ``bins``
        equal bins per region.  ``chroms`` is a list of names or one name for every region;
        ``tracks``: None (all), a name or index, or a list of them.  Regions may overlap,
        repeat and come in any order; each chunk is decoded once however many regions touch
        it.  See :func:`genomedata.api.binned.summarize`.

        >>> with Genome(example_archive) as genome:
        ...     means = genome.summarize(["chr2", "chr1"], [20000, 1000], [21000, 1010])
        ...     binned = genome.summarize("chr1", [1000], [1010], "max", "dnase", bins=2)
        >>> print(means.round(3))              # (regions, tracks)
        [[-0.06   6.732]
         [-0.306    nan]]
        >>> binned.shape                       # (regions, bins, tracks)
        (1, 2, 1)
        """
        return summarize(self, chroms, starts, ends, stat, tracks, bins)

    # -- statistics (written by close-data)
    def _accum_extrema(self, name, accumulator):
        self._check_open()
        values = [chromosome._statistic(name) for chromosome in self]
        if not values:
            raise MissingStatisticsError(f"{self.filename} has no chromosomes, so no "
                                         f"statistics ({name})")
        try:
            return accumulator(values)
        except ValueError as exc:
            raise GenomedataError(f"chromosomes of {self.filename} have different numbers "
                                  f"of tracks in their statistics ({name}): {exc}") from None

    @property
    def mins(self):
        """Minimum of each track (finite values), from the statistics of close-data.

        >>> with Genome(example_archive) as genome:
        ...     print(genome.mins.round(3))
        [-6.377  0.27 ]
        """
        return self._accum_extrema("mins", partial(np.amin, axis=0))

    @property
    def maxs(self):
        """Maximum of each track (finite values), from the statistics of close-data.

        >>> with Genome(example_archive) as genome:
        ...     print(genome.maxs.round(3))
        [ 5.943 26.44 ]
        """
        return self._accum_extrema("maxs", partial(np.amax, axis=0))

    @property
    def sums(self):
        """Sum of each track's finite values (float64), from the statistics of close-data.

        >>> with Genome(example_archive) as genome:
        ...     print(genome.sums.round(1).tolist())
        [-116.8, 291605.6]
        """
        return self._accum_extrema("sums", np.add.reduce)

    @property
    def sums_squares(self):
        """Sum of the squares of each track's finite values (float64).

        >>> with Genome(example_archive) as genome:
        ...     print(genome.sums_squares.round(1).tolist())
        [35778.7, 2913213.0]
        """
        return self._accum_extrema("sums_squares", np.add.reduce)

    @property
    def num_datapoints(self):
        """Number of finite values of each track (bases with data).

        >>> with Genome(example_archive) as genome:
        ...     print(genome.num_datapoints)
        [16000 45922]
        """
        return self._accum_extrema("num_datapoints", np.add.reduce)

    @property
    def means(self):
        """Mean of each track (float64; NaN for an empty track).

        >>> with Genome(example_archive) as genome:
        ...     print(genome.means.round(4))
        [-0.0073  6.35  ]
        """
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(self.sums, dtype=np.float64) / self.num_datapoints

    @property
    def vars(self):
        """Variance of each track, ``sums_squares / n - mean ** 2`` as the reference.

        >>> with Genome(example_archive) as genome:
        ...     print(genome.vars.round(4))
        [ 2.2361 23.1155]
        """
        with np.errstate(invalid="ignore", divide="ignore"):
            return (np.asarray(self.sums_squares, dtype=np.float64) / self.num_datapoints
                    - np.square(self.means))


def _track_index(key, ntracks) -> int:
    """A track given by index, checked against ``ntracks``."""
    if not is_int(key):
        raise TypeError(f"Unrecognized track indexing method: {key!r}")
    if not 0 <= int(key) < ntracks:
        raise IndexError(f"track index {int(key)} is out of range for {ntracks} tracks")
    return int(key)
