"""Signal text input: bedGraph / BED3+1 and WIG (fixedStep, variableStep) in one buffer.

The Python side of the parser kernels in ``genomedata.kernels.parse`` (see that module for the
grammar and the error codes).  ``parse_signal(buf, filename)`` checks the whole input (pass 1,
``scan``) and raises ``InputError(filename, line, message)`` on the first problem; the returned
``ParsedSignal`` then fills one chromosome's float32 buffer at a time (pass 2, ``fill``).

Python loops only over segments (runs of data lines of one chromosome) and distinct chromosome
names, never over lines.  numba is imported only when ``parse_signal`` runs.
"""

from __future__ import annotations

import numpy as np

from ._util import InputError

_CHUNK = 1 << 24          # bytes per step when counting newlines before an error
_TOKEN_SHOWN = 40         # longest token quoted in a message


def _as_uint8(buf) -> np.ndarray:
    """A read-only, C-contiguous uint8 view of ``buf`` (bytes-like or numpy array), no copy
    when possible (one kernel specialization for all callers)."""
    if isinstance(buf, np.ndarray):
        arr = buf
        if arr.dtype != np.uint8:
            arr = arr.view(np.uint8) if arr.flags.c_contiguous else np.ascontiguousarray(
                arr).view(np.uint8)
        arr = np.ascontiguousarray(arr.reshape(-1))
    else:
        arr = np.frombuffer(buf, dtype=np.uint8)
    view = arr.view()
    view.flags.writeable = False
    return view


def line_number(arr: np.ndarray, offset: int) -> int:
    """1-based number of the line holding byte ``offset`` (newlines counted before it)."""
    offset = max(0, min(int(offset), arr.shape[0]))
    count = 0
    for lo in range(0, offset, _CHUNK):
        hi = min(offset, lo + _CHUNK)
        count += int(np.count_nonzero(arr[lo:hi] == 10))
    return count + 1


def _line_at(arr: np.ndarray, offset: int, limit: int = 4096) -> bytes:
    """The first ``limit`` bytes of the line holding byte ``offset`` (without its line end)."""
    offset = max(0, min(int(offset), arr.shape[0]))
    start = 0
    hi = offset
    while hi > 0:
        lo = max(0, hi - 65536)
        pos = bytes(arr[lo:hi]).rfind(b"\n")
        if pos >= 0:
            start = lo + pos + 1
            break
        hi = lo
    return bytes(arr[start:start + limit]).split(b"\n", 1)[0].rstrip(b"\r")


def _show(raw: bytes) -> str:
    """Bytes quoted in a message: printable ASCII as is, anything else as \\xNN."""
    shown = raw[:_TOKEN_SHOWN]
    text = "".join(chr(b) if 32 <= b < 127 else f"\\x{b:02x}" for b in shown)
    return text + ("..." if len(raw) > _TOKEN_SHOWN else "")


def _token_at(arr: np.ndarray, offset: int) -> bytes:
    end = min(arr.shape[0], offset + 4 * _TOKEN_SHOWN)
    raw = bytes(arr[offset:end])
    for i, b in enumerate(raw):
        if b in (9, 10, 13, 32):
            return raw[:i]
    return raw


def error_message(arr: np.ndarray, status: int, offset: int, info: int) -> str:
    """The message for a ``scan`` status (see ``parse.MESSAGES``)."""
    from .kernels import parse as kp

    template = kp.MESSAGES.get(status, kp.MESSAGES[kp.ERR_INTERNAL])
    token = _token_at(arr, offset)
    line = _line_at(arr, offset)
    words = line.split()
    header = _show(words[0]) if words else ""
    key = token.split(b"=", 1)[0]
    start = end = ""
    if status == kp.ERR_START_AFTER_END and len(words) >= 3:
        start, end = _show(words[1]), _show(words[2])
    fields = f"{info} field" if info == 1 else f"{info} fields"
    return template.format(token=_show(token), key=_show(key), header=header, info=info,
                           fields=fields, start=start, end=end)


class ParsedSignal:
    """A checked signal input: segments of data lines per chromosome, ready to fill.

    ``segments`` is the int64 table of ``parse.scan`` (columns ``parse.SEG_*``); chromosome
    names are ASCII ``str``.  Thread-safe for filling different buffers (the kernel releases
    the GIL).
    """

    def __init__(self, arr, filename, segments, chrom_names, hard_values):
        self.buf = arr
        self.filename = filename
        self.segments = segments
        self.hard_values = hard_values
        self._names = list(chrom_names)
        from .kernels import parse as kp
        self._kp = kp
        seg_chrom = segments[:, kp.SEG_CHROM]
        order = np.argsort(seg_chrom, kind="stable")
        bounds = np.searchsorted(seg_chrom[order], np.arange(len(self._names) + 1))
        self._by_chrom = {name: order[bounds[i]:bounds[i + 1]]
                          for i, name in enumerate(self._names)}

    def chromosomes(self) -> list[str]:
        """Chromosome names in order of first appearance (including WIG headers without
        data lines)."""
        return list(self._names)

    def segments_by_chrom(self) -> dict[str, np.ndarray]:
        """{chromosome: int64 array of its segment indices, in file order}."""
        return dict(self._by_chrom)

    @property
    def nlines(self) -> int:
        """Number of data lines in the whole input."""
        return int(self.segments[:, self._kp.SEG_NLINES].sum())

    def lines_of(self, chrom: str) -> int:
        """Number of data lines of ``chrom`` (0 for a chromosome not in the input)."""
        idx = self._by_chrom.get(chrom)
        if idx is None:
            return 0
        return int(self.segments[idx, self._kp.SEG_NLINES].sum())

    def extent(self, chrom: str) -> tuple[int, int]:
        """(smallest 0-based start, largest end) of the non-empty intervals of ``chrom``;
        (0, 0) when it has none."""
        kp = self._kp
        idx = self._by_chrom.get(chrom)
        if idx is None or len(idx) == 0:
            return 0, 0
        lo = int(self.segments[idx, kp.SEG_MIN_START].min())
        hi = int(self.segments[idx, kp.SEG_MAX_END].max())
        return (0, 0) if hi == 0 else (lo, hi)

    def fill_chromosome(self, chrom: str, buffer: np.ndarray) -> np.ndarray:
        """Write the values of ``chrom`` into ``buffer`` (float32, 0-based positions
        ``[0, len(buffer))``), segment by segment in file order (later lines overwrite earlier
        ones); positions at or beyond the end are dropped.

        Returns int64 counters ``[data lines, bases written, bases dropped beyond the end,
        next hard-token index]`` (``parse.COUNT_*``)."""
        kp = self._kp
        if not isinstance(buffer, np.ndarray) or buffer.dtype != np.float32 or buffer.ndim != 1:
            raise TypeError("buffer must be a one-dimensional float32 numpy array")
        idx = self._by_chrom[chrom]
        counters = np.zeros(kp.NCOUNTERS, dtype=np.int64)
        status = kp.fill_segments(self.buf, self.segments, idx, buffer, self.hard_values,
                                  counters)
        if status != kp.FILL_OK:
            raise RuntimeError(f"{self.filename}: internal parser error {status} while filling "
                               f"{chrom} (please report this as a bug)")
        return counters


def parse_signal(buf, filename) -> ParsedSignal:
    """Check the whole signal text ``buf`` (bytes-like or uint8 array) and return its
    structure; raise ``InputError(filename, line, message)`` on the first malformed line."""
    from .kernels import parse as kp

    arr = _as_uint8(buf)
    status, err_off, err_info, segments, chroms, hard = kp.scan(arr)
    if status != kp.OK:
        raise InputError(filename, line_number(arr, err_off),
                         error_message(arr, int(status), int(err_off), int(err_info)))
    names = []
    for off, length in chroms.tolist():
        raw = bytes(arr[off:off + length])
        try:
            names.append(raw.decode("ascii"))
        except UnicodeDecodeError:
            raise InputError(filename, line_number(arr, off),
                             f"chromosome name is not ASCII: '{_show(raw)}'") from None
    hard_values = np.array([float(bytes(arr[off:off + length]))
                            for off, length in hard.tolist()], dtype=np.float64)
    return ParsedSignal(arr, filename, segments, names, hard_values)
