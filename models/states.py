"""The words of the plan lifecycle: states, actions and roles (pure)."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    # Signed by the signer (ký duyệt), waiting for the văn thư to number and issue it.
    AWAITING_ISSUANCE = "awaiting_issuance"
    SIGNED = "signed"  # numbered at issuance: rendered and distributed by the engine
    DISTRIBUTING = "distributing"
    ISSUED = "issued"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    # After issuance (NĐ 30/2020 Art. 18): a recall asked by one person and confirmed by another;
    # a plan a later one replaces. Both keep the plan, frozen, for the record.
    RECALL_REQUESTED = "recall_requested"
    RECALLED = "recalled"
    SUPERSEDED = "superseded"


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
    ISSUE = "issue"  # cấp số, đóng dấu, phát hành: the number is allocated here
    DISTRIBUTE = "distribute"
    COMPLETE_DISTRIBUTION = "complete_distribution"
    WITHDRAW = "withdraw"
    REQUEST_RECALL = "request_recall"  # thu hồi: asked with a reason
    CONFIRM_RECALL = "confirm_recall"  # by a second person with signing authority
    CANCEL_RECALL = "cancel_recall"
    SUPERSEDE = "supersede"  # the engine's, when the plan that replaces it is issued


class Role(StrEnum):
    SECRETARIAT = "secretariat"
    REVIEWER = "reviewer"
    SIGNER = "signer"
    CLERK = "clerk"  # văn thư: numbers and issues what the signer signed
    SYSTEM = "system"
