"""The recall of an issued plan (thu hồi, NĐ 30/2020 Art. 18): who asked, why, who confirmed.

One row per request, kept whatever becomes of it (confirmed or cancelled): the record of the
recall outlives the copies it has destroyed. Each recipient's answer is on its copy
(`Delivery.recall_status`).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class Recall(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    reason: str
    requested_by_id: int = Field(foreign_key="person.id")
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: str = "requested"  # requested | confirmed | cancelled
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")  # who confirmed or cancelled
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminders_sent: int = 0  # rounds of reminders to the recipients who have not confirmed
