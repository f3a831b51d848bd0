"""The signer's recall steps on the plan page: ask (with the reason), confirm (a second person),
cancel. Each is a lifecycle row; the page offers only what the table allows this person. And the
secretariat's on the deliveries page: remind who has not confirmed, record one by hand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from models.directory import Person
from models.services import recall
from web.plans import Secretariat, see_plan
from web.security import checked_form, signed_in
from web.state import db_of

router = APIRouter()
Form = Annotated[FormData, Depends(checked_form)]
Someone = Annotated[Person, Depends(signed_in)]


def _back(plan_id: int) -> Response:
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


@router.post("/plans/{plan_id}/recall")
def request_recall(request: Request, plan_id: int, person: Someone, form: Form) -> Response:
    see_plan(request, person, plan_id)
    reason = form.get("reason")
    recall.request(db_of(request), plan_id, person.email, reason if isinstance(reason, str) else "")
    return _back(plan_id)


@router.post("/plans/{plan_id}/confirm-recall")
def confirm_recall(request: Request, plan_id: int, person: Someone, form: Form) -> Response:
    see_plan(request, person, plan_id)
    recall.confirm(db_of(request), plan_id, person.email)
    return _back(plan_id)


@router.post("/plans/{plan_id}/cancel-recall")
def cancel_recall(request: Request, plan_id: int, person: Someone, form: Form) -> Response:
    see_plan(request, person, plan_id)
    recall.cancel(db_of(request), plan_id, person.email)
    return _back(plan_id)


def _deliveries(plan_id: int) -> Response:
    return RedirectResponse(f"/plans/{plan_id}/deliveries", status_code=303)


@router.post("/plans/{plan_id}/recall-remind")
def remind(request: Request, plan_id: int, person: Secretariat, form: Form) -> Response:
    see_plan(request, person, plan_id)
    recall.remind(db_of(request), plan_id, person.email)
    return _deliveries(plan_id)


@router.post("/plans/{plan_id}/recall-mark")
def mark(request: Request, plan_id: int, person: Secretariat, form: Form) -> Response:
    see_plan(request, person, plan_id)
    to, note = form.get("to"), form.get("note")
    recall.mark(
        db_of(request),
        plan_id,
        person.email,
        to if isinstance(to, str) else "",
        note if isinstance(note, str) else "",
    )
    return _deliveries(plan_id)
