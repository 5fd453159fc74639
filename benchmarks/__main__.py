"""The benchmark suite: one workload, every phase, one table.

    python -m benchmarks                 # scale 10: ~310 Mbp, 5 tracks (about 3 minutes)
    python -m benchmarks --small         # scale 100: ~31 Mbp (under 2 minutes)
    python -m benchmarks --tiny          # 2 small chromosomes: every phase, CI's smoke test
    python -m benchmarks --reference     # side by side with genomedata 1.7.4 from PyPI

Generates (seeded, cached in ``--workdir``) the genome-like workload of
:mod:`benchmarks.workload` -- GRCh38 chromosome sizes divided by ``--scale`` with N gaps, a
dense fixedStep track, a sparse bedGraph, BED3+1 peaks, a variableStep track and a gzip copy
of the bedGraph -- and measures:

* every command as a child process of its own (``python -m genomedata ...``), through
  ``benchmarks/_measure.py``, for wall and CPU seconds and that command's peak RSS:
  load-seq, open-data, load-data of each track, close-data, info, the one-step ``load`` of all
  tracks, hardmask (when this checkout has it), export;
* reads through the Python API in a child process, warm (each kind called once untimed
  first): random 1 kbp windows over all tracks, random 1 Mbp windows, one whole chromosome,
  binned summaries (``benchmarks/bench_read.py``);
* floors in the same run: reading the input files; compressing the archive's own shuffled
  float32 chunks with ISA-L level 1 and zlib level 1, and inflating them, on 1 and on all
  cores;
* the same reads from bigWig files, by the tools users would pick instead: every track
  exported once with ``genomedata export``, then random 1 kbp and 1 Mbp windows, a whole
  chromosome and the mean over many BED intervals read by ours (the archive), pyBigWig and
  pybigtools (``benchmarks/bench_peers.py``; pybigtools is the optional ``bench`` extra:
  without it its rows say so);
* first-run JIT compilation: ``genomedata load`` of the tiny workload with a fresh
  ``NUMBA_CACHE_DIR``, then again with the cache filled.

Every child process of both sides runs in the environment of a normal user's shell
(``side_by_side.user_env``: PATH, HOME, LANG/LC_*, TMPDIR and the like, the side's virtual
environment activated); the output names the variables it removed (``PYTHONUNBUFFERED=1``
alone makes genomedata 1.7.4's loader read standard input one byte per system call).

With ``--reference``, a cached virtual environment with genomedata 1.7.4 runs the same phases
and reads (its commands and API), both archives are compared value by value (sampled windows
of every track, statistics, supercontigs) and the table gains the reference's wall time and
the ratio reference / ours per row.  ``--results FILE`` also writes the table (Markdown).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from . import floors, workload
from .report import Row, section, table
from .side_by_side import (Implementation, compare_dumps, describe_comparison, describe_env,
                           has_hardmask, reference_env, user_env)

HERE = Path(__file__).resolve().parent
MEASURE = HERE / "_measure.py"
BENCH_READ = HERE / "bench_read.py"
BENCH_PEERS = HERE / "bench_peers.py"

# track name in the archive -> workload file key
TRACKS = {"conservation": "conservation", "chip": "chip", "peaks": "peaks", "dnase": "dnase",
          "chip_gz": "chip_gz"}
TINY_CHROMOSOMES = ["chr21", "chr22"]

SIZES = {
    "default": dict(scale=10.0, chromosomes=None, small=10_000, large=100, binned=1000,
                    compare=3000, floor_mb=192, cold=True, warm=True, bed=100_000),
    "small": dict(scale=100.0, chromosomes=None, small=10_000, large=100, binned=1000,
                  compare=3000, floor_mb=64, cold=False, warm=True, bed=10_000),
    "tiny": dict(scale=100.0, chromosomes=TINY_CHROMOSOMES, small=1000, large=10, binned=100,
                 compare=500, floor_mb=16, cold=False, warm=False, bed=2000),
}
SMALL_WIDTH = 1000
LARGE_WIDTH = 1_000_000
BINNED_WIDTH = 100_000
BINS = 100
BED_LENGTHS = (100, 2000)  # the BED intervals of the peers' means: lengths from, to (bp)
HARDMASK_OPTION = "ge0.5"


def log(message) -> None:
    print(message, file=sys.stderr, flush=True)


def file_mb(path) -> float:
    path = Path(path)
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6
    return path.stat().st_size / 1e6 if path.exists() else 0.0


def _bp(width: int) -> str:
    if width >= 1_000_000 and width % 1_000_000 == 0:
        return f"{width // 1_000_000} Mbp"
    if width >= 1000 and width % 1000 == 0:
        return f"{width // 1000} kbp"
    return f"{width} bp"


# ------------------------------------------------------------------------------------------------
# running measured children

class Runner:
    """Runs an implementation's commands, each inside ``_measure.py``."""

    def __init__(self, impl: Implementation, workdir: Path):
        self.impl = impl
        self.workdir = workdir
        self.count = 0
        self.failures = []

    def measure(self, label, spec, env=None) -> dict | None:
        """Run ``spec`` (from an ``Implementation`` method); None if it failed."""
        if spec is None:
            return None
        command, stdin, shell = spec
        self.count += 1
        result_path = self.workdir / f"measure-{self.impl.name}-{self.count:03d}.json"
        argv = [sys.executable, str(MEASURE), str(result_path)]
        if stdin:
            argv += ["--stdin", str(stdin)]
        if shell:
            argv += ["--shell", "--", command]
        else:
            argv += ["--", *map(str, command)]
        log(f"  {self.impl.name}: {label}")
        subprocess.run(argv, env=env or self.impl.env, cwd=self.workdir, check=True)
        with open(result_path) as handle:
            result = json.load(handle)
        if result["returncode"] != 0:
            with open(str(result_path) + ".stderr", "rb") as handle:
                tail = handle.read()[-2000:].decode(errors="replace")
            log(f"  {self.impl.name}: {label} FAILED (exit {result['returncode']}):\n{tail}")
            self.failures.append(label)
            return None
        return result


class Progress:
    """The phases one implementation has finished, saved as each one ends, so that an
    interrupted run resumes where it stopped instead of starting again (the reference's full
    run takes hours).  A phase that was running when the run stopped is measured again if it
    can be repeated on the archive as it is (close-data recomputes everything; info, reads and
    h5repack only read; hardmask works on a fresh copy); otherwise (load-seq, open-data,
    load-data, which change the archive) the run starts from the beginning."""

    REPEATABLE = ("close-data", "info", "h5repack", "hardmask", "reads")

    def __init__(self, path: Path | None, resume: bool):
        self.path = path
        data = {}
        if path is not None and resume and path.exists():
            data = json.loads(path.read_text())
            running = data.get("running")
            if running and running not in self.REPEATABLE:
                log(f"  the last run stopped during {running}, which changed the archive: "
                    "starting again")
                data = {}
        self.done = data.get("done", {})
        self.resumed = bool(self.done)

    def _save(self, running) -> None:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps({"running": running, "done": self.done}, indent=1))

    def start(self, key) -> None:
        self._save(key)

    def finish(self, key, result) -> None:
        if result is not None:
            self.done[key] = result
        self._save(None)


def run_phases(runner: Runner, paths: dict, outdir: Path, make_mask, tracks,
               full_load: bool = True, progress: Progress | None = None) -> dict:
    """Every command phase for one implementation; {phase key: measure dict + extras}.

    ``make_mask(archive)`` returns the hardmask file for an archive holding the supercontigs
    (after load-seq).  ``full_load=False`` (the reference only) does not run the one-step
    load -- the reference's load-seq alone takes hours on this workload -- but composes it from
    the steps just measured plus a measured ``h5repack``, which is what its genomedata-load
    runs."""
    impl = runner.impl
    progress = progress or Progress(None, False)
    outdir.mkdir(parents=True, exist_ok=True)
    stepwise = outdir / "stepwise.gd"
    oneshot = outdir / "load.gd"
    masked = outdir / "hardmask.gd"
    for path in (stepwise, oneshot, masked):
        if progress.resumed and path == stepwise:
            continue
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    results = {}

    def step(key, spec, archive=None):
        if key in progress.done:
            log(f"  {impl.name}: {key} (measured before, reused)")
            results[key] = progress.done[key]
            return results[key]
        progress.start(key)
        result = runner.measure(key, spec)
        if result is not None and archive is not None:
            result["archive_mb"] = file_mb(archive)
        results[key] = result
        progress.finish(key, result)
        return result

    step("load-seq", impl.load_seq(stepwise, paths["fasta"]), stepwise)
    if results["load-seq"] is None:
        return results
    mask = make_mask(stepwise) if make_mask is not None else None
    results["mask"] = None if mask is None else str(mask)
    step("open-data", impl.open_data(stepwise, list(tracks)), stepwise)
    for track, key in tracks.items():
        step(f"load-data:{track}", impl.load_data(stepwise, track, paths[key]), stepwise)
    step("close-data", impl.close_data(stepwise), stepwise)
    step("info", impl.info(stepwise))
    if not impl.can_load():
        results["load"] = None
        results["load-skipped"] = "h5repack not on PATH"
    elif full_load:
        step("load", impl.load(oneshot, paths["fasta"],
                               [(track, paths[key]) for track, key in tracks.items()]),
             oneshot)
    elif results.get("close-data"):
        repack = step("h5repack", (["h5repack", "-f", "GZIP=1", str(stepwise), str(oneshot)],
                                   None, False), oneshot)
        parts = ["load-seq", "open-data", *[f"load-data:{t}" for t in tracks], "close-data"]
        if repack is not None and all(results.get(k) for k in parts):
            measured = [results[k] for k in parts] + [repack]
            results["load"] = {
                "wall": sum(m["wall"] for m in measured), "cpu": sum(m["cpu"] for m in measured),
                "maxrss_mb": max(m["maxrss_mb"] for m in measured),
                "archive_mb": repack["archive_mb"], "composed": True}
        oneshot.unlink(missing_ok=True)
    if mask is not None and (impl.is_reference or has_hardmask()) \
            and results.get("close-data"):
        if "hardmask" not in progress.done:
            shutil.copyfile(stepwise, masked)
        step("hardmask", impl.hardmask(masked, mask, HARDMASK_OPTION), masked)
    if not impl.is_reference and results.get("close-data"):
        bigwig = outdir / "dnase.bw"
        step("export", impl.export(stepwise, "dnase", bigwig))
        bigwig.unlink(missing_ok=True)
    return results


# ------------------------------------------------------------------------------------------------
# workload-derived inputs: mask file, read plan

def supercontigs_of(archive) -> dict:
    """{chrom: [(start, end), ...]} of a single-file archive, read with h5py (works while the
    archive is dirty)."""
    import h5py
    layout = {}
    with h5py.File(archive, "r") as handle:
        for chrom, group in handle.items():
            bounds = sorted((int(sc.attrs["start"]), int(sc.attrs["end"]))
                            for sc in group.values())
            layout[chrom] = bounds
    return layout


def write_mask(path, layout, total_bp, seed=11):
    """A BED5 mask (TAB-separated, sorted, regions 1-400 bp inside supercontigs, never
    overlapping or adjacent, scores in [0, 1)) read the same way by both implementations."""
    rng = np.random.default_rng(seed)
    wanted = max(50, total_bp // 20000)
    lines = []
    for chrom in sorted(layout):
        for start, end in layout[chrom]:
            slots = (end - start) // 1000
            count = min(slots, int(round(wanted * (end - start) / total_bp)))
            if count <= 0:
                continue
            picks = np.sort(rng.choice(slots, count, replace=False))
            offsets = rng.integers(0, 500, count)
            lengths = rng.integers(1, 401, count)
            scores = rng.random(count)
            for slot, offset, length, score in zip(picks.tolist(), offsets.tolist(),
                                                   lengths.tolist(), scores.tolist()):
                a = start + slot * 1000 + offset
                lines.append(f"{chrom}\t{a}\t{a + length}\tr\t{score:.4f}\n")
    with open(path, "w") as handle:
        handle.writelines(lines)
    return path


def read_plan(sizes: dict, size: dict, seed=3) -> dict:
    rng = np.random.default_rng(seed)
    names = list(sizes)
    lengths = np.array([sizes[c] for c in names], dtype=np.float64)

    def windows(count, width):
        ok = [i for i, c in enumerate(names) if sizes[c] > width]
        weights = np.array([lengths[i] - width for i in ok])
        picks = rng.choice(ok, count, p=weights / weights.sum())
        return [[names[i], int(a), int(a) + width] for i, a in
                zip(picks, (rng.random(count) * (lengths[picks] - width)).astype(np.int64))]

    large_width = min(LARGE_WIDTH, int(lengths.max()) // 2)
    binned_width = min(BINNED_WIDTH, int(lengths.max()) // 2)
    compare = windows(size["compare"], SMALL_WIDTH)
    for chrom in names:  # and two long windows per chromosome
        width = min(100_000, sizes[chrom] // 2)
        for a in rng.integers(0, sizes[chrom] - width, 2).tolist():
            compare.append([chrom, int(a), int(a) + width])
    plan = {"small": windows(size["small"], SMALL_WIDTH),
            "large": windows(size["large"], large_width), "large_width": large_width,
            "whole": max(names, key=lambda c: sizes[c]),
            "binned": windows(size["binned"], binned_width), "binned_width": binned_width,
            "bins": BINS, "compare": compare}
    # the intervals of the peers' means (drawn last: the windows above stay as they were)
    bed = [[chrom, a, a + int(length)] for (chrom, a, _), length in
           zip(windows(size["bed"], BED_LENGTHS[1]),
               rng.integers(BED_LENGTHS[0], BED_LENGTHS[1] + 1, size["bed"]))]
    bed.sort(key=lambda item: (names.index(item[0]), item[1]))
    plan["bed"] = bed
    return plan


def mask_plan(plan, mask_path, count=500, seed=4) -> dict:
    """The comparison windows plus windows around mask regions (for hardmasked archives)."""
    rows = [line.split("\t") for line in Path(mask_path).read_text().splitlines()]
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(rows), min(count, len(rows)), replace=False) if rows else []
    extra = [[rows[k][0], max(0, int(rows[k][1]) - 50), int(rows[k][2]) + 50] for k in picks]
    return dict(plan, compare=plan["compare"] + extra)


def run_reads(runner: Runner, archive, plan_path) -> dict | None:
    result_path = runner.workdir / f"reads-{runner.impl.name}.json"
    spec = ([runner.impl.python, str(BENCH_READ), str(archive), str(plan_path),
             str(result_path)], None, False)
    measured = runner.measure("reads", spec)
    if measured is None:
        return None
    with open(result_path) as handle:
        reads = json.load(handle)
    reads["_process"] = measured
    return reads


def run_peers(runner: Runner, archive, plan: dict, workdir: Path) -> dict | None:
    """Every track exported to bigWig once (``genomedata export``), then the same reads by
    ours, pyBigWig and pybigtools in one child process (``bench_peers.py``)."""
    bigwigs = workdir / "bigwig"
    bigwigs.mkdir(parents=True, exist_ok=True)
    export_wall = 0.0
    for track in TRACKS:
        result = runner.measure(f"export {track} (for the peers)",
                                runner.impl.export(archive, track, bigwigs / f"{track}.bw"))
        if result is None:
            return None
        export_wall += result["wall"]
    bed_path = workdir / "intervals.bed"
    bed_path.write_text("".join(f"{c}\t{a}\t{b}\n" for c, a, b in plan["bed"]))
    plan_path = workdir / "read-plan-peers.json"
    plan_path.write_text(json.dumps(dict(plan, bed_path=str(bed_path))))
    result_path = workdir / "peers.json"
    spec = ([runner.impl.python, str(BENCH_PEERS), str(archive), str(bigwigs), str(plan_path),
             str(result_path)], None, False)
    if runner.measure("the peers' reads", spec) is None:
        return None
    peers = json.loads(result_path.read_text())
    peers["export_wall"] = export_wall
    peers["bigwig_mb"] = file_mb(bigwigs)
    shutil.rmtree(bigwigs, ignore_errors=True)
    return peers


def dump_values(impl: Implementation, archive, plan_path, output) -> bool:
    result = subprocess.run([impl.python, str(BENCH_READ), str(archive), str(plan_path),
                             str(output) + ".json", "--dump", str(output)], env=impl.env,
                            capture_output=True, text=True)
    if result.returncode:
        log(f"  {impl.name}: dumping values of {archive} failed:\n{result.stderr[-2000:]}")
    return result.returncode == 0


def warm_up(impl, root: Path) -> None:
    """Every phase once on the tiny workload, untimed: the numba cache is then filled."""
    paths = workload.generate(root / "input-tiny", scale=SIZES["tiny"]["scale"],
                              chromosomes=TINY_CHROMOSOMES)
    warm = Runner(impl, root / "warm-up")
    warm.workdir.mkdir(parents=True, exist_ok=True)
    total = sum(workload.chromosome_sizes(SIZES["tiny"]["scale"])[c] for c in TINY_CHROMOSOMES)

    def warm_mask(archive):
        return write_mask(warm.workdir / "mask.bed", supercontigs_of(archive), total)

    run_phases(warm, paths, warm.workdir / "ours", warm_mask, TRACKS)
    if warm.failures:
        log(f"warm-up failed: {', '.join(warm.failures)}")


# ------------------------------------------------------------------------------------------------
# first-run compilation

def compile_rows(workdir: Path) -> list:
    """``genomedata load`` of the tiny workload with a fresh NUMBA_CACHE_DIR, then again."""
    paths = workload.generate(workdir / "input-tiny", scale=SIZES["tiny"]["scale"],
                              chromosomes=TINY_CHROMOSOMES)
    impl = Implementation.ours()
    cache = workdir / "numba-cache-fresh"
    shutil.rmtree(cache, ignore_errors=True)
    env = dict(impl.env, NUMBA_CACHE_DIR=str(cache))
    runner = Runner(impl, workdir / "cold")
    runner.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    input_mb = sum(file_mb(paths[key]) for key in TRACKS.values()) + file_mb(paths["fasta"])
    timings = []
    for label in ("first run, empty NUMBA_CACHE_DIR", "second run, kernels from the cache"):
        archive = runner.workdir / "load.gd"
        if archive.exists():
            archive.unlink()
        spec = impl.load(archive, paths["fasta"],
                         [(track, paths[key]) for track, key in TRACKS.items()])
        result = runner.measure(f"load (tiny), {label}", spec, env=env)
        if result is None:
            return [Row(f"load (tiny workload): {label}", note="FAILED")]
        timings.append(result["wall"])
        rows.append(Row(f"load (tiny workload): {label}", input_mb, result["wall"],
                        result["cpu"], input_mb / result["wall"], result["maxrss_mb"],
                        file_mb(archive)))
    rows[0].note = f"JIT compilation ~{timings[0] - timings[1]:.0f} s, paid once"
    shutil.rmtree(cache, ignore_errors=True)
    return rows


# ------------------------------------------------------------------------------------------------
# the table

def phase_rows(ours: dict, ref: dict | None, paths: dict, floor_table: dict | None,
               ncores: int) -> list:
    rows = []
    deflate = (floor_table or {}).get(("isal", ncores), {})
    inflate = (floor_table or {}).get(("isal-inflate", ncores), {})

    def row(label, key, input_mb, floor=None, note=""):
        mine = ours.get(key)
        theirs = (ref or {}).get(key)
        if mine is None:
            skipped = ours.get(f"{key}-skipped")
            rows.append(Row(label, input_mb, note=note or skipped or "FAILED"))
            return
        wall = mine["wall"]
        if theirs and theirs.get("composed"):
            note = "1.7.4: its steps above + h5repack, measured separately"
        rows.append(Row(label, input_mb, wall, mine["cpu"],
                        input_mb / wall if input_mb and wall else None, mine["maxrss_mb"],
                        mine.get("archive_mb"),
                        wall / floor if floor else None,
                        theirs["wall"] if theirs else None,
                        note or ("" if ref is None or theirs else
                                 (ref.get(f"{key}-skipped") or "reference failed")),
                        ref_cpu=theirs.get("cpu") if theirs else None))

    fasta_mb = file_mb(paths["fasta"])
    rows.append(section("commands (each a child process)"))
    row("load-seq", "load-seq", fasta_mb)
    row("open-data (5 tracks)", "open-data", None)
    for track, key in TRACKS.items():
        row(f"load-data {track}", f"load-data:{track}", file_mb(paths[key]),
            deflate.get(track))
    archive_mb = (ours.get("close-data") or {}).get("archive_mb")
    row("close-data", "close-data", archive_mb, inflate.get("all"))
    row("info tracknames", "info", None)
    total_mb = fasta_mb + sum(file_mb(paths[key]) for key in TRACKS.values())
    row("load, all 5 tracks in one step", "load", total_mb,
        deflate.get("all"), note="" if ref is None else "1.7.4 includes its h5repack step")
    if "hardmask" in ours or (ref and "hardmask" in ref):
        mask = ours.get("mask")
        row(f"hardmask {HARDMASK_OPTION} (+ close-data)", "hardmask",
            file_mb(mask) if mask else None)
    else:
        rows.append(Row("hardmask", note="genomedata hardmask not in this checkout"))
    row("export dnase to bigWig", "export", file_mb(paths["dnase"]),
        note="" if ref is None else "no such command in 1.7.4")
    return rows


def read_rows(ours: dict | None, ref: dict | None, plan: dict) -> list:
    rows = [section("reads through the Python API (one process, warm)")]
    labels = {
        "small": f"read {len(plan['small']):,} random {_bp(SMALL_WIDTH)} windows, all tracks",
        "large": f"read {len(plan['large']):,} random {_bp(plan['large_width'])} windows, "
                 "all tracks",
        "whole": f"read whole {plan['whole']}, all tracks",
        "binned": f"binned: {len(plan['binned']):,} x {_bp(plan['binned_width'])} into "
                  f"{plan['bins']} bins, mean",
        "read_reduce": f"same, read then numpy reduce ({len(plan['binned']):,} regions)",
    }
    for key in ("small", "large", "whole", "binned", "read_reduce"):
        mine = (ours or {}).get(key)
        theirs = (ref or {}).get(key)
        if mine is None:
            rows.append(Row(labels[key], note="FAILED"))
            continue
        note = ""
        if key == "binned" and theirs is not None:
            note = f"1.7.4 has no binned(): {theirs.get('method')}"
        if key in ("small", "binned", "read_reduce"):
            per = mine["wall"] / mine["calls"] * 1e3
            note = (f"{per:.3f} ms per call" + (f"; {note}" if note else ""))
        rows.append(Row(labels[key], mine["mb"], mine["wall"], mine["cpu"],
                        mine["mb"] / mine["wall"] if mine["wall"] else None, mine["peak_mb"],
                        None, None, theirs["wall"] if theirs else None, note,
                        ref_cpu=theirs.get("cpu") if theirs else None))
    return rows


PEERS = ("pyBigWig", "pybigtools")


def peer_rows(peers: dict | None, plan: dict) -> list:
    """The same reads by ours (archive) and by the peers (bigWig files), each peer's wall time
    as a ratio to ours."""
    rows = [section("the same reads from bigWig files: pyBigWig and pybigtools next to ours "
                    "(one process, warm)")]
    labels = {
        "small": f"{len(plan['small']):,} random {_bp(SMALL_WIDTH)} windows, all tracks",
        "large": f"{len(plan['large']):,} random {_bp(plan['large_width'])} windows, "
                 "all tracks",
        "whole": f"whole {plan['whole']}, all tracks",
        "bed": f"mean of each track over {len(plan['bed']):,} BED intervals "
               f"({BED_LENGTHS[0]:,}-{BED_LENGTHS[1]:,} bp)",
    }
    ours_method = {"small": "chromosome[a:b]", "large": "chromosome[a:b]",
                   "whole": "chromosome[start:end]",
                   "bed": "Genome.summarize(chroms, starts, ends, 'mean', tracks), one call"}
    peer_method = {"pyBigWig": {"bed": "stats(type='mean', exact=True) per interval"},
                   "pybigtools": {"bed": "average_over_bed(stats='mean')"}}
    if peers is None:
        return rows + [Row("ours and the peers", note="FAILED")]
    for key, label in labels.items():
        mine = peers["ours"][key]
        rows.append(Row(f"ours: {label}", None, mine["wall"], mine["cpu"],
                        note=ours_method[key]))
        for name in PEERS:
            theirs = peers.get(name) or {"missing": f"{name} did not run"}
            if "missing" in theirs:
                rows.append(Row(f"{name}: {label}",
                                note=f"{theirs['missing']} (pip install '.[bench]')"))
                continue
            ratio = theirs[key]["wall"] / mine["wall"] if mine["wall"] else float("nan")
            method = peer_method[name].get(key, "values() per track file")
            rows.append(Row(f"{name}: {label}", None, theirs[key]["wall"], theirs[key]["cpu"],
                            note=f"{ratio:.2f}x ours' wall time; {method}"))
    return rows


def peer_agreement(peers: dict | None) -> list:
    """Lines saying whether the peers read the values we read."""
    if peers is None:
        return []
    lines = [f"bigWig files of the {len(peers['tracks'])} tracks written by genomedata "
             f"export in {peers['export_wall']:.1f} s ({peers['bigwig_mb']:.1f} MB)"]
    for name, checks in peers.get("agreement", {}).items():
        parts = []
        for key, what in (("windows", "values of windows"), ("means", "interval means")):
            check = checks[key]
            state = ("identical" if check["nan_mismatch"] == 0 and check["max_rel_diff"] == 0
                     else f"NaN on one side only: {check['nan_mismatch']:,}, others within "
                          f"{check['max_rel_diff']:.1e} relative")
            parts.append(f"{what} ({check['compared']:,}): {state}")
        lines.append(f"{name} against ours: " + "; ".join(parts))
    return lines


def floor_rows(raw: dict, floor_table: dict, fraction: float, full_mb: dict, nchunks_note,
               ncores: int) -> list:
    rows = [section("floors (same machine, same run)")]
    rows.append(Row("raw read of every input file", raw["mb"], raw["wall"], None,
                    raw["mb"] / raw["wall"] if raw["wall"] else None,
                    note="readinto a reused buffer, page cache warm"))
    total_mb = sum(full_mb.values())
    names = {"isal": "ISA-L deflate level 1", "zlib": "zlib deflate level 1",
             "isal-inflate": "ISA-L inflate", "zlib-inflate": "zlib inflate"}
    for codec in ("isal", "zlib", "isal-inflate", "zlib-inflate"):
        for count in sorted({1, ncores}):
            seconds = floor_table[(codec, count)]["all"]
            rows.append(Row(f"{names[codec]}, {count} core{'s' if count > 1 else ''}",
                            total_mb, seconds, None, total_mb / seconds if seconds else None,
                            note=nchunks_note if codec == "isal" and count == 1 else ""))
    return rows


def targets(rows_by_key: dict, ours: dict, ref: dict | None, reads: dict, ref_reads,
            budget_mb: float, compile_info) -> list:
    """The performance contract (README, "Performance"), figure by figure."""
    lines = []

    def mark(ok):
        return "met" if ok else "MISSED"

    if ref is not None:
        common = [k for k in ours if ours.get(k) and isinstance(ours[k], dict)
                  and "wall" in ours[k] and (ref.get(k) or {}).get("wall")]
        ours_total = sum(ours[k]["wall"] for k in common)
        ref_total = sum(ref[k]["wall"] for k in common)
        read_keys = [k for k in ("small", "large", "whole", "binned")
                     if (reads or {}).get(k) and (ref_reads or {}).get(k)]
        ours_total += sum(reads[k]["wall"] for k in read_keys)
        ref_total += sum(ref_reads[k]["wall"] for k in read_keys)
        ref_cpu = (sum(ref[k]["cpu"] for k in common)
                   + sum(ref_reads[k]["cpu"] for k in read_keys))
        ratio = ref_total / ours_total if ours_total else 0
        lines.append(f"workload as a whole (every command and read both have): "
                     f"{ref_total:,.1f} s (1.7.4) vs {ours_total:,.1f} s (ours) = "
                     f"{ratio:.1f}x; target >= 10x: {mark(ratio >= 10)} (1.7.4 runs on one "
                     f"core: its CPU time, {ref_cpu:,.1f} s, is {ref_cpu / ours_total:.1f}x "
                     "our wall time)")
        without = [k for k in common if k != "load-seq" and k != "load"]
        if "load-seq" in common and without:
            a = sum(ref[k]["wall"] for k in without) + sum(ref_reads[k]["wall"]
                                                             for k in read_keys)
            b = sum(ours[k]["wall"] for k in without) + sum(reads[k]["wall"]
                                                            for k in read_keys)
            lines.append(f"the same without load-seq and load (1.7.4's load-seq backtracks "
                         f"in a regular expression at every gap >= 100 kbp): {a:,.1f} s vs "
                         f"{b:,.1f} s = {a / b:.1f}x")
        slower = [k for k in common if ref[k]["wall"] <= ours[k]["wall"]]
        slower += [f"read {k}" for k in read_keys if ref_reads[k]["wall"] <= reads[k]["wall"]]
        lines.append("every phase faster than 1.7.4: " +
                     ("met" if not slower else "MISSED for " + ", ".join(slower)))
        if ours.get("close-data") and ref.get("close-data"):
            r = ref["close-data"]["wall"] / ours["close-data"]["wall"]
            lines.append(f"close-data {r:.1f}x faster than 1.7.4; target >= 5x: {mark(r >= 5)}")
        if (reads or {}).get("small") and (ref_reads or {}).get("small"):
            r = ref_reads["small"]["wall"] / reads["small"]["wall"]
            lines.append(f"random 1 kbp reads {r:.1f}x the rate of 1.7.4; target >= 2x: "
                         f"{mark(r >= 2)}")
    load_row = rows_by_key.get("load")
    if load_row is not None and load_row.floor_ratio:
        lines.append(f"one-step load = {load_row.floor_ratio:.2f}x the ISA-L floor of its "
                     f"track chunks on all cores; target <= 1.3x: "
                     f"{mark(load_row.floor_ratio <= 1.3)}")
    peaks = [(k, v["maxrss_mb"]) for k, v in ours.items()
             if k.startswith("load-data:") and v]
    if peaks:
        worst = max(peaks, key=lambda kv: kv[1])
        lines.append(f"peak RSS of a single-track load-data: {worst[1]:.0f} MB "
                     f"({worst[0].split(':')[1]}); budget 1.5 x largest chromosome float32 + "
                     f"300 MB = {budget_mb:.0f} MB: {mark(worst[1] <= budget_mb)}")
    if ours.get("info"):
        wall = ours["info"]["wall"]
        lines.append(f"genomedata info: {wall:.2f} s; target < 0.5 s: {mark(wall < 0.5)}")
    if compile_info:
        lines.append(compile_info)
    return lines


# ------------------------------------------------------------------------------------------------

def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n\n")[2],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--scale", type=float,
                      help="divide the GRCh38 chromosome sizes by this (default 10: ~310 Mbp)")
    size.add_argument("--small", action="store_true", help="scale 100 (~31 Mbp)")
    size.add_argument("--tiny", action="store_true",
                      help="two small chromosomes at scale 100 (for the smoke test)")
    parser.add_argument("--chromosomes", metavar="NAME,NAME",
                        help="only these GRCh38 chromosomes (e.g. chr1,chr21: genomedata "
                             "1.7.4's load-seq takes minutes per assembly gap)")
    parser.add_argument("--workdir", default=os.path.join(
        os.environ.get("TMPDIR", "/tmp"), "genomedata-bench"),
        help="where the workload, archives and results go (default: %(default)s)")
    parser.add_argument("--reference", action="store_true",
                        help="also run genomedata 1.7.4 (virtual environment created once)")
    parser.add_argument("--reference-only", action="store_true",
                        help="measure only the reference (its results are cached in WORKDIR "
                             "and reused by later --reference runs)")
    parser.add_argument("--rerun-reference", action="store_true",
                        help="measure the reference again instead of reusing its results")
    parser.add_argument("--reference-load", action="store_true",
                        help="run the reference's one-step genomedata-load for real (by "
                             "default it is composed of its measured steps + h5repack: its "
                             "load-seq alone takes hours on this workload)")
    parser.add_argument("--reference-env", metavar="DIR",
                        help="the reference's virtual environment (default: "
                             "~/.cache/genomedata-bench/reference-1.7.4)")
    cold = parser.add_mutually_exclusive_group()
    cold.add_argument("--cold", dest="cold", action="store_true", default=None,
                      help="measure first-run JIT compilation (default at full scale)")
    cold.add_argument("--no-cold", dest="cold", action="store_false")
    parser.add_argument("--results", metavar="FILE",
                        help="also write the table and the summary to FILE (Markdown)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    name = "tiny" if args.tiny else "small" if args.small else "default"
    size = dict(SIZES[name])
    if args.scale is not None:
        size["scale"] = args.scale
    if args.chromosomes:
        size["chromosomes"] = args.chromosomes.split(",")
        unknown = [c for c in size["chromosomes"] if c not in workload.GRCH38]
        if unknown:
            print(f"not GRCh38 chromosomes: {', '.join(unknown)}", file=sys.stderr)
            return 2
    cold = size["cold"] if args.cold is None else args.cold
    ncores = floors.cores()
    began = time.perf_counter()
    tag = (f"scale-{size['scale']:g}" + ("" if size["chromosomes"] is None else
                                         "-" + "-".join(size["chromosomes"])))
    workdir = Path(args.workdir).resolve() / tag
    workdir.mkdir(parents=True, exist_ok=True)

    env_note = describe_env(*user_env()[1:], extra_names=(
        "PYTHONPATH for ours (this checkout and its site-packages, started with python -S)",
        "NUMBA_CACHE_DIR for the first-run rows"))
    log(env_note)
    log(f"workload: scale 1/{size['scale']:g} in {workdir / 'input'} ...")
    t0 = time.perf_counter()
    paths = workload.generate(workdir / "input", scale=size["scale"],
                              chromosomes=size["chromosomes"])
    sizes = workload.chromosome_sizes(size["scale"])
    if size["chromosomes"] is not None:
        sizes = {c: sizes[c] for c in size["chromosomes"]}
    total_bp = sum(sizes.values())
    budget_mb = 1.5 * max(sizes.values()) * 4 / 2 ** 20 + 300
    log(f"  ready in {time.perf_counter() - t0:.0f} s")

    ours_impl = Implementation.ours()
    ref_impl = None
    if args.reference or args.reference_only:
        ref_impl = Implementation.reference(reference_env(args.reference_env, log))
    mask_path = workdir / "mask.bed"

    def make_mask(archive):
        if not mask_path.exists():
            write_mask(mask_path, supercontigs_of(archive), total_bp)
        return mask_path

    plan = read_plan(sizes, size)
    plan_path = workdir / "read-plan.json"
    plan_path.write_text(json.dumps(plan))

    # the reference: measured once per workload, then reused (it takes hours: its load-seq
    # backtracks in a regular expression for minutes at every gap of >= 100 kbp)
    ref = ref_reads = ref_runner = None
    ref_cache = workdir / "reference" / "results.json"
    if ref_impl is not None:
        ref_runner = Runner(ref_impl, workdir)
        if ref_cache.exists() and not args.rerun_reference:
            cached = json.loads(ref_cache.read_text())
            ref, ref_reads = cached["phases"], cached["reads"]
            log(f"reference: measurements of {cached['date']} reused from {ref_cache} "
                "(--rerun-reference to measure again)")
        else:
            log("reference phases (genomedata 1.7.4) ...")
            progress = Progress(workdir / "reference" / "progress.json",
                                resume=not args.rerun_reference)
            ref = run_phases(ref_runner, paths, workdir / "reference", make_mask, TRACKS,
                             full_load=args.reference_load, progress=progress)
            if ref.get("close-data"):
                if "reads" in progress.done:
                    ref_reads = progress.done["reads"]
                else:
                    progress.start("reads")
                    ref_reads = run_reads(ref_runner, workdir / "reference" / "stepwise.gd",
                                          plan_path)
                    progress.finish("reads", ref_reads)
            if not ref_runner.failures:
                ref_cache.write_text(json.dumps(
                    {"date": time.strftime("%Y-%m-%d %H:%M"), "phases": ref,
                     "reads": ref_reads}, indent=1))
    if args.reference_only:
        rows = phase_rows(ref or {}, None, paths, None, ncores)
        rows += read_rows(ref_reads, None, plan)
        print("genomedata 1.7.4 alone:\n\n" + table(rows, False))
        return 1 if ref_runner.failures else 0

    # compile (or load from the cache) every kernel before anything is timed (not for
    # --tiny: its figures mean nothing, it only shows that every phase runs)
    if size["warm"]:
        log("warming up (untimed) ...")
        warm_up(ours_impl, workdir.parent)

    log("phases ...")
    runner = Runner(ours_impl, workdir)
    ours = run_phases(runner, paths, workdir / "ours", make_mask, TRACKS)
    stepwise = workdir / "ours" / "stepwise.gd"
    log("reads ...")
    reads = run_reads(runner, stepwise, plan_path) if ours.get("close-data") else None
    peers = None
    if ours.get("close-data"):
        log("the same reads from bigWig files (pyBigWig, pybigtools) ...")
        peers = run_peers(runner, stepwise, plan, workdir)

    comparison_lines = []
    if ref is not None and ref.get("close-data"):
        ref_stepwise = workdir / "reference" / "stepwise.gd"
        log("comparing archives value by value ...")
        pairs = [("loaded archives", stepwise, ref_stepwise, plan_path)]
        if ours.get("hardmask") and ref.get("hardmask"):
            masked_plan = workdir / "read-plan-mask.json"
            masked_plan.write_text(json.dumps(mask_plan(plan, mask_path)))
            pairs.append(("hardmasked archives", workdir / "ours" / "hardmask.gd",
                          workdir / "reference" / "hardmask.gd", masked_plan))
        for label, mine, theirs, this_plan in pairs:
            a = workdir / f"values-ours-{label.split()[0]}.npz"
            b = workdir / f"values-ref-{label.split()[0]}.npz"
            if not Path(theirs).exists():
                comparison_lines.append(f"{label}: the reference's archive is gone "
                                        "(--rerun-reference)")
            elif dump_values(ours_impl, mine, this_plan, a) and \
                    dump_values(ref_impl, theirs, this_plan, b):
                summary = compare_dumps(a, b)
                state = "SAME VALUES" if summary["ok"] else "DIFFERENT"
                comparison_lines.append(f"{label}: {state}")
                comparison_lines += ["  " + line for line in describe_comparison(summary)]
            else:
                comparison_lines.append(f"{label}: could not be compared (see above)")

    log("floors ...")
    inputs = [paths["fasta"]] + [paths[key] for key in TRACKS.values()]
    raw = floors.raw_read(inputs)
    floor_table = None
    if ours.get("close-data"):
        sample, fraction, full_mb = floors.chunk_sample(stepwise, list(TRACKS),
                                                        size["floor_mb"])
        nchunks = sum(len(v) for v in sample.values())
        floor_table = floors.deflate_floors(sample, fraction, ncores)
        del sample
        chunks_note = (f"timed on {nchunks:,} chunks ({fraction:.0%} of those stored), "
                       "scaled to all")

    compile_lines = None
    compile_table = []
    if cold:
        log("first-run compilation ...")
        compile_table = compile_rows(workdir.parent)
        if len(compile_table) == 2:
            compile_lines = (f"JIT: first run {compile_table[0].wall:.1f} s with an empty "
                             f"numba cache, {compile_table[1].wall:.1f} s once cached "
                             f"(compilation ~{compile_table[0].wall - compile_table[1].wall:.0f}"
                             " s, paid once per install)")

    rows = phase_rows(ours, ref, paths, floor_table, ncores)
    rows_by_key = {"load": next((r for r in rows if r.phase.startswith("load, all")), None)}
    rows += read_rows(reads, ref_reads, plan)
    rows += peer_rows(peers, plan)
    if floor_table is not None:
        rows += floor_rows(raw, floor_table, fraction, full_mb, chunks_note, ncores)
    if compile_table:
        rows.append(section("first-run JIT compilation"))
        rows += compile_table
    elif not cold:
        rows.append(Row("first-run JIT compilation", note="not measured (use --cold)"))

    header = (f"workload: GRCh38 / {size['scale']:g}"
              + ("" if size["chromosomes"] is None else f" ({', '.join(size['chromosomes'])})")
              + f", {total_bp / 1e6:.0f} Mbp, 5 tracks; {ncores} cores, "
              f"{platform.python_implementation()} {platform.python_version()}, "
              f"{platform.machine()}")
    text = [header, "", env_note, "", table(rows, ref is not None), ""]
    text.append("x floor: wall time / the same work's floor (load-data and load: ISA-L level-1 "
                f"deflate of the track chunks on {ncores} cores; close-data: ISA-L inflate of "
                f"all chunks on {ncores} cores)")
    summary = targets(rows_by_key, ours, ref, reads, ref_reads, budget_mb, compile_lines)
    text += ["", "Performance contract:"] + [f"- {line}" for line in summary]
    agreement = peer_agreement(peers)
    if agreement:
        text += ["", "The peers' files and values:"] + [f"- {line}" for line in agreement]
    if comparison_lines:
        text += ["", "Archives compared with genomedata 1.7.4's:"] + \
            [f"- {line}" if not line.startswith("  ") else f"  - {line.strip()}"
             for line in comparison_lines]
    failures = runner.failures + (ref_runner.failures if ref_runner else [])
    if failures:
        text += ["", "FAILED: " + ", ".join(failures)]
    text.append("")
    text.append(f"(benchmark wall time {time.perf_counter() - began:.0f} s)")
    output = "\n".join(text)
    print(output, flush=True)
    if args.results:
        command = "python -m benchmarks" + "".join(
            f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
        Path(args.results).write_text(f"# Benchmark results\n\n`{command}`\n\n{output}\n")
    (workdir / "ours" / "hardmask.gd").unlink(missing_ok=True)
    return 1 if runner.failures else 0


if __name__ == "__main__":
    sys.exit(main())
