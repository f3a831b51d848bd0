"""The words of the plan lifecycle: states, actions and roles (pure)."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    SIGNED = "signed"
    DISTRIBUTING = "distributing"
    ISSUED = "issued"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"
    OPEN_STAGE = "open_stage"
    COMPLETE_REVIEW = "complete_review"
    FAIL_REVIEW = "fail_review"
    SIGN = "sign"
    DISTRIBUTE = "distribute"
    COMPLETE_DISTRIBUTION = "complete_distribution"
    WITHDRAW = "withdraw"


class Role(StrEnum):
    SECRETARIAT = "secretariat"
    REVIEWER = "reviewer"
    SIGNER = "signer"
    SYSTEM = "system"
