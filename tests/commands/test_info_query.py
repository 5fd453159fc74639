"""``genomedata info`` and ``genomedata query``."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest

from genomedata import Genome
from genomedata.archive import layout as _layout
from genomedata._util import GenomedataDirtyWarning
from genomedata.commands.main import main

REPO = Path(__file__).resolve().parents[2]


def test_info_tracknames(refdata, capsys):
    for command in ("tracknames", "tracknames_continuous"):
        assert main(["info", command, str(refdata / "v1.genomedata")]) == 0
        assert capsys.readouterr().out == "['placental', 'primate', 'vertebrate']\n"


def test_info_contigs_and_sizes(make_archive, capsys):
    path = make_archive({"chrB": [(0, 50), (80, 120)], "chrA": [(5, 120)], "chr10": [(0, 30)],
                         "chrC": [(0, 200)]}, kind="directory",
                        ends={"chrB": 120, "chrA": 120, "chr10": 30, "chrC": 200})
    assert main(["info", "contigs", str(path)]) == 0
    assert capsys.readouterr().out == ("chr10\t0\t30\nchrA\t5\t120\nchrB\t0\t50\nchrB\t80\t120\n"
                                       "chrC\t0\t200\n")
    # equal lengths (a crash in the reference) are ordered by name
    assert main(["info", "sizes", str(path)]) == 0
    assert capsys.readouterr().out == "chrC\t200\nchrA\t120\nchrB\t120\nchr10\t30\n"


def test_info_without_tracks(make_archive, capsys):
    path = make_archive({"chr1": [(0, 10)]})
    assert main(["info", "tracknames", str(path)]) == 0
    assert capsys.readouterr().out == "[]\n"


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_info_answers_on_an_archive_not_closed(make_archive, capsys, kind):
    """Names and coordinates do not depend on close-data: info answers, and warns with the
    message every reader gives."""
    path = make_archive({"chr1": [(0, 10)], "chr2": [(0, 5)]}, tracknames=["a"],
                        closed=False, kind=kind)
    assert main(["info", "sizes", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "chr1\t10\nchr2\t5\n"
    assert captured.err == (f"warning: {path} was modified after close-data (chromosome "
                            f"chr1), so its statistics are out of date; run 'genomedata "
                            f"close-data {path}' first\n")
    assert main(["info", "tracknames", str(path)]) == 0
    assert capsys.readouterr().out == "['a']\n"
    # readers of values refuse it with the same sentence
    assert main(["query", str(path), "a", "chr1", "0", "2"]) == 1
    assert capsys.readouterr().err == (
        f"genomedata query: error: {path} was modified after close-data (chromosome chr1), "
        f"so its statistics are out of date; run 'genomedata close-data {path}' first\n")


def test_info_missing_archive(tmp_path, capsys):
    assert main(["info", "sizes", str(tmp_path / "nope")]) == 1
    assert "Could not find Genomedata archive" in capsys.readouterr().err


def test_query(refdata, capsys):
    archive = str(refdata / "v1.genomedata")
    assert main(["query", archive, "primate", "chr1", "288", "293"]) == 0
    assert capsys.readouterr().out == "0.372\n0.372\n-2.327\n0.371\n0.371\n"
    assert main(["query", archive, "placental", "chr1", "0", "2"]) == 0
    assert capsys.readouterr().out == "nan\nnan\n"
    assert main(["query", archive, "placental", "chr1", "5", "5"]) == 0
    assert capsys.readouterr().out == ""


def test_query_values_format(make_archive, capsys):
    values = np.array([[-2.0], [0.372], [np.nan], [1e-10], [3.0], [np.inf]], dtype=np.float32)
    path = make_archive({"chr1": [(0, 6)]}, tracknames=["t"], values={"chr1": values})
    assert main(["query", str(path), "t", "chr1", "0", "6"]) == 0
    assert capsys.readouterr().out == "-2.0\n0.372\nnan\n1e-10\n3.0\ninf\n"


def test_query_outside_warns_on_stderr(refdata, make_archive, capsys):
    path = make_archive({"chr1": [(0, 10), (20, 30)]}, tracknames=["t"],
                        values={"chr1": np.ones((30, 1), dtype=np.float32)})
    assert main(["query", str(path), "t", "chr1", "12", "14"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "nan\nnan\n"
    assert "does not overlap any supercontig" in captured.err
    # past the chromosome's end (24950): nothing there to print
    assert main(["query", str(refdata / "v1.genomedata"), "primate", "chr1", "30000",
                 "30002"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "END 30002 is past the end of chr1 (24950 bases)" in captured.err


@pytest.mark.parametrize("args, message", [
    (["nope", "chr1", "0", "5"], "Could not find continuous track: nope"),
    (["primate", "chrZ", "0", "5"], "Could not find chromosome: chrZ"),
    (["primate", "chr1", "9", "5"], "END 5 is before BEGIN 9"),
    (["primate", "chr1", "-1", "5"], "BEGIN is -1: coordinates start at 0"),
])
def test_query_errors(refdata, capsys, args, message):
    assert main(["query", str(refdata / "v1.genomedata"), *args]) == 1
    err = capsys.readouterr().err
    assert message in err and err.startswith("genomedata query: error:")


def test_query_after_writes(make_archive, capsys):
    path = make_archive({"chr1": [(0, 20)]}, tracknames=["a", "b"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GenomedataDirtyWarning)
        with Genome(path, "r+") as genome:
            genome["chr1"][0:3, "b"] = [1.5, 2.5, 3.5]
    with h5py.File(path, "r+") as handle:
        _layout.write_dirty(handle["chr1"], False)
    assert main(["query", str(path), "b", "chr1", "0", "4"]) == 0
    assert capsys.readouterr().out == "1.5\n2.5\n3.5\nnan\n"


def _python(code: str) -> str:
    """Run ``code`` in a new Python process with this checkout importable; its stdout."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH",
                                                                             ""))
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_info_does_not_import_numba(refdata):
    code = ("import sys, genomedata, genomedata.commands.info, genomedata.commands.query\n"
            "from genomedata import Genome\n"
            "from genomedata.commands.main import main\n"
            f"assert main(['info', 'sizes', {str(refdata / 'v1.genomedata')!r}]) == 0\n"
            f"g = Genome({str(refdata / 'v1.genomedata')!r}); g['chr1'][0:100]; g.close()\n"
            "assert 'numba' not in sys.modules, 'numba imported'\n")
    assert _python(code) == "chr1\t24950\nchrY\t24950\n"


def test_command_process_skips_scipy(tmp_path):
    """A command process that runs kernels imports numba but not SciPy (numba's BLAS probe
    would import all of scipy.linalg: ~0.2 s of start-up per command)."""
    fasta = tmp_path / "g.fa"
    fasta.write_text(">chr1\nACGTACGTAC\n")
    signal = tmp_path / "s.bedGraph"
    signal.write_text("chr1\t0\t5\t1.5\n")
    archive = tmp_path / "g.genomedata"
    code = ("import sys, runpy\n"
            f"sys.argv = ['genomedata', 'load', '-q', '-s', {str(fasta)!r}, "
            f"'-t', 'x={signal}', {str(archive)!r}]\n"
            "try:\n"
            "    runpy.run_module('genomedata', run_name='__main__')\n"
            "except SystemExit as exit:\n"
            "    assert not exit.code, exit.code\n"
            "print('numba' in sys.modules, sys.modules.get('scipy', 'absent'))\n")
    assert _python(code).split() == ["True", "None"]
    with Genome(str(archive)) as genome:
        assert genome["chr1"][0:6, "x"].ravel().tolist()[:5] == [1.5] * 5


def test_query_reads_block_by_block(refdata, capsys, monkeypatch):
    """A long region is read and printed a block at a time (memory stays bounded): the output
    is the same as one read, and a warning shows once.  An END past the chromosome is clipped
    to its end, with a warning."""
    from genomedata import Genome
    from genomedata.commands import query

    archive = str(refdata / "v1.genomedata")
    with Genome(archive) as genome:
        chromosome = genome["chr1"]
        size = int(chromosome.end)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = "".join(str(value) + "\n" for value in chromosome[0:size, "primate"])
    monkeypatch.setattr(query, "QUERY_BLOCK", 1000)
    for end in (size, size + 7, 99999999999999999999):
        assert main(["query", archive, "primate", "chr1", "0", str(end)]) == 0
        captured = capsys.readouterr()
        assert captured.out == expected and len(captured.out.splitlines()) == size
        assert captured.err.count("spans more than one supercontig") <= 1
        assert (f"END {end} is past the end of chr1 ({size} bases); values are printed up to "
                f"{size}" in captured.err) == (end > size)
    assert main(["query", archive, "primate", "chr1", str(size + 5), str(2 ** 70)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "past the end" in captured.err
