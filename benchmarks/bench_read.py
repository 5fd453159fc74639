"""Read-path benchmark of the Python API, for this package and for genomedata 1.7.4 alike.

    python benchmarks/bench_read.py ARCHIVE PLAN.json RESULT.json [--dump VALUES.npz]

Runs with whichever ``genomedata`` the interpreter imports (only the public API is used:
``Genome``, ``genome[chrom]``, ``chromosome[a:b]``, plus ``chromosome.binned`` when it
exists), so the benchmark runs the very same script in the reference's virtual environment.
Standard library and numpy otherwise; nothing from the ``benchmarks`` package.

PLAN.json (written by ``python -m benchmarks``) lists the windows, ``[chrom, start, end]``:

* ``small``  -- e.g. 10,000 random 1 kbp windows, all tracks: ``genome[chrom][a:b]``;
* ``large``  -- e.g. 100 random 1 Mbp windows, all tracks;
* ``whole``  -- one chromosome name, read whole (``chromosome[start:end]``, all tracks);
* ``binned`` -- regions cut into ``bins`` bins, mean per bin and track: ``chromosome.binned``
  where the API has it, else (the reference) read then one vectorised numpy reduction; the
  read-then-reduce variant is also timed on its own for both;
* ``compare`` -- windows whose values ``--dump`` saves (with the statistics of every
  chromosome) so that two archives can be compared value by value.

Where the API has ``Genome.read_regions`` (this package), the ``small`` windows are read again
in one call (``regions``), and two floors are measured in the same process: ISA-L inflating,
on every core, the stored chunks that the ``small`` windows touch (``regions_floor``) and the
stored chunks of the ``whole`` chromosome (``whole_floor``) -- each chunk once, as the reads
decode them (h5py and isal, which this package depends on, are needed for the floors).

``--kinds small,regions,whole`` times only the kinds named (and their floors); ``--print``
writes the figures, floors and ratios to standard output as well.

Every kind of read is called once untimed first (JIT compilation, file opening), then timed
in this process (warm).  RESULT.json gets, per kind: calls, wall and CPU seconds, MB of float32
returned, and the process's peak RSS so far.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import warnings

import numpy as np


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(function, calls):
    wall0, cpu0 = time.perf_counter(), time.process_time()
    nbytes = function()
    return {"calls": calls, "wall": time.perf_counter() - wall0,
            "cpu": time.process_time() - cpu0, "mb": nbytes / 1e6, "peak_mb": _peak_mb()}


def reduce_bins(data, start, end, bins):
    """Mean of the finite values of each bin (bin edges as ``Chromosome.binned``): one
    vectorised numpy reduction over an array already read."""
    edges = (np.arange(bins) * (end - start)) // bins
    finite = np.isfinite(data)
    sums = np.add.reduceat(np.where(finite, data, 0).astype(np.float64), edges, axis=0)
    counts = np.add.reduceat(finite, edges, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts


def touched_chunks(genome, windows):
    """The stored chunks (compressed bytes) that ``windows`` touch, each once: found through
    the public API (supercontig bounds, ``continuous.dataset``) and h5py's chunk reads."""
    seen = {}
    for chrom, a, b in windows:
        for supercontig in genome[chrom].supercontigs[a:b]:
            dataset = supercontig.continuous.dataset
            rows = dataset.chunks[0]
            lo = max(a, supercontig.start) - supercontig.start
            hi = min(b, supercontig.end) - supercontig.start
            for k in range(lo // rows, (hi - 1) // rows + 1):
                for col in range(dataset.shape[1]):
                    seen[(dataset.file.filename, dataset.name, k * rows, col)] = dataset
    chunks = []
    for (_, _, row, col), dataset in seen.items():
        try:
            mask, raw = dataset.id.read_direct_chunk((row, col))
        except Exception:   # noqa: BLE001 - a chunk never written: nothing to inflate
            continue
        if not mask & 2:
            chunks.append(bytes(raw))
    return chunks


def inflate_floor(chunks, threads=None) -> dict:
    """Seconds ISA-L takes to inflate ``chunks`` on ``threads`` threads (every core), in
    batches of 16 chunks a task, and the MB it produces."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from isal import isal_zlib

    threads = threads or len(os.sched_getaffinity(0))
    batches = [chunks[i:i + 16] for i in range(0, len(chunks), 16)]
    out = [0] * len(batches)

    def work(i):
        out[i] = sum(len(isal_zlib.decompress(chunk)) for chunk in batches[i])

    best = None
    for _ in range(2):
        began, cpu0 = time.perf_counter(), time.process_time()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(work, range(len(batches))))
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu0
        best = (wall, cpu) if best is None or wall < best[0] else best
    return {"wall": best[0], "cpu": best[1], "mb": sum(out) / 1e6, "chunks": len(chunks),
            "threads": threads}


def run(archive, plan, kinds=None):
    from genomedata import Genome

    kinds = set(kinds or ("small", "binned", "read_reduce", "large", "whole", "regions"))
    results = {}
    small = [(c, int(a), int(b)) for c, a, b in plan["small"]]
    large = [(c, int(a), int(b)) for c, a, b in plan["large"]]
    regions = [(c, int(a), int(b)) for c, a, b in plan["binned"]]
    bins = int(plan["bins"])
    with Genome(archive) as genome:
        has_binned = hasattr(genome[regions[0][0]], "binned")

        def read_windows(windows):
            def go():
                total = 0
                for chrom, a, b in windows:
                    total += genome[chrom][a:b].nbytes
                return total
            return go

        def binned_windows(windows, use_api):
            def go():
                total = 0
                for chrom, a, b in windows:
                    chromosome = genome[chrom]
                    if use_api:
                        total += chromosome.binned(a, b, bins).nbytes
                    else:
                        total += reduce_bins(chromosome[a:b], a, b, bins).nbytes
                return total
            return go

        def whole():
            chromosome = genome[plan["whole"]]
            return chromosome[int(chromosome.start):int(chromosome.end)].nbytes

        has_regions = hasattr(genome, "read_regions")

        def read_regions(target):
            def go():
                return target.read_regions([c for c, _, _ in small], [a for _, a, _ in small],
                                           [b for _, _, b in small]).nbytes
            return go

        # untimed first calls: JIT compilation, opening every chromosome
        for chrom in {c for c, _, _ in small + large + regions}:
            genome[chrom][0:1]
        read_windows(small[:1])()
        read_windows(large[:1])()
        binned_windows(regions[:1], has_binned)()
        binned_windows(regions[:1], False)()

        if "small" in kinds:
            results["small"] = _timed(read_windows(small), len(small))
        if "binned" in kinds:
            results["binned"] = _timed(binned_windows(regions, has_binned), len(regions))
            results["binned"]["method"] = "binned()" if has_binned else "read+numpy"
        if "read_reduce" in kinds:
            results["read_reduce"] = _timed(binned_windows(regions, False), len(regions))
        if "large" in kinds:
            results["large"] = _timed(read_windows(large), len(large))
        if "whole" in kinds:
            results["whole"] = _timed(whole, 1)
            if has_regions:
                # again: the first read of a whole chromosome in a process also pays for the
                # operating system's first mapping of that much memory (huge pages)
                results["whole_again"] = _timed(whole, 1)
        if has_regions and "regions" in kinds:
            # a genome of its own: nothing of the one-by-one reads in its chunk cache; called
            # once untimed (kernels loaded, chunk index of every dataset read: once per
            # genome, as opening the chromosomes is for the one-by-one reads), cache emptied
            with Genome(archive) as fresh:
                read_regions(fresh)()
                size = fresh.chunk_cache_size
                fresh.chunk_cache_size = 0            # (empties it)
                fresh.chunk_cache_size = size
                results["regions"] = _timed(read_regions(fresh), len(small))
            results["regions_floor"] = inflate_floor(touched_chunks(genome, small))
        if has_regions and "whole" in kinds:
            chromosome = genome[plan["whole"]]
            results["whole_floor"] = inflate_floor(touched_chunks(
                genome, [(plan["whole"], int(chromosome.start), int(chromosome.end))]))
    return results


def describe(results) -> str:
    """The figures, each read against its floor (``--print``)."""
    lines = []
    for key, row in results.items():
        if "calls" in row:
            lines.append(f"{key:12s} {row['calls']:6d} calls  {row['wall']:8.3f} s wall  "
                         f"{row['cpu']:8.3f} s CPU  {row['mb']:9.1f} MB  "
                         f"{row['mb'] / max(row['wall'], 1e-9):8.1f} MB/s")
        else:
            lines.append(f"{key:12s} {row['chunks']:6d} chunks {row['wall']:8.3f} s wall  "
                         f"{row['cpu']:8.3f} s CPU  {row['mb']:9.1f} MB  (ISA-L inflate, "
                         f"{row['threads']} threads)")
    if "regions" in results and "small" in results:
        lines.append("read_regions vs one by one: "
                     f"{results['small']['wall'] / results['regions']['wall']:.2f}x faster")
    for key, floor in (("regions", "regions_floor"), ("whole", "whole_floor"),
                       ("whole_again", "whole_floor")):
        if key in results and floor in results:
            lines.append(f"{key} / its inflate floor: "
                         f"{results[key]['wall'] / results[floor]['wall']:.2f}x wall, "
                         f"{results[key]['cpu'] / results[floor]['cpu']:.2f}x CPU")
    return "\n".join(lines)


def dump(archive, plan, path) -> None:
    """Values of the ``compare`` windows (all tracks, concatenated) and every chromosome's
    statistics and supercontigs, for a value-by-value comparison of two archives."""
    from genomedata import Genome

    arrays = {}
    with Genome(archive) as genome:
        names = [str(name) for name in genome.tracknames_continuous]
        arrays["tracknames"] = np.array(names)
        pieces = []
        for chrom, a, b in plan["compare"]:
            pieces.append(np.asarray(genome[chrom][int(a):int(b)], dtype=np.float32))
        arrays["values"] = np.concatenate(pieces) if pieces else np.zeros((0, len(names)))
        for chromosome in genome:
            name = chromosome.name
            for stat in ("mins", "maxs", "sums", "sums_squares", "num_datapoints"):
                arrays[f"{stat}/{name}"] = np.asarray(getattr(chromosome, stat))
            arrays[f"supercontigs/{name}"] = np.array(
                [(sc.start, sc.end) for sc in chromosome], dtype=np.int64).reshape(-1, 2)
    np.savez(path, **arrays)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    archive, plan_path, result_path = argv[:3]
    with open(plan_path) as handle:
        plan = json.load(handle)
    warnings.simplefilter("ignore")  # windows across gaps warn (both implementations)
    if "--dump" in argv:
        dump(archive, plan, argv[argv.index("--dump") + 1])
        results = {}
    else:
        kinds = argv[argv.index("--kinds") + 1].split(",") if "--kinds" in argv else None
        results = run(archive, plan, kinds)
    with open(result_path, "w") as handle:
        json.dump(results, handle)
    if "--print" in argv:
        print(describe(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
