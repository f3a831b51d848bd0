"""Driving a plan's flow run from the database: start it, or resume it when the plan moved on.

Used by the outbox dispatcher after each transition that drives the flow, and by the
reconcile flow for every active plan. Idempotent: it compares what the run waits on with
what the database says it should wait on.

A run can also have lost its process: the machine, the runner or the whole engine was
killed while it was Running or Pending, and Prefect's server keeps showing it Running or
Pending for good. Such a run is noticed from Prefect's own records, so it works the same
whichever machine ran it: a Running run whose last flow-run heartbeat (and Running state) is
older than ``stale_s``, or a Pending or Cancelling run older than ``pending_s``. It is set
Crashed through the API and the plan gets a new run, which reads the database and continues
(render again if nothing is stored, send what is not sent). Wrongly declaring a live run
dead costs no duplicate: outbox claims are atomic and a live sender keeps renewing its own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from uuid import UUID

import anyio
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.deployments import arun_deployment
from prefect.events.filters import EventFilter, EventNameFilter, EventOccurredFilter, EventResourceFilter
from prefect.exceptions import NotPausedError, ObjectNotFound
from prefect.flow_runs import aresume_flow_run
from prefect.settings import get_current_settings
from prefect.states import Crashed

from flows.names import ISSUE_PLAN_FULL_NAME
from models.db import Database
from models.lifecycle import State
from models.services import runs
from models.settings import Settings

log = logging.getLogger("banhanh.driver")

PAGE = 200  # flow runs read per request by reconcile
HEARTBEAT = "prefect.flow-run.heartbeat"
EVENTS_PAGE = 50  # the events API's largest page
HEARTBEATS_MISSED = 2  # at least this many heartbeat periods without one before a Running run is dead


@dataclass(frozen=True)
class Liveness:
    """How long a run may go without a sign of life before it counts as dead."""

    stale_s: float  # Running: since the last heartbeat (or the Running state, if later)
    pending_s: float  # Pending or Cancelling: since it entered that state

    @classmethod
    def from_settings(cls, cfg: Settings) -> Liveness:
        # Never shorter than a few heartbeat periods of this installation's Prefect setting
        # (PREFECT_FLOWS_HEARTBEAT_FREQUENCY, the same on every machine): a live run that
        # simply has not beaten yet is not dead.
        frequency = get_current_settings().flows.heartbeat_frequency or 0
        return cls(max(float(cfg.run_stale_s), HEARTBEATS_MISSED * frequency), float(cfg.run_pending_s))


@cache
def liveness() -> Liveness:
    return Liveness.from_settings(Settings())


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
    dead = await dead_runs([run] if run is not None else [])
    return await drive_known(db, plan, run, dead.get(str(run.id)) if run is not None else None)


def _age_s(since: datetime | None, now: datetime) -> float:
    return (now - since).total_seconds() if since is not None else float("inf")


async def dead_runs(
    flow_runs: Iterable[FlowRun], limits: Liveness | None = None, now: datetime | None = None
) -> dict[str, str]:
    """The runs among ``flow_runs`` that have lost their process, each with the reason.

    Reads Prefect only: the runs' states, and one events request per ``EVENTS_PAGE`` Running runs
    for their heartbeats in the last ``stale_s``. Suspended, Scheduled and final runs have no
    process to lose and are never in the answer.
    """
    limits, now = limits or liveness(), now or datetime.now(UTC)
    dead: dict[str, str] = {}
    running: dict[str, FlowRun] = {}
    for run in flow_runs:
        state = run.state
        if state is None:
            continue
        age = _age_s(state.timestamp, now)
        if state.type in (StateType.PENDING, StateType.CANCELLING) and age > limits.pending_s:
            dead[str(run.id)] = f"{state.name} for {age:.0f} s with no process to start or stop it"
        elif state.type is StateType.RUNNING and age > limits.stale_s:
            running[str(run.id)] = run
    if not running:
        return dead
    beating = await _with_heartbeat_since(list(running), now - timedelta(seconds=limits.stale_s), now)
    for run_id in running:
        if run_id not in beating:
            dead[run_id] = f"Running with no heartbeat for {limits.stale_s:.0f} s"
    return dead


async def _with_heartbeat_since(run_ids: list[str], since: datetime, now: datetime) -> set[str]:
    """Which of these runs sent a heartbeat event between ``since`` and ``now``."""
    seen: set[str] = set()
    async with get_client() as client:
        for start in range(0, len(run_ids), EVENTS_PAGE):
            page = await client.read_events(
                EventFilter(
                    occurred=EventOccurredFilter(since=since, until=now + timedelta(minutes=5)),
                    event=EventNameFilter(name=[HEARTBEAT]),
                    resource=EventResourceFilter(  # distinct: the latest heartbeat of each run
                        id=[f"prefect.flow-run.{i}" for i in run_ids[start : start + EVENTS_PAGE]],
                        distinct=True,
                    ),
                ),
                limit=EVENTS_PAGE,
            )
            while True:
                seen.update(e.resource.id.removeprefix("prefect.flow-run.") for e in page.events)
                if page.next_page is None or not page.events:
                    break
                page = await client.read_events_page(str(page.next_page))
    return seen


async def crash(run: FlowRun, reason: str) -> None:
    """Set a run that lost its process Crashed (forced: no process is left to report it)."""
    async with get_client() as client:
        await client.set_flow_run_state(run.id, Crashed(message=f"Ban Hành: {reason}"), force=True)


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


async def drive_known(
    db: Database, plan: runs.PlanSnapshot, run: FlowRun | None, dead: str | None = None
) -> Drive:
    """``drive`` with the plan and its run (None: none, or gone) already read; ``dead``: why
    the run has lost its process (``dead_runs``), None when it has not."""
    if plan.flow_run_id is None:
        if (plan.state is State.DRAFT and plan.review_round == 0) or plan.is_final:
            return Drive.DONE  # never submitted, or ended before a run was needed
        await start_run(db, plan)
        return Drive.DONE
    plan_id = plan.plan_id
    if run is None or run.state is None:
        return await _replace(db, plan)
    if dead is not None:
        # No process is left to move the run on: mark it Crashed, and a new run continues
        # from what the database holds.
        await crash(run, dead)
        log.warning("plan %s: flow run %s lost its process (%s); starting a new run", plan_id, run.id, dead)
        return await _replace(db, plan)
    state = run.state
    if state.is_paused():
        if plan.recorded_wait_key != plan.expected_wait_key:
            try:
                await aresume_flow_run(run.id)
            except NotPausedError:  # resumed by the dispatcher or reconcile a moment ago
                return Drive.DONE
            log.info(
                "plan %s: resumed run %s (%s → %s)",
                plan_id,
                run.id,
                plan.recorded_wait_key,
                plan.expected_wait_key or plan.state,
            )
        return Drive.DONE
    if state.is_final():
        # The run ended (crashed, cancelled, failed) while the plan is still active: a new run.
        return await _replace(db, plan)
    if (
        state.is_running()
        and plan.expected_wait_key is not None
        and plan.recorded_wait_key != plan.expected_wait_key
    ):
        return Drive.RETRY  # it may have read the database before this decision: look again
    return Drive.DONE  # scheduled or pending runs read the database when they start


async def _replace(db: Database, seen: runs.PlanSnapshot) -> Drive:
    """Start the run that follows ``seen.flow_run_id``, unless the plan has moved on since
    ``seen`` was read: the plan was read before its run, so a run that completed in between
    (the plan issued a moment before) looks ended on an active plan."""
    plan = await anyio.to_thread.run_sync(runs.snapshot, db, seen.plan_id)
    if plan.is_final or plan.flow_run_id != seen.flow_run_id:
        return Drive.DONE
    await start_run(db, plan, after=plan.flow_run_id)
    return Drive.DONE
