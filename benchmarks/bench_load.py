"""End-to-end ``genomedata load`` of each track against its deflate floor.

For each track of the generated workload (``benchmarks.workload``), ``genomedata load``
builds a one-track archive in a child process of its own (wall and CPU seconds, peak RSS of
that command, through ``benchmarks/_measure.py``).  The floor is the time ISA-L level 1 takes
to compress the same float32 chunks, byte-shuffled as stored, on all cores -- measured in the
same run on the chunks the archive holds (a sample of them, scaled up, above ``--floor-mb``).
Also printed: the peak-memory budget of a single-track load (1.5 x the largest chromosome's
float32 buffer + 300 MB).  The whole suite, with every phase and the reference, is
``python -m benchmarks``.

    python -m benchmarks.bench_load [--scale 10] [--workdir /tmp/genomedata-bench]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from . import floors, workload
from .__main__ import Runner, file_mb, warm_up
from .side_by_side import Implementation

TRACKS = ["conservation", "chip", "peaks", "dnase", "chip_gz"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=10.0,
                        help="divide human chromosome sizes by this (default 10: ~310 Mbp)")
    parser.add_argument("--workdir", default="/tmp/genomedata-bench")
    parser.add_argument("--tracks", nargs="*", default=TRACKS, choices=TRACKS)
    parser.add_argument("--floor-mb", type=float, default=192,
                        help="raw MB of chunks timed for the floor (a uniform sample)")
    args = parser.parse_args(argv)
    root = Path(args.workdir).resolve()
    workdir = root / f"scale-{args.scale:g}"
    paths = workload.generate(workdir / "input", scale=args.scale)
    sizes = workload.chromosome_sizes(args.scale)
    budget = 1.5 * max(sizes.values()) * 4 / 2 ** 20 + 300
    ncores = floors.cores()
    impl = Implementation.ours()
    warm_up(impl, root)
    archives = workdir / "bench-load"
    shutil.rmtree(archives, ignore_errors=True)
    archives.mkdir(parents=True)
    runner = Runner(impl, archives)

    print(f"workload: scale 1/{args.scale:g}, {sum(sizes.values()) / 1e6:.0f} Mbp, "
          f"{ncores} cores; peak-memory budget {budget:.0f} MB")
    print(f"{'track':<14}{'input MB':>10}{'wall s':>9}{'cpu s':>8}{'MB/s':>9}"
          f"{'RSS MB':>9}{'archive MB':>12}{'floor s':>9}{'load/floor':>12}")
    seq = runner.measure("load-seq", impl.load_seq(archives / "seq.gd", paths["fasta"]))
    if seq is not None:
        fasta_mb = file_mb(paths["fasta"])
        print(f"{'(load-seq)':<14}{fasta_mb:>10.1f}{seq['wall']:>9.2f}{seq['cpu']:>8.2f}"
              f"{fasta_mb / seq['wall']:>9.1f}{seq['maxrss_mb']:>9.0f}")
    for track in args.tracks:
        out = archives / f"{track}.gd"
        result = runner.measure(track, impl.load(out, paths["fasta"], [(track, paths[track])]))
        if result is None:
            print(f"{track:<14}FAILED")
            continue
        sample, fraction, _ = floors.chunk_sample(out, [track], args.floor_mb)
        floor = floors.deflate_floors(sample, fraction, ncores)[("isal", ncores)]["all"]
        size_mb = file_mb(paths[track])
        load_only = result["wall"] - (seq["wall"] if seq else 0.0)
        print(f"{track:<14}{size_mb:>10.1f}{result['wall']:>9.2f}{result['cpu']:>8.2f}"
              f"{size_mb / result['wall']:>9.1f}{result['maxrss_mb']:>9.0f}"
              f"{file_mb(out):>12.1f}{floor:>9.2f}{load_only / max(floor, 1e-9):>12.2f}")
    print("load/floor: (load wall - load-seq wall) / ISA-L level-1 floor of the same chunks "
          f"on {ncores} cores")
    return 1 if runner.failures else 0


if __name__ == "__main__":
    sys.exit(main())
