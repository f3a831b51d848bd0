"""A plan's review stages and where the current one stands (reads only).

The rules are pure, in `models.review_policy`; the review service and the plan's view both
read the stages and tasks through this module.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.plans import Plan, PlanReviewer, PlanStage, ReviewTask
from models.policies import Outcome, TaskStatus
from models.review_policy import Next, Rule, Stage, next_step, stage_outcome


def round_tasks(session: Session, plan: Plan) -> list[ReviewTask]:
    return list(
        session.exec(
            select(ReviewTask).where(ReviewTask.plan_id == plan.id, ReviewTask.round == plan.review_round)
        ).all()
    )


def plan_stages(session: Session, plan: Plan) -> list[Stage[int]]:
    """The plan's stages in order; a plan without stage rows has one: every reviewer, rule all."""
    reviewers = session.exec(select(PlanReviewer).where(PlanReviewer.plan_id == plan.id)).all()
    rows = session.exec(
        select(PlanStage).where(PlanStage.plan_id == plan.id).order_by(col(PlanStage.seq))
    ).all() or [PlanStage(plan_id=plan.id or 0, seq=1)]
    return [
        Stage(
            reviewers=tuple(r.person_id for r in reviewers if r.stage == row.seq),
            rule=Rule(row.rule),
            needed=row.needed,
            mandatory=frozenset(r.person_id for r in reviewers if r.stage == row.seq and r.mandatory),
            name=row.name,
        )
        for row in rows
    ]


def where(session: Session, plan: Plan) -> tuple[Outcome, Next]:
    """The current stage's outcome and the step it calls for."""
    stages = plan_stages(session, plan)
    statuses = {
        t.reviewer_id: TaskStatus(t.status)
        for t in round_tasks(session, plan)
        if t.stage == plan.review_stage
    }
    outcome = stage_outcome(stages[plan.review_stage - 1], statuses)
    return outcome, next_step(outcome, plan.review_stage, len(stages))
