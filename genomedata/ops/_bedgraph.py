"""bedGraph text and runs of equal values, shared by ``export`` and ``query``.

:func:`format_values` gives each float32 its shortest text that reads back as the same float32;
:func:`bedgraph_lines` writes ``chrom<TAB>start<TAB>end<TAB>value...`` lines (one value column
per track) with the kernels of :mod:`genomedata.kernels.runs`; :func:`row_runs` finds the runs
of equal rows of a block of one or several tracks with the same kernels, and
:class:`RunJoiner` joins the runs of consecutive blocks.
"""

from __future__ import annotations

import numpy as np

from ..archive import layout as _layout

_PRECISIONS = (6, 7, 8, 9)  # %.9g always reads back as the same float32


def _reads_back(text, values) -> np.ndarray:
    return text.astype(np.float64).astype(np.float32) == values


def format_values(values) -> np.ndarray:
    """The shortest ``%.Pg`` text (6 <= P <= 9) of each float32 in ``values`` that reads back
    as the same float32 through a double (``float32(float(text))``), as a numpy bytes array.
    ``%g`` drops trailing zeros, so P = 6 also gives every value with fewer digits its
    shortest text; ``%.9g`` always reads back."""
    values = np.asarray(values, dtype=np.float32)
    wide = values.astype(np.float64)
    text = np.char.mod("%.6g", wide).astype("U16")
    pending = np.flatnonzero(~_reads_back(text, values))
    for precision in _PRECISIONS[1:]:
        if not len(pending):
            break
        attempt = np.char.mod(f"%.{precision}g", wide[pending])
        text[pending] = attempt
        pending = pending[~_reads_back(attempt, values[pending])]
    # in exponent form a larger P can be shorter (6.710886e+07 vs 67108860): try them all
    exponent = np.flatnonzero(np.char.find(text, "e") >= 0)
    if len(exponent):
        best = text[exponent]
        for precision in _PRECISIONS:
            attempt = np.char.mod(f"%.{precision}g", wide[exponent])
            better = (_reads_back(attempt, values[exponent])
                      & (np.char.str_len(attempt) < np.char.str_len(best)))
            best[better] = attempt[better]
        text[exponent] = best
    return np.char.encode(text, "ascii")


def bedgraph_lines(chrom: str, starts, ends, values) -> np.ndarray:
    """bedGraph text (uint8 array) of intervals ``starts``/``ends`` (int64) with float32
    ``values`` on ``chrom``: 1-D for one value column, ``(intervals, tracks)`` for one column
    per track (NaN written ``nan``)."""
    from ..kernels.runs import distinct_codes, format_bedgraph
    if not len(starts):
        return np.zeros(0, dtype=np.uint8)
    # distinct bit patterns, so that -0.0 and 0.0 keep their own text
    bits = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32)
    if bits.ndim == 1:
        distinct, codes = distinct_codes(bits)
        texts = format_values(distinct.view(np.float32))
    else:   # several tracks: the text of each distinct row, its values joined by TABs
        distinct, codes = np.unique(bits, axis=0, return_inverse=True)
        codes = np.ascontiguousarray(codes.reshape(-1), dtype=np.int64)
        texts = format_values(np.ascontiguousarray(distinct[:, 0]).view(np.float32))
        for column in range(1, distinct.shape[1]):
            texts = np.char.add(np.char.add(texts, b"\t"), format_values(
                np.ascontiguousarray(distinct[:, column]).view(np.float32)))
    lengths = np.char.str_len(texts).astype(np.int64)
    width = int(lengths.max())
    table = np.frombuffer(texts.astype(f"S{width}").tobytes(), dtype=np.uint8).reshape(
        len(texts), width)
    name = np.frombuffer(chrom.encode(_layout.GENOMEDATA_ENCODING), dtype=np.uint8)
    return format_bedgraph(name, np.ascontiguousarray(starts, dtype=np.int64),
                           np.ascontiguousarray(ends, dtype=np.int64),
                           codes, table, lengths)


# ------------------------------------------------------------------------------------------------
# Runs

_MAX_ROWS = 1 << 24   # run numbers are exact in float32 up to here


def row_runs(block):
    """``(starts, ends, values)`` of the runs of equal rows of ``block`` (float32,
    ``(rows, tracks)``): offsets into the block (half-open) and each run's row
    (``(runs, tracks)``).  Rows equal where every track's values are equal (NaN equal to NaN);
    rows that are NaN in every track are in no run."""
    from ..kernels.runs import find_runs
    block = np.asarray(block, dtype=np.float32)
    if block.shape[1] == 1:
        starts, ends, values = find_runs(np.ascontiguousarray(block[:, 0]))
        return starts, ends, values.reshape(-1, 1)
    if len(block) > _MAX_ROWS:
        raise ValueError(f"row_runs takes at most {_MAX_ROWS} rows at a time")
    missing = np.isnan(block)
    same = (block[1:] == block[:-1]) | (missing[1:] & missing[:-1])
    # each row's run number; NaN for a row without any value, so that find_runs skips it
    number = np.zeros(len(block), dtype=np.float32)
    np.cumsum(~same.all(axis=1), out=number[1:])
    number[missing.all(axis=1)] = np.nan
    starts, ends, _ = find_runs(number)
    return starts, ends, block[starts]


class RunJoiner:
    """Joins the runs of consecutive blocks: the last run of a block is held back until the
    next block shows whether it goes on (same row, touching positions)."""

    def __init__(self, emit):
        self.emit = emit   # emit(starts, ends, values) of finished runs
        self.pending = None   # (start, end, row)

    def add(self, pos, starts, ends, values):
        if not len(starts):
            return
        starts = starts + pos
        ends = ends + pos
        if self.pending is not None:
            start, end, row = self.pending
            if end == starts[0] and _same_row(row, values[0]):
                starts[0] = start
                values = values.copy()
                values[0] = row
            else:
                starts = np.concatenate(([start], starts))
                ends = np.concatenate(([end], ends))
                values = np.concatenate((row[None, :], values))
        self.pending = (int(starts[-1]), int(ends[-1]), values[-1].copy())
        if len(starts) > 1:
            self.emit(starts[:-1], ends[:-1], values[:-1])

    def flush(self):
        if self.pending is not None:
            start, end, row = self.pending
            self.pending = None
            self.emit(np.array([start], dtype=np.int64), np.array([end], dtype=np.int64),
                      row[None, :])


def _same_row(one, other) -> bool:
    return bool(np.all((one == other) | (np.isnan(one) & np.isnan(other))))
