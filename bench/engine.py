"""The embedded default for a benchmark: a fresh Prefect server, the runner and the dispatcher on
one SQLite file, with a local SMTP catcher, all under a scratch directory."""

from __future__ import annotations

import asyncio
import os
import subprocess
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from models.db import Database
from models.migrate import upgrade
from notifications.catcher import MailCatcher


@dataclass(frozen=True)
class Embedded:
    work: Path
    api_url: str
    server: subprocess.Popen[bytes]
    runner: subprocess.Popen[bytes]
    db: Database
    catcher: MailCatcher


@asynccontextmanager
async def embedded(
    prefix: str,
    load: Callable[[Database], None],
    app_db_url: str | None = None,
    prefect_db_url: str | None = None,
) -> AsyncIterator[Embedded]:
    """Start everything `make serve` starts (the app database filled by `load`); stop it all after.
    Both databases are SQLite files under the scratch directory unless URLs are given (the
    production configuration: PostgreSQL, one database each)."""
    from flows.embedded import free_port, prefect_env, start_prefect_server, start_runner, stop

    work = Path(tempfile.mkdtemp(prefix=prefix))
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    os.environ.update(prefect_env(api_url, work / "prefect"))  # before Prefect is imported below
    print(f"starting a Prefect server and a runner under {work}…", flush=True)
    server_env = {"PREFECT_API_DATABASE_CONNECTION_URL": prefect_db_url} if prefect_db_url else None
    server = start_prefect_server(port, work / "prefect", work / "server.log", server_env)
    from flows.driver import drive
    from models.settings import Settings
    from notifications.dispatcher import Dispatcher

    url = app_db_url or f"sqlite:///{work / 'banhanh.db'}"
    upgrade(url)
    db = Database.from_url(url)
    load(db)
    catcher = MailCatcher(work / "mail", port=0).start()
    runner = start_runner(
        api_url,
        work / "prefect",
        work / "runner.log",
        {"DATABASE_URL": url, "BANHANH_DATA_DIR": str(work), "BANHANH_SMTP_PORT": str(catcher.port)},
    )
    settings = Settings(_env_file=None, data_dir=work, database_url=url, smtp_port=catcher.port)
    dispatcher = Dispatcher(db, settings, driver=drive)
    task = asyncio.create_task(dispatcher.run())
    try:
        await asyncio.sleep(8)  # the runner registers its deployments
        yield Embedded(work, api_url, server, runner, db, catcher)
    finally:
        dispatcher.stop()
        await task
        stop(runner)
        catcher.stop()
        stop(server)
