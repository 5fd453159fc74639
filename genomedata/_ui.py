"""Messages and progress bars on stderr.

Library functions take an optional ``ui`` (an instance of :class:`UI`); the commands create one
from ``--quiet`` / ``--verbose``.  Progress bars are drawn only when stderr is a terminal.
"""

from __future__ import annotations

import contextlib
import sys


class _NullTask:
    def advance(self, amount=1):
        pass

    def update(self, **kwargs):
        pass


class _RichTask:
    def __init__(self, progress, task_id):
        self._progress = progress
        self._task_id = task_id

    def advance(self, amount=1):
        self._progress.advance(self._task_id, amount)

    def update(self, **kwargs):
        self._progress.update(self._task_id, **kwargs)


class UI:
    """Where messages and progress go.  ``verbosity``: 0 quiet, 1 normal, 2 verbose."""

    def __init__(self, verbosity: int = 1, stream=None, progress=None):
        self.verbosity = verbosity
        self.stream = stream if stream is not None else sys.stderr
        if progress is None:
            progress = verbosity > 0 and _isatty(self.stream)
        self.show_progress = progress
        self._progress = None
        self._console = None

    # -- messages
    def _print(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.print(text, markup=False, highlight=False)
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

    def table(self, title: str, columns, rows) -> None:
        """A small table (rich when on a terminal, tab-separated text otherwise)."""
        if self.verbosity < 1:
            return
        if _isatty(self.stream):
            from rich.console import Console
            from rich.table import Table
            table = Table(title=title)
            for column in columns:
                table.add_column(column, justify="right" if column != columns[0] else "left")
            for row in rows:
                table.add_row(*[str(cell) for cell in row])
            Console(file=self.stream).print(table)
        else:
            self._print(title)
            self._print("\t".join(columns))
            for row in rows:
                self._print("\t".join(str(cell) for cell in row))

    # -- progress
    @contextlib.contextmanager
    def progress(self, description: str, total=None, unit: str = "items"):
        """A progress task: ``with ui.progress("writing", total=n) as task: task.advance()``."""
        if not self.show_progress:
            yield _NullTask()
            return
        from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn, Progress,
                                   TextColumn, TimeElapsedColumn, TimeRemainingColumn,
                                   TransferSpeedColumn)
        columns = [TextColumn("[progress.description]{task.description}"), BarColumn()]
        if unit == "bytes":
            columns += [DownloadColumn(), TransferSpeedColumn()]
        else:
            columns += [MofNCompleteColumn()]
        columns += [TimeElapsedColumn(), TimeRemainingColumn()]
        if self._progress is None:
            from rich.console import Console
            self._progress = Progress(*columns, console=Console(file=self.stream),
                                      transient=True)
            self._progress.start()
            owner = True
        else:
            owner = False
        task_id = self._progress.add_task(description, total=total)
        try:
            yield _RichTask(self._progress, task_id)
        finally:
            self._progress.remove_task(task_id)
            if owner:
                self._progress.stop()
                self._progress = None


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


QUIET = UI(verbosity=0, progress=False)


def get_ui(ui):
    return ui if ui is not None else QUIET
