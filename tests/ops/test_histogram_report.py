"""``genomedata histogram`` / ``genomedata report`` and ``genomedata.ops.summaries``."""

from __future__ import annotations

import numpy as np
import pytest

from genomedata import Genome
from genomedata._close_data import close_data
from genomedata.ops.summaries import histogram, report
from genomedata.errors import GenomedataError
from conftest import run_cli as cli


SUPERCONTIGS = {"chr1": [(0, 1000), (1500, 4100)], "chr2": [(100, 2000)], "chr3": [(0, 10)]}
ENDS = {"chr1": 4100, "chr2": 2000, "chr3": 10}


@pytest.fixture
def archive(make_archive):
    rng = np.random.default_rng(7)
    values = {}
    for chrom, end in ENDS.items():
        data = np.empty((end, 3), dtype=np.float32)
        data[:, 0] = rng.normal(5, 2, end)
        data[:, 1] = rng.integers(-3, 4, end)           # many ties on bin edges
        data[:, 2] = np.nan                             # an empty track
        special = rng.random((end, 2)) < 0.15
        data[:, :2][special] = rng.choice(np.array([np.nan, np.inf, -np.inf], np.float32),
                                          special.sum())
        values[chrom] = data
    values["chr3"][:, 1] = 1e6  # the maximum lives in a small chromosome
    path = make_archive(SUPERCONTIGS, tracknames=["normal", "ints", "empty"], values=values,
                        closed=False, chunk_rows=256, ends=ENDS, kind="directory")
    close_data(path)
    return path, values


def finite_values(values, column, regions=None):
    parts = []
    for chrom, bounds in SUPERCONTIGS.items():
        inside = np.zeros(ENDS[chrom], dtype=bool)
        for start, end in bounds:
            inside[start:end] = True
        if regions is not None:
            wanted = np.zeros(ENDS[chrom], dtype=bool)
            for c, start, end in regions:
                if c == chrom:
                    wanted[start:min(end, ENDS[chrom])] = True
            inside &= wanted
        column_values = values[chrom][inside, column]
        parts.append(column_values[np.isfinite(column_values)])
    return np.concatenate(parts)


@pytest.mark.parametrize("column, track", [(0, "normal"), (1, "ints")])
@pytest.mark.parametrize("bins, threads, block_rows", [(100, None, 1 << 22), (7, 0, 256),
                                                        (1, 2, 512)])
def test_histogram_equals_numpy(archive, column, track, bins, threads, block_rows):
    path, values = archive
    counts, edges = histogram(path, track, bins, threads=threads, block_rows=block_rows)
    expected_counts, expected_edges = np.histogram(finite_values(values, column), bins)
    np.testing.assert_array_equal(counts, expected_counts)
    np.testing.assert_array_equal(edges, expected_edges)


def test_histogram_include_coords(archive, tmp_path):
    path, values = archive
    regions = [("chr1", 900, 1600), ("chr1", 50, 60), ("chr1", 55, 70), ("chr2", 0, 150),
               ("chr2", 1990, 3000), ("chrZ", 0, 100)]
    bed = tmp_path / "include.bed"
    bed.write_text("".join(f"{c}\t{s}\t{e}\n" for c, s, e in regions))
    counts, edges = histogram(path, "normal", 13, include_coords=bed, threads=2, block_rows=256)
    # the range stays the track's genome-wide minimum and maximum
    with Genome(path) as genome:
        low, high = np.float32(genome.mins[0]), np.float32(genome.maxs[0])
    expected_counts, expected_edges = np.histogram(finite_values(values, 0, regions), 13,
                                                   range=(low, high))
    np.testing.assert_array_equal(counts, expected_counts)
    np.testing.assert_array_equal(edges, expected_edges)
    assert counts.sum() == len(finite_values(values, 0, regions))


def test_histogram_command_output(archive, capsys):
    path, values = archive
    assert cli("histogram", str(path), "ints", "-b", "4") == 0
    lines = capsys.readouterr().out.splitlines()
    expected_counts, edges = np.histogram(finite_values(values, 1), 4)
    assert lines[0] == "lower_edge\tcount"
    assert lines[1:-1] == [f"{float(e)!r}\t{c}" for e, c in zip(edges[:-1], expected_counts)]
    assert lines[-1] == f"{float(edges[-1])!r}\tNA"
    assert len(lines) == 6


def test_histogram_errors(archive, make_archive, capsys):
    path, _ = archive
    with pytest.raises(GenomedataError, match="has no data"):
        histogram(path, "empty")
    with pytest.raises(GenomedataError, match="at least 1"):
        histogram(path, "normal", 0)
    with pytest.raises(KeyError):
        histogram(path, "nope")
    dirty = make_archive({"chr1": [(0, 10)]}, tracknames=["t"], closed=False)
    with pytest.raises(GenomedataError, match="close-data"):
        histogram(dirty, "t")
    assert cli("histogram", str(dirty), "t") == 1
    assert "close-data" in capsys.readouterr().err
    assert cli("report", str(dirty)) == 1


def test_report_equals_numpy(archive, capsys):
    path, values = archive
    rows = report(path)
    assert rows[0] == ["measurement", "normal", "ints", "empty"]
    assert rows[1][0] == "mean" and rows[2][0] == "var"
    for column in (0, 1):
        finite = finite_values(values, column).astype(np.float64)
        assert rows[1][1 + column] == pytest.approx(np.mean(finite), rel=1e-9)
        assert rows[2][1 + column] == pytest.approx(np.var(finite), rel=1e-9)
        assert isinstance(rows[1][1 + column], float)
    assert np.isnan(rows[1][3]) and np.isnan(rows[2][3])
    assert cli("report", str(path)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["\t".join(str(cell) for cell in row) for row in rows]
    assert lines[1].split("\t")[3] == "nan"


def test_report_reference_values(refdata, tmp_path):
    """genomedata 1.7's own test of report, on a placental + primate archive (float64 sums
    here: the reference's float32 partial sums differ by far less than 1e-6)."""
    from genomedata.load_genomedata import load_genomedata
    path = tmp_path / "report.genomedata"
    tracks = [(name, str(refdata / f"chr1.phyloP44way.{name}.short.wigFix"))
              for name in ("placental", "primate")]
    load_genomedata(str(path), tracks, [str(refdata / "chr1.short.fa"),
                                        str(refdata / "chrY.short.fa.gz")], mode="file")
    rows = report(path)
    assert rows[0] == ["measurement", "placental", "primate"]
    assert rows[1][1:] == pytest.approx([0.011667343877976941, 0.013590731928425451],
                                        rel=1e-5)
    assert rows[2][1:] == pytest.approx([0.7564665603072526, 0.7462295996307127], rel=1e-6)


def test_report_without_tracks(make_archive):
    path = make_archive({"chr1": [(0, 10)]})
    assert report(path) == [["measurement"], ["mean"], ["var"]]


def test_report_and_histogram_of_a_bigwig(refdata):
    bigwig = refdata / "ENCFF324BPE.bigWig"
    rows = report(bigwig)
    assert rows[1][1] == pytest.approx(10.59541011, rel=1e-8)
    assert rows[2][1] == pytest.approx(414615.8372, rel=1e-9)
    with pytest.raises(GenomedataError, match="bigWig"):
        histogram(bigwig, str(bigwig))


def test_histogram_include_coords_wig_is_read_over_the_archive(archive, tmp_path,
                                                                monkeypatch):
    """A WIG include file counts the bases with data, read only over the archive's
    chromosomes (a chromosome it lacks is skipped; nothing past a chromosome's end is
    allocated): the same counts as the equivalent BED file."""
    from genomedata.ops import summaries as _maintenance

    path, _values = archive
    wig = tmp_path / "include.wig"
    wig.write_text("variableStep chrom=chr1 span=100\n901\t1\n1501\t1\n"
                   "fixedStep chrom=chr2 start=1 step=1\n" + "1\n" * 150 +
                   "variableStep chrom=chrZ\n1\t1\n"
                   f"variableStep chrom=chr2\n{ENDS['chr2'] + 400_000_000}\t1\n")
    bed = tmp_path / "include.bed"
    bed.write_text("chr1\t900\t1000\nchr1\t1500\t1600\nchr2\t0\t150\n")
    seen = []
    reader = _maintenance.read_mask_file

    def spy(source, *args, **kwargs):
        seen.append(kwargs.get("extents", args[1] if len(args) > 1 else None))
        return reader(source, *args, **kwargs)

    monkeypatch.setattr(_maintenance, "read_mask_file", spy)
    from_wig = histogram(path, "normal", 9, include_coords=wig, threads=0)
    from_bed = histogram(path, "normal", 9, include_coords=bed, threads=0)
    np.testing.assert_array_equal(from_wig[0], from_bed[0])
    assert from_wig[0].sum() > 0
    assert seen[0] == {chrom: ENDS[chrom] for chrom in ENDS}
