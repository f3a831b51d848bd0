"""The view of a plan the lifecycle's guards read, built once per transition."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from models.addressing import as_above, referred_units
from models.content import RecipientLine, recipients_from_json
from models.directory import Organisation, Person
from models.guards import PlanView
from models.lifecycle import current
from models.plans import Plan, PlanLink, PlanReviewer, RenderedDocument, ReviewTask
from models.policies import Outcome, TaskStatus
from models.recalls import Recall
from models.records import FINAL_DELIVERY, Delivery
from models.related import LinkKind
from models.review_policy import Next
from models.services.stages import where
from models.services.versions import current_version
from models.states import Role, State


def open_task(session: Session, plan: Plan, person: Person) -> ReviewTask | None:
    """The person's open review task in the plan's current round."""
    return session.exec(
        select(ReviewTask).where(
            ReviewTask.plan_id == plan.id,
            ReviewTask.round == plan.review_round,
            ReviewTask.reviewer_id == person.id,
            ReviewTask.status == TaskStatus.OPEN,
        )
    ).first()


def plan_view(session: Session, plan: Plan, person: Person | None, seen: str | None = None) -> PlanView:
    """The plan as the guards see it, for `person` acting (None: the engine), who saw version `seen`."""
    state = current().state_of(plan.state)
    version = current_version(session, plan)
    lines = recipients_from_json(version.recipients)
    stage: tuple[Outcome, Next] = (Outcome.PENDING, Next.WAIT)
    if state is State.IN_REVIEW:
        stage = where(session, plan)
    task = None if person is None else open_task(session, plan, person)
    return PlanView(
        state=state,
        title=version.title,
        version_hash=version.content_hash,
        version_seq=version.seq,
        review_round=plan.review_round,
        review_stage=plan.review_stage,
        has_signer=plan.signer_id is not None and version.signature is not None,
        reviewers=session.exec(
            select(func.count()).select_from(PlanReviewer).where(PlanReviewer.plan_id == plan.id)
        ).one(),
        recipients=lines,
        stage_outcome=stage[0],
        stage_step=stage[1],
        document_rendered=_exists(
            session,
            select(RenderedDocument.id).where(
                RenderedDocument.plan_id == plan.id,
                RenderedDocument.version_id == plan.current_version_id,
                RenderedDocument.format == "pdf",
            ),
        ),
        deliveries_final=not _exists(
            session,
            select(Delivery.id).where(
                Delivery.plan_id == plan.id, col(Delivery.status).not_in(FINAL_DELIVERY)
            ),
        ),
        number=plan.number,
        assigned_as=_assigned_as(plan, person, task),
        task_hash=None if task is None else task.version_hash,
        seen_hash=seen,
        unreferred=_unreferred(session, plan, version.body, lines),
        automatic_issuance=_issues_automatically(session, plan),
        actor_id=None if person is None else person.id,
        actor_in_org=person is not None and person.org_id == plan.org_id,
        actor_is_head=_heads(session, plan, person),
        recall_requested_by=_recall_requested_by(session, plan),
        replacement_issued=state is State.ISSUED
        and _exists(
            session,
            select(PlanLink.id)
            .join(Plan, col(Plan.id) == PlanLink.plan_id)
            .where(
                PlanLink.target_id == plan.id,
                PlanLink.kind == LinkKind.REPLACES.value,
                Plan.state == State.ISSUED,
            ),
        ),
    )


def _heads(session: Session, plan: Plan, person: Person | None) -> bool:
    """The person heads the plan's organisation (its `head_email`)."""
    org = session.get(Organisation, plan.org_id)
    return (
        person is not None
        and org is not None
        and bool(org.head_email)
        and org.head_email.strip().lower() == person.email.strip().lower()
    )


def _recall_requested_by(session: Session, plan: Plan) -> int | None:
    """Who asked for the plan's open recall, if one is open."""
    if plan.state != State.RECALL_REQUESTED:
        return None
    recall = session.exec(
        select(Recall)
        .where(Recall.plan_id == plan.id, Recall.status == "requested")
        .order_by(col(Recall.id).desc())
    ).first()
    return None if recall is None else recall.requested_by_id


def _issues_automatically(session: Session, plan: Plan) -> bool:
    org = session.get(Organisation, plan.org_id)
    return org is None or org.automatic_issuance


def _exists(session: Session, query: SelectOfScalar[Any]) -> bool:
    return session.exec(query.limit(1)).first() is not None


def _assigned_as(plan: Plan, person: Person | None, task: ReviewTask | None) -> frozenset[Role]:
    """The roles `person` is assigned to this plan in: the plan's organisation for the
    secretariat, an open review task for a reviewer, the chosen signer for the signer."""
    if person is None:
        return frozenset({Role.SYSTEM})
    assigned = set()
    if person.org_id == plan.org_id:
        assigned.add(Role.SECRETARIAT)
        assigned.add(Role.CLERK)  # any văn thư of the organisation issues its documents
    if plan.signer_id == person.id:
        assigned.add(Role.SIGNER)
    if task is not None:
        assigned.add(Role.REVIEWER)
    return frozenset(assigned)


def _unreferred(session: Session, plan: Plan, body: str, lines: tuple[RecipientLine, ...]) -> frozenset[int]:
    """The "Như trên" / "Như Điều N" lines whose addressees are none of them in the address book."""
    cited = {
        i: article for i, line in enumerate(lines, start=1) if (article := as_above(line.text)) is not None
    }
    if not cited:
        return frozenset()
    from models.services.plans import address_book  # plans reaches this module through core

    book = address_book(session, plan.org_id)
    return frozenset(i for i, article in cited.items() if not referred_units(body, article, book))
