"""The secretariat's pages: inbox, new or imported plan, edit, assign, submit, withdraw, the
plan page with its timeline, deliveries with resend, and the outgoing register."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from documents.intake import ImportLimits, parse_file, size
from documents.official import official_document, signatures_vi
from documents.plain_text import ParsedText, parse
from documents.render import render_html
from documents.views import document_view
from models.addressing import printed_entry
from models.content import Draft
from models.directory import Person
from models.errors import AlreadyDecided, Invalid
from models.lifecycle import Role, State
from models.notes import Note
from models.services import (
    access,
    acknowledgements,
    distribution,
    documents,
    listing,
    plans,
    queries,
    recall,
    related,
    steps,
    workspace,
)
from web.pages import page
from web.security import checked_form, secretariat, signed_in
from web.state import db_of, settings_of
from web.tracking_section import section

router = APIRouter()
DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
Form = Annotated[FormData, Depends(checked_form)]
Someone = Annotated[Person, Depends(signed_in)]
Secretariat = Annotated[Person, Depends(secretariat)]
TASKS_SHOWN = 50  # the most urgent first; the plan list's "waiting on" filter shows them all


def see_plan(request: Request, person: Person, plan_id: int) -> None:
    """Refuse (as not found) a plan this person may not see: another body's, or not assigned."""
    access.visible_plan(db_of(request), person, plan_id)


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


@router.get("/inbox")
def inbox(request: Request, person: Someone) -> Response:
    """What waits for this person, then the plans they may see: searched, filtered, sorted and
    paged by the database."""
    db = db_of(request)
    wanted = listing.PlanFilter.from_query(dict(request.query_params))
    people, _ = workspace.people_and_units(db, person.org_id)
    return page(
        request,
        "inbox",
        tasks=workspace.inbox(db, person)[:TASKS_SHOWN],
        tasks_shown=TASKS_SHOWN,
        plans=listing.plans(db, person, wanted),
        people=people,
        states=[s.value for s in State if s.value != "system"],
        sorts=listing.SORTS,
    )


@router.get("/plans/new")
def new_form(request: Request, person: Secretariat) -> Response:
    return page(request, "new")


@router.post("/plans/new")
def create(request: Request, person: Secretariat, form: Form) -> Response:
    upload = form.get("file")
    text = _text(form, "text").strip()
    parsed: ParsedText
    limits = ImportLimits.from_settings(settings_of(request))
    if isinstance(upload, UploadFile) and upload.filename:
        docx = upload.filename.lower().endswith(".docx")
        limit = limits.max_docx_bytes if docx else limits.max_text_bytes
        data = upload.file.read(limit + 1)
        if len(data) > limit:
            raise Invalid("file", code="import.too_large", name=upload.filename, limit=size(limit))
        try:
            parsed = parse_file(data, upload.filename, limits)
        except Invalid as error:
            raise Invalid("file", code="import.file", name=error.field, cause=error) from error
    elif text:
        if len(text.encode("utf-8")) > limits.max_text_bytes:
            raise Invalid("text", code="import.text_too_large", limit=size(limits.max_text_bytes))
        parsed = parse(text, limits)
    else:
        lines = [ln.strip(" -") for ln in _text(form, "recipients").splitlines() if ln.strip(" -")]
        draft = Draft(
            title=_text(form, "title"),
            body=_text(form, "body").replace("\r\n", "\n"),
            recipient_lines=tuple((ln, "") for ln in lines),
        )
        parsed = ParsedText(draft)
    org = workspace.organisation(db_of(request), person.org_id)
    result = plans.create_plan(db_of(request), person.email, org.key, parsed.draft, import_notes=parsed.notes)
    # Post/Redirect/Get: reloading the next page shows it again instead of creating a second plan.
    return RedirectResponse(f"/plans/{result.plan_id}/created", status_code=303)


@router.get("/plans/{plan_id}/created")
def created(request: Request, plan_id: int, person: Secretariat) -> Response:
    """What the import reported, read back from the plan's creation entry."""
    see_plan(request, person, plan_id)
    entries = queries.history(db_of(request), plan_id)
    detail: dict[str, Any] = next((e["detail"] for e in entries if e["action"] == "create"), {})
    return page(request, "created", plan_id=plan_id, notes=shown_notes(detail))


def shown_notes(detail: Mapping[str, Any]) -> list[str]:
    """The creation entry's notes in Vietnamese; an entry written before notes had codes holds
    only their English text, shown as it is."""
    if "note_codes" in detail:
        return [Note.from_entry(entry).message for entry in detail["note_codes"]]
    return list(detail.get("notes", []))


@router.get("/plans/{plan_id}")
def plan_page(request: Request, plan_id: int, person: Someone) -> Response:
    db = db_of(request)
    see_plan(request, person, plan_id)
    status = queries.plan_status(db, plan_id)
    people, _ = workspace.people_and_units(db, person.org_id)
    names = {p.email: p.name for p in people}
    return page(
        request,
        "plan",
        plan=status,
        names=names,
        timeline=queries.history(db, plan_id),
        pending=workspace.pending(db, plan_id),
        tasks=workspace.inbox(db, person),
        is_secretariat=Role.SECRETARIAT in person.roles,
        offered=steps.offered(db, plan_id, person.email),  # the lifecycle table's answer for this person
        **section(db, plan_id, person),
        related=related.shown(db, plan_id),  # the replacement, correction or report linked either way
        recall=recall.status(db, plan_id)["recall"],
        signatures=signatures_vi(db, plan_id, settings_of(request).trust_anchors),
    )


@router.get("/plans/{plan_id}/document")
def document(request: Request, plan_id: int, person: Someone) -> Response:
    """The plan as the official document (shown in a sandboxed frame on the review pages)."""
    see_plan(request, person, plan_id)
    html = render_html(document_view(documents.plan_document(db_of(request), plan_id)))
    return HTMLResponse(html, headers={"Content-Security-Policy": DOCUMENT_CSP})


@router.get("/plans/{plan_id}/download/{fmt}")
def download(request: Request, plan_id: int, fmt: str, person: Someone) -> Response:
    """The official file for anyone who may see the plan: the issued original (sealed PDF) once
    issued, otherwise the current version rendered now."""
    see_plan(request, person, plan_id)
    file = official_document(db_of(request), plan_id, fmt)
    disposition = f'attachment; filename="{file.filename}"'
    return Response(file.content, media_type=file.media_type, headers={"Content-Disposition": disposition})


@router.get("/plans/{plan_id}/edit")
def edit_form(request: Request, plan_id: int, person: Secretariat) -> Response:
    see_plan(request, person, plan_id)
    doc = documents.plan_document(db_of(request), plan_id)
    return page(
        request,
        "edit",
        plan_id=plan_id,
        version=doc.version,
        state=doc.plan.state,
        recipient_lines=_printed_recipients(doc.version.recipients),
    )


def _printed_recipients(recipients: list[dict[str, str]]) -> list[str]:
    """The Nơi nhận list one entry a line, as printed: what the edit page's box holds."""
    return [f"- {printed_entry(r['text'], r.get('annotation') or '')}" for r in recipients]


@router.post("/plans/{plan_id}/edit")
def edit(request: Request, plan_id: int, person: Secretariat, form: Form) -> Response:
    see_plan(request, person, plan_id)
    title, body = _text(form, "title"), _text(form, "body").replace("\r\n", "\n")
    # Each line a Nơi nhận entry as printed; sent back unchanged it is mapped again to the address book.
    recipients = _text(form, "recipients").replace("\r\n", "\n").split("\n") if "recipients" in form else None
    try:
        plans.edit_plan(
            db_of(request),
            plan_id,
            person.email,
            title=title,
            body=body,
            recipient_lines=recipients,
            based_on=_text(form, "based_on") or None,
        )
    except AlreadyDecided as exc:
        if exc.code != "plan.edit_conflict":
            raise
        # Someone saved first: show their version to edit again, and this person's text to copy.
        doc = documents.plan_document(db_of(request), plan_id)
        mine = {"title": title, "body": body}
        return page(
            request,
            "edit",
            409,
            plan_id=plan_id,
            version=doc.version,
            state=doc.plan.state,
            mine=mine,
            recipient_lines=_printed_recipients(doc.version.recipients),
        )
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


@router.get("/plans/{plan_id}/assign")
def assign_form(request: Request, plan_id: int, person: Secretariat) -> Response:
    db = db_of(request)
    see_plan(request, person, plan_id)
    people, units = workspace.people_and_units(db, person.org_id)
    status = queries.plan_status(db, plan_id)
    chosen_units = {r.get("unit_code") for r in status["recipients"] if not r.get("archive")}
    return page(
        request,
        "assign",
        plan=status,
        reviewers=[p for p in people if Role.REVIEWER in p.roles],
        signers=[p for p in people if Role.SIGNER in p.roles],
        units=units,
        chosen_units=chosen_units,
    )


@router.post("/plans/{plan_id}/assign")
def assign(request: Request, plan_id: int, person: Secretariat, form: Form) -> Response:
    db = db_of(request)
    see_plan(request, person, plan_id)
    lines = queries.plan_status(db, plan_id)["recipients"]
    before = sorted(str(r.get("unit_code")) for r in lines if not r.get("archive"))
    units = sorted(u for u in form.getlist("unit") if isinstance(u, str))
    signer = _text(form, "signer")
    plans.assign(
        db,
        plan_id,
        person.email,
        reviewers=[r for r in form.getlist("reviewer") if isinstance(r, str)],
        signer=signer or None,
        # An unchanged choice keeps the Nơi nhận lines as written (annotations included);
        # a changed one (or one that maps a line the importer could not) rewrites them.
        recipients=None if units == before else units,
    )
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


@router.post("/plans/{plan_id}/submit")
def submit(request: Request, plan_id: int, person: Secretariat, form: Form) -> Response:
    see_plan(request, person, plan_id)
    plans.submit(db_of(request), plan_id, person.email)
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


@router.get("/plans/{plan_id}/withdraw")
def withdraw_form(request: Request, plan_id: int, person: Secretariat) -> Response:
    """Withdrawing ends the plan for good: a page of its own, with the reason required."""
    see_plan(request, person, plan_id)
    return page(request, "withdraw", plan=queries.plan_status(db_of(request), plan_id))


@router.post("/plans/{plan_id}/withdraw")
def withdraw(request: Request, plan_id: int, person: Secretariat, form: Form) -> Response:
    see_plan(request, person, plan_id)
    plans.withdraw(db_of(request), plan_id, person.email, _text(form, "reason"))
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


@router.get("/plans/{plan_id}/deliveries")
def deliveries(request: Request, plan_id: int, person: Secretariat) -> Response:
    db = db_of(request)
    see_plan(request, person, plan_id)
    return page(
        request,
        "deliveries",
        plan=queries.plan_status(db, plan_id),
        deliveries=queries.deliveries(db, plan_id),
    )


@router.post("/plans/{plan_id}/resend")
def resend(request: Request, plan_id: int, person: Secretariat, form: Form) -> Response:
    see_plan(request, person, plan_id)
    distribution.resend(db_of(request), plan_id, person.email, _text(form, "email"))
    return RedirectResponse(f"/plans/{plan_id}/deliveries", status_code=303)


@router.post("/plans/{plan_id}/retry-failed")
def retry_failed(request: Request, plan_id: int, person: Secretariat, form: Form) -> Response:
    """Every failed copy of the plan sent again (new emails), in one step."""
    see_plan(request, person, plan_id)
    distribution.retry_failed(db_of(request), plan_id, person.email)
    return RedirectResponse(f"/plans/{plan_id}/deliveries", status_code=303)


@router.post("/plans/{plan_id}/remind-ack")
def remind_ack(request: Request, plan_id: int, person: Secretariat, form: Form) -> Response:
    see_plan(request, person, plan_id)
    acknowledgements.remind(db_of(request), plan_id, person.email)
    return RedirectResponse(f"/plans/{plan_id}/deliveries", status_code=303)


@router.get("/register")
def register(request: Request, person: Secretariat) -> Response:
    db = db_of(request)
    org = workspace.organisation(db, person.org_id)
    return page(
        request,
        "register",
        rows=queries.outgoing_register(db, org.key),
        columns=queries.OUTGOING_REGISTER_COLUMNS,
    )
