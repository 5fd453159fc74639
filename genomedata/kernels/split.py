"""A kernel that splits signal text (bedGraph / WIG) into per-chromosome byte ranges, for loads
whose chromosomes are parsed by different processes.

``chromosome_ranges(buf)`` walks the lines once, looking only at what decides a line's
chromosome (a WIG header's ``chrom=``, a bedGraph line's first column), and returns the maximal
runs of lines of one chromosome.  Every range starts at a line where the parser's state does not
depend on what came before: a WIG header line, or a bedGraph line outside any WIG block.  So
parsing each range on its own (``genomedata.kernels.parse.scan`` from a fresh state) gives the
values, and the errors, that parsing the whole input in file order gives for those lines.
Numbers are not read: a malformed data line is found when its range is parsed.

The grammar is that of ``genomedata.kernels.parse``: blank and ``#`` lines belong to the range
they stand in, ``track``/``browser`` lines end a WIG block, a WIG header starts one.
"""

from __future__ import annotations

import numpy as np

from ._bytes import equal_bytes, is_delim, next_line
from ._jit import helper, kernel
from ._tables import grow_rows
from .parse import (_LINE_FIXED, _LINE_OTHER, _LINE_SKIP, _LINE_VARIABLE, _W_FIXED,
                    _W_VARIABLE, OK, _line_content, _line_keyword, _parse_header)

# columns of the range table (int64, one row per range, in file order)
RANGE_START = 0      # byte offset of the range's first line
RANGE_END = 1        # byte offset just after its last line
RANGE_LINE = 2       # 1-based line number of its first line
RANGE_CHROM_OFF = 3  # byte offset of its chromosome name (header value or first column)
RANGE_CHROM_LEN = 4  # its length in bytes
RANGE_NLINES = 5     # data lines in the range
RANGE_NCOLS = 6


@helper
def _plain_data_start(c):
    """Whether a line starting with byte ``c`` can only be a data line (not blank, a comment,
    a track/browser line or a WIG header: those go the careful way)."""
    return not (c == 116 or c == 98 or c == 102 or c == 118 or c == 32 or c == 9
                or c == 13 or c == 10 or c == 35)     # t b f v space TAB CR LF #


@kernel
def chromosome_ranges(buf):
    """The per-chromosome ranges of the signal text ``buf`` (uint8[:]).

    Returns ``(status, err_offset, ranges)``: ``status`` is ``parse.OK``, or the parse error
    of a malformed WIG header (at ``err_offset``; the caller parses the input to report it);
    ``ranges`` is int64 ``(nranges, RANGE_NCOLS)``."""
    n = buf.shape[0]
    ranges = np.empty((16, RANGE_NCOLS), dtype=np.int64)
    nr = 0
    wig = False                # inside a WIG block
    line = np.int64(1)
    pos = np.int64(0)
    coff = np.int64(0)         # the open range's chromosome name, and its data lines
    clen = np.int64(-1)
    count = np.int64(0)
    while pos < n:
        # the common lines first: data lines of the open range's chromosome
        if wig:
            while pos < n and _plain_data_start(buf[pos]):
                pos = next_line(buf, pos, n)
                line += 1
                count += 1
        elif clen > 0:
            while (pos + clen < n and _plain_data_start(buf[pos])
                   and (buf[pos + clen] == 9 or buf[pos + clen] == 32)
                   and equal_bytes(buf, pos, coff, clen)):
                pos = next_line(buf, pos + clen, n)
                line += 1
                count += 1
        if pos >= n:
            break
        p, skip = _line_content(buf, pos, n)
        if p >= n:
            break
        if skip >= 0:
            pos = skip
            line += 1
            continue
        kw = _LINE_OTHER
        c = buf[p]
        if c == 116 or c == 98 or c == 102 or c == 118:   # t b f v
            kw = _line_keyword(buf, p, n)
        if kw == _LINE_SKIP:
            wig = False
            pos = next_line(buf, p, n)
            line += 1
            continue
        if kw == _LINE_FIXED or kw == _LINE_VARIABLE:
            fixed = kw == _LINE_FIXED
            word = _W_FIXED.shape[0] if fixed else _W_VARIABLE.shape[0]
            st, eoff, off, length, _, _, _, q = _parse_header(buf, p + word, n, pos, fixed)
            if st != OK:
                return st, eoff, ranges[:nr]
            wig = True
            data = 0
        elif wig:
            pos = next_line(buf, p, n)
            line += 1
            count += 1
            continue
        else:
            off = p
            q = p
            while q < n and not is_delim(buf[q]):
                q += 1
            length = q - p
            q = next_line(buf, q, n)
            data = 1
        if clen != length or not equal_bytes(buf, coff, off, length):
            if nr > 0:
                ranges[nr - 1, RANGE_END] = pos
                ranges[nr - 1, RANGE_NLINES] = count
            if nr == ranges.shape[0]:
                ranges = grow_rows(ranges, nr)
            ranges[nr, RANGE_START] = pos
            ranges[nr, RANGE_LINE] = line
            ranges[nr, RANGE_CHROM_OFF] = off
            ranges[nr, RANGE_CHROM_LEN] = length
            nr += 1
            coff = off
            clen = length
            count = 0
        count += data
        pos = q
        line += 1
    if nr > 0:
        ranges[nr - 1, RANGE_END] = n
        ranges[nr - 1, RANGE_NLINES] = count
    return OK, np.int64(0), ranges[:nr]
