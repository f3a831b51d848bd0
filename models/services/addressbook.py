"""Edits to an organisation's address book by its secretariat: units and people."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, select

from exchange.agency import check_agency_id, check_channel
from models.db import Database
from models.directory import Organisation, Person, Unit
from models.errors import Invalid, NotAllowed
from models.lifecycle import Role
from models.services import audit
from models.services import roles as governance
from models.services.core import Who, resolve_actor
from models.services.directory import PERSON_ROLES
from models.services.plans import validate_email

MAX_NAME = 300


def _one_line(field: str, value: str, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise Invalid(field, code="field.required")
    if "\n" in value or "\r" in value:
        raise Invalid(field, code="field.one_line")
    if len(value) > MAX_NAME:
        raise Invalid(field, code="field.too_long", length=len(value), limit=MAX_NAME)
    return value


def _secretariat(session: Session, actor: str) -> Who:
    who = resolve_actor(session, actor)
    if who.person is None or Role.SECRETARIAT not in who.person.roles:
        raise NotAllowed("as", code="access.not_secretariat", actor=actor)
    return who


def save_unit(
    db: Database,
    actor: str,
    code: str,
    name: str,
    email: str = "",
    aliases: Sequence[str] = (),
    agency_id: str | None = None,
    channel: str | None = None,
) -> None:
    """Add a unit to the actor's organisation's address book, or change the one with this code.
    `agency_id` and `channel` (the edXML exchange): None keeps what the unit has."""
    code = _one_line("code", code)
    name = _one_line("name", name)
    address = validate_email("email", email) if email.strip() else None
    kept = [_one_line("aliases", a) for a in aliases if a.strip()]
    if agency_id is not None:
        agency_id = check_agency_id("agency_id", agency_id) if agency_id.strip() else ""
    now = db.clock()
    with db.write() as session:
        who = _secretariat(session, actor)
        assert who.person is not None
        org_id = who.person.org_id
        unit = session.exec(select(Unit).where(Unit.org_id == org_id, Unit.code == code)).first()
        if unit is not None and unit.is_group and address is not None:
            raise Invalid("email", code="unit.group_no_email")
        unit = unit or Unit(org_id=org_id, code=code, name=name)
        unit.name, unit.email, unit.aliases = name, address, kept
        if agency_id is not None:
            unit.agency_id = agency_id or None
        if channel is not None or agency_id is not None:
            unit.channel = check_channel("channel", channel or unit.channel, unit.agency_id).value
        session.add(unit)
        audit.append(
            session,
            org_id=org_id,
            plan_id=None,
            actor=who.label,
            action="save_unit",
            now=now,
            detail={
                "code": code,
                "name": name,
                "email": address,
                "agency_id": unit.agency_id,
                "channel": unit.channel,
            },
        )


def save_person(db: Database, actor: str, email: str, name: str, title: str, roles: Sequence[str]) -> bool:
    """Add a person to the actor's organisation, or change one of its people. Reviewer, signer
    and admin are granted by an administrator and wait for a second one (`roles.confirm`):
    returns True when everything asked is in force, False when a grant waits."""
    address = validate_email("email", email).lower()
    name = _one_line("name", name)
    title = _one_line("title", title, required=False)
    if not roles or not set(roles) <= PERSON_ROLES:
        raise Invalid("roles", code="person.roles", roles=sorted(PERSON_ROLES))
    now = db.clock()
    with db.write() as session:
        who = _secretariat(session, actor)
        assert who.person is not None
        org_id = who.person.org_id
        person = session.exec(select(Person).where(func.lower(Person.email) == address)).first()
        if person is not None and person.org_id != org_id:
            raise Invalid("email", code="person.other_org", email=address)
        if person is not None and person.id == who.person.id and Role.SECRETARIAT not in roles:
            raise Invalid("roles", code="person.own_secretariat")
        org = session.get(Organisation, org_id)
        assert org is not None
        governance.check_domain(session, org, address, roles)
        wanted = governance.split(person.roles if person else [], roles, who.person)
        person = person or Person(org_id=org_id, email=address, name=name)
        person.name, person.title, person.roles = name, title, wanted.now
        session.add(person)
        session.flush()
        if wanted.pending is not None:
            governance.request(session, person, wanted.pending, who.person, now)
        audit.append(
            session,
            org_id=org_id,
            plan_id=None,
            actor=who.label,
            action="save_person",
            now=now,
            detail={
                "email": address,
                "name": name,
                "roles": wanted.now,
                "awaiting_confirmation": wanted.pending,
            },
        )
        return wanted.pending is None


def confirm_roles(db: Database, actor: str, change_id: int) -> None:
    """A second administrator confirms a role change (see `roles.confirm`)."""
    now = db.clock()
    with db.write() as session:
        who = _secretariat(session, actor)
        assert who.person is not None
        governance.confirm(session, change_id, who.person, who.label, now)
