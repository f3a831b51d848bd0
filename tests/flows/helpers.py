"""Helpers for flow tests: Prefect run states and plan states polled with deadlines, and the
fixture that points steps run in the test's process at its database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from flows import steps
from models.db import Database
from models.services import runs
from tests.engine import API_URL

DEADLINE_S = 90


def run_state(run_id: str) -> str:
    r = httpx.get(f"{API_URL}/flow_runs/{run_id}", timeout=5)
    r.raise_for_status()
    return str((r.json().get("state") or {}).get("name", ""))


async def until(what: str, check: Callable[[], Any], timeout: float = DEADLINE_S) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = await asyncio.to_thread(check)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.25)


async def suspended_on(db: Database, plan_id: int, key: str) -> str:
    """Wait until the plan's run is Suspended waiting on `key`; return the run id."""

    def check() -> str | None:
        snap = runs.snapshot(db, plan_id)
        if snap.flow_run_id and snap.recorded_wait_key == key and run_state(snap.flow_run_id) == "Suspended":
            return snap.flow_run_id
        return None

    return str(await until(f"plan {plan_id} suspended on {key}", check))


@pytest.fixture
def flow_database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Steps run in this process read the test's database (their settings are cached)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    steps.settings.cache_clear()
    steps.database.cache_clear()
    yield
    steps.settings.cache_clear()
    steps.database.cache_clear()
