"""How many threads the package's work uses by default: every core this process may run on."""

from __future__ import annotations

import os


def default_threads() -> int:
    """The cores this process may run on (its CPU affinity; the machine's cores where the
    system cannot say)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)
