"""The ``genomedata`` dispatcher: one entry point, one module per subcommand.

Each subcommand module defines ``SUMMARY`` (its one line in ``genomedata --help``), ``HELP``
(its description), ``add_arguments(parser)`` and
``run(args)``, which reports through ``genomedata._progress`` (the dispatcher makes its reporter
current for the run); one that prints its results on stdout and has no step worth a progress
bar sets ``DRAWS_PROGRESS = False`` (the display would write cursor controls to a terminal that
stdout shares).  Every run imports the subcommand modules (the parser lists them all, with
their summaries), so they import nothing but the standard library at the top: each imports
its library function inside ``run``, and ``genomedata info`` never imports numba.  The
reference's ``genomedata-*`` programs are aliases into this dispatcher.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import signal
import sys

from .. import __version__, _jit, _progress
from ..errors import GenomedataError

# subcommand -> module (genomedata.commands.<module>)
COMMANDS = {
    "load": "load",
    "load-seq": "load_seq",
    "open-data": "open_data",
    "load-data": "load_data",
    "close-data": "close_data",
    "erase-data": "erase_data",
    "hardmask": "hardmask",
    "info": "info",
    "query": "query",
    "histogram": "histogram",
    "report": "report",
    "validate": "validate",
    "export": "export",
    "summarize": "summarize",
    "plot": "plot",
    "profile": "profile",
    "compile": "compile",
}

def command_module(command: str):
    """The module of a subcommand (``genomedata.commands.<module>``)."""
    return importlib.import_module(f"genomedata.commands.{COMMANDS[command]}")


def summary(command: str) -> str:
    """A subcommand's one line in ``genomedata --help`` (its module's ``SUMMARY``)."""
    return command_module(command).SUMMARY


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("output")
    group.add_argument("--verbose", "-v", action="store_true",
                       help="print details of each step on stderr")
    group.add_argument("--quiet", "-q", action="store_true",
                       help="print nothing but errors (no progress bars)")
    group.add_argument("--debug", action="store_true",
                       help="show a full traceback when a command fails")
    return common


def build_parser(only=None, prog=None) -> argparse.ArgumentParser:
    """The dispatcher's parser.  ``only`` restricts it to one subcommand (used for --help of a
    known subcommand and by docs generation); otherwise every subcommand is registered."""
    parser = argparse.ArgumentParser(
        prog=prog or "genomedata",
        description="Store and read functional-genomics signal in Genomedata archives.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND",
                                       title="commands")
    common = _common_options()
    for name in COMMANDS:
        module = command_module(name)
        if only is not None and name != only:
            subparsers.add_parser(name, help=module.SUMMARY, add_help=False)
            continue
        sub = subparsers.add_parser(name, help=module.SUMMARY, description=module.HELP,
                                    parents=[common],
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
        _add_command(sub, name, module)
    return parser


def build_program_parser(command: str, program: str) -> argparse.ArgumentParser:
    """The parser of a genomedata 1.7 program name (``genomedata-hardmask``): one command,
    its own usage line."""
    module = command_module(command)
    parser = argparse.ArgumentParser(prog=program, description=module.HELP,
                                     parents=[_common_options()],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_command(parser, command, module)
    return parser


def _add_command(parser, name, module) -> None:
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    module.add_arguments(parser)
    parser.set_defaults(_module=module, command=name)


INTERRUPTED = 130   # exit status after Ctrl-C (128 + SIGINT), as shells report it

COMPILING = ("compiling genomedata's numba kernels for this computer: this first run takes "
             "{} longer (once: the compiled code is cached; 'genomedata compile' does it "
             "ahead of time)")


def _fail(message: str, command: str | None, status: int = 1) -> int:
    prefix = f"genomedata {command}" if command else "genomedata"
    print(f"{prefix}: {message}", file=sys.stderr, flush=True)
    return status


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _error_message(exc: BaseException):
    """``error: ...`` for a failure the user can act on (the message is written for them),
    else ``internal error (Type: message)``: a bug, or a condition nobody foresaw."""
    if isinstance(exc, GenomedataError):
        return f"error: {exc}"
    if isinstance(exc, OSError):
        if exc.strerror and exc.filename:
            return f"error: {exc.filename}: {exc.strerror}"
        return f"error: {_first_line(str(exc)) or exc.__class__.__name__}"
    if isinstance(exc, MemoryError):
        return "error: not enough memory"
    detail = _first_line(str(exc))
    what = f"{exc.__class__.__name__}: {detail}" if detail else exc.__class__.__name__
    return f"internal error ({what}); rerun with --debug for the traceback"


def main(argv=None, prog=None) -> int:
    """Run one command line; returns the exit status.  ``prog``: the genomedata 1.7 program
    name when run through one (``argv`` then starts with its subcommand)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if prog is not None and argv and argv[0] in COMMANDS:
        parser = build_program_parser(argv[0], prog)
        args = parser.parse_args(argv[1:])
    else:
        command = next((a for a in argv if not a.startswith("-")), None)
        only = command if command in COMMANDS else None
        parser = build_parser(only=only, prog=prog)
        if not argv:
            parser.print_help(sys.stderr)
            return 1
        args = parser.parse_args(argv)
    if getattr(args, "_module", None) is None:
        parser.print_help(sys.stderr)
        return 1

    verbosity = 0 if args.quiet else (2 if args.verbose else 1)
    draws = getattr(args._module, "DRAWS_PROGRESS", True)
    ui = _progress.Reporter(verbosity=verbosity, progress=None if draws else False)
    if args.command != "compile":
        _jit.on_first_compile(lambda: _progress.info(COMPILING.format(_jit.USUAL_TIME)))
    compiled_before = _jit.compile_seconds()
    debug = args.debug or bool(os.environ.get("GENOMEDATA_DEBUG"))
    try:
        # the command owns the one progress display of its run: every thread of the work
        # reports into it, and it stops when the command ends
        with _progress.reporting(ui), _interruptible(ui):
            status = args._module.run(args)
    except KeyboardInterrupt:
        if debug:
            raise
        return _fail("interrupted (nothing was changed)", args.command, INTERRUPTED)
    except BrokenPipeError:
        # the reader of stdout went away (e.g. `| head`): not an error for the user
        try:
            sys.stdout = None
        finally:
            return 0
    except Exception as exc:  # noqa: BLE001 - every failure becomes one clear line
        if debug:
            raise
        return _fail(_error_message(exc), args.command)
    finally:
        _jit.on_first_compile(None)
    if ui.interrupted:
        return _fail("interrupted after the work was done (its result is kept)",
                     args.command, INTERRUPTED)
    compiling = _jit.compile_seconds() - compiled_before
    if compiling >= 1 and args.command != "compile":
        ui.info(f"(compiling the kernels took {compiling:.0f} s of this run, once: they are "
                "cached now)")
    return int(status or 0)


@contextlib.contextmanager
def _interruptible(ui):
    """Ctrl-C (SIGINT) during the command: the work stops at its next progress step (see
    genomedata._progress); with no progress task open, or at a second Ctrl-C, at once."""
    def on_sigint(signum, frame):
        if ui.interrupted or not ui.interrupt():
            raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGINT, on_sigint)
    except ValueError:   # not the main thread: Python's own handler stays
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _command_process() -> None:
    """Set up a process that runs one command (the console scripts and ``python -m
    genomedata``; not :func:`main` called from Python).

    numba, when imported, learns whether SciPy's BLAS is available by importing all of
    ``scipy.linalg`` -- about 0.2 s of every command's start-up when SciPy is installed.  No
    kernel of ours uses BLAS and nothing else a command runs imports SciPy, so a command
    process records SciPy as absent before numba can look for it."""
    if "scipy" not in sys.modules:
        sys.modules["scipy"] = None


def _exit(status: int) -> None:
    """End a command process with ``status``.

    Python's shutdown searches every object still alive for reference cycles (more than once)
    and then frees them one by one: after a command that ran kernels -- numba's compiler
    objects and loaded machine code -- that took 0.25-0.3 s of CPU time, a third of ``genomedata
    summarize`` over 100,000 regions.  ``gc.freeze()`` takes the objects out of the cycle
    collector's view first (0.04 s left).  Everything else of the shutdown is as before: threads
    are joined, atexit handlers run, standard streams are flushed and objects held by modules
    are released when the modules are cleared; only garbage cycles (none holds an open file:
    a command closes the files it writes) are left to the operating system."""
    gc.freeze()
    sys.exit(status)


def _alias(subcommand: str, program: str):
    def run() -> None:
        _command_process()
        _exit(main([subcommand, *sys.argv[1:]], prog=program))
    run.__name__ = "alias_" + subcommand.replace("-", "_")
    return run


def entry() -> None:
    _command_process()
    _exit(main())


alias_load = _alias("load", "genomedata-load")
alias_load_seq = _alias("load-seq", "genomedata-load-seq")
alias_open_data = _alias("open-data", "genomedata-open-data")
alias_load_data = _alias("load-data", "genomedata-load-data")
alias_close_data = _alias("close-data", "genomedata-close-data")
alias_info = _alias("info", "genomedata-info")
alias_query = _alias("query", "genomedata-query")
alias_erase_data = _alias("erase-data", "genomedata-erase-data")
alias_hardmask = _alias("hardmask", "genomedata-hardmask")
alias_histogram = _alias("histogram", "genomedata-histogram")
alias_report = _alias("report", "genomedata-report")
