"""Who may review, sign or administer: granted by an administrator, in force when a second
administrator confirms, told to the organisation's head; outside addresses hold no role.

One secretariat member alone must not be able to add a person and make them a reviewer or the
signer of a plan: that would let one person issue a numbered document by themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models.directory import Organisation, Person, RoleChange
from models.errors import AlreadyDecided, Invalid, NotAllowed, NotFound
from models.lifecycle import Role
from models.services import audit
from models.services.core import queue_message

ADMIN = "admin"
# Roles that decide what is issued: changed only through two administrators.
GOVERNED = frozenset({Role.REVIEWER.value, Role.SIGNER.value, Role.CLERK.value, ADMIN})


def domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower()


def allowed_domains(session: Session, org: Organisation) -> set[str]:
    """The organisation's own list, or else the domains its secretariat writes from."""
    if org.role_domains:
        return {d.lower() for d in org.role_domains}
    people = session.exec(select(Person).where(Person.org_id == org.id)).all()
    return {domain(p.email) for p in people if Role.SECRETARIAT.value in p.roles}


def check_domain(session: Session, org: Organisation, email: str, roles: Iterable[str]) -> None:
    if not list(roles):
        return
    allowed = allowed_domains(session, org)
    if allowed and domain(email) not in allowed:
        raise Invalid("email", code="role.outside_domain", email=email, domains=", ".join(sorted(allowed)))


def is_admin(person: Person) -> bool:
    return ADMIN in person.roles


@dataclass(frozen=True)
class Split:
    """A requested role set split into what applies now and what waits for confirmation."""

    now: list[str]
    pending: list[str] | None  # the whole set once confirmed; None: nothing to confirm


def split(current: Iterable[str], wanted: Iterable[str], actor: Person) -> Split:
    """Ungoverned roles change at once; a governed one changes only through an administrator,
    and one granted waits for a second administrator (removing one takes effect at once)."""
    have, want = set(current), set(wanted)
    if (have ^ want) & GOVERNED and not is_admin(actor):
        raise NotAllowed("roles", code="role.admin_only")
    granted = (want - have) & GOVERNED
    now = sorted((want - GOVERNED) | (have & want & GOVERNED))
    return Split(now, sorted(want) if granted else None)


def request(session: Session, person: Person, roles: list[str], actor: Person, now: datetime) -> RoleChange:
    """Record a grant for a second administrator; an earlier pending one for this person is replaced."""
    assert person.id is not None and actor.id is not None
    for earlier in session.exec(
        select(RoleChange).where(RoleChange.person_id == person.id, RoleChange.status == "pending")
    ):
        session.delete(earlier)
    change = RoleChange(
        org_id=person.org_id,
        person_id=person.id,
        roles=roles,
        requested_by_id=actor.id,
        requested_at=now,
    )
    session.add(change)
    session.flush()
    return change


def pending(session: Session, org_id: int) -> list[tuple[RoleChange, Person, Person]]:
    """Changes waiting for a second administrator: (change, the person, who asked)."""
    changes = session.exec(
        select(RoleChange)
        .where(RoleChange.org_id == org_id, RoleChange.status == "pending")
        .order_by(col(RoleChange.id))
    ).all()
    out = []
    for change in changes:
        person, asker = session.get(Person, change.person_id), session.get(Person, change.requested_by_id)
        assert person is not None and asker is not None
        out.append((change, person, asker))
    return out


def confirm(session: Session, change_id: int, actor: Person, label: str, now: datetime) -> Person:
    """A second administrator puts a requested change in force; the head is told by email."""
    change = session.get(RoleChange, change_id)
    if change is None or change.org_id != actor.org_id:
        raise NotFound("change", code="role.change_unknown", change=change_id)
    if change.status != "pending":
        raise AlreadyDecided("change", code="role.change_done")
    if not is_admin(actor):
        raise NotAllowed("roles", code="role.confirm_admin_only")
    if change.requested_by_id == actor.id:
        raise NotAllowed("roles", code="role.second_admin")
    person, org = session.get(Person, change.person_id), session.get(Organisation, change.org_id)
    assert person is not None and org is not None
    check_domain(session, org, person.email, change.roles)
    person.roles = list(change.roles)
    change.status, change.confirmed_by_id, change.confirmed_at = "confirmed", actor.id, now
    session.add_all([person, change])
    session.flush()
    audit.append(
        session,
        org_id=org.id or 0,
        plan_id=None,
        actor=label,
        action="confirm_roles",
        now=now,
        detail={"email": person.email, "roles": person.roles, "requested_by": change.requested_by_id},
        rows=[person],
    )
    _tell_head(session, org, person, change, actor, now)
    return person


def _tell_head(
    session: Session, org: Organisation, person: Person, change: RoleChange, actor: Person, now: datetime
) -> None:
    asker = session.get(Person, change.requested_by_id)
    heads = (
        [org.head_email]
        if org.head_email
        else [p.email for p in session.exec(select(Person).where(Person.org_id == org.id)) if is_admin(p)]
    )
    for to in heads:
        queue_message(
            session,
            key=f"roles_changed:{change.id}:{to.lower()}",
            event="roles_changed",
            to_email=to,
            to_name="",
            context={
                "org_name": org.name,
                "person_name": person.name,
                "person_email": person.email,
                "roles": person.roles,
                "requested_by": asker.name if asker else "",
                "confirmed_by": actor.name,
            },
            now=now,
        )
