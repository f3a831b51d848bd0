"""Where tracked work stands: a plan's grid of units × periods, what a unit owes, what is overdue.
Read only."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from models.calendar import local_date
from models.db import Database
from models.directory import Organisation
from models.errors import NotFound
from models.plans import Plan
from models.tracked import ReportFile, TrackedAssignment, TrackingPeriod
from models.tracking import cell

OWED_STATES = ("open", "overdue", "returned", "extended")


def _period_json(p: TrackingPeriod, today: Any) -> dict[str, Any]:
    return {
        "period_id": p.id,
        "label": p.label,
        "due": p.due.isoformat(),
        "original_due": p.original_due.isoformat(),
        "state": p.state,
        "cell": cell(p.state, p.late, p.extended, today, p.due),
        "late": p.late,
        "extended": p.extended,
        "submitted_at": p.submitted_at.isoformat() if p.submitted_at else None,
        "comment": p.comment,
    }


def tracked_work(
    session: Session, plan_id: int
) -> tuple[Sequence[TrackedAssignment], Sequence[TrackingPeriod]]:
    """A plan's assignments in their order and its periods in due order."""
    assignments = session.exec(
        select(TrackedAssignment)
        .where(TrackedAssignment.plan_id == plan_id)
        .order_by(col(TrackedAssignment.seq))
    ).all()
    periods = session.exec(
        select(TrackingPeriod)
        .where(TrackingPeriod.plan_id == plan_id)
        .order_by(col(TrackingPeriod.original_due), col(TrackingPeriod.id))
    ).all()
    return assignments, periods


def grid(db: Database, plan_id: int) -> list[dict[str, Any]]:
    """One row per tracked assignment (its lead unit), its periods in due order, each as the grid shows it."""
    today = local_date(db.clock())
    with db.read() as session:
        if session.get(Plan, plan_id) is None:
            raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
        assignments, periods = tracked_work(session, plan_id)
    by_assignment: dict[int, list[dict[str, Any]]] = {}
    for p in periods:
        by_assignment.setdefault(p.assignment_id, []).append(_period_json(p, today))
    return [
        {
            "assignment": a.seq,
            "unit_code": a.lead_code,
            "unit": a.lead_name,
            "follower": a.follower_name,
            "deadline": a.deadline + (f" ({a.cadence})" if a.cadence else ""),
            "acknowledged": a.acknowledged_at is not None,
            "emailed": a.lead_email is not None,  # without: the secretariat records its reports
            "periods": by_assignment.get(a.id or 0, []),
        }
        for a in assignments
    ]


def grid_csv(rows: list[dict[str, Any]]) -> str:
    """The grid as CSV: a line per assignment, a column per period label (in due order)."""
    labels: list[str] = []
    for row in rows:
        for p in row["periods"]:
            if p["label"] not in labels:
                labels.append(p["label"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["assignment", "unit_code", "unit", *labels])
    for row in rows:
        cells = {p["label"]: f"{p['cell']} ({p['due']})" for p in row["periods"]}
        writer.writerow(
            [row["assignment"], row["unit_code"], _safe(row["unit"]), *(cells.get(x, "") for x in labels)]
        )
    return out.getvalue()


def _safe(text: str) -> str:
    """A cell never starts a spreadsheet formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _listing(session: Session, query: Any, today: Any) -> list[dict[str, Any]]:
    rows = session.exec(query).all()
    out = []
    for period, assignment, plan in rows:
        out.append(
            {
                "plan_id": plan.id,
                "symbol": plan.symbol or "",
                "assignment": assignment.seq,
                "unit_code": assignment.lead_code,
                "unit": assignment.lead_name,
                **_period_json(period, today),
            }
        )
    return out


def _joined() -> Any:
    return (
        select(TrackingPeriod, TrackedAssignment, Plan)
        .join(TrackedAssignment, col(TrackedAssignment.id) == TrackingPeriod.assignment_id)
        .join(Plan, col(Plan.id) == TrackingPeriod.plan_id)
    )


def owed(db: Database, unit_code: str, org_key: str | None = None) -> list[dict[str, Any]]:
    """Every period a unit still owes a report for, across plans, by due date."""
    today = local_date(db.clock())
    with db.read() as session:
        query = _joined().where(
            TrackedAssignment.lead_code == unit_code, col(TrackingPeriod.state).in_(OWED_STATES)
        )
        if org_key is not None:
            query = query.join(Organisation, col(Organisation.id) == Plan.org_id).where(
                Organisation.key == org_key
            )
        return _listing(session, query.order_by(col(TrackingPeriod.due), col(TrackingPeriod.id)), today)


def overdue(db: Database, plan_id: int | None = None) -> list[dict[str, Any]]:
    """Every period past its due date with no report in (of one plan, when given)."""
    today = local_date(db.clock())
    with db.read() as session:
        query = _joined().where(col(TrackingPeriod.state).in_(OWED_STATES), col(TrackingPeriod.due) < today)
        if plan_id is not None:
            query = query.where(TrackingPeriod.plan_id == plan_id)
        return _listing(session, query.order_by(col(TrackingPeriod.due), col(TrackingPeriod.id)), today)


def awaiting_decision(db: Database, plan_id: int) -> list[dict[str, Any]]:
    """The plan's reports in and not yet accepted or returned, with their text and files' names:
    what the follower reads before deciding."""
    today = local_date(db.clock())
    with db.read() as session:
        query = _joined().where(TrackingPeriod.plan_id == plan_id, TrackingPeriod.state == "submitted")
        rows = _listing(session, query.order_by(col(TrackingPeriod.due), col(TrackingPeriod.id)), today)
        periods = {
            p.id: p
            for p in session.exec(select(TrackingPeriod).where(TrackingPeriod.plan_id == plan_id)).all()
        }
        files = session.exec(
            select(ReportFile.id, ReportFile.period_id, ReportFile.name, ReportFile.created_at)
            .where(ReportFile.plan_id == plan_id)
            .order_by(col(ReportFile.id))
        ).all()
    for row in rows:
        period = periods[row["period_id"]]
        row["report"], row["submitted_at"] = period.report_text, period.submitted_at
        # The files of the report in: sent with it (a returned report's stay, apart).
        row["files"] = [
            {"id": i, "name": name}
            for i, p, name, at in files
            if p == period.id and at == period.submitted_at
        ]
    return rows


def report_file(db: Database, file_id: int) -> ReportFile:
    """A file sent with a report (the caller checks who may see its plan)."""
    with db.read() as session:
        row = session.get(ReportFile, file_id)
        if row is None:
            raise NotFound("file", code="tracking.file_not_found", file_id=file_id)
        return row


def plan_of_period(db: Database, period_id: int) -> int:
    """The plan a period belongs to (whose visibility decides who may see or act on it)."""
    with db.read() as session:
        period = session.get(TrackingPeriod, period_id)
        if period is None:
            raise NotFound("period", code="tracking.period_not_found", period_id=period_id)
        return period.plan_id


def extensions_asked(db: Database, plan_id: int) -> list[dict[str, Any]]:
    """The plan's extension requests waiting for the designated person: the date asked and why."""
    today = local_date(db.clock())
    with db.read() as session:
        query = _joined().where(
            TrackingPeriod.plan_id == plan_id, col(TrackingPeriod.asked_until).is_not(None)
        )
        rows = _listing(session, query.order_by(col(TrackingPeriod.due), col(TrackingPeriod.id)), today)
        asked = {
            p.id: (p.asked_until, p.ask_reason)
            for p in session.exec(select(TrackingPeriod).where(TrackingPeriod.plan_id == plan_id)).all()
        }
    for row in rows:
        until, reason = asked[row["period_id"]]
        row["asked_until"], row["reason"] = None if until is None else until.isoformat(), reason
    return rows
