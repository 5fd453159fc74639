"""Commands on an assembly of many small scaffolds, ours against genomedata 1.7.4.

    python -m benchmarks.bench_scaffolds --reference-env DIR [--scaffolds N] [--runs N]
        [--workdir DIR] [--reuse]

Builds a seeded genome of ``--scaffolds`` scaffolds of 2 to 20 kbp plus three chromosomes of
1 Mbp (a FASTA, and a bedGraph track of intervals over every sequence), loads it with each
side (single-file archives: both sides' choice for more than 100 sequences), then times each
command as a child process of its own, both sides interleaved, ``--runs`` times, in the
environment of a normal user's shell (``side_by_side.user_env``; ours as
``side_by_side.Implementation.ours`` runs it): ``info tracknames_continuous``, ``info
contigs``, ``info sizes``, ``open-data``, ``load-data``, ``close-data`` and ``query`` of one
region.  The archive a command changes is a fresh copy, synced to disk first (ours fsyncs
what it changes; an archive written earlier is on disk already).  Prints the median wall and
CPU seconds (user + system) of each side and their ratio (1.7.4 / ours: above 1, ours is
faster).  Without ``--reference-env`` only ours runs.  1.7.4's ``info sizes`` fails on
single-file archives (it sorts chromosome objects): only ours is timed there.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path

import numpy as np

from .side_by_side import Implementation

BIG = 3               # chromosomes of BIG_BASES
BIG_BASES = 1_000_000
TRACK = "signal"


def make_inputs(workdir: Path, scaffolds: int, reuse: bool = False):
    """``(fasta, bedgraph, [(name, size)...])`` of a seeded many-scaffold genome (with
    ``reuse``, files already in ``workdir`` are kept)."""
    rng = np.random.default_rng(2026)
    sizes = [("chr%d" % (i + 1), BIG_BASES) for i in range(BIG)]
    sizes += [(f"scaffold_{i}", int(n))
              for i, n in enumerate(rng.integers(2_000, 20_001, scaffolds))]
    acgt = np.frombuffer(b"ACGT", dtype=np.uint8)
    fasta = workdir / "genome.fa"
    bedgraph = workdir / "track.bedGraph"
    if reuse and fasta.exists() and bedgraph.exists():
        return fasta, bedgraph, sizes
    with open(fasta, "wb") as out:
        for name, size in sizes:
            bases = acgt[rng.integers(0, 4, size)]
            body = b"\n".join(bases[i:i + 60].tobytes() for i in range(0, size, 60))
            out.write(b">" + name.encode() + b"\n" + body + b"\n")
    with open(bedgraph, "w") as out:
        for name, size in sizes:
            # intervals of 50-500 bases with gaps of 0-500 between them
            lengths = rng.integers(50, 501, size // 200 + 1)
            gaps = rng.integers(0, 501, len(lengths))
            starts = np.cumsum(gaps + lengths) - lengths
            keep = starts + lengths <= size
            starts, ends = starts[keep], (starts + lengths)[keep]
            values = np.round(rng.normal(0, 2, len(starts)), 3)
            out.write("".join(f"{name}\t{s}\t{e}\t{v:.3f}\n"
                              for s, e, v in zip(starts, ends, values)))
    return fasta, bedgraph, sizes


def run(command, env, stdin=None, shell=False):
    """``(wall, cpu)`` seconds of one command run to completion (it must succeed)."""
    began = time.perf_counter()
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as source:
        process = subprocess.Popen(command, env=env, stdin=source, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, shell=shell)
        error = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
    if status:
        shown = command if shell else " ".join(map(str, command))
        raise SystemExit(f"{shown} failed:\n{error.decode()[-2000:]}")
    return time.perf_counter() - began, usage.ru_utime + usage.ru_stime


def commands(side: Implementation, archives: dict, bedgraph: Path, region):
    """``{name: (setup or None, (command, stdin, shell))}`` of one side."""
    seq, opened, loaded, closed = (archives[k] for k in ("seq", "opened", "loaded", "closed"))
    scratch = archives["scratch"]
    chrom, start, end = region

    def copy(source):
        def setup():
            shutil.copy(source, scratch)
            # on disk, as an archive written earlier is: ours fsyncs the files it changes
            # (its undo journal), which would otherwise write the whole fresh copy out
            fd = os.open(scratch, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        return setup

    if side.is_reference:
        query = side._ref("genomedata-query", closed, TRACK, chrom, start, end)
        # (1.7.4's info sizes fails on single-file archives: it sorts chromosome objects)
        info = [side._ref("genomedata-info", what, closed)
                for what in ("tracknames_continuous", "contigs")] + [None]
    else:
        query = side._ours("query", closed, TRACK, chrom, start, end)   # 1.7's form
        info = [side._ours("info", what, closed)
                for what in ("tracknames_continuous", "contigs", "sizes")]
    return {
        "info tracknames_continuous": (None, info[0]),
        "info contigs": (None, info[1]),
        "info sizes": None if info[2] is None else (None, info[2]),
        "open-data": (copy(seq), side.open_data(scratch, [TRACK])),
        "load-data": (copy(opened), side.load_data(scratch, TRACK, bedgraph)),
        "close-data": (copy(loaded), side.close_data(scratch)),
        "query (one region)": (None, query),
    }


def build(side: Implementation, workdir: Path, fasta: Path, bedgraph: Path,
          reuse: bool = False) -> dict:
    """Every stage's archive of one side: sequence only, track opened, loaded, closed."""
    tag = "ref" if side.is_reference else "ours"
    archives = {stage: workdir / f"{tag}-{stage}.gd"
                for stage in ("seq", "opened", "loaded", "closed", "scratch")}
    if reuse and all(path.exists() for stage, path in archives.items() if stage != "scratch"):
        print(f"  {tag}: archives of an earlier run reused", flush=True)
        return archives
    steps = [("seq", None, side.load_seq(archives["seq"], fasta)),
             ("opened", "seq", side.open_data(archives["opened"], [TRACK])),
             ("loaded", "opened", side.load_data(archives["loaded"], TRACK, bedgraph)),
             ("closed", "loaded", side.close_data(archives["closed"]))]
    for stage, source, (command, stdin, shell) in steps:
        if source is not None:
            shutil.copy(archives[source], archives[stage])
        wall, _ = run(command, side.env, stdin, shell)
        print(f"  {tag}: built {stage} in {wall:.1f} s", flush=True)
    return archives


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference-env", help="genomedata 1.7.4's virtual environment")
    parser.add_argument("--scaffolds", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", default="/tmp/genomedata-bench-scaffolds")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the inputs and archives an earlier run left in --workdir "
                             "(with the same --scaffolds)")
    args = parser.parse_args(argv)
    workdir = Path(args.workdir)
    if not args.reuse:
        shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    fasta, bedgraph, sizes = make_inputs(workdir, args.scaffolds, args.reuse)
    total = sum(size for _, size in sizes)
    print(f"{len(sizes):,} sequences ({BIG} of {BIG_BASES:,} bp, {args.scaffolds:,} scaffolds "
          f"of 2-20 kbp), {total:,} bp; track {TRACK}: "
          f"{bedgraph.stat().st_size / 1e6:.1f} MB of bedGraph", flush=True)
    sides = [Implementation.ours()]
    if args.reference_env:
        sides.append(Implementation.reference(args.reference_env))
    region = ("chr2", 500_000, 501_000)
    table = {}
    for side in sides:
        archives = build(side, workdir, fasta, bedgraph, args.reuse)
        table[side.name] = commands(side, archives, bedgraph, region)
    times = {name: {side.name: [] for side in sides} for name in table["ours"]}
    for _ in range(args.runs):
        for name in times:
            for side in sides:
                if table[side.name][name] is None:
                    continue
                setup, (command, stdin, shell) = table[side.name][name]
                if setup is not None:
                    setup()
                times[name][side.name].append(run(command, side.env, stdin, shell))
    print(f"\nmedian of {args.runs} interleaved runs; seconds of wall and of CPU (user + "
          "system); ratio = 1.7.4 / ours of wall")
    header = f"{'command':<28} {'ours wall':>9} {'ours cpu':>9}"
    if len(sides) > 1:
        header += f" {'1.7.4 wall':>10} {'1.7.4 cpu':>9} {'ratio':>6}"
    print(header)
    for name, per_side in times.items():
        ours = [statistics.median(v[k] for v in per_side["ours"]) for k in (0, 1)]
        line = f"{name:<28} {ours[0]:>9.3f} {ours[1]:>9.3f}"
        if len(sides) > 1:
            if per_side["reference"]:
                ref = [statistics.median(v[k] for v in per_side["reference"]) for k in (0, 1)]
                line += f" {ref[0]:>10.3f} {ref[1]:>9.3f} {ref[0] / ours[0]:>5.2f}x"
            else:
                line += f" {'fails':>10}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
