"""Region and mask files: BED or WIG regions, optionally filtered by score, merged per chromosome.

Read by hardmask (the mask file), and by ``--maskfile`` (load, load-data) and ``histogram
--include-coords`` (regions without a filter): every mask file goes through
:func:`read_mask_file`.  ``summarize`` and ``profile`` read regions as written, in input
order and not merged, through :func:`read_bed_regions` (same BED scanner).

Files
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
every region counts.  BED scores and the threshold are compared as float64 (Python floats, as
genomedata 1.7 did); WIG values are read at float32 precision like any track value, so for WIG
the threshold is rounded to float32 too.  NaN never passes except with ``ne``; in WIG files a
NaN value means "no region".

Regions that pass are sorted and merged (overlapping or touching regions become one, its end
the largest end).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import numpy as np

from .. import _progress
from ..errors import GenomedataError, HardmaskOptionError, InputError
from .buffers import describe, open_signal
from .numbers import DECIMAL as _NUMBER   # the number grammar of every text input
from .signal import line_number, parse_signal

WIG_SUFFIXES = (".wig", ".wg", ".wigfix", ".wigvar")


# ------------------------------------------------------------------------------------------------
# The filter option

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
        from ..kernels.regions import OPERATORS
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
    genomedata.errors.HardmaskOptionError: unknown operator 'below' in the --hardmask option ...
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


def as_filter(hardmask_function):
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
# Files

def mask_file_kind(path, data=None) -> str:
    """``"wig"`` or ``"bed"`` (see the module documentation for the rule).  ``data``: the file's
    (decompressed) bytes as a uint8 array when already mapped."""
    if data is None:
        with open_signal(path) as buffer:
            return mask_file_kind(path, buffer.data)
    from ..kernels.mask import find_wig_header
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
    return line_number(data, offset)


def _read_bed(data, name, predicate) -> MaskFile:
    from ..kernels import mask as km
    from ..kernels import regions as kr

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
    from ..kernels import regions as kr

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


def read_mask_file(path, hardmask_function=None, extents=None) -> MaskFile:
    """Read a BED or WIG mask file: the merged regions passing ``hardmask_function`` (an
    option string like ``"lt0.5"``, a :class:`HardmaskFilter`, any predicate, or None for
    every region).  ``extents``: {chrom: end} of the archive; WIG chromosomes not in it are
    skipped (BED chromosomes are all returned)."""

    predicate = as_filter(hardmask_function)
    path = os.fspath(path)

    def parse(data, name):
        if mask_file_kind(path, data) == "wig":
            return _read_wig(data, name, predicate, extents)
        return _read_bed(data, name, predicate)

    return _read_region_text(path, "a mask file", parse)


def _read_region_text(path, what, parse):
    """``parse(data, name)`` of the bytes of region file ``path`` (gzip or plain; "-" is
    standard input), read with a progress bar; ``what`` names the kind of file expected
    ("a mask file") when ``path`` is a directory."""
    name = describe(path)
    if path != "-" and os.path.isdir(path):
        raise GenomedataError(f"{path}: is a directory, not {what}")
    with _progress.task(f"reading {os.path.basename(name)}", unit="bytes",
                        total=os.path.getsize(path) if os.path.isfile(path) else None) as task:
        buffer = open_signal(path, task)
    try:
        data = buffer.data
        result = parse(data, name)
        del data
    finally:
        try:
            buffer.close()
        except BufferError:  # a traceback still refers to the mapped bytes: freed later
            pass
    return result


# ------------------------------------------------------------------------------------------------
# BED regions as written (summarize, profile)

@dataclass
class BedRegions:
    """The regions of a BED file in input order, neither sorted nor merged.

    ``chrom_names``: the distinct chromosome names, in order of first appearance;
    ``chrom_ids``: int64 index into ``chrom_names`` of each region; ``starts``, ``ends``:
    int64, 0-based half-open; ``names``: column 4 of each line (``""`` for a line without one),
    or None when no line has a column 4; ``lines``: int64 1-based line number of each region,
    for messages (``where(i)`` is ``"FILE:LINE"``); ``strands``: int8, column 6 of each line,
    1 for ``+``, -1 for ``-``, 0 for anything else or no column 6, or None when no line has a
    ``+`` or ``-`` there."""

    file: str
    chrom_names: list
    chrom_ids: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    names: list | None
    lines: np.ndarray
    strands: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def chroms(self) -> list:
        """The chromosome name of each region (a list of ``len(self)`` strings)."""
        names = self.chrom_names
        return [names[i] for i in self.chrom_ids.tolist()]

    def where(self, index) -> str:
        """``"FILE:LINE"`` of region ``index``."""
        return f"{self.file}:{int(self.lines[index])}"


def _decode(data, offset, length, name, what) -> str:
    try:
        return bytes(data[offset:offset + length]).decode("ascii")
    except UnicodeDecodeError:
        raise InputError(name, _line_of(data, offset), f"{what} is not ASCII") from None


def _decode_spans(data, spans, name, what) -> list:
    """The texts of ``data`` at ``spans`` (int64 rows of offset and length; offset -1: ``""``),
    gathered into one buffer and decoded at once."""
    offsets = spans[:, 0]
    lengths = np.where(offsets >= 0, spans[:, 1], 0)
    ends = np.cumsum(lengths + 1)            # each text, then a separator
    begins = ends - lengths - 1
    source = np.arange(int(ends[-1]), dtype=np.int64) - np.repeat(begins - offsets, lengths + 1)
    joined = np.asarray(data)[np.clip(source, 0, len(data) - 1)]
    joined[ends - 1] = ord("\n")
    wide = np.flatnonzero(joined >= 0x80)
    if len(wide):
        k = int(np.searchsorted(ends, wide[0], side="right"))
        raise InputError(name, _line_of(data, int(offsets[k])), f"{what} is not ASCII")
    return joined.tobytes().decode("ascii").split("\n")[:-1]


def _scan_bed_regions(data, name) -> BedRegions:
    from ..kernels import mask as km

    (status, offset, run_off, run_len, run_first, starts, ends, lines,
     column4) = km.scan_bed_regions(data)
    if status != km.OK:
        message = km.MESSAGES[status]
        if km.find_wig_header(data) >= 0:
            message = "this is a WIG file, not a BED file of regions"
        raise InputError(name, _line_of(data, offset), message)
    ids = {}
    run_ids = np.empty(len(run_off), dtype=np.int64)
    for r, (lo, ln) in enumerate(zip(run_off.tolist(), run_len.tolist())):
        chrom = _decode(data, lo, ln, name, "chromosome name")
        run_ids[r] = ids.setdefault(chrom, len(ids))
    chrom_ids = np.repeat(run_ids, np.diff(run_first))
    names = None
    if len(column4) and (column4[:, 0] >= 0).any():
        names = _decode_spans(data, column4, name, "name (column 4)")
    strands = None
    if len(column4) and (column4[:, 2] != 0).any():
        strands = column4[:, 2].astype(np.int8)
    return BedRegions(name, list(ids), chrom_ids, starts, ends, names, lines, strands)


def read_bed_regions(path) -> BedRegions:
    """The regions of a BED file (3 or more columns separated by spaces or TABs, plain or
    gzip, ``-`` for standard input) in input order: a :class:`BedRegions`.  ``track``,
    ``browser``, ``#`` and blank lines are skipped, and so is a header line (a first line whose
    second column starts with a letter, such as ``chrom start end``).  A line that is not a
    region raises :class:`~genomedata.errors.InputError` (``FILE:LINE: message``).

    >>> regions = read_bed_regions(f"{example_data}/peaks.bed")
    >>> len(regions), regions.chroms[:2], regions.starts[:2], regions.names[:2]
    (24, ['chr1', 'chr1'], array([1869, 4530]), ['49.3', '30.6'])
    >>> regions.where(1)
    '.../peaks.bed:2'
    """
    path = os.fspath(path) if path is not None else "-"
    return _read_region_text(path, "a BED file", _scan_bed_regions)


# ------------------------------------------------------------------------------------------------
# A region as genome browsers write it

_LOCUS_NUMBER = re.compile(r"[0-9][0-9,]*\Z")


def parse_locus(text, names=()):
    """``"chr1:10,000-20,000"`` (1-based, inclusive, the way genome browsers show a region;
    commas allowed in numbers) -> ``("chr1", 9999, 20000)``, 0-based half-open.  A chromosome
    name alone (``"chr1"``, or any name in ``names``, which may hold a ``:``) is the whole
    chromosome: ``(name, None, None)``.

    >>> parse_locus("chr1:10,000-20,000")
    ('chr1', 9999, 20000)
    >>> parse_locus("chrM")
    ('chrM', None, None)
    """
    text = str(text).strip()
    if text in names:
        return text, None, None
    chrom, colon, span = text.rpartition(":")
    if not colon:
        if text and "-" not in text:
            return text, None, None
        chrom = ""
    first, dash, last = span.partition("-")
    first, last = first.strip(), last.strip()
    if not (chrom and dash and _LOCUS_NUMBER.match(first) and _LOCUS_NUMBER.match(last)):
        raise GenomedataError(f"region {text!r} is not CHROM:START-END (1-based, inclusive, "
                              "e.g. chr1:10,000-20,000) or a chromosome name")
    start, end = int(first.replace(",", "")), int(last.replace(",", ""))
    if start < 1:
        raise GenomedataError(f"region {text!r} starts at {start}: region positions start at 1 "
                              "(1-based, as genome browsers show them)")
    if end < start:
        raise GenomedataError(f"region {text!r} ends before it starts")
    return chrom, start - 1, end
