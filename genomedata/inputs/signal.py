"""Signal text: bedGraph / BED3+1 and WIG (fixedStep, variableStep) in one buffer.

The Python side of the parser kernels in ``genomedata.kernels.parse`` (see that module for the
grammar and the error codes).  ``parse_signal(buf, filename)`` checks the whole input (pass 1,
``scan``) and raises ``InputError(filename, line, message)`` on the first problem; the returned
``ParsedSignal`` then fills one chromosome's float32 buffer at a time (pass 2, ``fill``).
Loading scans with ``check=False`` instead: the first pass finds only the structure (where the
data lines are, their coordinates) and every value is read once, checked as it is filled.

Python loops only over segments (runs of data lines of one chromosome) and distinct chromosome
names, never over lines.  numba is imported only when ``parse_signal`` runs.
"""

from __future__ import annotations

import numpy as np

from .._threads import default_threads
from ..errors import InputError

_CHUNK = 1 << 24          # bytes per step when counting newlines before an error
WINDOW = 1 << 25          # bytes of input scanned per kernel call
FILL_BATCH = 1 << 23      # bytes of input (whole segments) filled per kernel call
PARALLEL_FILL_MIN = 1 << 24  # a chromosome with this much text is filled by two threads
PARALLEL_MIN = 1 << 26    # inputs this large are scanned by several threads
HEADER_SEARCH = 1 << 22   # how far a thread's start is moved to reach a WIG header line
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
    from ..kernels import parse as kp

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

    def __init__(self, arr, filename, segments, chrom_names, hard_values, release=None,
                 checked=True):
        self.buf = arr
        self.filename = filename
        self.segments = segments
        self.hard_values = hard_values
        self.checked = checked
        self._release = release
        self._names = list(chrom_names)
        from ..kernels import parse as kp
        self._kp = kp
        seg_chrom = segments[:, kp.SEG_CHROM]
        # segments grouped by chromosome, in file order within each (an input may name
        # hundreds of thousands of chromosomes: no Python object per chromosome here)
        self._order = np.argsort(seg_chrom, kind="stable")
        self._bounds = np.searchsorted(seg_chrom[self._order],
                                       np.arange(len(self._names) + 1))
        self._ids = None

    def chromosomes(self) -> list[str]:
        """Chromosome names in order of first appearance (including WIG headers without
        data lines)."""
        return list(self._names)

    def _segments_of(self, chrom: str):
        """int64 array of the segment indices of ``chrom`` in file order (None for a
        chromosome not in the input)."""
        if self._ids is None:
            self._ids = {name: i for i, name in enumerate(self._names)}
        i = self._ids.get(chrom)
        if i is None:
            return None
        return self._order[self._bounds[i]:self._bounds[i + 1]]

    def segments_by_chrom(self) -> dict[str, np.ndarray]:
        """{chromosome: int64 array of its segment indices, in file order}."""
        return {name: self._segments_of(name) for name in self._names}

    @property
    def nlines(self) -> int:
        """Number of data lines in the whole input."""
        return int(self.segments[:, self._kp.SEG_NLINES].sum())

    def lines_by_chromosome(self) -> dict[str, int]:
        """{chromosome: its number of data lines}, counted in one pass over the segments
        (an input may name hundreds of thousands of chromosomes)."""
        kp = self._kp
        counts = np.bincount(self.segments[:, kp.SEG_CHROM],
                             weights=self.segments[:, kp.SEG_NLINES],
                             minlength=len(self._names))
        return dict(zip(self._names, counts.astype(np.int64).tolist()))

    def lines_of(self, chrom: str) -> int:
        """Number of data lines of ``chrom`` (0 for a chromosome not in the input)."""
        idx = self._segments_of(chrom)
        if idx is None:
            return 0
        return int(self.segments[idx, self._kp.SEG_NLINES].sum())

    def extent(self, chrom: str) -> tuple[int, int]:
        """(smallest 0-based start, largest end) of the non-empty intervals of ``chrom``;
        (0, 0) when it has none."""
        kp = self._kp
        idx = self._segments_of(chrom)
        if idx is None or len(idx) == 0:
            return 0, 0
        lo = int(self.segments[idx, kp.SEG_MIN_START].min())
        hi = int(self.segments[idx, kp.SEG_MAX_END].max())
        return (0, 0) if hi == 0 else (lo, hi)

    def fill_chromosome(self, chrom: str, buffer: np.ndarray, progress=None,
                        threads: int = 1) -> np.ndarray:
        """Write the values of ``chrom`` into ``buffer`` (float32, 0-based positions
        ``[0, len(buffer))``), segment by segment in file order (later lines overwrite earlier
        ones); positions at or beyond the end are dropped.

        ``progress(position)``, when given, is called after each batch of segments with the
        position below which no later segment writes (the buffer is final there), so that the
        caller can use that part while the rest is filled.

        ``threads`` > 1: a chromosome with at least ``PARALLEL_FILL_MIN`` bytes of text whose
        segments split into a first and a second part that write disjoint positions (sorted
        input) has its second part filled by another thread at the same time; the result is
        the same.

        Returns int64 counters ``[data lines, bases written, bases dropped beyond the end,
        next hard-token index]`` (``parse.COUNT_*``)."""
        kp = self._kp
        if not isinstance(buffer, np.ndarray) or buffer.dtype != np.float32 or buffer.ndim != 1:
            raise TypeError("buffer must be a one-dimensional float32 numpy array")
        idx = self._segments_of(chrom)
        if idx is None:
            raise KeyError(chrom)
        segs = self.segments
        lowest = None
        if len(idx):
            # frontier after segment k: the lowest position any later segment writes
            lowest = np.minimum.accumulate(segs[idx, kp.SEG_MIN_START][::-1])[::-1]
        split = self._split(idx, lowest) if threads > 1 else None
        if split is None:
            counters = np.zeros(kp.NCOUNTERS, dtype=np.int64)
            self._fill_part(chrom, idx, 0, len(idx), buffer, lowest, counters, progress)
            return counters

        import queue
        import threading

        first = np.zeros(kp.NCOUNTERS, dtype=np.int64)
        second = np.zeros(kp.NCOUNTERS, dtype=np.int64)
        frontiers = queue.SimpleQueue()
        failure = []

        def fill_second():
            try:
                self._fill_part(chrom, idx, split, len(idx), buffer, lowest, second,
                                frontiers.put)
            except BaseException as exc:  # noqa: BLE001 - re-raised by the calling thread
                failure.append(exc)
            finally:
                frontiers.put(None)

        helper = threading.Thread(target=fill_second, name=f"fill-{chrom}", daemon=True)
        helper.start()
        try:
            self._fill_part(chrom, idx, 0, split, buffer, lowest, first, progress)
        finally:
            helper.join()
        if failure:
            raise failure[0]
        # the second part's frontiers hold now that the first part is complete
        while (frontier := frontiers.get()) is not None:
            if progress is not None:
                progress(frontier)
        counters = first + second
        counters[kp.COUNT_HARD_NEXT] = second[kp.COUNT_HARD_NEXT]
        return counters

    def _split(self, idx, lowest):
        """Where ``idx`` splits into two parts of similar size writing disjoint positions
        (every position the first part writes lies below every position of the second), or
        None."""
        kp = self._kp
        if len(idx) < 2:
            return None
        sizes = self.segments[idx, kp.SEG_DATA_END] - self.segments[idx, kp.SEG_DATA_START]
        total = int(sizes.sum())
        if total < PARALLEL_FILL_MIN:
            return None
        highest = np.maximum.accumulate(self.segments[idx, kp.SEG_MAX_END])
        # k splits idx[:k] | idx[k:] when the first part ends at or before the second starts
        candidates = np.flatnonzero(highest[:-1] <= lowest[1:]) + 1
        if not len(candidates):
            return None
        before = np.cumsum(sizes)[candidates - 1]
        best = int(np.argmin(np.abs(before - total / 2)))
        if min(before[best], total - before[best]) < total // 4:
            return None
        return int(candidates[best])

    def _fill_part(self, chrom, idx, begin, end, buffer, lowest, counters, progress) -> None:
        """Fill segments ``idx[begin:end]`` in batches of about ``FILL_BATCH`` bytes of text
        (whose pages are released after filling, see parse_signal); ``progress(frontier)``
        after each batch."""
        kp = self._kp
        starts = self.segments[idx, kp.SEG_DATA_START]
        ends = self.segments[idx, kp.SEG_DATA_END]
        first = begin
        while first < end:
            last = first + 1
            size = ends[first] - starts[first]
            while last < end and size + ends[last] - starts[last] <= FILL_BATCH:
                size += ends[last] - starts[last]
                last += 1
            self._fill_batch(chrom, idx[first:last], buffer, counters)
            if self._release is not None:
                for lo, hi in zip(starts[first:last].tolist(), ends[first:last].tolist()):
                    self._release(lo, hi)
            if progress is not None:
                progress(min(int(lowest[last]), len(buffer)) if last < len(idx)
                         else len(buffer))
            first = last


    def _fill_batch(self, chrom, indices, buffer, counters) -> None:
        """``fill_segments`` of the segments ``indices``.  An input scanned without its values
        (``checked`` False) is checked here: its segments carry no hard tokens, so a batch
        that holds one -- or a malformed line -- stops; the batch is then checked in full
        (:meth:`_resolve`), which raises the input's first error, or gives the batch's hard
        tokens, and is filled again with them (the same lines write the same values)."""
        kp = self._kp
        if self.checked:
            status = kp.fill_segments(self.buf, self.segments, indices, buffer,
                                      self.hard_values, counters)
        else:
            before = counters.copy()
            status = kp.fill_segments(self.buf, self.segments, indices, buffer, _NO_HARD,
                                      counters)
            if status != kp.FILL_OK:
                counters[:] = before
                segments, hard_values = self._resolve(indices)
                status = kp.fill_segments(self.buf, segments,
                                          np.arange(len(indices), dtype=np.int64), buffer,
                                          hard_values, counters)
        if status != kp.FILL_OK:
            raise RuntimeError(f"{self.filename}: internal parser error {status} while "
                               f"filling {chrom} (please report this as a bug)")

    def _resolve(self, indices):
        """The segments ``indices`` checked line by line, value by value: ``(segments,
        hard values)`` for ``fill_segments`` over all of them, or ``InputError`` (the first
        error of the whole input, as a checking ``parse_signal`` reports it)."""
        kp = self._kp
        segments = self.segments[indices].copy()
        values = []
        for row in segments:
            ctx = kp.new_context()
            if row[kp.SEG_KIND] != kp.KIND_BED:
                ctx[kp.CTX_MODE] = row[kp.SEG_KIND]
                ctx[kp.CTX_CUR] = row[kp.SEG_START]
                ctx[kp.CTX_STEP] = row[kp.SEG_STEP]
                ctx[kp.CTX_SPAN] = row[kp.SEG_SPAN]
                ctx[kp.CTX_COFF] = row[kp.SEG_CHROM_OFF]
                ctx[kp.CTX_CLEN] = row[kp.SEG_CHROM_LEN]
                ctx[kp.CTX_LINE_OFF] = row[kp.SEG_LINE_OFF]
            status, _, _, _, _, hard = kp.scan_window(
                self.buf, row[kp.SEG_DATA_START], row[kp.SEG_DATA_END], ctx, True)
            if status != kp.OK:
                self.raise_first_error()
            row[kp.SEG_HARD_FIRST] = len(values)
            row[kp.SEG_HARD_COUNT] = len(hard)
            values.extend(float(bytes(self.buf[off:off + length]))
                          for off, length in hard.tolist())
        return segments, np.array(values, dtype=np.float64)

    def raise_first_error(self):
        """Raise the ``InputError`` of the first malformed line of the input."""
        parse_signal(self.buf, self.filename, release=self._release)
        raise RuntimeError(f"{self.filename}: internal parser error: a line failed to fill "
                           "but the input checks (please report this as a bug)")

    def check_chromosomes(self, names) -> None:
        """Check the data lines of the chromosomes ``names`` without writing anything (an
        input scanned without its values is otherwise checked as it is filled); raise the
        input's first error if one of them is malformed."""
        if self.checked:
            return
        kp = self._kp
        counters = np.zeros(kp.NCOUNTERS, dtype=np.int64)
        nothing = np.zeros(0, dtype=np.float32)
        for name in names:
            idx = self._segments_of(name)
            if idx is not None and len(idx):
                self._fill_part(name, idx, 0, len(idx), nothing, None, counters, None)


_NO_HARD = np.zeros(0, dtype=np.float64)


def _window_end(arr: np.ndarray, pos: int, window: int) -> int:
    """A line start about ``window`` bytes after ``pos`` (or the end of ``arr``)."""
    n = arr.shape[0]
    end = pos + window
    while end < n:
        newlines = np.flatnonzero(arr[end:end + 65536] == 10)
        if len(newlines):
            return end + int(newlines[0]) + 1
        end += 65536
    return n


def _scan_part(arr, lo, hi, ctx, window, release, check=True):
    """Scan ``arr[lo:hi]`` window by window from the parser state ``ctx`` (updated in place).
    Returns ``(windows, error)``: the kernel's tables per window, and ``(status, offset,
    info)`` of the first error (None if none)."""
    from ..kernels import parse as kp

    windows = []
    pos = lo
    while pos < hi:
        end = min(hi, _window_end(arr, pos, window))
        status, err_off, err_info, segments, chroms, hard = kp.scan_window(arr, pos, end, ctx,
                                                                            check)
        windows.append((segments, chroms, hard))
        if status != kp.OK:
            return windows, (int(status), int(err_off), int(err_info))
        if release is not None:
            release(pos, end)
        pos = end
    return windows, None


def _cut(arr: np.ndarray, nominal: int):
    """Where a second scanning thread may start near ``nominal``: ``(offset, exact)``.  A
    WIG header line resets the parser state completely, so a scan starting there is exact
    (``exact`` True); otherwise the next line start, where the state is only a guess (a
    bedGraph context), checked when the scan before it has finished."""
    n = arr.shape[0]
    text = arr[nominal:min(n, nominal + HEADER_SEARCH)].tobytes()
    found = [i for i in (text.find(b"\nfixedStep"), text.find(b"\nvariableStep")) if i >= 0]
    if found:
        return nominal + min(found) + 1, True
    return _window_end(arr, nominal, 0), False


def _names_at(arr: np.ndarray, chroms: np.ndarray) -> list:
    """The names at ``(offset, length)`` rows of ``chroms`` in ``arr``, decoded from ASCII
    all at once (a name that is not ASCII stays ``bytes``): an input may name hundreds of
    thousands of chromosomes.  A name never holds a newline: it separates them here."""
    if not len(chroms):
        return []
    offsets, lengths = chroms[:, 0], chroms[:, 1]
    ends = np.cumsum(lengths + 1)              # each name and a newline after it
    gather = np.repeat(offsets - (ends - lengths - 1), lengths + 1) + np.arange(ends[-1])
    blob = arr[np.minimum(gather, arr.shape[0] - 1)]
    blob[ends - 1] = 10
    text = blob.tobytes()
    try:
        return text.decode("ascii").split("\n")[:-1]
    except UnicodeDecodeError:
        raw = text.split(b"\n")[:-1]
        return [name.decode("ascii") if name.isascii() else name for name in raw]


def parse_signal(buf, filename, release=None, window: int = WINDOW,
                 threads=None, check: bool = True) -> ParsedSignal:
    """Check the whole signal text ``buf`` (bytes-like or uint8 array) and return its
    structure; raise ``InputError(filename, line, message)`` on the first malformed line.

    The text is scanned in windows of about ``window`` bytes (the kernel carries the parser
    state from one to the next, so the result does not depend on the windows); after each
    window, and after filling each batch of segments, ``release(lo, hi)`` (when given) may
    drop those bytes' pages from memory -- a memory-mapped input would otherwise become
    resident in full (see ``SignalBuffer.release``).

    An input of at least :data:`PARALLEL_MIN` bytes is split into ``threads`` parts (default:
    the available cores) scanned at the same time, each part starting at a WIG header line
    when one is near (the parser state does not depend on what came before it) or else
    assuming bedGraph context; a part whose assumption proves wrong once the part before it
    is scanned is scanned again from the right state, so the result is always that of one
    scan in file order.

    ``check`` False: the values are not read (a line's structure -- where data lines are,
    their coordinates -- is checked, a value only when it is filled): loading then parses
    every value once, filling while checking (:meth:`ParsedSignal.fill_chromosome` raises
    the input's first error, and :meth:`ParsedSignal.check_chromosomes` checks what is not
    filled)."""
    from ..kernels import parse as kp

    arr = _as_uint8(buf)
    n = arr.shape[0]
    window = max(1, int(window))
    if threads is None:
        threads = default_threads()
    parts = [(0, True)]
    if threads > 1 and n >= PARALLEL_MIN:
        for k in range(1, threads):
            cut = _cut(arr, n * k // threads)
            if parts[-1][0] < cut[0] < n:
                parts.append(cut)
    bounds = [(lo, parts[k + 1][0] if k + 1 < len(parts) else n, exact)
              for k, (lo, exact) in enumerate(parts)]
    contexts = [kp.new_context() for _ in bounds]
    if len(bounds) == 1:
        scans = [_scan_part(arr, 0, n, contexts[0], window, release, check)]
    else:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(len(bounds), thread_name_prefix="scan") as pool:
            futures = [pool.submit(_scan_part, arr, lo, hi, ctx, window, release, check)
                       for (lo, hi, _), ctx in zip(bounds, contexts)]
            scans = [future.result() for future in futures]

    ids = {}           # chromosome name -> global id
    names = []
    seg_parts = []
    hard_parts = []
    nhard = 0
    previous = None    # parser state at the end of the previous part
    bad_name = None    # the first non-ASCII chromosome name (reported after syntax errors)
    for (lo, hi, exact), ctx, (windows, error) in zip(bounds, contexts, scans):
        if previous is not None and not exact and previous[kp.CTX_MODE] != kp.KIND_BED:
            # this part began inside a WIG block: scan it again from the real state
            ctx = previous.copy()
            windows, error = _scan_part(arr, lo, hi, ctx, window, release, check)
        if error is not None:
            if not check:
                # a value before this line may be malformed too: the first error in file
                # order is the one a checking scan finds
                parse_signal(arr, filename, release, window, threads)
            status, err_off, err_info = error
            raise InputError(filename, line_number(arr, err_off),
                             error_message(arr, status, err_off, err_info))
        for segments, chroms, hard in windows:
            local = np.zeros(len(chroms), dtype=np.int64)
            for k, name in enumerate(_names_at(arr, chroms)):
                if isinstance(name, bytes):     # not ASCII
                    bad_name = bad_name or (int(chroms[k, 0]), name)
                    continue
                local[k] = ids.setdefault(name, len(ids))
                if local[k] == len(names):
                    names.append(name)
            if len(segments):
                segments[:, kp.SEG_CHROM] = local[segments[:, kp.SEG_CHROM]]
                segments[:, kp.SEG_HARD_FIRST] += nhard
                seg_parts.append(segments)
            if len(hard):
                hard_parts.append(hard)
                nhard += len(hard)
        previous = ctx
    if bad_name is not None:
        if not check:
            parse_signal(arr, filename, release, window, threads)
        off, raw = bad_name
        raise InputError(filename, line_number(arr, off),
                         f"chromosome name is not ASCII: '{_show(raw)}'")
    segments = (np.concatenate(seg_parts) if seg_parts
                else np.zeros((0, kp.SEG_NCOLS), dtype=np.int64))
    hard_values = np.array([float(bytes(arr[off:off + length]))
                            for part in hard_parts for off, length in part.tolist()],
                           dtype=np.float64)
    return ParsedSignal(arr, filename, segments, names, hard_values, release, check)
