"""What every command needs: settings, the database (migrated on first use), output helpers."""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from models.errors import AlreadyDecided, BanHanhError, Invalid, NotAllowed, NotFound, Refused, WrongState

if TYPE_CHECKING:  # SQLAlchemy, SQLModel and pydantic-settings load when a command needs them
    from documents.intake import ImportLimits
    from models.db import Database
    from models.settings import Settings

# Piped output (make demo, scripts) is not squeezed into 80 columns. Markup is off: what is
# printed holds people's text ("a list of [[people]] tables", "[/"), which is shown as it is;
# a styled line passes markup=True and escapes every value in it (`escape`).
console = Console(width=None if sys.stdout.isatty() else 160, markup=False, emoji=False)
err_console = Console(stderr=True, markup=False, emoji=False)

# Every class is named (tests/web/test_error_shapes.py fails on one that is not); the nearest in an
# error's class hierarchy answers. Every refusal exits 3, as the README documents; scripts that
# need to tell them apart read the code at the end of the line.
EXIT_CODES: dict[type[BanHanhError], int] = {
    BanHanhError: 3,
    Invalid: 2,
    Refused: 3,
    NotAllowed: 3,
    WrongState: 3,
    AlreadyDecided: 3,
    NotFound: 4,
}

# Ids are INTEGER columns (32-bit on PostgreSQL): a larger number is a usage error (exit 2), not
# a query the database cannot run.
MAX_ID = 2**31 - 1
PLAN_ID = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="the plan's number (id)")]
PLAN_FILTER = Annotated[int | None, typer.Option(min=1, max=MAX_ID, help="only this plan")]


@cache
def settings() -> Settings:
    from models.settings import Settings

    return Settings()


def import_limits() -> ImportLimits:
    from documents.intake import ImportLimits

    return ImportLimits.from_settings(settings())


def read_toml(path: Path, field: str) -> dict[str, Any]:
    """A TOML file as a mapping; unreadable, too large, not UTF-8 or not TOML is `Invalid`."""
    from documents.intake import decode_text, read_bytes

    limit = import_limits().max_text_bytes
    text = decode_text(read_bytes(path, field, limit), field, limit)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise Invalid(field, code="toml.invalid", path=path, error=error) from error
    except RecursionError as error:
        raise Invalid(field, code="toml.too_deep", path=path) from error


@cache
def database() -> Database:
    from sqlalchemy import inspect

    from models.db import Database

    db = Database.from_url(settings().db_url)
    if not inspect(db.engine).has_table("alembic_version"):
        from models.migrate import upgrade  # Alembic costs 0.4 s to import: only on first use

        upgrade(settings().db_url)
    return db


def exit_code(error: BanHanhError) -> int:
    return next(EXIT_CODES[kind] for kind in type(error).__mro__ if kind in EXIT_CODES)


def note_text(note: str) -> str:
    """An importer's note in the CLI's language: English unless `cli_language` is 'vi'."""
    from models.notes import Note

    return note.message if isinstance(note, Note) and settings().cli_language == "vi" else str(note)


def fail(error: BanHanhError) -> NoReturn:
    """One line: the field, the message in the chosen language and, when it has one of its own,
    the error's code."""
    from documents.intake import printable

    text = error.message if settings().cli_language == "vi" else error.reason
    code = "" if error.code == error.generic else " " + escape(f"[{error.code}]")
    err_console.print(
        f"[bold red]error[/] {escape(printable(error.field))}: {escape(printable(text))}{code}",
        highlight=False,
        markup=True,
        soft_wrap=True,
    )
    raise typer.Exit(exit_code(error))


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
        from documents.intake import is_strange

        text = json.dumps(rows, ensure_ascii=False, indent=2, default=str)
        # The same data, with characters that reorder or hide text (inside strings only) escaped.
        sys.stdout.write("".join(f"\\u{ord(c):04x}" if is_strange(c) else c for c in text) + "\n")
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
    from documents.intake import printable

    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return printable(", ".join(map(str, value)))
    return printable(str(value))
