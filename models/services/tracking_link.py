"""What a lead unit does by the link in its assignment email, without an account: see its periods
and report for one. The token is the credential; the report is the unit's (its address acts)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from models.calendar import local_date
from models.db import Database
from models.errors import NotFound
from models.services.tracking_work import (
    AssignmentLink,
    assignment_by_token,
    assignment_link,
    submit_report,
)
from models.tracked import TrackingPeriod
from models.tracking import PeriodState, cell

REPORTABLE = (PeriodState.OPEN, PeriodState.OVERDUE, PeriodState.RETURNED, PeriodState.EXTENDED)


@dataclass(frozen=True)
class LinkPeriod:
    """One period as the unit's page shows it."""

    id: int
    label: str
    due: date
    state: str
    cell: str
    comment: str  # the follower's, when it returned the report
    report_text: str
    files: tuple[str, ...]

    @property
    def reportable(self) -> bool:
        return self.state in REPORTABLE


def link_periods(db: Database, token: str) -> tuple[AssignmentLink, list[LinkPeriod]]:
    """The assignment and its periods, by due date; changes nothing (mail scanners open links)."""
    link = assignment_link(db, token)
    today = local_date(db.clock())
    with db.read() as session:
        row = assignment_by_token(session, token)
        periods = session.exec(
            select(TrackingPeriod)
            .where(TrackingPeriod.assignment_id == row.id)
            .order_by(col(TrackingPeriod.original_due), col(TrackingPeriod.id))
        ).all()
    return link, [
        LinkPeriod(
            id=p.id or 0,
            label=p.label,
            due=p.due,
            state=p.state,
            cell=cell(p.state, p.late, p.extended, today, p.due),
            comment=p.comment,
            report_text=p.report_text,
            files=tuple(str(f["name"]) for f in p.report_files),
        )
        for p in periods
    ]


def report_by_link(
    db: Database, token: str, period_id: int, text: str, files: Sequence[tuple[str, bytes]] = ()
) -> PeriodState:
    """The unit's report for one of its link's periods, in the unit's name (its address)."""
    with db.read() as session:
        row = assignment_by_token(session, token)
        period = session.get(TrackingPeriod, period_id)
    if period is None or period.assignment_id != row.id or not row.lead_email:
        raise NotFound("period", code="tracking.not_this_link", period_id=period_id)
    return submit_report(db, period_id, row.lead_email, text, files)
