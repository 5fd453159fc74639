"""Compiling the numba kernels: the first-run notice and the compile clock.

The kernels (``genomedata.kernels``) are compiled to machine code the first time they run
after installing (or upgrading) the package, and the code is cached on disk (see
``genomedata.kernels``): later runs load it in a fraction of a second.  This module

* tells the user, once per process, when compiling starts (:func:`on_first_compile`
  installs what to do; the command dispatcher prints a line);
* keeps a clock of the time spent compiling (:func:`compile_seconds`), so that timings
  shown to the user can leave it out.

Compiling every kernel ahead of time (``genomedata compile``) is ``genomedata.ops.compile``.

Importing this module does not import numba: ``genomedata.kernels`` calls :func:`install`
when it is imported.
"""

from __future__ import annotations

import threading
import time

# What the first-run notice says; measured in CPU seconds on two cores shared with other
# work, with an empty NUMBA_CACHE_DIR: `genomedata compile` about 75 s, the README's
# `genomedata load` 33-40 s of compiling, `genomedata load-seq` of a FASTA file 2 s.
USUAL_TIME = "up to about a minute"

_lock = threading.Lock()
_local = threading.local()
_total = 0.0          # seconds of finished compilations
_running = 0          # compilations in progress (outermost, any thread)
_since = 0.0          # when the oldest compilation in progress began
_announce = None      # called once, at the first compilation of the process
_announced = False
_installed = False


def compile_seconds() -> float:
    """Seconds this process has spent compiling kernels so far (a compilation in progress
    counts up to now).  Subtract two readings to leave compilation out of a duration."""
    with _lock:
        return _total + (time.perf_counter() - _since if _running else 0.0)


def on_first_compile(callback) -> None:
    """Call ``callback()`` (no arguments, from the compiling thread) when a kernel next
    starts compiling, once; None: do nothing."""
    global _announce, _announced
    with _lock:
        _announce = callback
        _announced = False


def _compile_started() -> None:
    global _running, _since, _announced
    depth = getattr(_local, "depth", 0)
    _local.depth = depth + 1
    if depth:
        return   # a kernel that a compiling kernel calls: the same compilation
    with _lock:
        if not _running:
            _since = time.perf_counter()
        _running += 1
        first = not _announced
        _announced = True
    callback = _announce
    if first and callback is not None:
        callback()


def _compile_ended() -> None:
    global _running, _total
    _local.depth = getattr(_local, "depth", 1) - 1
    if _local.depth:
        return
    with _lock:
        _running -= 1
        if not _running:
            _total += time.perf_counter() - _since


def install() -> None:
    """Listen to numba's compile events (numba reports only compilations, not kernels loaded
    from the cache)."""
    global _installed
    if _installed:
        return
    from numba.core import event

    class Listener(event.Listener):
        def on_start(self, ev):
            _compile_started()

        def on_end(self, ev):
            _compile_ended()

    event.register("numba:compile", Listener())
    _installed = True
