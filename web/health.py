"""GET /healthz: is this process able to work? The app database and the Prefect API, each checked.

200 with the details when both answer, 503 with the same shape when either does not (a load
balancer or uptime check reads the status; an operator reads the JSON). The web app includes
`router`; the settings come from `current_settings`, which an app may override.

`late_plans` lists the plans whose flow run is late: automated work (render, send, act on a
decision) due for longer than `BANHANH_RUN_LATE_S` without progress. It does not change the
status code (the web app can still work), so an uptime check that wants to page on it reads
the JSON: `late_plans.count`.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from functools import cache
from typing import Any

import httpx
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text

from models.db import Database
from models.services import runs
from models.settings import Settings

CHECK_TIMEOUT_S = 3.0

router = APIRouter()


@cache
def current_settings() -> Settings:
    return Settings()


@cache
def _database(url: str) -> Database:
    return Database.from_url(url)


def _migration(url: str) -> str:
    with _database(url).engine.connect() as conn:
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


async def _timed(check: Any) -> dict[str, Any]:
    start = time.monotonic()
    try:
        detail = await asyncio.wait_for(check, CHECK_TIMEOUT_S)
    except Exception as exc:  # any failure is the answer: report it, never raise
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, **detail, "ms": round((time.monotonic() - start) * 1000, 1)}


async def check_database(url: str) -> dict[str, Any]:
    return {"backend": url.split(":", 1)[0], "revision": await asyncio.to_thread(_migration, url)}


async def check_prefect(api_url: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=CHECK_TIMEOUT_S) as client:
        r = await client.get(f"{api_url}/health")
        r.raise_for_status()
        version = (await client.get(f"{api_url}/admin/version")).json()
    return {"url": api_url, "version": version}


def _late(url: str, late_s: int) -> dict[str, Any]:
    late = runs.late_plans(_database(url), timedelta(seconds=late_s))
    return {"count": len(late), "after_s": late_s, "plans": [p.as_dict() for p in late[:50]]}


async def check_late_plans(url: str, late_s: int) -> dict[str, Any]:
    return await asyncio.to_thread(_late, url, late_s)


@router.get("/healthz")
async def healthz(settings: Settings = Depends(current_settings)) -> JSONResponse:
    database, prefect, late = await asyncio.gather(
        _timed(check_database(settings.db_url)),
        _timed(check_prefect(settings.prefect_api_url)),
        _timed(check_late_plans(settings.db_url, settings.run_late_s)),
    )
    ok = database["ok"] and prefect["ok"]
    body = {
        "status": "ok" if ok else "unavailable",
        "database": database,
        "prefect": prefect,
        "late_plans": late,
    }
    return JSONResponse(body, status_code=200 if ok else 503)
