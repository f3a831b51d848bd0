"""End-to-end throughput: N plans, each through two reviews, signing and 20 emailed recipients.

Engine run: the embedded default (Prefect server on SQLite, the runner, the outbox
dispatcher with the flow driver, the local SMTP catcher). The people act the way they do in
the office: each decision is taken once the plan's run waits for it. CPU is counted for
every process: the server's tree, the runner with its flow-run processes, and this process
(dispatcher, catcher, the people's service calls). The decision-to-notification latency
(last approval committed → the signer's email accepted by the SMTP server) is measured for
every plan while the run is in progress.

Baseline in the same run: the same service calls made directly, without Prefect (render,
distribute and send in this process), plan after plan.

Run: `python -m bench.throughput [--plans N]` (default 200; BENCH_THROUGHPUT_PLANS).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import dataclasses
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from bench.latency import percentile
from bench.procstat import rss_mb, tree, tree_cpu_seconds
from models.db import Database
from models.lifecycle import State, wait_key
from models.migrate import upgrade
from models.plans import Plan, PlanVersion
from models.policies import Decision
from models.services import plans, reviews, signing
from models.services.directory import load_directory
from models.services.queries import outbox, plan_status
from models.settings import Settings
from notifications.catcher import MailCatcher, read_index
from tests.factory import R1, R2, SECRETARIAT, SIGNER, current_hash, example_config, load_people, sample_draft

RECIPIENTS = 20
DEADLINE_S = 4 * 3600
HEADING = "## End-to-end throughput"


@dataclass(frozen=True)
class Throughput:
    plans: int
    engine_seconds: float
    engine_plans_per_min: float
    engine_cpu_s_per_plan: float
    server_cpu_s_per_plan: float
    runner_cpu_s_per_plan: float
    bench_process_cpu_s_per_plan: float
    flow_run_starts_per_plan: float
    runner_peak_rss_mb: float
    runner_peak_processes: int
    latency_p50_s: float
    latency_p95_s: float
    direct_seconds: float
    direct_plans_per_min: float
    direct_cpu_s_per_plan: float
    emails: int


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load_office(db: Database) -> None:
    """The demo organisation with 20 more units, each with an address."""
    load_people(db)
    config: dict[str, Any] = copy.deepcopy(example_config())
    config["units"] += [
        {"code": f"don-vi-{i}", "name": f"Đơn vị số {i}", "email": f"donvi{i}@hamliem.example.vn"}
        for i in range(1, RECIPIENTS + 1)
    ]
    load_directory(db, config)


def new_plan(db: Database) -> int:
    lines = tuple((f"Đơn vị số {i}", "") for i in range(1, RECIPIENTS + 1))
    draft = dataclasses.replace(sample_draft(), recipient_lines=(*lines, ("Lưu Văn phòng Đảng ủy", "")))
    plan_id = plans.create_plan(db, SECRETARIAT, "hamliem", draft).plan_id
    plans.assign(db, plan_id, SECRETARIAT, reviewers=[R1, R2])
    return plan_id


def approve_both(db: Database, plan_id: int) -> datetime:
    """Both reviewers approve; returns the time just before the last approval commits."""
    version = current_hash(db, plan_id)
    reviews.decide(db, plan_id, R1, Decision.APPROVE, version)
    committed = db.clock()
    reviews.decide(db, plan_id, R2, Decision.APPROVE, version)
    return committed


def sign(db: Database, plan_id: int) -> None:
    signing.sign(db, plan_id, SIGNER, current_hash(db, plan_id))


def fresh_database(work: Path) -> tuple[Database, str]:
    url = f"sqlite:///{work / 'banhanh.db'}"
    upgrade(url)
    db = Database.from_url(url)
    load_office(db)
    return db, url


def latencies(mail_dir: Path, approved_at: dict[int, datetime]) -> list[float]:
    received = {
        e["plan_id"]: datetime.fromisoformat(e["received_at"])
        for e in read_index(mail_dir)
        if e.get("event") == "ready_to_sign"
    }
    return [(received[p] - at).total_seconds() for p, at in approved_at.items() if p in received]


async def _outbox_drained(db: Database) -> None:
    while any(
        m["kind"] == "email" and m["status"] not in {"sent", "failed"}
        for m in await asyncio.to_thread(outbox, db)
    ):
        await asyncio.sleep(0.5)


async def direct_run(n: int) -> tuple[float, float, int]:
    """The same service calls without Prefect: (seconds, CPU seconds, emails accepted)."""
    from flows.steps import distribute, render_and_store
    from notifications.dispatcher import Dispatcher

    work = Path(tempfile.mkdtemp(prefix="banhanh-direct-"))
    db, url = fresh_database(work)
    catcher = MailCatcher(work / "mail", port=0).start()
    settings = Settings(_env_file=None, data_dir=work, database_url=url, smtp_port=catcher.port)
    dispatcher = Dispatcher(db, settings)  # the people's notifications; no flows to drive
    task = asyncio.create_task(dispatcher.run())
    plan_ids = [new_plan(db) for _ in range(n)]
    cpu, start = _self_cpu(), time.monotonic()
    try:
        for plan_id in plan_ids:
            await asyncio.to_thread(plans.submit, db, plan_id, SECRETARIAT)
            await asyncio.to_thread(approve_both, db, plan_id)
            await asyncio.to_thread(sign, db, plan_id)
            await asyncio.to_thread(render_and_store, plan_id, db)
            await distribute(plan_id, db, settings)
        await _outbox_drained(db)
        seconds, cpu = time.monotonic() - start, _self_cpu() - cpu
    finally:
        dispatcher.stop()
        await task
        catcher.stop()
    assert all(plan_status(db, p)["state"] == "issued" for p in plan_ids)
    return seconds, cpu, len(read_index(catcher.mail_dir))


def _steps(db: Database) -> dict[int, tuple[State, bool]]:
    """Every plan's state and whether its run has recorded that it waits for that step (one query)."""
    with db.read() as session:
        rows = session.exec(
            select(Plan, PlanVersion.seq).join(PlanVersion, col(PlanVersion.id) == Plan.current_version_id)
        ).all()
    return {
        plan.id or 0: (
            State(plan.state),
            plan.wait_key is not None
            and plan.wait_key == wait_key(State(plan.state), plan.review_round, seq),
        )
        for plan, seq in rows
    }


async def _act_when_waited(db: Database, plan_ids: list[int], approved_at: dict[int, datetime]) -> None:
    """Each person acts once the run waits for them (in the office they act hours later)."""
    pending = set(plan_ids)
    deadline = time.monotonic() + DEADLINE_S
    while pending:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(pending)} plans not issued")
        for plan_id, (state, waiting) in (await asyncio.to_thread(_steps, db)).items():
            if plan_id not in pending:
                continue
            if state is State.ISSUED:
                pending.discard(plan_id)
            elif waiting and state is State.IN_REVIEW:
                approved_at[plan_id] = await asyncio.to_thread(approve_both, db, plan_id)
            elif waiting and state is State.APPROVED:
                await asyncio.to_thread(sign, db, plan_id)
        await asyncio.sleep(1)


async def _completed_runs(api_url: str) -> int:
    import httpx

    async with httpx.AsyncClient(timeout=30) as client:
        found: list[dict[str, Any]] = []
        while True:
            r = await client.post(
                f"{api_url}/flow_runs/filter",
                json={"flow_runs": {"tags": {"all_": ["banhanh"]}}, "limit": 200, "offset": len(found)},
            )
            r.raise_for_status()
            found += r.json()
            if len(r.json()) < 200:
                break
    return sum(1 for r in found if r["state_type"] == "COMPLETED")


async def engine_run(n: int) -> dict[str, Any]:
    from bench.engine import embedded

    peak = {"rss_mb": 0.0, "processes": 0}
    approved_at: dict[int, datetime] = {}
    async with embedded("banhanh-throughput-", load_office) as e:

        async def sample() -> None:
            while True:
                procs = tree(e.runner.pid)
                peak["rss_mb"] = max(peak["rss_mb"], rss_mb(procs))
                peak["processes"] = max(peak["processes"], len(procs))
                await asyncio.sleep(1)

        sampler = asyncio.create_task(sample())
        try:
            plan_ids = [new_plan(e.db) for _ in range(n)]
            idle_children = len(tree(e.runner.pid))
            cpu0 = (tree_cpu_seconds(e.server.pid), tree_cpu_seconds(e.runner.pid), _self_cpu())
            start = time.monotonic()
            for plan_id in plan_ids:
                await asyncio.to_thread(plans.submit, e.db, plan_id, SECRETARIAT)
            await _act_when_waited(e.db, plan_ids, approved_at)
            seconds = time.monotonic() - start
            while await _completed_runs(e.api_url) < n or len(tree(e.runner.pid)) > idle_children:
                await asyncio.sleep(1)  # every run completed and its process reaped: its CPU is counted
            await _outbox_drained(e.db)
            cpu1 = (tree_cpu_seconds(e.server.pid), tree_cpu_seconds(e.runner.pid), _self_cpu())
            # Each flow-run process logs this line once when it starts (first start and every resume).
            starts = (e.work / "runner.log").read_text(errors="replace").count("Beginning flow run")
        finally:
            sampler.cancel()
    lat = latencies(e.catcher.mail_dir, approved_at)
    return {
        "seconds": seconds,
        "cpu": [b - a for a, b in zip(cpu0, cpu1, strict=True)],
        "starts": starts,
        "peak": peak,
        "latency": lat,
        "emails": len(read_index(e.catcher.mail_dir)),
    }


async def measure(n: int) -> Throughput:
    engine = await engine_run(n)
    direct_s, direct_cpu, _ = await direct_run(n)
    server_cpu, runner_cpu, own_cpu = engine["cpu"]
    lat = engine["latency"]
    return Throughput(
        plans=n,
        engine_seconds=round(engine["seconds"], 1),
        engine_plans_per_min=round(n / engine["seconds"] * 60, 2),
        engine_cpu_s_per_plan=round((server_cpu + runner_cpu + own_cpu) / n, 2),
        server_cpu_s_per_plan=round(server_cpu / n, 2),
        runner_cpu_s_per_plan=round(runner_cpu / n, 2),
        bench_process_cpu_s_per_plan=round(own_cpu / n, 2),
        flow_run_starts_per_plan=round(engine["starts"] / n, 2),
        runner_peak_rss_mb=round(engine["peak"]["rss_mb"], 1),
        runner_peak_processes=engine["peak"]["processes"],
        latency_p50_s=round(statistics.median(lat), 3),
        latency_p95_s=round(percentile(lat, 0.95), 3),
        direct_seconds=round(direct_s, 1),
        direct_plans_per_min=round(n / direct_s * 60, 2),
        direct_cpu_s_per_plan=round(direct_cpu / n, 2),
        emails=engine["emails"],
    )


def report_markdown(r: Throughput, command: str) -> str:
    import prefect

    ratio = r.engine_cpu_s_per_plan / r.direct_cpu_s_per_plan if r.direct_cpu_s_per_plan else 0
    load = os.getloadavg()[0]
    return (
        f"{HEADING}\n\n"
        f"Command: `{command}` · machine: {os.cpu_count()} cores, {platform.platform()} · "
        f"Python {platform.python_version()} · Prefect {prefect.__version__} · app database SQLite · "
        f"load average at the end {load:.1f}\n\n"
        f"{r.plans} plans, each through two reviews, signing, rendering and distribution to "
        f"{RECIPIENTS} emailed recipients, on the embedded default (Prefect server on SQLite, runner, "
        "dispatcher, SMTP catcher). Each decision is taken once the plan's run waits for it. CPU counts "
        "every process: the server's tree, the runner with its flow-run processes, and the bench process "
        "(dispatcher, SMTP catcher, the people's service calls). Baseline in the same run: the same "
        "service calls made directly in one process, without Prefect.\n\n"
        "| | engine (Prefect) | direct (no Prefect) |\n|---|---|---|\n"
        f"| wall time | {r.engine_seconds} s | {r.direct_seconds} s |\n"
        f"| plans per minute | {r.engine_plans_per_min} | {r.direct_plans_per_min} |\n"
        f"| CPU-seconds per plan | {r.engine_cpu_s_per_plan} | {r.direct_cpu_s_per_plan} |\n\n"
        f"Ratio engine/direct CPU per plan: {ratio:.1f}. Where the engine's CPU goes, per plan: Prefect "
        f"server {r.server_cpu_s_per_plan} s, runner and flow-run processes {r.runner_cpu_s_per_plan} s "
        f"({r.flow_run_starts_per_plan} flow-run process starts per plan), bench process "
        f"{r.bench_process_cpu_s_per_plan} s. Runner peak: {r.runner_peak_rss_mb} MB resident in "
        f"{r.runner_peak_processes} processes. Emails accepted by the SMTP server: {r.emails}.\n\n"
        "Decision to next notification while the run is in progress (last approval committed → the "
        f"signer's email accepted by the SMTP server, {r.plans} samples): p50 {r.latency_p50_s} s, "
        f"p95 {r.latency_p95_s} s.\n"
    )


def main() -> None:
    from bench.waiting import write_section

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=int(os.environ.get("BENCH_THROUGHPUT_PLANS", "200")))
    args = parser.parse_args()
    result = asyncio.run(measure(args.plans))
    command = "make bench" if args.plans == 200 else f"python -m bench.throughput --plans {args.plans}"
    text = report_markdown(result, command)
    print(text)
    write_section(Path("BENCHMARKS.md"), HEADING, text)
    sys.exit(0 if result.emails >= result.plans * RECIPIENTS else 1)


if __name__ == "__main__":
    main()
