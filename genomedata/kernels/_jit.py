"""The project's numba defaults, set once: every kernel is compiled with them.

``@kernel``
    a kernel: ``njit(cache=True, nogil=True)``.  Compiled code is cached on disk (where: see
    ``genomedata.kernels``), and the kernel releases the GIL while it runs, so threads run
    kernels in parallel.

``@helper``
    a one-expression function that kernels call in their innermost loops (a byte test): the
    same defaults plus ``inline="always"``, so numba puts its body into every caller rather
    than calling it.  numba then types and lowers that body again at every call site, and a
    caller with many inlined sites compiles for seconds: anything longer than a byte test
    (a token reader, a line skipper) is an ``@inlined`` kernel or a ``@kernel``.  A helper
    that takes an array and has more than one return leaves a reference count update of
    that array (two calls) in its caller's loop: such a function is an ``@inlined`` kernel.

``@inlined``
    a kernel that the innermost loops of the parsers call once per token or line (a token
    reader, a line skipper): typed and compiled once by numba like a ``@kernel``, and marked
    for LLVM to inline into every caller (``forceinline``), so the loops run as fast as if it
    were written into them.

    An ``@inlined`` kernel that takes an array must not call a ``@kernel`` (or an ``@inlined``
    kernel that does): numba counts a reference to each array argument on entry and releases
    it on every return but the error return of a call, so LLVM cannot drop the pair, and once
    inlined into a loop the pair (two calls, atomic updates) runs on every iteration.  Such a
    reader keeps its common case ``@inlined`` and leaves the rest to a ``@kernel`` that the
    loop calls itself.

Each kernel is compiled once per distinct tuple of argument types, so callers pass fixed
dtypes (uint8 buffers, int64 coordinates and counters, float32 values): a counter started
as a bare ``0`` and passed to another kernel can be typed ``Literal[int](0)`` and compile a
second copy of it, so counters start as ``np.int64(0)``.

The compile clock and ``genomedata compile`` are ``genomedata._jit``; this module only
decorates.
"""

from __future__ import annotations

from numba import njit

# forceinline is given on every kernel: a kernel that does not set it inherits the value of
# the kernel whose compilation compiles it, and its code would depend on who called it first
kernel = njit(cache=True, nogil=True, forceinline=False)
inlined = njit(cache=True, nogil=True, forceinline=True)
helper = njit(cache=True, nogil=True, forceinline=False, inline="always")
