"""Review workflows as data: stages in order, completion rules all / any / N of M, mandatory
reviewers, and partial re-review after a request for changes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from models.db import Database
from models.directory import Person
from models.errors import Invalid, NotFound, Refused
from models.lifecycle import Action, State
from models.policies import Decision, Outcome, TaskStatus
from models.review_policy import Next, Rule, Stage, next_step, parse_rule, stage_outcome, to_ask
from models.services import plans, reviews
from models.services.directory import load_directory
from models.services.queries import plan_status
from tests.factory import R1, R2, R3, SECRETARIAT, current_hash, example_config
from tests.models.support import R4, audit_entries, draft_plan, emails, load_org, tasks, world

A, RJ, OPEN, CR = TaskStatus.APPROVED, TaskStatus.REJECTED, TaskStatus.OPEN, TaskStatus.CHANGES_REQUESTED


def template(name: str, *stages: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "stages": list(stages)}


TEMPLATES = [
    template("all", {"reviewers": [R1, R2, R3], "rule": "all"}),
    template("any", {"reviewers": [R1, R2, R3], "rule": "any"}),
    template("two-of-three", {"reviewers": [R1, R2, R3], "rule": "2 of 3"}),
    template("ubkt-must", {"reviewers": [R1, R2, R3], "rule": "2 of 3", "mandatory": [R2]}),
    template(
        "staged",
        {"name": "Ban tham mưu", "reviewers": [R1, R2], "rule": "all"},
        {"name": "Thường trực", "reviewers": [R3, R4], "rule": "any"},
    ),
]


@pytest.fixture
def ids(db: Database) -> dict[str, int]:
    load_org(db, TEMPLATES)
    with db.read() as s:
        return {p.email: p.id or 0 for p in s.exec(select(Person)).all()}


def statuses(db: Database, plan_id: int, ids: dict[str, int], review_round: int = 1) -> dict[str, str]:
    emails_of = {v: k for k, v in ids.items()}
    return {emails_of[t.reviewer_id]: t.status for t in tasks(db, plan_id, review_round)}


def approve(db: Database, plan_id: int, *who: str) -> Outcome:
    outcome = Outcome.PENDING
    for reviewer in who:
        outcome = reviews.decide(db, plan_id, reviewer, Decision.APPROVE, current_hash(db, plan_id))
    return outcome


# The pure rule, on its own.


@pytest.mark.parametrize(
    ("rule", "decided", "expected"),
    [
        ("all", {1: A, 2: A}, Outcome.PENDING),
        ("all", {1: A, 2: A, 3: A}, Outcome.APPROVED),
        ("all", {1: RJ}, Outcome.REJECTED),  # can no longer reach three approvals
        ("any", {}, Outcome.PENDING),
        ("any", {2: A}, Outcome.APPROVED),
        ("any", {1: RJ, 2: RJ}, Outcome.PENDING),
        ("any", {1: RJ, 2: RJ, 3: RJ}, Outcome.REJECTED),
        ("2 of 3", {1: A}, Outcome.PENDING),
        ("2 of 3", {1: A, 3: A}, Outcome.APPROVED),
        ("2 of 3", {1: RJ, 2: A}, Outcome.PENDING),
        ("2 of 3", {1: RJ, 2: RJ}, Outcome.REJECTED),
        ("2 of 3", {1: A, 2: CR}, Outcome.CHANGES_REQUESTED),
    ],
)
def test_completion_rules(rule: str, decided: dict[int, TaskStatus], expected: Outcome) -> None:
    kind, needed = parse_rule(rule, 3)
    assert stage_outcome(Stage((1, 2, 3), kind, needed), decided) is expected


def test_mandatory_reviewers_must_approve_and_their_rejection_ends_the_stage() -> None:
    stage = Stage((1, 2, 3), Rule.ANY, mandatory=frozenset({2}))
    assert stage_outcome(stage, {1: A, 3: A}) is Outcome.PENDING
    assert stage_outcome(stage, {1: A, 2: A}) is Outcome.APPROVED
    assert stage_outcome(stage, {1: A, 2: RJ}) is Outcome.REJECTED
    assert stage_outcome(stage, {1: RJ, 3: RJ}) is Outcome.PENDING  # 2 alone can still approve


def test_stages_run_in_order_and_only_unchanged_approvals_stand() -> None:
    assert [next_step(Outcome.APPROVED, n, 2) for n in (1, 2)] == [Next.OPEN_NEXT_STAGE, Next.COMPLETE]
    assert next_step(Outcome.REJECTED, 1, 2) is Next.REJECT
    assert next_step(Outcome.PENDING, 1, 2) is Next.WAIT
    assert to_ask(Stage((1, 2, 3)), standing={2}) == (1, 3)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("most", "is not one of"),
        ("2 of 4", "names 4 reviewers"),
        ("4 of 3", "between 1 and 3"),
        ("0 of 3", "between 1 and 3"),
    ],
)
def test_bad_rules_say_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_rule(text, 3)


# Through the services.


@pytest.mark.parametrize(("name", "needed"), [("all", 3), ("any", 1), ("two-of-three", 2)])
def test_each_rule_completes_the_review_with_its_number_of_approvals(
    db: Database, ids: dict[str, int], name: str, needed: int
) -> None:
    plan_id = draft_plan(db, template=name)
    plans.submit(db, plan_id, SECRETARIAT)
    order = [R1, R2, R3]

    if needed > 1:
        assert approve(db, plan_id, *order[: needed - 1]) is Outcome.PENDING
        assert plan_status(db, plan_id)["state"] == State.IN_REVIEW
    assert approve(db, plan_id, order[needed - 1]) is Outcome.APPROVED

    assert plan_status(db, plan_id)["state"] == State.APPROVED
    # Reviewers the rule no longer needs are not left waiting.
    assert statuses(db, plan_id, ids) == {
        r: A if i < needed else TaskStatus.CANCELLED for i, r in enumerate(order)
    }


def test_a_rejection_that_still_leaves_the_quorum_reachable_does_not_end_the_review(
    db: Database, ids: dict[str, int]
) -> None:
    plan_id = draft_plan(db, template="two-of-three")
    plans.submit(db, plan_id, SECRETARIAT)
    version = current_hash(db, plan_id)

    assert reviews.decide(db, plan_id, R1, Decision.REJECT, version, "Chưa rõ kinh phí") is Outcome.PENDING
    assert plan_status(db, plan_id)["state"] == State.IN_REVIEW
    assert emails(db, plan_id, "rejected") == []
    assert approve(db, plan_id, R2) is Outcome.PENDING
    assert reviews.decide(db, plan_id, R3, Decision.REJECT, version, "Không phù hợp") is Outcome.REJECTED
    assert plan_status(db, plan_id)["state"] == State.REJECTED


def test_a_mandatory_reviewers_rejection_ends_the_review_and_cancels_the_other_open_tasks(
    db: Database, ids: dict[str, int]
) -> None:
    plan_id = draft_plan(db, template="ubkt-must")
    plans.submit(db, plan_id, SECRETARIAT)
    approve(db, plan_id, R1)

    outcome = reviews.decide(db, plan_id, R2, Decision.REJECT, current_hash(db, plan_id), "Trái quy định")

    assert outcome is Outcome.REJECTED
    assert plan_status(db, plan_id)["state"] == State.REJECTED
    assert statuses(db, plan_id, ids) == {R1: A, R2: RJ, R3: TaskStatus.CANCELLED}
    [mail] = emails(db, plan_id, "rejected")
    assert (mail.to_email, mail.context["comment"]) == (SECRETARIAT, "Trái quy định")
    actions = [(e.actor, e.action, e.to_state) for e in audit_entries(db, plan_id)][-2:]
    assert actions == [(R2, Action.REJECT, State.IN_REVIEW), ("system", Action.FAIL_REVIEW, State.REJECTED)]
    with pytest.raises(Refused):
        approve(db, plan_id, R3)


def test_a_mandatory_reviewer_is_needed_even_when_the_count_is_met(db: Database, ids: dict[str, int]) -> None:
    plan_id = draft_plan(db, template="ubkt-must")
    plans.submit(db, plan_id, SECRETARIAT)

    assert approve(db, plan_id, R1, R3) is Outcome.PENDING
    assert approve(db, plan_id, R2) is Outcome.APPROVED


def test_stages_open_in_order_and_the_next_stage_is_asked_when_the_previous_completes(
    db: Database, ids: dict[str, int]
) -> None:
    plan_id = draft_plan(db, template="staged")
    plans.submit(db, plan_id, SECRETARIAT)
    version = current_hash(db, plan_id)

    assert statuses(db, plan_id, ids) == {R1: OPEN, R2: OPEN}
    assert {m.to_email for m in emails(db, plan_id, "review_requested")} == {R1, R2}
    before = world(db)
    with pytest.raises(Refused):  # stage 2 is not open yet
        reviews.decide(db, plan_id, R3, Decision.APPROVE, version)
    assert world(db) == before

    assert approve(db, plan_id, R1, R2) is Outcome.PENDING

    status = plan_status(db, plan_id)
    assert (status["state"], status["stage"]) == (State.IN_REVIEW, 2)
    assert statuses(db, plan_id, ids) == {R1: A, R2: A, R3: OPEN, R4: OPEN}
    assert {m.to_email for m in emails(db, plan_id, "review_requested")} == {R1, R2, R3, R4}
    assert [e.action for e in audit_entries(db, plan_id)].count(Action.OPEN_STAGE) == 1
    assert approve(db, plan_id, R4) is Outcome.APPROVED
    assert statuses(db, plan_id, ids)[R3] == TaskStatus.CANCELLED
    assert [m.to_email for m in emails(db, plan_id, "ready_to_sign")] == ["pbt@hamliem.example.vn"]


def _changes_requested_in_stage_two(db: Database) -> int:
    plan_id = draft_plan(db, template="staged")
    plans.submit(db, plan_id, SECRETARIAT)
    approve(db, plan_id, R1, R2)
    reviews.decide(db, plan_id, R3, Decision.REQUEST_CHANGES, current_hash(db, plan_id), "Bổ sung mục III")
    assert plan_status(db, plan_id)["state"] == State.CHANGES_REQUESTED
    return plan_id


def test_resubmitting_an_unchanged_version_keeps_every_approval_of_its_hash(
    db: Database, ids: dict[str, int]
) -> None:
    plan_id = _changes_requested_in_stage_two(db)
    asked_before = len(emails(db, plan_id, "review_requested"))

    plans.submit(db, plan_id, SECRETARIAT)

    # Stage 1's approvals stand, so stage 2 opens at once; only its reviewers are asked.
    round2 = {t.reviewer_id: t for t in tasks(db, plan_id, 2)}
    assert statuses(db, plan_id, ids, 2) == {R1: A, R2: A, R3: OPEN, R4: OPEN}
    assert round2[ids[R1]].carried_over and round2[ids[R2]].carried_over
    assert plan_status(db, plan_id)["stage"] == 2
    new = emails(db, plan_id, "review_requested")[asked_before:]
    assert sorted(m.to_email or "" for m in new) == sorted([R3, R4])


def test_an_edit_that_changes_the_hash_asks_the_earlier_approvers_again(
    db: Database, ids: dict[str, int]
) -> None:
    plan_id = _changes_requested_in_stage_two(db)
    old = current_hash(db, plan_id)
    plans.edit_plan(db, plan_id, SECRETARIAT, body="I. MỤC ĐÍCH\n\n- Bổ sung mục III.")
    asked_before = len(emails(db, plan_id, "review_requested"))

    plans.submit(db, plan_id, SECRETARIAT)

    assert current_hash(db, plan_id) != old
    assert statuses(db, plan_id, ids, 2) == {R1: OPEN, R2: OPEN}  # stage 2 waits for stage 1 again
    assert plan_status(db, plan_id)["stage"] == 1
    new = emails(db, plan_id, "review_requested")[asked_before:]
    assert sorted(m.to_email or "" for m in new) == sorted([R1, R2])


def test_an_edit_in_a_later_stage_only_re_asks_the_approvals_it_invalidated(
    db: Database, ids: dict[str, int]
) -> None:
    """R1 approved, R2 asked for changes: after an unchanged resubmission only R2 is asked."""
    plan_id = draft_plan(db, template="staged")
    plans.submit(db, plan_id, SECRETARIAT)
    approve(db, plan_id, R1)
    reviews.decide(db, plan_id, R2, Decision.REQUEST_CHANGES, current_hash(db, plan_id), "Xem lại")

    plans.submit(db, plan_id, SECRETARIAT)

    assert statuses(db, plan_id, ids, 2) == {R1: A, R2: OPEN}
    assert [m.to_email for m in emails(db, plan_id, "review_requested")][-1:] == [R2]


def test_template_errors_name_the_field(db: Database, ids: dict[str, int]) -> None:
    config = example_config()
    bad = [
        ([template("x", {"reviewers": [R1, R2], "rule": "3 of 2"})], "review_templates[1].stages[1].rule"),
        ([template("x", {"reviewers": [R1], "mandatory": [R2]})], "review_templates[1].stages"),
        ([template("x", {"reviewers": ["nobody@x.vn"]})], "review_templates[1].stages[1].reviewers"),
        (
            [template("x", {"reviewers": [R1]}), template("x", {"reviewers": [R2]})],
            "review_templates[2].name",
        ),
        ([template("x", {"reviewers": [R1]}, {"reviewers": [R1]})], "review_templates[1].stages"),
    ]
    for templates, field in bad:
        before = world(db)
        with pytest.raises(Invalid) as error:
            load_directory(db, {**config, "review_templates": templates})
        assert error.value.field == field, templates
        assert world(db) == before

    plan_id = draft_plan(db, reviewers=[R1])
    with pytest.raises(NotFound) as missing:
        plans.assign(db, plan_id, SECRETARIAT, template="khong-co")
    assert missing.value.field == "template" and "staged" in missing.value.reason
    with pytest.raises(Invalid) as both:
        plans.assign(db, plan_id, SECRETARIAT, template="staged", reviewers=[R1])
    assert both.value.field == "template"
