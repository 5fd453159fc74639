"""``genomedata plot`` and ``genomedata profile`` as users run them: the files written, the
mistakes people make (one sentence, exit 1), and a missing matplotlib."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from genomedata.commands.main import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def archive(make_archive):
    rng = np.random.default_rng(3)
    values = {"chr1": rng.gamma(2.0, 2.0, size=(400, 2)).astype(np.float32)}
    return str(make_archive({"chr1": [(0, 150), (250, 400)]}, tracknames=["a", "b"],
                            values=values))


def cli(capsys, *args):
    status = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_plot_writes_the_picture(archive, tmp_path, capsys):
    out = tmp_path / "locus.png"
    status, stdout, stderr = cli(capsys, "plot", archive, "chr1:1-400", "-o", out, "--width",
                                 "3", "--height", "2", "--summary", "mean", "-t", "b",
                                 "--title", "one track")
    assert (status, stdout, stderr) == (0, "", f"wrote {out}\n")
    from matplotlib.image import imread
    image = imread(out)
    assert image.shape[:2] == (200, 300)
    assert len(np.unique(image.reshape(-1, image.shape[-1]), axis=0)) > 1


@pytest.mark.parametrize("args, message", [
    (["chr9", "-o", "x.png"], "Could not find chromosome: chr9 ("),
    (["chr1:1-500", "-o", "x.png"], "region chr1:1-500 ends past the end of chr1, which has "
                                    "400 bases"),
    (["chr1", "-t", "c", "-o", "x.png"], "Could not find continuous track: c ("),
    (["chr1", "-o", "x.jpg"], "cannot tell the picture format of x.jpg: name the file .png, "
                              ".svg or .pdf"),
    (["chr1", "-o", "x.png", "--width", "0"], "--width 0 is not a size in inches between "
                                              "0.5 and 100"),
])
def test_plot_mistakes_are_one_sentence(archive, tmp_path, capsys, monkeypatch, args, message):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    status, stdout, stderr = cli(capsys, "plot", archive, *args)
    assert status == 1 and stdout == ""
    assert stderr.startswith(f"genomedata plot: error: {message}")
    assert stderr.count("\n") == 1
    assert list(work.iterdir()) == []


# a meta path finder that makes every import of matplotlib fail, as when it is not installed
BLOCK_MATPLOTLIB = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "matplotlib":
            raise ImportError("No module named 'matplotlib'")
sys.meta_path.insert(0, Block())
from genomedata.commands.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("command", ["plot", "profile"])
def test_without_matplotlib_the_commands_name_the_extra(archive, tmp_path, command):
    bed = tmp_path / "regions.bed"
    bed.write_text("chr1\t50\t60\n")
    where = "chr1" if command == "plot" else bed
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, "-c", BLOCK_MATPLOTLIB, command, archive,
                             str(where), "-o", str(tmp_path / "x.png")], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr == (f"genomedata {command}: error: drawing plots needs the optional "
                             "extra genomedata[plot] (matplotlib): pip install "
                             "'genomedata[plot]'\n")
    assert not (tmp_path / "x.png").exists()


def test_profile_of_a_bed_file(archive, tmp_path, capsys):
    bed = tmp_path / "regions.bed.gz"
    import gzip
    bed.write_bytes(gzip.compress(b"chrom\tstart\tend\nchr1\t100\t120\tx\nchr1\t300\t320\ty\n"
                                  b"chr1\t5\t10\tz\nchrM\t1\t2\tw\n"))
    out = tmp_path / "profile.svg"
    status, stdout, stderr = cli(capsys, "profile", archive, bed, "-o", out, "--around", "20",
                                 "--bins", "8", "--stat", "max", "--width", "3")
    assert (status, stdout) == (0, "")
    assert stderr == ("warning: 1 of 4 regions were left out: they are on chromosomes the "
                      "genome does not have\n"
                      "warning: 1 of 4 regions were left out: their windows pass an end of "
                      "their chromosome\n"
                      f"wrote {out}\n")
    svg = out.read_bytes()
    assert svg.startswith(b"<?xml") and b"<svg" in svg[:1000]
    status, stdout, stderr = cli(capsys, "profile", archive, bed, "-o", tmp_path / "s.pdf",
                                 "--around", "10", "--scaled", "--body-length", "10",
                                 "--bins", "6", "-q")
    assert (status, stdout, stderr) == (0, "", "")
    assert (tmp_path / "s.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize("text, args, message", [
    ("chr1\t50\t40\n", [], "regions.bed:1: start is after end"),
    ("chr1\t50\t60\n", ["--around", "0"], "--around must be at least 1 base around the "
                                          "centres"),
    ("chr1\t50\t60\n", ["--around", "10", "--bins", "30"], "30 bins do not fit in a window "
                                                           "of 20 bases: use at most 20 bins"),
])
def test_profile_mistakes_are_one_sentence(archive, tmp_path, capsys, text, args, message):
    bed = tmp_path / "regions.bed"
    bed.write_text(text)
    status, stdout, stderr = cli(capsys, "profile", archive, bed, "-o", tmp_path / "x.png",
                                 *args)
    assert status == 1 and stdout == ""
    assert stderr.endswith(f"{message}\n") and stderr.count("\n") == 1, stderr
    assert not (tmp_path / "x.png").exists()
