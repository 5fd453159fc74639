"""Keys of the read API: ``chromosome[bases, tracks]`` as genomedata 1.7 reads them.

A base key is an int (one base) or a slice with both bounds (0-based, half-open; no negative
indices, no steps); ``split_key`` separates it from the track key.  A bool is not an integer
here (numpy takes it as a mask, never as a position).
"""

from __future__ import annotations

import operator

import numpy as np


def is_int(value) -> bool:
    """Whether ``value`` is an integer (Python or numpy; not a bool)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def as_index(value, key):
    try:
        return operator.index(value)
    except TypeError:
        raise NotImplementedError(f"Unsupported index found: {key}") from None


def key_to_range(key):
    """A base key (int or bounded slice) as ``(start, stop)``, validated like the reference."""
    if is_int(key):
        start = int(key)
        stop = start + 1
    elif isinstance(key, slice):
        if key.start is None or key.stop is None:
            raise NotImplementedError("Both start and end must be specified in chromosomal "
                                      "slices")
        step = key.step
        if step is not None and not (is_int(step) and int(step) in (0, 1)):
            raise NotImplementedError("Chromosome slicing does not support non-contiguous "
                                      "retrieval")
        start = as_index(key.start, key)
        stop = as_index(key.stop, key)
    else:
        raise NotImplementedError(f"Unsupported index found: {key}")
    if start < 0 or stop < 0:
        raise NotImplementedError("Negative (wrapping) indices not supported")
    if start > stop:
        raise IndexError("Start index can be at most the end index")
    return start, stop


def split_key(key):
    if isinstance(key, tuple):
        if len(key) != 2:
            raise IndexError("a chromosome is indexed by [bases] or [bases, tracks], "
                             f"not by {len(key)} keys")
        return key
    return key, slice(None)
