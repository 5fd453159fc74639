"""numba kernels: pure functions over numpy arrays and byte buffers (no I/O, no Python
objects), compiled with ``cache=True, nogil=True``.  Imported only by code that runs them.

Compiled kernels are cached in ``$XDG_CACHE_HOME/genomedata/numba`` (``~/.cache/...``), not
inside the installed package, unless ``NUMBA_CACHE_DIR`` is set: a cache written into
site-packages would outlive an uninstall and shadow a later (editable) install.
"""

import os


def _cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "genomedata", "numba")


if "numba" not in __import__("sys").modules:
    os.environ.setdefault("NUMBA_CACHE_DIR", _cache_dir())
