"""``genomedata load`` spread over a local Dask cluster, against the same load in one process.

Loads the generated workload (``benchmarks.workload``: every track in one step) three ways,
each a ``genomedata load`` command of its own: in one process (threads on every core), and
with ``--workers 1`` and ``--workers 2`` (a local Dask cluster started and stopped by the
command, counted in the wall time).  Also measured, for the cost model in docs/cluster.md:
the driver's one pass that splits each text input into per-chromosome ranges (MB/s), and the
decompression of the gzip input into its spool file (MB/s of output); each task of a load on
two workers (wall and CPU seconds in its worker, bases x tracks per CPU-second, bytes of text
it parses and of the chromosome file it writes); and ``genomedata hardmask`` (a seeded mask
over 2 % of the genome, in every track, with close-data) of a single-file and a directory
archive in one process and on 1 and 2 workers.

Wall times include starting each command (and its cluster); CPU times are the command's and
its children's (the workers).  On a shared machine wall times say little: compare CPU.

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


def _command(argv):
    """(wall, CPU) seconds of one ``genomedata`` command, its children (workers) included."""
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "genomedata"] + argv, check=True)
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _load(paths, archive, extra, keep=False, mode="-f") -> float:
    argv = ["load", "-q", mode, "-s", str(paths["fasta"])]
    for name in TRACKS:
        argv += ["-t", f"{name}={paths[name]}"]
    result = _command(argv + extra + [str(archive)])
    if not keep:
        shutil.rmtree(archive, ignore_errors=True) if archive.is_dir() else archive.unlink()
    return result


def _timed(log, function, *args):
    """Run ``function(*args)`` in a worker, appending its wall and CPU seconds (the worker
    process's: it runs one task at a time) to the file ``log``."""
    import json
    import resource
    usage = resource.getrusage(resource.RUSAGE_SELF)
    began = time.perf_counter()
    result = function(*args)
    after = resource.getrusage(resource.RUSAGE_SELF)
    chrom = getattr(args[0], "chrom", None) if args else None
    with open(log, "a") as out:
        out.write(json.dumps({"function": function.__name__, "chrom": chrom,
                              "wall": time.perf_counter() - began,
                              "cpu": after.ru_utime - usage.ru_utime + after.ru_stime
                              - usage.ru_stime}) + "\n")
    return result


class _TimedExecutor:
    def __init__(self, executor, log):
        self.executor, self.log = executor, log

    def submit(self, function, *args):
        return self.executor.submit(_timed, self.log, function, *args)


def _tasks(paths, out, scale) -> None:
    """A load on a local cluster of two workers, each task timed in its worker."""
    import json
    import distributed
    from genomedata.ops.load import load_genomedata
    log = out / "tasks.jsonl"
    archive = out / "tasks.gd"
    import cloudpickle
    cloudpickle.register_pickle_by_value(sys.modules[__name__])   # workers need not import it
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                     dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        load_genomedata(archive, [(name, str(paths[name])) for name in TRACKS],
                        [str(paths["fasta"])], mode="dir", jobs=1,
                        executor=_TimedExecutor(client.get_executor(pure=False), str(log)))
    sizes = workload.chromosome_sizes(scale)
    text = sum(os.path.getsize(paths[name]) for name in TRACKS if name != "chip_gz") \
        + os.path.getsize(paths["chip"])
    genome = sum(sizes.values())
    records = [json.loads(line) for line in log.read_text().splitlines()]
    loads = [r for r in records if r["function"] == "_run_task"]
    cpu = sum(r["cpu"] for r in loads)
    written = sum(os.path.getsize(archive / f"{r['chrom']}.genomedata") for r in loads)
    print(f"tasks (one thread each, 2 workers): {len(loads)} chromosome tasks, "
          f"{cpu:.1f} CPU-s in all = {genome * len(TRACKS) / cpu / 1e6:.1f} Mbp-tracks per "
          f"CPU-second; text parsed {text / 1e6:.0f} MB ({text / cpu / 1e6:.0f} MB per "
          f"CPU-second), chromosome files written {written / 1e6:.0f} MB "
          f"({written / (genome * len(TRACKS)):.2f} bytes per base and track)")
    splits = [r for r in records if r["function"] == "_read_input"]
    print(f"  split tasks: {sum(r['cpu'] for r in splits):.1f} CPU-s; "
          f"longest load task: " + max(
              (f"{r['chrom']} {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU "
               f"({sizes.get(r['chrom'], 0) / genome:.1%} of the genome)" for r in loads),
              key=lambda line: float(line.split()[1])))
    shutil.rmtree(archive, ignore_errors=True)


def _hardmask(paths, out, scale) -> None:
    """hardmask of a copy of a file and a directory archive, in one process and on 1 and 2
    workers."""
    import numpy as np
    sizes = workload.chromosome_sizes(scale)
    rng = np.random.default_rng(15)
    mask = out / "mask.bed"
    with open(mask, "w") as handle:
        for chrom, size in sizes.items():
            count = max(1, size // 50_000)            # regions of 1 kbp: 2 % of the genome
            for start in np.sort(rng.integers(0, size - 1000, count)).tolist():
                handle.write(f"{chrom}\t{start}\t{start + 1000}\n")
    for mode in ("file", "dir"):
        source = out / f"source-{mode}.gd"
        _load(paths, source, [], keep=True, mode="-f" if mode == "file" else "-d")
        size = (sum(f.stat().st_size for f in source.iterdir()) if source.is_dir()
                else source.stat().st_size)
        figures = []
        for extra in ([], ["--workers", "1"], ["--workers", "2"]):
            copy = out / f"masked-{mode}.gd"
            (shutil.copytree if mode == "dir" else shutil.copyfile)(source, copy)
            wall, cpu = _command(["hardmask", "-q", str(mask), str(copy)] + extra)
            figures.append(f"{' '.join(extra) or 'one process'} {wall:.1f} s wall, "
                           f"{cpu:.1f} s CPU")
            shutil.rmtree(copy) if mode == "dir" else copy.unlink()
        print(f"hardmask, {mode} archive ({size / 1e6:.0f} MB): " + "; ".join(figures))
        shutil.rmtree(source) if mode == "dir" else source.unlink()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=40.0,
                        help="divide human chromosome sizes by this (default 40: ~78 Mbp)")
    parser.add_argument("--workdir", default="/tmp/genomedata-bench")
    parser.add_argument("--skip-loads", action="store_true",
                        help="skip the three timed loads (the tasks and hardmask only)")
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
    if args.skip_loads:
        _tasks(paths, out, args.scale)
        _hardmask(paths, out, args.scale)
        return 0
    local, cpu = _load(paths, out / "local.gd", [])
    print(f"load, one process: {local:.1f} s wall, {cpu:.1f} s CPU")
    times = {}
    for workers in (1, 2):
        times[workers], cpu = _load(paths, out / f"w{workers}.gd",
                                    ["--workers", str(workers)])
        print(f"load --workers {workers}: {times[workers]:.1f} s wall, {cpu:.1f} s CPU "
              f"({local / times[workers]:.2f}x the one-process load's speed)")
    print(f"speed-up from 1 to 2 workers: {times[1] / times[2]:.2f}x")
    _tasks(paths, out, args.scale)
    _hardmask(paths, out, args.scale)
    return 0


if __name__ == "__main__":
    sys.exit(main())
