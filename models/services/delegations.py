"""Delegation (ủy quyền): recording it, and finding who acts for whom on a given day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.db import Database
from models.delegation import Kind, Period
from models.directory import Delegation, Organisation, Person
from models.errors import Invalid, NotAllowed, NotFound, WrongState
from models.lifecycle import Role
from models.services import audit
from models.services.actors import Who, resolve_actor
from models.services.checks import local_date


def _person(session: Session, field: str, email: str) -> Person:
    person = session.exec(select(Person).where(func.lower(Person.email) == email.strip().lower())).first()
    if person is None:
        raise NotFound(field, code="person.not_found", email=email)
    return person


def add(
    db: Database,
    actor: str,
    from_email: str,
    to_email: str,
    kind: str,
    starts_on: date,
    ends_on: date,
    basis: str = "",
) -> int:
    """Record that `from_email` lets `to_email` review or sign for them from `starts_on` to
    `ends_on` (inclusive). The secretariat of their organisation records it. Returns its id."""
    if kind not in {k.value for k in Kind}:
        raise Invalid("kind", code="delegation.bad_kind", kind=kind, kinds=[k.value for k in Kind])
    if ends_on < starts_on:
        raise Invalid("end", code="delegation.ends_before_start", ends=ends_on, starts=starts_on)
    now = db.clock()
    with db.write() as session:
        who = resolve_actor(session, actor)
        delegator = _person(session, "from", from_email)
        delegate = _person(session, "to", to_email)
        if who.person is None or Role.SECRETARIAT not in who.person.roles:
            raise NotAllowed("as", code="access.not_secretariat", actor=actor)
        if who.person.org_id != delegator.org_id:
            raise NotAllowed("as", code="delegation.other_org", actor=actor, email=delegator.email)
        if delegate.org_id != delegator.org_id:
            raise Invalid(
                "to", code="delegation.delegate_other_org", delegate=delegate.email, delegator=delegator.email
            )
        if delegate.id == delegator.id:
            raise Invalid("to", code="delegation.self")
        period = Period(starts_on, ends_on)
        for other in _of(session, delegator.id or 0, Kind(kind)):
            if period.overlaps(Period(other.starts_on, other.ends_on)):
                raise WrongState(
                    "start",
                    code="delegation.overlap",
                    email=delegator.email,
                    kind=kind,
                    starts=other.starts_on,
                    ends=other.ends_on,
                    id=other.id,
                )
        row = Delegation(
            org_id=delegator.org_id,
            from_id=delegator.id or 0,
            to_id=delegate.id or 0,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            basis=basis.strip(),
            created_by_id=who.person.id or 0,
            created_at=now,
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            org_id=delegator.org_id,
            plan_id=None,
            actor=who.label,
            action="delegate",
            now=now,
            detail={
                "id": row.id,
                "from": delegator.email,
                "to": delegate.email,
                "kind": kind,
                "start": starts_on.isoformat(),
                "end": ends_on.isoformat(),
                "basis": row.basis,
            },
        )
        return row.id or 0


def list_delegations(db: Database, org_key: str | None = None) -> list[dict[str, Any]]:
    with db.read() as session:
        people = {p.id: p.email for p in session.exec(select(Person))}
        query = select(Delegation, Organisation).join(Organisation, col(Organisation.id) == Delegation.org_id)
        if org_key is not None:
            query = query.where(Organisation.key == org_key)
        today = local_date(db.clock())
        return [
            {
                "id": d.id,
                "org": o.key,
                "from": people.get(d.from_id),
                "to": people.get(d.to_id),
                "kind": d.kind,
                "start": d.starts_on.isoformat(),
                "end": d.ends_on.isoformat(),
                "in_force": Period(d.starts_on, d.ends_on).covers(today),
                "basis": d.basis,
            }
            for d, o in session.exec(query.order_by(col(Delegation.id))).all()
        ]


def _of(session: Session, from_id: int, kind: Kind) -> Sequence[Delegation]:
    return session.exec(
        select(Delegation).where(Delegation.from_id == from_id, Delegation.kind == kind.value)
    ).all()


def _email(session: Session, person_id: int) -> str:
    person = session.get(Person, person_id)
    return person.email if person else str(person_id)


def delegate_on(session: Session, person_id: int, kind: Kind, day: date) -> Person | None:
    """The person `person_id` has delegated `kind` to on `day`, if any (new work is routed to them)."""
    for row in _of(session, person_id, kind):
        if Period(row.starts_on, row.ends_on).covers(day):
            return session.get(Person, row.to_id)
    return None


def acting(
    session: Session, who: Who, kind: Kind, principals: Sequence[int], day: date, on_behalf_of: str | None
) -> Who:
    """Who acts: the person themselves, or a delegate of one of `principals` (the plan's reviewers
    or its signer) when a delegation to them is in force on `day`. Outside its dates it is refused."""
    person = who.person
    if person is None:
        return who
    if on_behalf_of is None and person.id in principals:
        return who
    if on_behalf_of is not None:
        named = _person(session, "on_behalf_of", on_behalf_of).id
        principals = [p for p in principals if p == named]
    rows = session.exec(
        select(Delegation).where(
            Delegation.to_id == person.id,
            Delegation.kind == kind.value,
            col(Delegation.from_id).in_(principals),
        )
    ).all()
    if not rows and on_behalf_of is not None:
        raise NotAllowed(
            "on_behalf_of",
            code="delegation.not_delegated",
            principal=on_behalf_of,
            kind=kind,
            email=person.email,
        )
    if not rows:
        return who  # the lifecycle table refuses an actor who is not assigned
    in_force = {r.from_id for r in rows if Period(r.starts_on, r.ends_on).covers(day)}
    if not in_force:
        periods = "; ".join(
            f"for {_email(session, r.from_id)} {Period(r.starts_on, r.ends_on)}" for r in rows
        )
        raise NotAllowed(
            "as",
            code="delegation.not_in_force",
            email=person.email,
            kind=kind,
            day=day.isoformat(),
            periods=periods,
        )
    if len(in_force) > 1:
        raise Invalid("on_behalf_of", code="delegation.ambiguous", email=person.email)
    return Who(person, session.get(Person, in_force.pop()))
