"""One secretariat member alone cannot make someone a reviewer or the signer: roles that decide
what is issued are granted by an administrator, in force only once a second one confirms, and
told to the organisation's head; outside addresses hold no role unless the organisation allows
their domain."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from models.db import Database
from models.directory import Person, RoleChange
from models.errors import Invalid, Refused
from models.records import AuditEntry, OutboxMessage
from models.services import addressbook
from models.services.directory import load_directory
from tests.factory import SECRETARIAT, example_config

ADMIN_A, ADMIN_B = "chanhvp@hamliem.example.vn", "phovp@hamliem.example.vn"
HEAD = "bithu@hamliem.example.vn"
NEW = "moi@hamliem.example.vn"


def organisation(db: Database, **settings: Any) -> None:
    config: dict[str, Any] = copy.deepcopy(example_config())
    config["organisation"].update(settings)
    config["people"] += [
        {"email": ADMIN_A, "name": "Lê Văn Quản", "roles": ["secretariat", "admin"]},
        {"email": ADMIN_B, "name": "Trần Thị Trị", "roles": ["secretariat", "admin"]},
    ]
    load_directory(db, config)


def state(db: Database) -> tuple[int, int, int, list[tuple[str, list[str]]]]:
    with db.read() as s:
        people = sorted((p.email, p.roles) for p in s.exec(select(Person)))
        count = [
            s.exec(select(func.count()).select_from(t)).one() for t in (AuditEntry, OutboxMessage, RoleChange)
        ]
    return count[0], count[1], count[2], people


def roles_of(db: Database, email: str) -> list[str]:
    with db.read() as s:
        person = s.exec(select(Person).where(Person.email == email)).one()
        return list(person.roles)


def test_one_secretariat_member_cannot_make_a_signer(db: Database) -> None:
    organisation(db)
    before = state(db)
    with pytest.raises(Invalid, match="outside the organisation") as outside:
        addressbook.save_person(db, SECRETARIAT, "ke.la@gmail.com", "Phạm Văn Ký", "Bí thư", ["signer"])
    assert outside.value.field == "email"
    with pytest.raises(Refused, match="administrator") as not_admin:
        addressbook.save_person(db, SECRETARIAT, NEW, "Phạm Văn Ký", "Bí thư", ["signer"])
    assert not_admin.value.field == "roles"
    assert state(db) == before, "a refusal changes nothing"
    # An ungoverned change still goes through at once.
    assert addressbook.save_person(db, SECRETARIAT, "vt@hamliem.example.vn", "Văn Thư", "", ["secretariat"])


def test_a_grant_waits_for_a_second_administrator_and_the_head_is_told(db: Database) -> None:
    organisation(db, head_email=HEAD)
    assert addressbook.save_person(db, ADMIN_A, NEW, "Phạm Văn Ký", "Phó Bí thư", ["signer"]) is False
    assert roles_of(db, NEW) == [], "not a signer until confirmed"
    with db.read() as s:
        change = s.exec(select(RoleChange).where(RoleChange.status == "pending")).one()
    with pytest.raises(Refused, match="second administrator"):
        addressbook.confirm_roles(db, ADMIN_A, change.id or 0)
    with pytest.raises(Refused, match="administrator"):
        addressbook.confirm_roles(db, SECRETARIAT, change.id or 0)
    assert roles_of(db, NEW) == []

    addressbook.confirm_roles(db, ADMIN_B, change.id or 0)
    assert roles_of(db, NEW) == ["signer"]
    with db.read() as s:
        told = s.exec(select(OutboxMessage).where(OutboxMessage.event == "roles_changed")).all()
        actions = [e.action for e in s.exec(select(AuditEntry))]
    assert [m.to_email for m in told] == [HEAD]
    assert actions[-2:] == ["save_person", "confirm_roles"]
    with pytest.raises(Refused, match="already confirmed"):
        addressbook.confirm_roles(db, ADMIN_B, change.id or 0)
    # Removing a governed role needs an administrator, and no second one.
    with pytest.raises(Refused, match="administrator"):
        addressbook.save_person(db, SECRETARIAT, NEW, "Phạm Văn Ký", "Phó Bí thư", ["secretariat"])
    assert addressbook.save_person(db, ADMIN_B, NEW, "Phạm Văn Ký", "Phó Bí thư", ["secretariat"])
    assert roles_of(db, NEW) == ["secretariat"]


def test_a_domain_the_organisation_lists_may_hold_roles(db: Database) -> None:
    organisation(db, role_domains=["hamliem.example.vn", "lamdong.gov.vn"])
    assert (
        addressbook.save_person(db, ADMIN_A, "ubkt@lamdong.gov.vn", "Hồ Văn Kiểm", "", ["reviewer"]) is False
    )
    with pytest.raises(Invalid, match="outside the organisation"):
        addressbook.save_person(db, ADMIN_A, "ubkt@gmail.com", "Hồ Văn Kiểm", "", ["reviewer"])
    with pytest.raises(Invalid, match="role_domains"):
        organisation(db, role_domains=["not a domain"])
