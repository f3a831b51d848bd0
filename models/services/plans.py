"""Drafting: create or import a plan, edit it (a new version), assign people, submit, withdraw."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models.addressing import Entry, as_above, is_archive_line, match_unit, referred_units, split_entry
from models.content import (
    Draft,
    PlanContent,
    RecipientLine,
    SignatureBlock,
    content_hash,
    nfc,
)
from models.db import Database
from models.directory import GroupMember, Organisation, Person, Unit
from models.errors import AlreadyDecided, Invalid, NotAllowed, NotFound, WrongState
from models.lifecycle import Action, Role
from models.notes import Note
from models.plans import Plan, PlanReviewer, PlanStage, PlanVersion, ReviewTask
from models.policies import TaskStatus
from models.related import LinkKind
from models.review_policy import Stage, check_template, parse_rule
from models.services import audit
from models.services.core import Who, apply, check, lock_plan, resolve_actor
from models.services.related import link
from models.services.reviews import advance, open_stage
from models.services.versions import content_of, current_version
from models.tracking import to_confirm

MAX_TITLE = 500
# "" is an ordinary plan; the others are never sent by plain email (Luật Bảo vệ bí mật nhà nước).
SECRECY_LEVELS = ("", "mật", "tối mật", "tuyệt mật")
EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
HEADER_INJECTION = re.compile(r"[\r\n\x00]")


@dataclass(frozen=True)
class ImportResult:
    plan_id: int
    version_hash: str
    notes: tuple[Note, ...]  # what could not be mapped, reported rather than kept silently


def validate_email(field: str, value: str) -> str:
    value = value.strip()
    if not EMAIL_RE.match(value) or HEADER_INJECTION.search(value):
        raise Invalid(field, code="field.bad_email", value=value)
    return value


def _validate_text(field: str, text: str) -> str:
    """A plan's body: anything but a NUL, which no database column keeps."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise Invalid(field, code="text.nul", line=line)
    return nfc(text)


def _validate_title(title: str) -> str:
    title = nfc(title).strip()
    if not title:
        raise Invalid("title", code="plan.title_empty")
    if HEADER_INJECTION.search(title):
        raise Invalid("title", code="plan.title_multiline")
    if len(title) > MAX_TITLE:
        raise Invalid("title", code="plan.title_too_long", length=len(title), limit=MAX_TITLE)
    return title


def secretariat_of(session: Session, actor: str, org: Organisation) -> Who:
    who = resolve_actor(session, actor)
    if who.person is None or Role.SECRETARIAT not in who.person.roles:
        raise NotAllowed("as", code="access.not_secretariat", actor=actor)
    if who.person.org_id != org.id:
        raise NotAllowed("as", code="access.other_org", actor=actor, org=org.name)
    return who


def org_by_key(session: Session, key: str) -> Organisation:
    org = session.exec(select(Organisation).where(Organisation.key == key)).first()
    if org is None:
        raise NotFound("org", code="org.not_found", key=key)
    return org


def address_book(session: Session, org_id: int) -> list[Entry]:
    units = session.exec(select(Unit).where(Unit.org_id == org_id)).all()
    by_id = {u.id: u for u in units}
    members: dict[int, list[str]] = {}
    for gm in session.exec(select(GroupMember)).all():
        if gm.group_id in by_id and gm.member_id in by_id:
            members.setdefault(gm.group_id, []).append(by_id[gm.member_id].code)
    return [
        Entry(u.code, u.name, u.email, tuple(members.get(u.id or 0, ())), tuple(u.aliases)) for u in units
    ]


def _map_recipients(
    lines: Sequence[tuple[str, str]], book: Sequence[Entry], body: str, known: Mapping[str, str] | None = None
) -> tuple[list[RecipientLine], list[Note]]:
    """Each line mapped to an address-book unit by its text; `known` (text → unit code) keeps a
    mapping made by hand (a unit chosen for a line whose text the book does not match)."""
    mapped: list[RecipientLine] = []
    notes: list[Note] = []
    for i, (text, annotation) in enumerate(lines, start=1):
        text = nfc(text).strip()
        if is_archive_line(text):
            mapped.append(RecipientLine(text, annotation, None, archive=True))
            continue
        if (article := as_above(text)) is not None:
            notes.append(
                _as_above_meaning(f"recipients[{i}]", text, referred_units(body, article, book), book)
            )
            mapped.append(RecipientLine(text, annotation))
            continue
        code = match_unit(text, book)
        if code is None and known and text in known and any(e.code == known[text] for e in book):
            code = known[text]
        if code is None:
            notes.append(Note(f"recipients[{i}]", "recipients.unknown", text=text))
        mapped.append(RecipientLine(text, annotation, code))
    return mapped, notes


def _edited_recipients(
    lines: Sequence[str], book: Sequence[Entry], body: str, known: Mapping[str, str]
) -> tuple[list[RecipientLine], list[Note]]:
    """The Nơi nhận list as the secretariat wrote it, one entry a line as printed ("- Sở Nội vụ
    (để thực hiện);", "- Như trên;", "- Lưu: VT, VP."), each resolved against the address book
    as it is now: editing it, or sending the same lines again, maps what the book has since
    learnt. Blank lines are skipped; the archive line, if any, must be the last."""
    entries: list[tuple[str, str]] = []
    for i, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        field = f"recipients[{i}]"
        if "\n" in raw or "\r" in raw:
            raise Invalid(field, code="field.one_line")
        text, annotation = split_entry(nfc(raw))
        if not text:
            raise Invalid(field, code="recipients.empty_entry")
        _validate_text(field, text)
        entries.append((text, annotation))
    if not entries:
        raise Invalid("recipients", code="recipients.none")
    archives = [n for n, (text, _) in enumerate(entries) if is_archive_line(text)]
    if archives and archives != [len(entries) - 1]:
        raise Invalid("recipients", code="recipients.archive_not_last")
    return _map_recipients(entries, book, body, known)


def _as_above_meaning(where: str, text: str, codes: Sequence[str], book: Sequence[Entry]) -> Note:
    article = as_above(text)
    kind = "recipients.as_above" if article else "recipients.as_above_greeting"
    if not codes:
        return Note(where, f"{kind}_unknown", text=text, article=article or "")
    names = ", ".join(e.name for code in codes for e in book if e.code == code)
    return Note(where, kind, text=text, article=article or "", names=names)


def _signer(session: Session, org_id: int, name: str) -> Person | None:
    if not name:
        return None
    people = session.exec(select(Person).where(Person.org_id == org_id)).all()
    return next((p for p in people if nfc(p.name).casefold() == nfc(name).casefold()), None)


def _signature(person: Person | None, form: str, collective: str, title: str) -> SignatureBlock | None:
    if person is None:
        return None
    return SignatureBlock(
        form=form or "T/M",
        collective=(collective or "BAN THƯỜNG VỤ").upper(),
        title=(title or person.title).upper(),
        signer_email=person.email,
        signer_name=person.name,
    )


def _new_version(session: Session, plan: Plan, content: PlanContent, who: Who, seq: int) -> PlanVersion:
    assert who.person is not None
    version = PlanVersion(
        plan_id=plan.id or 0,
        seq=seq,
        title=content.title,
        summary_lines=list(content.summary_lines),
        body=content.body,
        footnotes=list(content.footnotes),
        recipients=[r.__dict__.copy() for r in content.recipients],
        signature=None if content.signature is None else content.signature.__dict__.copy(),
        assignments=[a.as_json() for a in content.assignments],
        content_hash=content_hash(content),
        created_by_id=who.person.id or 0,
    )
    session.add(version)
    session.flush()
    return version


def create_plan(
    db: Database,
    actor: str,
    org_key: str,
    draft: Draft,
    doc_type: str | None = None,  # None: the type read off the draft
    import_notes: Sequence[Note] = (),
) -> ImportResult:
    """A new plan in draft, its first version mapped to the address book and the signer.
    `import_notes` (what the importer reported) are kept with the plan's creation in the audit
    log beside the mapping notes, so the page after the import can show them again."""
    now = db.clock()
    with db.write() as session:
        org = org_by_key(session, org_key)
        who = secretariat_of(session, actor, org)
        return draft_plan(session, org, who, draft, doc_type, import_notes, now)


def draft_plan(
    session: Session,
    org: Organisation,
    who: Who,
    draft: Draft,
    doc_type: str | None,
    import_notes: Sequence[Note],
    now: datetime,
    linked: tuple[Plan, LinkKind, str] | None = None,
) -> ImportResult:
    """`create_plan` in the caller's transaction; `linked` (target, kind, note): the new plan
    replaces or corrects `target`, linked in this same transaction and entry."""
    assert who.person is not None
    title = _validate_title(draft.title)
    _validate_text("body", draft.body)
    book = address_book(session, org.id or 0)
    recipients, notes = _map_recipients(draft.recipient_lines, book, nfc(draft.body))
    signer = _signer(session, org.id or 0, draft.signer_name)
    if draft.signer_name and signer is None:
        notes.append(Note("signature", "signature.unknown_signer", name=draft.signer_name, org=org.name))
    content = PlanContent(
        title=title,
        body=nfc(draft.body),
        footnotes=tuple(nfc(f) for f in draft.footnotes),
        recipients=tuple(recipients),
        signature=_signature(signer, draft.sign_form, draft.sign_collective, draft.sign_title),
        summary_lines=tuple(nfc(s) for s in draft.summary_lines),
    )
    plan = Plan(
        org_id=org.id or 0,
        doc_type=doc_type or draft.doc_type,
        drafter_id=who.person.id or 0,
        signer_id=None if signer is None else signer.id,
        created_at=now,
        updated_at=now,
    )
    session.add(plan)
    session.flush()
    version = _new_version(session, plan, content, who, seq=1)
    plan.current_version_id = version.id
    session.add(plan)
    notes = [*import_notes, *notes, *_same_text(session, plan, version)]
    detail: dict[str, Any] = {"version": 1, "hash": version.content_hash, "notes": [str(n) for n in notes]}
    if notes:  # beside the English text (all entries before codes hold): the page shows them in Vietnamese
        detail["note_codes"] = [n.as_entry() for n in notes]
    rows = []
    if linked is not None:
        target, kind, note = linked
        rows.append(link(session, plan, target, kind, who.person.id or 0, note))
        detail["link"] = {"kind": kind.value, "target": target.id}
    audit.append(
        session,
        org_id=org.id or 0,
        plan_id=plan.id,
        actor=who.label,
        action="create",
        now=now,
        to_state=plan.state,
        detail=detail,
        rows=rows,
    )
    return ImportResult(plan.id or 0, version.content_hash, tuple(notes))


def _same_text(session: Session, plan: Plan, version: PlanVersion) -> list[Note]:
    """A note for each plan of the organisation that already has this exact text: importing
    an issued plan again by mistake is said at once, not found at signing."""
    same = select(PlanVersion.plan_id).where(PlanVersion.content_hash == version.content_hash)
    others = session.exec(
        select(Plan)
        .where(col(Plan.id).in_(same), Plan.org_id == plan.org_id, col(Plan.id) != plan.id)
        .order_by(col(Plan.id))
    ).all()
    return [
        Note(
            "duplicate",
            "plan.duplicate_text_issued",
            plan=str(other.id),
            state=other.state,
            symbol=other.symbol,
        )
        if other.symbol
        else Note("duplicate", "plan.duplicate_text", plan=str(other.id), state=other.state)
        for other in others
    ]


def _edit(
    session: Session,
    plan: Plan,
    who: Who,
    now: Any,
    content: PlanContent,
    detail: dict[str, Any],
    **changes: Any,
) -> str:
    transition = check(session, plan, who, Action.EDIT)
    version = current_version(session, plan)
    new_hash = content_hash(content)
    if new_hash != version.content_hash:
        version = _new_version(session, plan, content, who, seq=version.seq + 1)
        changes["current_version_id"] = version.id
    if content.signature is not None:
        signer = session.exec(select(Person).where(Person.email == content.signature.signer_email)).one()
        changes["signer_id"] = signer.id
    apply(
        session,
        plan,
        transition,
        who,
        now,
        {**detail, "version": version.seq, "hash": version.content_hash},
        **changes,
    )
    return version.content_hash


def edit_plan(
    db: Database,
    plan_id: int,
    actor: str,
    *,
    title: str | None = None,
    body: str | None = None,
    summary_lines: Sequence[str] | None = None,
    footnotes: Sequence[str] | None = None,
    recipient_lines: Sequence[str] | None = None,
    based_on: str | None = None,
) -> str:
    """Change a draft's text or its Nơi nhận list (`recipient_lines`, one entry a line as
    printed: add, remove, reorder, annotate, "Như trên", the archive line); a changed content
    hash is a new immutable version. `based_on` is the hash of the version the edit was made
    on: when another edit landed since, it is refused rather than silently overwriting it (two
    tabs, two people)."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        who = resolve_actor(session, actor)
        version = current_version(session, plan)
        if based_on is not None and based_on != version.content_hash:
            raise AlreadyDecided("version", code="plan.edit_conflict", current=version.content_hash[:12])
        content = content_of(version)
        content = replace(
            content,
            title=content.title if title is None else _validate_title(title),
            body=content.body if body is None else _validate_text("body", body),
            summary_lines=content.summary_lines if summary_lines is None else tuple(map(nfc, summary_lines)),
            footnotes=content.footnotes if footnotes is None else tuple(map(nfc, footnotes)),
        )
        detail: dict[str, Any] = {"edit": "text"}
        if recipient_lines is not None:
            book = address_book(session, plan.org_id)
            known = {r.text: r.unit_code for r in content.recipients if r.unit_code}
            recipients, notes = _edited_recipients(recipient_lines, book, content.body, known)
            content = replace(content, recipients=tuple(recipients))
            detail["recipients"] = [r.text for r in recipients]
            if notes:
                detail["notes"] = [str(n) for n in notes]
        return _edit(session, plan, who, now, content, detail)


def assign(
    db: Database,
    plan_id: int,
    actor: str,
    *,
    reviewers: Sequence[str] | None = None,
    signer: str | None = None,
    recipients: Sequence[str] | None = None,
    secrecy: str | None = None,
    template: str | None = None,
) -> str:
    """Choose reviewers (emails: one stage, all must approve) or the organisation's review
    `template` (its stages), the signer (email), recipients (address-book codes) and the secrecy mark."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        who = resolve_actor(session, actor)
        check(session, plan, who, Action.EDIT)  # refuse early, before validating the rest
        content = content_of(current_version(session, plan))
        people = {
            p.email.lower(): p for p in session.exec(select(Person).where(Person.org_id == plan.org_id))
        }
        detail: dict[str, Any] = {"edit": "assign"}
        if reviewers is not None and template is not None:
            raise Invalid("template", code="assign.reviewers_and_template")
        stages: list[Stage[int]] | None = None
        if reviewers is not None:
            chosen: list[Person] = []
            for i, email in enumerate(reviewers, start=1):
                reviewer = _reviewer(people, f"reviewers[{i}]", email)
                if reviewer in chosen:
                    raise Invalid(f"reviewers[{i}]", code="assign.reviewer_twice", email=email)
                chosen.append(reviewer)
            stages = [Stage(tuple(p.id or 0 for p in chosen))]
        if template is not None:
            org = session.get(Organisation, plan.org_id)
            assert org is not None
            stages = _template_stages(org, template, people)
        if signer is not None:
            person = people.get(validate_email("signer", signer).lower())
            if person is None or Role.SIGNER not in person.roles:
                raise Invalid("signer", code="assign.not_signer", signer=signer)
            old = content.signature
            content = replace(
                content,
                signature=_signature(
                    person, old.form if old else "", old.collective if old else "", person.title
                ),
            )
            detail["signer"] = person.email
        if recipients is not None:
            units = {u.code: u for u in session.exec(select(Unit).where(Unit.org_id == plan.org_id))}
            lines = []
            for i, code in enumerate(recipients, start=1):
                if code not in units:
                    raise Invalid(f"recipients[{i}]", code="assign.unknown_unit", unit=code)
                lines.append(RecipientLine(units[code].name, "", code))
            archive = [r for r in content.recipients if r.archive]
            content = replace(content, recipients=tuple(lines + archive))
            detail["recipients"] = list(recipients)
        extra: dict[str, Any] = {}
        if stages is not None:
            _store_stages(session, plan, stages)
            emails = {p.id: p.email for p in people.values()}
            detail["reviewers"] = [emails[r] for stage in stages for r in stage.reviewers]
            if template is not None:
                detail["template"] = extra["review_template"] = template
            else:
                extra["review_template"] = ""
        if secrecy is not None:
            if secrecy not in SECRECY_LEVELS:
                raise Invalid(
                    "secrecy",
                    code="field.bad_choice",
                    value=secrecy,
                    choices=[repr(s) for s in SECRECY_LEVELS],
                )
            extra["secrecy"] = detail["secrecy"] = secrecy
        return _edit(session, plan, who, now, content, detail, **extra)


def _reviewer(people: dict[str, Person], field: str, email: str) -> Person:
    person = people.get(validate_email(field, email).lower())
    if person is None or Role.REVIEWER not in person.roles:
        raise Invalid(field, code="assign.unknown_reviewer", email=email)
    return person


def _template_stages(org: Organisation, name: str, people: dict[str, Person]) -> list[Stage[int]]:
    """The organisation's template as stages of person ids (checked when the config was loaded;
    checked again against the people of today)."""
    found = next((t for t in org.review_templates if t["name"] == name), None)
    if found is None:
        names = ", ".join(t["name"] for t in org.review_templates) or "none"
        raise NotFound("template", code="assign.template_not_found", org=org.name, name=name, names=names)
    stages = []
    try:
        for raw in found["stages"]:
            ids = {e: _reviewer(people, "template", e).id or 0 for e in raw["reviewers"]}
            rule, needed = parse_rule(raw["rule"], len(ids))
            mandatory = frozenset(ids[e] for e in raw.get("mandatory", []))
            stages.append(Stage(tuple(ids.values()), rule, needed, mandatory, raw.get("name", "")))
        check_template(stages)
    except ValueError as error:
        raise Invalid("template", code="assign.template_invalid", name=name, detail=error) from error
    return stages


def _store_stages(session: Session, plan: Plan, stages: list[Stage[int]]) -> None:
    for model in (PlanReviewer, PlanStage):
        for row in session.exec(select(model).where(model.plan_id == plan.id)):
            session.delete(row)
    session.flush()
    for seq, stage in enumerate(stages, start=1):
        session.add(
            PlanStage(plan_id=plan.id or 0, seq=seq, name=stage.name, rule=stage.rule, needed=stage.needed)
        )
        for person_id in stage.reviewers:
            session.add(
                PlanReviewer(
                    plan_id=plan.id or 0,
                    person_id=person_id,
                    stage=seq,
                    mandatory=person_id in stage.mandatory,
                )
            )


def submit(db: Database, plan_id: int, actor: str) -> int:
    """Send the current version to review: a new round whose first stage opens. Returns the round."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        who = resolve_actor(session, actor)
        transition = check(session, plan, who, Action.SUBMIT)
        version = current_version(session, plan)
        if names := to_confirm(content_of(version).assignments):
            # Reviewers approve the assignments with the text: every unit must be one of the book's.
            raise WrongState("assignments", code="tracking.to_confirm", names=", ".join(names))
        new_round = plan.review_round + 1
        open_stage(session, plan, new_round, 1, version, now)
        apply(
            session,
            plan,
            transition,
            who,
            now,
            {"round": new_round, "hash": version.content_hash},
            review_round=new_round,
            review_stage=1,
        )
        advance(session, plan, now)
        return new_round


def withdraw(db: Database, plan_id: int, actor: str, reason: str = "") -> None:
    """Take back a plan before signing; the reason is required (it goes to the reviewers told
    and into the audit log)."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        who = resolve_actor(session, actor)
        transition = check(session, plan, who, Action.WITHDRAW)
        reason = nfc(reason).strip()
        if not reason:
            raise Invalid("reason", code="withdraw.reason_required")
        if len(reason) > 500:
            raise Invalid("reason", code="withdraw.reason_too_long", limit=500)
        open_tasks = session.exec(
            select(ReviewTask).where(ReviewTask.plan_id == plan.id, ReviewTask.status == TaskStatus.OPEN)
        ).all()
        # The transition tells the reviewers of the tasks still open (and the signer, once approved).
        said = {"comment": reason, "actor_name": who.name}
        apply(session, plan, transition, who, now, {"reason": reason}, said=said)
        for task in open_tasks:
            task.status, task.decided_at = TaskStatus.CANCELLED, now
            session.add(task)
