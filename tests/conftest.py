"""Shared fixtures: real databases (a SQLite file; PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

# The tests' own Prefect server: set before anything imports Prefect (it reads its settings
# once), so no test ever talks to a developer's running server.
with socket.socket() as _s:
    _s.bind(("127.0.0.1", 0))
    PREFECT_PORT = int(_s.getsockname()[1])
PREFECT_HOME = Path(tempfile.mkdtemp(prefix="banhanh-prefect-"))
os.environ.update(
    {
        "PREFECT_API_URL": f"http://127.0.0.1:{PREFECT_PORT}/api",
        "PREFECT_HOME": str(PREFECT_HOME),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_ENABLED": "false",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        # Scheduled reconcile/reminder runs would act on the tests' databases at random moments;
        # the tests start those flows themselves.
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
    }
)

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

import models.tables
from bench.pgdb import drop_database, recreate_database, worker_database_url
from models.db import Database, make_engine
from models.migrate import upgrade
from models.services.directory import load_directory
from tests.factory import example_config

REPO = Path(__file__).resolve().parents[1]

IN_CI = os.environ.get("CI", "").lower() == "true"
SERVER_URL = os.environ.get("TEST_DATABASE_URL", "")
# Under pytest-xdist each worker gets a database of its own on that server (`test_gw0`, …),
# created in pytest_configure and dropped at the end: the tests truncate and re-create schemas.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
PG_URL = worker_database_url(SERVER_URL, WORKER) if SERVER_URL and WORKER else SERVER_URL

BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def pytest_configure(config: pytest.Config) -> None:
    if PG_URL != SERVER_URL:
        recreate_database(PG_URL)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(PREFECT_HOME, ignore_errors=True)
    if PG_URL != SERVER_URL:
        drop_database(PG_URL)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test using a database runs on each of BACKENDS, except those marked `one_database`.

    Those exercise no behaviour of the database itself (a browser, Prefect's orchestration,
    process counts): the same service calls run on both databases in the tests of models/,
    notifications/, web/ and cli/, and the whole engine on PostgreSQL in tests/scale. They run
    once, on SQLite.
    """
    if "db_url" in metafunc.fixturenames:
        once = metafunc.definition.get_closest_marker("one_database") is not None
        metafunc.parametrize("db_url", BACKENDS[:1] if once else BACKENDS, indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if IN_CI and not PG_URL:
        raise pytest.UsageError("CI=true needs TEST_DATABASE_URL: the suite must also run on PostgreSQL")
    # The longest tests first: with several workers, each starts on one of them while the short
    # ones fill the other workers, instead of one long test running alone at the end. The order is
    # the same in every worker (xdist requires it): a stable sort on the marker.
    items.sort(key=lambda item: 0 if item.get_closest_marker("longest") else 1)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "banhanh.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_migrated() -> str:
    pg = make_engine(PG_URL)
    try:
        with pg.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except Exception as exc:  # a configured PostgreSQL that cannot be reached is a failure, never a skip
        pytest.fail(f"TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc}")
    finally:
        pg.dispose()
    upgrade(PG_URL)
    return PG_URL


def _truncate(db: Database) -> None:
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture  # parametrized over BACKENDS by pytest_generate_tests
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "banhanh.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("pg_migrated")
    db = Database.from_url(url)
    _truncate(db)
    db.engine.dispose()
    yield url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database.from_url(db_url)
    yield database
    database.engine.dispose()


@pytest.fixture
def org(db: Database) -> models.tables.Organisation:
    return load_directory(db, example_config())


# One definition of the Prefect fixtures for every directory: a module importing them itself
# would get a second session server on the same port.
from tests.engine import dispatcher, engine, prefect_server  # noqa: F401
from tests.mailbox import catcher  # noqa: F401
