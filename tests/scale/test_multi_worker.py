"""Scale-out: two Prefect process workers, one Prefect server and one app database, both on
PostgreSQL, and the dispatcher as `make serve` runs it with a work pool. 12 plans at once.

What it proves: one flow run per plan, one copy per recipient (each plan's list has a group
that repeats a unit listed on its own line), numbers gap-free under concurrent signings, and
both workers ran flow runs. 12 plans is three times one worker's limit (4): each of the three
waves of runs (start, resume after review, resume after signing) cannot fit in one worker, and
the 12 signatures land at once while those runs resume.

Needs TEST_DATABASE_URL (the PostgreSQL server; its own database is never touched: this test
creates and drops banhanh_mw_app_* and banhanh_mw_prefect_*). Skipped without it, except in CI.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from bench.pgdb import asyncpg_url, scratch_databases
from flows.embedded import free_port, prefect_env, start_prefect_server, stop
from models.db import Database
from models.lifecycle import State
from models.migrate import upgrade
from models.policies import Decision
from models.records import AuditEntry
from models.services import plans, reviews, runs, signing
from models.services.queries import deliveries, plan_status
from notifications.catcher import MailCatcher, read_index
from tests.conftest import IN_CI, PG_URL
from tests.factory import R1, R2, SECRETARIAT, SIGNER, build, current_hash, load_people

pytestmark = [pytest.mark.slow, pytest.mark.longest]

PLANS = 12
WORKER_LIMIT = 4
POOL = "plans"
PHASE_DEADLINE_S = 1200


@pytest.fixture
def pg_urls() -> Iterator[list[str]]:
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI=true needs TEST_DATABASE_URL for the multi-worker test")
        pytest.skip("TEST_DATABASE_URL is not set")
    with scratch_databases(PG_URL, "banhanh_mw_app", "banhanh_mw_prefect") as urls:
        yield urls


def poll(what: str, check: Callable[[], Any], timeout: float = PHASE_DEADLINE_S) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(1)
    return value


def flow_runs(api_url: str, **flt: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        r = httpx.post(
            f"{api_url}/flow_runs/filter",
            json={"flow_runs": flt, "limit": 200, "offset": len(found)},
            timeout=30,
        )
        r.raise_for_status()
        found += r.json()
        if len(r.json()) < 200:
            return found


def spawn(cmd: list[str], env: dict[str, str], log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def test_two_workers_issue_each_plan_once(pg_urls: list[str], tmp_path: Path) -> None:
    app_url, prefect_db_url = pg_urls
    upgrade(app_url)
    db = Database.from_url(app_url)
    load_people(db)
    catcher = MailCatcher(tmp_path / "mail", port=0).start()
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    home = tmp_path / "prefect"
    bin_dir = Path(sys.executable).parent
    server = start_prefect_server(
        port,
        home,
        tmp_path / "server.log",
        {"PREFECT_API_DATABASE_CONNECTION_URL": asyncpg_url(prefect_db_url)},
    )
    env = {
        **prefect_env(api_url, home),
        "PREFECT_LOGGING_LEVEL": "INFO",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "DATABASE_URL": app_url,
        "BANHANH_DATA_DIR": str(tmp_path),
        "BANHANH_SMTP_PORT": str(catcher.port),
        "BANHANH_CATCHER": "false",
        "BANHANH_WORK_POOL": POOL,
    }
    procs: list[subprocess.Popen[bytes]] = []
    try:
        subprocess.run([sys.executable, "-m", "flows.deploy"], env=env, cwd=tmp_path, check=True, timeout=300)
        for name in ("w1", "w2"):
            worker = [str(bin_dir / "prefect"), "worker", "start", "--pool", POOL, "--name", name]
            procs.append(
                spawn([*worker, "--limit", str(WORKER_LIMIT)], env, tmp_path / f"{name}.log", tmp_path)
            )
        procs.append(spawn([sys.executable, "-m", "flows.serve"], env, tmp_path / "serve.log", tmp_path))

        plan_ids = [build(db, State.DRAFT) for _ in range(PLANS)]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda p: plans.submit(db, p, SECRETARIAT), plan_ids))

        def all_waiting_on(key: str) -> bool:
            return all(runs.snapshot(db, p).recorded_wait_key == key for p in plan_ids)

        poll("every run to wait for review", lambda: all_waiting_on("review-r1"))
        for plan_id in plan_ids:
            version = current_hash(db, plan_id)
            reviews.decide(db, plan_id, R1, Decision.APPROVE, version)
            reviews.decide(db, plan_id, R2, Decision.APPROVE, version)
        # Every signature at once, while the runs resume from review: numbers from one register.
        with ThreadPoolExecutor(PLANS) as pool:
            signed = list(pool.map(lambda p: signing.sign(db, p, SIGNER, current_hash(db, p)), plan_ids))
        poll(
            "every plan to be issued",
            lambda: all(plan_status(db, p)["state"] == "issued" for p in plan_ids),
        )

        def issue_runs() -> list[dict[str, Any]] | None:
            found = flow_runs(api_url, tags={"all_": ["banhanh"]})
            return found if all(r["state_type"] == "COMPLETED" for r in found) else None

        issued_runs = poll("every run to complete", issue_runs)
        uids = {f"plan-{runs.snapshot(db, p).uid}" for p in plan_ids}
    finally:
        for proc in reversed(procs):
            stop(proc)
        stop(server)
        catcher.stop()
        db.engine.dispose()

    assert not list(home.glob("prefect.db*")), "the Prefect server kept its state in PostgreSQL"
    assert sorted(s.number for s in signed) == list(range(1, PLANS + 1)), f"numbers gap-free 1..{PLANS}"
    per_plan = Counter(tag for r in issued_runs for tag in r["tags"] if tag.startswith("plan-"))
    started = [
        line
        for line in (tmp_path / "serve.log").read_text(errors="replace").splitlines()
        if "flow run" in line and ("started" in line or "lost" in line)
    ]
    assert per_plan == dict.fromkeys(uids, 1), "one flow run per plan; serve.log:\n" + "\n".join(started)
    mails = [m for m in read_index(catcher.mail_dir) if m.get("event") == "distributed"]
    copies = Counter((m["plan_id"], rcpt) for m in mails for rcpt in m["rcpt_tos"])
    assert copies and set(copies.values()) == {1}, "every recipient exactly one copy"
    for plan_id in plan_ids:
        emailed = sorted(d["email"] for d in deliveries(db, plan_id) if d["email"])
        assert emailed and sorted(r for (p, r) in copies if p == plan_id) == emailed
        with db.read() as session:
            actions = [
                e.action for e in session.exec(select(AuditEntry).where(AuditEntry.plan_id == plan_id))
            ]
        assert actions.count("complete_distribution") == 1 and actions.count("distribute") == 1
    served_by = {
        name: (tmp_path / f"{name}.log").read_text(errors="replace").count("submitting flow run")
        for name in ("w1", "w2")
    }
    assert all(served_by.values()), f"both workers ran flow runs: {served_by}"
