"""Listings read with the standard library's sqlite3, for a command that must answer at once.

Importing SQLAlchemy and the SQLModel tables costs over a second; `banhanh plan list` on the
embedded SQLite database needs neither. Each function here returns exactly what its
`models.services.queries` counterpart returns (a test holds them equal), or None when it
cannot answer: another database than a SQLite file, or one not yet migrated. The caller
then takes the full path, which also migrates a new database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from models.content import short_hash

SQLITE_PREFIXES = ("sqlite:///", "sqlite+pysqlite:///")
BUSY_TIMEOUT_S = 60  # as models.db: a reader waits for a writer's commit instead of failing


def sqlite_file(url: str) -> Path | None:
    """The file of a plain `sqlite:///PATH` URL; None for any other database or URL form."""
    for prefix in SQLITE_PREFIXES:
        if url.startswith(prefix):
            path = url[len(prefix) :]
            if not path or path == ":memory:" or "?" in path:
                return None
            return Path(path)
    return None


@contextmanager
def _reader(url: str) -> Iterator[sqlite3.Connection | None]:
    path = sqlite_file(url)
    if path is None or not path.is_file():
        yield None
        return
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    try:
        migrated = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        yield conn if migrated else None
    finally:
        conn.close()


def list_plans(url: str) -> list[dict[str, Any]] | None:
    """As `queries.list_plans`: every plan with its current version, by id."""
    with _reader(url) as conn:
        if conn is None:
            return None
        rows = conn.execute(
            "SELECT plan.id, plan.state, planversion.title, plan.symbol, planversion.content_hash "
            "FROM plan JOIN planversion ON planversion.id = plan.current_version_id ORDER BY plan.id"
        ).fetchall()
    return [
        {"id": pid, "state": state, "title": title, "symbol": symbol, "version_hash": short_hash(content)}
        for pid, state, title, symbol, content in rows
    ]


def may_be_late(url: str, cutoff: datetime) -> bool | None:
    """Whether any active plan has gone unchanged since before `cutoff` (UTC): the candidates of
    `runs.late_plans`, which `plan list` then checks on the full path. None: cannot answer."""
    with _reader(url) as conn:
        if conn is None:
            return None
        row = conn.execute(
            "SELECT 1 FROM plan WHERE state NOT IN ('issued', 'rejected', 'withdrawn') "
            "AND review_round > 0 AND updated_at < ? LIMIT 1",
            (cutoff.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f"),),
        ).fetchone()
    return row is not None
