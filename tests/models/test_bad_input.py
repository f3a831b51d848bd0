"""Bad input is refused with an error naming the field at fault, and nothing changes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

import pytest

from models.db import Database
from models.errors import BanHanhError, Invalid, NotFound, Refused
from models.lifecycle import State
from models.policies import Decision
from models.services import plans, queries, reviews, signing
from models.services.directory import load_directory
from tests.factory import (
    OTHER_SECRETARIAT,
    R1,
    R2,
    SECRETARIAT,
    SIGNER,
    build,
    current_hash,
    example_config,
    load_people,
    sample_draft,
)
from tests.models.support import world

UNKNOWN = "khongco@hamliem.example.vn"


def refused(db: Database, call: Callable[[], Any], error: type[BanHanhError], field: str) -> BanHanhError:
    """Run `call`, expect `error` naming `field`, and check the database did not change."""
    before = world(db)
    with pytest.raises(error) as caught:
        call()
    assert caught.value.field == field, caught.value
    assert str(caught.value).startswith(f"{field}: ") and caught.value.reason
    assert world(db) == before, f"{field}: a refusal changed something"
    return caught.value


BAD_ASSIGNMENTS: list[tuple[dict[str, Any], str, str]] = [
    ({"reviewers": [UNKNOWN]}, "reviewers[1]", UNKNOWN),
    ({"reviewers": [R1, UNKNOWN]}, "reviewers[2]", UNKNOWN),
    ({"reviewers": [R1, SIGNER]}, "reviewers[2]", SIGNER),  # a person, but not a reviewer
    ({"reviewers": [OTHER_SECRETARIAT]}, "reviewers[1]", OTHER_SECRETARIAT),  # another organisation
    ({"reviewers": [R1, R1]}, "reviewers[2]", "twice"),
    ({"reviewers": ["bxdd-hamliem.example.vn"]}, "reviewers[1]", "not a valid email address"),
    ({"reviewers": ["bxdd@hamliem"]}, "reviewers[1]", "not a valid email address"),
    ({"reviewers": ["Trần Văn Bình <bxdd@hamliem.example.vn>"]}, "reviewers[1]", "not a valid email address"),
    (
        {"reviewers": [R1, "ubkt@hamliem.example.vn\r\nBcc: x@evil.example"]},
        "reviewers[2]",
        "not a valid email address",
    ),
    ({"signer": "pbt.hamliem.example.vn"}, "signer", "not a valid email address"),
    ({"signer": R1}, "signer", "not a signer"),  # a reviewer, not a signer
    ({"reviewers": [R2], "recipients": ["tt-dang-uy", "khong-co"]}, "recipients[2]", "khong-co"),
]


def test_assign_refuses_unknown_or_malformed_people_and_codes(db: Database) -> None:
    load_people(db)
    plan_id = build(db, State.DRAFT)
    for kwargs, field, words in BAD_ASSIGNMENTS:
        error = refused(db, partial(plans.assign, db, plan_id, SECRETARIAT, **kwargs), Invalid, field)
        assert words in error.reason, (kwargs, error)


BAD_TITLES = [
    "",
    "   ",
    "\u3000",
    "Kế hoạch\r\nBcc: x@evil.example",
    "Kế hoạch\nBcc: x",
    "Kế hoạch\x00",
    "K" * 501,
]


def test_empty_multiline_or_overlong_titles_are_refused(db: Database) -> None:
    load_people(db)
    plan_id = build(db, State.DRAFT)
    for title in BAD_TITLES:
        refused(
            db, partial(plans.create_plan, db, SECRETARIAT, "hamliem", sample_draft(title)), Invalid, "title"
        )
        refused(db, partial(plans.edit_plan, db, plan_id, SECRETARIAT, title=title), Invalid, "title")


def test_signing_before_approval_is_refused(db: Database) -> None:
    load_people(db)
    for state in (State.DRAFT, State.IN_REVIEW, State.CHANGES_REQUESTED):
        plan_id = build(db, state)
        version = current_hash(db, plan_id)
        error = refused(db, partial(signing.sign, db, plan_id, SIGNER, version), Refused, "state")
        assert "approved" in error.reason, state


def test_submitting_an_unmapped_recipient_line_names_the_line(db: Database) -> None:
    load_people(db)
    draft = sample_draft()
    lines = list(draft.recipient_lines)
    lines.insert(2, ("Ban Tuyên giáo Huyện ủy", ""))
    created = plans.create_plan(db, SECRETARIAT, "hamliem", replace(draft, recipient_lines=tuple(lines)))
    assert any(n.startswith("recipients[3]:") for n in created.notes), created.notes
    plans.assign(db, created.plan_id, SECRETARIAT, reviewers=[R1, R2])

    error = refused(db, lambda: plans.submit(db, created.plan_id, SECRETARIAT), Invalid, "recipients[3]")
    assert "Ban Tuyên giáo Huyện ủy" in error.reason


@pytest.mark.parametrize("signer_name", ["", "Người Không Có"])
def test_submitting_without_a_signer_is_refused(db: Database, signer_name: str) -> None:
    load_people(db)
    created = plans.create_plan(db, SECRETARIAT, "hamliem", replace(sample_draft(), signer_name=signer_name))
    assert any(n.startswith("signature:") for n in created.notes) == bool(signer_name)
    plans.assign(db, created.plan_id, SECRETARIAT, reviewers=[R1, R2])

    refused(db, lambda: plans.submit(db, created.plan_id, SECRETARIAT), Invalid, "signer")


def test_submitting_without_reviewers_is_refused(db: Database) -> None:
    load_people(db)
    plan_id = plans.create_plan(db, SECRETARIAT, "hamliem", sample_draft()).plan_id
    refused(db, lambda: plans.submit(db, plan_id, SECRETARIAT), Invalid, "reviewers")


GHOST = "ai.do@khongro.example.vn"


def test_an_unknown_acting_person_is_not_found(db: Database) -> None:
    load_people(db)
    draft, in_review, approved = (build(db, s) for s in (State.DRAFT, State.IN_REVIEW, State.APPROVED))
    calls: dict[str, Callable[[], Any]] = {
        "create": lambda: plans.create_plan(db, GHOST, "hamliem", sample_draft()),
        "edit": lambda: plans.edit_plan(db, draft, GHOST, body="x"),
        "assign": lambda: plans.assign(db, draft, GHOST, reviewers=[R1]),
        "submit": lambda: plans.submit(db, draft, GHOST),
        "decide": lambda: reviews.decide(db, in_review, GHOST, Decision.APPROVE, current_hash(db, in_review)),
        "sign": lambda: signing.sign(db, approved, GHOST, current_hash(db, approved)),
        "withdraw": lambda: plans.withdraw(db, draft, GHOST),
        "tasks": lambda: queries.open_tasks(db, GHOST),
    }
    for command, call in calls.items():
        error = refused(db, call, NotFound, "as")
        assert GHOST in error.reason, command


def _config() -> dict[str, Any]:
    return copy.deepcopy(example_config())


def _bad_person_email(c: dict[str, Any]) -> None:
    c["people"][1]["email"] = "bxdd(at)hamliem.example.vn"


def _injected_person_email(c: dict[str, Any]) -> None:
    c["people"][2]["email"] = "ubkt@hamliem.example.vn\nBcc: x@evil.example"


def _unknown_role(c: dict[str, Any]) -> None:
    c["people"][3]["roles"] = ["signer", "approver"]


def _no_role(c: dict[str, Any]) -> None:
    c["people"][0]["roles"] = []


def _missing_member(c: dict[str, Any]) -> None:
    group = next(u for u in c["units"] if u["code"] == "cq-tham-muu")
    group["members"] = ["bxdd", "ban-khong-co"]


def _bad_unit_email(c: dict[str, Any]) -> None:
    c["units"][1]["email"] = "thuongtruc@"


def _unknown_system(c: dict[str, Any]) -> None:
    c["organisation"]["system"] = "army"


def _party_without_term(c: dict[str, Any]) -> None:
    del c["organisation"]["term"]


BAD_CONFIGS: list[tuple[Callable[[dict[str, Any]], None], str, str]] = [
    (_bad_person_email, "people[2].email", "bxdd(at)hamliem.example.vn"),
    (_injected_person_email, "people[3].email", "one line"),
    (_unknown_role, "people[4].roles", "reviewer"),
    (_no_role, "people[1].roles", "secretariat"),
    (_missing_member, "units[cq-tham-muu].members", "ban-khong-co"),
    (_bad_unit_email, "units[2].email", "thuongtruc@"),
    (_unknown_system, "organisation.system", "army"),
    (_party_without_term, "organisation.term", "term"),
]


def test_a_bad_directory_config_changes_nothing(db: Database) -> None:
    for existing in (False, True):  # a first load, then a reload over a loaded directory
        if existing:
            load_directory(db, example_config())
        for change, field, words in BAD_CONFIGS:
            config = _config()
            change(config)
            error = refused(db, partial(load_directory, db, config), Invalid, field)
            assert words in error.reason, (field, error)


def test_a_person_of_another_organisation_cannot_be_claimed_by_a_config(db: Database) -> None:
    load_people(db)
    config = _config()
    config["people"].append({"email": OTHER_SECRETARIAT, "name": "Mạo danh", "roles": ["reviewer"]})
    refused(db, lambda: load_directory(db, config), Invalid, "people")


def test_a_directory_entry_that_is_not_a_table_is_invalid(db: Database) -> None:
    config = _config()
    config["people"][0] = "vanphong@hamliem.example.vn"
    refused(db, lambda: load_directory(db, config), Invalid, "people[1]")


def test_decisions_and_signatures_check_the_hash_and_comment(db: Database) -> None:
    load_people(db)
    in_review, approved = build(db, State.IN_REVIEW), build(db, State.APPROVED)
    version = current_hash(db, in_review)
    refused(db, lambda: reviews.decide(db, in_review, R1, Decision.APPROVE, version[:7]), Invalid, "version")
    refused(db, lambda: reviews.decide(db, in_review, R1, Decision.APPROVE, "0" * 12), Refused, "version")
    for decision in (Decision.REQUEST_CHANGES, Decision.REJECT):
        refused(db, partial(reviews.decide, db, in_review, R1, decision, version, "  "), Invalid, "comment")
    refused(db, lambda: signing.sign(db, approved, SIGNER, "0" * 12), Refused, "version")
    refused(db, lambda: signing.sign(db, approved, SIGNER, "abc"), Refused, "version")
