"""The one path every state change takes: table lookup and guard (`check`), then compare-and-set,
audit and outbox (`apply`).

Only the services commit. A transition's audit row, its queued notifications and the job
that drives the plan's flow run are written in the same transaction as the state change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from models.content import short_hash
from models.directory import Organisation, Person
from models.errors import AlreadyDecided, NotAllowed, NotFound
from models.guards import Blocked
from models.lifecycle import Action, Role, State, Transition, current
from models.plans import Plan, PlanVersion
from models.policies import check_separation
from models.records import OutboxMessage
from models.services import audit, links
from models.services.actors import SYSTEM as SYSTEM
from models.services.actors import Who as Who
from models.services.actors import resolve_actor as resolve_actor
from models.services.recipients import addressees
from models.services.versions import current_version
from models.services.views import plan_view


def lock_plan(session: Session, plan_id: int) -> Plan:
    plan = session.exec(select(Plan).where(Plan.id == plan_id).with_for_update()).first()
    if plan is None:
        raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
    return plan


def role_for(who: Who, state: State, action: Action) -> Role:
    """The role the actor acts in: the one the table wants, if the person holds it."""
    if who.principal is None:
        return Role.SYSTEM
    held = [Role(r) for r in who.principal.roles if r in Role.__members__.values() and r != Role.SYSTEM]
    for role in current().roles_for(state, action):
        if role in held:
            return role
    if not held:
        raise NotAllowed("as", code="person.no_role", who=who.label)
    return held[0]


def guarded(
    session: Session, plan: Plan, who: Who, action: Action, seen: str | None = None
) -> tuple[Transition, Blocked | None]:
    """The table's transition for this actor and action (`Refused` when the table or separation of
    duties says no) and what its guard says on the plan's view (`seen`: the version hash the
    actor acted on)."""
    lifecycle = current()
    state = lifecycle.state_of(plan.state)
    role = role_for(who, state, action)
    view = plan_view(session, plan, who.principal, seen)
    transition = lifecycle.find(state, action, role, role in view.assigned_as)
    if transition.separate_from_drafter and who.person is not None:
        org = session.get(Organisation, plan.org_id)
        assert org is not None
        acting = {p.id for p in (who.person, who.on_behalf_of) if p is not None and p.id is not None}
        check_separation(action.value, plan.drafter_id, acting, org.drafter_may_approve_and_sign)
    return transition, None if transition.guard is None else transition.guard(view)


def check(session: Session, plan: Plan, who: Who, action: Action, seen: str | None = None) -> Transition:
    """The table's answer for this actor and action, its guard's included; raises when it says no."""
    transition, blocked = guarded(session, plan, who, action, seen)
    if blocked is not None:
        raise blocked.exception()
    return transition


def apply(
    session: Session,
    plan: Plan,
    transition: Transition,
    who: Who,
    now: datetime,
    detail: dict[str, Any] | None = None,
    rows: Sequence[Any] = (),
    said: dict[str, Any] | None = None,
    **changes: Any,
) -> None:
    """Compare-and-set the plan's state and row version, audit (binding the plan and `rows`), queue
    the flow job and the transition's events (their emails add `said` to the plan's context)."""
    result = session.execute(
        update(Plan)
        .where(Plan.id == plan.id, Plan.state == transition.source, Plan.row_version == plan.row_version)  # type: ignore[arg-type]
        .values(state=transition.target, row_version=plan.row_version + 1, updated_at=now, **changes)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise AlreadyDecided("plan", code="plan.changed_meanwhile")
    audit.append(
        session,
        org_id=plan.org_id,
        plan_id=plan.id,
        actor=who.label,
        action=transition.action,
        now=now,
        from_state=transition.source,
        to_state=transition.target,
        detail={**(detail or {}), **who.detail()},
        rows=[plan, *rows],  # the plan as it now stands: its state, version, signer, mark, number
    )
    if transition.drives_flow:
        queue_flow_job(session, plan, now)
    if transition.notices:
        version = current_version(session, plan)
        context = {**plan_context(session, plan, version), **(said or {})}
        for event in transition.notices:
            for to in addressees(session, plan, transition, event, version, now):
                queue_email(
                    session,
                    event=event.value,
                    to=to.person,
                    key=to.key,
                    plan=plan,
                    context={**context, **to.context},
                    now=now,
                )


def queue_flow_job(session: Session, plan: Plan, now: datetime) -> None:
    """Ask the dispatcher to start or resume the plan's flow run after this commit."""
    session.add(
        OutboxMessage(
            key=f"flow:{plan.id}:{plan.row_version}",
            kind="flow",
            plan_id=plan.id,
            event="drive",
            next_attempt_at=now,
            created_at=now,
        )
    )


def message_id_for(key: str) -> str:
    """A Message-ID derived from the email's key: a retry of the same email keeps it."""
    return f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()[:40]}@banhanh>"


def plan_context(session: Session, plan: Plan, version: PlanVersion) -> dict[str, Any]:
    org = session.get(Organisation, plan.org_id)
    assert org is not None
    return {
        "plan_id": plan.id,
        "title": version.title,
        "version_hash": short_hash(version.content_hash),
        "version_seq": version.seq,
        "round": plan.review_round,
        "org_name": org.name,
        "symbol": plan.symbol or "",
        "state": plan.state,
    }


def queue_email(
    session: Session,
    *,
    event: str,
    to: Person,
    key: str,
    plan: Plan,
    context: dict[str, Any],
    now: datetime,
) -> None:
    queue_message(
        session,
        key=f"{event}:{to.email.lower()}:p{plan.id}:{key}",
        event=event,
        to_email=to.email,
        to_name=to.name,
        context={
            **context,
            "to_name": to.name,
            # the page for this step, through a one-time link made with the email
            "action_path": links.issue(session, to, links.step_for(event, context), now, plan),
        },
        now=now,
        plan_id=plan.id,
    )


def queue_message(
    session: Session,
    *,
    key: str,
    event: str,
    to_email: str,
    to_name: str,
    context: dict[str, Any],
    now: datetime,
    plan_id: int | None = None,
) -> None:
    """One email in the outbox, due now; its Message-ID comes from `key`, so a retry reuses it."""
    session.add(
        OutboxMessage(
            key=key,
            kind="email",
            plan_id=plan_id,
            event=event,
            to_email=to_email,
            to_name=to_name,
            context=context,
            message_id=message_id_for(key),
            next_attempt_at=now,
            created_at=now,
        )
    )
