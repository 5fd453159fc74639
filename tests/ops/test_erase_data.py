"""``genomedata erase-data`` and ``genomedata._erase_data.erase_data``."""

from __future__ import annotations

import os
import shutil
import warnings

import numpy as np
import pytest

from genomedata import Genome
from genomedata.archive import layout as _layout
from genomedata.archive import files as _files
from genomedata._close_data import close_data
from genomedata._erase_data import erase_data
from genomedata.errors import GenomedataError
from genomedata._util import OverlapWarning
from conftest import file_hashes, run_cli as cli


SUPERCONTIGS = {"chr1": [(0, 95), (120, 300)], "chr2": [(0, 50)]}
ENDS = {"chr1": 300, "chr2": 50}


def build(make_archive, kind="file", seed=0):
    rng = np.random.default_rng(seed)
    values = {}
    for chrom, end in ENDS.items():
        data = rng.normal(size=(end, 3)).astype(np.float32)
        data[rng.random(data.shape) < 0.2] = np.nan
        data[40:60, 1] = np.nan  # a chunk never written in track b
        values[chrom] = data
    path = make_archive(SUPERCONTIGS, tracknames=["a", "b", "c"], values=values, closed=False,
                        chunk_rows=20, ends=ENDS, kind=kind)
    close_data(path)
    return path, values


def read(path, chrom):
    with Genome(path) as genome, warnings.catch_warnings():
        warnings.simplefilter("ignore", OverlapWarning)
        return genome[chrom][0:ENDS[chrom]]


def stored_chunks(path):
    count = 0
    with _files.ArchiveFiles(path) as files:
        for chrom in files.chromosome_names():
            for sc in _layout.supercontig_groups(files.chromosome_group(chrom)):
                count += sc[_layout.CONTINUOUS].id.get_num_chunks()
    return count


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_erase_one_and_several_tracks(make_archive, kind):
    path, values = build(make_archive, kind)
    chunks_before = stored_chunks(path)
    summary = erase_data(path, "b")
    assert summary.tracks == ["b"] and summary.chromosomes == 2
    assert stored_chunks(path) == chunks_before  # unstored chunks stay unstored
    with _files.ArchiveFiles(path) as files:
        assert all(_layout.read_dirty(files.chromosome_group(c)) for c in ENDS)
    close_data(path)
    for chrom in ENDS:
        data = read(path, chrom)
        assert np.isnan(data[:, 1]).all()
        inside = np.zeros(ENDS[chrom], dtype=bool)
        for start, end in SUPERCONTIGS[chrom]:
            inside[start:end] = True
        np.testing.assert_array_equal(data[inside][:, [0, 2]], values[chrom][inside][:, [0, 2]])
    with Genome(path) as genome:
        assert genome.num_datapoints[1] == 0
        assert genome.num_datapoints[0] > 0 and genome.num_datapoints[2] > 0

    erase_data(path, ["a", "c"])
    close_data(path)
    with Genome(path) as genome:
        assert genome.num_datapoints.tolist() == [0, 0, 0]


def test_erase_checks_every_name_first(make_archive, capsys):
    path, _ = build(make_archive)
    before = file_hashes(path)
    with pytest.raises(GenomedataError, match="Could not find continuous track: nope"):
        erase_data(path, ["a", "nope"])
    assert file_hashes(path) == before
    assert cli("erase-data", str(path), "--trackname", "a", "nope") == 1
    err = capsys.readouterr().err
    assert "Could not find continuous track: nope" in err and "Traceback" not in err
    assert file_hashes(path) == before


def test_erase_cli(make_archive, capsys):
    path, _ = build(make_archive, "directory")
    assert cli("erase-data", str(path), "--trackname", "c", "a") == 0
    assert "close-data" in capsys.readouterr().err
    close_data(path)
    with Genome(path) as genome:
        assert genome.num_datapoints[0] == genome.num_datapoints[2] == 0
    assert cli("erase-data", str(path), "--tracknames", "b") == 0


def test_erase_old_archive_with_fill_value_zero(refdata, tmp_path):
    """PyTables 2 archives (fill value 0): every chunk is rewritten, all values read NaN."""
    path = tmp_path / "v1.genomedata"
    shutil.copyfile(refdata / "v1.genomedata", path)
    os.chmod(path, 0o644)
    erase_data(path, "primate")
    close_data(path)
    with Genome(path) as genome:
        assert genome.num_datapoints[1] == 0
        chr1 = genome["chr1"]
        assert np.isnan(chr1[0:chr1.end, "primate"]).all()
        assert chr1[290, "placental"] == np.float32(-2.297)


def test_erase_bigwig_is_not_possible(refdata):
    with pytest.raises(NotImplementedError):
        erase_data(refdata / "ENCFF324BPE.bigWig", "x")


def test_replace_track(refdata, tmp_path):
    """erase -> load-data -> close-data replaces a track (genomedata 1.7's test_replace_track)."""
    from genomedata._load_data import load_data
    from genomedata.load_genomedata import load_genomedata
    path = tmp_path / "replace.genomedata"
    tracks = [(name, str(refdata / f"chr1.phyloP44way.{name}.short.wigFix"))
              for name in ("placental", "primate", "vertebrate")]
    load_genomedata(str(path), tracks, [str(refdata / "chr1.short.fa"),
                                        str(refdata / "chrY.short.fa.gz")], mode="directory")
    with Genome(path) as genome:
        assert genome["chr1"][290, "primate"] == np.float32(-2.327)
        assert genome.num_datapoints.tolist() == [496, 496, 496]

    erase_data(path, "primate")
    close_data(path)
    with Genome(path) as genome:
        assert np.isnan(genome["chr1"][0:24950, "primate"]).all()
        assert genome.num_datapoints.tolist() == [496, 0, 496]

    # replace the primate track with the placental data
    erase_data(path, "primate")
    load_data(path, "primate", tracks[0][1])
    close_data(path)
    with Genome(path) as genome:
        chr1 = genome["chr1"]
        assert chr1[290, "primate"] == np.float32(-2.297)
        np.testing.assert_array_equal(chr1[0:24950, "primate"], chr1[0:24950, "placental"])
        assert genome.num_datapoints.tolist() == [496, 496, 496]
        assert genome.sums[1] == genome.sums[0]


def test_delete_tracks_through_the_api(make_archive):
    """genomedata 1.7's test_delete_tracks: ``Chromosome._erase_data`` in an r+ session, then
    close-data; the erased values read NaN (asserted, not vacuously)."""
    path, values = build(make_archive)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Genome(path, "r+") as genome:
            genome["chr1"]._erase_data("b")
    close_data(path)
    data = read(path, "chr1")
    assert np.isnan(data[:, 1]).all()
    np.testing.assert_array_equal(read(path, "chr2"), np.where(
        np.isnan(values["chr2"]), np.nan, values["chr2"]).astype(np.float32))
    with Genome(path) as genome:
        assert genome["chr1"].num_datapoints[1] == 0
        assert genome["chr2"].num_datapoints[1] > 0
