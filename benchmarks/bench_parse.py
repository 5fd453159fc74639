"""Throughput of the signal-text parser kernels (genomedata.kernels.parse).

Generates ~100 MB of genome-like bedGraph and fixedStep text in memory, then times ``scan``
(pass 1, validation) and ``fill_segments`` (pass 2, values into a float32 chromosome buffer)
and prints MB/s per format, next to two floors measured on the same buffer:
``np.frombuffer(buf, uint8).sum()`` and a newline count ``np.count_nonzero(buf == 10)``.

    python benchmarks/bench_parse.py [--mb 100] [--repeat 3]

The first run after installation includes JIT compilation (excluded from the timings: every
kernel is run once on a small input first).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from genomedata.kernels import parse as P  # noqa: E402


def _values(rng, count):
    """Signal-like values: phyloP-style 3-decimal scores, some integers."""
    vals = np.round(rng.normal(0.3, 1.2, count), 3)
    vals[rng.random(count) < 0.2] = 0
    return vals


def make_bedgraph(target_bytes, rng, fmt="g"):
    lines_needed = target_bytes // 28 + 1
    chroms = []
    total = 0
    pieces = []
    chrom_index = 1
    while total < target_bytes:
        count = min(lines_needed, 2_000_000)
        lengths = rng.integers(1, 60, count)
        ends = np.cumsum(lengths) + 10_000
        starts = ends - lengths
        vals = _values(rng, count)
        name = f"chr{chrom_index}"
        if fmt != "g":
            vals = rng.normal(0, 10, count)
        text = "".join(f"{name}\t{s}\t{e}\t{v:{fmt}}\n"
                       for s, e, v in zip(starts.tolist(), ends.tolist(), vals.tolist()))
        data = text.encode()
        pieces.append(data)
        total += len(data)
        chroms.append((name, int(ends[-1])))
        chrom_index += 1
    return b"".join(pieces), chroms


def make_fixedstep(target_bytes, rng):
    pieces = []
    total = 0
    chroms = []
    chrom_index = 1
    while total < target_bytes:
        count = 3_000_000
        vals = _values(rng, count)
        name = f"chr{chrom_index}"
        header = f"fixedStep chrom={name} start=10001 step=1\n"
        body = "\n".join(f"{v:g}" for v in vals.tolist()) + "\n"
        data = (header + body).encode()
        pieces.append(data)
        total += len(data)
        chroms.append((name, 10_000 + count))
        chrom_index += 1
    return b"".join(pieces), chroms


def _best(func, repeat):
    best = float("inf")
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - t0)
    return best, result


def bench(label, data, chroms, repeat):
    buf = np.frombuffer(data, dtype=np.uint8)
    mb = len(data) / 1e6
    t_sum, _ = _best(lambda: buf.sum(), repeat)
    t_nl, _ = _best(lambda: np.count_nonzero(buf == 10), repeat)
    t_scan, res = _best(lambda: P.scan(buf), repeat)
    status, _off, _info, segs, chrom_table, hard = res
    assert status == P.OK, status
    hard_values = np.array([float(bytes(buf[o:o + n])) for o, n in hard], dtype=np.float64)
    buffers = {}
    index = {}
    for cid in range(len(chrom_table)):
        index[cid] = np.flatnonzero(segs[:, P.SEG_CHROM] == cid)
    for cid, (_name, size) in enumerate(chroms):
        buffers[cid] = np.full(size, np.nan, dtype=np.float32)

    def fill_all():
        counters = np.zeros(P.NCOUNTERS, dtype=np.int64)
        for cid, idx in index.items():
            P.fill_segments(buf, segs, idx, buffers[cid], hard_values, counters)
        return counters

    t_fill, counters = _best(fill_all, repeat)
    lines = int(counters[P.COUNT_LINES])
    print(f"{label:10s} {mb:7.1f} MB {lines:>10d} lines  "
          f"scan {mb / t_scan:7.0f} MB/s  fill {mb / t_fill:7.0f} MB/s  |  "
          f"floors: sum {mb / t_sum:6.0f} MB/s, newline count {mb / t_nl:6.0f} MB/s  |  "
          f"scan/newline-count {t_scan / t_nl:4.1f}x, fill/newline-count {t_fill / t_nl:4.1f}x")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100.0, help="input size per format (MB)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--all", action="store_true",
                        help="also bedGraph with 6 and 17 significant digits per value")
    args = parser.parse_args(argv)
    target = int(args.mb * 1e6)

    # compile (or load from cache) outside the timings
    warm = np.frombuffer(b"chr1 0 1 0.5\nfixedStep chrom=c start=1\n1\n", dtype=np.uint8)
    _, _, _, segs, _, _ = P.scan(warm)
    P.fill_segments(warm, segs, np.arange(len(segs)), np.zeros(10, np.float32),
                    np.zeros(0), np.zeros(P.NCOUNTERS, np.int64))

    rng = np.random.default_rng(1)
    print("generating input ...", file=sys.stderr)
    bed, bed_chroms = make_bedgraph(target, rng)
    fixed, fixed_chroms = make_fixedstep(target, rng)
    bench("bedGraph", bed, bed_chroms, args.repeat)
    bench("fixedStep", fixed, fixed_chroms, args.repeat)
    del bed, fixed
    if args.all:
        # values with 6 significant digits (bedtools / deepTools style) and 17 (repr of doubles)
        bed6, bed6_chroms = make_bedgraph(target, rng, ".6g")
        bench("bedGraph6", bed6, bed6_chroms, args.repeat)
        del bed6
        bed17, bed17_chroms = make_bedgraph(target, rng, ".17g")
        bench("bedGraph17", bed17, bed17_chroms, args.repeat)


if __name__ == "__main__":
    main()
