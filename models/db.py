"""Engines and transactions: SQLite by default, PostgreSQL by URL.

Every write transaction on SQLite starts with BEGIN IMMEDIATE, so writers queue on the
database lock (busy timeout) instead of failing on a lock upgrade, across OS processes.
On PostgreSQL the services lock the rows they change (SELECT ... FOR UPDATE).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from models.types import UTCDateTime, utcnow

SQLITE_BUSY_TIMEOUT_S = 60


def make_engine(url: str, durable: bool = True) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        if not durable:  # no fsync per commit: a killed process loses nothing, a power cut the last commits
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@dataclass
class Database:
    """The app database and the clock the services read time from (tests replace it)."""

    engine: Engine
    clock: Callable[[], datetime] = field(default=utcnow)

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    def relaxed(self) -> Database:
        """The same database for records a power cut may forget (SQLite: no fsync per commit).

        For the outbox's claims and outcomes only: forgetting a "sent" sends that email again
        with its Message-ID, never loses a decision or a number.
        """
        if not self.is_sqlite:
            return self
        url = self.engine.url.render_as_string(hide_password=False)
        return Database(make_engine(url, durable=False), clock=lambda: self.clock())

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: commits on success, rolls back on any error."""
        with Session(self.engine, expire_on_commit=False) as session:
            session.connection(execution_options={"immediate": True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def write_cursor(self) -> Iterator[Any]:
        """One transaction on the driver's own cursor, SQL in its paramstyle (``sql_params``).

        For writes where SQLAlchemy's own work per statement costs several times the
        database's. ``HeldConnection`` does the same on a connection kept between calls.
        """
        held = HeldConnection(self)
        try:
            with held.transaction() as cursor:
                yield cursor
        finally:
            held.close()

    @contextmanager
    def read_cursor(self) -> Iterator[Any]:
        """The driver's own cursor for reads, SQL in its paramstyle (``sql_params``)."""
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            yield cursor
            cursor.close()
        finally:
            raw.close()  # back to the pool, which rolls back what a read left open

    def sql_params(self, sql: str) -> str:
        """``sql`` written with ``?`` placeholders, in the driver's paramstyle."""
        return sql if self.engine.dialect.paramstyle == "qmark" else sql.replace("?", "%s")

    def bind_time(self, value: datetime) -> Any:
        """A timestamp as the driver stores it in a UTCDateTime column (what SQLAlchemy would send)."""
        processor = self._time_processor
        return processor(value) if processor is not None else value.astimezone(UTC)

    @functools.cached_property
    def _time_processor(self) -> Callable[[Any], Any] | None:
        dialect = self.engine.dialect
        return UTCDateTime().dialect_impl(dialect).bind_processor(dialect)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session


class HeldConnection:
    """A driver connection kept out of the pool for one hot path's short transactions.

    The one write per message of a distribution runs while no other message of the pool
    may finish: checking a connection out of the pool and back in for each costs more
    than the write. An error gives the connection up (it may be broken); the next
    transaction takes a fresh one.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._raw: Any = None
        self._cursor: Any = None

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One transaction: commits on success, rolls back on any error."""
        if self._raw is None:
            self._raw = self.db.engine.raw_connection()
            self._cursor = self._raw.cursor()
        raw, cursor = self._raw, self._cursor
        try:
            if self.db.is_sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            yield cursor
            if self.db.is_sqlite:
                cursor.execute("COMMIT")
            else:
                raw.commit()
        except BaseException:
            self._raw = self._cursor = None
            with contextlib.suppress(Exception):
                raw.rollback()
            raw.invalidate()
            raise

    def close(self) -> None:
        raw, self._raw, self._cursor = self._raw, None, None
        if raw is not None:
            raw.close()
