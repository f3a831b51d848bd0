"""Review decisions and task statuses, and separation of duties (pure).

The rules that decide a review stage are in `models.review_policy`.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from models.errors import NotAllowed


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

# The organisation's config flag that lifts separation of duties ([organisation] in its TOML).
DRAFTER_MAY_APPROVE = "drafter_may_approve_and_sign"


def check_separation(action: str, drafter_id: int, acting_ids: Collection[int], org_allows: bool) -> None:
    """The drafter may not approve or sign their own plan, acting for themselves or for someone
    else, unless the organisation allows it. No role exempts them: only people are compared."""
    if not org_allows and drafter_id in acting_ids:
        raise NotAllowed("actor", code="plan.drafter_may_not", action=action, setting=DRAFTER_MAY_APPROVE)
