"""PyTables-style views of an archive's HDF5 objects, as genomedata 1.7's API returned them.

:class:`AttributeSet` (``node.attrs.name``, ``attrs["name"]``) and :class:`DatasetView` (a
``continuous`` or ``seq`` dataset with the PyTables array interface that client code uses).
"""

from __future__ import annotations

import os

import numpy as np

from ..archive import layout as _layout
from .keys import is_int


class AttributeSet:
    """PyTables-style access to the attributes of an HDF5 node: ``attrs.name``,
    ``attrs["name"]``, ``"name" in attrs``, ``attrs.name = value``, ``attrs._v_attrnames``.

    Values are typed as genomedata 1.7 (PyTables) returned them: ``dirty`` a numpy bool,
    strings as ``str``, numbers as numpy scalars or arrays.  Assigning writes the attribute
    with the HDF5 type the format prescribes for its name (see docs/format.md).

    >>> with Genome(example_archive) as genome:
    ...     attrs = genome["chr2"].attrs
    ...     print(bool(attrs.dirty), int(attrs["end"]), "mins" in attrs)
    False 150000 True
    """

    __slots__ = ("_v_node",)

    def __init__(self, node):
        object.__setattr__(self, "_v_node", node)

    def _missing(self, name):
        return AttributeError(f"Attribute {name!r} does not exist in node: "
                              f"{self._v_node.name!r}")

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name not in self._v_node.attrs:
            raise self._missing(name)
        return _layout.read_attr_value(self._v_node, name)

    def __setattr__(self, name, value):
        _layout.write_attr(self._v_node, name, value)

    def __delattr__(self, name):
        if name not in self._v_node.attrs:
            raise self._missing(name)
        del self._v_node.attrs[name]

    def __getitem__(self, name):
        if name not in self._v_node.attrs:
            raise KeyError(name)
        return _layout.read_attr_value(self._v_node, name)

    def __setitem__(self, name, value):
        _layout.write_attr(self._v_node, name, value)

    def __delitem__(self, name):
        del self._v_node.attrs[name]

    def __contains__(self, name):
        return name in self._v_node.attrs

    def __iter__(self):
        return iter(self._v_attrnames)

    def __len__(self):
        return len(self._v_node.attrs)

    def keys(self):
        return list(self._v_attrnames)

    def get(self, name, default=None):
        return self[name] if name in self else default

    @property
    def _v_attrnames(self):
        return sorted(self._v_node.attrs.keys())

    @property
    def _v_attrnamesuser(self):
        return [name for name in self._v_attrnames
                if name not in _layout.PYTABLES_SYSTEM_ATTRS]

    @property
    def _v_attrnamessys(self):
        return [name for name in self._v_attrnames if name in _layout.PYTABLES_SYSTEM_ATTRS]

    def _f_list(self, attrset="user"):
        return self._v_attrnamesuser if attrset == "user" else self._v_attrnames

    def __repr__(self):
        return f"{self._v_node.name} ({self.__class__.__name__}), {len(self)} attributes"


class _Atom:
    """The part of a PyTables atom that client code uses."""

    def __init__(self, dataset):
        self.dtype = dataset.dtype
        self.shape = ()
        try:
            self.dflt = dataset.fillvalue
        except (TypeError, ValueError):
            self.dflt = None

    def __repr__(self):
        return f"Atom(dtype={self.dtype}, dflt={self.dflt!r})"


class DatasetView:
    """A ``continuous`` or ``seq`` dataset, with the PyTables array interface that client code
    uses: numpy-style ``[rows, cols]`` get and set, ``read()``, ``shape``, ``dtype``, ``atom``,
    ``chunkshape`` and, as in PyTables, ``nrows``/``len()`` = the length of the *main*
    dimension (the extendable track dimension of ``continuous``, rows of ``seq``).

    Rows are supercontig coordinates (row 0 = the supercontig's ``start``).

    >>> with Genome(example_archive) as genome:
    ...     supercontig = genome["chr2"].supercontigs[140000][0]    # [130000, 150000)
    ...     continuous = supercontig.continuous
    ...     print(continuous.shape, continuous.dtype, continuous.chunkshape)
    ...     print(continuous[10000:10003, 0])                       # chr2:140000-140003
    (20000, 2) float32 (10000, 1)
    [-0.928  0.818  0.129]
    """

    def __init__(self, dataset, on_write=None, fast_read=None):
        self.dataset = dataset
        self._on_write = on_write
        # fast_read(row0, row1, col0, col1): a large box of a ``continuous`` dataset read on
        # every core (the chromosome's engine), or None when HDF5 must read it
        self._fast_read = fast_read

    # -- description
    @property
    def shape(self):
        return self.dataset.shape

    @property
    def dtype(self):
        return self.dataset.dtype

    @property
    def ndim(self):
        return self.dataset.ndim

    @property
    def size(self):
        return self.dataset.size

    @property
    def chunkshape(self):
        return self.dataset.chunks

    @property
    def atom(self):
        return _Atom(self.dataset)

    @property
    def name(self):
        return os.path.basename(self.dataset.name)

    @property
    def attrs(self):
        return AttributeSet(self.dataset)

    _v_attrs = attrs

    @property
    def extdim(self):
        maxshape = self.dataset.maxshape or ()
        for dim, size in enumerate(maxshape):
            if size is None:
                return dim
        return -1

    @property
    def maindim(self):
        return max(self.extdim, 0)

    @property
    def nrows(self):
        shape = self.dataset.shape
        return int(shape[self.maindim]) if shape else 1

    def __len__(self):
        return self.nrows

    # -- data
    def read(self, start=None, stop=None, step=None):
        """The whole array (or ``start:stop:step`` along the main dimension) as numpy.

        >>> with Genome(example_archive) as genome:
        ...     supercontig = next(iter(genome["chr1"]))
        ...     print(supercontig.continuous.read().shape, supercontig.seq.read()[:4])
        (60000, 2) [103  67 103  97]
        """
        if start is None and stop is None and step is None:
            return self._read_box(())
        key = [slice(None)] * self.dataset.ndim
        key[self.maindim] = slice(start, stop, step)
        return self[tuple(key)]

    def __getitem__(self, key):
        split = _box_key(key, self.dataset.shape)
        if split is None:
            return self._read_box(key)
        box, after = split
        if box is None:
            return self._read_box(())[key]
        return self._read_box(box)[after]

    def _read_box(self, key):
        """``dataset[key]``, by ``fast_read`` when ``key`` is a box of rows and columns
        (slices without steps, ``()``, ``...``) that it reads."""
        if self._fast_read is not None and self.dataset.ndim == 2:
            items = key if isinstance(key, tuple) else (key,)
            if items == () or items == (Ellipsis,):
                items = (slice(None), slice(None))
            if len(items) == 1:
                items = items + (slice(None),)
            if (len(items) == 2 and all(isinstance(item, slice) and item.step in (None, 1)
                                        for item in items)):
                nrows, ncols = self.dataset.shape
                row0, row1, _ = items[0].indices(nrows)
                col0, col1, _ = items[1].indices(ncols)
                data = self._fast_read(row0, max(row0, row1), col0, max(col0, col1))
                if data is not None:
                    return data
        return self.dataset[key]

    def __setitem__(self, key, value):
        if self._on_write is not None:
            self._on_write()
        split = _box_key(key, self.dataset.shape)
        if split is None:
            self.dataset[key] = value
            return
        box, after = split
        if box is None:
            box, after = (), key
        data = self.dataset[box]
        data[after] = value
        self.dataset[box] = data

    def __array__(self, dtype=None, copy=None):
        data = self.read()
        return data if dtype is None else data.astype(dtype)

    def __repr__(self):
        return (f"<{self.__class__.__name__} {self.dataset.name!r} shape={self.shape} "
                f"dtype={self.dtype}>")


def _box_key(key, shape):
    """Numpy-style keys that h5py does not take (integer lists in any order or repeated,
    boolean masks, negative steps) as ``(box, after)``: read ``dataset[box]`` (slices and
    ints h5py takes) then index it with ``after``.  None when h5py takes ``key`` as it is;
    ``(None, key)`` when only a whole read will do (several lists, Ellipsis with lists)."""
    items = key if isinstance(key, tuple) else (key,)
    fancy = [isinstance(item, (list, np.ndarray)) and np.ndim(item) > 0
             or isinstance(item, slice) and item.step is not None and is_int(item.step)
             and item.step < 0 for item in items]
    if not any(fancy):
        return None
    lists = sum(isinstance(item, (list, np.ndarray)) for item in items)
    if lists > 1 or any(item is Ellipsis for item in items) or len(items) > len(shape):
        return None, key
    box, after = [], []
    for dim, item in enumerate(items):
        size = shape[dim]
        if isinstance(item, (list, np.ndarray)):
            indexes = np.asarray(item)
            if indexes.dtype == bool:
                if indexes.shape != (size,):
                    raise IndexError(f"boolean index of length {len(indexes)} for dimension "
                                     f"{dim} of size {size}")
                indexes = np.flatnonzero(indexes)
            if indexes.ndim != 1 or (len(indexes) and indexes.dtype.kind not in "iu"):
                return None, key
            indexes = indexes.astype(np.intp)
            indexes = np.where(indexes < 0, indexes + size, indexes)
            if len(indexes) and (indexes.min() < 0 or indexes.max() >= size):
                raise IndexError(f"index out of range for dimension {dim} of size {size}")
            low = int(indexes.min()) if len(indexes) else 0
            box.append(slice(low, int(indexes.max()) + 1 if len(indexes) else 0))
            after.append(indexes - low)
        elif isinstance(item, slice) and item.step is not None and is_int(item.step) \
                and item.step < 0:
            rows = range(*item.indices(size))
            if not len(rows):
                box.append(slice(0, 0))
                after.append(slice(None))
            else:
                box.append(slice(rows[-1], rows[0] + 1))
                after.append(slice(rows[0] - rows[-1], None, rows.step))
        else:
            box.append(item)
            if not is_int(item):
                after.append(slice(None))
    return tuple(box), tuple(after)
