"""Dialect-portable 'insert unless present', used to create lockable rows race-free."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel


def insert_ignore(session: Session, table: type[SQLModel], values: dict[str, Any]) -> None:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(table.__table__).values(**values).on_conflict_do_nothing())  # type: ignore[attr-defined]
