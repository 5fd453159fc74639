"""Dask clusters for the commands that spread their work over processes or machines
(``--workers``, ``--scheduler``, ``--scheduler-file``): a :class:`concurrent.futures.Executor`
on a local cluster started for the command, or on a running scheduler.

Dask (``dask`` and ``distributed``) is the optional extra ``genomedata[dask]``, imported only
here and only when a cluster is asked for.
"""

from __future__ import annotations

import contextlib

from .._extras import require
from ..errors import GenomedataError


def _distributed():
    return require("distributed", "dask", "running on a Dask cluster")


def asked(workers=None, scheduler=None, scheduler_file=None) -> bool:
    """Whether any cluster option was given."""
    return bool(workers or scheduler or scheduler_file)


@contextlib.contextmanager
def dask_executor(workers=None, scheduler=None, scheduler_file=None):
    """An executor on a Dask cluster, or None when no option asks for one: a local cluster of
    ``workers`` worker processes (one task at a time each), started here and stopped when the
    block ends, or the running scheduler at address ``scheduler`` or described by
    ``scheduler_file`` (what ``dask scheduler --scheduler-file`` writes).

    A task whose worker dies is run again on another worker, up to the scheduler's
    ``distributed.scheduler.allowed-failures`` times (3 by default), then the load fails."""
    if not asked(workers, scheduler, scheduler_file):
        yield None
        return
    distributed = _distributed()
    cluster = None
    if workers is not None and workers < 1:
        raise GenomedataError(f"--workers must be at least 1, not {workers}")
    try:
        if workers:
            import logging
            cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                               processes=True, dashboard_address=":0",
                                               silence_logs=logging.ERROR)
            client = distributed.Client(cluster)
        elif scheduler_file:
            client = distributed.Client(scheduler_file=scheduler_file, timeout="20s")
        else:
            client = distributed.Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        where = (f"a local cluster of {workers} workers" if workers else
                 f"the Dask scheduler of {scheduler_file}" if scheduler_file else
                 f"the Dask scheduler at {scheduler}")
        raise GenomedataError(f"cannot start or reach {where}: {exc}") from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
