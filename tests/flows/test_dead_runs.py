"""Runs that lost their process, told apart from live and waiting ones on the real Prefect server.

The runs are created through the API in each state (no process behind any of them); the
clock passed to ``dead_runs`` moves past the limits. A heartbeat event keeps a Running run alive.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import FlowRun
from prefect.events.utilities import emit_event
from prefect.events.worker import EventsWorker
from prefect.states import Cancelling, Completed, Paused, Pending, Running, Scheduled, State

from flows.driver import HEARTBEAT, Drive, Liveness, dead_runs, drive_known
from models.db import Database
from models.lifecycle import State as PlanState
from models.services import distribution, runs
from tests.factory import build, drain_outbox, load_people

LIMITS = Liveness(stale_s=60, pending_s=20)


@flow(name="dead-runs-probe")
async def probe() -> None:
    return None


async def run_in(state: State[Any]) -> FlowRun:
    async with get_client() as client:
        run = await client.create_flow_run(probe, state=Pending())
        if state.type != Pending().type:
            await client.set_flow_run_state(run.id, state, force=True)
        return await client.read_flow_run(run.id)


@pytest.mark.usefixtures("prefect_server")
async def test_pending_and_silent_running_runs_are_dead_after_their_limits() -> None:
    pending, running = await run_in(Pending()), await run_in(Running())
    cancelling = await run_in(Cancelling())
    suspended = await run_in(Paused(timeout_seconds=None, reschedule=True))  # type: ignore[arg-type]
    scheduled = await run_in(Scheduled())
    every = [pending, running, cancelling, suspended, scheduled]
    assert await dead_runs(every, LIMITS) == {}  # just entered their states

    later = datetime.now(UTC) + timedelta(seconds=LIMITS.stale_s + 5)
    dead = await dead_runs(every, LIMITS, now=later)
    assert set(dead) == {str(pending.id), str(running.id), str(cancelling.id)}, dead
    assert "no heartbeat" in dead[str(running.id)]
    # Between the limits: the Pending run is abandoned, the Running one not yet silent for long enough.
    between = datetime.now(UTC) + timedelta(seconds=LIMITS.pending_s + 5)
    assert set(await dead_runs(every, LIMITS, now=between)) == {str(pending.id), str(cancelling.id)}


@pytest.mark.usefixtures("prefect_server")
async def test_a_running_run_that_beats_is_alive() -> None:
    running, silent = await run_in(Running()), await run_in(Running())
    later = datetime.now(UTC) + timedelta(seconds=LIMITS.stale_s + 5)
    emit_event(
        HEARTBEAT,
        resource={"prefect.resource.id": f"prefect.flow-run.{running.id}"},
        occurred=later - timedelta(seconds=10),
    )
    await asyncio.to_thread(EventsWorker.drain_all)
    dead: dict[str, str] = {}
    for _ in range(60):  # the server stores events a moment after it receives them
        dead = await dead_runs([running, silent], LIMITS, now=later)
        if str(running.id) not in dead:
            break
        await asyncio.sleep(0.5)
    assert set(dead) == {str(silent.id)}, dead


@pytest.mark.usefixtures("prefect_server")
async def test_a_run_that_completed_after_its_plan_was_read_is_not_replaced(db: Database) -> None:
    # Reconcile reads the plans, then their runs: a plan issued in between has a Completed run
    # while its snapshot still says distributing. That run finished the plan; no new run.
    load_people(db)
    plan_id = build(db, PlanState.DISTRIBUTING)
    run = await run_in(Running())
    runs.set_flow_run(db, plan_id, str(run.id))
    stale = runs.snapshot(db, plan_id)
    drain_outbox(db, plan_id)
    distribution.complete_distribution(db, plan_id)
    async with get_client() as client:
        await client.set_flow_run_state(run.id, Completed(), force=True)
        completed = await client.read_flow_run(run.id)
        before = await client.count_flow_runs()

    assert await drive_known(db, stale, completed) is Drive.DONE
    # Ended on a plan another process has already given a new run: that run carries on.
    other = build(db, PlanState.DISTRIBUTING)
    runs.set_flow_run(db, other, str(run.id))
    seen = runs.snapshot(db, other)
    runs.set_flow_run(db, other, str((await run_in(Running())).id))
    assert await drive_known(db, seen, completed) is Drive.DONE
    async with get_client() as client:
        assert await client.count_flow_runs() == before + 1  # only the one this test made
    assert runs.snapshot(db, plan_id).flow_run_id == str(run.id)
