"""Pictures of tracks, as matplotlib figures: the signal of a region (``genomedata plot``) and
profiles around many regions (``genomedata profile``).

    >>> figure = plot_region(example_archive, "chr2:20,001-140,000")
    >>> [axes.get_ylabel() for axes in figure.axes]
    ['conservation', 'dnase']
    >>> save_figure(figure, "chr2.png")            # doctest: +SKIP

matplotlib is the optional extra ``genomedata[plot]``; without it both functions raise
:class:`~genomedata.MissingExtraError` naming the extra.  Figures are
``matplotlib.figure.Figure`` objects drawn without pyplot (no display, no global state):
show one in a notebook by leaving it as a cell's value, or write it with
:func:`save_figure` (or ``figure.savefig``).

Region plots have one bin per pixel of the figure's width (at 100 dpi).  When each bin spans
at least :data:`~genomedata.api.binned.MIN_BLOCKS_PER_BIN` blocks of the block summaries
that close-data stores (1,000 bases each), and those summaries hold for the chromosome as it
is, the bins are read from them (:func:`~genomedata.api.binned.binned_blocks`): their edges
move to the nearest block edges (by at most half a block) and a whole chromosome plots about
as fast as 10 kbp.  Otherwise (shorter regions, archives without summaries or changed since
close-data, bigWig files) they are read exactly by :meth:`Chromosome.binned
<genomedata.Chromosome.binned>`, one pass over the stored data.  Each bin is summarised by
the ``max`` (the default: a peak as narrow as one base stays visible however far out the plot
is) or the ``mean`` of its finite values; a bin without any (a gap between supercontigs, a
stretch without data) is NaN and drawn as a gap.

Profiles read :meth:`Genome.stackup <genomedata.Genome.stackup>`: the same bins around each
region, one matrix (regions x bins) per track; the figure shows each track's mean profile
(the mean over regions of each bin, ignoring NaN) above its matrix as a heat map, rows sorted
by signal (see :func:`plot_profile`).
"""

from __future__ import annotations

import contextlib
import os
import warnings

import numpy as np

from .. import _progress
from .._extras import require
from ..api.bigwig import BigWigGenome
from ..api.binned import bin_edges, binned_blocks
from ..api.genome import Genome
from ..errors import GenomedataError
from ..inputs.regions import read_bed_regions
from ._region import resolve_region, track_columns

SUMMARIES = ("max", "mean")           # what a bin of a region plot shows
PROFILE_STATS = ("mean", "max")       # what a bin of a profile shows
FORMATS = ("png", "svg", "pdf")       # what save_figure writes, by the file's suffix
DPI = 100                             # pixels per inch of PNG files (and of the bin count)
TRACK_HEIGHT = 0.9                    # inches per track of a region plot
HEAT_MAP_CMAP = "viridis"
NO_DATA_COLOUR = "#dddddd"            # heat map cells without finite values


def _figure_class():
    """``matplotlib.figure.Figure`` (Agg drawing on save; never pyplot, never a display)."""
    require("matplotlib", "plot", "drawing plots")
    from matplotlib.figure import Figure
    return Figure


@contextlib.contextmanager
def _opened(genome):
    """An open :class:`Genome` from a Genome (left open) or a path (closed at the end)."""
    if isinstance(genome, Genome):
        genome._check_open()
        yield genome
        return
    with Genome(genome) as opened:
        yield opened


def _labels(genome, columns) -> list[str]:
    """The names of tracks as a plot shows them: a bigWig's one track is named by the file's
    path, shown without its folders."""
    names = [genome.tracknames_continuous[column] for column in columns]
    if isinstance(genome, BigWigGenome):
        names = [os.path.basename(name) for name in names]
    return names


def figure_format(path) -> str:
    """The format of a picture file by its suffix: ``png``, ``svg`` or ``pdf``."""
    suffix = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if suffix not in FORMATS:
        raise GenomedataError(f"cannot tell the picture format of {os.fspath(path)}: name the "
                              f"file .png, .svg or .pdf")
    return suffix


def save_figure(figure, path) -> str:
    """Write ``figure`` to ``path`` as PNG (at 100 dpi), SVG or PDF, by the suffix; returns
    the format.

    >>> figure = plot_region(example_archive, "chr1:1-6,000", tracks=["dnase"], width=4)
    >>> import os
    >>> save_figure(figure, os.path.join(scratch_dir(), "chr1.svg"))
    'svg'
    """
    fmt = figure_format(path)
    figure.savefig(os.fspath(path), format=fmt, dpi=DPI)
    return fmt


# ------------------------------------------------------------------------------------------------
# Axes

def _position_formatter(span: int):
    """Tick labels of genome positions: bases, kb or Mb by the width of the region shown."""
    from matplotlib.ticker import FuncFormatter
    scale, unit = (1e6, " Mb") if span >= 5_000_000 else (1e3, " kb") if span >= 5_000 \
        else (1, "")

    def label(x, _pos):
        if scale == 1 or x == 0:
            return f"{x:,.0f}"
        return f"{x / scale:,.3f}".rstrip("0").rstrip(".") + unit
    return FuncFormatter(label)


def _distance(bases: int) -> str:
    """``2.0 kb``, ``500 bp``: a distance as a profile's ticks show it."""
    return f"{bases / 1000:g} kb" if bases >= 1000 else f"{bases} bp"


def _finite_range(values, low=0.0, high=100.0):
    """(low, high) percentiles of the finite values, or None without any."""
    finite = values[np.isfinite(values)]
    if not finite.size:
        return None
    return float(np.percentile(finite, low)), float(np.percentile(finite, high))


# ------------------------------------------------------------------------------------------------
# Region plots

def plot_region(genome, region, tracks=None, *, summary="max", bins=None, width=10.0,
                height=None, title=None):
    """A figure of the tracks of one region: one filled signal plot per track, stacked, with
    a shared axis of positions.

    ``genome``: a :class:`Genome` (left open) or the path of an archive or bigWig file;
    ``region``: ``"chr1:10,001-20,000"`` (1-based, inclusive, as genome browsers show it; commas
    allowed), a chromosome name (the whole chromosome) or a ``(chrom, start, end)`` tuple
    (0-based, half-open); ``tracks``: names (default: every track, in the archive's order);
    ``summary``: ``"max"`` (default) or ``"mean"`` of the finite values of each bin; ``bins``:
    the number of bins (default: the figure's width in pixels at 100 dpi; never more than the
    region's bases); ``width``, ``height``: inches (height default: 0.9 per track, plus room
    for the axis and title); ``title``: default the region.

    Each track's panel is a matplotlib ``StepPatch`` (``axes.patches[0]``) whose
    ``get_data()`` is ``(values, edges, 0)``: the bin summaries (NaN where a bin has no
    finite value: drawn as a gap) and the bin edges (0-based positions; moved to block edges
    when the bins come from the block summaries, see above).

    >>> figure = plot_region(example_archive, "chr2", tracks="dnase", summary="mean", bins=5)
    >>> values, edges, _ = figure.axes[0].patches[0].get_data()
    >>> print(values.round(2))                 # the gap 30000-130000 is a gap
    [6.01  nan  nan  nan 6.78]
    >>> print(edges)
    [     0  30000  60000  90000 120000 150000]
    """
    Figure = _figure_class()
    if summary not in SUMMARIES:
        raise GenomedataError(f"unknown summary {summary!r}: use max or mean")
    with _opened(genome) as genome:
        columns = track_columns(genome, tracks)
        if not columns:
            raise GenomedataError(f"{genome.filename} has no tracks")
        names = _labels(genome, columns)
        chromosome, start, end = resolve_region(genome, region)
        chrom = chromosome.name
        if bins is None:
            bins = max(1, int(round(width * DPI)))
            bins = min(bins, end - start)
        # (None for short regions, bigWig files and archives without usable summaries)
        found = binned_blocks(chromosome, start, end, bins, summary, columns)
        if found is None:
            values = chromosome.binned(start, end, bins, summary, columns)
            edges = bin_edges(start, end, bins)
        else:
            values, edges = found

    if height is None:
        height = 0.9 + TRACK_HEIGHT * len(columns)
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    axes = figure.subplots(len(columns), 1, sharex=True, squeeze=False)[:, 0]
    from matplotlib.ticker import MaxNLocator
    for number, (ax, name) in enumerate(zip(axes, names)):
        track = values[:, number]
        ax.stairs(track, edges, baseline=0.0, fill=True, color=f"C{number % 10}",
                  linewidth=0)
        limits = _finite_range(track)
        if limits is None:
            ax.set_ylim(0.0, 1.0)
            ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center",
                    color="grey")
        else:
            low, high = min(0.0, limits[0]), max(0.0, limits[1])
            if low == high:
                high = low + 1.0
            ax.set_ylim(low, high + 0.05 * (high - low))
        ax.set_ylabel(name, rotation=0, ha="right", va="center")
        ax.yaxis.set_major_locator(MaxNLocator(3))
        ax.spines[["top", "right"]].set_visible(False)
    axes[-1].set_xlim(start, end)
    axes[-1].xaxis.set_major_formatter(_position_formatter(end - start))
    per_bin = (end - start) / bins
    axes[-1].set_xlabel(f"{chrom}" + (f" ({summary} of each {per_bin:,.0f} bases)"
                                      if per_bin > 1 else ""))
    figure.suptitle(title if title is not None else f"{chrom}:{start + 1:,}-{end:,}")
    return figure


# ------------------------------------------------------------------------------------------------
# Profiles around many regions

def _regions_of(regions):
    """``(chroms, starts, ends, strands)`` of a BED file's path or of a ``(chroms, starts,
    ends)`` triple (0-based, half-open) or ``(chroms, starts, ends, strands)``; ``strands``:
    int8, -1 for a region on the minus strand (``"-"`` or -1), else 1 or 0; None without."""
    where = None
    strands = None
    if isinstance(regions, (str, os.PathLike)):
        bed = read_bed_regions(regions)
        chroms, starts, ends, where = bed.chroms, bed.starts, bed.ends, bed.where
        strands = bed.strands
    else:
        try:
            if len(regions) == 4:
                chroms, starts, ends, strands = regions
                strands = _strand_codes(strands)
            else:
                chroms, starts, ends = regions
        except (TypeError, ValueError):
            raise GenomedataError("regions are a BED file or a (chroms, starts, ends[, "
                                  "strands]) tuple") from None
    starts = np.asarray(starts, dtype=np.int64).ravel()
    ends = np.asarray(ends, dtype=np.int64).ravel()
    chroms = [chroms] * len(starts) if isinstance(chroms, str) else [str(c) for c in chroms]
    if not len(chroms) == len(starts) == len(ends):
        raise GenomedataError(f"{len(chroms)} chromosomes, {len(starts)} starts and "
                              f"{len(ends)} ends: a region needs one of each")
    if strands is not None and len(strands) != len(starts):
        raise GenomedataError(f"{len(strands)} strands for {len(starts)} regions")
    wrong = np.flatnonzero((ends <= starts) | (starts < 0))
    if len(wrong):
        k = int(wrong[0])
        shown = f"{where(k)}: region" if where else "region"
        raise GenomedataError(f"{shown} {chroms[k]}:{starts[k]}-{ends[k]} is empty or negative "
                              "(0-based, half-open: 0 <= START < END)")
    return chroms, starts, ends, strands


def _strand_codes(strands) -> np.ndarray:
    """int8 strand codes of ``"+"``/``"-"``/``"."`` or 1/-1/0 values."""
    codes = {"+": 1, "-": -1, ".": 0, 1: 1, -1: -1, 0: 0}
    try:
        return np.array([codes[s if isinstance(s, str) else int(s)] for s in strands],
                        dtype=np.int8)
    except (KeyError, TypeError, ValueError):
        raise GenomedataError("strands are '+', '-' or '.' (or 1, -1, 0)") from None


def profile_windows(genome, chroms, starts, ends, *, around=2000, scaled=False,
                    body_length=1000, bins=100):
    """The windows a profile reads: ``(kept, pieces, edges, ticks)``.

    ``kept``: indexes of the regions drawn (those on the genome's chromosomes whose windows
    lie inside their chromosome); ``pieces``: ``[(starts, ends, nbins), ...]`` the windows of
    the kept regions, side by side left to right (one piece around the centres; upstream
    flank, body and downstream flank when ``scaled``); ``edges``: the ``bins + 1`` bin edges on
    the picture's axis (bases from the centre; with ``scaled``, the body drawn as
    ``body_length`` bases from its start at 0); ``ticks``: ``[(x, label), ...]``.
    """
    if not isinstance(around, (int, np.integer)) or around < 0:
        raise GenomedataError(f"--around must be a number of bases, 0 or more, not {around}")
    if not isinstance(bins, (int, np.integer)) or bins < 1:
        raise GenomedataError(f"the number of bins must be a positive integer, not {bins!r}")
    if not len(chroms):
        raise GenomedataError("no regions to draw")
    # each distinct chromosome looked up once: its size, or -1 when the genome lacks it
    sizes = {chrom: genome[chrom].length if chrom in genome else -1
             for chrom in dict.fromkeys(chroms)}
    size = np.array([sizes[chrom] for chrom in chroms], dtype=np.int64)
    known = size >= 0
    if not scaled:
        if around < 1:
            raise GenomedataError("--around must be at least 1 base around the centres")
        if bins > 2 * around:
            raise GenomedataError(f"{bins} bins do not fit in a window of {2 * around} bases: "
                                  f"use at most {2 * around} bins")
        centres = (starts + ends) // 2
        lows, highs = centres - around, centres + around
        inside = known & (lows >= 0) & (highs <= size)
        kept = np.flatnonzero(inside)
        pieces = [(lows[kept], highs[kept], bins)]
        edges = bin_edges(0, 2 * around, bins).astype(np.float64) - around
        ticks = [(-around, f"-{_distance(around)}"), (0, "centre"),
                 (around, f"+{_distance(around)}")]
        _say_left_out(len(chroms), known, inside, "their windows pass an end of their "
                      "chromosome")
        return kept, pieces, edges, ticks
    if not isinstance(body_length, (int, np.integer)) or body_length < 1:
        raise GenomedataError(f"the body length must be a positive number of bases, not "
                              f"{body_length}")
    flank_bins = int(round(bins * around / (2 * around + body_length))) if around else 0
    if around and flank_bins < 1:
        flank_bins = 1
    body_bins = bins - 2 * flank_bins
    if body_bins < 1 or flank_bins > around:
        raise GenomedataError(f"{bins} bins cannot hold two flanks of {around} bases and a "
                              f"body: use more bins or other lengths")
    inside = known & (starts - around >= 0) & (ends + around <= size) \
        & (ends - starts >= body_bins)
    kept = np.flatnonzero(inside)
    s, e = starts[kept], ends[kept]
    pieces = [(s, e, body_bins)]
    edges = bin_edges(0, body_length, body_bins).astype(np.float64)
    if around:
        pieces = [(s - around, s, flank_bins)] + pieces + [(e, e + around, flank_bins)]
        flank = bin_edges(0, around, flank_bins).astype(np.float64)
        edges = np.concatenate([flank - around, edges[1:], body_length + flank[1:]])
    ticks = [(0, "start"), (body_length, "end")]
    if around:
        ticks = [(-around, f"-{_distance(around)}")] + ticks \
            + [(body_length + around, f"+{_distance(around)}")]
    _say_left_out(len(chroms), known, inside, "their flanks pass an end of their chromosome "
                  f"or their bodies are shorter than {body_bins} bases")
    return kept, pieces, edges, ticks


def _say_left_out(total, known, inside, why):
    unknown = int((~known).sum())
    outside = int((known & ~inside).sum())
    if unknown:
        _progress.warn(f"{unknown:,} of {total:,} regions were left out: they are on "
                       "chromosomes the genome does not have")
    if outside:
        _progress.warn(f"{outside:,} of {total:,} regions were left out: {why}")


def profile_matrices(genome, chroms, starts, ends, tracks=None, *, around=2000, scaled=False,
                     body_length=1000, bins=100, stat="mean", strands=None):
    """What :func:`plot_profile` draws, unsorted: ``(kept, matrices, edges, ticks)`` with
    ``matrices`` one float64 array (kept regions x ``bins``) per track, in ``kept``'s order
    (see :func:`profile_windows`), from :meth:`Genome.stackup <genomedata.Genome.stackup>`.
    With ``strands`` (``"+"``/``"-"``/``"."`` or 1/-1/0 per region), the row of a region on
    the minus strand runs from its end to its start, so that every row reads 5' to 3'.

    >>> with Genome(example_archive) as genome:
    ...     kept, matrices, edges, ticks = profile_matrices(
    ...         genome, ["chr1", "chr1"], [1000, 3000], [1200, 3200], ["conservation"],
    ...         around=100, bins=2, stat="max")
    >>> print(matrices[0].round(3))            # max of [1000, 1100), [1100, 1200); ...
    [[4.23  3.616]
     [3.659 3.455]]
    >>> print(edges, ticks[1])
    [-100.    0.  100.] (0, 'centre')
    """
    if stat not in PROFILE_STATS:
        raise GenomedataError(f"unknown statistic {stat!r}: use mean or max")
    chroms, starts, ends, strands = _regions_of(
        (chroms, starts, ends) if strands is None else (chroms, starts, ends, strands))
    columns = track_columns(genome, tracks)
    if not columns:
        raise GenomedataError(f"{genome.filename} has no tracks")
    kept, pieces, edges, ticks = profile_windows(
        genome, chroms, starts, ends, around=around, scaled=scaled, body_length=body_length,
        bins=bins)
    if not len(kept):
        raise GenomedataError(f"none of the {len(chroms):,} regions can be drawn: each must be "
                              "on a chromosome of the genome with its window inside it")
    kept_chroms = [chroms[k] for k in kept]
    matrices = []
    for column in columns:
        matrices.append(np.concatenate(
            [genome.stackup(kept_chroms, lows, highs, nbins, stat, column)
             for lows, highs, nbins in pieces], axis=1))
    if strands is not None:
        minus = np.flatnonzero(strands[kept] < 0)
        for matrix in matrices:
            matrix[minus] = matrix[minus, ::-1]
    return kept, matrices, edges, ticks


def signal_order(matrices) -> np.ndarray:
    """Row order of a profile's heat maps: by the mean of each region's finite values over
    every bin of every track, highest first (regions without any value last; ties keep the
    input order)."""
    stacked = np.concatenate(matrices, axis=1)
    finite = np.isfinite(stacked)
    counts = finite.sum(axis=1)
    sums = np.where(finite, stacked, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(counts > 0, sums / np.maximum(counts, 1), -np.inf)
    return np.argsort(-score, kind="stable")


def plot_profile(genome, regions, tracks=None, *, around=2000, scaled=False, body_length=1000,
                 bins=100, stat="mean", sort=True, width=None, height=None, title=None,
                 ignore_strand=False):
    """A deepTools-style figure of tracks around many regions: for each track (a column), its
    mean profile above a heat map of every region (a row).

    ``genome``: a :class:`Genome` (left open) or the path of an archive or bigWig file;
    ``regions``: a BED file's path or a ``(chroms, starts, ends)`` triple (0-based,
    half-open), or ``(chroms, starts, ends, strands)``; ``tracks``: names (default: every
    track).  Rows read 5' to 3': a region on the minus strand (``-`` in column 6 of the BED
    file) is drawn from its end to its start, as deepTools draws it, unless
    ``ignore_strand``.  Two layouts:

    * around the centres (default): ``bins`` bins over ``around`` bases on each side of each
      region's centre ``(start + end) // 2``;
    * ``scaled=True``: each region's body cut into the same number of bins whatever its
      length, drawn as ``body_length`` bases, between flanks of ``around`` bases upstream and
      downstream (bins shared in proportion to the drawn lengths).

    Each bin is the ``stat`` (``"mean"`` or ``"max"``) of its finite values (NaN without
    any, drawn light grey).  Regions on chromosomes the genome lacks, and regions whose window
    passes a chromosome's end, are left out with a warning.  With ``sort`` (default) the rows
    are ordered by each region's mean over every bin and track, highest first, in every heat
    map alike.  The mean profile is each bin's mean over the regions (NaN ignored); the heat
    map's colours run from the 1st to the 99th percentile of the track's values.

    The figure's axes are, for track ``i`` of ``n``: ``axes[i]`` the profile (its line's
    y data is the mean profile) and ``axes[n + i]`` the heat map (``images[0].get_array()``
    is the matrix, rows in drawn order), then the colour bars.

    >>> figure = plot_profile(example_archive, (["chr1"] * 3, [1000, 3000, 5000],
    ...                                         [1200, 3200, 5200]), "conservation",
    ...                       around=100, bins=4, width=3, height=3)
    >>> print(figure.axes[1].images[0].get_array().shape)      # regions x bins
    (3, 4)
    """
    Figure = _figure_class()
    chroms, starts, ends, strands = _regions_of(regions)
    with _opened(genome) as genome:
        kept, matrices, edges, ticks = profile_matrices(
            genome, chroms, starts, ends, tracks, around=around, scaled=scaled,
            body_length=body_length, bins=bins, stat=stat,
            strands=None if ignore_strand else strands)
        columns = track_columns(genome, tracks)
        names = _labels(genome, columns)
    order = signal_order(matrices) if sort else np.arange(len(kept))
    ntracks, nregions = len(matrices), len(kept)
    if width is None:
        width = 1.0 + 2.2 * ntracks
    if height is None:
        height = 7.0
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    axes = figure.subplots(2, ntracks, squeeze=False, sharex=True,
                           gridspec_kw={"height_ratios": [1, 3.5]})
    import matplotlib
    cmap = matplotlib.colormaps[HEAT_MAP_CMAP].with_extremes(bad=NO_DATA_COLOUR)
    middles = (edges[:-1] + edges[1:]) / 2
    for number, (matrix, name) in enumerate(zip(matrices, names)):
        top, heat = axes[0, number], axes[1, number]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)   # a bin without data anywhere
            mean = np.nanmean(matrix, axis=0)
        top.plot(middles, mean, color=f"C{number % 10}")
        top.set_title(name)
        top.spines[["top", "right"]].set_visible(False)
        limits = _finite_range(matrix, 1.0, 99.0) or (0.0, 1.0)
        low, high = limits if limits[1] > limits[0] else (limits[0], limits[0] + 1.0)
        image = heat.imshow(matrix[order], aspect="auto", interpolation="nearest", cmap=cmap,
                            vmin=low, vmax=high,
                            extent=(float(edges[0]), float(edges[-1]), nregions, 0))
        heat.set_xlim(float(edges[0]), float(edges[-1]))
        heat.set_xticks([x for x, _ in ticks], [label for _, label in ticks])
        heat.set_yticks([])
        for x, _ in ticks:
            heat.axvline(x, color="white", linewidth=0.5, alpha=0.6)
        figure.colorbar(image, ax=heat, location="bottom", shrink=0.8, label=stat)
    axes[0, 0].set_ylabel("average")
    axes[1, 0].set_ylabel(f"{nregions:,} regions" + (", sorted" if sort else ""))
    if title:
        figure.suptitle(title)
    return figure
