"""What waiting plans cost: N plans in review, their runs Suspended, against an idle runner.

Run with `make bench` (N=1000 by default; BENCH_WAITING_PLANS overrides). The CI suite
calls `waiting_cost` with 5 plans. The figures go to BENCHMARKS.md.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from bench.pgdb import asyncpg_url, scratch_databases
from bench.procstat import Proc, rss_mb, tree, tree_cpu_seconds
from models.db import Database
from models.lifecycle import State
from models.services import plans, runs

SUSPEND_DEADLINE_S = 3600
HEADING = "## Waiting costs no process"
# Past the 60 s a Prefect server on SQLite may wait for its write lock before it answers.
API_TIMEOUT_S = 90


@dataclass(frozen=True)
class WaitingReport:
    plans: int
    idle_processes: int
    idle_rss_mb: float
    waiting_processes: int
    waiting_rss_mb: float
    suspended: int
    db_bytes: int
    seconds_to_suspend_all: float
    seconds_to_complete_all: float
    runner_cpu_s_per_plan: float
    server_rss_mb: float | None = None  # the Prefect server's tree while every run waits
    prefect_db_bytes: int | None = None  # its SQLite database then


def _run_states(api_url: str, run_ids: list[str]) -> dict[str, str]:
    states: dict[str, str] = {}
    for i in range(0, len(run_ids), 200):
        r = httpx.post(
            f"{api_url}/flow_runs/filter",
            json={"flow_runs": {"id": {"any_": run_ids[i : i + 200]}}, "limit": 200},
            timeout=API_TIMEOUT_S,
        )
        r.raise_for_status()
        states |= {run["id"]: (run.get("state") or {}).get("name", "") for run in r.json()}
    return states


def url_size(url: str) -> int:
    """Bytes on disk of a database: a SQLite file with its journal, or a PostgreSQL database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    engine = create_engine(parsed.set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar() or 0)
    finally:
        engine.dispose()


def db_size(db: Database) -> int:
    return url_size(db.engine.url.render_as_string(hide_password=False))


def _count(api_url: str, state_name: str) -> int:
    """Plan runs (tagged by the driver) in this state: one request, however many plans."""
    r = httpx.post(
        f"{api_url}/flow_runs/count",
        json={"flow_runs": {"tags": {"all_": ["banhanh"]}, "state": {"name": {"any_": [state_name]}}}},
        timeout=API_TIMEOUT_S,
    )
    r.raise_for_status()
    return int(r.json())


async def _until(what: str, check: Callable[[], bool], timeout: float, every: float = 0.5) -> None:
    """Poll `check` until it holds. A Prefect API that does not answer in time counts as "not
    yet": on SQLite its server can hold a request up to its 60 s busy timeout under load."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if await asyncio.to_thread(check):
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(every)


async def settled(pid: int, timeout: float = 60) -> list[Proc]:
    """The runner's tree once its memory has stopped growing (it finishes importing after start)."""
    deadline = time.monotonic() + timeout
    samples = [rss_mb(tree(pid))]
    while time.monotonic() < deadline:
        await asyncio.sleep(1)
        samples.append(rss_mb(tree(pid)))
        last = samples[-4:]
        if len(last) == 4 and max(last) - min(last) <= 0.01 * max(last):
            break
    return tree(pid)


async def waiting_cost(
    db: Database,
    runner_pid: int,
    api_url: str,
    plan_ids: list[int],
    secretariat: str,
    server: tuple[int, Callable[[], int]] | None = None,
) -> WaitingReport:
    """Submit the (draft) plans, wait until every run is Suspended, measure, then finish them."""
    idle = await settled(runner_pid)
    cpu_before = tree_cpu_seconds(runner_pid)
    start = time.monotonic()
    for plan_id in plan_ids:
        plans.submit(db, plan_id, secretariat)

    def all_suspended() -> bool:
        # The count first: reading every plan each time would take the CPU the runs need.
        if _count(api_url, "Suspended") < len(plan_ids):
            return False
        snaps = [runs.snapshot(db, p) for p in plan_ids]
        if any(s.flow_run_id is None or s.recorded_wait_key != s.expected_wait_key for s in snaps):
            return False
        states = _run_states(api_url, [s.flow_run_id for s in snaps if s.flow_run_id])
        return list(states.values()).count("Suspended") == len(plan_ids)

    await _until("every run to suspend", all_suspended, SUSPEND_DEADLINE_S, every=2)
    await _until("the runner to be idle", lambda: len(tree(runner_pid)) <= len(idle), 120)
    suspended_s = time.monotonic() - start
    waiting = tree(runner_pid)
    run_ids = [runs.snapshot(db, p).flow_run_id or "" for p in plan_ids]
    suspended = list(_run_states(api_url, run_ids).values()).count("Suspended")
    size = db_size(db)
    server_rss = round(rss_mb(tree(server[0])), 1) if server else None
    prefect_db = server[1]() if server else None
    start = time.monotonic()
    for plan_id in plan_ids:  # one resume each: the run reads 'withdrawn' and completes
        plans.withdraw(db, plan_id, secretariat, "benchmark finished")

    def all_completed() -> bool:
        if _count(api_url, "Completed") < len(plan_ids):
            return False
        return list(_run_states(api_url, run_ids).values()).count("Completed") == len(plan_ids)

    await _until("every run to complete", all_completed, SUSPEND_DEADLINE_S, every=2)
    completed_s = time.monotonic() - start
    cpu = tree_cpu_seconds(runner_pid) - cpu_before
    return WaitingReport(
        plans=len(plan_ids),
        idle_processes=len(idle),
        idle_rss_mb=round(rss_mb(idle), 1),
        waiting_processes=len(waiting),
        waiting_rss_mb=round(rss_mb(waiting), 1),
        suspended=suspended,
        db_bytes=size,
        seconds_to_suspend_all=round(suspended_s, 1),
        seconds_to_complete_all=round(completed_s, 1),
        runner_cpu_s_per_plan=round(cpu / len(plan_ids), 2),
        server_rss_mb=server_rss,
        prefect_db_bytes=prefect_db,
    )


def report_markdown(report: WaitingReport, command: str, databases: str) -> str:
    import prefect

    rows = "\n".join(f"| {k} | {v} |" for k, v in asdict(report).items())
    return (
        f"{HEADING} ({databases})\n\n"
        f"Command: `{command}` · machine: {os.cpu_count()} cores, {platform.platform()} · "
        f"Python {platform.python_version()} · Prefect {prefect.__version__} · "
        f"app database and Prefect server's database: {databases}\n\n"
        "N plans are submitted; each flow run suspends at the review step. The runner's process tree "
        "(processes and resident memory) is counted when idle and again when all N runs are Suspended "
        "according to the Prefect API; then every plan is withdrawn, which resumes each run once to "
        "completion. CPU is the runner's own plus its reaped flow-run processes.\n\n"
        "| figure | value |\n|---|---|\n" + rows + "\n"
    )


async def _measure(n: int, app_db_url: str | None, prefect_db_url: str | None) -> WaitingReport:
    from bench.engine import embedded
    from tests.factory import SECRETARIAT, build, load_people

    async with embedded("banhanh-bench-", load_people, app_db_url, prefect_db_url) as e:
        plan_ids = [build(e.db, State.DRAFT) for _ in range(n)]
        prefect_url = prefect_db_url or f"sqlite:///{e.work / 'prefect' / 'prefect.db'}"
        return await waiting_cost(
            e.db,
            e.runner.pid,
            e.api_url,
            plan_ids,
            SECRETARIAT,
            server=(e.server.pid, lambda: url_size(prefect_url)),
        )


def _run(n: int, postgres: str | None) -> WaitingReport:
    """On the embedded default (SQLite files), or with both databases on the PostgreSQL server
    `postgres` (scratch databases, dropped after)."""
    if postgres is None:
        return asyncio.run(_measure(n, None, None))
    with scratch_databases(postgres, "banhanh_bench_waiting_app", "banhanh_bench_waiting_prefect") as urls:
        return asyncio.run(_measure(n, urls[0], asyncpg_url(urls[1])))


def write_section(path: Path, heading: str, text: str) -> None:
    """Replace one benchmark's section of BENCHMARKS.md, keeping the others."""
    intro = (
        "# Benchmarks\n\nEach section says the command that produced it. Machines are shared and noisy.\n\n"
    )
    current = path.read_text(encoding="utf-8") if path.exists() else intro
    start = current.find(heading)
    if start < 0:
        path.write_text(current.rstrip("\n") + "\n\n" + text, encoding="utf-8")
        return
    end = current.find("\n## ", start + len(heading))
    rest = current[end + 1 :] if end >= 0 else ""
    path.write_text(current[:start] + text + ("\n" + rest if rest else ""), encoding="utf-8")


def main() -> None:
    """BENCH_WAITING_DATABASES=sqlite|postgresql (default: postgresql when BENCH_POSTGRES_URL or
    TEST_DATABASE_URL names a server, as in the province configuration; else sqlite)."""
    n = int(os.environ.get("BENCH_WAITING_PLANS", "1000"))
    server = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_DATABASE_URL")
    which = os.environ.get("BENCH_WAITING_DATABASES") or ("postgresql" if server else "sqlite")
    if which not in {"sqlite", "postgresql"} or (which == "postgresql" and not server):
        sys.exit("BENCH_WAITING_DATABASES: sqlite, or postgresql with BENCH_POSTGRES_URL set")
    report = _run(n, server if which == "postgresql" else None)
    label = "PostgreSQL" if which == "postgresql" else "SQLite, the embedded default"
    command = f"BENCH_WAITING_PLANS={n} BENCH_WAITING_DATABASES={which} python -m bench.waiting"
    text = report_markdown(report, command, label)
    print(text)
    write_section(Path("BENCHMARKS.md"), f"{HEADING} ({label})", text)
    sys.exit(0 if report.suspended == n and report.waiting_processes <= report.idle_processes else 1)


if __name__ == "__main__":
    main()
