"""Every table, imported in one place so the metadata is complete (migrations, tests)."""

from models.directory import GroupMember, Organisation, Person, Unit
from models.plans import Plan, PlanReviewer, PlanVersion, RenderedDocument, ReviewTask
from models.records import (
    ActionLink,
    AuditEntry,
    AuditHead,
    Delivery,
    OutboxMessage,
    Register,
    RegisterEntry,
    WebSession,
)

__all__ = [
    "ActionLink",
    "AuditEntry",
    "AuditHead",
    "Delivery",
    "GroupMember",
    "Organisation",
    "OutboxMessage",
    "Person",
    "Plan",
    "PlanReviewer",
    "PlanVersion",
    "Register",
    "RegisterEntry",
    "RenderedDocument",
    "ReviewTask",
    "Unit",
    "WebSession",
]
