"""The embedded default for tests, one of each per session where it can be: a real Prefect
server, a real runner serving the deployments, the dispatcher and a real SMTP catcher.

The root conftest imports the fixtures, so every test directory shares the one server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from flows.embedded import healthy, start_prefect_server, start_runner, stop
from flows.names import ISSUE_PLAN_FULL_NAME
from models.db import Database
from models.settings import Settings
from notifications.catcher import MailCatcher
from tests.conftest import PREFECT_HOME, PREFECT_PORT

API_URL = f"http://127.0.0.1:{PREFECT_PORT}/api"


@dataclass
class PrefectServer:
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = start_prefect_server(PREFECT_PORT, PREFECT_HOME, self.log)

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    server = PrefectServer(tmp_path_factory.mktemp("prefect-logs") / "server.log")
    server.start()
    yield server
    server.stop()


@dataclass
class Engine:
    """What `make serve` runs, pointed at one test database and one catcher."""

    db: Database
    settings: Settings
    catcher: MailCatcher
    runner: subprocess.Popen[bytes]
    runner_log: Path
    extra_env: dict[str, str] = field(default_factory=dict)

    def restart_runner(self) -> None:
        stop(self.runner)
        self.runner = start_runner(API_URL, PREFECT_HOME, self.runner_log, self.extra_env)
        wait_for_deployment()


def wait_for_deployment(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            r = httpx.get(f"{API_URL}/deployments/name/{ISSUE_PLAN_FULL_NAME}", timeout=2)
            if r.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError("the runner did not register its deployments")


@pytest.fixture
def engine(prefect_server: PrefectServer, db: Database, db_url: str, tmp_path: Path) -> Iterator[Engine]:
    assert healthy(API_URL)
    catcher = MailCatcher(tmp_path / "mail", port=0).start()
    env = {"DATABASE_URL": db_url, "BANHANH_DATA_DIR": str(tmp_path), "BANHANH_SMTP_PORT": str(catcher.port)}
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=db_url,
        smtp_port=catcher.port,  # type: ignore[call-arg]
        dispatch_interval=0.1,
    )
    log = tmp_path / "runner.log"
    runner = start_runner(API_URL, PREFECT_HOME, log, env)
    wait_for_deployment()
    eng = Engine(db, settings, catcher, runner, log, env)
    yield eng
    stop(eng.runner)
    catcher.stop()
    if os.environ.get("BANHANH_SHOW_RUNNER_LOG"):
        print(log.read_text())


@pytest.fixture
async def dispatcher(engine: Engine) -> AsyncIterator[object]:
    from flows.driver import drive
    from notifications.dispatcher import Dispatcher

    d = Dispatcher(engine.db, engine.settings, driver=drive)
    task = asyncio.create_task(d.run())
    yield d
    d.stop()
    await asyncio.wait_for(task, 30)
