"""Floors measured in the same run as the phases: what no loader can beat on this machine.

* :func:`raw_read` -- reading the input files once (``readinto`` a reused buffer);
* :func:`chunk_sample` + :func:`deflate_floors` -- compressing the archive's own track chunks
  (float32, byte-shuffled as stored) with ISA-L level 1 and zlib level 1, on 1 core and on all
  cores, and inflating them again.  A uniform random sample of the stored chunks (same fraction
  for every track) is timed and the time scaled up to all chunks, so that the floors stay
  cheap at genome scale; the fraction is reported.
"""

from __future__ import annotations

import os
import time
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np

BATCH = 16  # chunks per task on the thread pool (as the writer batches them)


def cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def raw_read(paths, block=16 << 20) -> dict:
    """Seconds to read every file once into a reused buffer (page cache warm: memory speed)."""
    buffer = bytearray(block)
    view = memoryview(buffer)
    total = 0
    began = time.perf_counter()
    for path in paths:
        with open(path, "rb", buffering=0) as handle:
            while True:
                count = handle.readinto(view)
                if not count:
                    break
                total += count
    return {"wall": time.perf_counter() - began, "mb": total / 1e6}


def chunk_sample(archive, tracks, max_mb: float, seed: int = 5):
    """A uniform sample of the stored ``continuous`` chunks of ``archive`` (single file or
    directory), per track: ``{track: [shuffled chunk bytes, ...]}``, with the sampled
    fraction and the raw MB of all stored chunks per track."""
    import h5py
    from isal import isal_zlib

    paths = ([os.path.join(archive, name) for name in sorted(os.listdir(archive))
              if name.endswith(".genomedata")] if os.path.isdir(archive) else [archive])
    coords = {track: [] for track in tracks}  # (file index, dataset name, chunk coord)
    chunk_bytes = None
    for findex, path in enumerate(paths):
        with h5py.File(path, "r") as handle:
            names = [n.decode() if isinstance(n, bytes) else str(n)
                     for n in handle.attrs["tracknames"]]
            columns = {names.index(track): track for track in tracks if track in names}

            def visit(name, obj):
                if not (isinstance(obj, h5py.Dataset) and name.endswith("continuous")):
                    return
                found = []
                obj.id.chunk_iter(lambda info: found.append(info.chunk_offset))
                for row, col in found:
                    if col in columns:
                        coords[columns[col]].append((findex, name, (row, col)))

            handle.visititems(visit)
            if chunk_bytes is None:
                for track in tracks:
                    if coords[track]:
                        _, name, _ = coords[track][0]
                        chunk_bytes = 4 * handle[name].chunks[0]
                        break
    chunk_bytes = chunk_bytes or 40000
    total = sum(len(v) for v in coords.values())
    fraction = min(1.0, max_mb * 1e6 / max(1, total * chunk_bytes))
    rng = np.random.default_rng(seed)
    sample = {}
    full_mb = {}
    handles = {}
    try:
        for track in tracks:
            items = coords[track]
            full_mb[track] = len(items) * chunk_bytes / 1e6
            count = int(round(len(items) * fraction))
            picks = sorted(rng.choice(len(items), count, replace=False)) if count else []
            chunks = []
            for k in picks:
                findex, name, coord = items[k]
                if findex not in handles:
                    handles[findex] = h5py.File(paths[findex], "r")
                dataset = handles[findex][name]
                mask, raw = dataset.id.read_direct_chunk(coord)
                data = isal_zlib.decompress(raw) if not mask & 2 else raw
                chunks.append(bytes(data))
            sample[track] = chunks
    finally:
        for handle in handles.values():
            handle.close()
    return sample, fraction, full_mb


def _run(function, chunks, threads) -> float:
    batches = [chunks[i:i + BATCH] for i in range(0, len(chunks), BATCH)]

    def work(batch):
        for chunk in batch:
            function(chunk)

    began = time.perf_counter()
    if threads == 1:
        for batch in batches:
            work(batch)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(work, batches))
    return time.perf_counter() - began


def deflate_floors(sample, fraction, threads=None) -> dict:
    """Seconds (scaled to all stored chunks) per codec, thread count and track:
    ``{(codec, threads): {"all": s, track: s, ...}}`` with codecs ``isal``, ``zlib`` (level-1
    compression) and ``isal-inflate``, ``zlib-inflate``."""
    from isal import isal_zlib

    threads = threads or cores()
    scale = 1.0 / fraction if fraction > 0 else 0.0
    compressed = {track: [isal_zlib.compress(c, 1) for c in chunks]
                  for track, chunks in sample.items()}
    codecs = {
        "isal": (lambda c: isal_zlib.compress(c, 1), sample),
        "zlib": (lambda c: zlib.compress(c, 1), sample),
        "isal-inflate": (isal_zlib.decompress, compressed),
        "zlib-inflate": (zlib.decompress, compressed),
    }
    results = {}
    for codec, (function, data) in codecs.items():
        for count in sorted({1, threads}):
            row = {}
            for track, chunks in data.items():
                row[track] = _run(function, chunks, count) * scale if chunks else 0.0
            row["all"] = sum(row.values())
            results[(codec, count)] = row
    return results
