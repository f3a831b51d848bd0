"""Driving a plan's flow run from the database: start it, or resume it when the plan moved on.

Used by the outbox dispatcher after each transition that drives the flow, and by the
reconcile flow for every active plan. Idempotent: it compares what the run waits on with
what the database says it should wait on.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from uuid import UUID

import anyio
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import arun_deployment
from prefect.exceptions import ObjectNotFound
from prefect.flow_runs import aresume_flow_run

from flows.names import ISSUE_PLAN_FULL_NAME
from models.db import Database
from models.lifecycle import State
from models.services import runs

log = logging.getLogger("banhanh.driver")

PAGE = 200  # flow runs read per request by reconcile


class Drive(StrEnum):
    DONE = "done"  # the run is where the database says it should be (or was sent there)
    RETRY = "retry"  # the run is on its way to a step; look again shortly


async def start_run(db: Database, plan: runs.PlanSnapshot, after: str | None = None) -> str:
    """One run per plan: the idempotency key makes a repeated start return the same run."""
    key = f"issue-plan-{plan.uid}" + (f"-after-{after}" if after else "")
    run = await arun_deployment(
        ISSUE_PLAN_FULL_NAME,
        parameters={"plan_id": plan.plan_id},
        idempotency_key=key,
        flow_run_name=plan.run_name,
        timeout=0,
        as_subflow=False,
        tags=["banhanh", f"plan-{plan.uid}"],
    )
    await anyio.to_thread.run_sync(runs.set_flow_run, db, plan.plan_id, str(run.id))
    log.info("plan %s: started flow run %s", plan.plan_id, run.id)
    return str(run.id)


async def drive(db: Database, plan_id: int) -> Drive:
    plan = await anyio.to_thread.run_sync(runs.snapshot, db, plan_id)
    if plan.flow_run_id is None:
        return await drive_known(db, plan, None)
    async with get_client() as client:
        try:
            run = await client.read_flow_run(UUID(plan.flow_run_id))
        except ObjectNotFound:
            run = None
    return await drive_known(db, plan, run)


async def read_runs(flow_run_ids: list[str]) -> dict[str, FlowRun]:
    """The flow runs with these ids that exist, read in pages of ``PAGE`` (one request each)."""
    found: dict[str, FlowRun] = {}
    async with get_client() as client:
        for start in range(0, len(flow_run_ids), PAGE):
            page = [UUID(i) for i in flow_run_ids[start : start + PAGE]]
            runs_ = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=page)), limit=len(page)
            )
            found.update((str(r.id), r) for r in runs_)
    return found


async def drive_known(db: Database, plan: runs.PlanSnapshot, run: FlowRun | None) -> Drive:
    """``drive`` with the plan and its run (None: none, or gone) already read."""
    if plan.flow_run_id is None:
        if (plan.state is State.DRAFT and plan.review_round == 0) or plan.is_final:
            return Drive.DONE  # never submitted, or ended before a run was needed
        await start_run(db, plan)
        return Drive.DONE
    plan_id = plan.plan_id
    if run is None or run.state is None:
        if plan.is_final:
            return Drive.DONE
        await start_run(db, plan, after=plan.flow_run_id)
        return Drive.DONE
    state = run.state
    if state.is_paused():
        if plan.recorded_wait_key != plan.expected_wait_key:
            await aresume_flow_run(run.id)
            log.info(
                "plan %s: resumed run %s (%s → %s)",
                plan_id,
                run.id,
                plan.recorded_wait_key,
                plan.expected_wait_key or plan.state,
            )
        return Drive.DONE
    if state.is_final():
        if plan.is_final:
            return Drive.DONE
        # The run ended (crashed, cancelled, failed) while the plan is still active: a new run.
        await start_run(db, plan, after=plan.flow_run_id)
        return Drive.DONE
    if (
        state.is_running()
        and plan.expected_wait_key is not None
        and plan.recorded_wait_key != plan.expected_wait_key
    ):
        return Drive.RETRY  # it may have read the database before this decision: look again
    return Drive.DONE  # scheduled or pending runs read the database when they start
