"""Replacement and correction of an issued plan (NĐ 30/2020 Art. 18), each a new plan of its own.

Wrong content is replaced by a document of the same form (`replace`): a draft copied from the
issued plan, saying which document it replaces, that goes through the whole workflow; when it is
issued the old plan becomes `superseded` in that same transaction and its recipients are told
(`supersede_replaced`). A formatting or technical error is corrected by a Công văn đính chính
(`correct`), drafted from the plan and naming what is corrected. Both are linked to the plan
(`PlanLink`), and each plan's page shows the other.
"""

from __future__ import annotations

from dataclasses import replace as replace_draft
from datetime import datetime

from sqlmodel import Session, col, select

from models.addressing import as_above
from models.content import Draft, nfc, recipients_from_json
from models.db import Database
from models.directory import Organisation
from models.errors import Invalid, WrongState
from models.events import Event
from models.lifecycle import Action, State
from models.numbering import VN_TZ
from models.plans import Plan, PlanLink, PlanVersion
from models.records import Delivery
from models.related import LinkKind
from models.services import plans
from models.services.core import (
    SYSTEM,
    Who,
    apply,
    check,
    lock_plan,
    plan_context,
    queue_message,
    resolve_actor,
)
from models.services.versions import current_version

WHAT_LIMIT = 2000
# Plans a replacement or a correction may be drafted from: issued, or recalled (a recall, then the
# document that takes its place, is the usual order).
SOURCES = (State.ISSUED, State.RECALLED)
# A link from a plan in one of these states no longer stands in the way of a new one.
ABANDONED = (State.WITHDRAWN, State.REJECTED)
TYPE_NAMES = {"KH": "Kế hoạch", "QĐ": "Quyết định", "TB": "Thông báo", "BC": "Báo cáo", "CV": "Công văn"}


def reference(plan: Plan) -> str:
    """'Kế hoạch số 01-KH/ĐU ngày 06/12/2026': how another document names an issued one."""
    number = (plan.symbol or "").removeprefix("Số").lstrip(" :")
    day = plan.signed_at.astimezone(VN_TZ).strftime("%d/%m/%Y") if plan.signed_at else ""
    return f"{TYPE_NAMES.get(plan.doc_type, 'Văn bản')} số {number} ngày {day}"


def _source(session: Session, plan_id: int, kind: LinkKind) -> Plan:
    plan = lock_plan(session, plan_id)
    if plan.state not in SOURCES:
        raise WrongState("plan", code="replace.not_issued", plan_id=plan_id, state=plan.state)
    for other_id, state in session.exec(
        select(PlanLink.plan_id, Plan.state)
        .join(Plan, col(Plan.id) == PlanLink.plan_id)
        .where(PlanLink.target_id == plan_id, PlanLink.kind == kind.value)
    ):
        if state not in ABANDONED:
            raise WrongState("plan", code="replace.exists", plan_id=plan_id, link=kind.value, other=other_id)
    return plan


def _draft_of(
    version: PlanVersion, title: str, body: str, footnotes: tuple[str, ...], doc_type: str
) -> Draft:
    signature = version.signature or {}
    return Draft(
        title=title,
        body=body,
        footnotes=footnotes,
        summary_lines=tuple(version.summary_lines),
        recipient_lines=tuple((r.text, r.annotation) for r in recipients_from_json(version.recipients)),
        sign_form=str(signature.get("form", "")),
        sign_collective=str(signature.get("collective", "")),
        sign_title=str(signature.get("title", "")),
        signer_name=str(signature.get("signer_name", "")),
        doc_type=doc_type,
    )


def _named(session: Session, plan: Plan, version: PlanVersion) -> tuple[tuple[str, str], ...]:
    """The plan's Nơi nhận lines for a letter about it, each "Như trên" as the units it stood for:
    the letter's own text names no addressee for it to point at."""
    out: list[tuple[str, str]] = []
    for r in recipients_from_json(version.recipients):
        if as_above(r.text) is None:
            out.append((r.text, r.annotation))
            continue
        stood_for = session.exec(
            select(Delivery.name)
            .where(Delivery.plan_id == plan.id, Delivery.line_text == r.text)
            .order_by(col(Delivery.id))
        ).all()
        out += [(name, r.annotation) for name in dict.fromkeys(stood_for)]
    return tuple(out)


def replace(db: Database, plan_id: int, actor: str) -> int:
    """A new draft of the same form from the issued plan, saying (its last line) which document it
    replaces; returns its id. The secretariat edits, assigns and submits it like any draft."""
    now = db.clock()
    with db.write() as session:
        old = _source(session, plan_id, LinkKind.REPLACES)
        org = session.get(Organisation, old.org_id)
        assert org is not None
        who = plans.secretariat_of(session, actor, org)
        version = current_version(session, old)
        name = TYPE_NAMES.get(old.doc_type, "Văn bản")
        line = f"{name} này thay thế {reference(old)}."
        draft = _draft_of(
            version,
            version.title,
            f"{version.body.rstrip()}\n\n{line}",
            tuple(version.footnotes),
            old.doc_type,
        )
        return plans.draft_plan(
            session, org, who, draft, old.doc_type, (), now, (old, LinkKind.REPLACES, line)
        ).plan_id


def correct(db: Database, plan_id: int, actor: str, what: str) -> int:
    """A Công văn đính chính drafted from the issued plan, naming what is corrected; returns its id."""
    now = db.clock()
    what = nfc(what or "").strip()
    if not what:
        raise Invalid("what", code="correct.what_required")
    if len(what) > WHAT_LIMIT or "\x00" in what:
        raise Invalid("what", code="correct.what_too_long", limit=WHAT_LIMIT)
    with db.write() as session:
        old = _source(session, plan_id, LinkKind.CORRECTS)
        org = session.get(Organisation, old.org_id)
        assert org is not None
        who = plans.secretariat_of(session, actor, org)
        version = current_version(session, old)
        named = reference(old)
        # A state công văn prints "V/v " before its trích yếu; a Party one prints it as written.
        title = f"{'Đính chính' if org.system == 'party' else 'đính chính'} {named}"
        day = old.signed_at.astimezone(VN_TZ).strftime("%d/%m/%Y") if old.signed_at else ""
        body = (
            f"Ngày {day}, {org.name.capitalize()} ban hành {named} về {version.title}."
            " Do sơ suất trong khâu soạn thảo, văn bản có sai sót; nay xin đính chính như sau:"
            f"\n\n{what}\n\nCác nội dung khác của {named} giữ nguyên."
        )
        draft = _draft_of(version, title, body, (), "CV")
        draft = replace_draft(draft, recipient_lines=_named(session, old, version))
        return plans.draft_plan(
            session, org, who, draft, "CV", (), now, (old, LinkKind.CORRECTS, what)
        ).plan_id


def supersede_replaced(session: Session, new: Plan, now: datetime) -> int | None:
    """In the transaction that issues `new`: the plan it replaces becomes superseded (a lifecycle
    step of the engine's) and each of its emailed recipients is told. Returns the old plan's id, or
    None when `new` replaces nothing or the old plan is no longer issued (recalled meanwhile)."""
    target = session.exec(
        select(PlanLink.target_id).where(PlanLink.plan_id == new.id, PlanLink.kind == LinkKind.REPLACES.value)
    ).first()
    if target is None:
        return None
    old = lock_plan(session, target)
    if old.state != State.ISSUED:
        return None
    _supersede(session, old, Who(None), now)
    return old.id


def supersede(db: Database, plan_id: int, actor: str = SYSTEM) -> None:
    """issued → superseded, once a plan that replaces it is issued (the step `supersede_replaced`
    takes in that plan's issuance; here for a re-run after the old plan's recall was cancelled)."""
    now = db.clock()
    with db.write() as session:
        _supersede(session, lock_plan(session, plan_id), resolve_actor(session, actor), now)


def _supersede(session: Session, old: Plan, who: Who, now: datetime) -> None:
    transition = check(session, old, who, Action.SUPERSEDE)  # the guard: an issued replacement
    new_id = session.exec(
        select(PlanLink.plan_id)
        .join(Plan, col(Plan.id) == PlanLink.plan_id)
        .where(
            PlanLink.target_id == old.id,
            PlanLink.kind == LinkKind.REPLACES.value,
            Plan.state == State.ISSUED,
        )
    ).first()
    new = session.get(Plan, new_id)
    assert new is not None
    apply(session, old, transition, who, now, {"replaced_by": new.id, "symbol": new.symbol})
    _tell_recipients(session, old, new, now)


def _tell_recipients(session: Session, old: Plan, new: Plan, now: datetime) -> None:
    """One email to each recipient the old plan reached by email: which document replaces it."""
    version = current_version(session, old)
    context = {
        **plan_context(session, old, version),
        "new_symbol": new.symbol or "",
        "new_title": current_version(session, new).title,
        "new_reference": reference(new),
        "old_reference": reference(old),
    }
    copies = session.exec(
        select(Delivery)
        .where(Delivery.plan_id == old.id, Delivery.status == "sent", col(Delivery.email).is_not(None))
        .order_by(col(Delivery.id))
    )
    for delivery in copies:
        assert delivery.email is not None
        queue_message(
            session,
            key=f"{Event.SUPERSEDED}:{delivery.email.lower()}:p{old.id}:by{new.id}",
            event=Event.SUPERSEDED.value,
            to_email=delivery.email,
            to_name=delivery.name,
            context={**context, "to_name": delivery.name},
            now=now,
            plan_id=old.id,
        )
