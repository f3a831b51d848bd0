"""Separation of duties: the drafter may not approve or sign their own plan, whatever roles they
hold, unless the organisation allows it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlmodel import select

from models.db import Database
from models.directory import Person
from models.errors import Refused
from models.lifecycle import State
from models.policies import Decision
from models.services import plans, reviews, signing
from models.services.directory import load_directory
from models.services.queries import plan_status
from tests.factory import R1, SECRETARIAT, current_hash, example_config
from tests.models.support import draft_plan, world


def load(db: Database, allows: bool) -> None:
    """The secretariat member who drafts also holds the reviewer and signer roles."""
    config: dict[str, Any] = copy.deepcopy(example_config())
    config["organisation"]["drafter_may_approve_and_sign"] = allows
    config["people"][0]["roles"] = ["secretariat", "reviewer", "signer"]
    load_directory(db, config)


def drafted_by_its_own_reviewer_and_signer(db: Database) -> int:
    plan_id = draft_plan(db, reviewers=[SECRETARIAT, R1])
    plans.assign(db, plan_id, SECRETARIAT, signer=SECRETARIAT)
    plans.submit(db, plan_id, SECRETARIAT)
    return plan_id


def assert_refused(db: Database, call: Any) -> None:
    before = world(db)
    with pytest.raises(Refused) as refused:
        call()
    assert refused.value.field == "actor"
    assert "separation of duties" in refused.value.reason
    assert "drafter_may_approve_and_sign" in refused.value.reason
    assert world(db) == before


def test_the_drafter_may_not_approve_or_sign_their_own_plan(db: Database) -> None:
    load(db, allows=False)
    plan_id = drafted_by_its_own_reviewer_and_signer(db)
    version = current_hash(db, plan_id)

    assert_refused(db, lambda: reviews.decide(db, plan_id, SECRETARIAT, Decision.APPROVE, version))
    # Other decisions stay open to them: only approving and signing are separated.
    reviews.decide(db, plan_id, SECRETARIAT, Decision.REQUEST_CHANGES, version, "Tự sửa lại")
    assert plan_status(db, plan_id)["state"] == State.CHANGES_REQUESTED


def test_the_drafter_may_not_sign_their_own_plan(db: Database) -> None:
    load(db, allows=False)
    plan_id = draft_plan(db, reviewers=[R1])
    plans.assign(db, plan_id, SECRETARIAT, signer=SECRETARIAT)
    plans.submit(db, plan_id, SECRETARIAT)
    version = current_hash(db, plan_id)
    reviews.decide(db, plan_id, R1, Decision.APPROVE, version)

    assert_refused(db, lambda: signing.sign(db, plan_id, SECRETARIAT, version))
    assert plan_status(db, plan_id)["state"] == State.APPROVED


def test_allowed_when_the_organisation_allows_it(db: Database) -> None:
    load(db, allows=True)
    plan_id = drafted_by_its_own_reviewer_and_signer(db)
    version = current_hash(db, plan_id)

    reviews.decide(db, plan_id, SECRETARIAT, Decision.APPROVE, version)
    reviews.decide(db, plan_id, R1, Decision.APPROVE, version)
    signed = signing.sign(db, plan_id, SECRETARIAT, version)

    assert signed.number == 1 and plan_status(db, plan_id)["state"] == State.SIGNED


def test_an_administrator_is_not_exempt(db: Database) -> None:
    load(db, allows=False)
    # The directory knows no administrator role yet; the web app's is a role like any other. The
    # guard compares people, never roles, so holding one exempts nobody.
    with db.write() as s:
        drafter = s.exec(select(Person).where(Person.email == SECRETARIAT)).one()
        drafter.roles = [*drafter.roles, "admin"]
        s.add(drafter)
    plan_id = drafted_by_its_own_reviewer_and_signer(db)
    version = current_hash(db, plan_id)

    assert_refused(db, lambda: reviews.decide(db, plan_id, SECRETARIAT, Decision.APPROVE, version))
