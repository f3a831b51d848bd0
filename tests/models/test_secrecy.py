"""A plan marked secret is never sent by plain email; every copy is recorded for another channel."""

from __future__ import annotations

import pytest

from models.db import Database
from models.errors import Invalid
from models.lifecycle import State
from models.policies import Decision
from models.services import distribution, plans, reviews, signing
from models.services.queries import deliveries, history, outbox, plan_status
from tests.factory import FAKE_PDF, R1, R2, SECRETARIAT, SIGNER, current_hash, load_people, sample_draft


def test_a_secret_plan_is_distributed_by_another_channel_only(db: Database) -> None:
    load_people(db)
    plan_id = plans.create_plan(db, SECRETARIAT, "hamliem", sample_draft()).plan_id
    plans.assign(db, plan_id, SECRETARIAT, reviewers=[R1, R2], secrecy="tối mật")
    plans.submit(db, plan_id, SECRETARIAT)
    version = current_hash(db, plan_id)
    for reviewer in (R1, R2):
        reviews.decide(db, plan_id, reviewer, Decision.APPROVE, version)
    signing.sign(db, plan_id, SIGNER, version)
    distribution.store_document(db, plan_id, "pdf", "ke-hoach.pdf", FAKE_PDF)
    distribution.start_distribution(db, plan_id)

    rows = deliveries(db, plan_id)
    assert rows and all(r["status"] in {"not_emailed", "filed"} for r in rows)
    assert all("tối mật" in r["reason"] for r in rows if r["status"] == "not_emailed")
    assert not [o for o in outbox(db, plan_id) if o["event"] == "distributed"]
    assert history(db, plan_id)[-1]["detail"]["secrecy"] == "tối mật"
    distribution.complete_distribution(db, plan_id)
    assert plan_status(db, plan_id)["state"] == State.ISSUED


def test_an_unknown_secrecy_mark_is_refused(db: Database) -> None:
    load_people(db)
    plan_id = plans.create_plan(db, SECRETARIAT, "hamliem", sample_draft()).plan_id
    with pytest.raises(Invalid) as error:
        plans.assign(db, plan_id, SECRETARIAT, secrecy="bí mật lắm")
    assert error.value.field == "secrecy"
