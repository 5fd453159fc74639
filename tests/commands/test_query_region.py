"""``genomedata query ARCHIVE REGION``: several tracks, a region as genome browsers write it
(1-based, inclusive), and bedGraph runs with ``--bedgraph``."""

from __future__ import annotations

import numpy as np
import pytest

from genomedata.commands.main import main
from genomedata.ops import query as _query

NAN = np.nan
# chr1: supercontigs [0, 10) and [10, 20) touch, [25, 30) is after a gap
SUPERCONTIGS = {"chr1": [(0, 10), (10, 20), (25, 30)], "chr2": [(0, 5)]}
A = [1, 1, 1, 2, 2, NAN, NAN, 3, 3, 3, 3, 3, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN,
     NAN, NAN, NAN, NAN, NAN, 3, 3, 3, 3, 3]
B = [NAN, NAN, NAN, 0.5, 0.5, 0.5] + [NAN] * 24


@pytest.fixture
def archive(make_archive):
    values = {"chr1": np.array([A, B], dtype=np.float32).T,
              "chr2": np.full((5, 2), 7.25, dtype=np.float32)}
    return str(make_archive(SUPERCONTIGS, tracknames=["a", "b"], values=values))


def query(capsys, *args):
    status = main(["query", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


BOTH = ("chr1\t0\t3\t1\tnan\n"
        "chr1\t3\t5\t2\t0.5\n"
        "chr1\t5\t6\tnan\t0.5\n"
        "chr1\t7\t13\t3\tnan\n"       # one run across the two touching supercontigs
        "chr1\t25\t30\t3\tnan\n")     # not joined to the run before the gap


@pytest.mark.parametrize("block", [1 << 20, 4, 1])
def test_bedgraph_runs_of_every_track(archive, capsys, monkeypatch, block):
    monkeypatch.setattr(_query, "QUERY_BLOCK", block)   # runs continue across blocks
    assert query(capsys, archive, "chr1", "--bedgraph") == (0, BOTH, "")
    assert query(capsys, archive, "chr1:1-30", "--bedgraph", "-t", "a", "--track", "b") == (
        0, BOTH, "")
    assert query(capsys, archive, "chr1", "--bedgraph", "-t", "a") == (
        0, "chr1\t0\t3\t1\nchr1\t3\t5\t2\nchr1\t7\t13\t3\nchr1\t25\t30\t3\n", "")
    assert query(capsys, archive, "chr1", "--bedgraph", "-t", "b", "-t", "a") == (
        0, "chr1\t0\t3\tnan\t1\nchr1\t3\t5\t0.5\t2\nchr1\t5\t6\t0.5\tnan\n"
           "chr1\t7\t13\tnan\t3\nchr1\t25\t30\tnan\t3\n", "")
    assert query(capsys, archive, "chr1", "--bedgraph", "-t", "b") == (
        0, "chr1\t3\t6\t0.5\n", "")


def test_browser_region_is_one_based_inclusive(archive, capsys):
    # chr1:2-26 is bases 1..25 0-based, i.e. [1, 26)
    assert query(capsys, archive, "chr1:2-26", "--bedgraph") == (
        0, "chr1\t1\t3\t1\tnan\nchr1\t3\t5\t2\t0.5\nchr1\t5\t6\tnan\t0.5\n"
           "chr1\t7\t13\t3\tnan\nchr1\t25\t26\t3\tnan\n", "")
    assert query(capsys, archive, "chr1:4-4", "--bedgraph") == (0, "chr1\t3\t4\t2\t0.5\n", "")
    assert query(capsys, archive, "chr2:0,001-0,005", "--bedgraph") == (
        0, "chr2\t0\t5\t7.25\t7.25\n", "")
    assert query(capsys, archive, "chr1:6-7", "--bedgraph") == (
        0, "chr1\t5\t6\tnan\t0.5\n", "")   # base 7 (0-based 6) has no data: no line


def test_values_one_line_per_base(archive, capsys):
    assert query(capsys, archive, "chr1:3-6") == (
        0, "1.0\tnan\n2.0\t0.5\n2.0\t0.5\nnan\t0.5\n", "")
    assert query(capsys, archive, "chr1:3-6", "-t", "b") == (0, "nan\n0.5\n0.5\n0.5\n", "")
    # the same bases through genomedata 1.7's form (0-based, half-open): the same text
    assert query(capsys, archive, "b", "chr1", "2", "6")[1] == "nan\n0.5\n0.5\n0.5\n"
    status, out, err = query(capsys, archive, "chr1:21-23", "-t", "a")   # in the gap
    assert (status, out) == (0, "nan\nnan\nnan\n")
    assert "does not overlap any supercontig" in err


def test_one_track_bedgraph_is_what_export_writes(archive, capsys):
    assert main(["export", archive, "a", "-", "--chrom", "chr1"]) == 0
    exported = capsys.readouterr().out
    assert query(capsys, archive, "chr1", "-t", "a", "--bedgraph")[1] == exported


@pytest.mark.parametrize("args, message", [
    (["chr1:1-31"], "region chr1:1-31 ends past the end of chr1, which has 30 bases"),
    (["chr1:0-5"], "region 'chr1:0-5' starts at 0: region positions start at 1"),
    (["chr1:5-4"], "region 'chr1:5-4' ends before it starts"),
    (["chr1:5"], "region 'chr1:5' is not CHROM:START-END (1-based, inclusive"),
    (["chr1:a-9"], "region 'chr1:a-9' is not CHROM:START-END"),
    (["chrZ:1-5"], "Could not find chromosome: chrZ ("),
    (["chr1:1-5", "-t", "nope"], "Could not find continuous track: nope ("),
    (["chr1", "2"], "2 arguments after ARCHIVE: give a REGION"),
    (["a", "chr1", "0", "5", "--bedgraph"], "--track and --bedgraph go with a REGION"),
    (["a", "chr1", "0", "x"], "END 'x' is not an integer"),
])
def test_errors_are_one_sentence(archive, capsys, args, message):
    status, out, err = query(capsys, archive, *args)
    assert status == 1 and out == ""
    assert err.startswith("genomedata query: error: ") and message in err
    assert err.count("\n") == 1


def test_unknown_names_list_those_that_exist(archive, capsys):
    err = query(capsys, archive, "chrZ:1-5")[2]
    assert "has 2 chromosomes: chr1, chr2" in err
    err = query(capsys, archive, "chr1:1-5", "-t", "nope")[2]
    assert "has 2 continuous tracks: a, b" in err


def test_bigwig(archive, capsys, tmp_path):
    bigwig = str(tmp_path / "a.bw")
    assert main(["export", archive, "a", bigwig]) == 0
    capsys.readouterr()
    assert query(capsys, bigwig, "chr1", "--bedgraph") == (
        0, "chr1\t0\t3\t1\nchr1\t3\t5\t2\nchr1\t7\t13\t3\nchr1\t25\t30\t3\n", "")
    assert query(capsys, bigwig, "chr1:3-4") == (0, "1.0\n2.0\n", "")
    assert "ends past the end of chr1, which has 30 bases" in query(capsys, bigwig,
                                                                    "chr1:1-31")[2]
