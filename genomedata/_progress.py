"""Messages and progress bars on stderr, reached in one way.

Library code never receives a reporter: it calls this module's functions -- :func:`info`,
:func:`verbose`, :func:`warn`, :func:`table` and :func:`task` -- which go to the *current*
:class:`Reporter`.  By default that reporter is quiet.  Whoever runs the work makes one
current, once, for the whole run (the command dispatcher does, from ``--quiet`` /
``--verbose``; a public function called with ``verbose=True`` does, when nobody else has)::

    with reporting(Reporter()):          # one progress display, started and stopped here
        load_data(archive, "dnase", "dnase.bedGraph")

The current reporter is one per process, like logging's configuration: library code on any
number of threads (tracks, chromosomes, compression) reports into it, adding, advancing and
removing its own tasks, which is safe while its display is open.  Progress bars are drawn only
when stderr is a terminal, and only while the reporter is current.

The tasks are also where an interrupted command stops: after :meth:`Reporter.interrupt` (the
dispatcher calls it on Ctrl-C), the next ``advance`` of any task raises
``KeyboardInterrupt``, at a point between two steps of the work, so the work is undone
cleanly (a ``KeyboardInterrupt`` raised by Python's own handler can land in a finaliser,
where Python ignores it, or in the middle of the clean-up itself).
"""

from __future__ import annotations

import contextlib
import sys
import threading


class NullTask:
    """A task that draws nothing (only stops an interrupted command; without a reporter,
    nothing at all)."""

    def __init__(self, ui=None):
        self._ui = ui

    def advance(self, amount=1):
        if self._ui is not None and self._ui.interrupted:
            raise KeyboardInterrupt

    def update(self, **kwargs):
        self.advance(0)


class _RichTask(NullTask):
    def __init__(self, ui, task_id):
        super().__init__(ui)
        self._task_id = task_id

    def advance(self, amount=1):
        super().advance(0)
        with self._ui._lock:
            self._ui._display.advance(self._task_id, amount)

    def update(self, **kwargs):
        super().advance(0)
        with self._ui._lock:
            self._ui._display.update(self._task_id, **kwargs)


class Reporter:
    """Where messages and progress go.  ``verbosity``: 0 quiet, 1 normal, 2 verbose.
    ``progress``: draw progress bars (default: when ``stream`` is a terminal and not quiet)."""

    def __init__(self, verbosity: int = 1, stream=None, progress=None):
        self.verbosity = verbosity
        self.stream = stream if stream is not None else sys.stderr
        if progress is None:
            progress = verbosity > 0 and _isatty(self.stream)
        self.show_progress = progress
        # one lock for the display and every task of it: worker threads share them
        self._lock = threading.RLock()
        self._display = None    # the rich Progress while the reporter is open
        self._opened = 0
        self._tasks = 0         # progress tasks open now (drawn or not)
        self.interrupted = False

    # -- the display: opened and closed by the reporter's owner (the command), once
    def __enter__(self):
        with self._lock:
            self._opened += 1
            if self._opened == 1 and self.show_progress:
                self._display = _new_display(self._console())
                self._display.start()
        return self

    def __exit__(self, *exc_info):
        with self._lock:
            self._opened -= 1
            if self._opened == 0 and self._display is not None:
                display, self._display = self._display, None
                display.stop()

    # -- interruption
    def interrupt(self) -> bool:
        """Ask the work to stop at its next progress step.  Returns False when no task is
        open to notice it (the caller must then stop the work itself)."""
        with self._lock:
            self.interrupted = True
            return self._tasks > 0

    def _console(self):
        from rich.console import Console
        return Console(file=self.stream)

    # -- messages
    def _print(self, text: str) -> None:
        with self._lock:
            if self._display is not None:
                self._display.console.print(text, markup=False, highlight=False, emoji=False)
            else:
                print(text, file=self.stream, flush=True)

    def info(self, text: str) -> None:
        if self.verbosity >= 1:
            self._print(text)

    def verbose(self, text: str) -> None:
        if self.verbosity >= 2:
            self._print(text)

    def warn(self, text: str) -> None:
        if self.verbosity >= 1:
            self._print(f"warning: {text}")

    def table(self, title: str, columns, rows, notes=()) -> None:
        """A small table (rich when on a terminal, tab-separated text otherwise); ``notes``
        are lines printed under it."""
        if self.verbosity < 1:
            return
        if _isatty(self.stream):
            from rich import box
            from rich.table import Table
            table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left",
                          pad_edge=False, collapse_padding=True)
            for index, column in enumerate(columns):
                table.add_column(column, justify="left" if index == 0 else "right",
                                 overflow="fold")
            for row in rows:
                table.add_row(*[str(cell) for cell in row])
            with self._lock:
                console = (self._display.console if self._display is not None
                           else self._console())
                console.print(table)
        else:
            self._print(title)
            self._print("\t".join(columns))
            for row in rows:
                self._print("\t".join(str(cell) for cell in row))
        for note in notes:
            self._print(note)

    # -- progress
    @contextlib.contextmanager
    def progress(self, description: str, total=None, unit: str = "items"):
        """A progress task: ``with reporter.progress("writing", total=n) as task:
        task.advance()``.

        Safe from any thread.  ``unit``: "bytes" shows sizes and a rate, anything else
        counts items."""
        with self._lock:
            if self.interrupted:
                raise KeyboardInterrupt
            display = self._display
            task_id = (display.add_task(description, total=total, unit=unit)
                       if display is not None else None)
            self._tasks += 1
        try:
            yield NullTask(self) if task_id is None else _RichTask(self, task_id)
        finally:
            with self._lock:
                self._tasks -= 1
                if task_id is not None:
                    display.remove_task(task_id)
                    if display is self._display:
                        display.refresh()   # not the finished task's last picture


def _new_display(console):
    """The one rich Progress of an open reporter: its columns show bytes or counts per task."""
    from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn, Progress,
                               ProgressColumn, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn, TransferSpeedColumn)
    from rich.text import Text

    class AmountColumn(ProgressColumn):
        """``12.5/40.0 MB`` for a task counting bytes, ``3/24`` for one counting items."""

        def __init__(self):
            super().__init__()
            self.sizes = DownloadColumn()
            self.counts = MofNCompleteColumn()

        def render(self, task):
            column = self.sizes if task.fields.get("unit") == "bytes" else self.counts
            return column.render(task)

    class SpeedColumn(ProgressColumn):
        """The transfer rate of a task counting bytes (nothing for other tasks)."""

        def __init__(self):
            super().__init__()
            self.speed = TransferSpeedColumn()

        def render(self, task):
            if task.fields.get("unit") != "bytes":
                return Text("")
            return self.speed.render(task)

    # the display writes to stderr only: stdout stays the command's data
    return Progress(TextColumn("{task.description}", style="progress.description", markup=False),
                    BarColumn(),
                    AmountColumn(), SpeedColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                    console=console, transient=True, redirect_stdout=False,
                    redirect_stderr=False)


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


QUIET = Reporter(verbosity=0, progress=False)
_current = QUIET


def current() -> Reporter:
    """The reporter messages and progress go to now."""
    return _current


@contextlib.contextmanager
def reporting(reporter: Reporter):
    """Make ``reporter`` current for the block and open its display (once per run: the
    command dispatcher does it around the whole command)."""
    global _current
    previous, _current = _current, reporter
    try:
        with reporter:
            yield reporter
    finally:
        _current = previous


def verbose_reporting(verbose: bool):
    """What a public function's ``verbose=True`` asks for: its messages in full on stderr,
    without progress bars -- unless a reporter is current already (a command's, or the
    caller's own), which then stays."""
    if verbose and _current is QUIET:
        return reporting(Reporter(verbosity=2, progress=False))
    return contextlib.nullcontext()


def verbose_argument(function):
    """Decorator of a public function that takes genomedata 1.7's ``verbose=`` argument: the
    call runs under :func:`verbose_reporting` of that argument."""
    import functools
    import inspect
    signature = inspect.signature(function)

    @functools.wraps(function)
    def call(*args, **kwargs):
        verbose = signature.bind(*args, **kwargs).arguments.get("verbose", False)
        with verbose_reporting(verbose):
            return function(*args, **kwargs)
    return call


def info(text: str) -> None:
    """A message for every run but quiet ones."""
    _current.info(text)


def verbose(text: str) -> None:
    """A detail for verbose runs."""
    _current.verbose(text)


def warn(text: str) -> None:
    """``warning: TEXT`` for every run but quiet ones."""
    _current.warn(text)


def table(title: str, columns, rows, notes=()) -> None:
    """A small table (see :meth:`Reporter.table`)."""
    _current.table(title, columns, rows, notes)


def task(description: str, total=None, unit: str = "items"):
    """A progress task of the current reporter: ``with task("writing", total=n) as t:
    t.advance()`` (see :meth:`Reporter.progress`)."""
    return _current.progress(description, total, unit)
