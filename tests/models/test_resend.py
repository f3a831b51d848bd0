"""Resend to one recipient: a new email with its own Message-ID; the plan stays issued."""

from __future__ import annotations

import pytest

from models.db import Database
from models.errors import NotFound, Refused
from models.lifecycle import State
from models.services import distribution
from models.services.queries import deliveries, history, outbox, plan_status
from tests.factory import OTHER_SECRETARIAT, R1, SECRETARIAT, build, drain_outbox, load_people

TO = "thuongtruc@hamliem.example.vn"


def copies(db: Database, plan_id: int) -> list[dict[str, object]]:
    return [o for o in outbox(db, plan_id) if o["event"] == "distributed" and o["to"] == TO]


def test_resend_queues_a_new_email_to_one_recipient(db: Database) -> None:
    load_people(db)
    plan_id = build(db, State.ISSUED)
    first = next(d for d in deliveries(db, plan_id) if d["email"] == TO)["message_id"]

    message_id = distribution.resend(db, plan_id, SECRETARIAT, TO.upper())
    assert message_id != first
    row = next(d for d in deliveries(db, plan_id) if d["email"] == TO)
    assert (row["status"], row["message_id"]) == ("queued", message_id)
    assert len(copies(db, plan_id)) == 2
    drain_outbox(db, plan_id)
    assert next(d for d in deliveries(db, plan_id) if d["email"] == TO)["status"] == "sent"
    assert plan_status(db, plan_id)["state"] == "issued"
    assert history(db, plan_id)[-1]["action"] == "resend"
    distribution.resend(db, plan_id, SECRETARIAT, TO)  # a third copy is a third email
    assert len({o["id"] for o in copies(db, plan_id)}) == 3


@pytest.mark.parametrize(
    ("actor", "to", "error", "field"),
    [
        (OTHER_SECRETARIAT, TO, Refused, "as"),
        (R1, TO, Refused, "as"),
        (SECRETARIAT, "nobody@hamliem.example.vn", NotFound, "to"),
    ],
)
def test_resend_refusals_change_nothing(
    db: Database, actor: str, to: str, error: type[Exception], field: str
) -> None:
    load_people(db)
    plan_id = build(db, State.ISSUED)
    before = outbox(db, plan_id)
    with pytest.raises(error) as raised:
        distribution.resend(db, plan_id, actor, to)
    assert getattr(raised.value, "field", None) == field
    assert outbox(db, plan_id) == before


def test_only_a_distributed_plan_can_be_resent(db: Database) -> None:
    load_people(db)
    plan_id = build(db, State.APPROVED)
    with pytest.raises(Refused) as raised:
        distribution.resend(db, plan_id, SECRETARIAT, TO)
    assert raised.value.field == "state"
