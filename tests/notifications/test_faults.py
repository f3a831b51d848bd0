"""Fault injection: one plan to 60 recipients through a real SMTP server that misbehaves.

451 to about 30% of the messages the first time, 550 to some addresses, the connection cut
before the body (at RCPT, at DATA), after the body but before the 250 (cut, or no reply
until the client times out), and between two messages. Counted on what the server kept:
every recipient ends sent (at least one copy, always the same Message-ID) or failed with
the reason, and a second copy exists only where the server had kept the body when the
reply was lost.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from models.db import Database
from models.lifecycle import State
from models.records import OutboxMessage
from models.services import distribution
from models.services import outbox as outbox_service
from models.services.directory import load_directory
from models.services.queries import deliveries, outbox, plan_status
from models.types import utcnow
from notifications import dispatcher
from notifications.dispatcher import MAX_BACKOFF_S, OutboxSender
from tests.factory import build, example_config
from tests.notifications.conftest import settings_for
from tests.notifications.faulty_smtp import (
    FaultySmtp,
    Script,
    tempfail_after_body,
    tempfail_at_rcpt,
    tempfails,
)

EXTRA_UNITS = 56  # with the 4 addressed units of the sample plan: 60 emailed recipients
ORIGINAL = ["thuongtruc", "chibo.thon1", "chibo.thon2", "dangu-ubnd"]
SECRETARIAT = "vanphong@hamliem.example.vn"


class Clock:
    """The services' clock, moved by hand so back-off waits take no real time."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def failure_digests(db: Database, plan_id: int) -> list[OutboxMessage]:
    with db.read() as session:
        return list(
            session.exec(
                select(OutboxMessage).where(
                    OutboxMessage.plan_id == plan_id, OutboxMessage.event == "delivery_failed"
                )
            ).all()
        )


def address(i: int) -> str:
    return f"chibo.to{i:02d}@hamliem.example.vn"


def load_big_directory(db: Database) -> list[str]:
    """The example organisation, with 56 more branches in the group the sample plan lists."""
    config: dict[str, Any] = copy.deepcopy(example_config())
    group = next(u for u in config["units"] if u["code"] == "cs-dang-truc-thuoc")
    for i in range(1, EXTRA_UNITS + 1):
        config["units"].append({"code": f"cb-to-{i:02d}", "name": f"Chi bộ tổ {i:02d}", "email": address(i)})
        group["members"].append(f"cb-to-{i:02d}")
    load_directory(db, config)
    return [f"{name}@hamliem.example.vn" for name in ORIGINAL] + [
        address(i) for i in range(1, EXTRA_UNITS + 1)
    ]


def script_for(recipients: list[str]) -> Script:
    """Scripted faults on addresses that get no 451, so each fault is reached on the first try."""
    plain = [r for r in recipients if not tempfails(r)]
    pick = iter(plain)

    def take(n: int) -> set[str]:
        return {next(pick) for _ in range(n)}

    return Script(
        refuse=take(3),
        drop_at_rcpt=take(3),
        drop_at_data=take(3),
        drop_after_body=take(4),
        stall_after_body=take(2),
        drop_between=take(4),
        close_after_reply=take(3),
    )


async def test_misbehaving_server_every_recipient_final_and_second_copies_only_after_a_kept_body(
    db: Database, tmp_path: Path
) -> None:
    clock = Clock()
    db.clock = clock
    recipients = load_big_directory(db)
    plan_id = build(db, State.DISTRIBUTING)
    script = script_for(recipients)
    started = time.monotonic()
    rounds = 0
    with FaultySmtp(script) as server:
        # A 1 s timeout: the stalled replies cost 1 s each, not the default 30 s.
        settings = settings_for(server.port, tmp_path, smtp_pool_size=4, smtp_timeout=1.0, max_attempts=8)
        async with OutboxSender(db, settings) as sender:
            while rounds < 40:
                rounds += 1
                claimed = await sender.send_due(plan_id=plan_id)
                if not any(
                    o["kind"] == "email" and o["status"] in ("pending", "sending")
                    for o in outbox(db, plan_id)
                ):
                    break
                if not claimed:  # everything left waits out its back-off: skip the wait
                    clock.advance(MAX_BACKOFF_S + 1)
    elapsed = time.monotonic() - started

    rows = {d["email"]: d for d in deliveries(db, plan_id) if d["email"]}
    assert sorted(rows) == sorted(recipients), "60 emailed recipients"
    status = Counter(d["status"] for d in rows.values())
    assert set(status) <= {"sent", "failed"}, f"every recipient ends sent or failed: {status}"

    # 550: failed with the relay's reason, nothing kept by the server.
    failed = {e for e, d in rows.items() if d["status"] == "failed"}
    assert failed == script.refuse
    assert all("550" in rows[e]["reason"] for e in failed), [rows[e]["reason"] for e in failed]

    # Every fault of the script fired, and about 30% of the addresses got their 451.
    fired = {name: set(addresses) for name, addresses in server.faults.items()}
    assert fired["drop_at_rcpt"] == script.drop_at_rcpt
    assert fired["drop_at_data"] == script.drop_at_data
    assert fired["drop_after_body"] == script.drop_after_body
    assert fired["stall_after_body"] == script.stall_after_body
    assert fired["drop_between"] == script.drop_between
    assert fired["close_after_reply"] == script.close_after_reply
    assert fired["refuse"] == script.refuse
    assert fired["tempfail_at_rcpt"] >= {r for r in recipients if tempfail_at_rcpt(r)}
    assert fired["tempfail_after_body"] >= {r for r in recipients if tempfail_after_body(r)}
    tempfailed = {r for r in recipients if tempfails(r)}
    assert 12 <= len(tempfailed) <= 24, f"about 30% of 60 get a 451 first: {len(tempfailed)}"
    assert all(rows[r]["status"] == "sent" for r in tempfailed), "a 451 is retried until accepted"

    # Counted on the server: at least one copy of every sent one, all with its Message-ID.
    copies = server.copies("distributed")
    sent = {e for e, d in rows.items() if d["status"] == "sent"}
    assert sent == set(recipients) - script.refuse
    for rcpt in sent:
        kept = copies.get(rcpt, [])
        assert kept, f"{rcpt} is recorded sent but the server has no copy"
        assert {c.message_id for c in kept} == {rows[rcpt]["message_id"]}, f"{rcpt}: one Message-ID"
        assert len([c for c in kept if not c.reply_dropped]) == 1, f"{rcpt}: one copy acknowledged"
    assert not any(copies.get(r) for r in script.refuse)
    # A second copy exists only where the server had kept the body when the line went dead
    # or the reply never came (timeout).
    doubles = {r for r, kept in copies.items() if len(kept) > 1}
    assert doubles == script.drop_after_body | script.stall_after_body, doubles
    assert all(len(copies[r]) == 2 and copies[r][0].reply_dropped for r in doubles)

    # The same holds for every other email of the plan (review, signing, delivery failures).
    items = [o for o in outbox(db, plan_id) if o["kind"] == "email"]
    assert all(o["status"] in ("sent", "failed") for o in items)
    by_id = Counter((r.rcpt, r.message_id, r.reply_dropped) for r in server.received)
    assert all(n == 1 for (_, _, dropped), n in by_id.items() if not dropped), "no unexplained copies"
    assert not [o for o in items if o["event"] == "delivery_failed"], "no email per failed copy"

    distribution.complete_distribution(db, plan_id)
    assert plan_status(db, plan_id)["state"] == "issued"
    [digest] = failure_digests(db, plan_id)  # one email about the three refused copies
    assert digest.to_email == SECRETARIAT
    assert {f["email"] for f in digest.context["failures"]} == script.refuse
    print(
        f"\n{len(recipients)} recipients: {status['sent']} sent, {status['failed']} failed (550); "
        f"{len(tempfailed)} got a 451 first; server kept {sum(len(v) for v in copies.values())} copies, "
        f"{len(doubles)} twice (reply lost after the body); {server.connections} connections; "
        f"{rounds} send_due rounds in {elapsed:.1f} s"
    )


async def test_a_batch_slower_than_the_lease_keeps_its_claims_from_a_second_sender(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two senders (the dispatcher and a flow's distribution step) on one slow relay.

    Every message the relay keeps moves the services' clock by 15 s, so the first sender's
    batch of 50 takes 750 s of clock time, six leases. Its claims are renewed while it
    sends, so the second sender never takes them: each recipient gets exactly one copy.
    """
    monkeypatch.setattr(dispatcher, "RENEW_EVERY_S", 0.01)
    clock = Clock()
    db.clock = clock
    recipients = load_big_directory(db)
    plan_id = build(db, State.DISTRIBUTING)
    started = clock.now
    with FaultySmtp(Script(tempfail=False, data_delay=0.03)) as server:
        server.on_kept = lambda: clock.advance(15)
        settings = settings_for(server.port, tmp_path, smtp_pool_size=2)
        async with OutboxSender(db, settings) as first, OutboxSender(db, settings) as second:
            batch = asyncio.create_task(first.send_due(plan_id=plan_id))
            while not server.received:  # the first sender has claimed its batch and is sending
                await asyncio.sleep(0.005)
            taken_by_second = 0
            while not batch.done():
                taken_by_second += await second.send_due(plan_id=plan_id)
                await asyncio.sleep(0.01)
            taken_by_first = await batch
    assert taken_by_first == dispatcher.BATCH
    assert clock.now - started >= 5 * outbox_service.LEASE, "the first batch outlasted its lease many times"
    items = [o for o in outbox(db, plan_id) if o["kind"] == "email"]
    assert taken_by_second == len(items) - taken_by_first, "the second sender took only what was unclaimed"
    assert all(o["status"] == "sent" for o in items)
    copies = Counter(r.message_id for r in server.received)
    assert len(copies) == len(items) and set(copies.values()) == {1}, "every email exactly once"
    assert {r.rcpt for r in server.received if r.event == "distributed"} == set(recipients)
