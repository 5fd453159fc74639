"""``genomedata export`` (genomedata.ops.export, genomedata.kernels.runs): run-length encoding,
value text, bigWig and bedGraph output, selections, and round trips back into archives."""

from __future__ import annotations

import gzip
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genomedata import Genome
from genomedata.ops import export as _export
from genomedata.ops.export import bedgraph_lines, export_track, format_values, parse_region
from genomedata.errors import GenomedataError
from genomedata.commands.main import main
from genomedata.kernels.runs import count_runs, find_runs

pyBigWig = pytest.importorskip("pyBigWig")

pytestmark = pytest.mark.kernels

TRACKS = ["signal", "steps", "extreme"]  # "extreme" has +-inf and 3.4e38: bedGraph only
BIGWIG_TRACKS = TRACKS[:2]
LAYOUT = {
    "chr1": [(0, 12000), (15000, 40000), (40000, 52000)],  # two touching supercontigs
    "chr10": [(3000, 9000)],
    "chr2": [(0, 30000), (45000, 60000)],
    "chrM": [(0, 2000)],   # no data at all
}
ENDS = {"chr1": 55000, "chr10": 9500, "chr2": 61000, "chrM": 2000}


def reference_runs(values):
    """Pure Python: maximal runs of equal non-NaN values."""
    runs = []
    for i, v in enumerate(values.tolist()):
        if v != v:
            continue
        if runs and runs[-1][1] == i and runs[-1][2] == v:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1, v])
    return runs


def make_track(rng, end, palette):
    """Piecewise-constant runs (values from a palette, NaN runs) plus noisy stretches."""
    lengths = rng.integers(1, 400, end // 50)
    values = rng.choice(palette, len(lengths))
    track = np.repeat(values, lengths)[:end]
    track = np.concatenate([track, np.full(end - len(track), np.nan)]).astype(np.float32)
    for start in rng.integers(0, end - 300, 5):
        track[start:start + 300] = rng.normal(0, 1, 300).astype(np.float32)
    return track


@pytest.fixture(scope="module")
def source(tmp_path_factory, archive_builder):
    """A file archive with gaps, touching supercontigs, an empty chromosome and two tracks;
    returns (path, {chrom: (end, 2) float32 array of what it stores, NaN elsewhere})."""
    rng = np.random.default_rng(99)
    palette = np.array([np.nan, np.nan, 0.0, -0.0, 1.0, 0.372, -2.297, 1e-7, 12345.678,
                        1e30], dtype=np.float32)
    extremes = np.array([np.nan, 3.4e38, -3.4e38, np.inf, -np.inf, 1.4e-45, 0.1],
                        dtype=np.float32)
    values, truth = {}, {}
    for chrom, end in ENDS.items():
        data = np.stack([make_track(rng, end, palette), make_track(rng, end, palette[:8]),
                         make_track(rng, end, extremes)], axis=1)
        if chrom == "chrM":
            data[:] = np.nan
        values[chrom] = data
        stored = np.full_like(data, np.nan)
        for start, stop in LAYOUT[chrom]:
            stored[start:stop] = data[start:stop]
        truth[chrom] = stored
    path = tmp_path_factory.mktemp("export") / "source.genomedata"
    archive_builder(path, LAYOUT, tracknames=TRACKS, values=values, ends=ENDS,
                    chunk_rows=1000)
    return path, truth


def sizes_file(tmp_path, sizes):
    path = tmp_path / "sizes.txt"
    path.write_text("".join(f"{name}\t{size}\n" for name, size in sizes.items()))
    return path


def reload(tmp_path, exported, sizes, name="back"):
    from genomedata.load_genomedata import load_genomedata
    target = tmp_path / f"{name}.genomedata"
    load_genomedata(str(target), tracks=[("t", str(exported))],
                    seqfilenames=[str(sizes_file(tmp_path, sizes))], mode="file",
                    seqfile_type="sizes")
    return target


def assert_reloads_to(tmp_path, exported, truth, column, name):
    """Loading ``exported`` back gives ``truth[chrom][:, column]`` on every chromosome."""
    back = reload(tmp_path, exported, ENDS, name=name)
    with Genome(back) as genome, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for chrom, end in ENDS.items():
            np.testing.assert_array_equal(genome[chrom][0:end, "t"], truth[chrom][:, column])


def read_bedgraph(path):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt") as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle]
    return [(c, int(s), int(e), v) for c, s, e, v in rows]


def rebuild(intervals, sizes):
    """{chrom: float32 array} from bedGraph/bigWig intervals (text values parsed through a
    double, as the loader does)."""
    arrays = {name: np.full(size, np.nan, dtype=np.float32) for name, size in sizes.items()}
    for chrom, start, end, value in intervals:
        arrays[chrom][start:end] = np.float32(float(value))
    return arrays


# ------------------------------------------------------------------------------------------------
# kernels

@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([np.nan, 0.0, -0.0, 1.0, 2.5, np.inf, -np.inf, 1e-30]),
                max_size=60))
def test_find_runs_matches_python(items):
    values = np.array(items, dtype=np.float32)
    starts, ends, runvalues = find_runs(values)
    assert starts.dtype == np.int64 and ends.dtype == np.int64 and runvalues.dtype == np.float32
    expected = reference_runs(values)
    assert count_runs(values) == len(expected)
    assert [[int(s), int(e), float(v)] for s, e, v in zip(starts, ends, runvalues)] == expected


def test_find_runs_edge_cases():
    for values in (np.zeros(0, np.float32), np.full(5, np.nan, np.float32)):
        starts, ends, runvalues = find_runs(values)
        assert len(starts) == len(ends) == len(runvalues) == 0
    starts, ends, runvalues = find_runs(np.array([-0.0, 0.0, 0.0, 1], dtype=np.float32))
    assert starts.tolist() == [0, 3] and ends.tolist() == [3, 4]  # -0.0 and 0.0 merge


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2 ** 32 - 1), min_size=1, max_size=50))
def test_format_values_round_trip(bits):
    values = np.array(bits, dtype=np.uint32).view(np.float32)
    values = values[~np.isnan(values)]
    texts = format_values(values)
    back = np.array([np.float32(float(text)) for text in texts.tolist()], dtype=np.float32)
    assert np.array_equal(back.view(np.uint32) & 0x7FFFFFFF, values.view(np.uint32) & 0x7FFFFFFF)
    assert np.array_equal(np.signbit(back), np.signbit(values))
    for text, value in zip(texts.tolist(), values.tolist()):
        assert len(text) <= len(b"%.9g" % value)


def test_format_values_is_short():
    values = np.array([0.01108, 0.372, -2.297, 93473, 1e-5, 1234567, 0.1, 100, 2.5e-8,
                       np.inf, -np.inf], dtype=np.float32)
    assert format_values(values).tolist() == [
        b"0.01108", b"0.372", b"-2.297", b"93473", b"1e-05", b"1234567", b"0.1", b"100",
        b"2.5e-08", b"inf", b"-inf"]


def test_bedgraph_lines():
    starts = np.array([0, 5, 123456789012], dtype=np.int64)
    ends = np.array([5, 7, 123456789013], dtype=np.int64)
    values = np.array([0.5, -2.297, 0.5], dtype=np.float32)
    text = bedgraph_lines("chrUn_x", starts, ends, values).tobytes()
    assert text == (b"chrUn_x\t0\t5\t0.5\nchrUn_x\t5\t7\t-2.297\n"
                    b"chrUn_x\t123456789012\t123456789013\t0.5\n")
    assert bedgraph_lines("c", starts[:0], ends[:0], values[:0]).tobytes() == b""


# ------------------------------------------------------------------------------------------------
# bigWig

def test_bigwig_round_trip(source, tmp_path):
    path, truth = source
    for track_index, track in enumerate(BIGWIG_TRACKS):
        out = tmp_path / f"{track}.bw"
        summary = export_track(path, track, out)
        assert summary.fmt == "bigwig" and summary.chromosomes == sorted(ENDS)
        bw = pyBigWig.open(str(out))
        assert bw.chroms() == ENDS
        assert bw.header()["nLevels"] > 0  # zoom levels exist
        intervals = [(chrom, *interval) for chrom in sorted(ENDS)
                     for interval in (bw.intervals(chrom) or ())]
        assert len(intervals) == summary.intervals
        # maximal runs: two touching intervals never carry the same value
        for (c1, _, e1, v1), (c2, s2, _, v2) in zip(intervals, intervals[1:]):
            assert not (c1 == c2 and e1 == s2 and v1 == v2)
        rebuilt = rebuild(intervals, ENDS)
        for chrom in ENDS:
            np.testing.assert_array_equal(rebuilt[chrom], truth[chrom][:, track_index])
        assert_reloads_to(tmp_path, out, truth, track_index, track)


def test_bigwig_refuses_infinite_values(source, tmp_path):
    path, _ = source
    out = tmp_path / "extreme.bw"
    with pytest.raises(GenomedataError, match="infinite value at chr1:"):
        export_track(path, "extreme", out)
    assert not out.exists() and not list(tmp_path.iterdir())


def test_bigwig_stats_match_binned(source, tmp_path):
    path, _ = source
    out = tmp_path / "steps.bigWig"
    export_track(path, "steps", out)
    bw = pyBigWig.open(str(out))
    regions = [("chr1", 0, 55000, 11), ("chr2", 25000, 50000, 7), ("chr10", 2000, 9500, 3)]
    with Genome(path) as genome:
        for chrom, start, end, bins in regions:
            for stat in ("mean", "min", "max", "coverage"):
                expected = genome[chrom].binned(start, end, bins, stat, tracks="steps")[:, 0]
                observed = np.array([np.nan if v is None else v for v in
                                     bw.stats(chrom, start, end, type=stat, nBins=bins,
                                              exact=True)], dtype=np.float64)
                if stat == "coverage":
                    observed = np.nan_to_num(observed)  # pyBigWig: None for empty bins
                assert np.array_equal(np.isnan(observed), np.isnan(expected)), stat
                finite = ~np.isnan(expected)
                np.testing.assert_allclose(observed[finite], expected[finite], rtol=1e-6)


def test_empty_bigwig(source, tmp_path):
    path, _ = source
    out = tmp_path / "empty.bw"
    summary = export_track(path, "signal", out, chroms=["chrM"])
    assert summary.intervals == 0
    bw = pyBigWig.open(str(out))
    assert bw.chroms()["chrM"] == 2000
    assert bw.intervals("chrM") is None or len(bw.intervals("chrM")) == 0


def test_export_from_bigwig_genome(refdata, tmp_path):
    src = str(refdata / "ENCFF324BPE.bigWig")
    out = tmp_path / "copy.bw"
    with Genome(src) as genome:
        track = genome.tracknames_continuous[0]
    export_track(src, track, out, chroms=["chrM", "chr21"])
    original, copy = pyBigWig.open(src), pyBigWig.open(str(out))
    assert copy.chroms() == original.chroms()
    for chrom in ("chrM", "chr21"):
        size = original.chroms(chrom)
        np.testing.assert_array_equal(copy.values(chrom, 0, size, numpy=True),
                                      original.values(chrom, 0, size, numpy=True))
    assert copy.intervals("chr1") is None or len(copy.intervals("chr1")) == 0


# ------------------------------------------------------------------------------------------------
# bedGraph

@pytest.mark.parametrize("suffix", [".bedGraph", ".bedGraph.gz", ".bg"])
@pytest.mark.parametrize("track_index", range(len(TRACKS)))
def test_bedgraph_output(source, tmp_path, suffix, track_index):
    path, truth = source
    out = tmp_path / (TRACKS[track_index] + suffix)
    summary = export_track(path, TRACKS[track_index], out)
    assert summary.fmt == ("bedgraph.gz" if suffix.endswith(".gz") else "bedgraph")
    if suffix.endswith(".gz"):
        assert out.read_bytes()[:2] == b"\x1f\x8b"
    intervals = read_bedgraph(out)
    assert len(intervals) == summary.intervals
    assert [c for c, *_ in intervals] == sorted(c for c, *_ in intervals)
    for (c1, _, e1, v1), (c2, s2, _, v2) in zip(intervals, intervals[1:]):
        assert not (c1 == c2 and e1 == s2 and float(v1) == float(v2))
    rebuilt = rebuild(intervals, ENDS)
    for chrom in ENDS:
        np.testing.assert_array_equal(rebuilt[chrom], truth[chrom][:, track_index])


@pytest.mark.parametrize("suffix", [".bedGraph", ".bedGraph.gz"])
def test_bedgraph_round_trip_through_loader(source, tmp_path, suffix):
    pytest.importorskip("genomedata.inputs.signal")
    path, truth = source
    for track_index, track in enumerate(TRACKS):
        out = tmp_path / (track + suffix)
        export_track(path, track, out)
        assert_reloads_to(tmp_path, out, truth, track_index, track)


def test_small_blocks_give_the_same_file(source, tmp_path, monkeypatch):
    """Runs that cross block boundaries are joined: the output does not depend on blocks."""
    path, _ = source
    export_track(path, "steps", tmp_path / "big.bedGraph")
    monkeypatch.setattr(_export, "BLOCK_ROWS", 1000)
    export_track(path, "steps", tmp_path / "small.bedGraph")
    assert (tmp_path / "big.bedGraph").read_bytes() == (tmp_path / "small.bedGraph").read_bytes()


def test_directory_archive_export(make_archive, tmp_path):
    values = np.repeat(np.array([1, 1, 2, np.nan, 3], dtype=np.float32), 4)[:, None]
    archive = make_archive({"chrB": [(0, 20)], "chrA": [(0, 20)]}, kind="directory",
                           tracknames=["x"], values={"chrA": values, "chrB": values[::-1]})
    out = tmp_path / "x.bg"
    export_track(archive, "x", out)
    assert out.read_text() == ("chrA\t0\t8\t1\nchrA\t8\t12\t2\nchrA\t16\t20\t3\n"
                               "chrB\t0\t4\t3\nchrB\t8\t12\t2\nchrB\t12\t20\t1\n")


# ------------------------------------------------------------------------------------------------
# selection

def test_chrom_and_region_selection(source, tmp_path):
    path, truth = source
    out = tmp_path / "sel.bedGraph"
    export_track(path, "signal", out, chroms=["chr10"],
                 regions=["chr2:100-5,000", ("chr2", 4000, 7000), "chr1:50000-99999"])
    intervals = read_bedgraph(out)
    assert sorted({c for c, *_ in intervals}) == ["chr1", "chr10", "chr2"]
    rebuilt = rebuild(intervals, ENDS)
    expected = {name: np.full(size, np.nan, dtype=np.float32) for name, size in ENDS.items()}
    expected["chr10"][:] = truth["chr10"][:, 0]
    expected["chr2"][100:7000] = truth["chr2"][100:7000, 0]
    expected["chr1"][50000:] = truth["chr1"][50000:, 0]
    for chrom in ENDS:
        np.testing.assert_array_equal(rebuilt[chrom], expected[chrom])
    # intervals are clipped to the regions
    chr2 = [(s, e) for c, s, e, _ in intervals if c == "chr2"]
    assert chr2[0][0] >= 100 and chr2[-1][1] <= 7000


def test_parse_region():
    assert parse_region("chr1:0-1000") == ("chr1", 0, 1000)
    assert parse_region("HLA-A*01:01:5-10") == ("HLA-A*01:01", 5, 10)
    for bad in ("chr1", "chr1:5", ":1-2", "chr1:a-b"):
        with pytest.raises(GenomedataError, match="CHROM:START-END"):
            parse_region(bad)


@pytest.mark.parametrize("kwargs, message", [
    ({"chroms": ["chrZ"]}, "Could not find chromosome: chrZ"),
    ({"regions": ["chrZ:0-10"]}, "Could not find chromosome: chrZ"),
    ({"regions": ["chr1:10-10"]}, "empty or negative"),
    ({"regions": ["chr1:-5-10"]}, "CHROM:START-END"),
    ({"trackname": "nope"}, "Could not find continuous track: nope"),
    ({"fmt": "wig"}, "unknown output format"),
])
def test_selection_errors(source, tmp_path, kwargs, message):
    path, _ = source
    arguments = {"trackname": "signal", **kwargs}
    trackname = arguments.pop("trackname")
    with pytest.raises(GenomedataError, match=message):
        export_track(path, trackname, tmp_path / "x.bw", **arguments)
    assert not (tmp_path / "x.bw").exists()
    assert not list(tmp_path.glob(".x.bw*"))


def test_format_from_name(source, tmp_path):
    path, _ = source
    with pytest.raises(GenomedataError, match="cannot tell the output format"):
        export_track(path, "signal", tmp_path / "out.txt")
    export_track(path, "signal", tmp_path / "out.txt", fmt="bedgraph", chroms=["chr10"])
    assert (tmp_path / "out.txt").read_text().startswith("chr10\t")


def test_overwrite(source, tmp_path):
    path, _ = source
    out = tmp_path / "o.bw"
    out.write_bytes(b"keep")
    with pytest.raises(GenomedataError, match="already exists"):
        export_track(path, "signal", out)
    assert out.read_bytes() == b"keep"
    export_track(path, "signal", out, overwrite=True, chroms=["chr10"])
    assert pyBigWig.open(str(out)).chroms("chr10") == 9500


@pytest.mark.parametrize("name", ["o.bw", "o.bedGraph", "o.bedGraph.gz"])
def test_symbolic_link_at_a_temporary_name_is_not_followed(source, tmp_path, name):
    """Symbolic links planted in the output's folder at the names a temporary file could get
    (``.OUT.<pid>.part``, as any process can guess) do not redirect the write: the file they
    point to is left as it was, and no temporary file is left behind."""
    import os

    path, _ = source
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    out = tmp_path / name
    for planted in (f".{name}.{os.getpid()}.part", f".{name}.part"):
        (tmp_path / planted).symlink_to(victim)
    export_track(path, "signal", out, chroms=["chr10"])
    assert victim.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [name, "victim", f".{name}.{os.getpid()}.part", f".{name}.part"])
    assert export_track(path, "signal", str(tmp_path / f"again-{name}"),
                        chroms=["chr10"]).intervals > 0


# ------------------------------------------------------------------------------------------------
# command line

def test_cli(source, tmp_path, capsys):
    path, truth = source
    out = tmp_path / "cli.bedGraph.gz"
    assert main(["export", str(path), "steps", str(out), "--chrom", "chr10",
                 "--region", "chr1:0-100", "--quiet"]) == 0
    intervals = read_bedgraph(out)
    assert {c for c, *_ in intervals} == {"chr1", "chr10"}
    capsys.readouterr()
    assert main(["export", str(path), "steps", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already exists" in err[0] and err[0].startswith("genomedata export")
    assert main(["export", str(path), "steps", str(out), "--overwrite", "--quiet"]) == 0
    assert main(["export", str(path), "nope", str(tmp_path / "n.bw")]) == 1
    assert "Could not find continuous track: nope" in capsys.readouterr().err


def test_cli_stdout(source, capsys):
    path, truth = source
    assert main(["export", str(path), "signal", "-", "--region", "chr10:3000-3100"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rebuilt = rebuild([(c, int(s), int(e), v) for c, s, e, v in
                       (line.split("\t") for line in lines)], ENDS)
    np.testing.assert_array_equal(rebuilt["chr10"][3000:3100], truth["chr10"][3000:3100, 0])


def test_export_reference_archive(refdata, tmp_path):
    """v1.genomedata (PyTables 2 era: no shuffle, 8192-row chunks, fill value 0)."""
    out = tmp_path / "primate.bedGraph"
    export_track(refdata / "v1.genomedata", "primate", out)
    with Genome(refdata / "v1.genomedata") as genome, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sizes = {c.name: int(c.end) for c in genome}
        expected = {c.name: c[0:int(c.end), "primate"] for c in genome}
    rebuilt = rebuild(read_bedgraph(out), sizes)
    for chrom in sizes:
        np.testing.assert_array_equal(rebuilt[chrom], expected[chrom])
