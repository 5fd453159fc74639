"""End-to-end load against its floor.

For each track of the generated workload, ``genomedata load`` builds a one-track archive in a
child process (wall and CPU seconds, peak RSS).  The floor is the time ISA-L level 1 takes to
compress the same float32 chunks (shuffled, as stored) on all cores, measured in the same run
on the data the archive holds.  Also reported: the peak-memory budget of DECISIONS §4
(1.5 x the largest chromosome's float32 buffer + 300 MB).

    python -m benchmarks.bench_load [--scale 10] [--workdir /tmp/genomedata-bench]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from . import workload


def run_child(args) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(map(str, args))} failed:\n{proc.stderr}")
    return {"wall": wall,
            "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "rss_mb": after.ru_maxrss / 1024}


def chunk_columns(archive: Path, chunk_rows=10000):
    """Every stored column of the archive as float32 arrays (one per supercontig)."""
    from genomedata import Genome
    columns = []
    with Genome(str(archive)) as genome:
        for chromosome in genome:
            for _, continuous in chromosome.itercontinuous():
                columns.append(np.ascontiguousarray(continuous[:, 0]))
    return columns


def isal_floor(columns, threads: int, chunk_rows=10000) -> float:
    """Seconds for shuffle + ISA-L level-1 deflate of every non-empty chunk on ``threads``."""
    from isal import isal_zlib

    from genomedata.kernels.chunks import nan_blocks, shuffle_bytes

    def work(column):
        raw = column.view(np.uint8)
        out = np.empty(chunk_rows * 4, np.uint8)
        empty = nan_blocks(column, chunk_rows)
        for k in range(len(empty)):
            if empty[k]:
                continue
            piece = raw[k * chunk_rows * 4:(k + 1) * chunk_rows * 4]
            shuffle_bytes(piece, 4, out[:len(piece)])
            isal_zlib.compress(out[:len(piece)], 1)

    work(columns[0][:chunk_rows])  # compile
    began = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, columns))
    return time.perf_counter() - began


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=10.0,
                        help="divide human chromosome sizes by this (default 10: ~300 Mbp)")
    parser.add_argument("--workdir", default="/tmp/genomedata-bench")
    parser.add_argument("--tracks", nargs="*",
                        default=["conservation", "chip", "peaks", "dnase", "chip_gz"])
    args = parser.parse_args(argv)
    workdir = Path(args.workdir) / f"scale-{args.scale:g}"
    paths = workload.generate(workdir / "input", scale=args.scale)
    sizes = workload.chromosome_sizes(args.scale)
    budget = 1.5 * max(sizes.values()) * 4 / 2 ** 20 + 300
    threads = len(os.sched_getaffinity(0))
    exe = [sys.executable, "-m", "genomedata"]

    print(f"workload: scale 1/{args.scale:g}, {sum(sizes.values()) / 1e6:.0f} Mbp, "
          f"{threads} cores; peak-memory budget {budget:.0f} MB")
    print(f"{'track':<14}{'input MB':>10}{'wall s':>9}{'cpu s':>8}{'MB/s':>9}"
          f"{'RSS MB':>9}{'archive MB':>12}{'floor s':>9}{'load/floor':>12}")
    archives = workdir / "archives"
    shutil.rmtree(archives, ignore_errors=True)
    archives.mkdir(parents=True)
    seq = run_child(exe + ["load-seq", "-q", "-f", str(archives / "seq.gd"),
                           str(paths["fasta"])])
    print(f"{'(load-seq)':<14}{paths['fasta'].stat().st_size / 1e6:>10.1f}{seq['wall']:>9.2f}"
          f"{seq['cpu']:>8.2f}{paths['fasta'].stat().st_size / 1e6 / seq['wall']:>9.1f}"
          f"{seq['rss_mb']:>9.0f}")
    for track in args.tracks:
        source = paths[track]
        out = archives / f"{track}.gd"
        result = run_child(exe + ["load", "-q", "-f", "-s", str(paths["fasta"]), "-t",
                                  f"{track}={source}", str(out)])
        size_mb = source.stat().st_size / 1e6
        floor = isal_floor(chunk_columns(out), threads)
        load_only = result["wall"] - seq["wall"]
        print(f"{track:<14}{size_mb:>10.1f}{result['wall']:>9.2f}{result['cpu']:>8.2f}"
              f"{size_mb / result['wall']:>9.1f}{result['rss_mb']:>9.0f}"
              f"{out.stat().st_size / 1e6:>12.1f}{floor:>9.2f}"
              f"{load_only / max(floor, 1e-9):>12.2f}")
    print("load/floor: (load wall - load-seq wall) / ISA-L floor of the same chunks on all "
          "cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
