"""Adding a step to the lifecycle is one table row and one guard function.

A copy of the table gains a `register` step: the secretariat's văn thư files the signed plan in
the register (signed → registered), and distribution starts from there. Installed, it drives a
real plan through the real services: the guard blocks the step with its reason until the
document is rendered, then lets it through, and the audit trail records the new action.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

import pytest

from models.db import Database
from models.errors import Refused
from models.guards import Blocked, PlanView
from models.lifecycle import (
    LIFECYCLE,
    TRANSITIONS,
    Action,
    Lifecycle,
    Role,
    State,
    Transition,
    Wait,
    installed,
    markdown_table,
    wait_key,
)
from models.services import distribution, signing, steps
from models.services.queries import plan_status
from tests.factory import FAKE_PDF, R1, SECRETARIAT, SIGNER, build, current_hash, drain_outbox, load_people
from tests.models.support import audit_entries


class Step(StrEnum):
    """The new step's words: a real change would add them to `models.states`."""

    REGISTERED = "registered"
    REGISTER = "register"


def rendered_for_the_register(view: PlanView) -> Blocked | None:
    """the signed document is rendered, for the văn thư to file"""
    if view.document_rendered:
        return None
    return Blocked(
        "register.not_rendered", "document", "render the signed document first", {"number": view.number or 0}
    )


def with_register_step() -> Lifecycle:
    """The table with one more row; distribution now starts from the new state."""
    rows: list[Transition] = []
    for row in TRANSITIONS:
        if row.action is Action.DISTRIBUTE:
            register = Transition(
                State.SIGNED, Step.REGISTER, Role.SECRETARIAT, Step.REGISTERED, rendered_for_the_register
            )
            rows += [register, replace(row, source=Step.REGISTERED)]
        else:
            rows.append(row)
    waits = {**LIFECYCLE.waits_on, Step.REGISTERED: Wait(Role.SECRETARIAT, "register-v{version}")}
    return Lifecycle(tuple(rows), waits)


def test_a_new_row_and_guard_drive_a_plan_through_the_services(db: Database) -> None:
    load_people(db)
    with installed(with_register_step()):
        plan_id = build(db, State.APPROVED)
        signing.sign(db, plan_id, SIGNER, current_hash(db, plan_id))

        # unmet: the guard blocks the step, with its reason
        with pytest.raises(Refused) as refused:
            steps.take(db, plan_id, SECRETARIAT, Step.REGISTER)
        assert (refused.value.field, refused.value.reason) == ("document", "render the signed document first")
        reason = steps.blocked(db, plan_id, SECRETARIAT, Step.REGISTER)
        assert reason is not None and reason.code == "register.not_rendered" and reason.params["number"] == 1
        assert Step.REGISTER not in steps.offered(db, plan_id, SECRETARIAT)
        with pytest.raises(Refused, match="'register' in state 'signed' is for secretariat"):
            steps.take(db, plan_id, R1, Step.REGISTER)
        with pytest.raises(Refused, match="only from: registered"):
            distribution.start_distribution(db, plan_id)  # the step cannot be skipped

        # met: the step is offered and taken; the plan waits on it no more
        distribution.store_document(db, plan_id, "pdf", "ke-hoach.pdf", FAKE_PDF)
        assert steps.blocked(db, plan_id, SECRETARIAT, Step.REGISTER) is None
        assert steps.offered(db, plan_id, SECRETARIAT) == [Step.REGISTER]
        assert steps.take(db, plan_id, SECRETARIAT, Step.REGISTER) == Step.REGISTERED
        assert plan_status(db, plan_id)["state"] == "registered"
        assert wait_key(Step.REGISTERED, 1, 1) == "register-v1"
        entry = audit_entries(db, plan_id)[-1]
        assert (entry.action, entry.from_state, entry.to_state, entry.actor) == (
            "register",
            "signed",
            "registered",
            SECRETARIAT,
        )

        # and out of it, through the services as before
        distribution.start_distribution(db, plan_id)
        drain_outbox(db, plan_id)
        distribution.complete_distribution(db, plan_id)
        assert plan_status(db, plan_id)["state"] == State.ISSUED
        assert (
            "| signed | register | secretariat | the signed document is rendered, for the văn thư to file |"
            in (markdown_table())
        )

    # The table installed for the block is gone with it.
    assert "register" not in markdown_table()
    plan_id = build(db, State.SIGNED)
    with pytest.raises(Refused, match="cannot register"):
        steps.take(db, plan_id, SECRETARIAT, Step.REGISTER)
