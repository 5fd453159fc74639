"""Region files (BED, 3 or more columns; gzip allowed) as sorted-by-input arrays per chromosome.

Used by ``--maskfile``: the scanning is a kernel; Python only touches one item per run of
lines of the same chromosome.
"""

from __future__ import annotations

import numpy as np

from ._util import InputError


def line_of_offset(data: np.ndarray, offset: int) -> int:
    """1-based line number of a byte offset."""
    return int(np.count_nonzero(data[:max(0, offset)] == 10)) + 1


def parse_regions_buffer(data: np.ndarray, name: str) -> dict:
    from .kernels.regions import OK, REGION_MESSAGES, scan_bed_regions
    status, offset, run_off, run_len, run_first, starts, ends = scan_bed_regions(data)
    if status != OK:
        raise InputError(name, line_of_offset(data, offset), REGION_MESSAGES[status])
    pieces = {}
    raw = data.tobytes() if len(run_off) > 1000 else None
    for r in range(len(run_off)):
        lo, ln = int(run_off[r]), int(run_len[r])
        name_bytes = raw[lo:lo + ln] if raw is not None else data[lo:lo + ln].tobytes()
        try:
            chrom = name_bytes.decode("ascii")
        except UnicodeDecodeError:
            raise InputError(name, line_of_offset(data, lo),
                             "chromosome name is not ASCII") from None
        pieces.setdefault(chrom, []).append((int(run_first[r]), int(run_first[r + 1])))
    regions = {}
    for chrom, spans in pieces.items():
        regions[chrom] = (np.concatenate([starts[a:b] for a, b in spans]),
                          np.concatenate([ends[a:b] for a, b in spans]))
    return regions


def parse_regions(path) -> dict:
    """{chrom: (starts, ends)} int64 arrays of a BED file (3+ columns)."""
    from ._input import describe, open_signal
    with open_signal(path) as buffer:
        return parse_regions_buffer(buffer.data, describe(path))
