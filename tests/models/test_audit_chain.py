"""The audit log is hash-chained per organisation: `audit.verify` finds any edit or deletion."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Table, text, update
from sqlmodel import func, select

from models.chain import changed_columns, column_prints, entry_hash, row_digest, split_binding
from models.db import Database
from models.directory import Organisation
from models.lifecycle import State
from models.numbering import VN_TZ
from models.policies import Decision
from models.records import AuditEntry, AuditHead
from models.services import audit, plans, reviews
from tests.factory import R1, SECRETARIAT, build, current_hash, load_people

TABLE = AuditEntry.__tablename__


def org_id(db: Database, key: str = "hamliem") -> int:
    with db.read() as s:
        return s.exec(select(Organisation.id).where(Organisation.key == key)).one() or 0


def entry(db: Database, org: int, seq: int) -> AuditEntry:
    with db.read() as s:
        return s.exec(select(AuditEntry).where(AuditEntry.org_id == org, AuditEntry.seq == seq)).one()


def count(db: Database, org: int) -> int:
    with db.read() as s:
        return s.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.org_id == org)).one()


def sql(db: Database, statement: str, **params: object) -> None:
    """A raw statement, outside the services: what someone with database access could do."""
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def raw_detail(db: Database, org: int, seq: int) -> str:
    with db.engine.connect() as conn:
        return str(
            conn.execute(
                text(f"SELECT CAST(detail AS TEXT) FROM {TABLE} WHERE org_id = :o AND seq = :s"),
                {"o": org, "s": seq},
            ).scalar_one()
        )


def set_raw_detail(db: Database, org: int, seq: int, value: str) -> None:
    cast = ":v" if db.is_sqlite else "CAST(:v AS JSON)"
    sql(db, f"UPDATE {TABLE} SET detail = {cast} WHERE org_id = :o AND seq = :s", v=value, o=org, s=seq)


def set_column(db: Database, entry_id: int, column: str, value: object) -> None:
    """A direct UPDATE through the table, bypassing the services (typed values on both backends)."""
    table: Table = AuditEntry.__table__  # type: ignore[attr-defined]
    with db.engine.begin() as conn:
        conn.execute(update(table).where(table.c.id == entry_id).values({column: value}))


def flip(text_value: str, at: int) -> str:
    """The same text with the one ASCII character at `at` replaced by another."""
    old = text_value[at]
    assert old.isascii() and old.isalnum()
    return text_value[:at] + ("1" if old == "0" else "0") + text_value[at + 1 :]


@pytest.fixture
def issued(db: Database) -> int:
    """The organisation's chain after one plan went all the way to 'issued'."""
    load_people(db)
    build(db, State.ISSUED)
    return org_id(db)


def test_a_full_lifecycle_leaves_an_unbroken_chain(db: Database, issued: int) -> None:
    build(db, State.REJECTED)
    build(db, State.WITHDRAWN)
    reworked = build(db, State.CHANGES_REQUESTED)
    plans.edit_plan(db, reworked, SECRETARIAT, body="Nội dung đã bổ sung theo ý kiến.")
    plans.submit(db, reworked, SECRETARIAT)
    reviews.decide(db, reworked, R1, Decision.APPROVE, current_hash(db, reworked))

    report = audit.verify(db, issued)

    assert (report.broken_at, report.reason) == (None, "")
    assert report.entries == count(db, issued) > 20
    with db.read() as s:
        head = s.get(AuditHead, issued)
        actions = set(s.exec(select(AuditEntry.action).where(AuditEntry.org_id == issued)).all())
    assert head is not None and head.seq == report.entries
    assert {
        "load_directory",
        "create",
        "submit",
        "approve",
        "complete_review",
        "sign",
        "distribute",
        "complete_distribution",
        "reject",
        "request_changes",
        "withdraw",
        "edit",
    } <= actions
    other = org_id(db, "duk")
    assert audit.verify(db, other).broken_at is None and audit.verify(db, other).entries == 1


def _seq_of(db: Database, org: int, action: str) -> int:
    return next(s for s in range(1, count(db, org) + 1) if entry(db, org, s).action == action)


def test_one_changed_byte_is_reported_at_that_entry(db: Database, issued: int) -> None:
    total = count(db, issued)
    # The actor of a review decision: one byte ("bxdd@" -> "bxde@").
    seq = _seq_of(db, issued, "approve")
    actor = entry(db, issued, seq).actor
    assert actor == R1
    update_actor = f"UPDATE {TABLE} SET actor = :a WHERE org_id = :o AND seq = :s"
    sql(db, update_actor, a=actor.replace("bxdd@", "bxde@"), o=issued, s=seq)
    report = audit.verify(db, issued)
    assert report.broken_at is not None and report.broken_at.seq == seq
    assert (report.entries, report.reason) == (total, "content does not match its hash")
    sql(db, update_actor, a=actor, o=issued, s=seq)
    assert audit.verify(db, issued).broken_at is None  # put back, it holds again

    # One hex digit of the version hash in the detail of the signing entry, in the stored JSON text.
    seq = _seq_of(db, issued, "sign")
    original = raw_detail(db, issued, seq)
    set_raw_detail(db, issued, seq, flip(original, original.index(entry(db, issued, seq).detail["hash"]) + 5))
    assert entry(db, issued, seq).detail["hash"] != entry(db, issued, seq - 1).detail.get("hash")
    report = audit.verify(db, issued)
    assert report.broken_at is not None and report.broken_at.seq == seq
    assert report.reason == "content does not match its hash"
    set_raw_detail(db, issued, seq, original)
    assert audit.verify(db, issued).broken_at is None

    # Any other hashed column of an entry.
    seq = _seq_of(db, issued, "complete_review")
    kept = entry(db, issued, seq)
    later = kept.created_at.replace(microsecond=(kept.created_at.microsecond + 1) % 10**6)
    for column, value in [
        ("action", "reject"),
        ("from_state", "draft"),
        ("to_state", "rejected"),
        ("plan_id", (kept.plan_id or 0) + 1),
        ("created_at", later),
    ]:
        set_column(db, kept.id or 0, column, value)
        report = audit.verify(db, issued)
        assert report.broken_at is not None and report.broken_at.seq == seq, column
        set_column(db, kept.id or 0, column, getattr(kept, column))
        assert audit.verify(db, issued).broken_at is None, column


def test_a_rehashed_forgery_is_reported_at_the_next_entry(db: Database, issued: int) -> None:
    """Fixing up the edited entry's own hash does not help: the next entry no longer links to it."""
    seq = _seq_of(db, issued, "approve")
    forged = entry(db, issued, seq)
    forged.actor = "someone.else@hamliem.example.vn"
    forged.hash = entry_hash(forged.prev_hash, audit._fields(forged))
    sql(
        db,
        f"UPDATE {TABLE} SET actor = :a, hash = :h WHERE id = :i",
        a=forged.actor,
        h=forged.hash,
        i=forged.id,
    )

    report = audit.verify(db, issued)

    assert report.broken_at is not None and report.broken_at.seq == seq + 1
    assert report.reason == "does not link to the entry before it"


def test_deleted_entries_are_reported(db: Database, issued: int) -> None:
    total = count(db, issued)
    delete = f"DELETE FROM {TABLE} WHERE org_id = :o AND seq = :s"
    sql(db, delete, o=issued, s=total)  # the last one: only the chain head knows
    report = audit.verify(db, issued)
    assert report.broken_at is not None and report.broken_at.seq == total - 1
    assert (report.entries, report.reason) == (total - 1, "the chain head does not match")

    sql(db, delete, o=issued, s=7)  # one in the middle
    report = audit.verify(db, issued)
    assert report.broken_at is not None and report.broken_at.seq == 8
    assert (report.entries, report.reason) == (total - 2, "sequence jumps to 8, expected 7")


def test_the_chain_holds_when_the_clock_is_in_vietnamese_time(db: Database) -> None:
    """Entries are hashed as stored (UTC), whatever zone the clock reads in."""
    db.clock = lambda: datetime(2026, 5, 4, 9, 0, tzinfo=VN_TZ)
    load_people(db)
    build(db, State.APPROVED)
    report = audit.verify(db, org_id(db))
    assert report.broken_at is None, (report.broken_at, report.reason)


def test_a_binding_names_the_changed_column_and_older_bindings_still_verify() -> None:
    values: dict[str, object] = {"state": "issued", "secrecy": "", "signer_id": 3}
    binding = row_digest("plan", values) + column_prints(values)
    digest, prints = split_binding(binding)
    assert digest == row_digest("plan", values)
    assert changed_columns(prints, {**values, "secrecy": "mật"}) == ["secrecy"]
    assert changed_columns(prints, values) == []
    # an entry written before columns were fingerprinted holds the digest alone
    assert split_binding(digest) == (digest, "")
    assert changed_columns("", {**values, "state": "approved"}) == []
