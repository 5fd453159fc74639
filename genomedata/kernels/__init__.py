"""numba kernels: pure functions over numpy arrays and byte buffers (no I/O, no Python
objects), compiled with ``cache=True, nogil=True``.  Imported only by code that runs them.

Compiled kernels are cached in ``$XDG_CACHE_HOME/genomedata/numba`` (``~/.cache/...``), not
inside the installed package, unless ``NUMBA_CACHE_DIR`` is set: a cache written into
site-packages would outlive an uninstall and shadow a later (editable) install.  Importing
this package also starts ``genomedata._jit``'s watch over compilations.

numba colours its internal typing messages with colorama when colorama is installed, and
colorama then writes a terminal reset (ESC[0m) to standard output when the process exits,
even from ``genomedata load -q``: the colouring is turned off before numba is imported.
"""

import os


def _cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "genomedata", "numba")


if "numba" not in __import__("sys").modules:
    os.environ.setdefault("NUMBA_CACHE_DIR", _cache_dir())
    os.environ.setdefault("NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING", "1")

from .._jit import install as _watch_compilations  # noqa: E402  (after NUMBA_CACHE_DIR)

_watch_compilations()
