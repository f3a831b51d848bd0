"""The real Prefect server starts, and its scheduler schedules runs, with the locked versions.

Prefect 3.8.8's server crashed on import with FastAPI 0.165 and its scheduler failed with
SQLAlchemy 2.1; Prefect 3.9.1 works with SQLAlchemy 2.1 (pyproject.toml no longer caps it), and
these tests are what says so."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from flows.embedded import free_port, start_prefect_server, stop
from tests.engine import API_URL, PrefectServer

SCHEDULE_DEADLINE_S = 120
RETRIES = 20


def _post(url: str, body: dict[str, object]) -> httpx.Response:
    """POST as Prefect's own client does: a 503 (its SQLite busy while the scheduler and the
    other services start on a loaded machine) is answered again a moment later."""
    for _ in range(RETRIES):
        response = httpx.post(url, json=body, timeout=30)
        if response.status_code != 503:
            break
        time.sleep(1)
    response.raise_for_status()
    return response


def test_the_real_prefect_server_starts(prefect_server: PrefectServer) -> None:
    assert prefect_server.proc is not None and prefect_server.proc.poll() is None
    assert httpx.get(f"{API_URL}/health", timeout=5).json() is True
    assert httpx.get(f"{API_URL}/admin/version", timeout=5).json().startswith("3.")


@pytest.mark.slow
def test_the_scheduler_schedules_runs_of_an_interval_deployment(tmp_path: Path) -> None:
    """The reconcile and reminders deployments run on interval schedules under `make serve`.
    The session's server runs no scheduler (tests/conftest.py): this one has its own, as
    `make serve` does, on the embedded default's SQLite."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    log = tmp_path / "server.log"
    server = start_prefect_server(
        port, tmp_path / "prefect", log, {"PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "true"}
    )
    try:
        flow = _post(f"{api}/flows/", {"name": "scheduled"})
        deployment = _post(
            f"{api}/deployments/",
            {
                "name": "every-minute",
                "flow_id": flow.json()["id"],
                "schedules": [{"schedule": {"interval": 60}, "active": True}],
            },
        )
        flt = {
            "deployment_id": {"any_": [deployment.json()["id"]]},
            "state": {"type": {"any_": ["SCHEDULED"]}},
        }
        deadline = time.monotonic() + SCHEDULE_DEADLINE_S
        while True:
            found = _post(f"{api}/flow_runs/filter", {"flow_runs": flt})
            if found.json():
                break
            assert server.poll() is None, f"the Prefect server exited: {log.read_text()[-3000:]}"
            assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
            assert time.monotonic() < deadline, (
                f"no run scheduled in {SCHEDULE_DEADLINE_S} s: {log.read_text()[-3000:]}"
            )
            time.sleep(1)
        assert all(run["auto_scheduled"] for run in found.json())
        assert "Traceback" not in log.read_text()
    finally:
        stop(server)
