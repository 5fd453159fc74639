"""Pictures (genomedata.ops.plot): the numbers drawn are the binned and stacked-up values
computed here with numpy from values read through the API; gaps are gaps; the files are
pictures; and without matplotlib the one sentence names the extra."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import genomedata  # noqa: E402
from genomedata import Genome, GenomedataError, MissingExtraError, OverlapWarning  # noqa: E402
from genomedata.ops.plot import plot_profile, plot_region, save_figure  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

# chr1: supercontigs [0, 100) and [150, 300) (a gap of 50 bases); chr2: [0, 80)
SUPERCONTIGS = {"chr1": [(0, 100), (150, 300)], "chr2": [(0, 80)]}


@pytest.fixture
def small(make_archive):
    """A two-track archive with seeded values, some NaN, and what each base holds."""
    rng = np.random.default_rng(16)
    values = {}
    for chrom, bounds in SUPERCONTIGS.items():
        end = bounds[-1][1]
        data = rng.gamma(2.0, 3.0, size=(end, 2)).astype(np.float32)
        data[rng.random(end) < 0.2, 0] = np.nan          # scattered missing values
        data[40:60, 1] = np.nan                           # a stretch without data
        values[chrom] = data
    path = make_archive(SUPERCONTIGS, tracknames=("signal", "input"), values=values)
    return path


def read(path, chrom, start, end):
    """Every base of [start, end) through the API: (bases, tracks), NaN in the gap."""
    with Genome(path) as genome, warnings.catch_warnings():
        warnings.simplefilter("ignore", OverlapWarning)     # the gap reads as NaN
        return np.asarray(genome[chrom][start:end], dtype=np.float64)


def by_hand(values, start, end, bins, reduce):
    """``reduce`` (np.nanmax, np.nanmean) of the finite values of each bin, NaN without any;
    bins [start + i * n // bins, start + (i + 1) * n // bins)."""
    n = end - start
    out = np.full((bins, values.shape[1]), np.nan)
    for i in range(bins):
        lo, hi = i * n // bins, (i + 1) * n // bins
        for col in range(values.shape[1]):
            part = values[lo:hi, col]
            part = part[np.isfinite(part)]
            if part.size:
                out[i, col] = reduce(part)
    return out


def drawn(figure):
    """(values, edges) of each track panel's filled steps."""
    return [ax.patches[0].get_data()[:2] for ax in figure.axes]


@pytest.mark.parametrize("summary, reduce", [("max", np.max), ("mean", np.mean)])
def test_region_plot_draws_the_bin_summaries(small, summary, reduce):
    figure = plot_region(small, "chr1:1-300", summary=summary, bins=30, width=3)
    expected = by_hand(read(small, "chr1", 0, 300), 0, 300, 30, reduce)
    panels = drawn(figure)
    assert [ax.get_ylabel() for ax in figure.axes] == ["signal", "input"]
    for col, (values, edges) in enumerate(panels):
        np.testing.assert_array_equal(edges, np.arange(0, 301, 10))
        np.testing.assert_allclose(values, expected[:, col], rtol=1e-6)
    # the gap [100, 150) between the supercontigs is drawn as a gap, in every track
    for values, _ in panels:
        assert np.isnan(values[10:15]).all() and np.isfinite(values[15:]).all()
    # and so is a stretch without data in one track
    assert np.isnan(panels[1][0][4:6]).all()
    assert figure.axes[0].get_xlim() == (0.0, 300.0)


def test_region_plot_of_a_whole_chromosome_one_bin_per_pixel_at_most_one_per_base(small):
    figure = plot_region(small, "chr2", tracks=["input"], width=2)     # 200 pixels, 80 bases
    (values, edges), = drawn(figure)
    np.testing.assert_array_equal(edges, np.arange(81))
    np.testing.assert_allclose(values, read(small, "chr2", 0, 80)[:, 1], rtol=1e-6)
    assert figure._suptitle.get_text() == "chr2:1-80"


def test_region_plot_takes_an_open_genome_and_a_tuple_and_leaves_it_open(small):
    with Genome(small) as genome:
        figure = plot_region(genome, ("chr1", 150, 160), tracks="signal", bins=2,
                             title="mine")
        assert genome.isopen
    expected = by_hand(read(small, "chr1", 150, 160)[:, :1], 150, 160, 2, np.max)
    np.testing.assert_allclose(drawn(figure)[0][0], expected[:, 0], rtol=1e-6)
    assert figure._suptitle.get_text() == "mine"


@pytest.mark.parametrize("region, tracks, message", [
    ("chr3:1-10", None, "Could not find chromosome: chr3"),
    ("chr1:1-400", None, "ends past the end of chr1, which has 300 bases"),
    ("chr1:10-1", None, "ends before it starts"),
    ("chr1", ["signal", "nope"], "Could not find continuous track: nope"),
])
def test_wrong_region_or_track_is_one_sentence(small, region, tracks, message):
    with pytest.raises(GenomedataError, match=message) as caught:
        plot_region(small, region, tracks)
    assert "\n" not in str(caught.value)


def test_unknown_summary(small):
    with pytest.raises(GenomedataError, match="unknown summary 'min': use max or mean"):
        plot_region(small, "chr1", summary="min")


# ------------------------------------------------------------------------------------------------
# Profiles

REGIONS = (["chr1", "chr1", "chr2", "chr1", "chrZ"], [170, 20, 30, 285, 10],
           [190, 40, 50, 300, 20])


def test_profile_draws_stackups_sorted_by_signal(small):
    figure = plot_profile(small, REGIONS, around=10, bins=4, width=4, height=4)
    # kept: the first three (the fourth's window passes chr1's end, chrZ is not in the archive)
    centres = [180, 30, 40]
    chroms = ["chr1", "chr1", "chr2"]
    matrices = []
    for col in range(2):
        rows = [by_hand(read(small, chrom, c - 10, c + 10)[:, [col]], c - 10, c + 10, 4,
                        np.mean)[:, 0] for chrom, c in zip(chroms, centres)]
        matrices.append(np.array(rows))
    both = np.concatenate(matrices, axis=1)
    score = np.array([np.mean(row[np.isfinite(row)]) for row in both])
    order = np.argsort(-score, kind="stable")
    profile_axes, heat_axes = figure.axes[:2], figure.axes[2:4]
    for col in range(2):
        heat = heat_axes[col].images[0].get_array()
        np.testing.assert_allclose(np.ma.filled(heat, np.nan), matrices[col][order],
                                   rtol=1e-6)
        line = profile_axes[col].lines[0]
        np.testing.assert_allclose(line.get_ydata(), np.nanmean(matrices[col], axis=0),
                                   rtol=1e-6)
        np.testing.assert_array_equal(line.get_xdata(), [-7.5, -2.5, 2.5, 7.5])
    assert [ax.get_title() for ax in profile_axes] == ["signal", "input"]
    assert heat_axes[0].get_ylabel() == "3 regions, sorted"


def test_profile_unsorted_keeps_the_input_order_and_a_gap_is_nan(small):
    figure = plot_profile(small, (["chr1", "chr1"], [120, 20], [130, 30]), "input",
                          around=30, bins=6, sort=False)
    heat = np.ma.filled(figure.axes[1].images[0].get_array(), np.nan)
    # region 1: [95, 155) crosses the gap [100, 150): bins [105, 115), ... are NaN
    assert np.isnan(heat[0, 1:5]).all() and np.isfinite(heat[0, [0, 5]]).all()
    expected = by_hand(read(small, "chr1", 95, 155)[:, [1]], 95, 155, 6, np.mean)[:, 0]
    np.testing.assert_allclose(heat[0], expected, rtol=1e-6)
    # region 2's window [-5, 55) starts before the chromosome: left out
    assert heat.shape == (1, 6)


def test_scaled_profile_bins_flanks_and_bodies(small):
    regions = (["chr1", "chr1"], [160, 200], [180, 260])
    figure = plot_profile(small, regions, "signal", around=10, scaled=True, body_length=20,
                          bins=8, sort=False)
    # 8 bins over 10 + 20 + 10 drawn bases: 2 per flank, 4 for the body
    heat = np.ma.filled(figure.axes[1].images[0].get_array(), np.nan)
    for row, (start, end) in enumerate(zip(regions[1], regions[2])):
        values = read(small, "chr1", start - 10, end + 10)[:, [0]]
        n = end - start
        up = by_hand(values[:10], 0, 10, 2, np.mean)[:, 0]
        body = by_hand(values[10:10 + n], 0, n, 4, np.mean)[:, 0]
        down = by_hand(values[10 + n:], 0, 10, 2, np.mean)[:, 0]
        np.testing.assert_allclose(heat[row], np.concatenate([up, body, down]), rtol=1e-6)
    labels = [tick.get_text() for tick in figure.axes[1].get_xticklabels()]
    assert labels == ["-10 bp", "start", "end", "+10 bp"]


def test_minus_strand_rows_run_from_end_to_start(small, tmp_path):
    bed = tmp_path / "stranded.bed"
    bed.write_text("chr1\t160\t180\ta\t0\t-\n"
                   "chr1\t200\t260\tb\t0\t+\n"
                   "chr1\t210\t250\tc\t0\t.\n")
    rows = []
    for start, end in [(160, 180), (200, 260), (210, 250)]:
        values = read(small, "chr1", start - 10, end + 10)[:, [0]]
        n = end - start
        rows.append(np.concatenate([by_hand(values[:10], 0, 10, 2, np.mean)[:, 0],
                                    by_hand(values[10:10 + n], 0, n, 4, np.mean)[:, 0],
                                    by_hand(values[10 + n:], 0, 10, 2, np.mean)[:, 0]]))
    options = dict(around=10, scaled=True, body_length=20, bins=8, sort=False)
    heat = np.ma.filled(plot_profile(small, bed, "signal", **options)
                        .axes[1].images[0].get_array(), np.nan)
    # the minus-strand region: its downstream flank (genome's left) comes last, reversed
    np.testing.assert_allclose(heat[0], rows[0][::-1], rtol=1e-6)
    np.testing.assert_allclose(heat[1:], rows[1:], rtol=1e-6)
    plain = np.ma.filled(plot_profile(small, bed, "signal", ignore_strand=True, **options)
                         .axes[1].images[0].get_array(), np.nan)
    np.testing.assert_allclose(plain, rows, rtol=1e-6)
    # the same from a tuple with strands
    tupled = np.ma.filled(plot_profile(small, (["chr1"] * 3, [160, 200, 210], [180, 260, 250],
                                               ["-", "+", "."]), "signal", **options)
                          .axes[1].images[0].get_array(), np.nan)
    np.testing.assert_array_equal(tupled, heat)


@pytest.mark.parametrize("kwargs, message", [
    (dict(around=10, bins=40), "40 bins do not fit in a window of 20 bases"),
    (dict(stat="median"), "unknown statistic 'median': use mean or max"),
    (dict(around=-1), "--around must be a number of bases"),
    (dict(tracks="nope"), "Could not find continuous track: nope"),
])
def test_profile_mistakes(small, kwargs, message):
    with pytest.raises(GenomedataError, match=message):
        plot_profile(small, REGIONS, **kwargs)


def test_profile_without_a_region_that_fits(small):
    with pytest.raises(GenomedataError, match="none of the 1 regions can be drawn"):
        plot_profile(small, (["chrZ"], [0], [10]), around=5, bins=2)


# ------------------------------------------------------------------------------------------------
# Files

def colours(path):
    from matplotlib.image import imread
    image = imread(path)
    return image.shape, len(np.unique(image.reshape(-1, image.shape[-1]), axis=0))


def test_files_are_pictures_of_the_size_asked(small, tmp_path):
    figure = plot_region(small, "chr1", width=3, height=2)
    assert save_figure(figure, tmp_path / "a.png") == "png"
    shape, count = colours(tmp_path / "a.png")
    assert shape[:2] == (200, 300) and count > 1
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    save_figure(figure, tmp_path / "a.svg")
    svg = (tmp_path / "a.svg").read_bytes()
    assert svg.startswith(b"<?xml") and b"<svg" in svg[:1000] and len(svg) > 5000
    save_figure(figure, tmp_path / "a.pdf")
    pdf = (tmp_path / "a.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 2000
    profile = plot_profile(small, REGIONS, around=10, bins=4, width=3, height=3)
    save_figure(profile, tmp_path / "p.png")
    shape, count = colours(tmp_path / "p.png")
    assert shape[:2] == (300, 300) and count > 10


def test_unknown_picture_format(small, tmp_path):
    figure = plot_region(small, "chr2", width=2)
    with pytest.raises(GenomedataError, match=r"a\.jpeg: name the file \.png, \.svg or \.pdf"):
        save_figure(figure, tmp_path / "a.jpeg")
    assert not (tmp_path / "a.jpeg").exists()


def test_bigwig_genome_plots(refdata, tmp_path):
    with Genome(refdata / "ENCFF324BPE.bigWig") as genome:
        chromosome = next(iter(genome))
        start = int(chromosome.start)
        figure = plot_region(genome, (chromosome.name, start, start + 1000), bins=10)
        expected = by_hand(np.asarray(chromosome[start:start + 1000], dtype=np.float64),
                           start, start + 1000, 10, np.max)
    values, edges = drawn(figure)[0]
    np.testing.assert_allclose(values, expected[:, 0], rtol=1e-6)
    assert figure.axes[0].get_ylabel() == "ENCFF324BPE.bigWig"


# ------------------------------------------------------------------------------------------------
# The optional extra

def test_without_matplotlib_one_sentence_names_the_extra(small, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)    # import matplotlib fails
    for call in (lambda: plot_region(small, "chr1"),
                 lambda: plot_profile(small, REGIONS, around=10, bins=4)):
        with pytest.raises(MissingExtraError) as caught:
            call()
        assert str(caught.value) == (
            "drawing plots needs the optional extra genomedata[plot] (matplotlib): "
            "pip install 'genomedata[plot]'")


def test_importing_genomedata_and_its_plot_functions_imports_no_matplotlib():
    code = ("import sys, genomedata\n"
            "genomedata.plot_region, genomedata.plot_profile, genomedata.save_figure\n"
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'\n"
            "assert 'numba' not in sys.modules, 'numba imported'\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert genomedata.plot_region is plot_region


def test_profile_without_regions(small):
    with pytest.raises(GenomedataError, match="no regions to draw"):
        plot_profile(small, ([], [], []), around=5, bins=2)
