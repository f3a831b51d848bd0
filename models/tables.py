"""Every table, imported in one place so the metadata is complete (migrations, tests)."""

from models.directory import (
    Delegation,
    GroupMember,
    Organisation,
    Person,
    RoleChange,
    SignatureImage,
    SigningCertificate,
    Unit,
)
from models.plans import Plan, PlanReviewer, PlanStage, PlanVersion, RenderedDocument, ReviewTask
from models.recalls import Recall
from models.records import (
    ActionLink,
    AuditAnchor,
    AuditEntry,
    AuditHead,
    Delivery,
    OutboxMessage,
    Register,
    RegisterEntry,
    WebSession,
)
from models.tracked import ReportFile, TrackedAssignment, TrackingPeriod

__all__ = [
    "ActionLink",
    "AuditAnchor",
    "AuditEntry",
    "AuditHead",
    "Delegation",
    "Delivery",
    "GroupMember",
    "Organisation",
    "OutboxMessage",
    "Person",
    "Plan",
    "PlanReviewer",
    "PlanStage",
    "PlanVersion",
    "Recall",
    "Register",
    "RegisterEntry",
    "RenderedDocument",
    "ReportFile",
    "ReviewTask",
    "RoleChange",
    "SignatureImage",
    "SigningCertificate",
    "TrackedAssignment",
    "TrackingPeriod",
    "Unit",
    "WebSession",
]
