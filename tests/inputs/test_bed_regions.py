"""read_bed_regions: the regions of a BED file as written (input order, not merged), for
summarize and profile."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from genomedata.errors import GenomedataError, InputError
from genomedata.inputs.regions import read_bed_regions

TEXT = ("track name=peaks\n"
        "chrom\tstart\tend\tname\n"
        "chr2\t500\t900\tb\n"
        "chr1\t100\t200\ta\n"
        "chr1\t100\t200\ta\n"          # duplicates are kept
        "chr1\t0\t5000\n"              # overlaps the others: not merged
        "chr2 10 20 c 7.5 +\n")


def _check(regions, name):
    assert len(regions) == 5
    assert regions.chroms == ["chr2", "chr1", "chr1", "chr1", "chr2"]
    assert regions.chrom_names == ["chr2", "chr1"]
    assert regions.starts.dtype == np.int64 and regions.ends.dtype == np.int64
    assert regions.starts.tolist() == [500, 100, 100, 0, 10]
    assert regions.ends.tolist() == [900, 200, 200, 5000, 20]
    assert regions.names == ["b", "a", "a", "", "c"]
    assert regions.lines.tolist() == [3, 4, 5, 6, 7]
    assert regions.where(3) == f"{name}:6"


def test_plain_and_gzip(tmp_path):
    plain = tmp_path / "peaks.bed"
    plain.write_text(TEXT)
    _check(read_bed_regions(plain), str(plain))
    packed = tmp_path / "peaks.bed.gz"
    packed.write_bytes(gzip.compress(TEXT.encode()))
    _check(read_bed_regions(packed), str(packed))


def test_three_columns_have_no_names(tmp_path):
    path = tmp_path / "r.bed"
    path.write_text("chr1 0 10\r\nchr1 5 6")
    regions = read_bed_regions(path)
    assert regions.names is None and regions.ends.tolist() == [10, 6]


def test_many_names_as_written(tmp_path):
    rng = np.random.default_rng(3)
    alphabet = np.array(list("abcXYZ019._-|:"))
    names = ["".join(rng.choice(alphabet, rng.integers(0, 12))) for _ in range(500)]
    lines = [f"chr1\t{k}\t{k + 1}" + (f"\t{n}\t0\t+" if n else "")
             for k, n in enumerate(names)]
    path = tmp_path / "r.bed"
    path.write_text("\n".join(lines) + "\n")
    assert read_bed_regions(path).names == names


def test_strands_of_column_6(tmp_path):
    path = tmp_path / "r.bed"
    path.write_text("chr1 0 10 a 0 +\nchr1 5 6 b 0 -\nchr1 5 6\nchr1 1 2 c 0 .\n"
                    "chr1 1 2 d 0 -x\nchr1 1 2 e 0 - 7\n")
    assert read_bed_regions(path).strands.tolist() == [1, -1, 0, 0, 0, -1]
    path.write_text("chr1 0 10 a 0 .\nchr1 5 6\n")
    assert read_bed_regions(path).strands is None


def test_empty_file(tmp_path):
    path = tmp_path / "r.bed"
    path.write_text("# nothing\n")
    regions = read_bed_regions(path)
    assert len(regions) == 0 and regions.chroms == [] and regions.names is None


@pytest.mark.parametrize("text, line, words", [
    ("chr1 0 10\nchr1 20\n", 2, "at least 3 columns"),
    ("chr1 0 10\nchr1 20 10\n", 2, "start is after end"),
    ("chr1 0 10\nchr1 1.5 10\n", 2, "non-negative whole numbers"),
    ("chr1 0 10\nchrom start end\n", 2, "non-negative whole numbers"),
    ("fixedStep chrom=chr1 start=1 step=1\n0.5\n", 2, "WIG file, not a BED file"),
    ("chr1 0 10\nchr\xe91 0 10\n", 2, "not ASCII"),
    ("chr1 0 10 a\nchr1 0 10\nchr1 0 10 b\xe9\n", 3, "name (column 4) is not ASCII"),
])
def test_mistakes_name_file_and_line(tmp_path, text, line, words):
    path = tmp_path / "bad.bed"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(InputError) as caught:
        read_bed_regions(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert words in str(caught.value)


def test_not_a_text_file(tmp_path, refdata):
    with pytest.raises(GenomedataError, match="bigWig"):
        read_bed_regions(refdata / "ENCFF324BPE.bigWig")
    with pytest.raises(GenomedataError, match="directory"):
        read_bed_regions(tmp_path)
    with pytest.raises(GenomedataError, match="no such file"):
        read_bed_regions(tmp_path / "missing.bed")
