"""Flow-run bookkeeping: which Prefect run drives a plan and which human step it waits on.

This is orchestration metadata, not plan state: it never changes what the lifecycle table
governs, so it is written without a transition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import col, select

from models.db import Database
from models.directory import Organisation
from models.errors import NotFound
from models.lifecycle import FINAL_STATES, State, wait_key
from models.plans import Plan, PlanVersion
from models.records import Delivery, OutboxMessage
from models.types import utcnow


@dataclass(frozen=True)
class PlanSnapshot:
    plan_id: int
    uid: str
    state: State
    review_round: int
    version_seq: int
    title: str
    flow_run_id: str | None
    recorded_wait_key: str | None
    automatic_issuance: bool = True  # a signed plan is issued by the engine, not by the văn thư

    @property
    def expected_wait_key(self) -> str | None:
        return wait_key(self.state, self.review_round, self.version_seq)

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def run_name(self) -> str:
        title = self.title if len(self.title) <= 70 else self.title[:69] + "…"
        return f"KH-{self.plan_id}: {title}"


def snapshot(db: Database, plan_id: int) -> PlanSnapshot:
    with db.read() as session:
        row = session.exec(
            select(Plan, PlanVersion, Organisation.automatic_issuance)
            .join(PlanVersion, col(PlanVersion.id) == Plan.current_version_id)
            .join(Organisation, col(Organisation.id) == Plan.org_id)
            .where(Plan.id == plan_id)
        ).first()
        if row is None:
            raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
        plan, version, automatic = row
        return PlanSnapshot(
            plan.id or 0,
            plan.uid,
            State(plan.state),
            plan.review_round,
            version.seq,
            version.title,
            plan.flow_run_id,
            plan.wait_key,
            automatic,
        )


def set_flow_run(db: Database, plan_id: int, flow_run_id: str) -> None:
    with db.write() as session:
        session.execute(update(Plan).where(Plan.id == plan_id).values(flow_run_id=flow_run_id))  # type: ignore[arg-type]


def set_wait_key(db: Database, plan_id: int, key: str | None) -> None:
    with db.write() as session:
        session.execute(update(Plan).where(Plan.id == plan_id).values(wait_key=key))  # type: ignore[arg-type]


def active_plan_ids(db: Database) -> list[int]:
    """Plans a flow run should be driving: submitted at least once and not final."""
    with db.read() as session:
        ids = session.exec(
            select(Plan.id)
            .where(col(Plan.state).not_in([s.value for s in FINAL_STATES]), Plan.review_round > 0)
            .order_by(col(Plan.id))
        ).all()
        return [i for i in ids if i is not None]


def flow_job_done(db: Database, item_id: int) -> None:
    with db.write() as session:
        item = session.get(OutboxMessage, item_id)
        if item is not None and item.status == "sending":
            item.status, item.claimed_until = "sent", None
            session.add(item)


@dataclass(frozen=True)
class LatePlan:
    """A plan whose automated work is due and has not moved for a while: its run is late."""

    plan_id: int
    state: str
    since: datetime  # the last progress: the decision, the signature, the last copy recorded
    waits_for: str  # what the run should be doing

    def as_dict(self, now: datetime | None = None) -> dict[str, object]:
        minutes = ((now or utcnow()) - self.since).total_seconds() / 60
        return {
            "id": self.plan_id,
            "state": self.state,
            "since": self.since.isoformat(timespec="seconds"),
            "minutes": round(minutes, 1),
            "waits_for": self.waits_for,
        }


def late_plans(db: Database, late_after: timedelta, now: datetime | None = None) -> list[LatePlan]:
    """Active plans whose run has had work to do for longer than ``late_after`` without progress.

    Read from the database alone, so it answers while Prefect is down (and says so): a signed
    plan not yet distributing (render), a distributing plan with no copy recorded lately (send),
    or a decision the run has not acted on (the step it last waited on is not the one the
    plan's state asks for). A plan waiting for a person is never late here: reminders cover it.
    """
    now = now or utcnow()
    cutoff = now - late_after
    with db.read() as session:
        rows = session.exec(
            select(Plan, PlanVersion.seq)
            .join(PlanVersion, col(PlanVersion.id) == Plan.current_version_id)
            .where(col(Plan.state).not_in([s.value for s in FINAL_STATES]), Plan.review_round > 0)
            .where(col(Plan.updated_at) < cutoff)
            .order_by(col(Plan.id))
        ).all()
        distributing = [p.id for p, _ in rows if p.state == State.DISTRIBUTING.value]
        last_copy = dict(
            session.exec(
                select(Delivery.plan_id, func.max(Delivery.updated_at))
                .where(col(Delivery.plan_id).in_(distributing))
                .group_by(col(Delivery.plan_id))
            ).all()
            if distributing
            else []
        )
    late: list[LatePlan] = []
    for plan, seq in rows:
        state = State(plan.state)
        since = plan.updated_at
        if state is State.SIGNED:
            waits_for = "render and distribute"
        elif state is State.DISTRIBUTING:
            waits_for = "send the copies"
            copy = last_copy.get(plan.id or 0)
            if copy is not None and copy.replace(tzinfo=since.tzinfo) > since:
                since = copy.replace(tzinfo=since.tzinfo)
        else:
            expected = wait_key(state, plan.review_round, seq)
            if expected is None or plan.wait_key == expected:
                continue  # waiting for a person
            waits_for = f"move to {expected}"
        if since < cutoff:
            late.append(LatePlan(plan.id or 0, plan.state, since, waits_for))
    return late
