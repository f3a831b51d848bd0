"""Reconcile: re-drive every plan whose database state is ahead of its flow run.

Covers a decision committed while Prefect was down, one that landed while the run was on
its way to suspending, a run that crashed, and a run that lost its process with nobody left
to say so (still Running or Pending in Prefect: see ``driver.dead_runs``). Scheduled on the
runner; safe to run twice.
"""

from __future__ import annotations

import logging

import anyio
from prefect import flow, get_run_logger

from flows import steps
from flows.driver import Drive, dead_runs, drive_known, read_runs
from flows.names import RECONCILE_FLOW
from models.db import Database
from models.services import runs

log = logging.getLogger("banhanh.reconcile")


async def reconcile_plans(db: Database) -> dict[str, int]:
    """Drive every active plan; the runs are read in pages, so a plan only costs an API call
    when its run has to be started or resumed (a thousand waiting plans: five requests)."""
    counts = {"done": 0, "retry": 0, "error": 0}
    plans = [
        await anyio.to_thread.run_sync(runs.snapshot, db, plan_id)
        for plan_id in await anyio.to_thread.run_sync(runs.active_plan_ids, db)
    ]
    try:
        found = await read_runs([p.flow_run_id for p in plans if p.flow_run_id is not None])
        dead = await dead_runs(found.values())
    except Exception as exc:  # Prefect unreachable: nothing lost, nothing done; the next pass retries
        log.warning("reconcile: could not read the flow runs (%s: %s)", type(exc).__name__, exc)
        counts["error"] = len(plans)
        return counts
    for plan in plans:
        run = found.get(plan.flow_run_id) if plan.flow_run_id is not None else None
        try:
            result = await drive_known(db, plan, run, dead.get(plan.flow_run_id or ""))
        except Exception:
            log.warning("reconcile: plan %s not driven", plan.plan_id, exc_info=True)
            counts["error"] += 1
            continue
        counts["done" if result is Drive.DONE else "retry"] += 1
    return counts


@flow(name=RECONCILE_FLOW, log_prints=True)
async def reconcile() -> dict[str, int]:
    counts = await reconcile_plans(steps.database())
    get_run_logger().info("reconciled active plans: %s", counts)
    return counts
