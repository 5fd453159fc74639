"""The project's numba defaults, set once: every kernel is compiled with them.

``@kernel``
    a kernel: ``njit(cache=True, nogil=True)``.  Compiled code is cached on disk (where: see
    ``genomedata.kernels``), and the kernel releases the GIL while it runs, so threads run
    kernels in parallel.

``@helper``
    a small function that kernels call in their innermost loops (a byte test, a token
    reader): the same defaults plus ``inline="always"``, so numba puts its body into every
    caller rather than calling it.

The compile clock and ``genomedata compile`` are ``genomedata._jit``; this module only
decorates.
"""

from __future__ import annotations

from numba import njit

kernel = njit(cache=True, nogil=True)
helper = njit(cache=True, nogil=True, inline="always")
