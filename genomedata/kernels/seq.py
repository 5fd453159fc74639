"""Kernels for sequence loading: FASTA block scanning, line-end removal, gap finding.

All kernels take ``uint8`` arrays (bytes of the input or of a chromosome's sequence) and return
integers or ``int64`` arrays; none of them allocates more than its result.
"""

from __future__ import annotations

import numpy as np

from ._bytes import (CARRIAGE_RETURN, MINUS, NEWLINE, is_blank, is_blank_or_cr, is_delim,
                     lower)
from ._bytes import GREATER_THAN  # noqa: F401  (a FASTA record starts with it; for callers)
from ._jit import kernel

_LOWER_A = ord("a")
_LOWER_Z = ord("z")


def _unambiguous_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.bool_)
    for char in b"ACGTacgt":
        table[char] = True
    return table


UNAMBIGUOUS = _unambiguous_table()


@kernel
def compact_sequence(src, dst, dst_start):
    """Copy the FASTA sequence lines ``src`` to ``dst[dst_start:]`` without their line ends.

    ``\\n`` and ``\\r`` bytes are dropped, and so are blanks (space, TAB) at the end of each
    line, as the reference's per-line ``rstrip`` does; every other byte is kept verbatim.  The
    end of ``src`` counts as a line end.  ``dst`` must have room for ``len(src)`` bytes after
    ``dst_start``; ``dst`` may be ``src`` itself (in-place compaction, ``dst_start`` 0).
    Returns the index in ``dst`` after the last byte written.
    """
    out = dst_start
    line_start = dst_start
    for i in range(src.shape[0]):
        byte = src[i]
        if byte == NEWLINE:
            while out > line_start and is_blank(dst[out - 1]):
                out -= 1
            line_start = out
        elif byte != CARRIAGE_RETURN:
            dst[out] = byte
            out += 1
    while out > line_start and is_blank(dst[out - 1]):
        out -= 1
    return out


@kernel
def find_non_sequence(buf):
    """Index of the first byte of FASTA sequence lines ``buf`` that is not a sequence
    character -- a letter (IUPAC codes, any case) or ``-`` -- nor a line end (LF, CR) nor a
    blank (space, TAB) that only blanks follow up to the line's end; -1 if there is none.
    The end of ``buf`` counts as a line end."""
    n = buf.shape[0]
    i = 0
    while i < n:
        byte = buf[i]
        letter = lower(byte)
        if (_LOWER_A <= letter <= _LOWER_Z) or byte == MINUS or byte == NEWLINE or byte == CARRIAGE_RETURN:
            i += 1
        elif is_blank(byte):
            j = i + 1
            while j < n and is_blank_or_cr(buf[j]):
                j += 1
            if j < n and buf[j] != NEWLINE:
                return i
            i = j
        else:
            return i
    return -1


@kernel
def find_non_blank(buf):
    """Index of the first byte of ``buf`` that is not a space, TAB, CR or LF, or -1."""
    for i in range(buf.shape[0]):
        byte = buf[i]
        if not is_delim(byte):
            return i
    return -1


@kernel
def find_byte(buf, start, byte):
    """Index of the first ``byte`` in ``buf[start:]``, or -1."""
    for i in range(max(start, 0), buf.shape[0]):
        if buf[i] == byte:
            return i
    return -1


@kernel
def rfind_byte(buf, byte):
    """Index of the last ``byte`` in ``buf``, or -1."""
    for i in range(buf.shape[0] - 1, -1, -1):
        if buf[i] == byte:
            return i
    return -1


@kernel
def rfind_non_blank(buf):
    """Index of the last byte of ``buf`` that is not a space, TAB or CR, or -1."""
    for i in range(buf.shape[0] - 1, -1, -1):
        if not is_blank_or_cr(buf[i]):
            return i
    return -1


@kernel
def count_byte(buf, byte):
    """Number of occurrences of ``byte`` in ``buf``."""
    count = 0
    for i in range(buf.shape[0]):
        if buf[i] == byte:
            count += 1
    return count


@kernel
def _starts_line(buf, i, at_line_start):
    if i == 0:
        return at_line_start
    return buf[i - 1] == NEWLINE


@kernel
def count_line_starts_with(buf, byte, at_line_start):
    """Number of lines of ``buf`` that begin with ``byte``: positions ``i`` with
    ``buf[i] == byte`` and ``buf[i - 1] == "\\n"`` (for ``i == 0``: when ``at_line_start``)."""
    count = 0
    for i in range(buf.shape[0]):
        if buf[i] == byte and _starts_line(buf, i, at_line_start):
            count += 1
    return count


@kernel
def line_starts_with(buf, byte, at_line_start):
    """Positions of the lines of ``buf`` that begin with ``byte`` (see
    :func:`count_line_starts_with`), as an int64 array."""
    result = np.empty(count_line_starts_with(buf, byte, at_line_start), dtype=np.int64)
    k = 0
    for i in range(buf.shape[0]):
        if buf[i] == byte and _starts_line(buf, i, at_line_start):
            result[k] = i
            k += 1
    return result


@kernel
def find_supercontigs(seq, min_gap, unambiguous):
    """Supercontigs of a chromosome's sequence: ``(starts, ends)`` as int64 arrays.

    A gap is a maximal run of at least ``min_gap`` (clamped to >= 1) bytes for which
    ``unambiguous[byte]`` is false; the supercontigs are the non-empty stretches between gaps
    and the sequence ends, in order.  A sequence that is one gap has no supercontig.
    """
    min_gap = max(min_gap, 1)
    n = seq.shape[0]
    capacity = n // min_gap + 2
    starts = np.empty(capacity, dtype=np.int64)
    ends = np.empty(capacity, dtype=np.int64)
    count = 0
    contig_start = 0   # start of the current stretch between gaps
    run_start = -1     # start of the current run of ambiguous bytes, -1 outside one
    for i in range(n):
        if unambiguous[seq[i]]:
            if run_start >= 0:
                if i - run_start >= min_gap:
                    if run_start > contig_start:
                        starts[count] = contig_start
                        ends[count] = run_start
                        count += 1
                    contig_start = i
                run_start = -1
        elif run_start < 0:
            run_start = i
    if run_start >= 0 and n - run_start >= min_gap:
        if run_start > contig_start:
            starts[count] = contig_start
            ends[count] = run_start
            count += 1
    elif n > contig_start:
        starts[count] = contig_start
        ends[count] = n
        count += 1
    return starts[:count].copy(), ends[:count].copy()


def supercontig_bounds(seq, min_gap) -> tuple[np.ndarray, np.ndarray]:
    """:func:`find_supercontigs` with the ACGTacgt alphabet of unambiguous bases."""
    return find_supercontigs(np.ascontiguousarray(seq, dtype=np.uint8), int(min_gap),
                             UNAMBIGUOUS)
