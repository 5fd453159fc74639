"""Summary statistics of tracks over the regions of a BED file (``genomedata summarize``).

    >>> import io
    >>> result = summarize(example_archive, f"{example_data}/peaks.bed", stat="max")
    >>> result.columns[:5], result.values.shape
    (['chrom', 'start', 'end', 'name', 'conservation'], (24, 2))
    >>> out = io.BytesIO()
    >>> result.write_tsv(out)
    >>> for line in out.getvalue().decode().splitlines()[:2]:
    ...     print(line)
    chrom	start	end	name	conservation	dnase
    chr1	1869	2307	49.3	3.849	9.0

The regions are read by :func:`genomedata.inputs.regions.read_bed_regions` (3 or more
columns, plain or gzip, a header line skipped) and summarised by
:meth:`Genome.summarize <genomedata.Genome.summarize>` (the statistics and bins of
:meth:`Chromosome.binned <genomedata.Chromosome.binned>`); rows stay in the file's order.
The archive may be a bigWig file (one track).

Table: columns ``chrom start end``, then ``name`` when the BED file has a 4th column, then
one column per track named after it (with ``bins``: ``TRACK_bin1`` .. ``TRACK_binN`` for each
track in turn).  Each number is the statistic rounded to float32, the precision of the data,
written as the shortest text that reads back as that float32 (``1.0``, ``0.1``, ``1e-05``, as
numpy writes a float32; ``min`` and ``max`` are the data's own values, exactly); a missing
value is ``NA``, which R's ``read.table`` and pandas' ``read_csv`` read as missing by default.  The
full float64 values are :attr:`RegionSummary.values`.

A chromosome of the BED file that the archive does not have is an error naming the line; a
region past the chromosome's end is summarised as every region is: the bases past the end
have no data (NaN for mean, coverage counts them as missing).
"""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass

import numpy as np

from ..api import frames
from ..api.bigwig import BigWigGenome
from ..api.binned import summarize_coded
from ..api.genome import Genome
from ..api.keys import is_int
from ..errors import GenomedataError, GenomedataValueError, name_list, not_found
from ..inputs.regions import BedRegions, read_bed_regions
from ._table import table_text

MISSING = "NA"          # how a missing value is written
WRITE_ROWS = 1 << 16    # rows formatted at a time


@dataclass
class RegionSummary:
    """The result of :func:`summarize`: the regions, the track names, the statistic, and
    ``values``, float64 of shape ``(regions, tracks)`` or ``(regions, bins, tracks)``."""

    regions: BedRegions
    tracks: list
    stat: str
    bins: int | None
    values: np.ndarray

    @property
    def value_columns(self) -> list:
        """The names of the value columns: tracks, or ``TRACK_binN`` for each track in turn."""
        if self.bins is None:
            return list(self.tracks)
        return [f"{track}_bin{b + 1}" for track in self.tracks for b in range(self.bins)]

    @property
    def columns(self) -> list:
        """Every column of the table: ``chrom start end [name]`` and the value columns."""
        head = ["chrom", "start", "end"] + (["name"] if self.regions.names is not None else [])
        return head + self.value_columns

    def matrix(self) -> np.ndarray:
        """The values as a ``(regions, value columns)`` array, in column order."""
        if self.bins is None:
            return self.values
        return self.values.transpose(0, 2, 1).reshape(len(self.values), -1)

    def to_dataframe(self):
        """The table as a pandas DataFrame (needs the ``pandas`` extra): columns as
        :attr:`columns`, one row per region in the file's order, NaN where a value is
        missing.

        >>> result = summarize(example_archive, f"{example_data}/peaks.bed", bins=2)
        >>> frame = result.to_dataframe()
        >>> list(frame.columns)
        ['chrom', 'start', 'end', 'name', 'conservation_bin1', 'conservation_bin2', 'dnase_bin1', 'dnase_bin2']
        >>> frame.shape
        (24, 8)
        """
        frames.pandas()   # the missing extra before any work
        data = {"chrom": self.regions.chroms, "start": self.regions.starts,
                "end": self.regions.ends}
        if self.regions.names is not None:
            data["name"] = self.regions.names
        matrix = self.matrix()
        for j, column in enumerate(self.value_columns):
            data[column] = matrix[:, j]
        return frames.table_frame(data)

    def write_tsv(self, output=None) -> None:
        """Write the table as TAB-separated text with a header line to ``output``: a path, a
        binary file object, or None for standard output."""
        if output is None:
            sys.stdout.flush()
            buffer = getattr(sys.stdout, "buffer", None)
            if buffer is None:     # a text-only stream (e.g. io.StringIO)
                text = io.BytesIO()
                self._write(text)
                sys.stdout.write(text.getvalue().decode())
            else:
                self._write(buffer)
                buffer.flush()
        elif isinstance(output, (str, bytes, os.PathLike)):
            with open(output, "wb") as handle:
                self._write(handle)
        else:
            self._write(output)

    def _write(self, handle) -> None:
        handle.write(("\t".join(self.columns) + "\n").encode())
        regions = self.regions
        matrix = self.matrix()
        for lo in range(0, len(regions), WRITE_ROWS):
            hi = min(len(regions), lo + WRITE_ROWS)
            handle.write(memoryview(table_text(
                matrix[lo:hi], missing=MISSING, chrom_names=regions.chrom_names,
                chrom_ids=regions.chrom_ids[lo:hi], starts=regions.starts[lo:hi],
                ends=regions.ends[lo:hi],
                names=None if regions.names is None else regions.names[lo:hi])))


def _check_chromosomes(genome, regions, archive) -> None:
    """One sentence for a chromosome of the BED file the archive does not have."""
    have = [chromosome.name for chromosome in genome]
    known = set(have)
    for index, name in enumerate(regions.chrom_names):
        if name in known:
            continue
        first = int(np.argmax(regions.chrom_ids == index))
        count = int(np.count_nonzero(regions.chrom_ids == index))
        hint = ""
        other = name[3:] if name.startswith("chr") else "chr" + name
        if other in known:
            hint = f" (the archive calls it {other!r}: chromosome names must match exactly)"
        raise GenomedataError(
            f"{regions.where(first)}: chromosome {name!r} ({count:,} region"
            f"{'s' if count != 1 else ''}) is not in {archive}, which has "
            f"{name_list(have)}{hint}")


def summarize(archive, regions_bed, tracks=None, stat="mean", bins=None) -> RegionSummary:
    """Summary ``stat`` (mean, min, max, sum, coverage or std) of ``tracks`` (names; default
    every track) over each region of the BED file ``regions_bed``, or over ``bins`` equal
    bins of each region: a :class:`RegionSummary` (``.values``, ``.to_dataframe()``,
    ``.write_tsv()``).  ``archive``: a genomedata archive or a bigWig file.

    >>> result = summarize(example_archive, f"{example_data}/peaks.bed", "dnase", "coverage")
    >>> result.columns, result.values[:2].round(3).tolist()
    (['chrom', 'start', 'end', 'name', 'dnase'], [[0.304], [0.739]])
    """
    regions = read_bed_regions(regions_bed)
    with Genome(archive) as genome:
        names = genome.tracknames_continuous
        if tracks is None:
            tracks = list(names)
        elif isinstance(tracks, str):
            tracks = [tracks]
        else:
            tracks = list(tracks)
        for track in tracks:
            if not isinstance(track, str):
                raise GenomedataError(f"tracks are given by name, not by {track!r}")
        columns = tracks
        if isinstance(genome, BigWigGenome):
            # the one track of a bigWig file is named after the file: its column is named
            # after the file's name without folder and extension (or chosen by that name)
            stem = os.path.splitext(os.path.basename(os.fspath(archive)))[0]
            for track in tracks:
                if track not in names and track != stem:
                    raise not_found("track", track, [stem], archive)
            columns = [0] * len(tracks)
            tracks = [stem] * len(tracks)
        _check_chromosomes(genome, regions, archive)
        if bins is not None:
            lengths = regions.ends - regions.starts
            if len(lengths) and is_int(bins) and int(bins) > int(lengths.min()):
                k = int(np.argmin(lengths))
                raise GenomedataValueError(
                    f"{regions.where(k)}: the region has {int(lengths[k])} bases, too few for "
                    f"{int(bins)} bins: use at most {int(lengths.min())} bins")
        values = summarize_coded(genome, regions.chrom_names, regions.chrom_ids,
                                 regions.starts, regions.ends, stat, columns, bins)
    return RegionSummary(regions, tracks, stat, None if bins is None else int(bins), values)

