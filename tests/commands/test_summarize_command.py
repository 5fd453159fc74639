"""``genomedata summarize``: the TSV it prints, read back, and the mistakes people make."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys

import numpy as np
import pytest

from genomedata import Genome
from conftest import run_cli

BED = "track name=peaks\nchr1\t100\t200\tp1\nchr2\t0\t50\tp2\nchr1\t150\t400\tp3\n"


@pytest.fixture
def archive(make_archive):
    rng = np.random.default_rng(7)
    values = {"chr1": rng.normal(size=(500, 2)).astype(np.float32),
              "chr2": np.full((60, 2), np.nan, dtype=np.float32)}
    values["chr1"][120:130] = np.nan
    return make_archive({"chr1": [(0, 300), (350, 500)], "chr2": [(0, 60)]},
                        tracknames=["a", "b"], values=values, chunk_rows=64)


def _table(text):
    lines = text.splitlines()
    return lines[0].split("\t"), [line.split("\t") for line in lines[1:]]


def test_table_read_back_equals_the_api(archive, tmp_path, capfd):
    bed = tmp_path / "peaks.bed.gz"
    bed.write_bytes(gzip.compress(BED.encode()))
    for stat in ("mean", "min", "max", "sum", "coverage", "std"):
        assert run_cli("summarize", archive, bed, "--stat", stat, "--track", "b",
                       "--track", "a") == 0
        header, rows = _table(capfd.readouterr().out)
        assert header == ["chrom", "start", "end", "name", "b", "a"]
        assert [row[:4] for row in rows] == [["chr1", "100", "200", "p1"],
                                             ["chr2", "0", "50", "p2"],
                                             ["chr1", "150", "400", "p3"]]
        with Genome(archive) as genome:
            want = genome.summarize(["chr1", "chr2", "chr1"], [100, 0, 150], [200, 50, 400],
                                    stat, ["b", "a"])
        got = np.array([[np.nan if x == "NA" else float(x) for x in row[4:]] for row in rows])
        assert np.array_equal(np.isnan(got), np.isnan(want))
        finite = ~np.isnan(want)
        # the statistic at float32 precision, read back exactly
        np.testing.assert_array_equal(got[finite].astype(np.float32),
                                      want[finite].astype(np.float32))
        assert (got[1] == 0).all() if stat in ("sum", "coverage") else np.isnan(got[1]).all()


def test_bins_output_file_and_stdin(archive, tmp_path, capfd, monkeypatch):
    bed = tmp_path / "r.bed"
    bed.write_text("chr1 0 10\nchr1 5 9\n")
    out = tmp_path / "out.tsv"
    assert run_cli("summarize", archive, bed, "--bins", "2", "-o", out) == 0
    assert capfd.readouterr().out == ""
    header, rows = _table(out.read_text())
    assert header == ["chrom", "start", "end", "a_bin1", "a_bin2", "b_bin1", "b_bin2"]
    with Genome(archive) as genome:
        want = genome.summarize("chr1", [0, 5], [10, 9], bins=2)
    np.testing.assert_array_equal(np.array([[float(x) for x in row[3:]] for row in rows],
                                           dtype=np.float32),
                                  want.transpose(0, 2, 1).reshape(2, 4).astype(np.float32))
    result = subprocess.run([sys.executable, "-m", "genomedata", "summarize", str(archive),
                             "-", "-t", "a"], input=b"chr1\t0\t10\n", capture_output=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines()[0] == "chrom\tstart\tend\ta"


@pytest.mark.parametrize("text, args, words", [
    ("1\t0\t10\n", [], "bed:1: chromosome '1' (1 region) is not in"),
    ("chr1\t0\t10\nchr1\t5\n", [], "bed:2: expected at least 3 columns"),
    ("chr1\t0\t3\n", ["--bins", "4"], "bed:1: the region has 3 bases, too few for 4 bins"),
    ("chr1\t0\t3\n", ["--bins", "0"], "--bins must be a positive number"),
    ("chr1\t0\t3\n", ["--track", "c"], "Could not find continuous track: c"),
    ("fixedStep chrom=chr1 start=1\n1\n", [], "WIG file, not a BED file"),
])
def test_mistakes_are_one_sentence(archive, tmp_path, capfd, text, args, words):
    bed = tmp_path / "r.bed"
    bed.write_text(text)
    assert run_cli("summarize", archive, bed, *args) != 0
    err = capfd.readouterr().err
    assert words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_header_line_is_skipped(archive, tmp_path, capfd):
    bed = tmp_path / "r.bed"
    bed.write_text("chrom\tstart\tend\nchr1\t0\t10\n")
    assert run_cli("summarize", archive, bed) == 0
    assert len(capfd.readouterr().out.splitlines()) == 2


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_at_a_terminal_stdout_holds_only_the_table(archive, tmp_path):
    """stderr at a terminal (where progress is drawn): stdout holds only the table."""
    import pty
    bed = tmp_path / "r.bed"
    bed.write_text("".join(f"chr1\t{i}\t{i + 100}\n" for i in range(0, 400, 2)))
    out = tmp_path / "out.tsv"
    master, slave = pty.openpty()
    with open(out, "wb") as stdout:
        process = subprocess.Popen([sys.executable, "-m", "genomedata", "summarize",
                                    str(archive), str(bed)], stdout=stdout, stderr=slave)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        assert process.wait(timeout=300) == 0
    os.close(master)
    lines = out.read_text().splitlines()
    assert len(lines) == 201 and lines[0] == "chrom\tstart\tend\ta\tb"
    assert b"\x1b" not in out.read_bytes()
    assert b"Traceback" not in seen
