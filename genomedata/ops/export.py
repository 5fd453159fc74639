"""Export one track of an archive to bigWig or bedGraph (``genomedata export``).

    >>> summary = export_track(example_archive, "dnase", scratch_dir() + "/dnase.bw")
    >>> summary.intervals, summary.bases
    (277, 45922)

The track is read chromosome by chromosome (sorted names, as bigWig requires), supercontig by
supercontig, in blocks of :data:`BLOCK_ROWS` rows, so no more than one block of the track is in
memory.  Each block is run-length encoded by a numba kernel: consecutive equal values become one
interval (runs continue across block and supercontig boundaries when the positions touch);
NaN is no data and gives no interval.  ``-0.0`` and ``0.0`` are equal and may merge.

Formats, chosen from the output name unless ``fmt`` is given:

* bigWig (``.bw``, ``.bigWig``): written with pyBigWig, header = every chromosome of the
  archive with its ``end`` as size, zoom levels included (``pyBigWig.stats`` works).  A track
  with +-inf values cannot be written as bigWig (an error: libBigWig's summaries overflow and
  pyBigWig then crashes reading the file), nor one whose values sum beyond float32 range;
  bedGraph holds them;
* bedGraph (``.bedGraph``, ``.bg``), gzip-compressed bedGraph (``.bedGraph.gz``, ``.bg.gz``):
  ``chrom<TAB>start<TAB>end<TAB>value`` lines, 0-based half-open, no track line; each value is
  the shortest text that reads back as the same float32 (``float32(float(text)) == value``).
  ``-`` as output writes bedGraph to standard output.

Selection: ``chroms`` (names) and ``regions`` (``"CHROM:START-END"``, 0-based half-open like
BED, or ``(chrom, start, end)`` tuples) limit the export to what they name, together (their
union); by default everything is exported.  Regions are clipped to the chromosome.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

import numpy as np

from .. import _progress
from ..api.genome import Genome
from ..archive import files as _files
from ..errors import GenomedataError, not_found
from ._bedgraph import bedgraph_lines, format_values  # noqa: F401 - imported from here too

BLOCK_ROWS = 4_000_000
FORMATS = ("bigwig", "bedgraph", "bedgraph.gz")
_SUFFIXES = ((".bedgraph.gz", "bedgraph.gz"), (".bg.gz", "bedgraph.gz"),
             (".bedgraph", "bedgraph"), (".bg", "bedgraph"),
             (".bigwig", "bigwig"), (".bw", "bigwig"))
BIGWIG_MAX_ZOOMS = 10  # pyBigWig's default


@dataclass
class ExportSummary:
    """What one :func:`export_track` call wrote."""

    output: str
    fmt: str
    intervals: int = 0
    bases: int = 0          # bases covered by the intervals (finite values and inf)
    chromosomes: list = field(default_factory=list)


# ------------------------------------------------------------------------------------------------
# Arguments

def infer_format(output) -> str:
    """``"bigwig"``, ``"bedgraph"`` or ``"bedgraph.gz"`` from the output's name."""
    name = os.fspath(output)
    if name == "-":
        return "bedgraph"
    lowered = name.lower()
    for suffix, fmt in _SUFFIXES:
        if lowered.endswith(suffix):
            return fmt
    raise GenomedataError(f"cannot tell the output format from the name {name!r}: use a name "
                          "ending in .bw, .bigWig, .bedGraph, .bg or .bedGraph.gz, or give "
                          "the format")


def _check_format(fmt) -> str:
    fmt = str(fmt).lower()
    fmt = {"bw": "bigwig", "bg": "bedgraph", "bedgraphgz": "bedgraph.gz",
           "bg.gz": "bedgraph.gz"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise GenomedataError(f"unknown output format {fmt!r}: use one of "
                              f"{', '.join(FORMATS)}")
    return fmt


def parse_region(text: str):
    """``"chr1:1000-2000"`` -> ``("chr1", 1000, 2000)`` (0-based, half-open; commas allowed
    in numbers)."""
    chrom, sep, span = str(text).rpartition(":")
    begin, dash, end = span.partition("-")
    try:
        if not (sep and dash and chrom):
            raise ValueError
        start, stop = int(begin.replace(",", "")), int(end.replace(",", ""))
    except ValueError:
        raise GenomedataError(f"region {text!r} is not CHROM:START-END") from None
    return chrom, start, stop


def _region_tuple(region):
    if isinstance(region, str):
        return parse_region(region)
    try:
        chrom, start, stop = region
        return str(chrom), int(start), int(stop)
    except (TypeError, ValueError):
        raise GenomedataError(f"region {region!r} is not CHROM:START-END or a (chrom, start, "
                              "end) tuple") from None


def _selection(genome, chroms, regions):
    """{chrom: [(start, end), ...]} sorted by chromosome, ranges sorted and merged."""
    names = [chromosome.name for chromosome in genome]
    sizes = {chromosome.name: chromosome.length for chromosome in genome}
    wanted = {}
    if chroms is None and regions is None:
        for name in names:
            wanted[name] = [(0, sizes[name])]
    for name in chroms or ():
        if name not in sizes:
            raise not_found("chromosome", name, names, genome.filename)
        wanted.setdefault(name, []).append((0, sizes[name]))
    for region in regions or ():
        name, start, stop = _region_tuple(region)
        if name not in sizes:
            raise not_found("chromosome", name, names, genome.filename)
        if start < 0 or stop <= start:
            raise GenomedataError(f"region {name}:{start}-{stop} is empty or negative "
                                  "(0-based, half-open: START < END)")
        wanted.setdefault(name, []).append((start, min(stop, sizes[name])))
    selection = {}
    for name in sorted(wanted):
        merged = []
        for start, stop in sorted(wanted[name]):
            if stop <= start:
                continue
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
            else:
                merged.append((start, stop))
        selection[name] = merged
    return selection, sizes


# ------------------------------------------------------------------------------------------------
# Writers

class _BigWigWriter:
    """pyBigWig output.  Stretches of at least :data:`FIXED_STEP_MIN` consecutive one-base
    intervals (dense signal) are written as fixedStep sections (span 1, step 1): 3x faster
    to write and smaller than one bedGraph item per base; everything else as bedGraph
    items."""

    def __init__(self, path, sizes):
        import pyBigWig
        self.bw = pyBigWig.open(path, "w")
        if self.bw is None:
            raise GenomedataError(f"{path}: cannot create a bigWig file")
        header = [(name, size) for name, size in sorted(sizes.items()) if size > 0]
        self.bw.addHeader(header, maxZooms=BIGWIG_MAX_ZOOMS)

    def write(self, chrom, starts, ends, values):
        infinite = np.flatnonzero(np.isinf(values))
        if len(infinite):
            where = f"{chrom}:{starts[infinite[0]]}-{ends[infinite[0]]}"
            raise GenomedataError(f"the track has an infinite value at {where}, which bigWig "
                                  "files cannot hold (pyBigWig fails on them); export it as "
                                  "bedGraph instead")
        done = 0
        for first, last in _one_base_stretches(starts, ends):
            if done < first:
                self._items(chrom, starts[done:first], ends[done:first], values[done:first])
            self.bw.addEntries(chrom, int(starts[first]), values=values[first:last],
                               span=1, step=1)
            done = last
        if done < len(starts):
            self._items(chrom, starts[done:], ends[done:], values[done:])

    def _items(self, chrom, starts, ends, values):
        self.bw.addEntries([chrom] * len(starts), starts, ends=ends, values=values)

    def close(self):
        self.bw.close()


FIXED_STEP_MIN = 16


def _one_base_stretches(starts, ends):
    """``[(first, last), ...]``: index ranges of at least :data:`FIXED_STEP_MIN` consecutive
    intervals that are one base long and touch each other."""
    if len(starts) < FIXED_STEP_MIN:
        return []
    single = (ends - starts) == 1
    link = single[:-1] & single[1:] & (starts[1:] == ends[:-1])
    edges = np.diff(np.concatenate(([0], link.view(np.int8), [0])))
    firsts = np.flatnonzero(edges == 1)
    lasts = np.flatnonzero(edges == -1) + 1  # links first..last-2 join intervals first..last-1
    keep = lasts - firsts >= FIXED_STEP_MIN
    return list(zip(firsts[keep].tolist(), lasts[keep].tolist()))


class _BedGraphWriter:
    def __init__(self, path, compressed):
        if path == "-":
            self.handle, self.owned = sys.stdout.buffer, False
        elif compressed:
            from isal import igzip
            self.handle, self.owned = igzip.open(path, "wb"), True
        else:
            self.handle, self.owned = open(path, "wb"), True

    def write(self, chrom, starts, ends, values):
        for lo in range(0, len(starts), LINES_PER_WRITE):
            hi = lo + LINES_PER_WRITE
            text = bedgraph_lines(chrom, starts[lo:hi], ends[lo:hi], values[lo:hi])
            self.handle.write(memoryview(text))

    def close(self):
        if self.owned:
            self.handle.close()
        else:
            self.handle.flush()


LINES_PER_WRITE = 1 << 20


class _RunMerger:
    """Joins runs of consecutive blocks: the last run of a block is held back until the next
    block shows whether it goes on."""

    def __init__(self, writer, chrom, summary):
        self.writer = writer
        self.chrom = chrom
        self.summary = summary
        self.pending = None  # (start, end, value)

    def add(self, pos, starts, ends, values):
        if not len(starts):
            return
        starts += pos
        ends += pos
        pending = self.pending
        if pending is not None:
            if pending[1] == starts[0] and pending[2] == values[0]:
                starts[0] = pending[0]
                values[0] = pending[2]
            else:
                starts = np.concatenate(([pending[0]], starts))
                ends = np.concatenate(([pending[1]], ends))
                values = np.concatenate((np.array([pending[2]], dtype=np.float32), values))
        self.pending = (int(starts[-1]), int(ends[-1]), values[-1])
        self._emit(starts[:-1], ends[:-1], values[:-1])

    def flush(self):
        if self.pending is not None:
            start, end, value = self.pending
            self.pending = None
            self._emit(np.array([start], dtype=np.int64), np.array([end], dtype=np.int64),
                       np.array([value], dtype=np.float32))

    def _emit(self, starts, ends, values):
        if len(starts):
            self.writer.write(self.chrom, starts, ends, values)
            self.summary.intervals += len(starts)
            self.summary.bases += int((ends - starts).sum())


# ------------------------------------------------------------------------------------------------
# The library function

def _temporary_name(output: str) -> str:
    """A name for the output while it is written: inside a new private folder (``mkdtemp``:
    created exclusively, mode 0700) beside ``output``, so that nothing planted at a predictable
    name -- a symbolic link in a shared folder -- can redirect the write."""
    import tempfile
    directory, base = os.path.split(os.path.abspath(output))
    folder = tempfile.mkdtemp(prefix=f".{base}.", suffix=".part", dir=directory)
    return os.path.join(folder, base)


def _discard_temporary(target: str) -> None:
    try:
        os.remove(target)
    except FileNotFoundError:
        pass
    try:
        os.rmdir(os.path.dirname(target))
    except OSError:
        pass


def export_track(gdfilename, trackname, output, chroms=None, regions=None, fmt=None,
                 overwrite=False) -> ExportSummary:
    """Write track ``trackname`` of archive (or bigWig) ``gdfilename`` to ``output``.

    ``fmt``: "bigwig", "bedgraph" or "bedgraph.gz" (default: from the output's name).
    ``chroms``: chromosome names; ``regions``: ``"CHROM:START-END"`` strings (0-based,
    half-open) or ``(chrom, start, end)`` tuples; together they limit the export (union).
    An existing ``output`` is an error unless ``overwrite``.  The file is written under a
    temporary name (in a private folder beside it) and renamed when complete.  Returns an
    :class:`ExportSummary`.

    >>> output = scratch_dir() + "/conservation.bedGraph"
    >>> summary = export_track(example_archive, "conservation", output,
    ...                        regions=["chr1:1000-1004"])
    >>> print(open(output).read(), end="")
    chr1	1000	1001	0.788
    chr1	1001	1002	-3.159
    chr1	1002	1003	2.31
    chr1	1003	1004	0.002

    A bigWig file for a genome browser, opened again as a genome:

    >>> bigwig = scratch_dir() + "/dnase.bw"
    >>> summary = export_track(example_archive, "dnase", bigwig)
    >>> with Genome(bigwig) as genome:
    ...     print(genome["chr1"][272:275, 0])
    [10.5 10.5 10.5]
    """
    from ..kernels.runs import find_runs

    output = os.fspath(output)
    fmt = infer_format(output) if fmt is None else _check_format(fmt)
    if output == "-" and fmt != "bedgraph":
        raise GenomedataError("only bedGraph can be written to standard output")
    if output != "-":
        if os.path.isdir(output):
            raise GenomedataError(f"{output} is a directory")
        if os.path.exists(output) and not overwrite:
            raise GenomedataError(f"{output} already exists (use --overwrite to replace it)")
        source = _files.expand_path(gdfilename)
        if os.path.exists(output) and os.path.exists(source) \
                and os.path.samefile(output, source):
            raise GenomedataError(f"{output} is the archive being exported")
    if isinstance(chroms, str):
        chroms = [chroms]
    if isinstance(regions, (str, tuple)):
        regions = [regions]

    summary = ExportSummary(output=output, fmt=fmt)
    with Genome(gdfilename) as genome:
        col = genome.index_continuous(trackname)
        selection, sizes = _selection(genome, chroms, regions)
        total = sum(genome[name].covered_bases(start, stop)
                    for name, ranges in selection.items() for start, stop in ranges)
        target = output if output == "-" else _temporary_name(output)
        try:
            if fmt == "bigwig":
                writer = _BigWigWriter(target, sizes)
            else:
                writer = _BedGraphWriter(target, fmt == "bedgraph.gz")
            try:
                with _progress.task(f"exporting {trackname}", total=total) as task:
                    for name, ranges in selection.items():
                        chromosome = genome[name]
                        merger = _RunMerger(writer, name, summary)
                        for start, stop in ranges:
                            for pos, values in chromosome.iter_track_blocks(col, start, stop,
                                                                            BLOCK_ROWS):
                                merger.add(pos, *find_runs(values))
                                task.advance(len(values))
                        merger.flush()
                        summary.chromosomes.append(name)
            finally:
                writer.close()
            if target != output:
                os.replace(target, output)
                _discard_temporary(target)
        except BaseException:
            if target != output:
                _discard_temporary(target)
            raise
    _progress.verbose(f"{output}: {summary.intervals} intervals covering {summary.bases} bases "
                      f"of {len(summary.chromosomes)} chromosomes")
    return summary
