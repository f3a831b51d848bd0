"""The rule modules stay pure: no database, network, web, email, rendering or OS imports,
directly or through another module of the repository."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PURE = [
    "models.lifecycle",
    "models.guards",
    "models.states",
    "models.events",
    "models.policies",
    "models.numbering",
    "models.content",
    "models.chain",
    "models.addressing",
    "models.errors",
    "models.rulesets",
    "models.format_check",
    "models.review_policy",
    "models.delegation",
    "models.wording",
    "models.summary_report",
    "exchange.agency",
    "exchange.package",
    "exchange.xml",
    "exchange.edxml",
    "exchange.status",
    "exchange.business",
    "documents.signatures.images",
    "documents.signatures.placement",
]

FORBIDDEN = {
    "sqlalchemy",
    "sqlmodel",
    "prefect",
    "fastapi",
    "jinja2",
    "aiosmtplib",
    "aiosmtpd",
    "httpx",
    "psycopg",
    "weasyprint",
    "socket",
    "requests",
    "os",
    "subprocess",
}


def module_path(name: str) -> Path | None:
    base = REPO.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports_of(name: str) -> set[str]:
    path = module_path(name)
    assert path is not None, name
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: str) -> set[str]:
    """Every module the source imports, anywhere in it (absolute names; `from x import y` also
    counts `x.y`; relative imports resolved against `package`; literal dynamic imports)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.update(imported_by(node, package))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
            called = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            if called in {"__import__", "import_module"} and node.args:
                arg = node.args[0]
                literal = arg.value if isinstance(arg, ast.Constant) else None
                found.add(literal if isinstance(literal, str) else "<dynamic import>")
    return found


def imported_by(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """The modules one import statement names (`from x import y` also `x.y`), relative ones
    resolved against `package`."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parts = package.split(".")
        parent = ".".join(parts[: len(parts) - node.level + 1])
        base = f"{parent}.{base}".strip(".")
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def closure(name: str) -> dict[str, list[str]]:
    """Every module reachable from `name` through the repository's own modules, with the path to it."""
    seen: dict[str, list[str]] = {name: [name]}
    todo = [name]
    while todo:
        current = todo.pop()
        for imported in sorted(imports_of(current)):
            if imported in seen:
                continue
            seen[imported] = [*seen[current], imported]
            if module_path(imported) is not None:
                todo.append(imported)
    return seen


@pytest.mark.parametrize("name", PURE)
def test_rule_module_imports_no_io_library(name: str) -> None:
    offending = {
        imported: " -> ".join(trail)
        for imported, trail in closure(name).items()
        if imported.split(".")[0] in FORBIDDEN or imported == "<dynamic import>"
    }
    assert offending == {}, f"{name} is not pure"


def test_the_checker_finds_forbidden_imports() -> None:
    source = """
import os.path
from . import db
from ..services import core
def later():
    import socket
    importlib.import_module("httpx")
    __import__(name)
"""
    assert imports_in(source, "models.rules") == {  # as if in models/rules/some_module.py
        "os.path",
        "models.rules",
        "models.rules.db",
        "models.services",
        "models.services.core",
        "socket",
        "httpx",
        "<dynamic import>",
    }
    assert imports_in("from .services import core", "models") >= {"models.services", "models.services.core"}
    # The service layer does I/O: reached through the repository's own modules, it is found.
    trail = closure("models.services.signing")
    assert "sqlalchemy" in {m.split(".")[0] for m in trail}
    assert trail["models.db"][0] == "models.services.signing"
