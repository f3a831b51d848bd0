"""The outbox sender against a real SMTP server that refuses some recipients."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from models.db import Database
from models.lifecycle import State
from models.services import distribution, runs
from models.services import outbox as outbox_service
from models.services.queries import deliveries, outbox, plan_status
from models.types import utcnow
from notifications.catcher import free_port
from notifications.dispatcher import OutboxSender
from tests.factory import build, load_people
from tests.notifications.conftest import settings_for

GONE = "chibo.thon1@hamliem.example.vn"  # 550: permanent
BUSY = "chibo.thon2@hamliem.example.vn"  # 451 once, then accepted


class Flaky:
    def __init__(self) -> None:
        self.busy_refusals = 0
        self.received: list[tuple[str, str]] = []  # (recipient, Message-ID)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == GONE:
            return "550 5.1.1 No such user here"
        if address == BUSY and self.busy_refusals == 0:
            self.busy_refusals += 1
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        if msg["X-BanHanh-Event"] == "distributed":
            self.received += [(r, str(msg["Message-ID"])) for r in envelope.rcpt_tos]
        return "250 2.0.0 Accepted"


@pytest.fixture
def flaky() -> Iterator[tuple[Flaky, int]]:
    handler = Flaky()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


async def test_refused_recipients_end_failed_with_the_reason_and_the_rest_once(
    db: Database, flaky: tuple[Flaky, int], tmp_path: Path
) -> None:
    handler, port = flaky
    load_people(db)
    plan_id = build(db, State.DISTRIBUTING)
    settings = settings_for(port, tmp_path)
    async with OutboxSender(db, settings) as sender:
        for _ in range(40):
            await sender.send_due(plan_id=plan_id)
            if all(d["status"] != "queued" for d in deliveries(db, plan_id)):
                break
            await asyncio.sleep(0.25)  # the busy one waits out its back-off (1 s)
    rows = {d["email"]: d for d in deliveries(db, plan_id) if d["email"]}
    assert rows[GONE]["status"] == "failed" and "550" in rows[GONE]["reason"]
    assert rows[BUSY]["status"] == "sent" and handler.busy_refusals == 1
    sent = {e: d["message_id"] for e, d in rows.items() if d["status"] == "sent"}
    assert sorted(handler.received) == sorted(sent.items()), "each accepted recipient once, same Message-ID"
    assert all(d["smtp_reply"].startswith("250") for d in rows.values() if d["status"] == "sent")

    assert not [o for o in outbox(db, plan_id) if o["event"] == "delivery_failed"], "not one email per copy"
    distribution.complete_distribution(db, plan_id)  # failed is final: the plan is issued
    assert plan_status(db, plan_id)["state"] == "issued"
    queued = [o for o in outbox(db, plan_id) if o["event"] == "delivery_failed"]
    assert [o["to"] for o in queued] == ["vanphong@hamliem.example.vn"], "one digest of the failures"


async def test_claims_that_die_with_their_sender_use_up_no_attempts(
    db: Database, flaky: tuple[Flaky, int], tmp_path: Path
) -> None:
    """Only SMTP outcomes count: an item claimed again and again by killed senders still gets every try."""
    _, port = flaky
    load_people(db)
    plan_id = build(db, State.DISTRIBUTING)
    clock = [utcnow()]
    db.clock = lambda: clock[0]
    for _ in range(12):  # more claims than max_attempts: each sender dies before any SMTP outcome
        assert outbox_service.claim_due(db, "email", 100, plan_id)
        clock[0] += outbox_service.LEASE + timedelta(seconds=1)
    assert {o["attempts"] for o in outbox(db, plan_id)} == {0}
    settings = settings_for(port, tmp_path, max_attempts=3)
    async with OutboxSender(db, settings) as sender:
        await sender.send_due(plan_id=plan_id)
    rows = {d["email"]: d for d in deliveries(db, plan_id) if d["email"]}
    assert rows[BUSY]["status"] == "queued", "a 451 after twelve dead claims is still retried"
    busy = next(o for o in outbox(db, plan_id) if o["to"] == BUSY and o["event"] == "distributed")
    assert busy["attempts"] == 1 and busy["status"] == "pending"
    assert all(o["attempts"] == 1 for o in outbox(db, plan_id) if o["status"] == "sent")


def test_the_dispatcher_leaves_a_distributing_plans_copies_to_its_flow_run(db: Database) -> None:
    """One sender per plan: while the run's distribution step sends, the dispatcher's claims skip
    the plan's copies (a crash then repeats at most one); once the run waits on the copies (the
    relay was away) the dispatcher sends them."""
    load_people(db)
    plan_id = build(db, State.DISTRIBUTING)
    copies = {"distributed"}
    taken = outbox_service.claim_due(db, "email", 1000, None, True)
    assert not [c for c in taken if c.event in copies]
    outbox_service.release(db, [c.id or 0 for c in taken], "test")
    runs.set_wait_key(db, plan_id, "deliveries-v1")
    taken = outbox_service.claim_due(db, "email", 1000, None, True)
    assert [c for c in taken if c.event in copies]
    outbox_service.release(db, [c.id or 0 for c in taken], "test")
    runs.set_wait_key(db, plan_id, "sign-v1")
    flow = outbox_service.claim_due(db, "email", 1000, plan_id)  # the run's own step takes them
    assert [c for c in flow if c.event in copies]
