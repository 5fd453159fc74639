"""What each command costs when its work is tiny: start-up, measured in CPU seconds.

    python -m benchmarks.bench_startup [--reference-env DIR] [--runs N] [--workdir DIR]

Builds a one-chromosome archive of 20 kbp with one track (seeded), then runs ``info``,
``query``, ``open-data``, ``load-data``, ``close-data`` and ``histogram`` on it, ours and,
with ``--reference-env``, genomedata 1.7.4's, interleaved, ``--runs`` times each, in the
environment of a normal user's shell (``side_by_side.user_env``).  Reports the median CPU
seconds (user + system, the process and its threads: what survives a busy machine) and wall
seconds, and for ours the packages whose imports cost most (``python -X importtime``, the
smallest of the runs per package).
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from .side_by_side import user_env

CHROM_BASES = 20000


def make_inputs(workdir: Path):
    """A FASTA of one chromosome and a fixedStep track over half of it (seeded)."""
    rng = np.random.default_rng(14)
    fasta = workdir / "chr1.fa"
    bases = np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(0, 4, CHROM_BASES)]
    lines = [bases[i:i + 60].tobytes() for i in range(0, CHROM_BASES, 60)]
    fasta.write_bytes(b">chr1\n" + b"\n".join(lines) + b"\n")
    wig = workdir / "track.wigFix"
    values = np.round(rng.normal(0, 1, CHROM_BASES // 2), 3)
    wig.write_text("fixedStep chrom=chr1 start=1001 step=1\n"
                   + "\n".join(f"{v:.3f}" for v in values) + "\n")
    return fasta, wig


def run(command, env, stdin=None):
    """``(cpu, wall)`` seconds of one command (the command must succeed)."""
    began = time.perf_counter()
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as source:
        process = subprocess.Popen(command, env=env, stdin=source, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        error = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
    if status:
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{error.decode()[-2000:]}")
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - began


def import_costs(command, env, runs: int) -> dict:
    """Microseconds of import per top-level package (the smallest of ``runs``)."""
    best = {}
    for _ in range(runs):
        result = subprocess.run([command[0], "-X", "importtime", *command[1:]], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        per = collections.Counter()
        for line in result.stderr.splitlines():
            match = re.match(r"import time:\s+(\d+) \|\s+\d+ \| \s*(\S+)", line)
            if match:
                per[match.group(2).split(".")[0]] += int(match.group(1))
        for name, micros in per.items():
            best[name] = min(best.get(name, micros), micros)
    return best


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference-env", help="genomedata 1.7.4's virtual environment")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", default="/tmp/genomedata-bench-startup")
    args = parser.parse_args(argv)
    workdir = Path(args.workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    fasta, wig = make_inputs(workdir)
    ours_env, removed, _ = user_env()
    ours = [sys.executable, "-m", "genomedata"]
    seq, opened, loaded = (workdir / name for name in ("seq.gd", "open.gd", "loaded.gd"))
    for command in (["load-seq", "-f", seq, fasta], ["open-data", opened, "--tracknames", "t"],
                    ["load-data", loaded, "t", wig], ["close-data", loaded]):
        if command[0] == "open-data":
            shutil.copy(seq, opened)
        if command[0] == "load-data":
            shutil.copy(opened, loaded)
        run(ours + command, ours_env)
    scratch = workdir / "scratch.gd"

    def copy(source):
        return lambda: shutil.copy(source, scratch)

    # name: (setup, our arguments, the reference's command and arguments, standard input)
    commands = {
        "info": (None, ["info", "tracknames", loaded],
                 ["genomedata-info", "tracknames", loaded], None),
        "query": (None, ["query", loaded, "chr1:1001-1010"],
                  ["genomedata-query", loaded, "t", "chr1", "1000", "1010"], None),
        "open-data": (copy(seq), ["open-data", scratch, "--tracknames", "t"],
                      ["genomedata-open-data", scratch, "--tracknames", "t"], None),
        "load-data": (copy(opened), ["load-data", scratch, "t", wig],
                      ["genomedata-load-data", scratch, "t"], wig),
        "close-data": (copy(loaded), ["close-data", scratch],
                       ["genomedata-close-data", scratch], None),
        "histogram": (None, ["histogram", loaded, "t"], None, None),
    }
    reference = None
    if args.reference_env:
        reference = Path(args.reference_env)
        ref_env, _, _ = user_env(venv=reference)
    print(f"median of {args.runs} interleaved runs, CPU (user+sys) and wall seconds; "
          f"environment of a user's shell (removed: {', '.join(removed) or 'nothing'})")
    for name, (setup, our_args, ref_command, stdin) in commands.items():
        times = {"ours": [], "1.7.4": []}
        for _ in range(args.runs):
            if setup:
                setup()
            times["ours"].append(run(ours + our_args, ours_env))
            if reference is not None and ref_command is not None:
                if setup:
                    setup()
                times["1.7.4"].append(run([reference / "bin" / ref_command[0],
                                           *ref_command[1:]], ref_env, stdin))
        line = f"{name:>10}:"
        for who, values in times.items():
            if values:
                line += (f"  {who} cpu {statistics.median(v[0] for v in values):.3f}"
                         f" wall {statistics.median(v[1] for v in values):.3f}")
        if setup:
            setup()
        costs = import_costs([str(part) for part in ours + our_args], ours_env, args.runs)
        top = sorted(costs.items(), key=lambda item: -item[1])[:6]
        line += "  imports: " + ", ".join(f"{k} {v / 1000:.0f} ms" for k, v in top)
        print(line, flush=True)


if __name__ == "__main__":
    main()
