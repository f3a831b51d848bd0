"""The summary Báo cáo of an issued plan's tracked work: the follower assembles the accepted reports
into a new draft of type BC, linked to the plan (reports on), which then goes through review and
signing like any plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from models.calendar import local_date
from models.content import MILESTONES
from models.db import Database
from models.directory import Organisation
from models.errors import AlreadyDecided, Invalid, NotAllowed
from models.lifecycle import State
from models.plans import Plan, PlanLink
from models.related import LinkKind
from models.services import audit
from models.services.actors import resolve_actor
from models.services.plans import draft_plan
from models.services.related import shown
from models.services.tracking_views import tracked_work
from models.services.tracking_work import issued_plan, parties_of
from models.services.versions import content_of, current_version
from models.summary_report import Reported, UnitReport, summary_draft
from models.tracked import TrackedAssignment, TrackingPeriod
from models.tracking import Party, PeriodState


@dataclass(frozen=True)
class Summary:
    plan_id: int  # the new Báo cáo
    reports_on: int
    version_hash: str
    units: tuple[str, ...]  # with an accepted report in it
    missing: tuple[str, ...]  # without one
    notes: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "plan": self.plan_id,
            "reports_on": self.reports_on,
            "version_hash": self.version_hash,
            "units": list(self.units),
            "missing": list(self.missing),
            "notes": list(self.notes),
        }


def _selected(periods: list[TrackingPeriod], milestone: str) -> list[TrackingPeriod]:
    """The accepted periods the summary covers: those due by the plan's own period of that
    milestone when it has one (a sơ kết covers what came before it), else all accepted so far."""
    own = [p.due for p in periods if p.label == milestone]
    until = max(own) if own else None
    return [
        p for p in periods if p.state == PeriodState.ACCEPTED and (until is None or p.original_due <= until)
    ]


def is_follower(session: Session, actor: str, plan: Plan) -> bool:
    """Whether the actor follows any of the plan's tracked assignments (the secretariat follows all)."""
    rows = session.exec(select(TrackedAssignment).where(TrackedAssignment.plan_id == plan.id)).all()
    return any(Party.FOLLOWER in parties_of(session, actor, a, plan) for a in rows)


def assemble_summary(db: Database, plan_id: int, actor: str, milestone: str) -> Summary:
    """A Báo cáo draft of the accepted reports, linked to the plan; one per milestone while it lives."""
    if milestone not in MILESTONES:
        raise Invalid("milestone", code="field.bad_choice", value=milestone, choices=MILESTONES)
    now = db.clock()
    with db.write() as session:
        plan = issued_plan(session, plan_id)
        who = resolve_actor(session, actor)
        if who.person is None or who.person.org_id != plan.org_id or not is_follower(session, actor, plan):
            raise NotAllowed("as", code="tracking.not_follower", actor=actor)
        earlier = session.exec(
            select(Plan.id)
            .join(PlanLink, col(PlanLink.plan_id) == Plan.id)
            .where(
                PlanLink.target_id == plan_id,
                PlanLink.kind == LinkKind.REPORTS_ON.value,
                PlanLink.note == milestone,
                col(Plan.state) != State.WITHDRAWN,
            )
        ).first()
        if earlier is not None:
            raise AlreadyDecided("milestone", code="tracking.summary_exists", plan_id=earlier)
        assignments, periods = tracked_work(session, plan_id)
        chosen = _selected(list(periods), milestone)
        if not chosen:
            raise Invalid("milestone", code="tracking.nothing_accepted")
        by_id = {a.id: a for a in assignments}
        reports = [
            UnitReport(
                unit=by_id[p.assignment_id].lead_name,
                label=p.label,
                due=p.due,
                text=p.report_text,
                files=tuple(str(f["name"]) for f in p.report_files),
            )
            for a in assignments
            for p in chosen
            if p.assignment_id == a.id
        ]
        reported = {r.unit for r in reports}
        missing = tuple(dict.fromkeys(a.lead_name for a in assignments if a.lead_name not in reported))
        org = session.get(Organisation, plan.org_id)
        assert org is not None
        cited = Reported(
            title=current_version(session, plan).title,
            symbol=plan.symbol or "",
            issued_on=None if plan.signed_at is None else local_date(plan.signed_at),
        )
        draft = summary_draft(cited, milestone, reports, missing, content_of(current_version(session, plan)))
        created = draft_plan(session, org, who, draft, "BC", (), now, (plan, LinkKind.REPORTS_ON, milestone))
        # Bound to what was read: every period whose report went in (the link is bound at creation).
        audit.append(
            session,
            org_id=plan.org_id,
            plan_id=plan_id,
            actor=who.label,
            action="tracking_summary",
            now=now,
            detail={"report": created.plan_id, "milestone": milestone, "periods": [p.id for p in chosen]},
            rows=list(chosen),
        )
        return Summary(
            plan_id=created.plan_id,
            reports_on=plan_id,
            version_hash=created.version_hash,
            units=tuple(dict.fromkeys(r.unit for r in reports)),
            missing=missing,
            notes=created.notes,
        )


def follows(db: Database, plan_id: int, actor: str) -> bool:
    """Whether the actor may decide the plan's reports and assemble its summary."""
    with db.read() as session:
        plan = session.get(Plan, plan_id)
        return plan is not None and plan.state == State.ISSUED and is_follower(session, actor, plan)


def summaries(db: Database, plan_id: int) -> list[dict[str, Any]]:
    """The summary reports made of the plan's work (and, on a summary, the plan it reports on)."""
    return [r for r in shown(db, plan_id) if r["kind"] == LinkKind.REPORTS_ON]
