"""docs/architecture.md is true: every module's imports, read with ``ast``, follow the layers it
describes; no import cycle; numba (the kernels) imported only inside the functions that run
kernels; operations that do not import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "genomedata"

# (layer, module prefixes), bottom first: docs/architecture.md's table
LAYERS = [
    ("base", ["genomedata.errors", "genomedata._progress", "genomedata._threads",
              "genomedata._sniff", "genomedata._jit", "genomedata._extras"]),
    ("kernels", ["genomedata.kernels"]),
    ("archive", ["genomedata.archive"]),
    ("inputs", ["genomedata.inputs"]),
    ("api", ["genomedata.api"]),
    ("ops", ["genomedata.ops"]),
    ("commands", ["genomedata.commands"]),
    ("public", ["genomedata", "genomedata.__main__", "genomedata._util",
                "genomedata._chromosome", "genomedata._bigwig", "genomedata._load_seq",
                "genomedata._open_data", "genomedata._load_data", "genomedata._close_data",
                "genomedata._erase_data", "genomedata._hardmask",
                "genomedata.load_genomedata"]),
]
# the one function-local import that closes a loop on purpose: a bigWig genome is a Genome,
# and Genome(path) opens a bigWig file as one
DELIBERATE_LOOP = ("genomedata.api.genome", "genomedata.api.bigwig")
# what any module may read from the package itself
PACKAGE_NAMES = {"__version__"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> tuple[int, str]:
    best = None
    for rank, (name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[2]:
                    best = (rank, name, len(prefix))
    assert best is not None, f"{module} is in no layer of docs/architecture.md"
    return best[0], best[1]


class Import:
    __slots__ = ("source", "target", "line", "local")

    def __init__(self, source, target, line, local):
        self.source, self.target, self.line, self.local = source, target, line, local

    def __repr__(self):
        where = "inside a function" if self.local else "at the top"
        return f"{self.source}:{self.line} imports {self.target} ({where})"


def imports_of(module: str) -> list[Import]:
    """Every import statement of the module, resolved to module names (``from X import y``
    gives ``X.y`` when that is a module of the package, else ``X``)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text())
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    local_nodes = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            local_nodes.update(id(inner) for inner in ast.walk(node) if inner is not node)
    found = []
    for node in ast.walk(tree):
        local = id(node) in local_nodes
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, node.lineno, local) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module
            for alias in node.names:
                candidate = f"{origin}.{alias.name}"
                if candidate in MODULES:
                    found.append(Import(module, candidate, node.lineno, local))
                elif not (origin == "genomedata" and alias.name in PACKAGE_NAMES):
                    found.append(Import(module, origin, node.lineno, local))
    return found


ALL_IMPORTS = [imp for module in MODULES for imp in imports_of(module)]
OWN = [imp for imp in ALL_IMPORTS if imp.target == "genomedata"
       or imp.target.startswith("genomedata.")]


def test_every_module_is_in_a_layer():
    for module in MODULES:
        layer_of(module)


def test_no_module_imports_a_layer_above_its_own():
    wrong = [imp for imp in OWN if layer_of(imp.target)[0] > layer_of(imp.source)[0]]
    assert not wrong, "imports against the layers of docs/architecture.md:\n" + "\n".join(
        f"  {imp} ({layer_of(imp.source)[1]} -> {layer_of(imp.target)[1]})" for imp in wrong)


def test_the_bottom_layer_imports_nothing_of_the_package_but_its_errors():
    wrong = [imp for imp in OWN if layer_of(imp.source)[1] == "base"
             and imp.target != "genomedata.errors"]
    assert not wrong, wrong


def test_kernels_import_only_the_compile_clock():
    wrong = [imp for imp in OWN if layer_of(imp.source)[1] == "kernels"
             and layer_of(imp.target)[1] not in ("kernels", "base")]
    assert not wrong, wrong


def test_inputs_use_only_the_format_constants_of_archives():
    wrong = [imp for imp in OWN if layer_of(imp.source)[1] == "inputs"
             and layer_of(imp.target)[1] == "archive"
             and imp.target != "genomedata.archive.layout"]
    assert not wrong, wrong


def test_operations_do_not_import_each_other():
    """Operations share step modules (``ops/_*.py``) or what lies further down; only
    ``ops/compile.py`` runs the others."""
    def is_operation(module):
        name = module.rpartition(".")[2]
        return (module.startswith("genomedata.ops.") and not name.startswith("_")
                and name != "compile")

    wrong = [imp for imp in OWN if imp.source != "genomedata.ops.compile"
             and imp.source.startswith("genomedata.ops") and is_operation(imp.target)]
    assert not wrong, wrong


def test_numba_is_imported_only_inside_the_functions_that_run_kernels():
    wrong = [imp for imp in ALL_IMPORTS
             if (imp.target.startswith("genomedata.kernels") or imp.target.split(".")[0]
                 == "numba")
             and not imp.local and layer_of(imp.source)[1] != "kernels"]
    assert not wrong, wrong


def test_function_local_imports_of_the_package_only_where_the_page_says():
    """Kernels (numba) are imported inside functions; so are a command's library functions
    (every run imports every command module); and the one deliberate loop."""
    wrong = [imp for imp in OWN if imp.local
             and not imp.target.startswith("genomedata.kernels")
             and layer_of(imp.source)[1] not in ("kernels", "commands")
             and (imp.source, imp.target) != DELIBERATE_LOOP]
    assert not wrong, wrong


def test_no_import_cycle():
    graph = {module: set() for module in MODULES}
    for imp in OWN:
        if imp.target in MODULES and imp.target != imp.source \
                and (imp.source, imp.target) != DELIBERATE_LOOP:
            graph[imp.source].add(imp.target)
    state, stack = {}, []

    def visit(module):
        state[module] = "open"
        stack.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycle = stack[stack.index(target):] + [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_the_page_names_every_package_and_layer():
    text = (ROOT / "docs" / "architecture.md").read_text()
    for name, prefixes in LAYERS:
        assert f"| {name} |" in text, name
    for folder in sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").exists()):
        assert f"`genomedata/{folder.name}/`" in text, folder.name
