"""Tracked work after issuance: an issued plan's assignments, their due periods, report files."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class TrackedAssignment(SQLModel, table=True):
    """One confirmed assignment of an issued plan whose lead is a unit of the address book."""

    __table_args__ = (UniqueConstraint("plan_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    version_id: int = Field(foreign_key="planversion.id")  # the issued version it comes from
    seq: int  # its place in the version's assignments, from 1
    lead_code: str = Field(index=True)
    lead_name: str
    lead_email: str | None = None  # None: the secretariat records its reports by hand
    follower_code: str | None = None
    follower_name: str = ""
    follower_email: str | None = None
    what: str = ""
    deadline: str  # date | cadence | milestone
    cadence: str = ""
    # sha256 of the link token the assignment email carries (the token itself is never stored)
    token_hash: str | None = Field(default=None, unique=True)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TrackingPeriod(SQLModel, table=True):
    """One report an assignment owes: its due date and where it stands (models.tracking.PeriodState)."""

    __table_args__ = (
        UniqueConstraint("assignment_id", "label"),
        Index("ix_trackingperiod_state_due", "state", "due"),  # the reminder run's scan
    )
    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="trackedassignment.id", index=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    label: str  # "once", "quarterly-2", "so_ket"
    due: date
    original_due: date
    state: str = "open"
    row_version: int = 1  # compare-and-set guard for every transition
    late: bool = False  # the report came after the due date in force
    extended: bool = False
    asked_until: date | None = None  # a pending extension request
    ask_reason: str = ""
    report_text: str = ""
    report_files: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_by: str = ""
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str = ""
    comment: str = ""  # the follower's, on a return; the grantor's, on an extension decision
    reminders_sent: int = 0  # 1 before the due date, 2 on it, 3 escalated (claimed like review reminders)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReportFile(SQLModel, table=True):
    """A file sent with a report; the period's report_files lists name, size and sha256."""

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="trackingperiod.id", index=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    name: str
    size: int
    sha256: str
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
