"""Smoke test of the benchmark suite: ``python -m benchmarks --small`` runs every phase.

Nothing about timings is asserted (benchmarks print figures; they are not tests): only that
the suite exits 0 and prints its table with a row for every phase, read and floor.  The
reference implementation is not involved (no network).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

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
        [sys.executable, "-m", "benchmarks", "--small", "--workdir", str(tmp_path / "work"),
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
