"""Tables of float32 values as TAB-separated text, shared by ``summarize`` and ``query``.

:func:`table_text` gives the lines of a table, each value in its shortest text (the notation
of :mod:`genomedata.kernels.table`, numpy's for a float32: ``0.372``, ``-2.0``, ``1e-05``),
optionally after the coordinates ``chrom start end [name]`` of each row, written by one kernel
pass.
"""

from __future__ import annotations

import numpy as np

from ..archive import layout as _layout

_SEPARATOR = "\n"   # joins labels and names: neither a chromosome name nor a BED name has one
_EMPTY_INT = np.zeros(0, dtype=np.int64)
_EMPTY_BYTES = np.zeros(0, dtype=np.uint8)


def _bytes(text: str) -> np.ndarray:
    """``text`` as a writable uint8 array (one type for the kernel, whatever the source)."""
    return np.frombuffer(bytearray(text.encode(_layout.GENOMEDATA_ENCODING)), dtype=np.uint8)


def _joined(texts) -> tuple:
    """``texts`` (strings) as one uint8 buffer joined by :data:`_SEPARATOR` and the int64
    offset where each ends."""
    if not len(texts):
        return _EMPTY_BYTES, _EMPTY_INT
    data = _bytes(_SEPARATOR.join(texts))
    ends = np.flatnonzero(data == ord(_SEPARATOR)).astype(np.int64)
    return data, np.append(ends, np.int64(len(data)))


def _hard_texts(flat, where) -> tuple:
    """The scientific text of the float32 values ``flat[where]`` (numpy's shortest digits)."""
    texts = [np.format_float_scientific(v, unique=True, trim="-", exp_digits=2)
             for v in flat[where]]
    return _joined(texts)


def table_text(values, *, missing="NA", chrom_names=None, chrom_ids=None, starts=None,
               ends=None, names=None) -> np.ndarray:
    """The lines of a table (uint8 array): one per row of ``values`` (float32 or float64,
    rounded to float32; shape ``(rows, columns)``), its values TAB-separated, NaN written
    ``missing``.  With ``chrom_ids`` (int64 index into ``chrom_names`` per row), ``starts``
    and ``ends``, each line starts ``chrom<TAB>start<TAB>end<TAB>``; with ``names`` (one
    string per row), then ``name<TAB>``.

    >>> bytes(table_text(np.array([[1, 0.1], [np.nan, 2.5e-7]]))).decode()
    '1.0\\t0.1\\nNA\\t2.5e-07\\n'
    >>> bytes(table_text(np.array([[3.0]]), chrom_names=["chr1"], chrom_ids=np.array([0]),
    ...                  starts=np.array([10]), ends=np.array([20]), names=["p1"])).decode()
    'chr1\\t10\\t20\\tp1\\t3.0\\n'
    """
    from ..kernels.table import format_rows, hard_values
    block = np.ascontiguousarray(values, dtype=np.float32)
    if not block.flags.writeable:       # one array type for the kernel
        block = block.copy()
    if block.ndim != 2:
        raise ValueError("a table's values are a 2-D array (rows, columns)")
    hard = hard_values(block)
    hard_text, hard_ends = _hard_texts(block.reshape(-1), hard) if len(hard) else \
        (_EMPTY_BYTES, _EMPTY_INT)
    if chrom_ids is not None:
        labels, label_ends = _joined(list(chrom_names))
        codes = np.ascontiguousarray(chrom_ids, dtype=np.int64)
        first = np.ascontiguousarray(starts, dtype=np.int64)
        last = np.ascontiguousarray(ends, dtype=np.int64)
    else:
        labels, label_ends, codes, first, last = (_EMPTY_BYTES, _EMPTY_INT, _EMPTY_INT,
                                                  _EMPTY_INT, _EMPTY_INT)
    if names is not None:
        name_text, name_ends = _joined(list(names))
    else:
        name_text, name_ends = _EMPTY_BYTES, _EMPTY_INT
    gap = _bytes(missing)
    return format_rows(labels, label_ends, codes, first, last, name_text, name_ends, block,
                       gap, hard, hard_text, hard_ends)
