"""``genomedata load`` spread over a local Dask cluster, against the same load in one process.

Loads the generated workload (``benchmarks.workload``: every track in one step) three ways,
each a ``genomedata load`` command of its own: in one process (threads on every core), and
with ``--workers 1`` and ``--workers 2`` (a local Dask cluster started and stopped by the
command, counted in the wall time).  Also measured, for the cost model in docs/cluster.md:
the driver's one pass that splits each text input into per-chromosome ranges (MB/s), and the
decompression of the gzip input into its spool file (MB/s of output).

    python -m benchmarks.bench_cluster [--scale 40] [--workdir /tmp/genomedata-bench]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import workload

TRACKS = ["conservation", "chip", "peaks", "dnase", "chip_gz"]


def _load(paths, archive, extra) -> float:
    argv = [sys.executable, "-m", "genomedata", "load", "-q", "-f", "-s", str(paths["fasta"])]
    for name in TRACKS:
        argv += ["-t", f"{name}={paths[name]}"]
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(argv + extra + [str(archive)], check=True)
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    shutil.rmtree(archive, ignore_errors=True) if archive.is_dir() else archive.unlink()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=40.0,
                        help="divide human chromosome sizes by this (default 40: ~78 Mbp)")
    parser.add_argument("--workdir", default="/tmp/genomedata-bench")
    args = parser.parse_args(argv)
    workdir = Path(args.workdir).resolve() / f"scale-{args.scale:g}"
    paths = workload.generate(workdir / "input", scale=args.scale)
    out = workdir / "bench-cluster"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)

    from genomedata.inputs.ranges import spool_named, split_signal
    split_signal(str(paths["peaks"]), "warm-up")             # compile the kernel once
    print(f"workload: scale {args.scale:g}, "
          f"{sum(workload.chromosome_sizes(args.scale).values()) / 1e6:.0f} Mbp, "
          f"{len(TRACKS)} tracks")
    for name in TRACKS[:4]:
        size = os.path.getsize(paths[name])
        began = time.perf_counter()
        split_signal(str(paths[name]), name)
        seconds = time.perf_counter() - began
        print(f"split {name}: {size / 1e6:.0f} MB in {seconds:.2f} s = "
              f"{size / 1e6 / seconds:.0f} MB/s")
    with tempfile.TemporaryDirectory(dir=out) as folder:
        target = os.path.join(folder, "spool")
        began = time.perf_counter()
        spool_named(str(paths["chip_gz"]), target)
        seconds = time.perf_counter() - began
        size = os.path.getsize(target)
        print(f"decompress chip_gz: {size / 1e6:.0f} MB in {seconds:.2f} s = "
              f"{size / 1e6 / seconds:.0f} MB/s")

    _load(paths, out / "warm.gd", [])                   # numba cache, file cache
    local, cpu = _load(paths, out / "local.gd", [])
    print(f"load, one process: {local:.1f} s wall, {cpu:.1f} s CPU")
    times = {}
    for workers in (1, 2):
        times[workers], cpu = _load(paths, out / f"w{workers}.gd",
                                    ["--workers", str(workers)])
        print(f"load --workers {workers}: {times[workers]:.1f} s wall, {cpu:.1f} s CPU "
              f"({local / times[workers]:.2f}x the one-process load's speed)")
    print(f"speed-up from 1 to 2 workers: {times[1] / times[2]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
