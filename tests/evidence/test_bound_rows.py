"""A changed byte in any bound column of a version, decision, number or delivery is reported at the
audit entry that recorded the row; rows added behind the services' back are reported too."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, col, select

from models.db import Database
from models.directory import Organisation, Person, Unit
from models.lifecycle import State
from models.plans import Plan, PlanVersion, ReviewTask
from models.records import AuditEntry, Delivery, OutboxMessage, RegisterEntry
from models.services import audit, plans
from tests.evidence.support import set_column
from tests.factory import R1, SECRETARIAT, build, load_people


def changed(value: Any) -> Any:
    """The same value with one character (or number, flag, microsecond) different."""
    if value is None:  # an unset reference (no delegate): point it at a row
        return 1
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, datetime):
        return value + timedelta(microseconds=1)
    if isinstance(value, str):
        return value[:-1] + chr(ord(value[-1]) ^ 1) if value else "x"
    if isinstance(value, list):
        return [changed(value[0]), *value[1:]] if value else ["x"]
    if isinstance(value, dict):
        if not value:
            return {"x": "x"}
        first = next(iter(value))
        return {**value, first: changed(value[first])}
    raise AssertionError(f"no change defined for {value!r}")


def org_of(db: Database) -> int:
    with db.read() as s:
        person = s.exec(select(Person).where(Person.email == R1)).one()
        return person.org_id


def one(db: Database, model: type[SQLModel], *where: Any) -> Any:
    with db.read() as s:
        return s.exec(select(model).where(*where)).first()


@pytest.fixture
def issued(db: Database) -> int:
    load_people(db)
    plan_id = build(db, State.ISSUED)
    build(db, State.DRAFT)  # another plan and version a moved row can point to
    return plan_id


def test_every_bound_column_is_checked(db: Database, issued: int) -> None:
    org = org_of(db)
    assert audit.verify(db, org).broken_at is None
    r1 = one(db, Person, Person.email == R1)
    rows = {
        PlanVersion: one(db, PlanVersion, PlanVersion.plan_id == issued, PlanVersion.seq == 1),
        ReviewTask: one(db, ReviewTask, ReviewTask.plan_id == issued, ReviewTask.reviewer_id == r1.id),
        RegisterEntry: one(db, RegisterEntry, RegisterEntry.plan_id == issued),
        Delivery: one(db, Delivery, Delivery.plan_id == issued, Delivery.status == "sent"),
    }
    unchangeable: list[str] = []
    recorded_by = {
        PlanVersion: "create",
        ReviewTask: "approve",
        RegisterEntry: "issue",
        Delivery: "distribute",
    }
    for model, row in rows.items():
        for column in audit.BOUND[model]:
            original = copy.deepcopy(getattr(row, column))
            try:
                set_column(db, model, row.id, column, changed(original))
            except IntegrityError:  # a unique key taken by another row, or the only register
                unchangeable.append(f"{model.__name__}.{column}")
                continue
            report = audit.verify(db, org)
            assert report.broken_at is not None, (model.__name__, column)
            assert report.broken_at.action == recorded_by[model], (model.__name__, column, report.reason)
            assert report.reason.startswith(f"{audit.LABEL[model]} {row.id} of plan ")
            assert report.reason.endswith(f"recorded ({column})"), report.reason
            set_column(db, model, row.id, column, original)
            assert audit.verify(db, org).broken_at is None, (model.__name__, column)
    assert unchangeable == ["PlanVersion.plan_id", "ReviewTask.reviewer_id", "RegisterEntry.register_id"]


def test_every_trusted_column_is_checked(db: Database, issued: int) -> None:
    """The plan row, a person and a unit it names, the organisation's settings, a queued copy."""
    org = org_of(db)
    plan = one(db, Plan, Plan.id == issued)
    rows = {
        Plan: plan,
        Person: one(db, Person, Person.email == R1),
        Unit: one(db, Unit, Unit.org_id == org, col(Unit.email).is_not(None)),
        Organisation: one(db, Organisation, Organisation.id == org),
        OutboxMessage: one(
            db, OutboxMessage, OutboxMessage.plan_id == issued, OutboxMessage.event == "distributed"
        ),
    }
    recorded_by = {
        Plan: "complete_distribution",
        Person: "load_directory",
        Unit: "load_directory",
        Organisation: "load_directory",
        OutboxMessage: "distribute",
    }
    left_scope = {(Plan, "org_id"), (Person, "org_id"), (Unit, "org_id"), (OutboxMessage, "kind")}
    unchangeable: list[str] = []
    for model, row in rows.items():
        name = f"{audit.LABEL[model]} {row.id}"
        for column in audit.BOUND[model]:
            original = copy.deepcopy(getattr(row, column))
            try:
                set_column(db, model, row.id, column, changed(original))
            except IntegrityError:  # a unique key or reference another row holds
                unchangeable.append(f"{model.__name__}.{column}")
                continue
            report = audit.verify(db, org)
            assert report.broken_at is not None, (model.__name__, column)
            if (model, column) in left_scope:
                # the row (a plan: with its versions and decisions) left what this organisation's
                # chain covers: the entries that bound it say so
                assert report.reason.endswith("recorded by this entry is gone"), report.reason
            else:
                assert report.broken_at.action == recorded_by[model], (model.__name__, column, report.reason)
                assert report.reason.startswith(name) and report.reason.endswith(f"recorded ({column})"), (
                    report.reason
                )
            set_column(db, model, row.id, column, original)
        assert audit.verify(db, org).broken_at is None, model.__name__
    assert unchangeable == []


def test_a_version_whose_hash_was_fixed_up_still_fails(db: Database, issued: int) -> None:
    """Editing the text and its content hash together does not match what the entry recorded."""
    org = org_of(db)
    version = one(db, PlanVersion, PlanVersion.plan_id == issued, PlanVersion.seq == 1)
    set_column(db, PlanVersion, version.id, "body", version.body + " Bổ sung.")
    report = audit.verify(db, org)
    assert report.broken_at is not None and report.broken_at.action == "create"
    assert (
        report.reason == f"version {version.id} of plan {issued} differs from what this entry recorded (body)"
    )


def test_a_decision_added_outside_the_services_is_reported(db: Database) -> None:
    load_people(db)
    plan_id = build(db, State.IN_REVIEW)
    org = org_of(db)
    task = one(db, ReviewTask, ReviewTask.plan_id == plan_id)
    forged = {c: getattr(task, c) for c in ("plan_id", "version_id", "version_hash", "created_at")}
    other = one(db, Person, Person.email == "tuyengiao@hamliem.example.vn")
    table: Table = ReviewTask.__table__  # type: ignore[attr-defined]
    with db.engine.begin() as conn:
        conn.execute(insert(table).values(**forged, round=1, reviewer_id=other.id, status="approved"))
    report = audit.verify(db, org)
    assert report.broken_at is not None and report.broken_at.plan_id == plan_id
    assert report.reason.endswith("is not in the log") and "review task" in report.reason


def test_a_deleted_decision_is_reported(db: Database, issued: int) -> None:
    org = org_of(db)
    task = one(db, ReviewTask, ReviewTask.plan_id == issued)
    with db.engine.begin() as conn:
        table: Table = ReviewTask.__table__  # type: ignore[attr-defined]
        conn.execute(table.delete().where(table.c.id == task.id))
    report = audit.verify(db, org)
    assert (
        report.broken_at is not None
        and report.reason == f"reviewtask:{task.id} recorded by this entry is gone"
    )


def test_the_decision_entry_binds_its_task(db: Database, issued: int) -> None:
    with db.read() as s:
        entries = s.exec(select(AuditEntry).where(AuditEntry.plan_id == issued)).all()
    approve = next(e for e in entries if e.action == "approve")
    assert list(approve.detail[audit.ROWS]) == [
        f"plan:{issued}",
        f"reviewtask:{one(db, ReviewTask, ReviewTask.plan_id == issued).id}",
    ]


def test_rows_a_transition_writes_are_bound_to_its_entry(db: Database) -> None:
    """Tasks created by 'submit' and cancelled by 'withdraw', deliveries created by 'distribute'."""
    load_people(db)
    issued = build(db, State.ISSUED)
    withdrawn = build(db, State.IN_REVIEW)
    plans.withdraw(db, withdrawn, SECRETARIAT, "không cần nữa")
    with db.read() as s:
        entries = s.exec(select(AuditEntry).where(col(AuditEntry.plan_id).in_([issued, withdrawn]))).all()
        tasks = s.exec(select(ReviewTask).where(ReviewTask.plan_id == withdrawn)).all()
        sent = s.exec(select(Delivery).where(Delivery.plan_id == issued)).all()
    bound = {(e.plan_id, e.action): set(e.detail.get(audit.ROWS, {})) for e in entries}
    task_keys = {f"reviewtask:{t.id}" for t in tasks}

    def tasks_of(key: tuple[int, str]) -> set[str]:
        return {k for k in bound[key] if k.startswith("reviewtask:")}

    assert tasks_of((withdrawn, "submit")) == tasks_of((withdrawn, "withdraw")) == task_keys
    assert {f"delivery:{d.id}" for d in sent} < bound[(issued, "distribute")]
    assert {f"plan:{withdrawn}", f"plan:{issued}"} <= bound[(withdrawn, "withdraw")] | bound[
        (issued, "distribute")
    ]
    assert audit.verify(db, org_of(db)).broken_at is None

    set_column(db, ReviewTask, tasks[0].id or 0, "status", "approved")
    report = audit.verify(db, org_of(db))
    assert report.broken_at is not None and report.broken_at.action == "withdraw"
