"""Plans, their immutable versions, reviewers, review tasks and rendered documents."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class Plan(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # Globally unique: names the plan's flow run across databases (ids restart per database).
    uid: str = Field(default_factory=lambda: uuid4().hex, unique=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    doc_type: str = "KH"
    state: str = Field(default="draft", index=True)
    row_version: int = 1  # compare-and-set guard for every transition
    review_round: int = 0
    review_stage: int = 0  # the stage of the round whose tasks are open (from 1)
    review_template: str = ""  # the organisation's template the stages came from; "": ad-hoc reviewers
    current_version_id: int | None = None
    drafter_id: int = Field(foreign_key="person.id")
    signer_id: int | None = Field(default=None, foreign_key="person.id")
    number: int | None = None
    symbol: str | None = None
    signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    issued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    flow_run_id: str | None = None
    wait_key: str | None = None  # the human step the flow run last suspended on
    secrecy: str = ""  # "", "mật", "tối mật", "tuyệt mật": a secret plan is never sent by plain email
    sign_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sign_reminders_sent: int = 0
    sign_escalated: bool = False
    # The signature block as signed, when it differs from the version's (a delegate signed: T/L, TUQ.).
    signed_signature: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PlanVersion(SQLModel, table=True):
    """One immutable snapshot of a plan's content; rows are never updated."""

    __table_args__ = (UniqueConstraint("plan_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    seq: int
    title: str
    summary_lines: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    body: str
    footnotes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    recipients: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    signature: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    content_hash: str = Field(index=True)
    # The confirmed assignments (content.ConfirmedAssignment as JSON); [] for a version without them.
    assignments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PlanStage(SQLModel, table=True):
    """One review stage of a plan, copied from its template (or the one stage of ad-hoc reviewers)."""

    plan_id: int = Field(foreign_key="plan.id", primary_key=True)
    seq: int = Field(primary_key=True)  # stages run in order, from 1
    name: str = ""
    rule: str = "all"  # all | any | n_of_m
    needed: int = 0  # approvals an n_of_m stage needs


class PlanReviewer(SQLModel, table=True):
    plan_id: int = Field(foreign_key="plan.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    stage: int = 1
    mandatory: bool = False  # their rejection ends the stage and the review


class ReviewTask(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "round", "reviewer_id"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    round: int
    reviewer_id: int = Field(foreign_key="person.id", index=True)
    version_id: int = Field(foreign_key="planversion.id")
    version_hash: str
    stage: int = 1
    status: str = Field(default="open", index=True)
    comment: str = ""
    carried_over: bool = False  # an approval of the same hash from an earlier round stands
    delegate_id: int | None = Field(default=None, foreign_key="person.id")  # routed to them on creation
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")  # the reviewer or a delegate
    reminders_sent: int = 0
    escalated: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RenderedDocument(SQLModel, table=True):
    """The issued document, rendered once per signed version and format."""

    __table_args__ = (UniqueConstraint("plan_id", "version_id", "format"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    version_id: int = Field(foreign_key="planversion.id")
    format: str  # "pdf" | "html"
    filename: str
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sha256: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PlanLink(SQLModel, table=True):
    """A document made from or about another: a replacement, a correction letter, a summary report.

    Written once, in the transaction that creates `plan_id`; read both ways (the plan page of each
    shows the other), so the link lives in its own row, not in either plan.
    """

    __table_args__ = (UniqueConstraint("plan_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)  # the new document
    target_id: int = Field(foreign_key="plan.id", index=True)  # the one it replaces, corrects, reports on
    kind: str  # models.related.LinkKind
    note: str = ""  # what is replaced or corrected, in the drafter's words
    created_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
