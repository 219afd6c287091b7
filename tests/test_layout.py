"""The package's layout: no import cycles, and each folder imports only what lies below it.

The import graph is read from the source (every ``import`` and ``from ... import``
of a ``runload`` module, at module level or inside a function; imports under
``if TYPE_CHECKING:`` are left out, since they never run).  The layers are
those of ``docs/architecture.md``.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "runload"


def _modules() -> dict[str, tuple[Path, bool]]:
    found: dict[str, tuple[Path, bool]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_package)
    return found


MODULES = _modules()


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for n in ast.walk(node))
    return skipped


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The runload modules an import statement loads."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names if alias.name.split(".")[0] == "runload"]
        return [n for n in names if n in MODULES]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join([*base, *([node.module] if node.module else [])])
    else:
        target = node.module or ""
        if target.split(".")[0] != "runload":
            return []
    out = []
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        out.append(sub if sub in MODULES else target)
    return [t for t in out if t in MODULES]


@functools.cache
def import_graph() -> dict[str, set[str]]:
    """Module → the runload modules it imports (its own package's ``__init__`` not implied).

    Read once per test session; callers do not change it.
    """
    graph: dict[str, set[str]] = {}
    for module, (path, is_package) in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skipped = _type_checking_nodes(tree)
        edges: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skipped:
                edges.update(t for t in _targets(module, is_package, node) if t != module)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_relative_lazy_and_absolute_imports() -> None:
    graph = import_graph()
    # Relative at module level; relative inside a function; the package root.
    assert "runload.io.plan" in graph["runload.io.batch"]
    assert "runload.analysis" in graph["runload.cli"]
    assert "runload.io" in graph["runload"]


def test_no_import_cycles_inside_the_package() -> None:
    assert cycles(import_graph()) == []


def test_no_module_imports_the_package_root() -> None:
    importers = sorted(m for m, edges in import_graph().items() if "runload" in edges)
    assert importers == []


#: Layer of each top-level name under runload/ (folders and modules).  A module
#: may import from its own layer and the layers below it, never from above.
LAYERS: dict[str, int] = {
    # 0: foundations: no runload imports beyond each other
    "_version": 0,
    "exceptions": 0,
    "units": 0,
    "safetext": 0,
    "timezones": 0,
    "sports": 0,
    "schema": 0,
    "geo": 0,
    "localtime": 0,
    "elevation": 0,
    "activity": 0,
    # 1: reading files
    "io": 1,
    # 2: what the activities table means
    "load": 2,
    "coverage": 2,
    "shoes": 2,
    # 3: the rules
    "risk": 3,
    # 4: the faces of an analysis, and the analysis
    "report": 4,
    "analysis": 4,
    # 5: entry points and tools built on everything
    "cohort": 5,
    "testing": 5,
    "demo": 5,
    "cli": 6,
    "__main__": 7,
}

#: Imports allowed across layers upwards, each for a stated reason.
ALLOWED_UP = {
    # The record classes draw their own reprs with the card helpers, a leaf
    # that imports only runload.units.
    ("runload.activity", "runload.report.cards"),
    ("runload.io.log", "runload.report.cards"),
    ("runload.risk.flag", "runload.report.cards"),
    # The gear catalogue's shoe types are read with the shoes vocabulary.
    ("runload.io.gear", "runload.shoes"),
}


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "runload"


def test_every_top_level_name_has_a_layer() -> None:
    tops = {_top(m) for m in MODULES} - {"runload"}
    assert sorted(tops - set(LAYERS)) == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "runload"))
def test_imports_go_down_the_layers(module: str) -> None:
    mine = LAYERS[_top(module)]
    upward = sorted(
        target
        for target in import_graph()[module]
        if target != "runload"
        and LAYERS[_top(target)] > mine
        and (module, target) not in ALLOWED_UP
    )
    assert upward == [], f"{module} imports from a higher layer: {upward}"


def _private_imports(source: str, module: str, is_package: bool) -> list[str]:
    """``name`` for each ``from <runload module> import _name`` in ``source`` (not dunders)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and _targets(module, is_package, node):
            found += [
                f"{node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
    return found


def test_the_private_import_finder_finds_one() -> None:
    source = "from .cards import _e, wrap_card\nfrom os import _exit\n"
    assert _private_imports(source, "runload.report.notebook", False) == ["cards._e"]


def test_no_module_imports_another_modules_private_names() -> None:
    """A name with a leading underscore is its module's own: others import public ones."""
    found = {
        module: names
        for module, (path, is_package) in MODULES.items()
        if (names := _private_imports(path.read_text(), module, is_package))
    }
    assert found == {}
