"""GET /healthz on the web app: the real Prefect server and a migrated SQLite file."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from flows.embedded import free_port
from models.settings import Settings
from tests.engine import API_URL
from web.app import create_app


async def healthz(settings: Settings) -> httpx.Response:
    app = create_app(settings.model_copy(update={"secret_key": "test-key"}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        return await client.get("/healthz")


@pytest.mark.usefixtures("prefect_server")
async def test_healthy_when_database_and_prefect_answer(db_url: str) -> None:
    r = await healthz(Settings(_env_file=None, database_url=db_url, prefect_api_url=API_URL))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["database"]["revision"]
    assert body["prefect"]["ok"] and body["prefect"]["version"].startswith("3.")
    assert body["late_plans"]["ok"] and body["late_plans"]["count"] == 0


async def test_unavailable_when_prefect_is_down(db_url: str) -> None:
    down = f"http://127.0.0.1:{free_port()}/api"
    r = await healthz(Settings(_env_file=None, database_url=db_url, prefect_api_url=down))
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "unavailable"
    assert body["database"]["ok"] and not body["prefect"]["ok"]
    assert "ConnectError" in body["prefect"]["error"]


@pytest.mark.usefixtures("prefect_server")
async def test_unavailable_when_the_database_is_not_migrated(tmp_path: Path) -> None:
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    r = await healthz(Settings(_env_file=None, database_url=empty, prefect_api_url=API_URL))
    assert r.status_code == 503
    body = r.json()
    assert not body["database"]["ok"] and "alembic_version" in body["database"]["error"]
    assert body["prefect"]["ok"]
