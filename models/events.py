"""The emails the engine sends about a plan, by event (pure).

A lifecycle transition names the events it emits from this enum; the others are queued by the
reminders, the delivery digest and the acknowledgements. The templates are named after them
(``templates/emails/<event>.{subject,txt,html}.j2``).
"""

from __future__ import annotations

from enum import StrEnum


class Event(StrEnum):
    REVIEW_REQUESTED = "review_requested"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    APPROVED = "approved"
    READY_TO_SIGN = "ready_to_sign"
    READY_TO_ISSUE = "ready_to_issue"
    SIGNED = "signed"
    ISSUED = "issued"
    WITHDRAWN = "withdrawn"
    DISTRIBUTED = "distributed"  # the issued plan itself, one per resolved recipient
    DELIVERY_FAILED = "delivery_failed"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    ACK_REMINDER = "ack_reminder"
    # Recall, replacement (models/services/recall.py, replacement.py)
    RECALL_REQUESTED = "recall_requested"  # to those who may confirm it
    RECALLED = "recalled"  # to the secretariat, the drafter and the one who asked
    RECALL_NOTICE = "recall_notice"  # to each emailed recipient, with its link to confirm destruction
    RECALL_REMINDER = "recall_reminder"
    SUPERSEDED = "superseded"  # to the replaced plan's emailed recipients
    # Tracked work after issuance (models/services/tracking_work.py)
    ASSIGNMENT = "assignment"
    TRACKING_REMINDER = "tracking_reminder"
    TRACKING_ESCALATION = "tracking_escalation"
    TRACKING_UPDATE = "tracking_update"
