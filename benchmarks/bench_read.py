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


def run(archive, plan):
    from genomedata import Genome

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

        # untimed first calls: JIT compilation, opening every chromosome
        for chrom in {c for c, _, _ in small + large + regions}:
            genome[chrom][0:1]
        read_windows(small[:1])()
        read_windows(large[:1])()
        binned_windows(regions[:1], has_binned)()
        binned_windows(regions[:1], False)()

        results["small"] = _timed(read_windows(small), len(small))
        results["binned"] = _timed(binned_windows(regions, has_binned), len(regions))
        results["binned"]["method"] = "binned()" if has_binned else "read+numpy"
        results["read_reduce"] = _timed(binned_windows(regions, False), len(regions))
        results["large"] = _timed(read_windows(large), len(large))
        results["whole"] = _timed(whole, 1)
    return results


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
        results = run(archive, plan)
    with open(result_path, "w") as handle:
        json.dump(results, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
