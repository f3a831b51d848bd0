"""What a lead unit does by the link in its assignment email, without an account: see its periods
and report for one. The token is the credential; the report is the unit's (its address acts)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from models.calendar import local_date
from models.db import Database
from models.errors import Invalid, NotFound
from models.services.tracking_work import (
    AssignmentLink,
    ask_extension,
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
    asked_until: date | None  # an extension asked for and not decided yet

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
            asked_until=p.asked_until,
        )
        for p in periods
    ]


def report_by_link(
    db: Database, token: str, period_id: int, text: str, files: Sequence[tuple[str, bytes]] = ()
) -> PeriodState:
    """The unit's report for one of its link's periods, in the unit's name (its address)."""
    return submit_report(db, period_id, _lead(db, token, period_id), text, files)


def extension_by_link(db: Database, token: str, period_id: int, until: str, reason: str) -> None:
    """The unit asks to report later (a date as YYYY-MM-DD, and why); the plan's signer decides."""
    lead = _lead(db, token, period_id)
    try:
        day = date.fromisoformat(until.strip())
    except ValueError:
        raise Invalid("until", code="field.not_date", value=until) from None
    ask_extension(db, period_id, lead, day, reason)


def _lead(db: Database, token: str, period_id: int) -> str:
    """The address the unit acts by, once the period is one of its link's."""
    with db.read() as session:
        row = assignment_by_token(session, token)
        period = session.get(TrackingPeriod, period_id)
    if period is None or period.assignment_id != row.id or not row.lead_email:
        raise NotFound("period", code="tracking.not_this_link", period_id=period_id)
    return row.lead_email
