"""Review rules (DESIGN.md, "Lifecycle"): decisions bind to a version hash, each reviewer decides once,
a request for changes ends the round, a rejection ends the plan, the stage completes exactly once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from sqlmodel import select

from models.db import Database
from models.directory import Person
from models.errors import AlreadyDecided, Refused
from models.lifecycle import TRANSITIONS, Action, Notice, State
from models.policies import Decision, Outcome, TaskStatus
from models.services import plans, reviews
from models.services.queries import plan_status
from tests.factory import R1, R2, SECRETARIAT, SIGNER, build, current_hash, load_people
from tests.models.support import Ticker, audit_entries, emails, flow_jobs, tasks, world

DRIVES_FLOW = {(t.source.value, t.action.value): t.drives_flow for t in TRANSITIONS}
NOTICES = {(t.source.value, t.action.value): {n.value for n in t.notices} for t in TRANSITIONS}


@pytest.fixture
def people(db: Database) -> dict[str, int]:
    load_people(db)
    with db.read() as s:
        return {p.email: p.id or 0 for p in s.exec(select(Person)).all()}


def by_reviewer(db: Database, plan_id: int, people: dict[str, int], review_round: int) -> dict[str, Any]:
    names = {v: k for k, v in people.items()}
    return {names[t.reviewer_id]: t for t in tasks(db, plan_id, review_round)}


def test_request_changes_ends_the_round_and_returns_the_plan_to_the_drafter(
    db: Database, people: dict[str, int]
) -> None:
    plan_id = build(db, State.IN_REVIEW)
    version = current_hash(db, plan_id)

    outcome = reviews.decide(db, plan_id, R1, Decision.REQUEST_CHANGES, version, "Sửa mục II")

    assert outcome is Outcome.CHANGES_REQUESTED
    assert plan_status(db, plan_id)["state"] == State.CHANGES_REQUESTED
    round1 = by_reviewer(db, plan_id, people, 1)
    assert round1[R1].status == TaskStatus.CHANGES_REQUESTED
    assert round1[R1].comment == "Sửa mục II"
    assert round1[R2].status == TaskStatus.CANCELLED
    assert round1[R2].decided_at is not None
    [mail] = emails(db, plan_id, "changes_requested")
    assert mail.to_email == SECRETARIAT  # the drafter
    assert mail.context["comment"] == "Sửa mục II"
    assert mail.context["version_hash"] == version
    # The reviewer whose task was cancelled cannot decide on the closed round.
    with pytest.raises(Refused):
        reviews.decide(db, plan_id, R2, Decision.APPROVE, version)


def test_edit_and_resubmit_opens_round_two_for_every_reviewer(db: Database, people: dict[str, int]) -> None:
    plan_id = build(db, State.IN_REVIEW)
    old = current_hash(db, plan_id)
    reviews.decide(db, plan_id, R2, Decision.APPROVE, old)
    reviews.decide(db, plan_id, R1, Decision.REQUEST_CHANGES, old, "Bổ sung kinh phí")

    plans.edit_plan(db, plan_id, SECRETARIAT, body="I. MỤC ĐÍCH\n\n- Bổ sung kinh phí thực hiện.")
    new = current_hash(db, plan_id)
    assert new != old
    assert plan_status(db, plan_id)["version"] == 2
    assert plans.submit(db, plan_id, SECRETARIAT) == 2

    status = plan_status(db, plan_id)
    assert (status["state"], status["round"]) == (State.IN_REVIEW, 2)
    round2 = by_reviewer(db, plan_id, people, 2)
    assert {r: (t.status, t.carried_over, t.version_hash[:12]) for r, t in round2.items()} == {
        R1: (TaskStatus.OPEN, False, new),
        R2: (TaskStatus.OPEN, False, new),  # its approval was of the old hash: stale
    }
    for reviewer in (R1, R2):
        mails = emails(db, plan_id, "review_requested", reviewer)
        assert [m.context["version_hash"] for m in mails] == [old, new]
        assert new in mails[-1].key and mails[-1].key.endswith(":r2")
        assert mails[0].message_id != mails[-1].message_id


def test_resubmit_without_edit_keeps_the_approval_of_the_unchanged_hash(
    db: Database, people: dict[str, int]
) -> None:
    plan_id = build(db, State.IN_REVIEW)
    version = current_hash(db, plan_id)
    reviews.decide(db, plan_id, R2, Decision.APPROVE, version)
    reviews.decide(db, plan_id, R1, Decision.REQUEST_CHANGES, version, "Xem lại mục III")
    r2_mails = len(emails(db, plan_id, to=R2))

    assert plans.submit(db, plan_id, SECRETARIAT) == 2

    assert current_hash(db, plan_id) == version
    round2 = by_reviewer(db, plan_id, people, 2)
    assert (round2[R2].status, round2[R2].carried_over) == (TaskStatus.APPROVED, True)
    assert (round2[R1].status, round2[R1].carried_over) == (TaskStatus.OPEN, False)
    assert len(emails(db, plan_id, to=R2)) == r2_mails  # no new email for a standing approval
    assert [m.key.endswith(":r2") for m in emails(db, plan_id, "review_requested", R1)] == [False, True]
    # The carried approval is a decision: it cannot be given again or changed.
    with pytest.raises(AlreadyDecided):
        reviews.decide(db, plan_id, R2, Decision.REJECT, version, "Đổi ý")
    # R1's approval completes the stage with the carried one.
    assert reviews.decide(db, plan_id, R1, Decision.APPROVE, version) is Outcome.APPROVED
    assert plan_status(db, plan_id)["state"] == State.APPROVED


def test_reject_is_final(db: Database, people: dict[str, int]) -> None:
    plan_id = build(db, State.IN_REVIEW)
    version = current_hash(db, plan_id)

    assert reviews.decide(db, plan_id, R1, Decision.REJECT, version, "Không phù hợp") is Outcome.REJECTED

    assert plan_status(db, plan_id)["state"] == State.REJECTED
    round1 = by_reviewer(db, plan_id, people, 1)
    assert (round1[R1].status, round1[R2].status) == (TaskStatus.REJECTED, TaskStatus.CANCELLED)
    [mail] = emails(db, plan_id, Notice.REJECTED.value)  # the table's notice for a rejection
    assert (mail.to_email, mail.context["comment"]) == (SECRETARIAT, "Không phù hợp")  # to the drafter
    before = world(db)
    attempts: list[Callable[[], Any]] = [
        lambda: plans.submit(db, plan_id, SECRETARIAT),
        lambda: plans.edit_plan(db, plan_id, SECRETARIAT, body="Nội dung mới"),
        lambda: plans.assign(db, plan_id, SECRETARIAT, reviewers=[R1]),
        lambda: plans.withdraw(db, plan_id, SECRETARIAT, "rút"),
        lambda: reviews.decide(db, plan_id, R2, Decision.APPROVE, version),
    ]
    for attempt in attempts:
        with pytest.raises(Refused):
            attempt()
    assert world(db) == before


def test_withdraw_from_review_cancels_tasks_and_notifies_reviewers(
    db: Database, people: dict[str, int]
) -> None:
    plan_id = build(db, State.IN_REVIEW)

    plans.withdraw(db, plan_id, SECRETARIAT, "Đã có văn bản khác")

    assert plan_status(db, plan_id)["state"] == State.WITHDRAWN
    assert {t.status for t in tasks(db, plan_id)} == {TaskStatus.CANCELLED}
    mails = emails(db, plan_id, "withdrawn")
    assert sorted(m.to_email or "" for m in mails) == sorted([R1, R2])
    assert all(m.context["comment"] == "Đã có văn bản khác" for m in mails)
    with pytest.raises(Refused):
        plans.submit(db, plan_id, SECRETARIAT)


def test_approval_on_an_outdated_hash_is_refused_and_changes_nothing(
    db: Database, people: dict[str, int]
) -> None:
    plan_id = build(db, State.IN_REVIEW)
    round1_hash = current_hash(db, plan_id)
    reviews.decide(db, plan_id, R1, Decision.REQUEST_CHANGES, round1_hash, "Sửa tiêu đề")
    plans.edit_plan(db, plan_id, SECRETARIAT, title="Kế hoạch tổ chức Đại hội Chi bộ")
    plans.submit(db, plan_id, SECRETARIAT)
    assert current_hash(db, plan_id) != round1_hash
    before = world(db)

    with pytest.raises(Refused) as refused:
        reviews.decide(db, plan_id, R2, Decision.APPROVE, round1_hash)

    assert refused.value.field == "version"
    assert round1_hash in str(refused.value) and current_hash(db, plan_id) in str(refused.value)
    assert world(db) == before
    assert by_reviewer(db, plan_id, people, 2)[R2].status == TaskStatus.OPEN


@pytest.mark.parametrize("second", list(Decision))
def test_a_second_decision_by_the_same_reviewer_is_refused(
    db: Database, people: dict[str, int], second: Decision
) -> None:
    plan_id = build(db, State.IN_REVIEW)
    version = current_hash(db, plan_id)
    reviews.decide(db, plan_id, R1, Decision.APPROVE, version)
    before = world(db)

    with pytest.raises(AlreadyDecided) as refused:
        reviews.decide(db, plan_id, R1, second, version, "Đổi ý")

    assert "already decided" in str(refused.value)
    assert world(db) == before


def test_the_stage_completes_exactly_once(db: Database, people: dict[str, int]) -> None:
    plan_id = build(db, State.IN_REVIEW)
    version = current_hash(db, plan_id)

    assert reviews.decide(db, plan_id, R1, Decision.APPROVE, version) is Outcome.PENDING
    assert plan_status(db, plan_id)["state"] == State.IN_REVIEW
    assert emails(db, plan_id, "ready_to_sign") == []
    assert reviews.decide(db, plan_id, R2, Decision.APPROVE, version) is Outcome.APPROVED

    assert plan_status(db, plan_id)["state"] == State.APPROVED
    entries = audit_entries(db, plan_id)
    assert [e.action for e in entries].count(Action.COMPLETE_REVIEW) == 1
    [complete] = [e for e in entries if e.action == Action.COMPLETE_REVIEW]
    assert (complete.actor, complete.from_state, complete.to_state) == ("system", "in_review", "approved")
    assert [m.to_email for m in emails(db, plan_id, "ready_to_sign")] == [SIGNER]
    assert [m.to_email for m in emails(db, plan_id, "approved")] == [SECRETARIAT]
    driving = [e for e in entries if DRIVES_FLOW.get((e.from_state, e.action), False)]
    assert [e.action for e in driving] == [Action.SUBMIT, Action.COMPLETE_REVIEW]
    assert len(flow_jobs(db, plan_id)) == len(driving)
    # Nothing more happens on a further (refused) attempt.
    with pytest.raises(Refused):
        reviews.complete_review(db, plan_id, "system")
    assert len(flow_jobs(db, plan_id)) == len(driving)


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls from one thread each, released together; returns results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:  # collected and asserted on by the caller
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_reviewers_deciding_at_once_approve_the_plan_exactly_once(
    db: Database, people: dict[str, int]
) -> None:
    for _ in range(3):
        plan_id = build(db, State.IN_REVIEW)
        version = current_hash(db, plan_id)

        results = _race(
            [partial(reviews.decide, db, plan_id, r, Decision.APPROVE, version) for r in (R1, R2)]
        )

        assert sorted(str(r) for r in results) == [Outcome.APPROVED, Outcome.PENDING], results
        assert plan_status(db, plan_id)["state"] == State.APPROVED
        entries = audit_entries(db, plan_id)
        assert [e.action for e in entries].count(Action.APPROVE) == 2
        assert [e.action for e in entries].count(Action.COMPLETE_REVIEW) == 1
        assert len(emails(db, plan_id, "ready_to_sign")) == 1
        assert len(flow_jobs(db, plan_id)) == 2  # submit, complete_review


def test_a_double_click_records_one_decision(db: Database, people: dict[str, int]) -> None:
    plan_id = build(db, State.IN_REVIEW)
    version = current_hash(db, plan_id)

    results = _race([lambda: reviews.decide(db, plan_id, R1, Decision.APPROVE, version)] * 2)

    assert sorted(type(r).__name__ for r in results) == ["AlreadyDecided", "Outcome"], results
    assert "already decided" in str(next(r for r in results if isinstance(r, AlreadyDecided)))
    assert [e.action for e in audit_entries(db, plan_id)].count(Action.APPROVE) == 1


@pytest.mark.parametrize("state", list(State))
def test_each_call_queues_exactly_the_notices_of_its_transitions(
    db: Database, people: dict[str, int], state: State
) -> None:
    """Emails queued by a call are the union of the table's notices for the transitions it took."""
    db.clock = Ticker()
    plan_id = build(db, state)
    if state is State.IN_REVIEW:  # also a withdrawal that notifies
        plans.withdraw(db, plan_id, SECRETARIAT, "thôi")
    by_instant: dict[Any, tuple[set[str], set[str]]] = {}
    issued_at_once = set()
    for entry in audit_entries(db, plan_id):
        notices = NOTICES.get((entry.from_state, entry.action), set())
        by_instant.setdefault(entry.created_at, (set(), set()))[0].update(notices)
        if entry.action == Action.ISSUE and entry.actor == "system":
            issued_at_once.add(entry.created_at)
    for instant in issued_at_once:
        # Issued automatically in the signing transaction: nobody is asked to issue it.
        by_instant[instant][0].discard(Notice.READY_TO_ISSUE.value)
    for mail in emails(db, plan_id):
        by_instant.setdefault(mail.created_at, (set(), set()))[1].add(mail.event)
    assert by_instant, state
    for instant, (expected, queued) in by_instant.items():
        assert queued == expected, instant
