"""numba kernels: pure functions over numpy arrays and byte buffers (no I/O, no Python
objects), compiled with the project's numba defaults (``genomedata.kernels._jit``).  Imported
only by code that runs them.

The public modules hold the kernels that the rest of the package calls; the private ones
(``_jit``, ``_bytes``, ``_decimal``, ``_tables``) hold what kernels share, and a kernel module
imports only from those.

Compiled kernels are cached in ``$XDG_CACHE_HOME/genomedata/numba`` (``~/.cache/...``), not
inside the installed package, unless ``NUMBA_CACHE_DIR`` is set: a cache written into
site-packages would outlive an uninstall and shadow a later (editable) install.  numba notices
that a kernel's own file changed, not that a function it calls from another file did; so the
cache lives in a subfolder named by a digest of the shared private modules, and a change to
one of them recompiles every kernel.  Importing this package also starts
``genomedata._jit``'s watch over compilations.

numba colours its internal typing messages with colorama when colorama is installed, and
colorama then writes a terminal reset (ESC[0m) to standard output when the process exits,
even from ``genomedata load -q``: the colouring is turned off before numba is imported.
"""

import hashlib
import os


def _shared_digest(folder: str = os.path.dirname(os.path.abspath(__file__))) -> str:
    """A digest of the private modules in ``folder`` (this package), which every kernel may
    call into: 16 hex digits."""
    digest = hashlib.sha1()
    for name in sorted(os.listdir(folder)):
        if name.startswith("_") and name.endswith(".py") and name != "__init__.py":
            with open(os.path.join(folder, name), "rb") as source:
                digest.update(name.encode() + b"\0" + source.read() + b"\0")
    return digest.hexdigest()[:16]


def _cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "genomedata", "numba", _shared_digest())


if "numba" not in __import__("sys").modules:
    os.environ.setdefault("NUMBA_CACHE_DIR", _cache_dir())
    os.environ.setdefault("NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING", "1")

from .._jit import install as _watch_compilations  # noqa: E402  (after NUMBA_CACHE_DIR)

_watch_compilations()
