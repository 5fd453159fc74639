"""Smoke test of the benchmark suite: ``python -m benchmarks --tiny`` runs every phase.

Nothing about timings is asserted (benchmarks print figures; they are not tests): only that
the suite exits 0 and prints its table with a row for every phase, read, peer read and floor.
The reference implementation is not involved (no network); its environment, a normal user's
shell, is tested as a function.  pybigtools is an optional benchmark-only dependency (the
``bench`` extra): without it its rows say so and the suite still runs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "data"

ROWS = [
    r"load-seq",
    r"open-data \(5 tracks\)",
    r"load-data conservation",
    r"load-data chip",
    r"load-data peaks",
    r"load-data dnase",
    r"load-data chip_gz",
    r"close-data",
    r"info tracknames",
    r"load, all 5 tracks in one step",
    r"hardmask",
    r"export dnase to bigWig",
    r"read [\d,]+ random 1 kbp windows, all tracks",
    r"read [\d,]+ random \S+ \S+ windows, all tracks",
    r"read whole chr\w+, all tracks",
    r"binned: [\d,]+ x \S+ \S+ into \d+ bins, mean",
    r"same, read then numpy reduce",
    r"ours: [\d,]+ random 1 kbp windows, all tracks",
    r"pyBigWig: [\d,]+ random 1 kbp windows, all tracks",
    r"pybigtools: [\d,]+ random 1 kbp windows, all tracks",
    r"ours: [\d,]+ random \S+ \S+ windows, all tracks",
    r"pyBigWig: whole chr\w+, all tracks",
    r"pybigtools: whole chr\w+, all tracks",
    r"ours: mean of each track over [\d,]+ BED intervals",
    r"pyBigWig: mean of each track over [\d,]+ BED intervals",
    r"pybigtools: mean of each track over [\d,]+ BED intervals",
    r"raw read of every input file",
    r"ISA-L deflate level 1, 1 core",
    r"ISA-L deflate level 1, \d+ cores?",
    r"zlib deflate level 1, 1 core",
    r"ISA-L inflate, 1 core",
    r"zlib inflate, 1 core",
    r"first-run JIT compilation",
]
HEADER = ("| phase | input MB | wall s | CPU s | MB/s | peak RSS MB | archive MB | x floor "
          "| note |")


def test_benchmark_suite_runs(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"]
                                     if env.get("PYTHONPATH") else "")
    results = tmp_path / "results.md"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--tiny", "--workdir", str(tmp_path / "work"),
         "--results", str(results)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert HEADER in out
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    for pattern in ROWS:
        assert any(re.match(r"\| " + pattern, row) for row in rows), pattern
    assert "FAILED" not in out
    assert "Performance contract" in out
    assert results.read_text().count(HEADER) == 1
    # the environment correction is said: this machine's PYTHONUNBUFFERED=1, if set, is named
    env_line = next(line for line in out.splitlines() if line.startswith("every child process"))
    if os.environ.get("PYTHONUNBUFFERED"):
        assert "PYTHONUNBUFFERED" in env_line.split("set on purpose")[0]
    peer_lines = [row for row in rows if row.startswith("| pybigtools: ")]
    try:
        import pybigtools  # noqa: F401
    except ImportError:
        assert all("pybigtools is not installed" in row for row in peer_lines)
    else:
        assert all("x ours' wall time" in row for row in peer_lines)
    assert "pyBigWig against ours: values of windows" in out


def test_reference_progress_resumes_only_where_it_is_safe(tmp_path, monkeypatch):
    """An interrupted reference run (hours) resumes after its last finished phase, unless the
    phase it stopped in had changed the archive (then it starts again)."""
    monkeypatch.syspath_prepend(str(REPO))
    from benchmarks.__main__ import Progress

    path = tmp_path / "progress.json"
    progress = Progress(path, resume=True)
    assert not progress.resumed
    progress.start("load-seq")
    progress.finish("load-seq", {"wall": 1.0})
    progress.start("close-data")          # interrupted here: close-data can be repeated
    again = Progress(path, resume=True)
    assert again.resumed and again.done == {"load-seq": {"wall": 1.0}}
    again.start("load-data:x")            # interrupted here: the archive is suspect
    assert Progress(path, resume=True).done == {}
    again.finish("load-data:x", None)     # a failed phase is not recorded as done
    assert Progress(path, resume=True).done == {"load-seq": {"wall": 1.0}}
    assert Progress(path, resume=False).done == {}


def test_user_env_keeps_a_normal_shell_and_names_what_it_removed(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO))
    from benchmarks.side_by_side import describe_env, user_env

    base = {"PATH": "/usr/bin:/bin", "HOME": "/home/u", "LANG": "C.UTF-8", "LC_ALL": "C",
            "TMPDIR": "/scratch", "TERM": "xterm", "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": "/elsewhere",
            "NUMBA_NUM_THREADS": "1", "NUMBA_CACHE_DIR": "/c", "HDF5_USE_FILE_LOCKING": "FALSE",
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "LD_PRELOAD": "/x.so",
            "SOMETHING_ELSE": "x"}
    env, removed, others = user_env(base, venv="/venvs/ref",
                                    extra={"PYTHONPATH": "/repo"})
    assert env == {"PATH": "/venvs/ref/bin:/usr/bin:/bin", "HOME": "/home/u",
                   "LANG": "C.UTF-8", "LC_ALL": "C", "TMPDIR": "/scratch", "TERM": "xterm",
                   "VIRTUAL_ENV": "/venvs/ref", "PYTHONPATH": "/repo"}
    # PYTHONPATH is replaced on purpose, not removed
    assert removed == ["HDF5_USE_FILE_LOCKING", "LD_PRELOAD", "MKL_NUM_THREADS",
                       "NUMBA_CACHE_DIR", "NUMBA_NUM_THREADS", "OMP_NUM_THREADS",
                       "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"]
    assert others == 1
    text = describe_env(removed, others, ["PYTHONPATH for ours"])
    assert "removed HDF5_USE_FILE_LOCKING, LD_PRELOAD" in text
    assert "removed 1 other variable outside the list" in text
    assert text.endswith("set on purpose: PYTHONPATH for ours")
    # nothing to remove; no PATH at all: the system's default
    env, removed, others = user_env({"HOME": "/h"})
    assert env == {"HOME": "/h", "PATH": os.defpath} and removed == [] and others == 0
    assert "nothing to remove" in describe_env(removed, others)


def test_both_sides_run_without_this_machines_variables(monkeypatch, tmp_path):
    """Ours and the reference get the corrected environment, whatever this process has."""
    monkeypatch.syspath_prepend(str(REPO))
    from benchmarks.side_by_side import Implementation

    monkeypatch.setenv("PYTHONUNBUFFERED", "1")
    monkeypatch.setenv("NUMBA_NUM_THREADS", "1")
    reference = Implementation.reference(tmp_path / "ref")
    ours = Implementation.ours()
    for impl in (reference, ours):
        assert "PYTHONUNBUFFERED" not in impl.env and "NUMBA_NUM_THREADS" not in impl.env
    assert reference.env["VIRTUAL_ENV"] == str(tmp_path / "ref")
    assert reference.env["PATH"].startswith(str(tmp_path / "ref" / "bin") + os.pathsep)
    assert "PYTHONPATH" not in reference.env
    probe = subprocess.run([ours.python, "-S", "-c", "import os, genomedata; "
                            "print(os.environ.get('PYTHONUNBUFFERED'), genomedata.__file__)"],
                           env=ours.env, capture_output=True, text=True, check=True)
    unbuffered, where = probe.stdout.split()
    assert unbuffered == "None" and Path(where).is_relative_to(REPO)


@pytest.mark.filterwarnings("ignore:slice of chromosome data does not overlap")
def test_peer_reads_without_pybigtools(tmp_path, monkeypatch):
    """bench_peers.py reads the same windows and intervals from bigWig files as ours from the
    archive; a missing pybigtools is reported, not a crash."""
    monkeypatch.syspath_prepend(str(REPO))
    monkeypatch.setitem(sys.modules, "pybigtools", None)  # import fails as if absent
    from benchmarks import bench_peers
    from genomedata import Genome
    from genomedata.ops.export import export_track
    from genomedata.load_genomedata import load_genomedata

    archive = tmp_path / "example.gd"
    load_genomedata(str(archive), [("conservation", str(EXAMPLES / "conservation.wigFix")),
                                   ("dnase", str(EXAMPLES / "dnase.bedGraph"))],
                    [str(EXAMPLES / "chr1.fa"), str(EXAMPLES / "chr2.fa.gz")], verbose=False)
    with Genome(archive) as genome:
        sizes = {c.name: int(c.end) for c in genome}
    bigwigs = tmp_path / "bw"
    bigwigs.mkdir()
    for track in ("conservation", "dnase"):
        export_track(str(archive), track, str(bigwigs / f"{track}.bw"))
    rng = np.random.default_rng(1)
    chroms = sorted(sizes)

    def windows(count, width):
        picks = rng.choice(chroms, count)
        return [[c, int(a), int(a) + width] for c, a in
                zip(picks, rng.integers(0, [sizes[c] - width for c in picks]))]

    bed = sorted(windows(300, 150), key=lambda item: (chroms.index(item[0]), item[1]))
    bed_path = tmp_path / "intervals.bed"
    bed_path.write_text("".join(f"{c}\t{a}\t{b}\n" for c, a, b in bed))
    plan = {"small": windows(50, 100), "large": windows(3, 2000), "whole": chroms[0],
            "bed": bed, "bed_path": str(bed_path)}
    results = bench_peers.run(str(archive), str(bigwigs), plan)
    assert results["pybigtools"] == {"missing": "pybigtools is not installed"}
    for reader in ("ours", "pyBigWig"):
        assert set(results[reader]) >= set(bench_peers.KINDS)
        assert results[reader]["small"]["calls"] == 50
        assert results[reader]["bed"]["calls"] == 300
    agreement = results["agreement"]["pyBigWig"]
    assert agreement["windows"]["compared"] == 50 * 100 * 2
    assert agreement["windows"]["nan_mismatch"] == 0
    assert agreement["windows"]["max_rel_diff"] == 0
    assert agreement["means"]["compared"] == 300 * 2
    assert agreement["means"]["nan_mismatch"] == 0
    assert agreement["means"]["max_rel_diff"] < 1e-6


def test_summarize_case_small(tmp_path, monkeypatch):
    """bench_peers.py's summarize case, small: the command, pybigtools (when installed) and
    pyBigWig timed on the same track and BED file, and their means agree with ours."""
    monkeypatch.syspath_prepend(str(REPO))
    from benchmarks import bench_peers

    results = bench_peers.summarize_case(tmp_path, size=20000, nregions=300)
    assert results["regions"] == 300
    for reader in ("ours", "ours_bigwig", "pyBigWig"):
        assert results[reader]["wall"] > 0 and results[reader]["cpu"] >= 0
    assert results["agreement"]["ours_bigwig"]["max_rel_diff"] == 0
    for peer in ("pyBigWig", "pybigtools"):
        if "missing" in results.get(peer, {}):
            continue
        agreement = results["agreement"][peer]
        assert agreement["compared"] == 300 and agreement["nan_mismatch"] == 0
        assert agreement["max_rel_diff"] < 1e-6      # ours is written at float32 precision
