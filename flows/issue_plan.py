"""The issue-plan flow: one run per plan, from submission to every recipient's inbox.

The database is the source of truth. Each (re)start reads the plan's state and does the
next thing: suspend at a human step (holding no process), or render and distribute.
On resume Prefect starts the flow again from the top, so every step is idempotent
against the database rather than relying on Prefect's result cache.
"""

from __future__ import annotations

import anyio
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.flow_runs import asuspend_flow_run
from prefect.runtime import flow_run

from flows import steps
from flows.names import ISSUE_PLAN_FLOW
from models.lifecycle import State
from models.services import runs


@task(name="record-run", cache_policy=NO_CACHE)
async def record_run(plan_id: int, run_id: str) -> None:
    await anyio.to_thread.run_sync(runs.set_flow_run, steps.database(), plan_id, run_id)


@task(name="read-plan", cache_policy=NO_CACHE)
async def read_plan(plan_id: int) -> runs.PlanSnapshot:
    return await anyio.to_thread.run_sync(runs.snapshot, steps.database(), plan_id)


@task(name="waiting", task_run_name="waiting for a person: {step}", cache_policy=NO_CACHE)
async def record_waiting(plan_id: int, step: str) -> None:
    """Record the step the run waits on, right before it suspends (the Prefect UI shows it too).

    The dispatcher resumes the run only when the database has moved past this step, so a
    decision that lands between the read and the suspend is still acted on.
    """
    await anyio.to_thread.run_sync(runs.set_wait_key, steps.database(), plan_id, step)


@task(name="issue", cache_policy=NO_CACHE)
async def issue(plan_id: int) -> None:
    """The organisation issues automatically: the engine takes the văn thư's step (number, seal)."""
    await anyio.to_thread.run_sync(steps.issue, plan_id)


@task(name="render-document", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
async def render_document(plan_id: int) -> None:
    await anyio.to_thread.run_sync(steps.render_and_store, plan_id)


@task(name="distribute", retries=3, retry_delay_seconds=[5, 30, 120], cache_policy=NO_CACHE)
async def distribute(plan_id: int) -> dict[str, int]:
    return await steps.distribute(plan_id, logger=get_run_logger())  # progress per batch in the run's log


@flow(name=ISSUE_PLAN_FLOW, log_prints=True, retries=0)
async def issue_plan(plan_id: int) -> str:
    logger = get_run_logger()
    await record_run(plan_id, str(flow_run.get_id()))
    fired: dict[str, int] = {}
    distributed = False
    while True:
        plan = await read_plan(plan_id)
        if plan.is_final:
            logger.info("plan %s is %s", plan_id, plan.state)
            return plan.state.value
        if plan.state is State.AWAITING_ISSUANCE and plan.automatic_issuance:
            logger.info("plan %s: issuing it for the organisation", plan_id)
            await issue(plan_id)
            continue
        if plan.state in (State.SIGNED, State.DISTRIBUTING) and not distributed:
            if plan.state is State.SIGNED:
                logger.info("plan %s: rendering the issued document", plan_id)
                await render_document(plan_id)
            counts = await distribute(plan_id)
            distributed = True  # once per start: copies the relay cannot take now are the dispatcher's
            logger.info("plan %s: distributed %s", plan_id, counts)
            continue
        key = plan.expected_wait_key
        if key is not None:
            # A key that already fired returns at once (the run was resumed for this step
            # before); wait again under a fresh key rather than spin.
            attempt = fired.get(key, 0)
            fired[key] = attempt + 1
            step = key if attempt == 0 else f"{key}.{attempt}"
            await record_waiting(plan_id, key)
            if plan.state is State.DISTRIBUTING:
                logger.info("plan %s: waiting for the copies still queued (%s)", plan_id, step)
            else:
                logger.info("plan %s: waiting for a person (%s)", plan_id, step)
            await asuspend_flow_run(key=step, timeout=None)
            continue
        distributed = False  # signed again after a failed start: distribute
