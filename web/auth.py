"""Sign-in by emailed one-time link, the links in notifications, and sign-out."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from models.errors import Refused
from models.services import access
from web.pages import page
from web.security import SESSION_COOKIE, checked_form, optional_person, start_session
from web.state import db_of, settings_of

router = APIRouter()
Form = Annotated[FormData, Depends(checked_form)]

# The refusals of a link that was good once, as the page that explains them names them.
SPENT = {"link.expired": "expired", "link.used": "used", "link.step_done": "done"}
STEP_PATH = {
    "review": "/plans/{id}/review",
    "sign": "/plans/{id}/sign",
    "issue": "/plans/{id}/issue",
    "edit": "/plans/{id}/edit",
}


@router.get("/")
def home(request: Request) -> Response:
    return RedirectResponse("/inbox" if optional_person(request) else "/login", status_code=303)


@router.get("/login")
def login_form(request: Request) -> Response:
    return page(request, "login")


@router.post("/login")
def login(request: Request, form: Form) -> Response:
    settings = settings_of(request)
    email = str(form.get("email", "")).strip().lower()
    # Counted per address whether or not anyone has it, so the answer reveals no one's address;
    # past the limit the person is told how long to wait (a flood delays them, never locks them
    # out silently). The link itself is queued after the answer: known and unknown addresses
    # answer in the same time.
    wait = request.app.state.sign_in_window.wait(email)
    if wait > 0:
        return page(request, "login_wait", 429, minutes=max(1, math.ceil(wait / 60)))
    tasks = BackgroundTasks()
    tasks.add_task(access.request_sign_in, db_of(request), email, settings.link_hours)
    response = page(request, "login_sent", hours=settings.link_hours)
    response.background = tasks
    return response


def _spent_link(request: Request, token: str, error: Refused) -> Response:
    """A used or expired link: its own person, signed in, goes to the task (or the plan) it was
    for; anyone else is told why in Vietnamese and sent to sign in."""
    holder = access.link_holder(db_of(request), token)
    current = optional_person(request)
    if holder is not None and current is not None and current.id == holder.person_id:
        if holder.plan_id is None:
            return RedirectResponse("/inbox", status_code=303)
        path = STEP_PATH.get(holder.step, "/plans/{id}") if holder.waits else "/plans/{id}"
        return RedirectResponse(path.format(id=holder.plan_id), status_code=303)
    return page(request, "link_spent", 403, why=SPENT[error.code], hours=settings_of(request).link_hours)


@router.get("/l/{token}")
def link_confirm(request: Request, token: str) -> Response:
    """A GET never acts (mail scanners open links): it only shows what the button will do."""
    try:
        target = access.inspect_link(db_of(request), token, settings_of(request).link_hours)
    except Refused as exc:
        if exc.code not in SPENT:
            raise
        return _spent_link(request, token, exc)
    return page(request, "link", target=target, token=token)


@router.post("/l/{token}")
def link_use(request: Request, token: str, form: Form) -> Response:
    current = optional_person(request)
    try:
        signed = access.use_link(
            db_of(request), token, settings_of(request).link_hours, None if current is None else current.id
        )
    except Refused as exc:
        if exc.code not in SPENT:
            raise
        return _spent_link(request, token, exc)
    if signed.plan_id is None:
        target = "/inbox"
    else:
        target = STEP_PATH.get(signed.step, "/plans/{id}").format(id=signed.plan_id)
    response = RedirectResponse(target, status_code=303)
    start_session(request, response, signed.session_token)
    return response


@router.post("/logout")
def logout(request: Request, form: Form) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        access.end_session(db_of(request), token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
