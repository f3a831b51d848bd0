"""Delegation (ủy quyền): inside its dates the delegate gets the new tasks and acts on behalf of
the delegator (recorded as such); outside them the delegate is refused. A delegate signs in the
form the rule set allows (T/L for the Party, TUQ. for the state) with their own title and name."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from documents.render import render_html
from documents.views import document_view
from models.content import SignatureBlock
from models.db import Database
from models.delegation import signed_for
from models.errors import Invalid, NotFound, Refused
from models.lifecycle import Action, State
from models.plans import Plan
from models.policies import Decision, Outcome
from models.records import RegisterEntry
from models.rulesets import HD05, ND30
from models.services import delegations, documents, plans, reviews, signing
from models.services.queries import open_tasks, plan_status
from models.services.reminders import send_due_reminders
from notifications.messages import render
from tests.factory import R1, R2, R3, SECRETARIAT, SIGNER, current_hash, load_people
from tests.models.support import DEPUTY, Ticker, audit_entries, draft_plan, emails, load_org, world

# 2026-03-02 08:00 in Hà Nội; the delegations below run 2026-03-02 to 2026-03-04.
MONDAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
START, END = date(2026, 3, 2), date(2026, 3, 4)
# The last minute of the 4th and the first of the 5th, Asia/Ho_Chi_Minh (UTC+7).
LAST_MINUTE = datetime(2026, 3, 4, 16, 59, tzinfo=UTC)
DAY_AFTER = datetime(2026, 3, 4, 17, 0, tzinfo=UTC)
DAY_BEFORE = datetime(2026, 3, 1, 16, 59, tzinfo=UTC)


@pytest.fixture
def org(db: Database) -> None:
    db.clock = Ticker(MONDAY)
    load_org(db)


def delegate(db: Database, kind: str, who: str, to: str = DEPUTY) -> int:
    return delegations.add(db, SECRETARIAT, who, to, kind, START, END, basis="Giấy ủy quyền số 05/GUQ-VP")


def in_review(db: Database) -> int:
    plan_id = draft_plan(db, reviewers=[R1, R2])
    plans.submit(db, plan_id, SECRETARIAT)
    return plan_id


def test_new_review_tasks_go_to_the_delegate_who_acts_on_behalf_of_the_reviewer(
    db: Database, org: None
) -> None:
    delegate(db, "review", R1)
    plan_id = in_review(db)

    assert [m.to_email for m in emails(db, plan_id, "review_requested")] == [DEPUTY, R2]
    [asked] = emails(db, plan_id, "review_requested", DEPUTY)
    _, text, html = render(asked.event, {**asked.context, "to_email": asked.to_email})
    assert "theo ủy quyền của đồng chí Trần Văn Bình" in text and "Trần Văn Bình" in html
    [task] = open_tasks(db, DEPUTY)
    assert (task["plan"], task["step"], task["on_behalf_of"]) == (plan_id, "review", R1)

    reviews.decide(db, plan_id, DEPUTY, Decision.APPROVE, current_hash(db, plan_id))

    [by_r1] = [t for t in plan_status(db, plan_id)["tasks"] if t["reviewer"] == R1]
    assert (by_r1["status"], by_r1["routed_to"]) == ("approved", DEPUTY)
    assert by_r1["decided_by"] == f"{DEPUTY} on behalf of {R1}"
    entry = [e for e in audit_entries(db, plan_id) if e.action == Action.APPROVE][-1]
    assert entry.actor == f"{DEPUTY} on behalf of {R1}"
    assert (entry.detail["on_behalf_of"], entry.detail["delegate"]) == (R1, DEPUTY)
    assert reviews.decide(db, plan_id, R2, Decision.APPROVE, current_hash(db, plan_id)) is Outcome.APPROVED


def test_the_delegate_may_act_on_the_delegators_tasks_opened_before_the_delegation(
    db: Database, org: None
) -> None:
    plan_id = in_review(db)
    delegate(db, "review", R1)

    reviews.decide(db, plan_id, DEPUTY, Decision.REQUEST_CHANGES, current_hash(db, plan_id), "Bổ sung")

    assert plan_status(db, plan_id)["state"] == State.CHANGES_REQUESTED
    [mail] = emails(db, plan_id, "changes_requested")
    assert "Mai Văn Phó" in mail.context["actor_name"] and "Trần Văn Bình" in mail.context["actor_name"]


@pytest.mark.parametrize("when", [DAY_BEFORE, DAY_AFTER])
def test_outside_its_dates_the_delegate_is_refused(db: Database, org: None, when: datetime) -> None:
    plan_id = in_review(db)
    delegate(db, "review", R1)
    db.clock = Ticker(when)
    before = world(db)

    with pytest.raises(Refused) as refused:
        reviews.decide(db, plan_id, DEPUTY, Decision.APPROVE, current_hash(db, plan_id))

    assert refused.value.field == "as"
    assert "not in force" in refused.value.reason and "2026-03-02 to 2026-03-04" in refused.value.reason
    assert world(db) == before
    assert open_tasks(db, DEPUTY) == []
    # The reviewer still decides for themselves.
    reviews.decide(db, plan_id, R1, Decision.APPROVE, current_hash(db, plan_id))


def test_the_last_day_counts_in_hanoi_time(db: Database, org: None) -> None:
    plan_id = in_review(db)
    delegate(db, "review", R1)
    db.clock = Ticker(LAST_MINUTE)  # 23:59 on the 4th in Hà Nội, still the 4th

    reviews.decide(db, plan_id, DEPUTY, Decision.APPROVE, current_hash(db, plan_id))


def approved(db: Database) -> int:
    plan_id = in_review(db)
    for reviewer in (R1, R2):
        reviews.decide(db, plan_id, reviewer, Decision.APPROVE, current_hash(db, plan_id))
    return plan_id


def test_a_delegate_signs_tl_with_their_own_title_and_name(db: Database, org: None) -> None:
    delegate(db, "sign", SIGNER)
    plan_id = approved(db)
    version = current_hash(db, plan_id)
    [ready] = emails(db, plan_id, "ready_to_sign")
    assert (ready.to_email, ready.context["on_behalf_of"]) == (DEPUTY, "Phan Minh Quảng")
    assert [t["step"] for t in open_tasks(db, DEPUTY)] == ["sign"]

    signed = signing.sign(db, plan_id, DEPUTY, version)

    assert signed.symbol == "Số 01-KH/ĐU"
    assert current_hash(db, plan_id) == version  # the approved content is unchanged
    with db.read() as s:
        plan = s.get(Plan, plan_id)
        assert plan is not None and plan.signed_signature is not None
        assert plan.signed_signature["form"] == "T/L"
        assert plan.signed_signature["collective"] == "BAN THƯỜNG VỤ"
        entry = s.exec(select(RegisterEntry).where(RegisterEntry.plan_id == plan_id)).one()
        assert entry.signer == "Mai Văn Phó"
    view = document_view(documents.plan_document(db, plan_id))
    assert (view.sign_form, view.sign_collective) == ("T/L", "BAN THƯỜNG VỤ")
    assert (view.sign_title, view.signer_name) == ("PHÓ CHÁNH VĂN PHÒNG ĐẢNG ỦY", "Mai Văn Phó")
    html = render_html(view)
    assert "T/L BAN THƯỜNG VỤ" in html and "Mai Văn Phó" in html and "Phan Minh Quảng" not in html
    sign = [e for e in audit_entries(db, plan_id) if e.action == Action.SIGN][-1]
    assert sign.actor == f"{DEPUTY} on behalf of {SIGNER}"
    assert sign.detail["signed_as"]["form"] == "T/L"


def test_outside_its_dates_the_signing_delegate_is_refused(db: Database, org: None) -> None:
    plan_id = approved(db)
    delegate(db, "sign", SIGNER)
    db.clock = Ticker(DAY_AFTER)
    before = world(db)

    with pytest.raises(Refused) as refused:
        signing.sign(db, plan_id, DEPUTY, current_hash(db, plan_id))

    assert refused.value.field == "as" and "not in force" in refused.value.reason
    assert world(db) == before
    signing.sign(db, plan_id, SIGNER, current_hash(db, plan_id))
    with db.read() as s:
        plan = s.get(Plan, plan_id)
        assert plan is not None and plan.signed_signature is None


def test_a_review_delegation_does_not_let_the_delegate_sign(db: Database, org: None) -> None:
    plan_id = approved(db)
    delegate(db, "review", SIGNER)
    before = world(db)

    with pytest.raises(Refused):
        signing.sign(db, plan_id, DEPUTY, current_hash(db, plan_id))
    assert world(db) == before


def test_the_state_form_is_tuq_for_the_head_whose_authority_is_delegated() -> None:
    head = SignatureBlock("TM.", "ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "ct@x.vn", "Nguyễn Văn Chủ")
    block = signed_for(head, ND30, "Lê Văn Phòng", "Chánh Văn phòng", "cvp@x.vn")
    assert (block.form, block.collective, block.title, block.signer_name) == (
        "TUQ.",
        "CHỦ TỊCH",
        "CHÁNH VĂN PHÒNG",
        "Lê Văn Phòng",
    )
    party = SignatureBlock("T/M", "BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "pbt@x.vn", "Phan Văn Bí")
    assert signed_for(party, HD05, "Lê Văn Phòng", "Chánh Văn phòng", "cvp@x.vn").form == "T/L"


def test_the_drafter_may_not_approve_as_a_delegate(db: Database, org: None) -> None:
    plan_id = in_review(db)
    delegations.add(db, SECRETARIAT, R1, SECRETARIAT, "review", START, END)

    with pytest.raises(Refused) as refused:
        reviews.decide(db, plan_id, SECRETARIAT, Decision.APPROVE, current_hash(db, plan_id))
    assert "separation of duties" in refused.value.reason


def test_bad_delegations_name_the_field_and_change_nothing(db: Database, org: None) -> None:
    load_people(db)  # also an organisation ĐUK with its own secretariat
    delegate(db, "review", R1)
    cases: list[tuple[type[Exception], str, tuple[str, str, str, str, date, date]]] = [
        (Invalid, "kind", (SECRETARIAT, R1, DEPUTY, "approve", START, END)),
        (Invalid, "end", (SECRETARIAT, R2, DEPUTY, "review", END, START)),
        (Invalid, "to", (SECRETARIAT, R2, R2, "review", START, END)),
        (Invalid, "to", (SECRETARIAT, R2, "vanphong@duk.example.vn", "review", START, END)),
        (NotFound, "to", (SECRETARIAT, R2, "ai@hamliem.example.vn", "review", START, END)),
        (Refused, "as", (R3, R2, DEPUTY, "review", START, END)),
        (Refused, "as", ("vanphong@duk.example.vn", R2, DEPUTY, "review", START, END)),
        (Refused, "start", (SECRETARIAT, R1, R3, "review", END, END)),  # overlaps the one above
    ]
    before = world(db)
    for kind, field, args in cases:
        with pytest.raises(kind) as error:  # type: ignore[call-overload]
            delegations.add(db, *args)
        assert error.value.field == field, args
    assert world(db) == before
    rows = delegations.list_delegations(db, "hamliem")
    assert [(r["from"], r["to"], r["kind"], r["in_force"]) for r in rows] == [(R1, DEPUTY, "review", True)]


def test_reminders_go_to_the_delegate_while_the_delegation_is_in_force(db: Database, org: None) -> None:
    plan_id = in_review(db)  # Monday 2 March; a reminder is due two working days later
    delegate(db, "review", R1)
    db.clock = Ticker(datetime(2026, 3, 4, 2, 0, tzinfo=UTC))

    send_due_reminders(db)

    reminded = {m.context["waiting_for_email"]: m.to_email for m in emails(db, plan_id, "reminder")}
    assert reminded == {R1: DEPUTY, R2: R2}


def test_a_delegate_of_two_reviewers_names_whom_they_act_for(db: Database, org: None) -> None:
    delegate(db, "review", R1)
    delegate(db, "review", R2)
    plan_id = in_review(db)
    version = current_hash(db, plan_id)

    with pytest.raises(Invalid) as ambiguous:
        reviews.decide(db, plan_id, DEPUTY, Decision.APPROVE, version)
    assert ambiguous.value.field == "on_behalf_of"
    with pytest.raises(Refused) as not_theirs:
        reviews.decide(db, plan_id, DEPUTY, Decision.APPROVE, version, on_behalf_of=R3)
    assert not_theirs.value.field == "on_behalf_of"

    reviews.decide(db, plan_id, DEPUTY, Decision.APPROVE, version, on_behalf_of=R2)
    assert reviews.decide(db, plan_id, DEPUTY, Decision.APPROVE, version, on_behalf_of=R1) is Outcome.APPROVED
    assert {e.actor for e in audit_entries(db, plan_id) if e.action == Action.APPROVE} == {
        f"{DEPUTY} on behalf of {R1}",
        f"{DEPUTY} on behalf of {R2}",
    }


def test_a_reviewer_who_is_also_a_delegate_acts_on_the_task_still_open(db: Database, org: None) -> None:
    delegate(db, "review", R2, to=R1)
    plan_id = in_review(db)
    version = current_hash(db, plan_id)

    reviews.decide(db, plan_id, R1, Decision.APPROVE, version)  # their own task
    assert reviews.decide(db, plan_id, R1, Decision.APPROVE, version) is Outcome.APPROVED  # R2's

    assert [t["decided_by"] for t in plan_status(db, plan_id)["tasks"]] == [R1, f"{R1} on behalf of {R2}"]
