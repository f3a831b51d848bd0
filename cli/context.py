"""What every command needs: settings, the database (migrated on first use), output helpers."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console

from models.errors import BanHanhError, Invalid, NotFound, Refused

if TYPE_CHECKING:  # SQLAlchemy, SQLModel and pydantic-settings load when a command needs them
    from models.db import Database
    from models.settings import Settings

# Piped output (make demo, scripts) is not squeezed into 80 columns.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True)

EXIT_CODES: dict[type[BanHanhError], int] = {Invalid: 2, Refused: 3, NotFound: 4}


@cache
def settings() -> Settings:
    from models.settings import Settings

    return Settings()


@cache
def database() -> Database:
    from sqlalchemy import inspect

    from models.db import Database

    db = Database.from_url(settings().db_url)
    if not inspect(db.engine).has_table("alembic_version"):
        from models.migrate import upgrade  # Alembic costs 0.4 s to import: only on first use

        upgrade(settings().db_url)
    return db


def fail(error: BanHanhError) -> NoReturn:
    err_console.print(f"[bold red]error[/] {error.field}: {error.reason}", highlight=False, markup=True)
    raise typer.Exit(next((code for kind, code in EXIT_CODES.items() if isinstance(error, kind)), 3))


@contextmanager
def reported() -> Iterator[None]:
    """Turn domain errors into one clear line and an exit code; nothing else is caught."""
    try:
        yield
    except BanHanhError as error:
        fail(error)


def emit(
    rows: Any,
    as_json: bool,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    render: Callable[[Any], None] | None = None,
) -> None:
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    if render is not None:
        render(rows)
        return
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    cols = list(columns or (rows[0].keys() if rows else []))
    for i, col in enumerate(cols):
        last = i == len(cols) - 1
        table.add_column(col, no_wrap=not last, overflow="fold" if last else "ellipsis")
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in cols))
    console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)
