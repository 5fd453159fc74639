"""The documentation is true: generated parts are current, examples run, links resolve.

* docs/format.md and docs/cli.md must equal what ``docs/_generate.py`` makes of them (the
  format facts come from ``genomedata.archive.layout``, the command help from the dispatcher);
  when they do not, run ``python docs/_generate.py`` and commit the result.
* Every subcommand has a section in docs/cli.md with a worked example, and the ``console``
  examples there run (in-process, through the dispatcher's ``main``) and print what the
  document says they print.
* Every public name of the Python API has a docstring example (they run as doctests).
* Relative links between the documents point at files and headings that exist.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib.util
import io
import re
import shlex
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
REGENERATE = "run `python docs/_generate.py` (from the repository's top directory) and commit"


def _generator():
    spec = importlib.util.spec_from_file_location("genomedata_docs_generate",
                                                  DOCS / "_generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator():
    return _generator()


# ------------------------------------------------------------------------------------------------
# generated parts

@pytest.mark.parametrize("name", ["format.md", "cli.md"])
def test_generated_parts_are_current(generator, name):
    path = DOCS / name
    expected = generator.render(path)
    actual = path.read_text()
    if expected != actual:
        diff = "".join(list(difflib.unified_diff(
            actual.splitlines(True), expected.splitlines(True), f"docs/{name} (on disk)",
            f"docs/{name} (generated)", n=1))[:60])
        pytest.fail(f"docs/{name} is out of date with the code: {REGENERATE}.\n{diff}")


def _sections(text: str) -> dict:
    """{heading text: section body} of the ``## `` sections of a markdown file."""
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_every_command_has_a_section_with_an_example(generator):
    from genomedata.commands.main import COMMANDS
    sections = _sections((DOCS / "cli.md").read_text())
    problems = []
    for name in COMMANDS:
        body = sections.get(f"genomedata {name}")
        if body is None:
            problems.append(f"no section '## genomedata {name}' ({REGENERATE})")
        elif f"BEGIN GENERATED: help {name}" not in body:
            problems.append(f"section of {name} lacks its generated --help block")
        elif generator.NO_EXAMPLE in body or "```console" not in body:
            problems.append(f"section of {name} has no worked example: write a ```console "
                            "block using files in examples/data")
    assert not problems, "docs/cli.md:\n" + "\n".join(problems)


def test_every_alias_program_is_listed():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        pytest.skip("tomllib needs Python 3.11")
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    text = (DOCS / "cli.md").read_text()
    missing = [name for name in scripts if name != "genomedata" and f"`{name}`" not in text]
    assert not missing, f"docs/cli.md 'Aliases' does not list {missing}"


# ------------------------------------------------------------------------------------------------
# the console examples of docs/cli.md

def console_examples(text: str):
    """[(command, expected stdout)] of the ```console blocks, in order."""
    examples = []
    for block in re.findall(r"^```console\n(.*?)^```", text, flags=re.M | re.S):
        command, output = None, []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    examples.append((command, "".join(output)))
                command, output = line[2:], []
            else:
                output.append(line + "\n")
        if command is not None:
            examples.append((command, "".join(output)))
    return examples


def run_in_process(command: str) -> tuple[int, str, str]:
    """Run one ``genomedata ...`` command line through the dispatcher; (status, stdout,
    stderr).  ``< FILE`` redirects standard input."""
    from genomedata.commands.main import main
    words = shlex.split(command)
    assert words[0] == "genomedata", f"examples run genomedata only, not {command!r}"
    stdin = None
    if "<" in words:
        at = words.index("<")
        stdin = words[at + 1]
        words = words[:at] + words[at + 2:]
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="\n", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="\n", write_through=True)
    with contextlib.ExitStack() as stack:
        if stdin is not None:
            handle = stack.enter_context(open(stdin, "rb"))
            stack.enter_context(_swap(sys, "stdin", io.TextIOWrapper(handle)))
        stack.enter_context(_swap(sys, "stdout", out))
        stack.enter_context(_swap(sys, "stderr", err))
        status = main(words[1:])
    return status, out.buffer.getvalue().decode(), err.buffer.getvalue().decode()


@contextlib.contextmanager
def _swap(owner, name, value):
    old = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield value
    finally:
        setattr(owner, name, old)


def test_cli_examples_print_what_the_docs_say(tmp_path, monkeypatch):
    examples = console_examples((DOCS / "cli.md").read_text())
    assert len(examples) > 10
    (tmp_path / "examples").mkdir()
    shutil.copytree(ROOT / "examples" / "data", tmp_path / "examples" / "data")
    monkeypatch.chdir(tmp_path)
    for command, expected in examples:
        status, out, err = run_in_process(command)
        assert status == 0, f"docs/cli.md example failed: $ {command}\n{err}"
        assert out == expected, (f"docs/cli.md example prints something else: $ {command}\n"
                                 f"documented:\n{expected}\nactual:\n{out}")


# ------------------------------------------------------------------------------------------------
# API docstrings

API_FUNCTIONS = [
    ("genomedata.load_genomedata", "load_genomedata"),
    ("genomedata._load_seq", "load_seq"),
    ("genomedata._open_data", "open_data"),
    ("genomedata._load_data", "load_data"),
    ("genomedata._close_data", "close_data"),
    ("genomedata._erase_data", "erase_data"),
    ("genomedata._hardmask", "hardmask_data"),
    ("genomedata.inputs.regions", "parse_hardmask_option"),
    ("genomedata.ops.export", "export_track"),
    ("genomedata.api.binned", "binned"),
    ("genomedata.api.binned", "stackup"),
    ("genomedata.api.binned", "summarize"),
    ("genomedata.ops.summarize", "summarize"),
    ("genomedata.inputs.regions", "read_bed_regions"),
    ("genomedata.ops.summaries", "histogram"),
    ("genomedata.ops.summaries", "report"),
    ("genomedata.ops.plot", "plot_region"),
    ("genomedata.ops.plot", "plot_profile"),
    ("genomedata.ops.plot", "save_figure"),
]


def _public_members(cls):
    for name, value in vars(cls).items():
        if name.startswith("_") and name not in ("__getitem__", "__setitem__", "__contains__",
                                                 "__iter__"):
            continue
        if isinstance(value, property):
            yield name, value.fget.__doc__
        elif callable(value) or isinstance(value, (staticmethod, classmethod)):
            yield name, getattr(value, "__doc__", None)


def test_every_public_api_name_has_an_example():
    import importlib

    from genomedata import Chromosome, Genome, Supercontig
    missing = []
    for cls in (Genome, Chromosome, Supercontig):
        if ">>>" not in (cls.__doc__ or ""):
            missing.append(cls.__name__)
        for name, doc in _public_members(cls):
            if ">>>" not in (doc or ""):
                missing.append(f"{cls.__name__}.{name}")
    for module, name in API_FUNCTIONS:
        if ">>>" not in (getattr(importlib.import_module(module), name).__doc__ or ""):
            missing.append(f"{module}.{name}")
    assert not missing, f"docstrings without an example (>>>): {missing}"


# ------------------------------------------------------------------------------------------------
# links

def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set:
    return {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", path.read_text(), flags=re.M)}


def _documents():
    return sorted(DOCS.glob("*.md")) + [ROOT / "README.md"]


def test_relative_links_resolve():
    broken = []
    for doc in _documents():
        text = re.sub(r"^```.*?^```", "", doc.read_text(), flags=re.M | re.S)
        base = doc.parent
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            file = doc if not path else (base / path)
            if not file.exists():
                broken.append(f"{doc.name}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
                broken.append(f"{doc.name}: {target} (no such heading)")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_readme_has_the_two_commands_and_the_sections():
    text = (ROOT / "README.md").read_text()
    commands = re.findall(r"^```sh\n(.*?)^```", text, flags=re.M | re.S)
    assert len(commands) == 2, "the README holds exactly two copy-paste commands"
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1].strip() in ci.splitlines(), ".ci/run must run the README's test command"
    assert "examples/data" in commands[0]
    for needle in ("## Performance", "## Crash safety", "doi:10.1093/bioinformatics/btq164"):
        assert needle in text, f"README.md lacks {needle!r}"
    from genomedata.commands.main import COMMANDS
    missing = [name for name in COMMANDS if f"| `genomedata {name}` |" not in text]
    assert not missing, f"the command table of README.md lacks {missing}"


# ------------------------------------------------------------------------------------------------
# the Python examples of the documents

@pytest.fixture(scope="module")
def example_archive(tmp_path_factory):
    """The README's example.genomedata (built through the API)."""
    # the top-level conftest.py (``import conftest`` finds tests/conftest.py)
    spec = importlib.util.spec_from_file_location("genomedata_top_conftest",
                                                  ROOT / "conftest.py")
    top = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(top)
    return Path(top.build_example_archive(tmp_path_factory.mktemp("docs")
                                          / "example.genomedata"))


@pytest.mark.parametrize("name", ["api.md", "../README.md"])
def test_python_examples_run(name, example_archive, tmp_path, monkeypatch):
    """Every ```python block of the document runs (in order, sharing one namespace) in a
    directory holding examples/data and the README's example.genomedata."""
    import warnings
    path = DOCS / name
    if not path.exists():
        pytest.skip(f"docs/{name} does not exist")
    blocks = re.findall(r"^```python\n(.*?)^```", path.read_text(), flags=re.M | re.S)
    assert blocks, f"docs/{name} has no python example"
    (tmp_path / "examples").mkdir()
    shutil.copytree(ROOT / "examples" / "data", tmp_path / "examples" / "data")
    shutil.copytree(example_archive, tmp_path / "example.genomedata")
    monkeypatch.chdir(tmp_path)
    if "mysignal.genomedata" in path.read_text():  # the README's "Your own data"
        from genomedata.load_genomedata import load_genomedata
        Path("my.chrom.sizes").write_text("chr1\t2000000\n")
        Path("mysignal.bedGraph").write_text("chr1\t1000100\t1000200\t2.5\n")
        load_genomedata("mysignal.genomedata", [("mysignal", "mysignal.bedGraph")],
                        ["my.chrom.sizes"], seqfile_type="sizes")
    namespace = {"__name__": "__docs__"}
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        for number, block in enumerate(blocks, 1):
            try:
                exec(compile(block, f"docs/{name} python block {number}", "exec"), namespace)
            except Exception as exc:  # noqa: BLE001 - report which block failed
                pytest.fail(f"docs/{name}, python block {number} fails: "
                            f"{type(exc).__name__}: {exc}\n{block}")


def test_nothing_cites_a_document_outside_the_repository():
    """Comments, docstrings, messages and docs state their facts or point into ``docs/``: the
    project's working notes (its specification of genomedata 1.7 and its decisions) are not
    part of the repository, so a citation of them is a dead end for every reader."""
    patterns = ("DECISIONS", "REFERENCE \u00a7", "REFERENCE.md", "spec/")
    folders = ("genomedata", "benchmarks", "docs", "examples", "tests", ".ci")
    files = [ROOT / "README.md", ROOT / "pyproject.toml"]
    for folder in folders:
        files += [path for path in (ROOT / folder).rglob("*")
                  if path.is_file() and path.suffix in (".py", ".md", ".toml", ".txt", "")
                  and "__pycache__" not in path.parts]
    this = Path(__file__).resolve()
    cited = [f"{path.relative_to(ROOT)}: {pattern}" for path in files if path.resolve() != this
             for pattern in patterns if pattern in path.read_text(errors="replace")]
    assert cited == []

