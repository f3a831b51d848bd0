"""Scratch PostgreSQL databases for benchmarks and scale tests, created and dropped on one server.

The server comes from a URL (TEST_DATABASE_URL in CI); its own database is never touched:
the CREATE/DROP statements run on the maintenance database `postgres`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def _admin_url(server_url: str) -> str:
    return (
        make_url(server_url)
        .set(drivername="postgresql+psycopg", database="postgres")
        .render_as_string(hide_password=False)
    )


@contextmanager
def scratch_databases(server_url: str, *prefixes: str) -> Iterator[list[str]]:
    """One new database per prefix (name: prefix + random suffix); yields their psycopg URLs."""
    suffix = secrets.token_hex(4)
    names = [f"{prefix}_{suffix}" for prefix in prefixes]
    admin = create_engine(_admin_url(server_url), isolation_level="AUTOCOMMIT")
    base = make_url(server_url).set(drivername="postgresql+psycopg")
    try:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield [base.set(database=name).render_as_string(hide_password=False) for name in names]
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def asyncpg_url(url: str) -> str:
    """The same database for Prefect's server (it talks asyncpg)."""
    return make_url(url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
