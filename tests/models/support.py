"""Helpers shared by the focused model tests: whole-database snapshots, outbox reads, a ticking clock."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import SQLModel, col, func, select

from models.db import Database
from models.plans import Plan, PlanReviewer, ReviewTask
from models.records import AuditEntry, AuditHead, OutboxMessage, Register
from models.services import plans
from models.services.directory import load_directory
from tests.factory import R3, SECRETARIAT, SIGNER2, example_config, sample_draft


def world(db: Database) -> tuple[Any, ...]:
    """Everything a refused command must leave as it was: row counts of every table, the plans'
    state and row versions, task statuses, reviewer assignments, audit heads and registers."""
    with db.read() as s:
        counts = tuple(
            (t.name, s.exec(select(func.count()).select_from(t)).one())
            for t in SQLModel.metadata.sorted_tables
        )
        plans = tuple(
            (p.id, p.state, p.row_version, p.current_version_id, p.review_round, p.signer_id, p.number)
            for p in s.exec(select(Plan).order_by(col(Plan.id))).all()
        )
        tasks = tuple(s.exec(select(ReviewTask.id, ReviewTask.status).order_by(col(ReviewTask.id))).all())
        reviewers = tuple(
            s.exec(
                select(PlanReviewer.plan_id, PlanReviewer.person_id).order_by(
                    col(PlanReviewer.plan_id), col(PlanReviewer.person_id)
                )
            ).all()
        )
        heads = tuple(
            s.exec(
                select(AuditHead.org_id, AuditHead.seq, AuditHead.hash).order_by(col(AuditHead.org_id))
            ).all()
        )
        registers = tuple(s.exec(select(Register.id, Register.last_number).order_by(col(Register.id))).all())
    return counts, plans, tasks, reviewers, heads, registers


def emails(
    db: Database, plan_id: int, event: str | None = None, to: str | None = None
) -> list[OutboxMessage]:
    with db.read() as s:
        query = select(OutboxMessage).where(OutboxMessage.plan_id == plan_id, OutboxMessage.kind == "email")
        if event is not None:
            query = query.where(OutboxMessage.event == event)
        if to is not None:
            query = query.where(OutboxMessage.to_email == to)
        return list(s.exec(query.order_by(col(OutboxMessage.id))).all())


def flow_jobs(db: Database, plan_id: int) -> list[OutboxMessage]:
    with db.read() as s:
        return list(
            s.exec(
                select(OutboxMessage)
                .where(OutboxMessage.plan_id == plan_id, OutboxMessage.kind == "flow")
                .order_by(col(OutboxMessage.id))
            ).all()
        )


def audit_entries(db: Database, plan_id: int) -> list[AuditEntry]:
    with db.read() as s:
        return list(
            s.exec(
                select(AuditEntry).where(AuditEntry.plan_id == plan_id).order_by(col(AuditEntry.seq))
            ).all()
        )


def tasks(db: Database, plan_id: int, review_round: int | None = None) -> list[ReviewTask]:
    with db.read() as s:
        query = select(ReviewTask).where(ReviewTask.plan_id == plan_id)
        if review_round is not None:
            query = query.where(ReviewTask.round == review_round)
        return list(s.exec(query.order_by(col(ReviewTask.round), col(ReviewTask.id))).all())


class Ticker:
    """A clock for `db.clock` that moves one second per reading, so each service call has its own
    instant (its audit entries and outbox items share that instant)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._times: Iterator[datetime] = (
            (start or datetime(2026, 3, 2, 1, 0, tzinfo=UTC)) + timedelta(seconds=i) for i in range(10**9)
        )

    def __call__(self) -> datetime:
        return next(self._times)


R4 = "vanhoa@hamliem.example.vn"
DEPUTY = "phovp@hamliem.example.vn"  # holds no reviewer or signer role of their own


def load_org(db: Database, templates: list[dict[str, Any]] | None = None, **organisation: Any) -> None:
    """Hàm Liêm with more people, review templates and organisation flags (e.g. separation of duties)."""
    config: dict[str, Any] = copy.deepcopy(example_config())
    config["organisation"].update(organisation)
    config["people"] += [
        {"email": R3, "name": "Võ Văn Tuyên", "roles": ["reviewer"]},
        {"email": R4, "name": "Hồ Thị Hòa", "roles": ["reviewer"]},
        {"email": SIGNER2, "name": "Đặng Văn Thư", "title": "Bí thư", "roles": ["signer"]},
        {
            "email": DEPUTY,
            "name": "Mai Văn Phó",
            "title": "Phó Chánh Văn phòng Đảng ủy",
            "roles": ["secretariat"],
        },
    ]
    config["review_templates"] = templates or []
    load_directory(db, config)


def draft_plan(db: Database, template: str | None = None, reviewers: list[str] | None = None) -> int:
    plan_id = plans.create_plan(db, SECRETARIAT, "hamliem", sample_draft()).plan_id
    plans.assign(db, plan_id, SECRETARIAT, template=template, reviewers=reviewers)
    return plan_id
