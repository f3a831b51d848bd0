"""Who is signed in to the web app, through which link, and which plans they may see.

Sign-in is by a one-time link emailed through the outbox (no passwords). A link from a
notification also signs its person in, but only while its step still waits for them on the
version it was sent for. Sessions end after ``minutes`` of inactivity or on sign-out.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from models.db import Database
from models.delegation import Kind
from models.directory import Organisation, Person
from models.errors import BanHanhError, NotAllowed, NotFound, WrongState
from models.lifecycle import Role, State
from models.plans import Plan, PlanReviewer, PlanVersion, ReviewTask
from models.policies import TaskStatus
from models.records import ActionLink, WebSession
from models.services import links
from models.services.checks import local_date
from models.services.core import queue_message
from models.services.delegations import delegate_on

TOUCH_EVERY = timedelta(minutes=1)  # a session's last-seen time is written at most this often
# At most this many sign-in emails per person per window: the form cannot flood an inbox.
SIGN_IN_BURST, SIGN_IN_WINDOW = 5, timedelta(minutes=15)


@dataclass(frozen=True)
class LinkTarget:
    person: Person
    step: str
    plan_id: int | None
    title: str


@dataclass(frozen=True)
class SignedIn:
    session_token: str
    person: Person
    step: str
    plan_id: int | None


def request_sign_in(db: Database, email: str, link_hours: int) -> bool:
    """Email a sign-in link to the person with this address; False when none is sent
    (no such person, or too many asked for lately)."""
    now = db.clock()
    with db.write() as session:
        person = session.exec(select(Person).where(func.lower(Person.email) == email.strip().lower())).first()
        if person is None:
            return False
        recent = session.exec(
            select(func.count())
            .select_from(ActionLink)
            .where(
                ActionLink.person_id == person.id,
                ActionLink.step == links.SIGN_IN,
                col(ActionLink.created_at) > now - SIGN_IN_WINDOW,
            )
        ).one()
        if recent >= SIGN_IN_BURST:
            return False
        org = session.get(Organisation, person.org_id)
        path = links.issue(session, person, links.SIGN_IN, now)
        key = f"sign_in:{person.email.lower()}:{links.token_hash(path)[:16]}"
        queue_message(
            session,
            key=key,
            event="sign_in",
            to_email=person.email,
            to_name=person.name,
            context={
                "to_name": person.name,
                "org_name": org.name if org else "",
                "link_hours": link_hours,
                "action_path": path,
            },
            now=now,
        )
        return True


def _link(session: Session, token: str, link_hours: int, now: datetime) -> ActionLink:
    link = session.exec(select(ActionLink).where(ActionLink.token_hash == links.token_hash(token))).first()
    if link is None:
        raise NotFound("link", code="link.invalid")
    if link.used_at is not None:
        raise WrongState("link", code="link.used")
    if link.created_at + timedelta(hours=link_hours) < now:
        raise WrongState("link", code="link.expired", hours=link_hours)
    return link


def _step_waits(session: Session, link: ActionLink, person: Person) -> Plan | None:
    """The link's plan if its step still waits for the person on the link's version."""
    if link.plan_id is None:
        return None
    plan = session.get(Plan, link.plan_id)
    if plan is None or plan.org_id != person.org_id:
        raise NotFound("plan", code="plan.not_found", plan_id=link.plan_id)
    version = session.get(PlanVersion, plan.current_version_id)
    current = version is not None and version.content_hash == link.version_hash
    today = local_date(datetime.now(UTC))
    if link.step == "review":
        tasks = session.exec(
            select(ReviewTask).where(
                ReviewTask.plan_id == plan.id,
                ReviewTask.round == plan.review_round,
                ReviewTask.status == TaskStatus.OPEN,
                ReviewTask.version_hash == link.version_hash,
            )
        ).all()
        mine = any(acts_for(session, person, t.reviewer_id, Kind.REVIEW, today) for t in tasks)
        waits = plan.state == State.IN_REVIEW and mine
    elif link.step == "sign":
        signs = plan.signer_id is not None and acts_for(session, person, plan.signer_id, Kind.SIGN, today)
        waits = plan.state == State.APPROVED and signs and current
    elif link.step == "issue":
        waits = plan.state == State.AWAITING_ISSUANCE and Role.CLERK in person.roles and current
    elif link.step == "edit":
        drafting = plan.state in (State.DRAFT, State.CHANGES_REQUESTED)
        waits = drafting and Role.SECRETARIAT in person.roles and current
    else:
        waits = can_see(session, person, plan)
    if not waits:
        raise WrongState("link", code="link.step_done")
    return plan


@dataclass(frozen=True)
class LinkHolder:
    """Whom a link (valid or not) was sent to, and for which step of which plan."""

    person_id: int
    step: str
    plan_id: int | None
    waits: bool  # the step still waits for that person


def link_holder(db: Database, token: str) -> LinkHolder | None:
    """A used or expired link still names its person and step: opened again by that person,
    signed in, it can take them to their task instead of an error."""
    with db.read() as session:
        link = session.exec(
            select(ActionLink).where(ActionLink.token_hash == links.token_hash(token))
        ).first()
        if link is None:
            return None
        person = session.get(Person, link.person_id)
        assert person is not None
        try:
            waits = _step_waits(session, link, person) is not None
        except BanHanhError:
            waits = False
        return LinkHolder(link.person_id, link.step, link.plan_id, waits)


def inspect_link(db: Database, token: str, link_hours: int) -> LinkTarget:
    """What a link would open, without using it (the page a GET shows)."""
    with db.read() as session:
        link = _link(session, token, link_hours, db.clock())
        person = session.get(Person, link.person_id)
        assert person is not None
        plan = _step_waits(session, link, person)
        title = ""
        if plan is not None:
            version = session.get(PlanVersion, plan.current_version_id)
            title = version.title if version else ""
        return LinkTarget(person, link.step, link.plan_id, title)


def use_link(db: Database, token: str, link_hours: int, signed_in_as: int | None) -> SignedIn:
    """Use a link once: it is spent and its person signed in, in one transaction."""
    now = db.clock()
    with db.write() as session:
        link = _link(session, token, link_hours, now)
        if signed_in_as is not None and signed_in_as != link.person_id:
            raise NotAllowed("link", code="link.other_person")
        person = session.get(Person, link.person_id)
        assert person is not None
        _step_waits(session, link, person)
        spent = session.execute(
            update(ActionLink)
            .where(col(ActionLink.id) == link.id, col(ActionLink.used_at).is_(None))
            .values(used_at=now)
        )
        if spent.rowcount != 1:  # type: ignore[attr-defined]
            raise WrongState("link", code="link.used")
        token_out = secrets.token_urlsafe(32)
        session.add(
            WebSession(
                token_hash=links.token_hash(token_out),
                person_id=person.id or 0,
                created_at=now,
                last_seen_at=now,
            )
        )
        return SignedIn(token_out, person, link.step, link.plan_id)


def session_person(db: Database, token: str, minutes: int, max_hours: int = 12) -> Person | None:
    """The person of a live session, or None; a used session's idle clock restarts, but no
    session outlives `max_hours` from its sign-in (a stolen cookie stays useful for a day at most)."""
    now = db.clock()
    with db.read() as session:
        row = session.exec(select(WebSession).where(WebSession.token_hash == links.token_hash(token))).first()
        if (
            row is None
            or row.ended_at is not None
            or row.last_seen_at + timedelta(minutes=minutes) < now
            or row.created_at + timedelta(hours=max_hours) < now
        ):
            return None
        person = session.get(Person, row.person_id)
    if now - row.last_seen_at >= TOUCH_EVERY:
        with db.write() as session:
            session.execute(update(WebSession).where(col(WebSession.id) == row.id).values(last_seen_at=now))
    return person


def end_session(db: Database, token: str) -> None:
    with db.write() as session:
        session.execute(
            update(WebSession)
            .where(col(WebSession.token_hash) == links.token_hash(token))
            .values(ended_at=db.clock())
        )


def acts_for(session: Session, person: Person, principal_id: int, kind: Kind, day: date) -> bool:
    """The person is `principal_id`, or their delegate for `kind` on `day`."""
    if principal_id == person.id:
        return True
    delegate = delegate_on(session, principal_id, kind, day)
    return delegate is not None and delegate.id == person.id


def can_see(session: Session, person: Person, plan: Plan) -> bool:
    """Secretariat and văn thư: every plan of its organisation; others: the plans they drafted (a
    follower's summary report), are assigned to, or were routed as a delegate, or hold a delegation
    in force for."""
    if plan.org_id != person.org_id:
        return False
    if (
        Role.SECRETARIAT in person.roles
        or Role.CLERK in person.roles
        or person.id in (plan.signer_id, plan.drafter_id)
    ):
        return True
    if plan.state in (State.RECALL_REQUESTED, State.RECALLED) and Role.SIGNER in person.roles:
        return True  # the organisation's signers: a second one confirms the recall, having read it
    reviewers = session.exec(select(PlanReviewer.person_id).where(PlanReviewer.plan_id == plan.id)).all()
    tasked = session.exec(
        select(ReviewTask).where(
            ReviewTask.plan_id == plan.id,
            (col(ReviewTask.reviewer_id) == person.id)
            | (col(ReviewTask.delegate_id) == person.id)
            | (col(ReviewTask.decided_by_id) == person.id),
        )
    ).first()
    if person.id in reviewers or tasked is not None:
        return True
    today = local_date(datetime.now(UTC))
    principals = [(r, Kind.REVIEW) for r in reviewers]
    if plan.signer_id is not None:
        principals.append((plan.signer_id, Kind.SIGN))
    return any(acts_for(session, person, p, kind, today) for p, kind in principals)


def visible_plan(db: Database, person: Person, plan_id: int) -> Plan:
    """The plan if this person may see it; NotFound otherwise (its existence is not revealed)."""
    with db.read() as session:
        plan = session.get(Plan, plan_id)
        if plan is None or not can_see(session, person, plan):
            raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
        return plan
