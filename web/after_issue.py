"""The signer's recall steps on the plan page: ask (with the reason), confirm (a second person),
cancel. Each is a lifecycle row; the page offers only what the table allows this person."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from models.directory import Person
from models.services import recall
from web.plans import see_plan
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
