"""The project's packages import one another without a cycle.

The graph is built from every module's source with `ast`: an edge is an import at module level
(including inside `try:` or `if` blocks at that level), since those run when the module loads.
Imports inside a function run only when it is called: a lazy import there is the intended way to
break a load-time cycle (and keeps the CLI's start-up fast), so it is not an edge; neither is an
import under `if TYPE_CHECKING:`, which never runs.
A cycle is broken by moving what both modules need into a third one, not by hiding an import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.models.test_purity import imported_by

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("models", "documents", "notifications", "flows", "web", "cli", "bench", "exchange")


def module_files() -> dict[str, Path]:
    """Every module of the packages by dotted name (migrations are scripts, not imported)."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def top_level_imports(tree: ast.Module, package: str) -> Iterator[str]:
    """The modules imported by statements that run at load: not inside a function or a class body's method."""

    def walk(nodes: list[ast.AST]) -> Iterator[ast.AST]:
        for node in nodes:
            yield node
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or _type_checking_only(node):
                continue
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    yield from walk(children)

    for node in walk(list(tree.body)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield from imported_by(node, package)


def _type_checking_only(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def import_graph() -> dict[str, set[str]]:
    """Module → the project modules it imports at load (`from a import b` names `a.b` when it is a module)."""
    files = module_files()
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[name] = {m for m in top_level_imports(tree, package) if m in files and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan), as a path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_path_through(graph, set(c)) for c in components]


def _path_through(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """A cycle inside the component, from its first module back to it (breadth first: the shortest)."""
    start = min(component)
    paths = {start: [start]}
    todo = [start]
    while todo:
        current = todo.pop(0)
        for nxt in sorted(graph[current] & component):
            if nxt == start:
                return [*paths[current], start]
            if nxt not in paths:
                paths[nxt] = [*paths[current], nxt]
                todo.append(nxt)
    raise AssertionError(f"no cycle through {start}")


def test_no_import_cycle() -> None:
    found = cycles(import_graph())
    assert found == [], "import cycles: " + "; ".join(" -> ".join(c) for c in found)


def test_the_checker_sees_a_cycle_and_ignores_lazy_imports() -> None:
    source = (
        "import a.b\nfrom . import c\nif True:\n    import d\ndef f():\n    import e\n"
        "if TYPE_CHECKING:\n    import g\n"
    )
    assert set(top_level_imports(ast.parse(source), "a")) == {"a.b", "a", "a.c", "d"}
    assert cycles({"x": {"y"}, "y": {"z"}, "z": {"x"}, "w": {"x"}}) == [["x", "y", "z", "x"]]
    assert cycles({"x": {"y"}, "y": set()}) == []
