"""Reminders and escalation with a controllable clock, in working days (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from models.calendar import add_working_days, working_days_between
from models.db import Database
from models.lifecycle import State
from models.policies import Decision
from models.records import OutboxMessage
from models.reminders import ReminderPolicy, next_nudge
from models.services import reviews, signing
from models.services.queries import outbox
from models.services.reminders import send_due_reminders
from notifications.messages import render
from tests.factory import CLERK, R1, R2, SECRETARIAT, SIGNER, build, current_hash, load_people

HOLIDAYS = frozenset({date(2026, 4, 30), date(2026, 5, 1)})
POLICY = ReminderPolicy(
    due_days=3, first_after_days=2, every_days=2, max_reminders=3, escalate_to="boss@x.vn"
)
MONDAY = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội


def test_working_days_skip_weekends_and_holidays() -> None:
    assert add_working_days(date(2026, 11, 20), 1, ()) == date(2026, 11, 23)  # Friday → Monday
    assert add_working_days(date(2026, 4, 29), 1, HOLIDAYS) == date(2026, 5, 4)  # 30/4, 1/5, weekend
    assert working_days_between(date(2026, 4, 29), date(2026, 5, 4), HOLIDAYS) == 1
    assert working_days_between(date(2026, 5, 4), date(2026, 5, 4), HOLIDAYS) == 0


def test_the_cadence_is_after_two_then_every_two_at_most_three_then_escalate() -> None:
    sent, escalated, events = 0, False, []
    for day in range(0, 20):
        now = MONDAY + timedelta(days=day)
        nudge = next_nudge(MONDAY, now, sent, escalated, POLICY, ())
        if nudge is None:
            continue
        events.append((now.date().isoformat(), nudge.kind, nudge.number))
        sent, escalated = (nudge.number, escalated) if nudge.kind == "reminder" else (sent, True)
    assert events == [
        ("2026-11-25", "reminder", 1),  # Wednesday: 2 working days
        ("2026-11-27", "reminder", 2),  # Friday
        ("2026-12-01", "reminder", 3),  # Tuesday: the weekend does not count
        ("2026-12-03", "escalation", 0),
    ]
    assert next_nudge(MONDAY, MONDAY, 0, False, POLICY, ()) is None
    no_one = ReminderPolicy(max_reminders=1)
    assert next_nudge(MONDAY, MONDAY + timedelta(days=30), 1, False, no_one, ()) is None


def nudges(db: Database) -> Counter[tuple[str, str]]:
    return Counter((o["event"], o["to"]) for o in outbox(db) if o["event"] in {"reminder", "escalation"})


def test_reviewers_then_the_signer_are_reminded_once_each_time_even_when_run_twice(db: Database) -> None:
    now = [MONDAY]
    db.clock = lambda: now[0]
    load_people(db)
    plan_id = build(db, State.IN_REVIEW)

    def day(n: int) -> None:
        now[0] = MONDAY + timedelta(days=n)
        send_due_reminders(db)
        send_due_reminders(db)  # a second run of the flow changes nothing

    day(1)
    assert nudges(db) == Counter()
    day(2)
    assert nudges(db) == Counter({("reminder", R1): 1, ("reminder", R2): 1})
    reviews.decide(db, plan_id, R1, Decision.APPROVE, current_hash(db, plan_id))
    for n in (3, 4, 5, 6, 7, 8, 9, 10):
        day(n)
    # R1 decided: no more for them. R2: reminders on days 2, 4, 8 (5-6 is a weekend), then escalation.
    assert nudges(db) == Counter({("reminder", R1): 1, ("reminder", R2): 3, ("escalation", SECRETARIAT): 1})

    # Asked to sign on day 10 (Thursday): two working days later is day 14 (Monday).
    reviews.decide(db, plan_id, R2, Decision.APPROVE, current_hash(db, plan_id))
    day(11)
    assert nudges(db)[("reminder", SIGNER)] == 0
    day(14)
    assert nudges(db)[("reminder", SIGNER)] == 1


def test_concurrent_runs_send_each_reminder_once(db: Database) -> None:
    now = [MONDAY]
    db.clock = lambda: now[0]
    load_people(db)
    build(db, State.IN_REVIEW)
    now[0] = MONDAY + timedelta(days=2)
    threads = [threading.Thread(target=send_due_reminders, args=(db,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert nudges(db) == Counter({("reminder", R1): 1, ("reminder", R2): 1})


def test_the_clerk_is_reminded_of_a_signed_plan_waiting_to_be_issued(db: Database) -> None:
    now = [MONDAY]
    db.clock = lambda: now[0]
    load_people(db, automatic_issuance=False)
    plan_id = build(db, State.APPROVED)
    signing.sign(db, plan_id, SIGNER, current_hash(db, plan_id))  # Monday: the văn thư's step opens

    def day(n: int) -> None:
        now[0] = MONDAY + timedelta(days=n)
        send_due_reminders(db)
        send_due_reminders(db)

    day(1)
    assert nudges(db)[("reminder", CLERK)] == 0
    for n in (2, 3, 4, 5, 6, 7, 8, 9, 10):
        day(n)
    # Days 2, 4 and 8 (5-6 is a weekend), then the escalation; each once however often it runs.
    assert nudges(db)[("reminder", CLERK)] == 3 and nudges(db)[("escalation", SECRETARIAT)] == 1
    with db.read() as s:
        item = s.exec(
            select(OutboxMessage).where(OutboxMessage.event == "reminder", OutboxMessage.to_email == CLERK)
        ).first()
    assert item is not None
    subject, text, _ = render("reminder", {**item.context, "to_email": CLERK})
    assert "cấp số, phát hành" in subject and f"banhanh plan issue {plan_id} --as {CLERK}" in text
    signing.issue(db, plan_id, CLERK)
    day(20)
    assert nudges(db)[("reminder", CLERK)] == 3  # issued: nothing more
