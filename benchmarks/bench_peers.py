"""The same reads from bigWig files, with the tools users would pick instead, next to ours.

    python benchmarks/bench_peers.py ARCHIVE BIGWIG_DIR PLAN.json RESULT.json
    python benchmarks/bench_peers.py summarize [WORKDIR [NREGIONS [SIZE]]]

The second form is the issue's ``summarize`` case (:func:`summarize_case`): the whole
``genomedata summarize`` command against pybigtools' ``average_over_bed`` and pyBigWig's
exact ``stats`` on the same track as a bigWig and the same BED file, values compared.

``BIGWIG_DIR`` holds ``TRACK.bw`` for every track of ``ARCHIVE`` (written from it by
``genomedata export``, so that every reader sees the same values).  In one process, warm (each
kind called once untimed first), the same reads are timed three ways:

* ours: the archive through the public API -- ``genome[chrom][a:b]`` (all tracks in one
  array) for windows and whole chromosomes; for the means over BED intervals
  ``Genome.summarize(chroms, starts, ends, "mean", tracks)`` (every interval and track in
  one call);
* pyBigWig: ``values(chrom, a, b, numpy=True)`` per track file; ``stats(chrom, a, b,
  type="mean", exact=True)`` per interval and track (``exact=True``: from the data, not from
  a zoom level, like the other two);
* pybigtools (the Rust bigtools binding): ``values(chrom, a, b, fillna=None)`` per track
  file; ``average_over_bed(BED, stats="mean")`` per track file over the plan's BED file.

PLAN.json (written by ``python -m benchmarks``) gives ``small`` and ``large`` windows and the
``whole`` chromosome as ``bench_read.py`` reads them, ``bed`` (the intervals) and ``bed_path``
(the same intervals as a BED3 file).  RESULT.json: ``{reader: {kind: {calls, wall, cpu}}}``,
``{reader: {"missing": reason}}`` for a reader that is not installed, and ``agreement``: per
peer, the largest difference from our values on the first windows and intervals (NaN equal
to NaN; a NaN on one side only counts as a mismatch).
"""

from __future__ import annotations

import json
import sys
import time
import warnings

import numpy as np

KINDS = ("small", "large", "whole", "bed")
CHECK_WINDOWS = 100
CHECK_INTERVALS = 1000


def _timed(function, calls) -> dict:
    wall0, cpu0 = time.perf_counter(), time.process_time()
    function()
    return {"calls": calls, "wall": time.perf_counter() - wall0,
            "cpu": time.process_time() - cpu0}


def _compare(mine, theirs) -> dict:
    """Mismatches of two float arrays (NaN equal to NaN) and the largest relative difference
    of the values both have."""
    mine = np.asarray(mine, dtype=np.float64)
    theirs = np.asarray(theirs, dtype=np.float64)
    nan_mismatch = int(np.count_nonzero(np.isnan(mine) != np.isnan(theirs)))
    both = np.isfinite(mine) & np.isfinite(theirs)
    worst = 0.0
    if both.any():
        scale = np.maximum(np.abs(mine[both]), 1e-6)
        worst = float(np.max(np.abs(mine[both] - theirs[both]) / scale))
    return {"nan_mismatch": nan_mismatch, "max_rel_diff": worst, "compared": int(mine.size)}


class Ours:
    name = "ours"

    def __init__(self, archive, tracks):
        from genomedata import Genome

        self.genome = Genome(archive)
        self.tracks = tracks

    def window(self, chrom, a, b):
        return self.genome[chrom][a:b]

    def means(self, chroms, starts, ends, bed_path):
        return self.genome.summarize(chroms, starts, ends, "mean", self.tracks)

    def close(self):
        self.genome.close()


class PyBigWig:
    name = "pyBigWig"

    def __init__(self, files):
        import pyBigWig

        self.files = [pyBigWig.open(str(path)) for path in files]

    def window(self, chrom, a, b):
        return np.stack([bw.values(chrom, a, b, numpy=True) for bw in self.files], axis=1)

    def means(self, chroms, starts, ends, bed_path):
        columns = []
        for bw in self.files:
            stats = bw.stats
            column = [stats(c, a, b, type="mean", exact=True)[0]
                      for c, a, b in zip(chroms, starts.tolist(), ends.tolist())]
            columns.append(np.array([np.nan if v is None else v for v in column]))
        return np.stack(columns, axis=1)

    def close(self):
        for bw in self.files:
            bw.close()


class Pybigtools:
    name = "pybigtools"

    def __init__(self, files):
        import pybigtools

        self.files = [pybigtools.open(str(path)) for path in files]

    def window(self, chrom, a, b):
        return np.stack([bw.values(chrom, a, b, fillna=None) for bw in self.files], axis=1)

    def means(self, chroms, starts, ends, bed_path):
        # the first len(starts) lines of the BED file (the plan's intervals, in order)
        return np.stack([np.fromiter(bw.average_over_bed(str(bed_path), stats="mean"),
                                     dtype=np.float64, count=len(starts))
                         for bw in self.files], axis=1)

    def close(self):
        for bw in self.files:
            bw.close()


def measure(reader, plan, sizes) -> dict:
    small = [(c, int(a), int(b)) for c, a, b in plan["small"]]
    large = [(c, int(a), int(b)) for c, a, b in plan["large"]]
    whole = plan["whole"]
    bed = plan["bed"]
    chroms = [c for c, _, _ in bed]
    starts = np.array([a for _, a, _ in bed], dtype=np.int64)
    ends = np.array([b for _, _, b in bed], dtype=np.int64)

    def windows(items):
        def go():
            for chrom, a, b in items:
                reader.window(chrom, a, b)
        return go

    def means():
        reader.means(chroms, starts, ends, plan["bed_path"])

    # untimed first calls: JIT compilation, file opening, index reading
    windows(small[:1])()
    windows(large[:1])()
    reader.means(chroms[:1], starts[:1], ends[:1], plan["bed_path"])
    results = {"small": _timed(windows(small), len(small)),
               "large": _timed(windows(large), len(large)),
               "whole": _timed(windows([(whole, 0, sizes[whole])]), 1),
               "bed": _timed(means, len(bed))}
    return results


def check_values(reader, plan, sizes) -> dict:
    """Our values and the reader's on the first windows and intervals."""
    small = [(c, int(a), int(b)) for c, a, b in plan["small"][:CHECK_WINDOWS]]
    values = np.concatenate([np.asarray(reader.window(c, a, b), dtype=np.float64)
                             for c, a, b in small])
    bed = plan["bed"][:CHECK_INTERVALS]  # the BED file's first lines, in the same order
    chroms = [c for c, _, _ in bed]
    starts = np.array([a for _, a, _ in bed], dtype=np.int64)
    ends = np.array([b for _, _, b in bed], dtype=np.int64)
    means = reader.means(chroms, starts, ends, plan["bed_path"])
    return {"windows": values, "means": means}


def run(archive, bigwig_dir, plan) -> dict:
    from pathlib import Path

    from genomedata import Genome

    with Genome(archive) as genome:
        tracks = [str(t) for t in genome.tracknames_continuous]
        sizes = {c.name: int(c.end) for c in genome}
    files = [Path(bigwig_dir) / f"{track}.bw" for track in tracks]
    results = {"tracks": tracks, "agreement": {}}
    reference = None
    for make in (lambda: Ours(archive, tracks), lambda: PyBigWig(files),
                 lambda: Pybigtools(files)):
        try:
            reader = make()
        except ImportError as error:
            name = getattr(error, "name", None) or str(error)
            results[name] = {"missing": f"{name} is not installed"}
            continue
        try:
            results[reader.name] = measure(reader, plan, sizes)
            values = check_values(reader, plan, sizes)
        finally:
            reader.close()
        if reference is None:
            reference = values
        else:
            results["agreement"][reader.name] = {
                key: _compare(reference[key], values[key]) for key in reference}
    return results


# ------------------------------------------------------------------------------------------------
# summarize: the whole command against the peers' BED summaries

SUMMARIZE_SIZE = 2_500_000       # the case: a 2.5 Mbp dense track,
SUMMARIZE_REGIONS = 100_000      # 100,000 regions of 1 to 5,000 bp


def _child_times(function):
    """(wall, CPU of this process and its finished children) of ``function()``."""
    import resource

    def cpu():
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    wall0, cpu0 = time.perf_counter(), cpu()
    value = function()
    return value, {"wall": time.perf_counter() - wall0, "cpu": cpu() - cpu0}


def _best_of(function, runs):
    """``function()``'s value and its fastest run of ``runs`` (wall), with every run's wall
    time: the same rule for every tool."""
    best, walls = None, []
    for _ in range(runs):
        value, times = _child_times(function)
        walls.append(times["wall"])
        if best is None or times["wall"] < best["wall"]:
            best = times
    best["runs"] = [round(wall, 3) for wall in walls]
    return value, best


SUMMARIZE_RUNS = 3


def summarize_case(workdir, size=SUMMARIZE_SIZE, nregions=SUMMARIZE_REGIONS, seed=16,
                   runs=SUMMARIZE_RUNS) -> dict:
    """One dense track of ``size`` bases (seeded), as an archive and as a bigWig written from
    it by ``genomedata export``, and a BED file of ``nregions`` regions of 1 to 5,000 bp in
    random order; then, in this run: ``genomedata summarize ARCHIVE BED`` (a subprocess, as
    a user runs it, in the environment of a user's shell, warm: run once before; its TSV
    parsed back), pybigtools' ``average_over_bed(BED, stats="mean")``
    and pyBigWig's ``stats(chrom, a, b, type="mean", exact=True)`` per region, each run
    ``runs`` times, its fastest run reported (wall and CPU; every run's wall time in
    ``runs``), and their values compared with ours."""
    import os
    import subprocess
    from pathlib import Path

    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    fasta, wig = workdir / "genome.fa", workdir / "dense.wigFix"
    archive, bigwig, bed = workdir / "dense.genomedata", workdir / "dense.bw", \
        workdir / "regions.bed"
    with open(fasta, "w") as out:
        out.write(">chr1\n")
        line = "ACGT" * 15 + "\n"
        out.write(line * (size // 60) + "A" * (size % 60) + "\n")
    values = np.round(rng.normal(2, 1.5, size), 3)
    with open(wig, "w") as out:
        out.write("fixedStep chrom=chr1 start=1 step=1\n")
        out.write("\n".join(np.char.mod("%.3f", values).tolist()) + "\n")
    lengths = rng.integers(1, 5001, nregions)
    starts = rng.integers(0, size - lengths + 1)
    ends = starts + lengths
    with open(bed, "w") as out:
        out.write("".join(f"chr1\t{a}\t{b}\n" for a, b in zip(starts.tolist(),
                                                               ends.tolist())))
    command = [sys.executable, "-m", "genomedata"]
    try:
        from benchmarks.side_by_side import user_env
    except ImportError:     # run as a script: benchmarks/ is the first path
        from side_by_side import user_env
    # the environment of a user's shell (no PYTHONDONTWRITEBYTECODE and the like), this
    # Python's folder first on PATH
    env = user_env(extra={"PATH": os.path.dirname(sys.executable) + os.pathsep
                          + os.environ.get("PATH", os.defpath)})[0]
    for path in (archive, bigwig):
        if path.exists():
            import shutil
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    subprocess.run(command + ["load", "-q", "-s", str(fasta), "-t", f"dense={wig}",
                              str(archive)], check=True, env=env)
    subprocess.run(command + ["export", "-q", str(archive), "dense", str(bigwig)], check=True,
                   env=env)
    results = {"size": size, "regions": nregions,
               "bases_summarised": int(lengths.sum())}

    # ours: the whole command, warm (a first run compiles the kernels into numba's cache)
    warm = workdir / "warm.bed"
    warm.write_text("chr1\t0\t10\n")
    subprocess.run(command + ["summarize", "-q", str(archive), str(warm)], check=True,
                   env=env, stdout=subprocess.DEVNULL)
    out_path = workdir / "summary.tsv"
    _, results["ours"] = _best_of(lambda: subprocess.run(
        command + ["summarize", "-q", str(archive), str(bed), "-o", str(out_path)],
        check=True, env=env), runs)
    ours = np.genfromtxt(out_path, delimiter="\t", skip_header=1, usecols=3,
                         missing_values="NA", filling_values=np.nan)
    results["ours"]["method"] = "genomedata summarize ARCHIVE BED (subprocess)"
    results["ours_bigwig"] = {}
    _, results["ours_bigwig"] = _best_of(lambda: subprocess.run(
        command + ["summarize", "-q", str(bigwig), str(bed), "-o", str(out_path)],
        check=True, env=env), runs)
    results["ours_bigwig"]["method"] = "genomedata summarize BIGWIG BED (subprocess)"
    results["agreement"] = {"ours_bigwig": _compare(
        ours, np.genfromtxt(out_path, delimiter="\t", skip_header=1, usecols=3,
                            missing_values="NA", filling_values=np.nan))}
    try:
        import pybigtools
        handle = pybigtools.open(str(bigwig))
        theirs, results["pybigtools"] = _best_of(lambda: np.fromiter(
            handle.average_over_bed(str(bed), stats="mean"), dtype=np.float64,
            count=nregions), runs)
        handle.close()
        results["pybigtools"]["method"] = "average_over_bed(BED, stats='mean')"
        results["agreement"]["pybigtools"] = _compare(ours, theirs)
    except ImportError:
        results["pybigtools"] = {"missing": "pybigtools is not installed"}
    import pyBigWig
    handle = pyBigWig.open(str(bigwig))
    stats = handle.stats
    theirs, results["pyBigWig"] = _best_of(lambda: np.array(
        [stats("chr1", a, b, type="mean", exact=True)[0]
         for a, b in zip(starts.tolist(), ends.tolist())], dtype=np.float64), runs)
    handle.close()
    results["pyBigWig"]["method"] = "stats(chrom, a, b, type='mean', exact=True) per region"
    results["agreement"]["pyBigWig"] = _compare(ours, theirs)
    peer = results.get("pybigtools", {}).get("wall")
    if peer:
        results["speedup_vs_pybigtools"] = peer / results["ours"]["wall"]
    return results


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["summarize"]:
        # python benchmarks/bench_peers.py summarize WORKDIR [NREGIONS [SIZE]]
        import tempfile
        workdir = argv[1] if len(argv) > 1 else tempfile.mkdtemp(prefix="bench-summarize-")
        nregions = int(argv[2]) if len(argv) > 2 else SUMMARIZE_REGIONS
        size = int(argv[3]) if len(argv) > 3 else SUMMARIZE_SIZE
        print(json.dumps(summarize_case(workdir, size, nregions), indent=1))
        return 0
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    archive, bigwig_dir, plan_path, result_path = argv
    with open(plan_path) as handle:
        plan = json.load(handle)
    warnings.simplefilter("ignore")  # windows across gaps warn; pybigtools' deprecations
    results = run(archive, bigwig_dir, plan)
    with open(result_path, "w") as handle:
        json.dump(results, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
