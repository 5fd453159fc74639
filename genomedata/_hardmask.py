"""hardmask: write NaN over the regions of a mask file in some or all tracks
(``genomedata hardmask``, REFERENCE §4.4 with the fixes of DECISIONS §2).

Mask files
    * **BED** (3 or more columns separated by spaces/TABs; gzip allowed): ``chrom start end``,
      0-based half-open.  The score used by a filter is column 5 when the line has 5 or more
      columns, else column 4.  Without a filter the other columns are not read.
    * **WIG** (``fixedStep``/``variableStep``, 1-based as UCSC specifies; gzip allowed): read
      as signal by the same parsers as ``load-data`` (so ``start=0`` is an error naming the
      line); every base the file gives a value to is a region base with that value as its
      score (where entries overlap, the later one wins, as when loading).

    The kind is decided by content: a file with a line that starts with ``fixedStep`` or
    ``variableStep`` is WIG.  A file without such a line is WIG if its name ends in ``.wig``,
    ``.wg``, ``.wigFix`` or ``.wigVar`` (any case, after removing a ``.gz``; its lines are then
    read as bedGraph, which the signal parsers accept), and BED otherwise.

Filter (``--hardmask lt0.5``): an operator ``lt le gt ge eq ne`` and a decimal number
(negative numbers and exponents allowed) compared with each region's score; without a filter
every region masks.  BED scores and the threshold are compared as float64 (Python floats, as
the reference); WIG values are read at float32 precision like any track value, so for WIG the
threshold is rounded to float32 too.  NaN never passes except with ``ne``; in WIG files a NaN
value means "no region".

Regions that pass are sorted and merged (overlapping or touching regions become one, its end
the largest end), then clipped to the supercontigs: parts in gaps between supercontigs, past
the last one or on chromosomes the archive lacks are skipped (the latter reported).

Masking works per supercontig: the chunk rows that some region touches are read once per
track (decoded on every core), a kernel writes NaN over all regions in them, and the chunks
are written back through the chunk writer.  ``dry_run`` only reads the archive's layout
(opened read-only: not one byte changes) and reports what would be masked.  Unless
``keep_archive_open``, close-data runs at the end, in the same transaction as the masking:
everything that could stop either (format version, track data it cannot read or write,
track names that do not match the columns) is checked before the first write, and a command
interrupted at any moment leaves the archive as it was (``genomedata._journal``).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field

import numpy as np

from . import _layout
from ._textinput import DECIMAL as _NUMBER   # the number grammar of every text input
from ._ui import UI, get_ui
from ._util import GenomedataError, InputError, UnsupportedError, not_found

WIG_SUFFIXES = (".wig", ".wg", ".wigfix", ".wigvar")
BLOCK_ROWS = 1 << 20  # rows per column read and rewritten at a time


class HardmaskOptionError(GenomedataError, ValueError):
    """A ``--hardmask`` option that is not an operator followed by a number."""


# ------------------------------------------------------------------------------------------------
# the filter option

_OPTION = re.compile(r"\s*([A-Za-z]+)\s*(.*?)\s*")
_OPERATOR_WORDS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}
_UFUNCS = {"lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
           "eq": np.equal, "ne": np.not_equal}


class HardmaskFilter:
    """The predicate of a ``--hardmask`` option: ``HardmaskFilter("lt", 0.5)(x)`` is
    ``x < 0.5``, for a number or elementwise for a numpy array."""

    __slots__ = ("op", "threshold")

    def __init__(self, op: str, threshold: float):
        if op not in _UFUNCS:
            raise HardmaskOptionError(f"unknown --hardmask operator {op!r}: use one of "
                                      f"{', '.join(_UFUNCS)}")
        self.op = op
        self.threshold = float(threshold)

    @property
    def code(self) -> int:
        from .kernels.regions import OPERATORS
        return OPERATORS[self.op]

    def __call__(self, x):
        return _UFUNCS[self.op](x, self.threshold)

    def __eq__(self, other):
        return (isinstance(other, HardmaskFilter) and self.op == other.op
                and self.threshold == other.threshold)

    def __hash__(self):
        return hash((self.op, self.threshold))

    def __repr__(self):
        return f"HardmaskFilter({self.op!r}, {self.threshold!r})"

    def __str__(self):
        return f"score {_OPERATOR_WORDS[self.op]} {self.threshold!r}"


def parse_hardmask_option(text) -> HardmaskFilter:
    """``"lt0.5"``, ``"ge -1e-3"``, ... -> the predicate (:class:`HardmaskFilter`).  Raises
    :class:`HardmaskOptionError` (a ``ValueError``) for anything else.

    >>> keep = parse_hardmask_option("lt0.5")
    >>> print(keep, keep(0.2), keep(0.7))
    score < 0.5 True False
    >>> parse_hardmask_option("below 0.5")
    Traceback (most recent call last):
    ...
    genomedata._hardmask.HardmaskOptionError: unknown operator 'below' in the --hardmask option ...
    """
    if not isinstance(text, str):
        raise HardmaskOptionError(f"the --hardmask option must be a string, not {text!r}")
    usage = ("expected an operator (lt, le, gt, ge, eq or ne) followed by a number, e.g. "
             "'lt0.5' or 'ge -1e-3'")
    match = _OPTION.fullmatch(text)
    if match is None:
        raise HardmaskOptionError(f"could not understand the --hardmask option {text!r}: "
                                  f"{usage}")
    op, number = match.group(1).lower(), match.group(2)
    if op not in _UFUNCS:
        raise HardmaskOptionError(f"unknown operator {match.group(1)!r} in the --hardmask "
                                  f"option {text!r}: {usage}")
    if not _NUMBER.fullmatch(number):
        raise HardmaskOptionError(f"could not understand the number {number!r} in the "
                                  f"--hardmask option {text!r}: {usage}")
    return HardmaskFilter(op, float(number))


def _as_filter(hardmask_function):
    """None, a HardmaskFilter, an option string, or any predicate callable."""
    if hardmask_function is None or isinstance(hardmask_function, HardmaskFilter):
        return hardmask_function
    if isinstance(hardmask_function, str):
        return parse_hardmask_option(hardmask_function)
    if callable(hardmask_function):
        return hardmask_function
    raise TypeError(f"hardmask_function must be a callable or an option string like 'lt0.5', "
                    f"not {hardmask_function!r}")


def _keep_flags(predicate, values) -> np.ndarray:
    """uint8 flags of ``predicate`` over an array (elementwise; one call per value only for
    predicates that do not take arrays)."""
    try:
        result = np.asarray(predicate(values))
        if result.shape == values.shape:
            return result.astype(bool).view(np.uint8)
    except Exception:  # noqa: BLE001 - a scalar-only predicate: call it per value
        pass
    return np.fromiter((bool(predicate(value)) for value in values.tolist()), dtype=bool,
                       count=len(values)).view(np.uint8)


# ------------------------------------------------------------------------------------------------
# mask files

def mask_file_kind(path, data=None) -> str:
    """``"wig"`` or ``"bed"`` (see the module documentation for the rule).  ``data``: the file's
    (decompressed) bytes as a uint8 array when already mapped."""
    if data is None:
        from ._input import open_signal
        with open_signal(path) as buffer:
            return mask_file_kind(path, buffer.data)
    from .kernels.mask import find_wig_header
    if find_wig_header(data) >= 0:
        return "wig"
    name = os.path.basename(os.fspath(path)).lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return "wig" if name.endswith(WIG_SUFFIXES) else "bed"


@dataclass
class MaskFile:
    """The merged regions of a mask file that pass the filter: {chrom: (starts, ends)}."""

    name: str
    kind: str
    regions: dict = field(default_factory=dict)
    lines: int = 0                       # regions (BED lines / WIG data lines) read
    skipped: dict = field(default_factory=dict)   # chromosome not in the archive -> lines


def _line_of(data, offset) -> int:
    from ._textinput import line_number
    return line_number(data, offset)


def _read_bed(data, name, predicate) -> MaskFile:
    from .kernels import mask as km
    from .kernels import regions as kr

    need_score = predicate is not None
    (status, offset, run_off, run_len, run_first, starts, ends, scores,
     hard) = km.scan_bed_scored(data, need_score)
    if status != km.OK:
        message = km.MESSAGES[status]
        if status == km.ERR_SCORE:
            end = offset
            while end < len(data) and data[end] not in (9, 10, 13, 32):
                end += 1
            token = bytes(data[offset:min(end, offset + 40)]).decode("ascii", "replace")
            message = f"the score '{token}' is not a number"
        raise InputError(name, _line_of(data, offset), message)
    for index, off, length in hard.tolist():
        scores[index] = float(bytes(data[off:off + length]))

    # chromosome of each run (a run = consecutive lines of one chromosome), then of each region
    ids = {}
    run_ids = np.empty(len(run_off), dtype=np.int64)
    for r, (lo, ln) in enumerate(zip(run_off.tolist(), run_len.tolist())):
        raw = bytes(data[lo:lo + ln])
        try:
            chrom = raw.decode("ascii")
        except UnicodeDecodeError:
            raise InputError(name, _line_of(data, lo), "chromosome name is not ASCII") from None
        run_ids[r] = ids.setdefault(chrom, len(ids))
    region_ids = np.repeat(run_ids, np.diff(run_first))
    order = np.argsort(region_ids, kind="stable")
    bounds = np.searchsorted(region_ids[order], np.arange(len(ids) + 1))

    result = MaskFile(name, "bed", lines=len(starts))
    for chrom, chrom_id in ids.items():
        index = order[bounds[chrom_id]:bounds[chrom_id + 1]]
        s, e, v = starts[index], ends[index], scores[index]
        if predicate is None:
            s, e = kr.filter_regions(s, e, v, kr.OP_ALL, 0.0)
        elif isinstance(predicate, HardmaskFilter):
            s, e = kr.filter_regions(s, e, v, predicate.code, predicate.threshold)
        else:
            s, e = kr.keep_regions(s, e, _keep_flags(predicate, v))
        result.regions[chrom] = kr.merge_regions(s, e)
    return result


def _read_wig(data, name, predicate, extents) -> MaskFile:
    from ._textinput import parse_signal
    from .kernels import regions as kr

    parsed = parse_signal(data, name)
    try:
        result = MaskFile(name, "wig", lines=parsed.nlines)
        for chrom in parsed.chromosomes():
            lines = parsed.lines_of(chrom)
            if extents is not None and chrom not in extents:
                if lines:
                    result.skipped[chrom] = lines
                continue
            size = parsed.extent(chrom)[1]
            if extents is not None:
                size = min(size, int(extents[chrom]))
            else:
                # no archive to clip to: nothing lies past the archives' 32-bit coordinates
                size = min(size, 2 ** 32 - 1)
            if size <= 0:
                continue
            values = np.full(size, np.nan, dtype=np.float32)
            parsed.fill_chromosome(chrom, values)
            if predicate is None:
                runs = kr.signal_runs(values, kr.OP_ALL, np.float32(0))
            elif isinstance(predicate, HardmaskFilter):
                runs = kr.signal_runs(values, predicate.code, np.float32(predicate.threshold))
            else:
                flags = _keep_flags(predicate, values)
                flags[np.isnan(values)] = 0
                runs = kr.flag_runs(flags)
            if len(runs[0]):
                result.regions[chrom] = runs
        return result
    finally:
        del parsed  # the parser holds views of the mapped file


def read_mask_file(path, hardmask_function=None, extents=None, *, ui=None) -> MaskFile:
    """Read a BED or WIG mask file: the merged regions passing ``hardmask_function`` (an
    option string like ``"lt0.5"``, a :class:`HardmaskFilter`, any predicate, or None for
    every region).  ``extents``: {chrom: end} of the archive; WIG chromosomes not in it are
    skipped (BED chromosomes are all returned)."""
    from ._input import describe, open_signal

    ui = get_ui(ui)
    predicate = _as_filter(hardmask_function)
    path = os.fspath(path)
    name = describe(path)
    if os.path.isdir(path):
        raise GenomedataError(f"{path}: is a directory, not a mask file")
    with ui.progress(f"reading {os.path.basename(name)}", unit="bytes",
                     total=os.path.getsize(path) if os.path.exists(path) else None) as task:
        buffer = open_signal(path, task)
    try:
        data = buffer.data
        kind = mask_file_kind(path, data)
        if kind == "wig":
            result = _read_wig(data, name, predicate, extents)
        else:
            result = _read_bed(data, name, predicate)
        del data
    finally:
        try:
            buffer.close()
        except BufferError:  # a traceback still refers to the mapped bytes: freed later
            pass
    return result


# ------------------------------------------------------------------------------------------------
# the archive

@dataclass
class ChromosomeMask:
    """What is (or would be) masked in one chromosome: the pieces of the merged mask regions
    that lie inside supercontigs."""

    starts: np.ndarray
    ends: np.ndarray

    @property
    def regions(self) -> int:
        return int(len(self.starts))

    @property
    def bases(self) -> int:
        return int((self.ends - self.starts).sum())


@dataclass
class HardmaskSummary:
    """What one ``hardmask_data`` call did (or, with ``dry_run``, would do)."""

    maskfile: str
    kind: str
    tracks: list
    filter: object = None
    dry_run: bool = False
    chromosomes: dict = field(default_factory=dict)     # chrom -> ChromosomeMask
    unknown_chromosomes: dict = field(default_factory=dict)  # chrom -> regions/lines skipped
    values_masked: int = 0     # non-NaN values overwritten with NaN (0 in a dry run)
    closed: bool = False       # close-data ran
    seconds: float = 0.0

    @property
    def regions(self) -> int:
        return sum(mask.regions for mask in self.chromosomes.values())

    @property
    def bases(self) -> int:
        return sum(mask.bases for mask in self.chromosomes.values())


def _archive_tracknames(files, path) -> list:
    result = None
    for root in files.roots():
        names = _layout.read_tracknames(root) or []
        if result is None:
            result = names
        elif names != result:
            raise GenomedataError(f"the chromosome files of {path} have different track "
                                  f"names ({result} and {names} in {root.file.filename}); "
                                  "run 'genomedata validate' for details")
    return result or []


def _select_tracks(all_tracks, track_names, path):
    if track_names is None:
        return list(all_tracks), list(range(len(all_tracks)))
    if isinstance(track_names, str):
        track_names = [track_names]
    names = list(track_names)
    missing = [name for name in names if name not in all_tracks]
    if missing:
        raise not_found("continuous track", missing[0], all_tracks, path)
    unique = list(dict.fromkeys(names))
    return unique, [all_tracks.index(name) for name in unique]


def _supercontig_layout(files) -> dict:
    """{chrom: (starts, ends)} int64 supercontig bounds in start order."""
    layout = {}
    for chrom in files.chromosome_names():
        group = files.chromosome_group(chrom)
        bounds = [_layout.supercontig_bounds(sc) for sc in _layout.supercontig_groups(group)]
        array = np.array(bounds, dtype=np.int64).reshape(-1, 2)
        layout[chrom] = (np.ascontiguousarray(array[:, 0]), np.ascontiguousarray(array[:, 1]))
    return layout


class _H5pyColumnWriter:
    """Column writes through h5py, for datasets the chunk writer does not handle."""

    def __init__(self, dataset):
        self.dataset = dataset

    def write_column(self, column, row_start, values):
        self.dataset[row_start:row_start + len(values), column] = values

    def close(self):
        pass


def mask_dataset(dataset, columns, starts, ends, pool=None, nthreads=1,
                 block_rows: int = BLOCK_ROWS) -> int:
    """Write NaN over the merged regions ``starts``/``ends`` (rows of the dataset) in the
    track ``columns`` of one ``continuous`` dataset; returns the number of values that were
    not NaN before."""
    from ._close_data import open_block_reader, read_columns
    from ._writer import ChunkWriter
    from .kernels.regions import chunk_blocks, mask_rows_chunks

    nrows, ncols = dataset.shape
    if columns and max(columns) >= ncols:
        raise GenomedataError(f"{dataset.name} in {dataset.file.filename} has {ncols} track "
                              "columns, fewer than the archive's track names; run "
                              "'genomedata validate' for details")
    chunk_rows = _layout.continuous_chunk_rows(dataset)
    b0, b1 = chunk_blocks(starts, ends, chunk_rows, nrows, block_rows)
    if not len(b0) or not columns:
        return 0
    try:
        writer = ChunkWriter(dataset, pool=pool)
    except ValueError:
        writer = _H5pyColumnWriter(dataset)
    reader = open_block_reader(dataset, pool, nthreads)
    changed = 0
    try:
        for lo, hi in zip(b0.tolist(), b1.tolist()):
            # fresh buffers each block: the writer may still be compressing the previous ones
            for column, values in zip(columns, read_columns(reader, columns, lo, hi - lo)):
                counts = np.zeros(-(-(hi - lo) // chunk_rows), dtype=np.int64)
                changed += int(mask_rows_chunks(values, lo, starts, ends, chunk_rows, counts))
                # rewrite only the chunks where a value changed, in runs of consecutive ones
                touched = np.flatnonzero(counts)
                if not len(touched):
                    continue
                breaks = np.flatnonzero(np.diff(touched) != 1) + 1
                for run in np.split(touched, breaks):
                    a = int(run[0]) * chunk_rows
                    b = min((int(run[-1]) + 1) * chunk_rows, hi - lo)
                    writer.write_column(column, lo + a, values[a:b])
    finally:
        try:
            reader.close()
        finally:
            writer.close()
    return changed


def _default_threads() -> int:
    from ._writer import default_threads
    return default_threads()


def hardmask_data(gd_filename, hardmask_filename, track_names=None, hardmask_function=None,
                  verbose=False, keep_archive_open=False, dry_run=False, *, ui=None,
                  threads=None, block_rows: int = BLOCK_ROWS) -> HardmaskSummary:
    """Mask (write NaN over) the regions of ``hardmask_filename`` (BED or WIG) in the tracks
    ``track_names`` (default: all) of the archive ``gd_filename``.

    ``hardmask_function``: a predicate on each region's score (e.g. ``lambda x: x < 0.5``), a
    :class:`HardmaskFilter` or an option string like ``"lt0.5"``; None masks every region.
    ``keep_archive_open``: skip close-data at the end (the archive stays dirty).
    ``dry_run``: change nothing; the summary says what would be masked.
    Returns a :class:`HardmaskSummary`.

    Mask the DNase track where the example peak file (BED, score in column 4) has a score
    above 40:

    >>> import os
    >>> from genomedata._hardmask import hardmask_data
    >>> archive = writable_copy()
    >>> peaks = os.path.join(example_data, "peaks.bed")
    >>> summary = hardmask_data(archive, peaks, ["dnase"], "gt40")
    >>> print(summary.regions, summary.bases, summary.values_masked, summary.closed)
    6 1973 640 True
    >>> with Genome(archive) as genome:
    ...     print(genome["chr1"][1869:1872, "dnase"])
    [nan nan nan]

    ``dry_run=True`` only reports what would be masked:

    >>> summary = hardmask_data(writable_copy(), peaks, dry_run=True)
    >>> print(summary.regions, summary.bases)
    22 6843
    """
    from concurrent.futures import ThreadPoolExecutor

    from .kernels.regions import intersect_regions

    if ui is None:
        ui = UI(verbosity=2, progress=False) if verbose else get_ui(None)
    began = time.perf_counter()
    predicate = _as_filter(hardmask_function)
    path = os.fspath(gd_filename)
    if _layout.archive_kind(path) == "bigwig":
        raise UnsupportedError(f"{path} is a bigWig file, which is read-only")
    if not os.path.exists(os.fspath(hardmask_filename)):
        raise GenomedataError(f"{hardmask_filename}: no such file")

    with _layout.ArchiveFiles(path, "r") as files:
        all_tracks = _archive_tracknames(files, path)
        tracks, columns = _select_tracks(all_tracks, track_names, path)
        layout = _supercontig_layout(files)
    if track_names is None:
        ui.verbose(f"All tracks selected for masking: {tracks}")
    else:
        ui.verbose(f"Tracks for masking: {tracks}")

    extents = {chrom: int(ends.max()) if len(ends) else 0 for chrom, (_, ends) in layout.items()}
    mask = read_mask_file(hardmask_filename, predicate, extents, ui=ui)
    summary = HardmaskSummary(maskfile=mask.name, kind=mask.kind, tracks=tracks,
                              filter=predicate, dry_run=dry_run)
    summary.unknown_chromosomes.update(mask.skipped)
    for chrom, (starts, ends) in mask.regions.items():
        if chrom not in layout:
            summary.unknown_chromosomes[chrom] = int(len(starts))
            continue
        pieces = intersect_regions(starts, ends, *layout[chrom])
        if len(pieces[0]):
            summary.chromosomes[chrom] = ChromosomeMask(*pieces)
    if summary.unknown_chromosomes:
        names = sorted(summary.unknown_chromosomes)
        shown = ", ".join(_layout.shorten(name, 40) for name in names[:5]) + (
            f" and {len(names) - 5} more" if len(names) > 5 else "")
        ui.warn(f"{mask.name}: regions on chromosomes that {path} does not have were "
                f"skipped ({shown})")

    if dry_run:
        summary.seconds = time.perf_counter() - began
        return summary

    # everything that could stop the work is checked before the first write
    with _layout.ArchiveFiles(path, "r") as files:
        _check_archive(files, columns, close=not keep_archive_open)

    # masking and the statistics are one transaction: interrupted, nothing changes
    from ._close_data import close_files
    nthreads = _default_threads() if threads is None else max(0, int(threads))
    pool = ThreadPoolExecutor(nthreads, thread_name_prefix="hardmask") if nthreads else None
    try:
        with _layout.ArchiveFiles(path, "r+") as files:
            with ui.progress("masking", total=len(summary.chromosomes),
                             unit="chromosomes") as task:
                for chrom, chrom_mask in summary.chromosomes.items():
                    ui.verbose(f"masking {chrom}: {chrom_mask.regions} regions, "
                               f"{chrom_mask.bases} bases")
                    group = files.chromosome_group(chrom)
                    _layout.write_dirty(group, True)
                    if tracks:
                        summary.values_masked += _mask_chromosome(
                            group, columns, chrom_mask, pool, max(1, nthreads), block_rows)
                    task.advance()
            if not keep_archive_open:
                close_files(files, ui=ui, threads=threads)
    finally:
        if pool is not None:
            pool.shutdown()
    summary.closed = not keep_archive_open
    summary.seconds = time.perf_counter() - began
    return summary


def write_regions(summary: HardmaskSummary, stream) -> None:
    """The regions a (dry) run masks, as BED lines (``chrom start end``) on the binary
    ``stream``, chromosome by chromosome.

    >>> import io, os
    >>> summary = hardmask_data(example_archive, os.path.join(example_data, "peaks.bed"),
    ...                         dry_run=True)
    >>> out = io.BytesIO()
    >>> write_regions(summary, out)
    >>> print(out.getvalue().decode().splitlines()[0])
    chr1	1869	2307
    """
    from .kernels.mask import format_bed3
    for chrom, mask in summary.chromosomes.items():
        name = np.frombuffer(chrom.encode("ascii"), dtype=np.uint8)
        stream.write(format_bed3(name, mask.starts, mask.ends).tobytes())
    stream.flush()
def _check_archive(files, columns, close: bool) -> None:
    """Refuse, before anything is written, an archive hardmask cannot finish on: a format
    version newer than ours, track data it cannot read or write (``_layout.continuous_of``,
    ``_layout.check_filters``) or without a column for a selected track, and (``close``)
    whatever close-data refuses."""
    from ._close_data import check_closable, check_format_version
    for chrom in files.chromosome_names():
        group = files.chromosome_group(chrom)
        check_format_version(group)
        for supercontig in _layout.supercontig_groups(group):
            dataset = _layout.continuous_of(supercontig)
            if dataset is None:
                continue
            _layout.check_filters(dataset, write=True)
            if columns and max(columns) >= dataset.shape[1]:
                raise GenomedataError(f"{_layout.describe(dataset)} has {dataset.shape[1]} "
                                      "track columns, fewer than the archive's track names; "
                                      "run 'genomedata validate' for details")
    if close:
        check_closable(files)


def _mask_chromosome(group, columns, chrom_mask, pool, nthreads, block_rows) -> int:
    changed = 0
    starts, ends = chrom_mask.starts, chrom_mask.ends
    for supercontig in _layout.supercontig_groups(group):
        sc_start, sc_end = _layout.supercontig_bounds(supercontig)
        i0 = int(np.searchsorted(ends, sc_start, side="right"))
        i1 = int(np.searchsorted(starts, sc_end, side="left"))
        if i1 <= i0:
            continue
        dataset = _layout.continuous_of(supercontig, sc_end - sc_start)
        if dataset is None:  # no track was ever opened here: nothing to mask
            continue
        local_starts = np.clip(starts[i0:i1], sc_start, sc_end) - sc_start
        local_ends = np.clip(ends[i0:i1], sc_start, sc_end) - sc_start
        changed += mask_dataset(dataset, columns, local_starts, local_ends, pool, nthreads,
                                block_rows)
    return changed
