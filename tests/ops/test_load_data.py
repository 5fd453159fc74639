"""load-data and load: the reference's inputs load and read back the reference's values."""

import gzip
import hashlib
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

from genomedata import Genome
from genomedata._close_data import close_data
from genomedata._load_data import load_data
from genomedata._load_seq import load_seq
from genomedata._open_data import open_data
from genomedata.errors import GenomedataError, InputError
from genomedata.commands.main import main
from genomedata.load_genomedata import load_genomedata
from conftest import REFDATA

needs_refdata = pytest.mark.skipif(not REFDATA.is_dir(), reason="ref-data absent")

PHYLOP = {name: REFDATA / f"chr1.phyloP44way.{name}.short.wigFix"
          for name in ("placental", "primate", "vertebrate")}
DNASE = "wgEncodeDukeDNaseSeqBaseOverlapSignalK562V2"
DNASE_FILES = [f"chr1.{DNASE}.wig"] + [f"{DNASE}{suffix}" for suffix in (
    ".bed", ".bedGraph", ".wigVar", ".dos.bed", ".dos.bedGraph", ".dos.wigVar")]
SEQUENCES = [REFDATA / "chr1.short.fa", REFDATA / "chrY.short.fa.gz"]


def digest(path: Path) -> str:
    paths = sorted(path.rglob("*")) if path.is_dir() else [path]
    h = hashlib.sha256()
    for p in paths:
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture
def seq_archive(tmp_path):
    path = tmp_path / "seq.genomedata"
    load_seq(str(path), [str(p) for p in SEQUENCES], True, "file")
    return path


@needs_refdata
@pytest.mark.parametrize("mode", ["dir", "file"])
def test_three_phylop_tracks_read_back_reference_values(tmp_path, mode):
    path = tmp_path / "gd"
    load_genomedata(str(path), [(name, str(p)) for name, p in PHYLOP.items()],
                    [str(p) for p in SEQUENCES], mode=mode)
    with Genome(str(path)) as genome:
        chr1 = genome["chr1"]
        assert genome.tracknames_continuous == ["placental", "primate", "vertebrate"]
        np.testing.assert_array_equal(
            chr1[290, 0:3], np.array([-2.297, -2.327, -2.320], dtype=np.float32))
        np.testing.assert_array_equal(
            chr1[305:310, "primate"],
            np.array([-2.653, 0.372, 0.372, 0.372, 0.371], dtype=np.float32))
        np.testing.assert_array_equal(chr1.num_datapoints, [496, 496, 496])
        np.testing.assert_allclose(chr1.mins, [-2.71499991, -2.66000009, -2.71499991])
        np.testing.assert_allclose(chr1.maxs, [0.38100001] * 3)
        np.testing.assert_allclose(chr1.sums, [5.78700256, 6.74100304, 6.37500572],
                                   atol=1e-5)
        supercontig = next(iter(chr1))
        assert list(supercontig.attrs.chunk_starts) == [280]
        assert list(supercontig.attrs.chunk_ends) == [779]
        # positions before the first block and after the last stay NaN
        assert np.isnan(chr1[279, 0]) and not np.isnan(chr1[280, 0])
        assert not np.isnan(chr1[778, 0]) and np.isnan(chr1[779, 0])
        np.testing.assert_array_equal(genome["chrY"].num_datapoints, [0, 0, 0])


@needs_refdata
@pytest.mark.parametrize("filename", DNASE_FILES)
def test_dnase_inputs_give_the_reference_values(seq_archive, filename):
    open_data(str(seq_archive), ["dnase"])
    summary = load_data(str(seq_archive), "dnase", str(REFDATA / filename))
    close_data(str(seq_archive))
    expected = np.array([0] + [1] * 11 + [0], dtype=np.float32)
    with Genome(str(seq_archive)) as genome:
        np.testing.assert_array_equal(genome["chr1"][155:168, "dnase"], expected)
        # the wigVar files start at base 156 (1-based); the others cover 0-based [0, 156)
        first = 155 if filename.endswith("wigVar") else 0
        np.testing.assert_array_equal(genome["chr1"][first:156, "dnase"],
                                      np.zeros(156 - first, np.float32))
        assert first == 0 or np.isnan(genome["chr1"][0:first, "dnase"]).all()
    if "bed" in filename.lower() or "wigVar" in filename:
        # chr2 and chr10 are not in the archive: skipped and counted
        assert set(summary.unknown_chromosomes) == {"chr2", "chr10"}


@needs_refdata
def test_load_data_from_stdin(seq_archive, monkeypatch):
    import io
    import sys
    open_data(str(seq_archive), ["primate"])
    data = PHYLOP["primate"].read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["load-data", "-q", str(seq_archive), "primate"]) == 0
    close_data(str(seq_archive))
    with Genome(str(seq_archive)) as genome:
        assert genome["chr1"][305, "primate"] == np.float32(-2.653)


@needs_refdata
def test_gzip_input_detected_by_content(seq_archive, tmp_path):
    packed = tmp_path / "primate.data"  # no .gz suffix on purpose
    packed.write_bytes(gzip.compress(PHYLOP["primate"].read_bytes()))
    open_data(str(seq_archive), ["primate"])
    load_data(str(seq_archive), "primate", str(packed))
    close_data(str(seq_archive))
    with Genome(str(seq_archive)) as genome:
        assert genome["chr1"].num_datapoints[0] == 496


@needs_refdata
def test_position_zero_variable_step_is_rejected_and_archive_unchanged(seq_archive):
    open_data(str(seq_archive), ["t"])
    before = digest(seq_archive)
    with pytest.raises(InputError) as error:
        load_data(str(seq_archive), "t", str(REFDATA / "filter_variable.wig.gz"))
    assert str(error.value).startswith(f"{REFDATA / 'filter_variable.wig.gz'}:2: ")
    assert "1-based" in str(error.value)
    assert digest(seq_archive) == before


@needs_refdata
def test_malformed_input_changes_nothing(seq_archive, tmp_path):
    open_data(str(seq_archive), ["t"])
    bad = tmp_path / "bad.bedGraph"
    bad.write_text("chr1\t0\t10\t1.5\nchr1\t10\t20\t2.5\nchr1\t20\t30\n")
    before = digest(seq_archive)
    with pytest.raises(InputError) as error:
        load_data(str(seq_archive), "t", str(bad))
    assert str(error.value).startswith(f"{bad}:3: ")
    assert digest(seq_archive) == before


@needs_refdata
def test_command_reports_file_and_line(seq_archive, tmp_path, capsys):
    open_data(str(seq_archive), ["t"])
    bad = tmp_path / "bad.wig"
    bad.write_text("fixedStep chrom=chr1 start=0 step=1\n1\n")
    assert main(["load-data", str(seq_archive), "t", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{bad}:1:" in err[0]


@needs_refdata
def test_chunk_size_must_match_the_archive(seq_archive, tmp_path, capsys):
    """``load-data -c N`` is accepted for compatibility: N must be the chunk height the
    tracks were opened with; another is an error before anything is written."""
    open_data(str(seq_archive), ["t"], chunk_size=5000)
    signal = tmp_path / "s.bedGraph"
    signal.write_text("chr1\t0\t10\t1.5\n")
    before = digest(seq_archive)
    assert main(["load-data", "-c", "10000", str(seq_archive), "t", str(signal)]) == 1
    assert capsys.readouterr().err == (
        "genomedata load-data: error: --chunk-size 10000 differs from the archive's chunk "
        "height 5000; the chunking is fixed when the tracks are opened\n")
    assert digest(seq_archive) == before
    assert main(["load-data", "-c", "5000", str(seq_archive), "t", str(signal)]) == 0


@needs_refdata
def test_unknown_track_is_an_error_before_writing(seq_archive):
    before = digest(seq_archive)
    with pytest.raises(GenomedataError, match="open-data"):
        load_data(str(seq_archive), "nope", str(PHYLOP["primate"]))
    assert digest(seq_archive) == before


@needs_refdata
def test_existing_values_kept_later_lines_win_unsorted_ok(seq_archive, tmp_path):
    open_data(str(seq_archive), ["t"])
    first = tmp_path / "a.bedGraph"
    first.write_text("chr1 100 200 1\n")
    second = tmp_path / "b.bedGraph"
    second.write_text("chrY 5 10 7\nchr1 150 160 2\nchrY 8 9 9\nchr1 155 156 3\n")
    load_data(str(seq_archive), "t", str(first))
    load_data(str(seq_archive), "t", str(second))
    close_data(str(seq_archive))
    model = np.full(300, np.nan, np.float32)
    model[100:200] = 1
    model[150:160] = 2
    model[155] = 3
    with Genome(str(seq_archive)) as genome:
        np.testing.assert_array_equal(genome["chr1"][0:300, "t"], model)
        np.testing.assert_array_equal(genome["chrY"][5:10, "t"], [7, 7, 7, 9, 7])


@needs_refdata
def test_data_past_the_end_is_dropped_and_counted(seq_archive, tmp_path):
    open_data(str(seq_archive), ["t"])
    f = tmp_path / "end.bedGraph"
    f.write_text("chr1 24940 24960 1\n")
    summary = load_data(str(seq_archive), "t", str(f))
    assert summary.bases == 10 and summary.bases_past_end == 10


@needs_refdata
def test_agp_chunk_positions(tmp_path):
    """genomedata 1.7's own TestChunks: chunk_starts/chunk_ends per supercontig."""
    path = tmp_path / "chunks.genomedata"
    load_genomedata(str(path), [("track1", str(REFDATA / "chunk_test_track1.bed")),
                                ("track2", str(REFDATA / "chunk_test_track2.bed"))],
                    [str(REFDATA / "test_chunks.agp")], "file", "agp")
    with Genome(str(path)) as genome:
        got = [(list(sc.attrs.chunk_starts), list(sc.attrs.chunk_ends))
               for sc in genome["chr1"]]
    assert got == [([50], [100]), ([125], [150]), ([], []), ([0], [100]), ([0], [25])]


@needs_refdata
def test_maskfile_removes_masked_data(tmp_path):
    mask = tmp_path / "mask.bed"
    mask.write_text("chr1 300 310 anything\nchr1 305 400\n")
    tracks = [("primate", str(PHYLOP["primate"]))]
    sequences = [str(p) for p in SEQUENCES]
    plain, masked = tmp_path / "plain", tmp_path / "masked"
    load_genomedata(str(plain), tracks, sequences, mode="file")
    load_genomedata(str(masked), tracks, sequences, mode="file", maskfilename=str(mask))
    with Genome(str(plain)) as genome:
        expected = genome["chr1"][0:1000, "primate"]
    removed = int(np.count_nonzero(~np.isnan(expected[300:400])))
    expected[300:400] = np.nan
    with Genome(str(masked)) as genome:
        chr1 = genome["chr1"]
        np.testing.assert_array_equal(chr1[0:1000, "primate"], expected)
        assert removed > 0 and chr1.num_datapoints[0] == 496 - removed


@needs_refdata
def test_load_command_failure_leaves_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.bed"
    bad.write_text("chr1 0 10 1 extra\n")
    out = tmp_path / "out.genomedata"
    code = main(["load", "-s", str(SEQUENCES[0]), "-t", f"x={bad}", str(out)])
    assert code == 1 and not out.exists()
    assert f"{bad}:1:" in capsys.readouterr().err


@needs_refdata
def test_load_command_several_files_one_track_and_summary(tmp_path, capsys):
    a = tmp_path / "a.bedGraph"
    a.write_text("chr1 0 10 1\n")
    b = tmp_path / "b.bedGraph"
    b.write_text("chr1 5 20 2\nchrZ 0 5 1\n")
    out = tmp_path / "out"
    assert main(["load", "-s", str(SEQUENCES[0]), "-t", f"x={a}", "-t", f"x={b}",
                 str(out)]) == 0
    err = capsys.readouterr().err
    assert "chrZ" in err
    with Genome(str(out)) as genome:
        np.testing.assert_array_equal(genome["chr1"][0:20, "x"], [1] * 5 + [2] * 15)
    assert out.is_dir()  # fewer than 100 sequences: directory archive


@needs_refdata
def test_bigwig_input_gives_pybigwig_values(tmp_path):
    import pyBigWig
    bigwig = REFDATA / "ENCFF324BPE.bigWig"
    sizes = tmp_path / "sizes.txt"
    sizes.write_text("chr1 1000000\nchr21 500000\n")
    path = tmp_path / "bw.genomedata"
    load_genomedata(str(path), [("signal", str(bigwig))], [str(sizes)], "file", "sizes")
    bw = pyBigWig.open(str(bigwig))
    with Genome(str(path)) as genome:
        for chrom, size in (("chr1", 1000000), ("chr21", 500000)):
            expected = bw.values(chrom, 0, size, numpy=True)
            np.testing.assert_array_equal(genome[chrom][0:size, "signal"], expected)


@pytest.mark.parametrize("tracks", [["t"], ["a", "t", "b"]])
def test_second_load_keeps_stored_values_across_chunks(tmp_path, tracks):
    """A load into a track that already holds values starts from the stored column (read
    chunk by chunk, the last chunk partial) and overwrites only what the new input covers."""
    rng = np.random.default_rng(17)
    length = 47_123                      # 5 chunks of 10,000 rows, the last one partial
    fasta = tmp_path / "g.fa"
    fasta.write_text(">chr1\n" + "".join(rng.choice(list("ACGT"), length)) + "\n")
    path = tmp_path / "g.genomedata"
    load_seq(str(path), [str(fasta)], True, "file")
    open_data(str(path), tracks)
    model = np.full(length, np.nan, np.float32)
    for round_ in range(3):
        lines = []
        for start in sorted(rng.choice(length - 500, 40, replace=False)):
            end = int(start + rng.integers(1, 500))
            value = np.float32(round(float(rng.normal()), 3))
            lines.append(f"chr1\t{start}\t{end}\t{value}\n")
            model[start:end] = value
        signal = tmp_path / f"round{round_}.bedGraph"
        signal.write_text("".join(lines))
        load_data(str(path), "t", str(signal))
    close_data(str(path))
    with Genome(str(path)) as genome:
        np.testing.assert_array_equal(genome["chr1"][0:length, "t"], model)


# ------------------------------------------------------------------------------------------------
# one pass over the values: a malformed line found while filling undoes everything written


def _state(path):
    """Every value, the statistics and the dirty flag of every chromosome of ``path`` (read
    with the read API, which refuses a dirty chromosome)."""
    import h5py
    from genomedata.archive import layout
    state = {}
    with Genome(str(path)) as genome:
        for chromosome in genome:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")     # the gap between the supercontigs
                values = chromosome[chromosome.start:chromosome.end, :].copy()
            state[chromosome.name] = (
                values,
                [np.asarray(getattr(chromosome, name)).tolist() for name in
                 ("mins", "maxs", "sums", "sums_squares", "num_datapoints")])
    files = [path] if path.is_file() else sorted(path.glob("*.genomedata"))
    for name in files:
        with h5py.File(name, "r") as handle:
            groups = [handle] if path.is_dir() else [handle[c] for c in handle]
            assert not any(layout.read_dirty(group) for group in groups)
    return state


def _assert_same(before, after):
    assert before.keys() == after.keys()
    for chrom, (values, statistics) in before.items():
        np.testing.assert_array_equal(after[chrom][0], values)
        assert after[chrom][1] == statistics


@pytest.fixture(params=["file", "directory"])
def loaded_archive(request, make_archive):
    """Three chromosomes of 2,500 bases in chunks of 100 rows, track ``t`` holding values
    (closed: statistics written, not dirty)."""
    rng = np.random.default_rng(3)
    return make_archive({c: [(0, 1200), (1300, 2500)] for c in ("chr1", "chr2", "chr3")},
                        kind=request.param, tracknames=["t"], chunk_rows=100,
                        values={c: rng.normal(size=(2500, 1)).round(2)
                                for c in ("chr1", "chr2", "chr3")})


def _fixed(chrom, values, start=1):
    return f"fixedStep chrom={chrom} start={start} step=1\n" + "".join(
        f"{v:.3f}\n" for v in values)


@pytest.mark.parametrize("where", ["last", "middle", "unknown chromosome"])
def test_bad_line_leaves_the_archive_as_it_was(loaded_archive, tmp_path, where):
    """The values are checked while they are filled and the chunks compressed and written:
    a malformed line after thousands of written values still leaves the archive byte for byte
    as it was (values, statistics, not dirty), with the error at its line."""
    from conftest import file_hashes
    rng = np.random.default_rng(4)
    parts = [_fixed(c, rng.normal(size=2500)) for c in ("chr1", "chr2", "chr3")]
    if where == "last":
        parts.append("0.25\n1.5e\n")        # after chr3's last value: the last line
        line = 3 * 2501 + 2
    elif where == "middle":
        lines = parts[1].splitlines(keepends=True)
        lines[1700] = "17.5 3\n"            # chr2's 1700th value: chr1 is loaded by then
        parts[1] = "".join(lines)
        line = 2501 + 1701
    else:
        # data on a chromosome the archive lacks is skipped, but checked all the same
        parts.insert(1, "track type=bedGraph\nchrUn 5 10 1.0\nchrUn 10 20 x\n")
        line = 2501 + 3
    bad = tmp_path / "bad.wigFix"
    bad.write_text("".join(parts))
    before, hashes = _state(loaded_archive), file_hashes(loaded_archive)
    with pytest.raises(InputError) as error:
        load_data(str(loaded_archive), "t", str(bad))
    assert str(error.value).startswith(f"{bad}:{line}: ")
    assert file_hashes(loaded_archive) == hashes
    _assert_same(before, _state(loaded_archive))
    # and the same input, corrected, loads
    bad.write_text("".join(parts).replace("1.5e\n", "1.5\n").replace("17.5 3\n", "3\n")
                   .replace("chrUn 10 20 x\n", ""))
    load_data(str(loaded_archive), "t", str(bad))


def test_bad_line_through_the_command(loaded_archive, tmp_path, capsys):
    """``FILE:LINE: message``, the one line the command writes, and no other message (no
    warning about the values the track held: the load did not happen)."""
    bad = tmp_path / "bad.bedGraph"
    bad.write_text("".join(f"chr1\t{i}\t{i + 1}\t{i / 8}\n" for i in range(2000))
                   + "chr2\t0\t10\t1\nchr2\t10\t20\t2,5\n")
    assert main(["load-data", str(loaded_archive), "t", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err == f"genomedata load-data: error: {bad}:2002: invalid number '2,5'\n"


def test_hard_values_are_filled_as_python_reads_them(loaded_archive, tmp_path):
    """Tokens whose float32 the kernels leave to Python (found while filling), in several
    chromosomes and blocks, next to plain ones."""
    hard = ["1.000000059604644775390625", "-3.4028235677973366e38", "1.4012984643e-45",
            "0.1000000000000000055511151231257827"]
    tokens = {c: [hard[i % 4] if i % 37 == 0 else f"{i / 7:.3f}" for i in range(2500)]
              for c in ("chr1", "chr3")}
    path = tmp_path / "hard.wig"
    path.write_text("".join(f"fixedStep chrom={c} start=1\n" + "\n".join(t) + "\n"
                            for c, t in tokens.items()))
    load_data(str(loaded_archive), "t", str(path))
    close_data(str(loaded_archive))
    with Genome(str(loaded_archive)) as genome:
        for chrom, values in tokens.items():
            with np.errstate(over="ignore"):   # one token rounds to -inf
                expected = np.array([float(t) for t in values], dtype=np.float32)
            chromosome = genome[chrom]
            np.testing.assert_array_equal(chromosome[0:1200, 0], expected[:1200])
            np.testing.assert_array_equal(chromosome[1300:2500, 0], expected[1300:])
