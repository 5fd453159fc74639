"""The scripts in examples/ run on the example data and do what they say.

Each runs as a subprocess (as a user runs it), writing into a temporary directory, and must
exit 0 and print its key results.  They depend only on examples/data.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(script, *args, cwd=None, env=None, status=0):
    result = subprocess.run([sys.executable, str(EXAMPLES / script), *map(str, args)],
                            capture_output=True, text=True, timeout=600, cwd=cwd, env=env)
    assert result.returncode == status, (f"examples/{script} exited with {result.returncode}"
                                         f":\n{result.stdout}\n{result.stderr}")
    return result.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """examples/build_archive.py's archive (and what it printed)."""
    outdir = tmp_path_factory.mktemp("built")
    out = run("build_archive.py", "--outdir", outdir)
    return outdir / "example.genomedata", out


def test_build_archive(built):
    archive, out = built
    assert archive.is_dir()
    assert "tracks: conservation, dnase" in out
    assert "chr2: 150,000 bases; supercontigs 0-30000, 130000-150000" in out
    assert "dnase: 45,922 bases with data" in out


def test_random_access(built):
    archive, _ = built
    out = run("random_access.py", "--archive", archive)
    assert "1000:    0.788" in out
    assert "dnase along chr1 (10 bins)" in out
    assert "dnase around 24 peaks (24 x 20 matrix)" in out


def test_random_access_builds_its_own_archive(tmp_path):
    out = run("random_access.py", "--outdir", tmp_path, cwd=tmp_path)
    assert (tmp_path / "example.genomedata").is_dir()
    assert "average profile" in out


def test_export_bigwig(tmp_path):
    out = run("export_bigwig.py", "--outdir", tmp_path)
    assert (tmp_path / "dnase.bw").is_file()
    assert "277 intervals covering 45,922 bases" in out
    assert out.count("values identical to the archive: True") == 2


def test_replace_track(tmp_path):
    out = run("replace_track.py", "--outdir", tmp_path)
    assert "before: 45,922 bases with data" in out
    assert "after: 45,633 bases with data, mean 12.647" in out


def test_mask_track(tmp_path):
    out = run("mask_track.py", "--outdir", tmp_path)
    assert (tmp_path / "mappability.bedGraph").is_file()
    assert "masked 4,030 values in dnase" in out
    assert "dnase: 45,922 -> 41,892 bases with data" in out


def test_export_bigwig_with_a_chromosome_without_data(tmp_path):
    """A track with data on chr1 only: chr2 is in the bigWig's header without intervals."""
    from genomedata import load_genomedata
    signal = tmp_path / "chr1only.bedGraph"
    signal.write_text("chr1\t100\t200\t2.5\nchr1\t300\t310\t-1\n")
    archive = tmp_path / "one.genomedata"
    load_genomedata(str(archive), [("chr1only", str(signal))],
                    [str(EXAMPLES / "data" / "chr1.fa"), str(EXAMPLES / "data" / "chr2.fa.gz")])
    out = run("export_bigwig.py", "--archive", archive, "--track", "chr1only", "--outdir",
              tmp_path / "out")
    assert "2 intervals covering 110 bases of chr1, chr2" in out
    assert "chr2: length 150,000, no data" in out
    assert out.count("values identical to the archive: True") == 2


def test_dataframes(tmp_path):
    pytest.importorskip("pandas")
    out = run("dataframes.py", "--outdir", tmp_path)
    assert "chr1:1,001-6,000: 5,000 bases x 2 tracks" in out
    assert "dnase around 24 peaks (24 x 20), average profile:" in out
    assert "7,115 bases under 24 peaks" in out
    # the TSV of the bins holds the numbers of the NumPy API's binned summaries
    from genomedata import Genome
    lines = (tmp_path / "dnase_chr1_bins.tsv").read_text().splitlines()
    assert lines[0].split("\t") == ["mean", "coverage", "start", "end"]
    rows = [line.split("\t") for line in lines[1:]]
    with Genome(tmp_path / "example.genomedata") as genome:
        chromosome = genome["chr1"]
        means = chromosome.binned(0, 60000, 10, "mean", "dnase")[:, 0]
        coverage = chromosome.binned(0, 60000, 10, "coverage", "dnase")[:, 0]
    assert [(int(row[2]), int(row[3])) for row in rows] == [(i * 6000, (i + 1) * 6000)
                                                            for i in range(10)]
    np.testing.assert_allclose([float(row[0]) for row in rows], means, rtol=1e-3)
    np.testing.assert_allclose([float(row[1]) for row in rows], coverage, rtol=1e-3)


def test_plot_locus(built, tmp_path):
    pytest.importorskip("matplotlib")
    archive, _ = built
    out = run("plot_locus.py", "--archive", archive, "--outdir", tmp_path)
    assert "wrote locus.png: chr2, tracks conservation, dnase" in out
    assert "dnase: 1000 bins of 150 bases, 748 without data (drawn as gaps)" in out
    assert "wrote profile.png: 24 regions x 40 bins per track" in out
    for name in ("locus.png", "profile.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("script, args, status", [
    ("build_archive.py", [], 0),
    ("export_bigwig.py", [], 0),
    ("replace_track.py", [], 0),
    ("mask_track.py", [], 0),
    ("random_access.py", [], 0),
    ("dataframes.py", [], 0),
    pytest.param("plot_locus.py", [], 0, marks=pytest.mark.skipif(
        importlib.util.find_spec("matplotlib") is None, reason="needs genomedata[plot]")),
    ("export_bigwig.py", ["--track", "nope"], 1),       # fails after building the archive
    ("replace_track.py", ["--new", "/nonexistent.bedGraph"], 1),
])
def test_scripts_remove_their_temporary_files(tmp_path, script, args, status):
    """Without --outdir a script works in a temporary directory and removes it when it ends,
    also when it fails."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = dict(os.environ, TMPDIR=str(temporary))
    run(script, *args, cwd=tmp_path, env=env, status=status)
    assert list(temporary.iterdir()) == []
    assert sorted(path.name for path in tmp_path.iterdir()) == ["tmp"]


def test_summarize_peaks(tmp_path):
    out = run("summarize_peaks.py", "--outdir", tmp_path)
    assert (tmp_path / "peaks.tsv").is_file()
    assert "mean of conservation, dnase over 24 peaks -> peaks.tsv" in out
    assert "chr1\t13652\t14129\t48.4\tNA\t3.12" in out
    assert "highest dnase: chr1:15576-15709 (10.63)" in out
    assert "array (24, 3, 2)" in out


def test_summarize_peaks_removes_its_temporary_directory(tmp_path):
    env = dict(os.environ, TMPDIR=str(tmp_path))
    run("summarize_peaks.py", cwd=tmp_path, env=env)
    assert list(tmp_path.iterdir()) == []
