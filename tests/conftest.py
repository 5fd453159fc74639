"""Shared fixtures.

* ``refdata`` -- the reference data directory (../shared/ref-data); tests skip when absent.
* ``make_archive`` -- build a small archive with h5py through ``genomedata.archive``.

Before the first test, every kernel is compiled into the numba cache (as ``genomedata
compile`` does), so that no command run by a test prints the first-run "compiling" notice:
tests compare whole messages, and which test would run a kernel first depends on the order.
The first run itself is tested with caches of its own (tests/kernels/test_kernel_cache.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from genomedata.archive import layout as _layout
from genomedata.archive import files as _files

REFDATA = Path(__file__).resolve().parents[2] / "shared" / "ref-data"


@pytest.fixture(scope="session", autouse=True)
def compiled_kernels(request):
    """Every kernel compiled (or loaded from the cache) once, before any test runs; not when
    only kernel tests run (they call kernels directly and compare no command's messages)."""
    if all(item.get_closest_marker("kernels") for item in request.session.items):
        return
    from genomedata.ops.compile import compile_kernels
    compile_kernels()


@pytest.fixture
def refdata() -> Path:
    """The reference data directory (never write into it: copy files to tmp_path first)."""
    if not REFDATA.is_dir():
        pytest.skip(f"reference data not found at {REFDATA}")
    return REFDATA


def _statistics(data: np.ndarray):
    """close-data statistics of a chromosome's supercontig rows (finite values only)."""
    ntracks = data.shape[1]
    finite = np.isfinite(data)
    mins = np.full(ntracks, np.inf)
    maxs = np.full(ntracks, -np.inf)
    sums = np.zeros(ntracks)
    squares = np.zeros(ntracks)
    counts = np.zeros(ntracks, dtype=np.int64)
    for col in range(ntracks):
        values = data[finite[:, col], col].astype(np.float64)
        if len(values):
            mins[col], maxs[col] = values.min(), values.max()
            sums[col], squares[col] = values.sum(), np.square(values).sum()
            counts[col] = len(values)
    return mins, maxs, sums, squares, counts


def build_archive(path, supercontigs, *, kind="file", tracknames=(), values=None, seq=None,
                  ends=None, closed=True, chunk_rows=_layout.DEFAULT_CHUNK_ROWS,
                  format_version=_layout.FORMAT_VERSION):
    """Write an archive at ``path`` (see ``make_archive``) and return ``path``."""
    values = values or {}
    seq = seq or {}
    ends = ends or {}
    files = _files.create_archive(path, kind)
    try:
        for chrom, bounds in supercontigs.items():
            end = ends.get(chrom, max((e for _, e in bounds), default=0))
            group = files.create_chromosome(chrom, end)
            if kind == "directory" and format_version != _layout.FORMAT_VERSION:
                _layout.write_format_version(group, format_version)
            chrom_values = values.get(chrom)
            if chrom_values is not None:
                chrom_values = np.asarray(chrom_values, dtype=np.float32).reshape(
                    end, len(tracknames))
            chrom_seq = seq.get(chrom)
            if isinstance(chrom_seq, str):
                chrom_seq = chrom_seq.encode("ascii")
            for i, (start, stop) in enumerate(sorted(bounds)):
                sc = _layout.create_supercontig(group, i, start, stop)
                if chrom_seq is not None:
                    dataset = _layout.create_seq(sc, stop - start)
                    dataset[...] = np.frombuffer(chrom_seq[start:stop], dtype=np.uint8)
                if tracknames:
                    dataset = _layout.create_continuous(sc, stop - start, len(tracknames),
                                                        chunk_rows=chunk_rows)
                    if chrom_values is not None:
                        block = chrom_values[start:stop]
                        # leave chunks that are all NaN unwritten, as the loaders do
                        for lo in range(0, stop - start, chunk_rows):
                            hi = min(lo + chunk_rows, stop - start)
                            for col in range(len(tracknames)):
                                part = block[lo:hi, col]
                                if not np.isnan(part).all():
                                    dataset[lo:hi, col] = part
            if tracknames and closed:
                rows = np.zeros((0, len(tracknames)), dtype=np.float32)
                if chrom_values is not None:
                    rows = np.concatenate([chrom_values[s:e] for s, e in bounds] or [rows])
                _layout.write_statistics(group, *_statistics(rows))
            if closed:
                _layout.write_dirty(group, False)
        roots = files.roots()
        for root in roots:
            if tracknames:
                _layout.write_tracknames(root, list(tracknames))
            if kind == "file" and format_version != _layout.FORMAT_VERSION:
                _layout.write_format_version(root, format_version)
    finally:
        files.close()
    return path


def model_values(supercontigs, ends, ntracks, pad, seed) -> dict:
    """Seeded model data of an archive: {chrom: float32 array (ends[chrom] + pad, ntracks)}
    of values rounded to 3 decimals inside the supercontigs, NaN in the gaps between them and
    in the ``pad`` rows past the chromosome's end (what reads there give).  Build the archive
    from ``{chrom: values[:ends[chrom]]}``."""
    rng = np.random.default_rng(seed)
    values = {}
    for chrom, bounds in supercontigs.items():
        data = np.full((ends[chrom] + pad, ntracks), np.nan, dtype=np.float32)
        for start, stop in bounds:
            data[start:stop] = rng.normal(size=(stop - start, ntracks)).round(3)
        values[chrom] = data
    return values


@pytest.fixture
def make_archive(tmp_path):
    """``make_archive(supercontigs, *, kind="file", tracknames=(), values=None, seq=None,
    ends=None, closed=True, chunk_rows=10000, format_version=1, name="archive")`` -> Path.

    ``supercontigs``: {chrom: [(start, end), ...]}; ``values``: {chrom: array (end, ntracks)}
    (rows outside supercontigs ignored; all-NaN chunks left unwritten); ``seq``: {chrom: str
    of the chromosome's length}; ``ends``: {chrom: chromosome end} (default: last supercontig
    end).  ``closed`` writes close-data statistics (numpy, finite values) and dirty=False;
    otherwise the archive is left dirty as after loading."""
    counter = iter(range(10 ** 6))

    def make(supercontigs, *, name=None, **kwargs):
        path = tmp_path / (name or f"archive{next(counter)}")
        return build_archive(path, supercontigs, **kwargs)

    return make


@pytest.fixture(scope="session")
def archive_builder():
    """``build_archive(path, supercontigs, **options)`` for fixtures of wider scope than a
    test (same options as ``make_archive``)."""
    return build_archive


def run_cli(*argv) -> int:
    """Run ``genomedata ARGV...`` through the dispatcher; returns the exit status."""
    from genomedata.commands.main import main
    return main([str(arg) for arg in argv])


def file_hashes(path) -> dict:
    """{file: sha256} of an archive (a file, or every file of a directory archive)."""
    import hashlib
    import os
    path = str(path)
    files = [path] if os.path.isfile(path) else sorted(
        os.path.join(path, name) for name in os.listdir(path))
    return {f: hashlib.sha256(open(f, "rb").read()).hexdigest() for f in files}
