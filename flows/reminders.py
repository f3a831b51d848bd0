"""Reminders and escalation: a scheduled flow driven by the database (safe to run twice)."""

from __future__ import annotations

import anyio
from prefect import flow, get_run_logger

from flows import steps
from flows.names import REMINDERS_FLOW
from models.services import recall
from models.services.reminders import send_due_reminders
from models.services.tracking_work import send_due_tracking


@flow(name=REMINDERS_FLOW, log_prints=True)
async def reminders() -> dict[str, int]:
    counts = await anyio.to_thread.run_sync(send_due_reminders, steps.database())
    # The same schedule reminds units of the reports they owe, and escalates the missing ones.
    tracking = await anyio.to_thread.run_sync(send_due_tracking, steps.database())
    counts = {**counts, **{f"tracking_{k}": v for k, v in tracking.items()}}
    # …and the recipients of a recalled plan that have not confirmed they destroyed their copy.
    if recalled := await anyio.to_thread.run_sync(recall.send_due_reminders, steps.database()):
        counts["recall_reminder"] = recalled
    get_run_logger().info("reminders queued: %s", counts or "none due")
    return counts
