"""The sender's held connection: short transactions, and a fresh connection after an error."""

from __future__ import annotations

import pytest

from models.db import Database, HeldConnection
from models.lifecycle import State
from models.services import outbox
from models.services.queries import outbox as outbox_rows
from tests.factory import build, load_people


def test_an_error_rolls_back_and_the_next_transaction_uses_a_fresh_connection(db: Database) -> None:
    load_people(db)
    plan_id = build(db, State.DISTRIBUTING)
    claimed = outbox.claim_due(db, "email", 2, plan_id)
    assert len(claimed) == 2
    held = HeldConnection(db)
    try:
        with pytest.raises(RuntimeError), held.transaction() as cursor:
            cursor.execute(
                db.sql_params("UPDATE outboxmessage SET status = 'sent' WHERE id = ?"), (claimed[0].id,)
            )
            raise RuntimeError("the write failed half-way")
        first = {r["id"]: r["status"] for r in outbox_rows(db, plan_id)}
        assert first[claimed[0].id] == "sending"  # rolled back

        outbox.mark_sent(db, claimed[0].id, "250 kept", held=held)
        outbox.mark_sent(db, claimed[1].id, "250 kept", held=held)
    finally:
        held.close()
    rows = {r["id"]: r for r in outbox_rows(db, plan_id)}
    assert [rows[c.id]["status"] for c in claimed] == ["sent", "sent"]
    assert [rows[c.id]["attempts"] for c in claimed] == [1, 1]
