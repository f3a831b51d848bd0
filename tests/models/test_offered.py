"""What the lifecycle table offers a person on a plan, and whose step a plan waits on."""

from __future__ import annotations

from models.db import Database
from models.lifecycle import Action, Role, State, wait_key, waiting_on
from models.services import plans, steps
from tests.factory import R1, R3, SECRETARIAT, SIGNER, build, load_people, sample_draft

A = Action


def test_each_person_is_offered_the_steps_the_table_and_guards_allow(db: Database) -> None:
    load_people(db)
    draft = build(db, State.DRAFT)
    assert steps.offered(db, draft, SECRETARIAT) == [A.EDIT, A.SUBMIT, A.WITHDRAW]
    assert steps.offered(db, draft, R1) == []

    review = build(db, State.IN_REVIEW)
    assert steps.offered(db, review, R1) == [A.APPROVE, A.REQUEST_CHANGES, A.REJECT]
    assert steps.offered(db, review, R3) == []  # a reviewer, not asked on this plan
    assert steps.offered(db, review, SECRETARIAT) == [A.WITHDRAW]

    approved = build(db, State.APPROVED)
    assert steps.offered(db, approved, SIGNER) == [A.SIGN]
    assert steps.offered(db, build(db, State.ISSUED), SECRETARIAT) == []


def test_an_unmet_guard_says_why_with_a_stable_code(db: Database) -> None:
    load_people(db)
    plan_id = plans.create_plan(db, SECRETARIAT, "hamliem", sample_draft()).plan_id
    assert A.SUBMIT not in steps.offered(db, plan_id, SECRETARIAT)
    blocked = steps.blocked(db, plan_id, SECRETARIAT, A.SUBMIT)
    assert blocked is not None
    assert (blocked.code, blocked.field) == ("submit.no_reviewer", "reviewers")


def test_waits_on_names_the_step_and_its_key() -> None:
    assert waiting_on(Role.REVIEWER) == [State.IN_REVIEW]
    assert waiting_on(Role.SECRETARIAT) == [State.DRAFT, State.CHANGES_REQUESTED]
    assert waiting_on(Role.SIGNER) == [State.APPROVED]
    assert wait_key(State.CHANGES_REQUESTED, 2, 3) == "draft-r2-v3"
    assert wait_key(State.IN_REVIEW, 2, 3) == "review-r2"
    assert wait_key(State.APPROVED, 2, 3) == "sign-v3"
    assert wait_key(State.DISTRIBUTING, 2, 3) == "deliveries-v3"
    assert wait_key(State.SIGNED, 2, 3) is None
