"""The scripts in examples/ run on the example data and do what they say.

Each runs as a subprocess (as a user runs it), writing into a temporary directory, and must
exit 0 and print its key results.  They depend only on examples/data.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


@pytest.mark.parametrize("script, args, status", [
    ("build_archive.py", [], 0),
    ("export_bigwig.py", [], 0),
    ("replace_track.py", [], 0),
    ("mask_track.py", [], 0),
    ("random_access.py", [], 0),
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
