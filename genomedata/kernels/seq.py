"""Kernels for sequence loading: FASTA block scanning, line-end removal, gap finding.

All kernels take ``uint8`` arrays (bytes of the input or of a chromosome's sequence) and return
integers or ``int64`` arrays; none of them allocates more than its result.
"""

from __future__ import annotations

import numpy as np
from numba import njit

NEWLINE = 10        # "\n"
CARRIAGE_RETURN = 13  # "\r"
SPACE = 32
TAB = 9
GREATER_THAN = 62   # ">"


def _unambiguous_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.bool_)
    for char in b"ACGTacgt":
        table[char] = True
    return table


UNAMBIGUOUS = _unambiguous_table()


@njit(cache=True, nogil=True)
def _is_blank(byte) -> bool:
    return byte == SPACE or byte == TAB or byte == CARRIAGE_RETURN


@njit(cache=True, nogil=True)
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
            while out > line_start and (dst[out - 1] == SPACE or dst[out - 1] == TAB):
                out -= 1
            line_start = out
        elif byte != CARRIAGE_RETURN:
            dst[out] = byte
            out += 1
    while out > line_start and (dst[out - 1] == SPACE or dst[out - 1] == TAB):
        out -= 1
    return out


DASH = 45           # "-"


@njit(cache=True, nogil=True)
def find_non_sequence(buf):
    """Index of the first byte of FASTA sequence lines ``buf`` that is not a sequence
    character -- a letter (IUPAC codes, any case) or ``-`` -- nor a line end (LF, CR) nor a
    blank (space, TAB) that only blanks follow up to the line's end; -1 if there is none.
    The end of ``buf`` counts as a line end."""
    n = buf.shape[0]
    i = 0
    while i < n:
        byte = buf[i]
        letter = byte | 32
        if (97 <= letter <= 122) or byte == DASH or byte == NEWLINE or byte == CARRIAGE_RETURN:
            i += 1
        elif byte == SPACE or byte == TAB:
            j = i + 1
            while j < n and (buf[j] == SPACE or buf[j] == TAB or buf[j] == CARRIAGE_RETURN):
                j += 1
            if j < n and buf[j] != NEWLINE:
                return i
            i = j
        else:
            return i
    return -1


@njit(cache=True, nogil=True)
def find_non_ascii(buf):
    """Index of the first byte >= 128 in ``buf``, or -1."""
    for i in range(buf.shape[0]):
        if buf[i] >= 128:
            return i
    return -1


@njit(cache=True, nogil=True)
def find_non_blank(buf):
    """Index of the first byte of ``buf`` that is not a space, TAB, CR or LF, or -1."""
    for i in range(buf.shape[0]):
        byte = buf[i]
        if not (byte == SPACE or byte == TAB or byte == CARRIAGE_RETURN or byte == NEWLINE):
            return i
    return -1


@njit(cache=True, nogil=True)
def find_byte(buf, start, byte):
    """Index of the first ``byte`` in ``buf[start:]``, or -1."""
    for i in range(max(start, 0), buf.shape[0]):
        if buf[i] == byte:
            return i
    return -1


@njit(cache=True, nogil=True)
def rfind_byte(buf, byte):
    """Index of the last ``byte`` in ``buf``, or -1."""
    for i in range(buf.shape[0] - 1, -1, -1):
        if buf[i] == byte:
            return i
    return -1


@njit(cache=True, nogil=True)
def rfind_non_blank(buf):
    """Index of the last byte of ``buf`` that is not a space, TAB or CR, or -1."""
    for i in range(buf.shape[0] - 1, -1, -1):
        if not _is_blank(buf[i]):
            return i
    return -1


@njit(cache=True, nogil=True)
def count_byte(buf, byte):
    """Number of occurrences of ``byte`` in ``buf``."""
    count = 0
    for i in range(buf.shape[0]):
        if buf[i] == byte:
            count += 1
    return count


@njit(cache=True, nogil=True)
def _starts_line(buf, i, at_line_start):
    if i == 0:
        return at_line_start
    return buf[i - 1] == NEWLINE


@njit(cache=True, nogil=True)
def count_line_starts_with(buf, byte, at_line_start):
    """Number of lines of ``buf`` that begin with ``byte``: positions ``i`` with
    ``buf[i] == byte`` and ``buf[i - 1] == "\\n"`` (for ``i == 0``: when ``at_line_start``)."""
    count = 0
    for i in range(buf.shape[0]):
        if buf[i] == byte and _starts_line(buf, i, at_line_start):
            count += 1
    return count


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
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
