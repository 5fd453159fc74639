"""The reference's command-line pipeline through the installed programs (aliases included)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REFDATA

needs_refdata = pytest.mark.skipif(not REFDATA.is_dir(), reason="ref-data absent")


def run(*args, ok=True):
    proc = subprocess.run([sys.executable, "-m", "genomedata", *args], capture_output=True,
                          text=True)
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def alias(name):
    """The console script when installed, else the dispatcher module."""
    path = shutil.which(name)
    return [path] if path else None


@needs_refdata
@pytest.mark.parametrize("mode", ["-d", "-f"])
def test_load_seq_open_close_info_contigs(tmp_path, mode):
    archive = str(tmp_path / "gd")
    run("load-seq", mode, archive, str(REFDATA / "chr1.short.fa"),
        str(REFDATA / "chrY.short.fa.gz"))
    run("open-data", archive, "--tracknames", "a", "b")
    # the archive is dirty until close-data: info answers (coordinates do not change) with
    # a one-line warning, readers of values refuse it with the same line
    dirty = run("info", "contigs", archive)
    assert dirty.stdout == "chr1\t0\t24950\nchrY\t0\t24950\n"
    assert len(dirty.stderr.strip().splitlines()) == 1
    assert f"run 'genomedata close-data {archive}' first" in dirty.stderr
    refused = run("query", archive, "a", "chr1", "0", "10", ok=False)
    assert refused.returncode == 1
    assert refused.stderr.strip().endswith(dirty.stderr.strip().partition("warning: ")[2])
    run("close-data", archive)
    out = run("info", "contigs", archive).stdout
    assert out == "chr1\t0\t24950\nchrY\t0\t24950\n"
    assert run("info", "tracknames", archive).stdout == "['a', 'b']\n"
    assert os.path.isdir(archive) == (mode == "-d")


@needs_refdata
def test_agp_archive_contigs(tmp_path):
    archive = str(tmp_path / "agp")
    run("load-seq", "--assembly", "-f", archive, str(REFDATA / "adjacent.agp.gz"))
    run("close-data", archive)
    assert run("info", "contigs", archive).stdout == (
        "chr10\t39239118\t39254773\nchr10\t39254793\t39338430\n"
        "chr10\t39338450\t39341685\n")


@needs_refdata
def test_reference_program_names_are_aliases(tmp_path):
    exe = alias("genomedata-load-seq")
    if exe is None:
        pytest.skip("console scripts not installed (pip install -e .)")
    archive = str(tmp_path / "gd")
    subprocess.run(exe + ["-f", archive, str(REFDATA / "chr1.short.fa")], check=True)
    subprocess.run(alias("genomedata-close-data") + [archive], check=True)
    out = subprocess.run(alias("genomedata-info") + ["sizes", archive], check=True,
                         capture_output=True, text=True).stdout
    assert out == "chr1\t24950\n"


def test_help_lists_every_command():
    from genomedata.commands.main import COMMANDS
    out = run("--help").stdout
    for name in COMMANDS:
        assert name in out
    assert run("--version").stdout.startswith("genomedata 2.")


def test_unknown_failure_is_one_line_and_debug_shows_traceback(tmp_path):
    missing = str(tmp_path / "nothing")
    proc = run("info", "contigs", missing, ok=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"genomedata info: error: Could not find Genomedata archive: {missing}"]
    proc = run("info", "contigs", missing, "--debug", ok=False)
    assert "Traceback" in proc.stderr


def test_an_unexpected_exception_is_an_internal_error(monkeypatch, capsys, tmp_path):
    """A failure nobody wrote a message for is said to be one, with its type and text, and
    --debug shows where it came from; never a bare 'error: 0'."""
    import genomedata.commands.info as info
    from genomedata.commands.main import main

    def broken(args):
        raise AttributeError("'NoneType' object has no attribute 'remove_task'")

    monkeypatch.setattr(info, "run", broken)
    assert main(["info", "sizes", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        "genomedata info: internal error (AttributeError: 'NoneType' object has no attribute "
        "'remove_task'); rerun with --debug for the traceback\n")

    def lookup(args):
        return {}[0]

    monkeypatch.setattr(info, "run", lookup)
    assert main(["info", "sizes", str(tmp_path)]) == 1
    assert capsys.readouterr().err == ("genomedata info: internal error (KeyError: 0); rerun "
                                       "with --debug for the traceback\n")
    with pytest.raises(KeyError):
        main(["info", "sizes", str(tmp_path), "--debug"])


def test_reference_program_names_print_their_own_usage():
    exe = alias("genomedata-hardmask")
    if exe is None:
        pytest.skip("console scripts not installed (pip install -e .)")
    proc = subprocess.run(exe + ["--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert proc.stdout.startswith("usage: genomedata-hardmask [-h]"), proc.stdout
    proc = subprocess.run(exe, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith("usage: genomedata-hardmask [-h]"), proc.stderr
    assert "genomedata-hardmask: error: the following arguments are required" in proc.stderr


def test_console_scripts_enter_as_command_processes(monkeypatch, capsys):
    """The installed programs (``genomedata`` and the genomedata 1.7 names) enter through
    functions that set up a command process (the start-up shortcut) before running the
    dispatcher; ``main`` itself is for Python callers and changes nothing of the process."""
    tomllib = pytest.importorskip("tomllib")
    from genomedata.commands import main as dispatcher

    scripts = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml")
                            .read_text())["project"]["scripts"]
    for program, target in scripts.items():
        module, _, function = target.partition(":")
        assert module == "genomedata.commands.main", (program, target)
        assert function == ("entry" if program == "genomedata" else
                            "alias_" + program.removeprefix("genomedata-").replace("-", "_")
                            .replace("load_assembly", "load_seq")), (program, target)
    set_up = []
    monkeypatch.setattr(dispatcher, "_command_process", lambda: set_up.append(True))
    monkeypatch.setattr(sys, "argv", ["genomedata", "--version"])
    with pytest.raises(SystemExit) as exit_info:
        dispatcher.entry()
    assert exit_info.value.code == 0 and set_up == [True]
    assert capsys.readouterr().out.startswith("genomedata ")


def test_command_process_exit_freezes_collector(monkeypatch):
    """A command process ends with the cycle collector's objects frozen (Python's shutdown
    then skips searching them for cycles: a third of a short command's time after numba ran)
    and the exit status of the command, through ``genomedata`` and the 1.7 names alike."""
    import gc

    from genomedata.commands import main as dispatcher

    monkeypatch.setattr(dispatcher, "_command_process", lambda: None)
    monkeypatch.setattr(dispatcher, "main", lambda argv=None, prog=None: 3)
    try:
        for enter in (dispatcher.entry, dispatcher.alias_query):
            gc.unfreeze()
            assert gc.get_freeze_count() == 0
            with pytest.raises(SystemExit) as exit_info:
                enter()
            assert exit_info.value.code == 3
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
