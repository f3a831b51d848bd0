"""Review policy for one stage (pure): every assigned reviewer must approve.

Any rejection ends the plan; any request for changes ends the round.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Decision(StrEnum):
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"


class TaskStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class Outcome(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"


DECIDED_STATUS: dict[Decision, TaskStatus] = {
    Decision.APPROVE: TaskStatus.APPROVED,
    Decision.REQUEST_CHANGES: TaskStatus.CHANGES_REQUESTED,
    Decision.REJECT: TaskStatus.REJECTED,
}


def stage_outcome(statuses: Iterable[TaskStatus]) -> Outcome:
    """The outcome of a review round from its tasks' statuses (cancelled tasks do not count)."""
    live = [s for s in statuses if s is not TaskStatus.CANCELLED]
    if TaskStatus.REJECTED in live:
        return Outcome.REJECTED
    if TaskStatus.CHANGES_REQUESTED in live:
        return Outcome.CHANGES_REQUESTED
    if live and all(s is TaskStatus.APPROVED for s in live):
        return Outcome.APPROVED
    return Outcome.PENDING
