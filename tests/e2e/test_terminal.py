"""Commands at a terminal: progress bars drawn by many threads, and the values they load.

Every command that draws progress runs here as a user runs it: a child process whose
standard output and error are a pseudo-terminal (80 columns), so that rich draws its bars
(several tracks load on several threads and share one display).  Each run must exit 0, draw a
bar (rich's bar character and its hide-cursor sequence are in the output), print no error,
and leave the values the example inputs hold.  ``genomedata load`` with three tracks runs
several times in a row: the bars of its track threads once raced each other to a crash.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import numpy as np
import pytest

from genomedata import Genome

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "data"
BAR = "\u2501".encode()            # rich's bar segment
HIDE_CURSOR = b"\x1b[?25l"         # rich's live display hides the cursor while it draws
LOAD_REPEATS = 5


def terminal_env(**extra) -> dict:
    """The environment of an interactive shell: a colour terminal, PYTHONUNBUFFERED unset."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONUNBUFFERED", "COLUMNS", "LINES", "NO_COLOR", "TERM")}
    env["TERM"] = "xterm-256color"
    env.update(extra)
    return env


def run_at_terminal(args, cwd, timeout=300, columns=80, env=None):
    """Run ``genomedata ARGS`` with a pseudo-terminal as stdout and stderr; returns
    ``(exit status, everything written to the terminal)``."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    try:
        proc = subprocess.Popen([sys.executable, "-m", "genomedata", *map(str, args)],
                                cwd=cwd, stdin=subprocess.DEVNULL, stdout=slave,
                                stderr=slave, env=env or terminal_env())
    finally:
        os.close(slave)
    output = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"genomedata {' '.join(map(str, args))} did not finish in "
                            f"{timeout} s:\n{b''.join(output).decode(errors='replace')}")
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                continue
            try:
                data = os.read(master, 1 << 16)
            except OSError:     # EIO: every holder of the terminal has exited
                break
            if not data:
                break
            output.append(data)
    finally:
        os.close(master)
    return proc.wait(timeout=60), b"".join(output)


def check_run(args, cwd, **kwargs) -> bytes:
    """Run at a terminal; exit 0, a bar drawn, no error printed."""
    status, output = run_at_terminal(args, cwd, **kwargs)
    text = output.decode(errors="replace")
    assert status == 0, f"genomedata {' '.join(map(str, args))} exited {status}:\n{text}"
    assert BAR in output and HIDE_CURSOR in output, f"no progress bar drawn:\n{text}"
    assert "error" not in text and "Traceback" not in text, text
    return output


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder holding a copy of examples/data (the commands run there, as in the README)."""
    root = tmp_path_factory.mktemp("terminal")
    shutil.copytree(EXAMPLES, root / "examples" / "data")
    return root


SEQUENCES = ["-s", "examples/data/chr1.fa", "-s", "examples/data/chr2.fa.gz"]
TRACK_FILES = {"conservation": "examples/data/conservation.wigFix",
               "dnase": "examples/data/dnase.bedGraph",
               "dnase2": "examples/data/dnase.bedGraph"}
# bases with data per track in the example inputs (the README's archive)
DATAPOINTS = {"conservation": 16000, "dnase": 45922, "dnase2": 45922}


def check_example_values(archive, tracks) -> None:
    with Genome(archive) as genome:
        assert genome.tracknames_continuous == list(tracks)
        assert genome.num_datapoints.tolist() == [DATAPOINTS[name] for name in tracks]
        chr1 = genome["chr1"]
        for name in tracks:
            if name == "conservation":
                np.testing.assert_array_equal(chr1[1000:1003, name],
                                              np.float32([0.788, -3.159, 2.31]))
            else:
                np.testing.assert_array_equal(chr1[270:275, name],
                                              np.float32([np.nan, np.nan, 10.5, 10.5, 10.5]))
        assert chr1.seq[0:10].tobytes() == b"gCgagGtCTg"


@pytest.mark.parametrize("ntracks,repeats", [(1, 1), (2, 1), (3, LOAD_REPEATS)])
def test_load_at_a_terminal(workdir, ntracks, repeats):
    tracks = list(TRACK_FILES)[:ntracks]
    archive = workdir / f"load{ntracks}.genomedata"
    args = ["load", *SEQUENCES]
    for name in tracks:
        args += ["-t", f"{name}={TRACK_FILES[name]}"]
    args += ["--overwrite", archive.name]
    for _ in range(repeats):
        output = check_run(args, workdir)
        assert b"Genomedata archive created" in output
        check_example_values(archive, tracks)


def test_step_by_step_commands_at_a_terminal(workdir):
    """load-seq, open-data, load-data, close-data, hardmask, erase-data, then the readers
    (export, histogram, validate): each draws its bar and does its work."""
    archive = workdir / "steps.genomedata"
    check_run(["load-seq", "--overwrite", archive.name, "examples/data/chr1.fa",
               "examples/data/chr2.fa.gz"], workdir)
    check_run(["open-data", archive.name, "--tracknames", "conservation", "dnase"], workdir)
    for name in ("conservation", "dnase"):
        check_run(["load-data", archive.name, name, TRACK_FILES[name]], workdir)
    check_run(["close-data", archive.name], workdir)
    check_example_values(archive, ["conservation", "dnase"])

    output = check_run(["histogram", archive.name, "dnase", "--bins", "4"], workdir)
    assert b"\t29767\r\n" in output      # the first bin of the example's dnase track
    check_run(["export", archive.name, "dnase", "dnase.bw"], workdir)
    with Genome(workdir / "dnase.bw") as bigwig:
        np.testing.assert_array_equal(bigwig["chr1"][272:275, 0], np.float32([10.5] * 3))
    output = check_run(["validate", archive.name], workdir)
    assert b"no problems found" in output

    # chr1:1869-2307 is the first region of peaks.bed: masked in both tracks, then closed
    check_run(["hardmask", "examples/data/peaks.bed", archive.name], workdir)
    with Genome(archive) as genome:
        assert np.isnan(genome["chr1"][1869:2307]).all()
        assert not np.isnan(genome["chr1"][1868]).any()
        assert genome["chr1"][1000, "conservation"] == np.float32(0.788)
    check_run(["erase-data", archive.name, "--trackname", "dnase"], workdir)
    check_run(["close-data", archive.name], workdir)
    with Genome(archive) as genome:
        assert genome.num_datapoints[1] == 0
        assert genome["chr1"][1000, "conservation"] == np.float32(0.788)


def test_commands_printing_results_draw_no_display(workdir):
    """query, info and report write their results to stdout, which shares the terminal:
    no display, not even an empty one (its cursor controls would land among the lines)."""
    from genomedata.load_genomedata import load_genomedata
    archive = workdir / "printing.genomedata"
    load_genomedata(str(archive), [("conservation", str(workdir / TRACK_FILES["conservation"]))],
                    [str(workdir / name) for name in SEQUENCES[1::2]])
    status, output = run_at_terminal(["query", archive.name, "conservation", "chr1", "1000",
                                      "1003"], workdir)
    assert status == 0 and output == b"0.788\r\n-3.159\r\n2.31\r\n", output
    status, output = run_at_terminal(["info", "tracknames", archive.name], workdir)
    assert status == 0 and output == b"['conservation']\r\n", output


def test_quiet_draws_nothing(workdir):
    archive = workdir / "quiet.genomedata"
    status, output = run_at_terminal(["load", "-q", *SEQUENCES, "-t",
                                      f"dnase={TRACK_FILES['dnase']}", archive.name], workdir)
    assert status == 0 and output == b"", output


def test_numba_never_colours_the_terminal():
    """With colorama installed, numba colours the messages of its typing (which it makes
    while compiling, on a first run) and colorama then writes ESC[0m to a terminal stdout at
    exit, even under --quiet.  The kernels package turns numba's colouring off."""
    code = ("import genomedata.kernels\n"
            "from numba.core import errors\n"
            "print(type(errors.termcolor()).__name__)")
    env = {k: v for k, v in os.environ.items()
           if k != "NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "NOPColorScheme"
