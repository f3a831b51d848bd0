"""Records: the number register, the audit chain, the outbox and deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class Register(SQLModel, table=True):
    """An outgoing-number series: (organisation, type, term) or (organisation, year)."""

    __table_args__ = (UniqueConstraint("org_key", "doc_type", "scope"),)
    id: int | None = Field(default=None, primary_key=True)
    org_key: str  # Organisation.key: unique, unlike the printed code
    doc_type: str
    scope: str
    last_number: int = 0


class RegisterEntry(SQLModel, table=True):
    """A line of the outgoing register (sổ đăng ký văn bản đi)."""

    __table_args__ = (UniqueConstraint("register_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    register_id: int = Field(foreign_key="register.id", index=True)
    number: int
    symbol: str
    plan_id: int = Field(foreign_key="plan.id", unique=True)
    title: str
    signer: str
    allocated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AuditHead(SQLModel, table=True):
    """The head of one organisation's chain, locked while an entry is appended."""

    org_id: int = Field(foreign_key="organisation.id", primary_key=True)
    seq: int = 0
    hash: str


class AuditEntry(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("org_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    seq: int
    plan_id: int | None = Field(default=None, index=True)
    actor: str
    action: str
    from_state: str = ""
    to_state: str = ""
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    prev_hash: str
    hash: str


class AuditAnchor(SQLModel, table=True):
    """A chain head printed outside the database (the issued PDF): a rewrite of the chain shows."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    seq: int
    hash: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OutboxMessage(SQLModel, table=True):
    """Work queued by a transition and done after commit: an email, or driving a flow run."""

    # A distribution claims its plan's due items again and again: past the thousands already sent.
    __table_args__ = (Index("ix_outboxmessage_plan_status", "plan_id", "status", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # (event, recipient, version, round or attempt)
    kind: str = Field(default="email", index=True)  # "email" | "flow"
    plan_id: int | None = Field(default=None, index=True)
    event: str
    to_email: str | None = None
    to_name: str = ""
    context: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    message_id: str = ""  # fixed at queue time: a retry of the same email keeps it
    status: str = Field(default="pending", index=True)  # pending | sending | sent | failed
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = ""
    smtp_reply: str = ""
    delivery_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# The delivery statuses a copy does not leave: a plan is issued once all its copies are in one.
FINAL_DELIVERY = frozenset({"sent", "failed", "not_emailed", "filed"})


class Delivery(SQLModel, table=True):
    """One recipient of an issued plan and where its copy stands."""

    __table_args__ = (Index("ix_delivery_plan_status", "plan_id", "status"),)  # progress after every batch
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    version_id: int = Field(foreign_key="planversion.id")
    unit_code: str | None = None
    name: str
    email: str | None = None
    line_text: str = ""  # the Nơi nhận line it came from
    status: str = "queued"  # queued | sent | failed | not_emailed | filed
    reason: str = ""
    message_id: str = ""
    smtp_reply: str = ""
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # sha256 of the link token the emailed copy carries (the token itself is never stored)
    ack_token_hash: str | None = Field(default=None, unique=True)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    channel: str = "email"  # "email" | "edxml": an edXML package through the exchange endpoint
    # The receiver's last edXML status ("03", "02" …) and its description, as it answered
    answer_code: str = ""
    answer: str = ""
    # After a recall: "" (none), notified, destroyed (the receiver confirmed), refused (16), marked
    # (the secretariat recorded it by hand), not_sent (the copy never arrived: nothing to destroy).
    recall_status: str = ""
    recall_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recall_note: str = ""  # the receiver's answer, or the secretariat's note when marked by hand
    # sha256 of the token of the recall notice's link (the token travels in the email only)
    recall_token_hash: str | None = Field(default=None, unique=True)


class ActionLink(SQLModel, table=True):
    """A one-time link emailed to one person: sign-in, or one step of one plan at one version.

    Only the SHA-256 of the token is kept; the token itself travels in the email.
    """

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    plan_id: int | None = Field(default=None, foreign_key="plan.id")
    step: str  # sign_in | review | sign | edit | view
    version_hash: str = ""
    round: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    """A signed-in browser; ends after a spell of inactivity or on sign-out."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
