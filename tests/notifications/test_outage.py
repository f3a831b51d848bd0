"""A relay outage is an outage, not a failure of every queued copy.

The relay (a real SMTP server on a real port) goes down in the middle of a distribution and
stays down for ten minutes of the services' clock: the distribution step hands the rest to
the dispatcher, which stops claiming and probes the relay with back-off; no copy is charged
an attempt for the outage, none fails, and once the relay listens again every copy arrives
and the plan is issued. Also: the SMTP pool tells an unusable relay from an answer about a
message, a copy is given up only when its queue lifetime runs out, an error of our own is
counted and given up after the configured attempts, and the secretariat can send every
failed copy again in one command.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import time
from collections import Counter
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import select

from flows import steps
from models.db import Database
from models.errors import Refused
from models.lifecycle import State
from models.records import OutboxMessage
from models.services import distribution
from models.services.queries import deliveries, outbox, plan_status
from notifications.dispatcher import MAX_BACKOFF_S, PROBE_MAX_S, Dispatcher, OutboxSender
from notifications.messages import compose
from notifications.smtp import RelayUnavailable, SmtpPool, TemporaryFailure
from tests.factory import R1, SECRETARIAT
from tests.factory import build as build_plan
from tests.notifications.conftest import settings_for
from tests.notifications.faulty_smtp import FaultySmtp, Script
from tests.notifications.test_faults import Clock, failure_digests, load_big_directory

OUTAGE_S = 600  # ten minutes of the services' clock
DOWN_AFTER = 20  # copies the relay keeps before it goes down


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def simple(to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "vanphong@hamliem.example.vn"
    msg["To"] = to
    msg["Subject"] = "thử"
    msg["Message-ID"] = f"<{to}@test>"
    msg.set_content("nội dung")
    return msg


async def test_a_ten_minute_relay_outage_mid_distribution_fails_no_copy(db: Database, tmp_path: Path) -> None:
    clock = Clock()
    db.clock = clock
    recipients = load_big_directory(db)  # 60 emailed recipients
    plan_id = build_plan(db, State.DISTRIBUTING)
    started = time.monotonic()
    with FaultySmtp(Script(tempfail=False)) as relay:
        kept = [0]

        def on_kept() -> None:
            kept[0] += 1
            if kept[0] == DOWN_AFTER:
                relay.go_down()

        relay.on_kept = on_kept
        cfg = settings_for(relay.port, tmp_path, smtp_pool_size=4, smtp_timeout=2.0, max_attempts=3)

        # The flow's step sends until the relay goes away, then hands the rest to the dispatcher.
        counts = await steps.distribute(plan_id, db, cfg)
        assert relay.down and plan_status(db, plan_id)["state"] == "distributing"
        assert counts.get("failed", 0) == 0 and 0 < counts["sent"] < len(recipients), counts

        dispatcher = Dispatcher(db, cfg)
        try:
            # Ten minutes of the relay away, the dispatcher passing once a second of the clock.
            claimed = []
            for _ in range(OUTAGE_S):
                clock.advance(1)
                claimed.append(await dispatcher.send_emails())
            # Its first batch finds the relay away and gives its claims back; then nothing is claimed.
            assert sum(claimed[1:]) == 0, claimed
            probes_while_down = dispatcher.sender.probes_made
            during = outbox(db, plan_id)
            assert not [o for o in during if o["status"] == "failed"], "the outage fails nothing"
            charged = [o for o in during if o["attempts"] and o["status"] == "pending"]
            # Only copies cut mid-transfer when the relay died (at most one per connection) count one.
            assert len(charged) <= cfg.smtp_pool_size and all(o["attempts"] == 1 for o in charged), charged
            assert plan_status(db, plan_id)["state"] == "distributing", "not issued while the relay is down"

            relay.come_back()
            for _ in range(PROBE_MAX_S + MAX_BACKOFF_S):
                clock.advance(1)
                await dispatcher.send_emails()
                if plan_status(db, plan_id)["state"] == "issued":
                    await dispatcher.send_emails()  # the "issued" emails it queued
                    break
        finally:
            await dispatcher.sender.close()
        elapsed = time.monotonic() - started

    rows = {d["email"]: d for d in deliveries(db, plan_id) if d["email"]}
    assert Counter(d["status"] for d in rows.values()) == Counter({"sent": len(recipients)})
    assert plan_status(db, plan_id)["state"] == "issued"
    copies = relay.copies("distributed")
    assert sorted(copies) == sorted(recipients), "every copy arrived"
    for rcpt, kept_copies in copies.items():
        assert {c.message_id for c in kept_copies} == {rows[rcpt]["message_id"]}
        assert len([c for c in kept_copies if not c.reply_dropped]) == 1, rcpt
    # The drafter hears of it at most once (here: not at all, nothing failed), and is told it is issued.
    assert failure_digests(db, plan_id) == []
    to_drafter = [o for o in outbox(db, plan_id) if o["to"] == SECRETARIAT]
    assert len([o for o in to_drafter if o["event"] == "delivery_failed"]) <= 1
    assert [o["status"] for o in to_drafter if o["event"] == "issued"] == ["sent"]
    # Issuing resumes the plan's flow run, suspended while the copies waited.
    assert any(o["kind"] == "flow" for o in outbox(db, plan_id))
    # Probes back off to one a minute: about 16 in ten minutes, not one per message.
    assert probes_while_down <= 20, probes_while_down
    print(
        f"\n{len(recipients)} copies, relay down after {DOWN_AFTER} for {OUTAGE_S} s of clock: "
        f"{counts['sent']} sent before, {probes_while_down} probes during the outage, "
        f"{len(charged)} copies charged one attempt (cut mid-transfer), 0 failed; {elapsed:.1f} s"
    )


async def test_the_pool_tells_an_unusable_relay_from_an_answer_about_the_message(tmp_path: Path) -> None:
    # Nothing listening: the relay, not the message.
    async with SmtpPool(settings_for(free_port(), tmp_path)) as pool:
        with pytest.raises(RelayUnavailable, match="cannot use the SMTP relay"):
            await pool.send(simple("a@hamliem.example.vn"))
        # Sends waiting behind that refused connection fail with it, without trying again.
        with pytest.raises(RelayUnavailable):
            await pool.probe()

    # A relay that accepts the connection and never greets: silent before it answers for a message.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        cfg = settings_for(silent.getsockname()[1], tmp_path, smtp_timeout=0.3)
        async with SmtpPool(cfg) as pool:
            with pytest.raises(RelayUnavailable):
                await pool.send(simple("a@hamliem.example.vn"))
    finally:
        silent.close()

    # 451 about one recipient: an answer about the message, an attempt; the relay stays usable.
    with FaultySmtp(Script(tempfail=False, defer={"full@hamliem.example.vn"})) as relay:
        async with SmtpPool(settings_for(relay.port, tmp_path)) as pool:
            with pytest.raises(TemporaryFailure) as deferred:
                await pool.send(simple("full@hamliem.example.vn"))
            assert not isinstance(deferred.value, RelayUnavailable) and deferred.value.code == 451
            assert (await pool.send(simple("ok@hamliem.example.vn"))).startswith("250")
            relay.go_down()  # the pooled connection is cut and the port refuses: the relay
            with pytest.raises(RelayUnavailable):
                await pool.send(simple("ok2@hamliem.example.vn"))
            relay.come_back()
            await pool.probe()
            assert (await pool.send(simple("ok3@hamliem.example.vn"))).startswith("250")


async def test_a_copy_is_given_up_only_when_its_queue_lifetime_runs_out(db: Database, tmp_path: Path) -> None:
    clock = Clock()
    db.clock = clock
    recipients = load_big_directory(db)
    full = recipients[-1]
    plan_id = build_plan(db, State.DISTRIBUTING)
    queued_at = clock.now
    with FaultySmtp(Script(tempfail=False, defer={full})) as relay:
        cfg = settings_for(relay.port, tmp_path, smtp_pool_size=4, queue_lifetime_hours=1.0, max_attempts=2)
        async with OutboxSender(db, cfg) as sender:
            while clock.now - queued_at < timedelta(minutes=59):
                await sender.send_due(plan_id=plan_id)
                clock.advance(MAX_BACKOFF_S / 4)
            row = next(d for d in deliveries(db, plan_id) if d["email"] == full)
            item = next(o for o in outbox(db, plan_id) if o["to"] == full and o["event"] == "distributed")
            assert row["status"] == "queued", "still retried after many more 451s than max_attempts"
            assert item["attempts"] > cfg.max_attempts and "451" in item["error"]
            assert plan_status(db, plan_id)["state"] == "distributing"
            clock.advance(MAX_BACKOFF_S + 1)
            await sender.send_due(plan_id=plan_id)
    row = next(d for d in deliveries(db, plan_id) if d["email"] == full)
    assert row["status"] == "failed" and "gave up after" in row["reason"] and "1 h" in row["reason"]
    assert "451" in row["reason"]
    assert distribution.finish_ready(db, [plan_id]) == [plan_id]
    assert plan_status(db, plan_id)["state"] == "issued"
    [digest] = failure_digests(db, plan_id)
    assert digest.to_email == SECRETARIAT and [f["email"] for f in digest.context["failures"]] == [full]
    assert distribution.finish_ready(db) == [], "issued once"
    assert len(failure_digests(db, plan_id)) == 1, "one digest"
    # What the secretariat reads: each failed recipient, the reason, and the one command.
    message = email.message_from_bytes(compose(digest, cfg).data, policy=email.policy.default)
    assert "1 bản gửi không thành công" in str(message["Subject"])
    text = message.get_body(("plain",))
    assert text is not None
    body = text.get_content()
    assert full in body and "451" in body
    assert f"banhanh plan retry-failed {plan_id} --as {SECRETARIAT}" in body


async def test_an_error_of_our_own_is_counted_and_given_up_after_max_attempts(
    db: Database, tmp_path: Path
) -> None:
    """Issue 14: an unexpected exception used to leave the claim to expire, uncounted, for ever."""
    clock = Clock()
    db.clock = clock
    recipients = load_big_directory(db)
    broken = recipients[0]
    plan_id = build_plan(db, State.DISTRIBUTING)
    with db.write() as session:  # its document is gone: reading it raises, not an SMTP failure
        item = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.to_email == broken, OutboxMessage.event == "distributed"
            )
        ).one()
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == item.id)  # type: ignore[arg-type]
            .values(context={**item.context, "document_id": 999_999})
        )
    with FaultySmtp(Script(tempfail=False)) as relay:
        cfg = settings_for(relay.port, tmp_path, max_attempts=3)
        async with OutboxSender(db, cfg) as sender:
            for _ in range(10):
                await sender.send_due(plan_id=plan_id)
                clock.advance(MAX_BACKOFF_S + 1)
    rows = {d["email"]: d for d in deliveries(db, plan_id) if d["email"]}
    assert rows[broken]["status"] == "failed", rows[broken]
    assert rows[broken]["reason"].startswith("gave up after 3 attempts: unexpected error while sending:")
    assert "999999" in rows[broken]["reason"] or "NotFound" in rows[broken]["reason"], rows[broken]["reason"]
    item_row = next(o for o in outbox(db, plan_id) if o["to"] == broken and o["event"] == "distributed")
    assert item_row["attempts"] == 3
    assert all(d["status"] == "sent" for e, d in rows.items() if e != broken), "the rest of the batch went"


async def test_every_failed_copy_is_sent_again_in_one_step(db: Database, tmp_path: Path) -> None:
    clock = Clock()
    db.clock = clock
    recipients = load_big_directory(db)
    gone = set(recipients[:3])
    plan_id = build_plan(db, State.DISTRIBUTING)
    with FaultySmtp(Script(tempfail=False, refuse=gone)) as relay:
        cfg = settings_for(relay.port, tmp_path)
        async with OutboxSender(db, cfg) as sender:
            while await sender.send_due(plan_id=plan_id):
                pass
        assert distribution.finish_ready(db, [plan_id]) == [plan_id]
        assert len(failure_digests(db, plan_id)) == 1
        with pytest.raises(Refused) as not_secretariat:
            distribution.retry_failed(db, plan_id, R1)  # a reviewer, not the secretariat
        assert not_secretariat.value.field == "as"
        first_ids = {d["email"]: d["message_id"] for d in deliveries(db, plan_id)}

        relay.script.refuse = set()  # the addresses were fixed
        assert sorted(distribution.retry_failed(db, plan_id, SECRETARIAT)) == sorted(gone)
        assert {d["status"] for d in deliveries(db, plan_id) if d["email"] in gone} == {"queued"}
        async with OutboxSender(db, cfg) as sender:
            while await sender.send_due(plan_id=plan_id):
                pass
        with pytest.raises(Refused) as nothing:
            distribution.retry_failed(db, plan_id, SECRETARIAT)
        assert (nothing.value.field, nothing.value.code) == ("deliveries", "deliveries.none_failed")
        assert "không có bản gửi lỗi" in nothing.value.message
    rows = {d["email"]: d for d in deliveries(db, plan_id) if d["email"]}
    assert all(d["status"] == "sent" for d in rows.values())
    assert all(rows[e]["message_id"] != first_ids[e] for e in gone), "a resend is a new email"
    assert plan_status(db, plan_id)["state"] == "issued"
    assert len(failure_digests(db, plan_id)) == 1, "nothing failed the second time: no second digest"
    assert {r.rcpt for r in relay.received if r.event == "distributed"} == set(recipients)


async def test_a_resent_copy_that_fails_again_makes_one_new_digest(db: Database, tmp_path: Path) -> None:
    clock = Clock()
    db.clock = clock
    recipients = load_big_directory(db)
    gone = set(recipients[:2])
    plan_id = build_plan(db, State.DISTRIBUTING)
    with FaultySmtp(Script(tempfail=False, refuse=gone)) as relay:
        cfg = settings_for(relay.port, tmp_path)
        async with OutboxSender(db, cfg) as sender:
            while await sender.send_due(plan_id=plan_id):
                pass
            distribution.finish_ready(db, [plan_id])
            distribution.retry_failed(db, plan_id, SECRETARIAT)
            while await sender.send_due(plan_id=plan_id):
                await asyncio.sleep(0)
    assert plan_status(db, plan_id)["state"] == "issued"
    digests = failure_digests(db, plan_id)
    assert len(digests) == 2, "one per round of failures, not one per copy"
    assert all(sorted(f["email"] for f in d.context["failures"]) == sorted(gone) for d in digests)
