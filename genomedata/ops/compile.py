"""``genomedata compile``: every kernel compiled (or loaded from the cache) ahead of time.

Every command's code runs once on tiny generated inputs in a temporary folder, so that the
kernels get the argument types real runs give them, and later commands start at once.  This
module runs every operation: it is the one module of ``ops`` that imports the others.
"""

from __future__ import annotations

import gzip
import io
import os
import tempfile
import time
import warnings
from dataclasses import dataclass

import numpy as np

from .. import _jit, _progress
from ..api.genome import Genome
from ..errors import InputError
from ..inputs.ranges import split_signal
from ..inputs.regions import parse_hardmask_option, read_bed_regions
from ..inputs.sequence import SequenceBuffer, count_fasta_records, iter_fasta_records
from .close_data import close_data
from .erase_data import erase_data
from .export import export_track
from .hardmask import hardmask_data, write_regions
from .load import build_archive
from .load_data import load_data
from .load_seq import load_seq
from .open_data import open_data
from .query import query_region
from .summaries import histogram, report
from .summarize import summarize
from .validate import validate


@dataclass
class CompileSummary:
    """What :func:`compile_kernels` did: ``seconds`` in all, of which ``compiling`` were
    spent compiling (0 when every kernel came from the cache)."""

    seconds: float
    compiling: float


def compile_kernels() -> CompileSummary:
    """Compile every kernel (or load it from the cache) by running each command's library
    code once on tiny generated inputs in a temporary folder, so that later commands start
    at once.

    >>> from genomedata.ops.compile import compile_kernels
    >>> summary = compile_kernels()
    >>> summary.seconds >= summary.compiling >= 0
    True
    """
    began = time.perf_counter()
    compiled_before = _jit.compile_seconds()
    with tempfile.TemporaryDirectory(prefix="genomedata-compile-") as folder:
        steps = _workload(folder)
        with _progress.task("compiling kernels", total=len(steps)) as task:
            for step in steps:
                # the workload's own messages (an overwrite warning, its progress) are not
                # the user's business: only this bar is shown
                with _progress.reporting(_progress.QUIET):
                    step()
                task.advance()
    return CompileSummary(time.perf_counter() - began, _jit.compile_seconds() - compiled_before)


def _workload(folder):
    """The steps of :func:`compile_kernels`: every command's code on small inputs written
    into ``folder`` (the steps run in order; later ones use what earlier ones built)."""
    def path(name):
        return os.path.join(folder, name)

    rng = np.random.default_rng(0)
    bases = np.frombuffer(b"ACGTacgt", np.uint8)
    chr_a = (bases[rng.integers(0, 8, 2000)].tobytes() + b"N" * 100_000
             + bases[rng.integers(0, 8, 3000)].tobytes())
    chr_b = bases[rng.integers(0, 8, 2500)].tobytes()
    with open(path("a.fa"), "wb") as out:
        out.write(b">chrA\n" + b"\n".join(chr_a[i:i + 60] for i in range(0, len(chr_a), 60))
                  + b"\n")
    with gzip.open(path("b.fa.gz"), "wb") as out:
        out.write(b">chrB first\n" + chr_b + b"\n")
    with open(path("genome.sizes"), "w") as out:
        out.write(f"chrA\t{len(chr_a)}\nchrB\t{len(chr_b)}\n")
    with open(path("signal.bedGraph"), "w") as out:
        out.write("track type=bedGraph\n")
        out.writelines(f"chrA\t{s}\t{s + 25}\t{v:.3f}\n"
                       for s, v in zip(range(0, 2000, 25), rng.normal(size=80)))
        out.writelines(f"chrB {s} {s + 10} {v:.6g}\n"
                       for s, v in zip(range(0, 2500, 50), rng.normal(size=50) * 1e-30))
    with gzip.open(path("signal.bedGraph.gz"), "wt") as out:
        out.write(open(path("signal.bedGraph")).read())
    with open(path("signal.wig"), "w") as out:
        out.write("fixedStep chrom=chrA start=101 step=1\n")
        out.writelines(f"{v:.2f}\n" for v in rng.normal(size=300))
        out.write("variableStep chrom=chrB span=5\n")
        out.writelines(f"{p} {v:.1f}\n" for p, v in zip(range(1, 2000, 40), rng.random(50)))
    with open(path("mask.bed"), "w") as out:
        out.write("chrA\t10\t50\tpeak\t0.2\nchrA\t100400\t100500\tgap\t0.1\n"
                  "chrB\t0\t20\tx\t0.9\n")
    with open(path("mask.wig"), "w") as out:
        out.write("variableStep chrom=chrA\n5 0.1\n6 0.7\n")
    archive, steps_archive = path("load.genomedata"), path("steps.genomedata")
    tracks = [("bed", path("signal.bedGraph")), ("wig", path("signal.wig")),
              ("gz", path("signal.bedGraph.gz"))]

    def load():
        build_archive(archive, tracks, [path("a.fa"), path("b.fa.gz")], "file",
                      maskfilename=path("mask.bed"))
        for name in ("signal.bedGraph", "signal.wig"):     # a load spread over processes
            split_signal(path(name), name)

    def sequence_blocks():
        # lines longer than the block a FASTA file is read in (chromosome-sized lines), and
        # the mistakes FASTA readers report
        names = [path("a.fa"), path("b.fa.gz")]
        count_fasta_records(names, block_size=16)
        for _ in iter_fasta_records(names, SequenceBuffer(), block_size=16):
            pass
        for mistake in (b"ACGT\n>chrA\nACGT\n", b">chrA\nAC\xc3\xa9GT\n"):
            with open(path("bad.fa"), "wb") as out:
                out.write(mistake)
            try:
                for _ in iter_fasta_records([path("bad.fa")], SequenceBuffer()):
                    pass
            except InputError:
                pass

    def step_by_step():
        load_seq(steps_archive, [path("genome.sizes")], True, "dir", seqfile_type="sizes")
        load_seq(path("counted.genomedata"), [path("a.fa"), path("b.fa.gz")])
        open_data(steps_archive, ["t", "u"], chunk_size=1000)
        load_data(steps_archive, "t", path("signal.bedGraph"))
        load_data(steps_archive, "t", path("signal.wig"), maskfile=path("mask.bed"))
        load_data(steps_archive, "u", path("signal.wig"))
        close_data(steps_archive)

    def masks():
        dry = hardmask_data(steps_archive, path("mask.bed"), ["t"],
                            parse_hardmask_option("lt0.5"), dry_run=True)
        write_regions(dry, io.BytesIO())
        for mask in ("mask.bed", "mask.wig"):      # a Python predicate, as in genomedata 1.7
            hardmask_data(steps_archive, path(mask), ["u"], lambda x: x > 0.5, dry_run=True)
        hardmask_data(steps_archive, path("mask.wig"), None, parse_hardmask_option("gt0.5"))
        hardmask_data(steps_archive, path("mask.bed"), ["u"])
        erase_data(steps_archive, ["u"])
        close_data(steps_archive)

    def readers():
        for fmt in ("bigwig", "bedgraph", "bedgraph.gz"):
            export_track(archive, "bed", path(f"out.{fmt}"), fmt=fmt)
        histogram(archive, "wig", 10)
        histogram(archive, "bed", 10, include_coords=path("mask.bed"))
        report(archive)
        validate(archive)
        # BED regions, the summary kernels, the table writer (summarize and query)
        summarize(archive, path("mask.bed")).write_tsv(io.BytesIO())
        query_region(archive, ("chrA", 0, 10), output=io.BytesIO())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Genome(archive) as genome:
                chromosome = genome["chrA"]
                chromosome[0:3000]
                chromosome[100, "wig"]
                chromosome.seq[0:100]
                for stat in ("mean", "min", "max", "sum", "coverage"):
                    chromosome.binned(0, 3000, 7, stat)
                genome.stackup(["chrA", "chrB"], [0, 0], [1000, 1000], 4, track="bed")
                genome.read_regions(["chrA", "chrB"], [0, 0], [1000, 1000])
            with Genome(path("out.bigwig")) as bigwig:
                bigwig["chrA"][0:100]
                bigwig["chrA"].binned(0, 1000, 4)

    return [load, sequence_blocks, step_by_step, masks, readers]
