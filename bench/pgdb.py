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


def _on_server(server_url: str, *statements: str) -> None:
    """Run statements on the server's maintenance database (CREATE/DROP DATABASE need autocommit)."""
    admin = create_engine(_admin_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        admin.dispose()


@contextmanager
def scratch_databases(server_url: str, *prefixes: str) -> Iterator[list[str]]:
    """One new database per prefix (name: prefix + random suffix); yields their psycopg URLs."""
    suffix = secrets.token_hex(4)
    names = [f"{prefix}_{suffix}" for prefix in prefixes]
    base = make_url(server_url).set(drivername="postgresql+psycopg")
    try:
        _on_server(server_url, *(f'CREATE DATABASE "{name}"' for name in names))
        yield [base.set(database=name).render_as_string(hide_password=False) for name in names]
    finally:
        _on_server(server_url, *(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in names))


def worker_database_url(server_url: str, worker: str) -> str:
    """The URL of a database of its own for one test worker: the server's database name + `_worker`."""
    url = make_url(server_url)
    return url.set(database=f"{url.database}_{worker}").render_as_string(hide_password=False)


def recreate_database(url: str) -> None:
    """Create the database of `url` empty, dropping one left by an interrupted run."""
    name = make_url(url).database
    _on_server(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    _on_server(url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def asyncpg_url(url: str) -> str:
    """The same database for Prefect's server (it talks asyncpg)."""
    return make_url(url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
