"""What a reader trusts is bound by the chain: the plan row (state, version shown, signer, secrecy
mark), the people and units a decision or delivery names, the organisation's settings and the
recipients of queued emails. A raw edit of any of them is named by `audit verify` (service and
command): the table, the row and the column."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, insert, text
from sqlmodel import SQLModel, col, select
from typer.testing import CliRunner, Result

from cli import context
from cli.app import app
from models.db import Database, make_engine
from models.directory import Organisation, Person, Unit
from models.lifecycle import State
from models.migrate import alembic_config, upgrade
from models.plans import Plan, PlanLink, PlanVersion
from models.recalls import Recall
from models.records import AuditEntry, OutboxMessage
from models.services import addressbook, audit, plans
from tests.conftest import PG_URL
from tests.evidence.support import set_column
from tests.evidence.test_audit_cli import banhanh  # noqa: F401  (the command, in this process)
from tests.factory import R1, SECRETARIAT, SIGNER2, build, load_people


def one(db: Database, model: type[SQLModel], *where: Any) -> Any:
    with db.read() as s:
        return s.exec(select(model).where(*where).order_by(col(model.id))).first()  # type: ignore[attr-defined]


def org_id(db: Database) -> int:
    return int(one(db, Organisation, Organisation.key == "hamliem").id)


@pytest.fixture
def issued(db: Database) -> int:
    load_people(db)
    plan_id = build(db, State.ISSUED)
    return plan_id


def edits(db: Database, plan_id: int) -> list[tuple[type[SQLModel], int, str, Any]]:
    """(table, row, column, value) for every trusted column the issue names."""
    plan = one(db, Plan, Plan.id == plan_id)
    other = build(db, State.DRAFT)  # an unapproved draft the issued plan can be made to show
    draft = one(db, PlanVersion, PlanVersion.plan_id == other)
    reviewer = one(db, Person, Person.email == R1)
    unit = one(db, Unit, Unit.org_id == plan.org_id, col(Unit.email).is_not(None))
    copy = one(db, OutboxMessage, OutboxMessage.plan_id == plan_id, OutboxMessage.event == "distributed")
    signer2 = one(db, Person, Person.email == SIGNER2)
    return [
        (Plan, plan_id, "state", State.APPROVED.value),
        (Plan, plan_id, "current_version_id", draft.id),
        (Plan, plan_id, "signer_id", signer2.id),
        (Plan, plan_id, "secrecy", "mật"),
        (Plan, plan_id, "number", plan.number + 1),
        (Person, reviewer.id, "email", "ke.gia.mao@example.vn"),
        (Person, reviewer.id, "name", "Người Khác"),
        (Unit, unit.id, "email", "hop.thu.la@example.vn"),
        (Unit, unit.id, "name", "Đơn vị khác"),
        (Organisation, plan.org_id, "drafter_may_approve_and_sign", True),
        (Organisation, plan.org_id, "automatic_issuance", False),
        (Organisation, plan.org_id, "name", "ĐẢNG ỦY XÃ KHÁC"),
        (OutboxMessage, copy.id, "to_email", "hop.thu.la@example.vn"),
        (OutboxMessage, copy.id, "message_id", "<khac@banhanh>"),
    ]


def test_an_edit_of_each_trusted_row_is_named_by_verify(db: Database, issued: int, banhanh: Any) -> None:  # noqa: F811
    org = org_id(db)
    targets = edits(db, issued)
    assert audit.verify(db, org).broken_at is None
    ok = banhanh("audit", "verify")
    assert ok.exit_code == 0, ok.stdout
    for model, row_id, column, value in targets:
        original = getattr(one(db, model, model.id == row_id), column)  # type: ignore[attr-defined]
        set_column(db, model, row_id, column, value)

        report = audit.verify(db, org)
        named = f"{audit.LABEL[model]} {row_id}"
        assert report.broken_at is not None, (model.__name__, column)
        assert report.reason.startswith(named) and report.reason.endswith(f"({column})"), report.reason
        if model is Plan:  # at the plan's latest entry: what it bound last
            assert report.broken_at.plan_id == issued and report.broken_at.action == "complete_distribution"
        cli = banhanh("audit", "verify")
        assert cli.exit_code == 1 and named in cli.stdout and f"({column})" in cli.stdout, cli.stdout

        set_column(db, model, row_id, column, original)
        assert audit.verify(db, org).broken_at is None, (model.__name__, column)


def test_rows_added_behind_the_services_back_are_not_in_the_log(db: Database, issued: int) -> None:
    org = org_id(db)
    copy = one(db, OutboxMessage, OutboxMessage.plan_id == issued, OutboxMessage.event == "distributed")
    forged: dict[str, Any] = {
        c: getattr(copy, c) for c in ("kind", "plan_id", "event", "context", "next_attempt_at", "created_at")
    }
    table: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
    with db.engine.begin() as conn:
        conn.execute(insert(table).values(**forged, key="forged", to_email="x@example.vn", status="pending"))
    report = audit.verify(db, org)
    assert report.broken_at is not None and report.broken_at.plan_id == issued
    assert report.reason.startswith("outbox message ") and report.reason.endswith("is not in the log")

    with db.engine.begin() as conn:
        conn.execute(table.delete().where(table.c.key == "forged"))
        people: Table = Person.__table__  # type: ignore[attr-defined]
        conn.execute(insert(people).values(org_id=org, email="moi@example.vn", name="Người mới", roles=[]))
    report = audit.verify(db, org)
    assert report.broken_at is not None and report.reason.startswith("person ")
    assert report.reason.endswith("is not in the log")


def test_directory_changes_are_bound_by_their_entries(db: Database, issued: int) -> None:
    """An address-book edit binds the row it changed: it is then checked against that entry."""
    org = org_id(db)
    addressbook.save_person(db, SECRETARIAT, R1, "Nguyễn Văn Mới", "Trưởng ban", ["reviewer"])
    reviewer = one(db, Person, Person.email == R1)
    report = audit.verify(db, org)
    assert report.broken_at is None, report.reason
    set_column(db, Person, reviewer.id, "title", "Phó ban")
    report = audit.verify(db, org)
    assert report.broken_at is not None and report.broken_at.action == "save_person"
    assert report.reason == f"person {reviewer.id} differs from what this entry recorded (title)"


def _old_database(url: str, plan_states: list[State]) -> tuple[Database, list[int]]:
    """A database at revision 0006, plans driven by the services as they bound rows then."""
    from alembic import command

    command.upgrade(alembic_config(url), "0006")
    db = Database.from_url(url)
    legacy = {t: c for t, c in audit.BOUND.items() if t not in audit.COVERED_LATER}
    # Today's models write columns later migrations add: there for the old rows' creation only,
    # dropped before those migrations run.
    later = {
        ("organisation", "role_domains"): "JSON NOT NULL DEFAULT '[]'",
        ("organisation", "head_email"): "VARCHAR NOT NULL DEFAULT ''",
        ("organisation", "agency_id"): "VARCHAR NOT NULL DEFAULT ''",
        ("unit", "agency_id"): "VARCHAR",
        ("unit", "channel"): "VARCHAR NOT NULL DEFAULT 'email'",
        ("delivery", "channel"): "VARCHAR NOT NULL DEFAULT 'email'",
        ("delivery", "answer_code"): "VARCHAR NOT NULL DEFAULT ''",
        ("delivery", "answer"): "VARCHAR NOT NULL DEFAULT ''",
        ("delivery", "recall_status"): "VARCHAR NOT NULL DEFAULT ''",
        ("delivery", "recall_at"): "TIMESTAMP",
        ("delivery", "recall_note"): "VARCHAR NOT NULL DEFAULT ''",
        ("delivery", "recall_token_hash"): "VARCHAR",
        ("organisation", "automatic_issuance"): "BOOLEAN NOT NULL DEFAULT true",
        ("planversion", "assignments"): "JSON NOT NULL DEFAULT '[]'",
    }
    # Tables later migrations create that today's services read on every issuance (the plan a new
    # one replaces): there empty, dropped likewise.
    later_tables = [PlanLink.__table__, Recall.__table__]  # type: ignore[attr-defined]
    with db.engine.begin() as conn:
        for (table, column), definition in later.items():
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {definition}"))
        SQLModel.metadata.create_all(conn, tables=later_tables)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(audit, "BOUND", legacy)
        load_people(db)
        plan_ids = [build(db, state) for state in plan_states]
    with db.engine.begin() as conn:
        for table, column in later:
            conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        SQLModel.metadata.drop_all(conn, tables=later_tables)
    db.engine.dispose()
    command.upgrade(alembic_config(url), "head")
    return db, plan_ids


@pytest.fixture(params=["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    url = str(request.getfixturevalue("pg_migrated"))
    engine = make_engine(url)
    with engine.begin() as conn:  # back to empty: this test migrates from 0006
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield url
    upgrade(url)  # the other tests' schema, whatever this one left


def _verify_command(url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Result:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("BANHANH_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    context.settings.cache_clear()
    context.database.cache_clear()
    return CliRunner().invoke(app, ["audit", "verify"])


def test_rows_from_before_chain_coverage_are_reported_not_failed(
    empty_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db, (_issued, draft) = _old_database(empty_url, [State.ISSUED, State.DRAFT])
    try:
        org = org_id(db)
        report = audit.verify(db, org)
        assert report.broken_at is None, report.reason
        assert report.unbound["plan"] == 2 and report.unbound["person"] > 3
        assert report.unbound["outbox message"] > 3 and report.unbound["organisation"] == 1
        assert report.unbound_line().startswith("not bound (before chain coverage): 2 plan, ")
        cli = _verify_command(empty_url, monkeypatch, tmp_path)
        assert cli.exit_code == 0 and "hamliem: not bound (before chain coverage): 2 plan, " in cli.stdout
        with db.read() as s:
            coverage = s.exec(select(AuditEntry).where(AuditEntry.action == audit.COVERAGE_ACTION)).all()
        assert len(coverage) == 2 and all(e.actor == "migration" for e in coverage)  # one per organisation

        plans.submit(db, draft, SECRETARIAT)  # its first transition since: the plan is bound from now on
        report = audit.verify(db, org)
        assert report.broken_at is None and report.unbound["plan"] == 1, report
        set_column(db, Plan, draft, "secrecy", "mật")
        report = audit.verify(db, org)
        assert report.broken_at is not None and report.reason == (
            f"plan {draft} differs from what this entry recorded (secrecy)"
        )
        set_column(db, Plan, draft, "secrecy", "")

        people: Table = Person.__table__  # type: ignore[attr-defined]
        with db.engine.begin() as conn:  # a row added after the migration is not from before it
            conn.execute(
                insert(people).values(org_id=org, email="moi@example.vn", name="Người mới", roles=[])
            )
        report = audit.verify(db, org)
        assert report.broken_at is not None and report.reason.endswith("is not in the log")
    finally:
        db.engine.dispose()
