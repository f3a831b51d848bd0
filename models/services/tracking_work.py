"""Tracked work after issuance: assignments become due periods when a plan is issued; units report,
followers accept or return, extensions are asked for and decided; reminders and escalation.

Every state change of a period goes through the table in `models.tracking` (`find`, `step`), then a
compare-and-set on the period's row version, one audit entry binding the period, and its emails in
the same transaction. Reminders are claimed by a compare-and-set on the period's counter, like the
review reminders (`models.services.reminders`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from models.calendar import local_date
from models.content import ConfirmedAssignment
from models.db import Database
from models.directory import Organisation, Person, Unit
from models.errors import AlreadyDecided, Invalid, NotAllowed, NotFound
from models.lifecycle import State
from models.plans import Plan
from models.services import audit
from models.services.core import plan_context, queue_message
from models.services.versions import content_of, current_version
from models.tracked import ReportFile, TrackedAssignment, TrackingPeriod
from models.tracking import (
    MAX_REASON,
    Party,
    PeriodAction,
    PeriodState,
    PeriodView,
    TrackingNudge,
    due_periods,
    find,
    next_tracking_nudge,
    step,
)

TRACKING_PATH = "/tracking/"  # the assignment email's link: its token, for the unit's page
MAX_REPORT = 20_000  # characters of a report's text
MAX_FILE = 20 * 1024 * 1024  # bytes of one file sent with a report
OWED = (PeriodState.OPEN, PeriodState.OVERDUE, PeriodState.RETURNED, PeriodState.EXTENDED)


def _holidays(org: Organisation) -> frozenset[date]:
    return frozenset(date.fromisoformat(d) for d in org.holidays)


def _units(session: Session, org_id: int) -> dict[str, Unit]:
    return {u.code: u for u in session.exec(select(Unit).where(Unit.org_id == org_id)).all()}


def _context(session: Session, plan: Plan) -> dict[str, Any]:
    return plan_context(session, plan, current_version(session, plan))


def _periods_text(periods: Sequence[TrackingPeriod]) -> list[str]:
    return [f"{p.label}: {p.due.isoformat()}" for p in periods]


# --- issuance: assignments become tracked work


def start_tracking(session: Session, plan: Plan, now: datetime) -> int:
    """Track the issued version's assignments whose lead is a unit of the book: their periods from
    the issue date, an email with a link to each lead unit that has an address. Returns how many.
    Called in the transaction that marks the plan issued; a second call finds them tracked."""
    version = current_version(session, plan)
    assignments = content_of(version).assignments
    if not assignments:  # most plans: nothing to track, no query of the tracking tables
        return 0
    if session.exec(select(TrackedAssignment.id).where(TrackedAssignment.plan_id == plan.id)).first():
        return 0
    org = session.get(Organisation, plan.org_id)
    assert org is not None
    units = _units(session, plan.org_id)
    issued = local_date(now)
    holidays = _holidays(org)
    tracked = 0
    for seq, a in enumerate(assignments, start=1):
        lead = units.get(a.lead.unit_code or "")
        if lead is None:
            continue
        follower = units.get(a.follower.unit_code or "") if a.follower else None
        row = TrackedAssignment(
            plan_id=plan.id or 0,
            version_id=version.id or 0,
            seq=seq,
            lead_code=lead.code,
            lead_name=lead.name,
            lead_email=lead.email,
            follower_code=None if follower is None else follower.code,
            follower_name="" if follower is None else follower.name,
            follower_email=None if follower is None else follower.email,
            what=a.what,
            deadline=a.deadline,
            cadence=a.cadence,
            created_at=now,
        )
        session.add(row)
        session.flush()
        periods = [
            TrackingPeriod(
                assignment_id=row.id or 0,
                plan_id=plan.id or 0,
                label=d.label,
                due=d.on,
                original_due=d.on,
                created_at=now,
                updated_at=now,
            )
            for d in due_periods(a, issued, holidays)
        ]
        session.add_all(periods)
        session.flush()
        tracked += 1
        # A secret plan's work is never described by plain email (like its copies).
        if lead.email and not plan.secrecy:
            _send_assignment(session, plan, row, a, periods, now)
    if tracked:
        audit.append(
            session,
            org_id=plan.org_id,
            plan_id=plan.id,
            actor="system",
            action="tracking_start",
            now=now,
            detail={"assignments": tracked},
        )
    return tracked


def _send_assignment(
    session: Session,
    plan: Plan,
    row: TrackedAssignment,
    a: ConfirmedAssignment,
    periods: Sequence[TrackingPeriod],
    now: datetime,
) -> None:
    token = secrets.token_urlsafe(32)
    row.token_hash = hashlib.sha256(token.encode("utf-8")).hexdigest()
    session.add(row)
    assert row.lead_email is not None
    queue_message(
        session,
        key=f"assignment:p{plan.id}:a{row.seq}",
        event="assignment",
        to_email=row.lead_email,
        to_name=row.lead_name,
        context={
            **_context(session, plan),
            "unit_code": row.lead_code,
            "unit_name": row.lead_name,
            "what": a.what,
            "follower_name": row.follower_name,
            "periods": _periods_text(periods),
            "action_path": f"{TRACKING_PATH}{token}",
        },
        now=now,
        plan_id=plan.id,
    )


# --- who acts


@dataclass(frozen=True)
class _Period:
    period: TrackingPeriod
    assignment: TrackedAssignment
    plan: Plan


def _load(session: Session, period_id: int) -> _Period:
    period = session.exec(
        select(TrackingPeriod).where(TrackingPeriod.id == period_id).with_for_update()
    ).first()
    if period is None:
        raise NotFound("period", code="tracking.period_not_found", period_id=period_id)
    assignment = session.get(TrackedAssignment, period.assignment_id)
    plan = session.get(Plan, period.plan_id)
    assert assignment is not None and plan is not None
    return _Period(period, assignment, plan)


def _person(session: Session, email: str) -> Person | None:
    return session.exec(select(Person).where(func.lower(Person.email) == email.strip().lower())).first()


def parties_of(session: Session, actor: str, assignment: TrackedAssignment, plan: Plan) -> set[Party]:
    """What the actor is to this assignment: its lead unit (by the unit's address; the issuing
    body's secretariat for a unit without one), its follower (the follower unit, or the issuing
    body's secretariat, which follows every assignment), the grantor (the plan's signer)."""
    email = actor.strip().lower()
    person = _person(session, email)
    secretariat = person is not None and person.org_id == plan.org_id and "secretariat" in person.roles
    parties: set[Party] = set()
    if (assignment.lead_email or "").lower() == email or (secretariat and not assignment.lead_email):
        parties.add(Party.LEAD)
    if (assignment.follower_email or "").lower() == email or secretariat:
        parties.add(Party.FOLLOWER)
    if person is not None and person.id == plan.signer_id:
        parties.add(Party.GRANTOR)
    return parties


# --- a period's transitions


def _transition(
    session: Session,
    held: _Period,
    action: PeriodAction,
    actor: str,
    parties: set[Party],
    now: datetime,
    view: PeriodView,
    detail: dict[str, Any],
    **changes: Any,
) -> PeriodState:
    period = held.period
    row = find(period.state, action, parties)
    target = step(row, view)
    result = session.execute(
        update(TrackingPeriod)
        .where(
            col(TrackingPeriod.id) == period.id,
            col(TrackingPeriod.state) == row.source,
            col(TrackingPeriod.row_version) == period.row_version,
        )
        .values(state=target, row_version=period.row_version + 1, updated_at=now, **changes)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise AlreadyDecided("period", code="tracking.changed_meanwhile")
    audit.append(
        session,
        org_id=held.plan.org_id,
        plan_id=held.plan.id,
        actor=actor,
        action=f"tracking_{action.value}",
        now=now,
        from_state=row.source,
        to_state=target,
        detail={
            "period": period.id,
            "assignment": held.assignment.seq,
            "unit": held.assignment.lead_code,
            **detail,
        },
        rows=[period],
    )
    return target


def _view(
    period: TrackingPeriod, now: datetime, comment: str = "", new_due: date | None = None
) -> PeriodView:
    return PeriodView(
        state=PeriodState(period.state),
        due=period.due,
        today=local_date(now),
        comment=comment,
        asked_until=period.asked_until,
        new_due=new_due,
    )


def _tell(
    session: Session,
    held: _Period,
    to_email: str | None,
    to_name: str,
    what: str,
    now: datetime,
    **extra: Any,
) -> None:
    """An update about one period (a report in, a decision, an extension) to one address."""
    if not to_email or held.plan.secrecy:
        return
    period = held.period
    queue_message(
        session,
        key=f"tracking_update:{to_email.lower()}:k{period.id}:r{period.row_version + 1}:{what}",
        event="tracking_update",
        to_email=to_email,
        to_name=to_name,
        context={
            **_context(session, held.plan),
            "unit_name": held.assignment.lead_name,
            "label": period.label,
            "due": period.due.isoformat(),
            "happened": what,
            **extra,
        },
        now=now,
        plan_id=held.plan.id,
    )


def _follower_address(session: Session, held: _Period) -> tuple[str | None, str]:
    if held.assignment.follower_email:
        return held.assignment.follower_email, held.assignment.follower_name
    drafter = session.get(Person, held.plan.drafter_id)
    return (drafter.email, drafter.name) if drafter is not None else (None, "")


def submit_report(
    db: Database,
    period_id: int,
    actor: str,
    text: str,
    files: Sequence[tuple[str, bytes]] = (),
) -> PeriodState:
    """The lead unit's report for one period: text and files; late when after the due date in force."""
    now = db.clock()
    text = text.strip()
    if not text and not files:
        raise Invalid("text", code="field.required")
    if len(text) > MAX_REPORT:
        raise Invalid("text", code="field.too_long", length=len(text), limit=MAX_REPORT)
    for name, content in files:
        if len(content) > MAX_FILE:
            raise Invalid(
                "file", code="tracking.file_too_large", name=name, size=len(content), limit=MAX_FILE
            )
    with db.write() as session:
        held = _load(session, period_id)
        parties = parties_of(session, actor, held.assignment, held.plan)
        listed: list[dict[str, Any]] = [
            {"name": name, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
            for name, content in files
        ]
        late = local_date(now) > held.period.due
        state = _transition(
            session,
            held,
            PeriodAction.SUBMIT,
            actor,
            parties,
            now,
            _view(held.period, now),
            {"late": late, "files": listed},
            report_text=text,
            report_files=listed,
            submitted_at=now,
            submitted_by=actor,
            late=late,
            comment="",
        )
        for (name, content), meta in zip(files, listed, strict=True):
            session.add(
                ReportFile(
                    period_id=period_id,
                    plan_id=held.plan.id or 0,
                    name=name,
                    size=meta["size"],
                    sha256=meta["sha256"],
                    content=content,
                    created_at=now,
                )
            )
        to, name = _follower_address(session, held)
        _tell(session, held, to, name, "submitted", now, report=text)
        return state


def decide_report(db: Database, period_id: int, actor: str, accept: bool, comment: str = "") -> PeriodState:
    """The follower accepts the report, or returns it with a comment (the unit reports again)."""
    now = db.clock()
    with db.write() as session:
        held = _load(session, period_id)
        parties = parties_of(session, actor, held.assignment, held.plan)
        action = PeriodAction.ACCEPT if accept else PeriodAction.RETURN
        state = _transition(
            session,
            held,
            action,
            actor,
            parties,
            now,
            _view(held.period, now, comment),
            {"comment": comment.strip()},
            decided_at=now,
            decided_by=actor,
            comment=comment.strip(),
        )
        what = "accepted" if accept else "returned"
        _tell(
            session, held, held.assignment.lead_email, held.assignment.lead_name, what, now, comment=comment
        )
        return state


def ask_extension(db: Database, period_id: int, actor: str, until: date, reason: str) -> None:
    """The lead unit asks to report later, with a reason; the plan's signer decides."""
    now = db.clock()
    with db.write() as session:
        held = _load(session, period_id)
        parties = parties_of(session, actor, held.assignment, held.plan)
        _transition(
            session,
            held,
            PeriodAction.ASK_EXTENSION,
            actor,
            parties,
            now,
            _view(held.period, now, reason, until),
            {"until": until.isoformat(), "reason": reason.strip()},
            asked_until=until,
            ask_reason=reason.strip(),
        )
        signer = session.get(Person, held.plan.signer_id) if held.plan.signer_id else None
        if signer is not None:
            _tell(
                session,
                held,
                signer.email,
                signer.name,
                "extension_asked",
                now,
                until=until.isoformat(),
                comment=reason,
            )


def decide_extension(db: Database, period_id: int, actor: str, grant: bool, comment: str = "") -> PeriodState:
    """The issuing body's designated person (the plan's signer) grants the extension asked for,
    moving the due date (reminders start again for it), or refuses it."""
    now = db.clock()
    if len(comment) > MAX_REASON:
        raise Invalid("comment", code="field.too_long", length=len(comment), limit=MAX_REASON)
    with db.write() as session:
        held = _load(session, period_id)
        parties = parties_of(session, actor, held.assignment, held.plan)
        until = held.period.asked_until
        changes: dict[str, Any] = {"asked_until": None, "comment": comment.strip()}
        if grant and until is not None:
            changes.update(due=until, extended=True, reminders_sent=0)
        action = PeriodAction.GRANT if grant else PeriodAction.REFUSE
        detail = {"until": None if until is None else until.isoformat(), "comment": comment.strip()}
        state = _transition(
            session, held, action, actor, parties, now, _view(held.period, now), detail, **changes
        )
        what = "extension_granted" if grant else "extension_refused"
        extra = {"until": "" if until is None else until.isoformat(), "comment": comment}
        _tell(session, held, held.assignment.lead_email, held.assignment.lead_name, what, now, **extra)
        return state


def acknowledge(db: Database, plan_id: int, unit_code: str, actor: str) -> bool:
    """The lead unit acknowledges its assignments of a plan; False when it had already."""
    now = db.clock()
    with db.write() as session:
        rows = session.exec(
            select(TrackedAssignment).where(
                TrackedAssignment.plan_id == plan_id, TrackedAssignment.lead_code == unit_code
            )
        ).all()
        if not rows:
            raise NotFound("unit", code="tracking.unit_not_found", unit=unit_code)
        plan = session.get(Plan, plan_id)
        assert plan is not None
        if not all(Party.LEAD in parties_of(session, actor, r, plan) for r in rows):
            raise NotAllowed("as", code="tracking.not_party", period_action="acknowledge", party="lead")
        fresh = [r for r in rows if r.acknowledged_at is None]
        for r in fresh:
            r.acknowledged_at, r.acknowledged_by = now, actor
            session.add(r)
        if fresh:
            audit.append(
                session,
                org_id=plan.org_id,
                plan_id=plan_id,
                actor=actor,
                action="tracking_acknowledge",
                now=now,
                detail={"unit": unit_code, "assignments": [r.seq for r in fresh]},
            )
        return bool(fresh)


# --- time does its work: reminders before and on the due date, escalation after


def send_due_tracking(db: Database, horizon_days: int = 14) -> dict[str, int]:
    """Queue every tracking reminder and escalation due now, each once; returns how many of each.
    After downtime a period gets only the latest of the ones it missed."""
    now = db.clock()
    today = local_date(now)
    with db.read() as session:
        ids = session.exec(
            select(TrackingPeriod.id).where(
                col(TrackingPeriod.state).in_([s.value for s in OWED]),
                col(TrackingPeriod.reminders_sent) < 3,
                col(TrackingPeriod.due) <= today + timedelta(days=horizon_days),
            )
        ).all()
    counts: Counter[str] = Counter()
    for period_id in ids:
        with db.write() as session:
            counts[_nudge(session, period_id or 0, now)] += 1
    counts.pop("", None)
    return dict(counts)


def _escalation_address(session: Session, held: _Period, org: Organisation) -> tuple[str | None, str]:
    escalate_to = str(org.reminders.get("escalate_to") or "")
    if held.assignment.follower_email:
        return held.assignment.follower_email, held.assignment.follower_name
    if escalate_to and (person := _person(session, escalate_to)) is not None:
        return person.email, person.name
    return _follower_address(session, held)


def _nudge(session: Session, period_id: int, now: datetime) -> str:
    held = _load(session, period_id)
    period = held.period
    if period.state not in OWED:
        return ""
    org = session.get(Organisation, held.plan.org_id)
    assert org is not None
    nudge: TrackingNudge | None = next_tracking_nudge(
        period.due, local_date(now), period.reminders_sent, _holidays(org)
    )
    if nudge is None:
        return ""
    claim = (
        update(TrackingPeriod)
        .where(
            col(TrackingPeriod.id) == period_id, col(TrackingPeriod.reminders_sent) == period.reminders_sent
        )
        .values(reminders_sent=nudge.number)
    )
    # The compare-and-set is the claim: a concurrent or repeated run finds it taken.
    if session.execute(claim).rowcount != 1:  # type: ignore[attr-defined]
        return ""
    kind = "tracking_escalation" if nudge.kind == "escalation" else "tracking_reminder"
    if nudge.kind == "escalation" and period.state in (PeriodState.OPEN, PeriodState.EXTENDED):
        _transition(
            session,
            held,
            PeriodAction.FALL_DUE,
            "system",
            {Party.SYSTEM},
            now,
            _view(period, now),
            {},
        )
    if nudge.kind == "escalation":
        to, name = _escalation_address(session, held, org)
    else:
        to, name = held.assignment.lead_email, held.assignment.lead_name
    if to and not held.plan.secrecy:
        queue_message(
            session,
            key=f"{kind}:{to.lower()}:k{period.id}:{period.due.isoformat()}:{nudge.kind}",
            event=kind,
            to_email=to,
            to_name=name,
            context={
                **_context(session, held.plan),
                "unit_name": held.assignment.lead_name,
                "unit_code": held.assignment.lead_code,
                "label": period.label,
                "due": period.due.isoformat(),
                "when": nudge.kind,
                "period_id": period.id,
            },
            now=now,
            plan_id=held.plan.id,
        )
    audit.append(
        session,
        org_id=held.plan.org_id,
        plan_id=held.plan.id,
        actor="system",
        action=kind,
        now=now,
        detail={"period": period.id, "to": to, "when": nudge.kind, "due": period.due.isoformat()},
    )
    return nudge.kind


# --- issued and still owed: whose plans are issued


def issued_plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
    if plan.state != State.ISSUED:
        raise Invalid("plan", code="tracking.not_issued", plan_id=plan_id)
    return plan


# --- the assignment email's link: a lead unit acknowledges without an account


@dataclass(frozen=True)
class AssignmentLink:
    """What an assignment link is for: one lead unit's assignment of one issued plan."""

    plan_id: int
    org_name: str
    title: str
    symbol: str
    unit_name: str
    what: str
    periods: tuple[str, ...]
    acknowledged_at: datetime | None


def assignment_by_token(session: Session, token: str) -> TrackedAssignment:
    row = None
    if 20 <= len(token) <= 100:  # the shape of our tokens; anything else is not worth a query
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        row = session.exec(select(TrackedAssignment).where(TrackedAssignment.token_hash == digest)).first()
    if row is None:
        raise NotFound("token", code="ack.invalid")
    return row


def _link_view(session: Session, row: TrackedAssignment) -> AssignmentLink:
    plan = session.get(Plan, row.plan_id)
    assert plan is not None
    org = session.get(Organisation, plan.org_id)
    assert org is not None
    periods = session.exec(
        select(TrackingPeriod).where(TrackingPeriod.assignment_id == row.id).order_by(col(TrackingPeriod.due))
    ).all()
    return AssignmentLink(
        plan_id=plan.id or 0,
        org_name=org.name,
        title=current_version(session, plan).title,
        symbol=plan.symbol or "",
        unit_name=row.lead_name,
        what=row.what,
        periods=tuple(_periods_text(periods)),
        acknowledged_at=row.acknowledged_at,
    )


def assignment_link(db: Database, token: str) -> AssignmentLink:
    """What a link is for; changes nothing (mail scanners open links)."""
    with db.read() as session:
        return _link_view(session, assignment_by_token(session, token))


def acknowledge_by_link(db: Database, token: str) -> AssignmentLink:
    """The lead unit acknowledges its assignment by the link in its email (once)."""
    now = db.clock()
    with db.write() as session:
        row = assignment_by_token(session, token)
        if row.acknowledged_at is None:
            row.acknowledged_at, row.acknowledged_by = now, f"link:{row.lead_email or row.lead_code}"
            session.add(row)
            plan = session.get(Plan, row.plan_id)
            assert plan is not None
            audit.append(
                session,
                org_id=plan.org_id,
                plan_id=plan.id,
                actor=row.acknowledged_by,
                action="tracking_acknowledge",
                now=now,
                detail={"unit": row.lead_code, "assignments": [row.seq], "by": "link"},
            )
        return _link_view(session, row)
