"""The reviewer's, the signer's and the văn thư's pages: the plan as the official document, the
changes since the version they last saw, and the decision (approve, request changes, reject), the
signature or the issuance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from models.directory import Person
from models.errors import Invalid
from models.policies import Decision
from models.services import queries, reviews, signing, workspace
from web.pages import page
from web.plans import Someone, see_plan
from web.security import checked_form
from web.state import db_of

router = APIRouter()
Form = Annotated[FormData, Depends(checked_form)]


def _step_page(request: Request, plan_id: int, person: Person, name: str) -> Response:
    db = db_of(request)
    see_plan(request, person, plan_id)
    step = name
    waiting = [t for t in workspace.inbox(db, person) if t["plan"] == plan_id and t["step"] == step]
    return page(
        request,
        name,
        plan=queries.plan_status(db, plan_id),
        task=waiting[0] if waiting else None,
        diff=workspace.changes_since_seen(db, plan_id, person),
    )


@router.get("/plans/{plan_id}/review")
def review_page(request: Request, plan_id: int, person: Someone) -> Response:
    return _step_page(request, plan_id, person, "review")


@router.post("/plans/{plan_id}/review")
def review(request: Request, plan_id: int, person: Someone, form: Form) -> Response:
    see_plan(request, person, plan_id)
    try:
        decision = Decision(str(form.get("decision", "")))
    except ValueError as exc:
        raise Invalid("decision", code="review.bad_decision") from exc
    reviews.decide(
        db_of(request),
        plan_id,
        person.email,
        decision,
        str(form.get("version", "")),
        str(form.get("comment", "")),
    )
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


@router.get("/plans/{plan_id}/sign")
def sign_page(request: Request, plan_id: int, person: Someone) -> Response:
    return _step_page(request, plan_id, person, "sign")


@router.post("/plans/{plan_id}/sign")
def sign(request: Request, plan_id: int, person: Someone, form: Form) -> Response:
    see_plan(request, person, plan_id)
    signing.sign(db_of(request), plan_id, person.email, str(form.get("version", "")))
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


@router.get("/plans/{plan_id}/issue")
def issue_page(request: Request, plan_id: int, person: Someone) -> Response:
    return _step_page(request, plan_id, person, "issue")


@router.post("/plans/{plan_id}/issue")
def issue(request: Request, plan_id: int, person: Someone, form: Form) -> Response:
    """The văn thư numbers and issues the signed plan; the flow seals and distributes it."""
    see_plan(request, person, plan_id)
    signing.issue(db_of(request), plan_id, person.email)
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)
