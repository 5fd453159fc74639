"""Loading one input into one track of an archive open for writing: the work of ``genomedata
load-data``, and of every track of ``genomedata load``.

The input's structure (where its data lines are, their coordinates) is checked when its
source is opened, before the archive is touched; its values are read once, checked while they
are filled.  A malformed line found part way raises ``InputError``, and the caller undoes every
write (the archive's journal: ``load-data`` is one transaction, ``genomedata load`` builds a new
archive under a temporary name), so a malformed input changes nothing.  Lines of chromosomes
that are not loaded are checked before anything is written.  Chromosome by chromosome, a float32
buffer over the chromosome is pre-filled with the track's stored values, filled from the input
(later lines overwrite earlier ones, in input order, so unsorted input is fine), the mask
regions are restored to what was
stored before, and the supercontig ranges are written through the chunk writer.  Values in gaps
between supercontigs or past the last supercontig are dropped and counted; chromosomes the
archive does not have are skipped and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import _progress
from .._threads import default_threads
from ..archive import codec
from ..archive import layout as _layout
from ..archive.blocks import open_block_reader, read_columns
from ..archive.files import ArchiveFiles
from ..archive.writer import ChunkWriter
from ..errors import GenomedataError, GenomedataValueError, name_list, not_found
from ..inputs.regions import read_mask_file
from ..inputs.sources import stopwatch

# A chromosome is filled in one float32 buffer from position 0 to its last supercontig's end.
# Supercontigs that cover less than 1/SPARSE_FACTOR of a buffer of more than SPARSE_ROWS
# positions (a supercontig far from 0: no sequence or assembly loads that way) are refused
# instead of allocating gigabytes for little data.
SPARSE_ROWS = 1 << 26
SPARSE_FACTOR = 8
# A chromosome of at most this many positions is filled in the calling thread; a larger one on
# a thread of its own while the calling thread writes the chunks the fill has passed.
SMALL_FILL = 1 << 18


@dataclass
class LoadSummary:
    """What one ``load_data`` call did."""

    trackname: str
    source: str
    values: int = 0              # data lines (or bigWig intervals' bases) read from the input
    bases: int = 0               # bases written inside supercontigs
    bases_in_gaps: int = 0       # bases that fell between supercontigs (dropped)
    bases_past_end: int = 0      # bases past the last supercontig (dropped)
    bases_masked: int = 0        # bases removed by the mask file
    # input chromosomes the archive lacks -> data lines skipped (None for bigWig)
    unknown_chromosomes: dict = field(default_factory=dict)
    seconds: float = 0.0         # reading and loading, leaving out compiling kernels
    input_bytes: int = 0

    @property
    def lines_skipped(self) -> int:
        return int(sum(n for n in self.unknown_chromosomes.values() if n))


# ------------------------------------------------------------------------------------------------
# archive side

class _TrackTarget:
    """One track column in every supercontig of an archive opened for writing."""

    def __init__(self, archive: ArchiveFiles, trackname: str, chunk_size=None,
                 shown=None):
        self.archive = archive
        names = archive.tracknames() or []
        if trackname not in names:
            raise not_found("continuous track", trackname, names, shown or archive.path,
                            f"add it with 'genomedata open-data {shown or archive.path} "
                            f"--trackname {trackname}' first")
        self.column = names.index(trackname)
        self.trackname = trackname
        self.chunk_size = chunk_size
        # chrom -> (group, supercontig groups, bounds, continuous datasets): read and checked
        # once per load (an assembly of many small scaffolds spends most of a load there)
        self._layouts = {}

    def chromosome_layout(self, chrom: str):
        """(chromosome group, supercontig groups, bounds (an ``(n, 2)`` int64 array),
        ``continuous`` datasets) of a chromosome, checked."""
        layout = self._layouts.get(chrom)
        if layout is None:
            layout = self._layouts[chrom] = self._read_layout(chrom)
        return layout

    def _read_layout(self, chrom: str):
        group = self.archive.chromosome_group(chrom)
        pairs = _layout.supercontig_groups_with_bounds(group)
        supercontigs = [sc for _, sc in pairs]
        bounds = np.array([bounds for bounds, _ in pairs], dtype=np.int64).reshape(-1, 2)
        datasets = []
        for sc, (start, end) in zip(supercontigs, bounds.tolist()):
            ds = _layout.continuous_of(sc, end - start)
            datasets.append(ds)
            if ds is None:
                raise GenomedataError(
                    f"chromosome {chrom} has no track data arrays; run 'genomedata open-data' "
                    "before loading data")
            _layout.check_filters(ds, write=True)
            if self.column >= ds.shape[1]:
                raise GenomedataError(f"chromosome {chrom} lacks a column for track "
                                      f"{self.trackname!r}; the archive is inconsistent")
            if self.chunk_size is not None and _layout.continuous_chunk_rows(ds) != \
                    self.chunk_size:
                raise GenomedataError(
                    f"--chunk-size {self.chunk_size} differs from the archive's chunk height "
                    f"{_layout.continuous_chunk_rows(ds)}; the chunking is fixed when the "
                    "tracks are opened")
        extent = int(bounds[:, 1].max()) if len(bounds) else 0
        covered = int((bounds[:, 1] - bounds[:, 0]).sum())
        if extent > SPARSE_ROWS and extent > SPARSE_FACTOR * covered:
            raise GenomedataError(
                f"chromosome {chrom}: its supercontigs cover only {covered} of the {extent} "
                "bases up to its last supercontig's end, and loading fills a float32 buffer "
                f"over all of them ({extent * 4 / 2 ** 30:.1f} GiB); refused")
        return group, supercontigs, bounds, datasets

    def check(self, chromosomes) -> None:
        for chrom in chromosomes:
            if self.archive.has_chromosome(chrom):
                self.chromosome_layout(chrom)


def _column_stored(ds, column: int) -> bool:
    """Whether any chunk of the column is stored (a new track has none: skip reading it)."""
    rows = codec.stored_chunk_rows(ds, column, lookups=False)
    if rows is not None:
        return len(rows) > 0
    chunk_rows = _layout.continuous_chunk_rows(ds)
    return any(codec.chunk_is_stored(ds, (row, column))
               for row in range(0, int(ds.shape[0]), chunk_rows))


def _prefill(buffer, datasets, bounds, column, pool=None) -> bool:
    """The track's stored values into ``buffer`` (a new track has none: nothing is read).
    Returns whether the track holds stored values there."""
    stored = False
    for ds, (start, end) in zip(datasets, bounds):
        if end > start:
            here = _column_stored(ds, column)
            stored = stored or here
            if here or not _layout.continuous_fill_is_nan(ds):
                _read_column(ds, column, buffer[start:end], pool)
    return stored


def _read_column(ds, column, out, pool) -> None:
    """Rows ``0 .. len(out) - 1`` of one column, decoded on ``pool`` (HDF5 fills and inflates
    a column one chunk at a time, ~160 MB/s)."""
    reader = open_block_reader(ds, pool, default_threads())
    try:
        read_columns(reader, [column], 0, len(out), out=[out])
    finally:
        reader.close()


def _count_in_gaps(buffer, bounds) -> int:
    """Bases with data outside every supercontig (the buffer is NaN there unless input
    wrote it)."""
    from ..kernels.chunks import count_not_nan
    count = 0
    previous_end = 0
    for start, end in bounds:
        if start > previous_end:
            count += int(count_not_nan(buffer[previous_end:start]))
        previous_end = max(previous_end, end)
    return count


class _Inline:
    """An executor that runs each task at once, in the calling thread."""

    @staticmethod
    def submit(function, *args, **kwargs):
        from concurrent.futures import Future
        future = Future()
        try:
            future.set_result(function(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - raised by the future's result()
            future.set_exception(exc)
        return future


_INLINE = _Inline()


class _Buffers:
    """One float32 allocation reused for every chromosome of a load (fresh pages would be
    zeroed by the kernel, then filled with NaN, for each chromosome)."""

    def __init__(self):
        self.array = None

    def nan_filled(self, size: int) -> np.ndarray:
        if self.array is None or len(self.array) < size:
            self.array = None
            self.array = np.empty(size, dtype=np.float32)
        view = self.array[:size]
        view.fill(np.nan)
        return view


class _ChromosomeWriter:
    """Writes a chromosome buffer's supercontig ranges, possibly while it is being filled:
    :meth:`advance` hands the whole chunks below ``frontier`` (where the values are final)
    to the chunk writers, so that the pool compresses them while the parser fills the rest of
    the buffer.  The buffer must stay unchanged below the frontier until :meth:`close`."""

    def __init__(self, buffer, datasets, bounds, column, pool):
        self.buffer = buffer
        self.column = column
        self.parts = []   # [writer, start, end, written up to]
        try:
            for ds, (start, end) in zip(datasets, bounds):
                if end > start:
                    writer = ChunkWriter(ds, pool=pool)
                    self.parts.append([writer, int(start), int(end), int(start)])
        except BaseException:
            self.close(write=False)
            raise

    def advance(self, frontier) -> None:
        for part in self.parts:
            writer, start, end, done = part
            target = min(int(frontier), end)
            if target < end:  # whole chunks only, but for the supercontig's last one
                target = start + (target - start) // writer.chunk_rows * writer.chunk_rows
            if target > done:
                writer.write_column(self.column, done - start, self.buffer[done:target])
                part[3] = target
            writer.poll()

    def close(self, write=True) -> None:
        if write:
            self.advance(len(self.buffer))
        error = None
        for writer, *_ in self.parts:
            try:
                writer.close()
            except BaseException as exc:  # noqa: BLE001 - close every writer, then raise
                error = error or exc
        self.parts = []
        if error is not None and write:
            raise error


# ------------------------------------------------------------------------------------------------
# mask (regions whose input data is not loaded)

def _extents(archive) -> dict:
    return {chrom: _layout.read_int_attr(archive.chromosome_group(chrom), _layout.ATTR_END)
            for chrom in archive.chromosome_names()}


def _save_masked(buffer, regions):
    from ..kernels.regions import gather_regions
    starts, ends = regions
    return gather_regions(buffer, starts, ends)


def _restore_masked(buffer, regions, saved) -> int:
    from ..kernels.regions import scatter_regions
    starts, ends = regions
    return scatter_regions(buffer, starts, ends, saved)


# ------------------------------------------------------------------------------------------------
# chromosome names of the input and of the archive

CHR_PREFIX = ("add", "remove")


def chromosome_renamer(chr_prefix=None):
    """Input chromosome name -> archive chromosome name.  ``"add"``: ``1`` -> ``chr1`` (and
    Ensembl's ``MT`` -> ``chrM``); ``"remove"``: ``chr1`` -> ``1`` (``chrM`` -> ``MT``);
    None: as they are."""
    if chr_prefix is None:
        return lambda name: name
    if chr_prefix == "add":
        return lambda name: name if name.startswith("chr") else (
            "chrM" if name == "MT" else "chr" + name)
    if chr_prefix == "remove":
        return lambda name: name[3:] if name.startswith("chr") and name != "chrM" else (
            "MT" if name == "chrM" else name)
    raise GenomedataValueError(f"chr_prefix must be one of {', '.join(CHR_PREFIX)} or None, "
                               f"not {chr_prefix!r}")


HINT_NAMES = 10_000   # names tried with and without 'chr' (a mismatch is systematic)


def _rename_hint(names, archive_names) -> str:
    """The --chr-prefix that would make ``names`` match the archive's, said as advice."""
    import itertools
    for option, example in (("add", "1 as chr1 and MT as chrM"),
                            ("remove", "chr1 as 1 and chrM as MT")):
        rename = chromosome_renamer(option)
        if any(rename(name) in archive_names for name in itertools.islice(names, HINT_NAMES)):
            return (f"the names differ by the 'chr' prefix: give --chr-prefix {option} to "
                    f"read {example}")
    return ""


def _lines(count) -> str:
    return f"{count:,} data line{'s' if count != 1 else ''}"


def match_chromosomes(source, archive, archive_names, trackname, rename, allow_empty,
                      summary) -> dict:
    """{input chromosome: archive chromosome} of the input's chromosomes with data that the
    archive has.  An input without data, or whose chromosomes the archive has none of, is an
    error (unless ``allow_empty``: then the track stays as it is); some unknown chromosomes
    are a warning with the counts (``summary.unknown_chromosomes``)."""
    with_data = source.with_data()
    if not with_data:
        if allow_empty:
            return {}
        raise GenomedataError(
            f"{source.name} has no data (it is empty, or holds only header or comment "
            f"lines): nothing to load into track {trackname!r}; check the file, or give "
            "--allow-empty to leave the track empty on purpose")
    matched = {name: renamed for name, renamed in zip(with_data, map(rename, with_data))
               if renamed in archive_names}
    # the lines not loaded are checked now (the loaded ones are as they are filled), so
    # that a malformed input is reported before any mismatch
    source.check_except(matched)
    unknown = {name: n for name, n in with_data.items() if name not in matched}
    summary.unknown_chromosomes = unknown
    if not matched:
        if allow_empty:
            return {}
        hint = _rename_hint(unknown, archive_names)
        hint = (f"{hint}, or --allow-empty to leave the track empty on purpose" if hint else
                f"was {source.name} made for another genome assembly? (--allow-empty leaves "
                "the track empty on purpose)")
        raise GenomedataError(
            f"none of the chromosomes of {source.name} is in {archive}: the input has "
            f"{len(unknown):,} ({name_list(unknown)}), the archive {len(archive_names):,} "
            f"({name_list(sorted(archive_names))}); {hint}")
    if unknown:
        counts = [n for n in unknown.values() if n is not None]
        what = f"{_lines(sum(counts))} on" if counts else "the data of"
        hint = _rename_hint(unknown, archive_names)
        _progress.warn(f"{source.name}: {what} {len(unknown):,} chromosome"
                       f"{'s' if len(unknown) != 1 else ''} that {archive} does not have "
                       f"{'were' if counts and sum(counts) != 1 else 'was'} skipped: "
                       f"{name_list(unknown)}" + (f" ({hint})" if hint else ""))
    return matched


# ------------------------------------------------------------------------------------------------
# loading

def load_track(archive, trackname, source, *, pool, shown, maskfile=None, chunk_size=None,
               chr_prefix=None, allow_empty=False, statistics=None,
               warn_overwrite: bool = True) -> LoadSummary:
    """Load ``source`` (an opened :mod:`~genomedata.inputs.sources` source) into track
    ``trackname`` of ``archive`` (``ArchiveFiles`` open for writing, whose transaction the
    caller commits or undoes), compressing on ``pool``; ``shown`` names the archive in
    messages.  The other arguments are :func:`~genomedata.ops.load_data.load_data`'s.

    ``statistics``: a :class:`~genomedata.archive.statistics.StatisticsCollector` that is
    given every loaded chromosome's final values (``genomedata load`` then needs no close-data
    pass over a new archive).  ``warn_overwrite``: warn when the track holds values already
    (``genomedata load`` loads several files into one new track on purpose)."""
    elapsed = stopwatch()
    summary = LoadSummary(trackname=trackname, source=source.name, input_bytes=source.nbytes)
    mask = (read_mask_file(maskfile, extents=_extents(archive)).regions
            if maskfile is not None else {})
    target = _TrackTarget(archive, trackname, chunk_size, shown)
    chromosomes = match_chromosomes(source, shown, set(archive.chromosome_names()), trackname,
                                    chromosome_renamer(chr_prefix), allow_empty, summary)
    for chrom in summary.unknown_chromosomes:
        _progress.verbose(f" {trackname} {chrom}: not in the archive, skipped")
    target.check(chromosomes.values())  # archive-side problems before any write
    stored = []

    def overwriting():
        stored.append(True)

    buffers = _Buffers()
    with _progress.task(f"loading {trackname}", total=len(chromosomes)) as task:
        for chrom, name in chromosomes.items():
            _load_chromosome(source, target, chrom, name, mask.get(name), summary, pool,
                             buffers, statistics, overwriting)
            task.advance()
    if warn_overwrite and stored:
        # once loaded: a malformed line (found while filling) undoes the load, and then
        # its error is the one message
        _progress.warn(overwrite_message(shown, trackname, source.name))
    # reading the input, and loading it, without compiling kernels (the first run)
    summary.seconds = source.seconds + elapsed()
    return summary


def load_chromosome_tracks(archive, name, inputs, *, pool, mask_regions=None,
                           statistics=None) -> list:
    """Load archive chromosome ``name`` from every input, tracks in the order given: the unit
    of work of a load spread over processes (``ops/_distribute.py``), whose task writes one
    chromosome of a new archive.  ``inputs``: ``[(trackname, source, input chromosomes)]``
    (the input's chromosomes that are ``name`` in the archive); ``mask_regions``: that
    chromosome's mask regions, or None.  Returns one ``LoadSummary`` per input."""
    summaries = []
    buffers = _Buffers()
    targets = {}
    for trackname, source, chroms in inputs:
        if trackname not in targets:
            targets[trackname] = _TrackTarget(archive, trackname)
        summary = LoadSummary(trackname=trackname, source=source.name)
        elapsed = stopwatch()
        for chrom in chroms:
            _load_chromosome(source, targets[trackname], chrom, name, mask_regions, summary,
                             pool, buffers, statistics)
        summary.seconds = elapsed()
        summaries.append(summary)
    return summaries


def _fill_while_writing(source, chrom, buffer, writer):
    """``source.fill`` on another thread while this one hands every part of the buffer the
    fill has finished to ``writer`` (and so makes HDF5's chunk writes, which hold the GIL,
    while the parser kernels run without it).  Returns what ``source.fill`` returns."""
    import queue
    import threading

    frontiers = queue.SimpleQueue()
    outcome = {}

    def fill():
        try:
            outcome["result"] = source.fill(chrom, buffer, frontiers.put)
        except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread
            outcome["error"] = exc
        finally:
            frontiers.put(None)

    filler = threading.Thread(target=fill, name=f"fill-{chrom}", daemon=True)
    filler.start()
    try:
        while (frontier := frontiers.get()) is not None:
            writer.advance(frontier)
    finally:
        # the fill reads the input and writes the buffer: never leave it running
        filler.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def overwrite_message(archive, trackname, source) -> str:
    """The warning for loading into a track that already holds values."""
    return (f"track {trackname!r} of {archive} already holds values: the values of {source} "
            "are written over them where it has data, and the old values stay everywhere "
            f"else; to replace the track, run 'genomedata erase-data {archive} --trackname "
            f"{trackname}' before load-data")


def _load_chromosome(source, target, chrom, name, mask_regions, summary, pool,
                     buffers=None, statistics=None, on_stored=None) -> None:
    """Load the input's chromosome ``chrom`` into the archive's chromosome ``name``."""
    group, supercontigs, bounds, datasets = target.chromosome_layout(name)
    if not len(bounds):
        return
    extent = int(bounds[:, 1].max())
    buffer = (buffers or _Buffers()).nan_filled(extent)
    if _prefill(buffer, datasets, bounds, target.column, pool) and on_stored is not None:
        on_stored()
    saved = _save_masked(buffer, mask_regions) if mask_regions is not None else None
    # the statistics no longer hold: dirty until close-data
    _layout.write_dirty(group, True)
    from ..kernels.chunks import count_not_nan
    # a small chromosome's few chunks are compressed here: handing them to the pool and
    # waiting for them costs more
    writer = _ChromosomeWriter(buffer, datasets, bounds, target.column,
                               _INLINE if extent <= SMALL_FILL else pool)
    try:
        if saved is None and extent <= SMALL_FILL:
            # a thread of its own costs more than the overlap gains on a small chromosome
            values, past_end = source.fill(chrom, buffer)
        elif saved is None:
            # chunks are compressed as soon as the fill has passed them
            values, past_end = _fill_while_writing(source, chrom, buffer, writer)
        else:
            values, past_end = source.fill(chrom, buffer)
            summary.bases_masked += _restore_masked(buffer, mask_regions, saved)
        writer.advance(extent)
        summary.values += values
        summary.bases_past_end += past_end
        summary.bases_in_gaps += _count_in_gaps(buffer, bounds)
        inside = sum(int(count_not_nan(buffer[s:e])) for s, e in bounds)
        summary.bases += inside
        shown = chrom if chrom == name else f"{chrom} (as {name})"
        _progress.verbose(f" {target.trackname} {shown}: {values:,} values, {inside:,} bases with "
                          "data")
        if statistics is not None:
            # while the pool compresses the last chunks
            dataset = datasets[0]
            statistics.add_column(name, target.column, buffer, bounds, int(dataset.shape[1]),
                                  _layout.continuous_chunk_rows(dataset))
    except BaseException:
        writer.close(write=False)
        raise
    writer.close()
